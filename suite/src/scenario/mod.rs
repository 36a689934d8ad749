//! Scenario files: declarative, human-readable request sequences with the rules they check.
//!
//! A scenario is a JSON file in `fixtures/scenarios/`:
//!
//! ```json
//! {
//!   "id": "exceptions/only-non-compliant",
//!   "title": "An exception is only made for a NON_COMPLIANT resource",
//!   "rules": ["R-PRE-04"],
//!   "steps": [
//!     {"op": "PutConfigRule", "body": {"ConfigRule": {"ConfigRuleName": "${rule:a}", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}},
//!     {"control": {"action": "set_compliance", "rule": "${rule:a}", "resource_type": "AWS::S3::Bucket", "resource_id": "b", "compliance": "COMPLIANT"}},
//!     {"op": "PutRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}]}, "rules": ["R-PRE-04"]}
//!   ]
//! }
//! ```
//!
//! A step is exactly one of:
//! * `op` + `body` (JSON, templated) or `raw_body` (bytes as text, sent as is): an API call,
//!   judged against the model. `target_header` overrides `X-Amz-Target` (`null`: none).
//! * `control`: a [`reference_model::Control`] action applied to the model and to the target
//!   (needs the `control` capability).
//! * `advance`: seconds to move both clocks forward (needs `virtual-clock`).
//!
//! Any step may `bind` names to paths of its answer (`{"arn": "RemediationConfigurations/0/Arn"}`);
//! later steps use them as `${bind:arn}` inside strings or `{"$bind": "arn"}` as a whole value.
//! The model's value and the target's value are kept apart, so each side gets its own.
//!
//! A call or control step may carry `"repeat": N`: it stands for N steps, and `${n}` in its body
//! is 1..N (`"${rule:r}${n}"` names N rules).
//!
//! Templates: `${rule:NAME}` is a rule name owned by this run (the run prefix plus NAME: the
//! suite touches only names it made); `{"$repeat": N, "item": T}` is a list of N copies of T
//! with `${i}` = 1..N; `{"$string": N}` is a string of N `a`s (`{"$string": {"len": N, "char": "é"}}`
//! for another character); `{"$now": S}` is the side's current time plus S seconds.
//!
//! The module follows the file's life: `load` reads and checks the format (the raw records,
//! the rule IDs, the derived needs, repeats), [`template`] expands a step's templates for one
//! side at run time and reads answer paths.

mod load;
pub mod template;

pub use load::load_dir;
pub use template::{instantiate, value_at, Side, TemplateError, MAX_REPEAT, MAX_STRING_BYTES};

use crate::profile::Capability;
use reference_model::clauses::RuleId;
use reference_model::Operation;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One scenario, parsed and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    /// The rule IDs this scenario checks (rules.md / `reference_model::clauses`).
    pub rules: Vec<RuleId>,
    /// Cases of `fixtures/real-service/observed.json` this scenario reproduces.
    pub observed: Vec<String>,
    /// Declared plus derived capabilities: everything some step needs.
    pub needs: BTreeSet<Capability>,
    /// What the scenario declares it needs before its first step; a target without one of
    /// these skips the scenario. What a single step needs ([`Step::needs`]) stops the
    /// scenario only at that step.
    pub needs_from_start: BTreeSet<Capability>,
    pub steps: Vec<Step>,
    /// Where it was read from.
    pub source: PathBuf,
}

/// One step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub action: Action,
    /// Rule IDs this step checks, besides the scenario's.
    pub rules: Vec<RuleId>,
    /// Answer paths to remember, by name.
    pub bind: BTreeMap<String, String>,
    /// Free text shown in reports.
    pub note: Option<String>,
}

impl Step {
    /// The capability this step needs of its target: a control action needs `control`, a move
    /// of the clock `virtual-clock`, a listing whose answer depends on everything in the
    /// account `reset`; any other API call needs none.
    pub fn needs(&self) -> Option<Capability> {
        match &self.action {
            Action::Control(_) => Some(Capability::Control),
            Action::Advance { .. } => Some(Capability::VirtualClock),
            Action::Call { op, body: CallBody::Json(b), .. } if lists_whole_account(*op, b) => Some(Capability::Reset),
            Action::Call { .. } => None,
        }
    }
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Call { op: Operation, body: CallBody, target_header: TargetHeader },
    Control(Value),
    Advance { seconds: f64 },
}

/// The body of a call.
#[derive(Clone, Debug, PartialEq)]
pub enum CallBody {
    /// A JSON template, instantiated per side.
    Json(Value),
    /// Bytes sent exactly as written (malformed JSON and the like).
    Raw(String),
}

/// The `X-Amz-Target` header of a call.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetHeader {
    /// `StarlingDoveService.<op>`.
    Operation,
    /// Exactly this value.
    Custom(String),
    /// No header at all.
    Missing,
}

/// A problem with a scenario file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Every rule ID this scenario checks.
    pub fn all_rules(&self) -> BTreeSet<RuleId> {
        self.rules.iter().chain(self.steps.iter().flat_map(|s| &s.rules)).copied().collect()
    }

    /// The operations it calls.
    pub fn operations(&self) -> BTreeSet<Operation> {
        self.steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::Call { op, .. } => Some(*op),
                _ => None,
            })
            .collect()
    }
}

/// Calls that read the whole account see what other runs left there; they need a clean one.
/// True for a listing whose answer depends on everything in the account. A first page of
/// rules or of compliance by rule does not: on a target without reset the runner keeps only
/// the scenario's own rules of every page (`runner`); paging on, or listing compliance by
/// resource (whose items name no rule), does.
fn lists_whole_account(op: Operation, body: &Value) -> bool {
    let no_names = |key: &str| body.get(key).and_then(Value::as_array).is_none_or(|a| a.is_empty());
    match op {
        Operation::DescribeConfigRules | Operation::DescribeComplianceByConfigRule => {
            no_names("ConfigRuleNames") && body.get("NextToken").is_some()
        }
        Operation::DescribeComplianceByResource => true,
        // The account's one recorder and one delivery channel are no run's own (A-40).
        Operation::DescribeConfigurationRecorders | Operation::DescribeConfigurationRecorderStatus => {
            no_names("ConfigurationRecorderNames")
        }
        Operation::DescribeDeliveryChannels => no_names("DeliveryChannelNames"),
        _ => false,
    }
}

