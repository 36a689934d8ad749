//! What the model answers: not one response but the set of acceptable ones.
//!
//! Where the documentation leaves room, an operation returns several [`Alternative`]s. The first
//! is the model's preferred answer (the reference endpoint sends it); a target matching any of
//! them conforms. Each alternative says how sure the model is of each part of it, as a
//! [`Level`]: a mismatch in a `MUST` part is a failure, a mismatch only in `SHOULD` or `MAY`
//! parts is "non-strict". Alternatives that leave the world in a different state carry that
//! state, so a runner can follow whichever one the target chose (the idea of Knossos: a
//! response is valid if some allowed history explains it).

use crate::clauses::RuleId;
use crate::error::{ApiError, ErrorCode};
use crate::world::World;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// How sure the model is of a behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// The model's own choice where nothing is known (see ASSUMPTIONS.md).
    May,
    /// Observed from the real service (`fixtures/real-service/observed.json`, cited by case id).
    Should,
    /// Stated by the documentation or the service model.
    Must,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::May => "MAY",
            Level::Should => "SHOULD",
            Level::Must => "MUST",
        })
    }
}

/// A response as the model would send it.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// HTTP 200 with this JSON body.
    Success(Value),
    /// An error answer.
    Failure(ApiError),
}

impl Reply {
    pub fn status(&self) -> u16 {
        match self {
            Reply::Success(_) => 200,
            Reply::Failure(e) => e.code.http_status(),
        }
    }
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Reply::Success(_) => None,
            Reply::Failure(e) => Some(e.code),
        }
    }
}

/// One acceptable answer.
#[derive(Clone, Debug)]
pub struct Alternative {
    pub reply: Reply,
    /// Where this answer comes from: documented, observed, or the model's choice.
    pub provenance: Level,
    /// How sure the model is of the error code (success vs. error is always `MUST`).
    pub code_level: Level,
    /// How sure the model is of the exact message text.
    pub message_level: Level,
    /// The state after this answer, when it differs from the preferred alternative's.
    pub world: Option<Box<World>>,
    /// The assumption (ASSUMPTIONS.md id) or rule behind this alternative.
    pub basis: &'static str,
    /// Rules exercised only when the target chose this alternative (beside
    /// [`Outcome::clauses`]): a rule about reporting a failure is covered only by an answer that
    /// reported it, not by a silent refusal the model also accepts.
    pub covers: Vec<RuleId>,
}

impl Alternative {
    pub fn success(body: Value) -> Self {
        Alternative {
            reply: Reply::Success(body),
            provenance: Level::Must,
            code_level: Level::Must,
            message_level: Level::May,
            world: None,
            basis: "",
            covers: Vec::new(),
        }
    }

    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Alternative {
            reply: Reply::Failure(ApiError::new(code, message)),
            provenance: Level::Must,
            code_level: Level::Must,
            message_level: Level::May,
            world: None,
            basis: "",
            // An answer with a documented error code exercises that code's meaning (R-ERR-nn).
            covers: code.meaning().into_iter().collect(),
        }
    }

    pub fn provenance(mut self, level: Level) -> Self {
        self.provenance = level;
        self
    }
    pub fn code_level(mut self, level: Level) -> Self {
        self.code_level = level;
        self
    }
    pub fn message_level(mut self, level: Level) -> Self {
        self.message_level = level;
        self
    }
    pub fn basis(mut self, basis: &'static str) -> Self {
        self.basis = basis;
        self
    }
    /// A rule this alternative exercises, counted only when the target's answer matched it.
    pub fn covers(mut self, id: RuleId) -> Self {
        if !self.covers.contains(&id) {
            self.covers.push(id);
        }
        self
    }
    pub fn with_world(mut self, world: World) -> Self {
        self.world = Some(Box::new(world));
        self
    }
}

/// Every acceptable answer to one request, and the rules it exercised.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Never empty; the first is the preferred answer.
    pub alternatives: Vec<Alternative>,
    /// The rule IDs (rules.md) this request exercised, for coverage reports.
    pub clauses: Vec<RuleId>,
}

impl Outcome {
    pub fn new(preferred: Alternative) -> Self {
        Outcome { alternatives: vec![preferred], clauses: Vec::new() }
    }
    pub fn ok(body: Value) -> Self {
        Outcome::new(Alternative::success(body))
    }
    pub fn err(code: ErrorCode, message: impl Into<String>) -> Self {
        Outcome::new(Alternative::error(code, message))
    }
    pub fn or(mut self, alternative: Alternative) -> Self {
        self.alternatives.push(alternative);
        self
    }
    pub fn clause(mut self, id: RuleId) -> Self {
        if !self.clauses.contains(&id) {
            self.clauses.push(id);
        }
        self
    }
    pub fn clauses(mut self, ids: &[RuleId]) -> Self {
        for id in ids {
            self = self.clause(*id);
        }
        self
    }
    /// The preferred answer.
    pub fn preferred(&self) -> &Alternative {
        &self.alternatives[0]
    }
}

/// Response members whose value the model cannot predict for every target, and how to compare
/// them instead of by equality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FieldKind {
    /// Made up by the service (an Arn, an id). Any value of the right format will do, but the
    /// same model value must always meet the same target value (identity is kept).
    GeneratedId(IdFormat),
    /// A paging token: any string; its presence is what counts.
    OpaqueToken,
    /// A time the service takes from its own clock: exact against a target whose clock the
    /// runner controls, otherwise any timestamp.
    ClockTime,
    /// An execution state: exact against a target whose clock the runner controls; otherwise
    /// any state the execution can reach (states never move backwards).
    ExecutionState,
    /// The steps of an execution (R-DRES-09): exact against a target whose clock the runner
    /// controls; otherwise checked for their members' types, step states and time order.
    ExecutionSteps,
    /// A list whose order the documentation does not fix.
    Unordered,
    /// A default the real service was seen to fill in, as JSON text: its absence is non-strict
    /// (SHOULD) when the model expects exactly this default; a value the caller sent and the
    /// service stores must come back (MUST).
    ObservedDefault(&'static str),
    /// Free text the service writes itself (a `FailureMessage`, a step's `ErrorMessage`): its
    /// words are compared at this level, never MUST; its presence and type are still MUST.
    ServiceText(Level),
}

/// The format of a generated identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IdFormat {
    /// `arn:<partition>:config:<region>:<account>:remediation-configuration/<rule>/<id>`
    /// (observed case `rc-describe-echo`; the id is a UUID there).
    RemediationConfigurationArn,
    /// `arn:<partition>:config:<region>:<account>:config-rule/config-rule-<id>`.
    ConfigRuleArn,
    /// `config-rule-<id>`.
    ConfigRuleId,
    /// No documented or observed format: any non-empty string.
    Opaque,
}

/// One flexible member, by path: member names and `*` for every list item, joined by `/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlexField {
    pub path: &'static str,
    pub kind: FieldKind,
}
