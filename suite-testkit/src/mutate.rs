//! Mutation operators over a target's answer, to measure the judge.
//!
//! The measurement (`suite/tests/mutation.rs`) and the `judge_answer` fuzz target run a
//! scenario once as it is ([`Recorder`]), then again with one answer replaced ([`Planter`],
//! through [`remediation_suite::runner::AnswerHook`]) by either
//!
//! * a [`WrongKind`]: an answer that breaks a MUST of every acceptable alternative (the judge
//!   must end the scenario FAIL or ERROR), or
//! * an [`AcceptableKind`]: a variant the model's data allows (the judge must not FAIL it).
//!
//! Whether a changed answer is really wrong is decided here from the model's data alone, never
//! by asking the judge: [`acceptable_under`] reads an answer against one alternative with the
//! outcome's levels (a code or message below MUST may differ), the operation's flexible fields
//! ([`reference_model::flexible_fields`]: generated ids of their [`IdFormat`], tokens, service
//! text, unordered lists, observed defaults, clock times and execution states, exact when the
//! clock is shared) and the service model's output shapes (an empty member may be left out, an
//! undeclared one added). A wrong plant is made only where the changed answer is acceptable
//! under no alternative, an acceptable one only where it is acceptable under one; a change
//! that leaves the answer as it was is no plant at all ([`NotPlanted`]).
//!
//! Identity of generated ids is read from the scenario's [`History`]: an id an earlier answer
//! gave must come back unchanged (R-DRC-01 returns what was stored; S-03, S-09). This assumes
//! the unchanged answers are the model's own, as the reference endpoint's are ([`plant`] checks
//! that the unchanged answer is acceptable first).

use remediation_suite::target::Observed;
use remediation_suite::profile::TargetProfile;
use remediation_suite::report::{ScenarioResult, StepKind, StepResult};
use remediation_suite::runner::AnswerHook;
use remediation_suite::target::{ControlError, Target, TransportError, WireRequest};
use reference_model::service_model::{ServiceModel, Shape};
use reference_model::{
    flexible_fields, handle, Alternative, Control, ErrorCode, FieldKind, IdFormat, Operation, Outcome, Reply,
    Timestamp, World,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// A wrong answer: it breaks a MUST of every alternative of the outcome (the judge's FAIL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WrongKind {
    /// An error code swapped for another code the operation declares (R-ERR-01..11; each
    /// operation's modelled errors, e.g. R-DelRC-02, R-SRE-05).
    ErrorCodeDeclared,
    /// An error code swapped for a model code the operation does not declare (M-10).
    ErrorCodeUndeclared,
    /// An error answered with HTTP 200 and the same body (success and error are always MUST).
    ErrorAnswered200,
    /// A success answered with HTTP 400 and the same body.
    SuccessAnswered400,
    /// A success answered with HTTP 500 and the same body.
    SuccessAnswered500,
    /// A success turned into an error (a code no alternative has).
    SuccessToError,
    /// An error turned into a success (`{}`, or an empty body without an output shape, M-09).
    ErrorToSuccess,
    /// A non-empty member the alternative requires left out (S-02: describe returns what was stored).
    MemberDropped,
    /// A stored value the caller sent (string, number or bool) changed (R-DRC-01, R-DRE-01).
    MemberChanged,
    /// A number changed (a limit, a count, a time on a shared clock).
    NumberChanged,
    /// An enum value swapped for another value of the same enum (ComplianceType, execution
    /// states, resource types; a one-value enum such as `SSM_DOCUMENT` has none).
    EnumSwapped,
    /// An item dropped from a list.
    ListItemDropped,
    /// An item of a list given twice.
    ListItemDuplicated,
    /// A generated id (an Arn, a rule id) not of its documented or observed format (S-03, S-09).
    IdMalformed,
    /// A generated id an earlier answer gave, replaced by another well-formed one (S-09).
    IdReplaced,
}

/// A variant the model's data allows: the judge may call it NON-STRICT, never FAIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AcceptableKind {
    /// An error's `message` reworded where the alternative's message level is below MUST
    /// (R-ERR-12: the wire message is unmodelled; A-01, A-29).
    MessageReworded,
    /// Service-written text (`FieldKind::ServiceText`) reworded (A-11, A-14, A-29).
    ServiceTextReworded,
    /// A list whose order is not documented (`FieldKind::Unordered`) in another order (A-27).
    UnorderedReordered,
    /// An empty list, empty structure or null member left out (S-02, S-04).
    EmptyMemberOmitted,
    /// A member the operation's output shape does not declare added (SDKs ignore it).
    UndeclaredMemberAdded,
    /// `__type` with the service's namespace (`com.amazonaws.starlingdove#Code`, S-01, S-12).
    TypeNamespaced,
    /// `Content-Type: application/x-amz-json-1.1` kept, with a charset parameter.
    ContentTypeCharset,
}

/// One kind of plant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Wrong(WrongKind),
    Acceptable(AcceptableKind),
}

impl WrongKind {
    pub const ALL: [WrongKind; 15] = [
        WrongKind::ErrorCodeDeclared,
        WrongKind::ErrorCodeUndeclared,
        WrongKind::ErrorAnswered200,
        WrongKind::SuccessAnswered400,
        WrongKind::SuccessAnswered500,
        WrongKind::SuccessToError,
        WrongKind::ErrorToSuccess,
        WrongKind::MemberDropped,
        WrongKind::MemberChanged,
        WrongKind::NumberChanged,
        WrongKind::EnumSwapped,
        WrongKind::ListItemDropped,
        WrongKind::ListItemDuplicated,
        WrongKind::IdMalformed,
        WrongKind::IdReplaced,
    ];

    pub fn name(self) -> &'static str {
        match self {
            WrongKind::ErrorCodeDeclared => "error code swapped (declared)",
            WrongKind::ErrorCodeUndeclared => "error code swapped (undeclared)",
            WrongKind::ErrorAnswered200 => "error answered 200",
            WrongKind::SuccessAnswered400 => "success answered 400",
            WrongKind::SuccessAnswered500 => "success answered 500",
            WrongKind::SuccessToError => "success turned into an error",
            WrongKind::ErrorToSuccess => "error turned into a success",
            WrongKind::MemberDropped => "member dropped",
            WrongKind::MemberChanged => "member changed",
            WrongKind::NumberChanged => "number changed",
            WrongKind::EnumSwapped => "enum value swapped",
            WrongKind::ListItemDropped => "list item dropped",
            WrongKind::ListItemDuplicated => "list item duplicated",
            WrongKind::IdMalformed => "identifier malformed",
            WrongKind::IdReplaced => "identifier replaced",
        }
    }
}

impl AcceptableKind {
    pub const ALL: [AcceptableKind; 7] = [
        AcceptableKind::MessageReworded,
        AcceptableKind::ServiceTextReworded,
        AcceptableKind::UnorderedReordered,
        AcceptableKind::EmptyMemberOmitted,
        AcceptableKind::UndeclaredMemberAdded,
        AcceptableKind::TypeNamespaced,
        AcceptableKind::ContentTypeCharset,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AcceptableKind::MessageReworded => "error message reworded",
            AcceptableKind::ServiceTextReworded => "service text reworded",
            AcceptableKind::UnorderedReordered => "unordered list reordered",
            AcceptableKind::EmptyMemberOmitted => "empty member left out",
            AcceptableKind::UndeclaredMemberAdded => "undeclared member added",
            AcceptableKind::TypeNamespaced => "__type namespaced",
            AcceptableKind::ContentTypeCharset => "content type with charset",
        }
    }
}

impl Kind {
    /// Every kind, wrong ones first.
    pub fn all() -> Vec<Kind> {
        WrongKind::ALL.iter().map(|k| Kind::Wrong(*k)).chain(AcceptableKind::ALL.iter().map(|k| Kind::Acceptable(*k))).collect()
    }

    pub fn is_wrong(self) -> bool {
        matches!(self, Kind::Wrong(_))
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Wrong(k) => k.name(),
            Kind::Acceptable(k) => k.name(),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scalar of a request, to recognise stored values the caller sent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scalar {
    Bool(bool),
    /// The bits of the number as `f64`, so `5` and `5.0` are one value.
    Number(u64),
    Text(String),
}

impl Scalar {
    fn of(v: &Value) -> Option<Scalar> {
        match v {
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Number(n) => n.as_f64().map(|f| Scalar::Number(f.to_bits())),
            Value::String(s) => Some(Scalar::Text(s.clone())),
            _ => None,
        }
    }
}

/// What a scenario showed before the planted answer: every scalar the caller sent so far (the
/// planted call's request included) and the generated ids earlier answers gave.
#[derive(Clone, Debug, Default)]
pub struct History {
    sent: BTreeSet<Scalar>,
    ids: BTreeSet<String>,
}

impl History {
    /// Adds every scalar of a request body.
    pub fn record_request(&mut self, body: &Value) {
        for (_, v) in nodes(body) {
            if let Some(s) = Scalar::of(v) {
                self.sent.insert(s);
            }
        }
    }

    /// Adds the generated ids of an answer (the members `flexible_fields(op)` marks
    /// `GeneratedId`).
    pub fn record_answer(&mut self, op: Operation, observed: &Observed) {
        let Reading::Success(body) = read(observed) else { return };
        for (path, v) in nodes(&body) {
            if let (Some(FieldKind::GeneratedId(_)), Some(s)) = (flex_at(op, &path), v.as_str()) {
                self.ids.insert(s.to_owned());
            }
        }
    }

    /// True when the caller sent this scalar.
    pub fn sent(&self, v: &Value) -> bool {
        Scalar::of(v).is_some_and(|s| self.sent.contains(&s))
    }

    /// True when an earlier answer gave this generated id.
    pub fn seen_id(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
}

/// What a mutation needs to know of the call it changes: the model's outcome (every acceptable
/// alternative, with its levels) and the scenario so far.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub op: Operation,
    pub outcome: &'a Outcome,
    /// True when the runner sets the target's clock: clock times and execution states are then
    /// exact (`FieldKind::ClockTime`, `ExecutionState`, `ExecutionSteps`).
    pub clock_shared: bool,
    pub history: &'a History,
}

/// A planted answer.
#[derive(Clone, Debug)]
pub struct Plant {
    pub kind: Kind,
    /// What was changed where, for the report (`RemediationConfigurations/0/TargetId`, …).
    pub site: String,
    pub observed: Observed,
}

/// Why a kind is not planted into an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotPlanted {
    /// Nothing of this kind in the answer (an error kind on a success, no list, no id, …).
    NoSite,
    /// Every change of this kind leaves the answer as it was (a list of equal items reordered).
    NoOp,
    /// Every change of this wrong kind is acceptable under an alternative (its index).
    AcceptableAnyway(usize),
    /// The variant breaks a MUST of every alternative (an acceptable kind that does not fit).
    NotAcceptable,
    /// The unchanged answer is not acceptable under any alternative: it is not the model's.
    BaseNotAcceptable,
}

impl fmt::Display for NotPlanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotPlanted::NoSite => f.write_str("nothing of this kind in the answer"),
            NotPlanted::NoOp => f.write_str("every such change leaves the answer as it was"),
            NotPlanted::AcceptableAnyway(i) => write!(f, "every such change is acceptable under alternative {i}"),
            NotPlanted::NotAcceptable => f.write_str("the variant breaks a MUST of every alternative"),
            NotPlanted::BaseNotAcceptable => f.write_str("the unchanged answer is acceptable under no alternative"),
        }
    }
}

impl std::error::Error for NotPlanted {}

/// Plants `kind` into `base`. Where the kind has several sites (members, lists, codes) the
/// sites are tried in turn from `choice` (modulo their number) until one gives a wrong answer
/// (for a [`WrongKind`]) or an acceptable one (for an [`AcceptableKind`]).
pub fn plant(kind: Kind, ctx: &Context<'_>, base: &Observed, choice: usize) -> Result<Plant, NotPlanted> {
    let reading = read(base);
    if acceptable(ctx, base).is_none() {
        return Err(NotPlanted::BaseNotAcceptable);
    }
    let candidates = candidates(kind, ctx, base, &reading);
    let success_body = match &reading {
        Reading::Success(body) => Some(body),
        _ => None,
    };
    if candidates.is_empty() {
        return Err(NotPlanted::NoSite);
    }
    let mut refusal = NotPlanted::NoOp;
    let n = candidates.len();
    for i in 0..n {
        let (site, change) = &candidates[(choice % n + i) % n];
        let Some(observed) = change.apply(base, success_body) else { continue };
        if same_answer(base, &observed) {
            continue;
        }
        match (kind.is_wrong(), acceptable(ctx, &observed)) {
            (true, None) | (false, Some(_)) => {
                return Ok(Plant { kind, site: site.clone(), observed });
            }
            (true, Some(a)) => {
                if !matches!(refusal, NotPlanted::AcceptableAnyway(_)) {
                    refusal = NotPlanted::AcceptableAnyway(a);
                }
            }
            (false, None) => refusal = NotPlanted::NotAcceptable,
        }
    }
    Err(refusal)
}

/// True when two answers are the same in status, headers and body (as JSON where it is JSON).
fn same_answer(a: &Observed, b: &Observed) -> bool {
    let body = |o: &Observed| serde_json::from_slice::<Value>(&o.body).ok();
    let bodies = match (body(a), body(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.body == b.body,
    };
    a.status == b.status && a.headers == b.headers && bodies
}

/// An answer as this module reads it, independently of the judge: AWS JSON 1.1 (S-01, S-12:
/// the type is `__type` after its last `#`, or `X-Amzn-ErrorType`).
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// 2xx; an empty body is `null`.
    Success(Value),
    /// 3xx/4xx with an error type (`__type` without its namespace, or `X-Amzn-ErrorType`).
    Failure { code: String, message: Option<String> },
    /// 5xx, a body that is not JSON, an error without a type: no answer the model gives.
    Unreadable,
}

/// Reads an answer's status, `__type`, `message` and body.
pub fn read(observed: &Observed) -> Reading {
    let text_empty = observed.body.iter().all(u8::is_ascii_whitespace);
    let body = if text_empty { Some(Value::Null) } else { serde_json::from_slice::<Value>(&observed.body).ok() };
    match observed.status {
        200..=299 => body.map_or(Reading::Unreadable, Reading::Success),
        300..=499 => {
            let from_body = body.as_ref().and_then(|b| b.get("__type")).and_then(Value::as_str).map(str::to_owned);
            let from_header = observed.header("x-amzn-errortype").map(|h| h.split(':').next().unwrap_or(h).to_owned());
            match from_body.or(from_header) {
                Some(t) => Reading::Failure {
                    code: t.rsplit('#').next().unwrap_or(&t).to_owned(),
                    message: body
                        .as_ref()
                        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                None => Reading::Unreadable,
            }
        }
        _ => Reading::Unreadable,
    }
}

/// The first alternative of the outcome the answer is acceptable under, by the model's data.
pub fn acceptable(ctx: &Context<'_>, observed: &Observed) -> Option<usize> {
    let reading = read(observed);
    ctx.outcome.alternatives.iter().position(|a| acceptable_under(ctx, a, &reading))
}

/// True when the answer differs from the alternative only where the model's data allows: a code
/// or message whose level is below MUST (A-01, A-02, R-ERR-12), a flexible member within its
/// kind, an empty member left out (S-02, S-04), a member the output shape does not declare, an
/// empty body for `{}` (S-07).
pub fn acceptable_under(ctx: &Context<'_>, alternative: &Alternative, reading: &Reading) -> bool {
    match (&alternative.reply, reading) {
        (Reply::Success(e), Reading::Success(a)) => match (e, a) {
            (Value::Null, Value::Null) => true,
            // No output shape: `{}` and an empty body are one answer (S-07).
            (Value::Null, Value::Object(o)) | (Value::Object(o), Value::Null) => o.is_empty(),
            _ => Comparison { ctx }.same(e, a, &mut Vec::new()),
        },
        // The service's own words are never MUST (issue 8, item 2): only the code counts. A
        // code may differ only within the pairs the real service varies between (A-01, A-02).
        (Reply::Failure(e), Reading::Failure { code, .. }) => code == e.code.as_str() || varies(e.code, code),
        _ => false,
    }
}

/// The codes the real service answers interchangeably for one kind of mistake (A-01, A-02).
fn varies(expected: ErrorCode, actual: &str) -> bool {
    const PAIRS: [(ErrorCode, ErrorCode); 2] = [
        (ErrorCode::ValidationException, ErrorCode::InvalidParameterValueException),
        (ErrorCode::SerializationException, ErrorCode::ValidationException),
    ];
    PAIRS.iter().any(|(a, b)| (*a == expected && b.as_str() == actual) || (*b == expected && a.as_str() == actual))
}

struct Comparison<'c, 'a> {
    ctx: &'c Context<'a>,
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

const EXECUTION_STATES: [&str; 5] = ["QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "UNKNOWN"];

impl Comparison<'_, '_> {
    fn same(&self, e: &Value, a: &Value, path: &mut Vec<String>) -> bool {
        let shared = self.ctx.clock_shared;
        match flex_at(self.ctx.op, path) {
            Some(FieldKind::GeneratedId(format)) => return self.same_id(format, e, a),
            Some(FieldKind::OpaqueToken) => return a.as_str().is_some_and(|s| !s.is_empty()),
            // Never MUST by construction (`FieldKind::ServiceText`); the level is the judge's.
            Some(FieldKind::ServiceText(_)) => {
                return (e.is_string() && a.is_string()) || e == a;
            }
            Some(FieldKind::ClockTime) if !shared => return a.as_f64().is_some_and(|t| t >= 0.0),
            Some(FieldKind::ExecutionState) if !shared => {
                return a.as_str().is_some_and(|s| EXECUTION_STATES.contains(&s));
            }
            // The shape of the steps, from the service model (R-DRES-09).
            Some(FieldKind::ExecutionSteps) if !shared => return remediation_suite::judge::execution::check_steps(a).is_empty(),
            Some(FieldKind::Unordered) => {
                if let (Value::Array(ea), Value::Array(aa)) = (e, a) {
                    return self.same_items_any_order(ea, aa, path);
                }
            }
            _ => {}
        }
        match (e, a) {
            (Value::Object(eo), Value::Object(ao)) => {
                for (key, ev) in eo {
                    path.push(key.clone());
                    let ok = match ao.get(key) {
                        Some(av) => self.same(ev, av, path),
                        // An empty member may be left out; so may a default the service was seen
                        // to fill in (S-09, `ObservedDefault`).
                        None => {
                            is_empty_value(ev)
                                || matches!(flex_at(self.ctx.op, path), Some(FieldKind::ObservedDefault(d))
                                    if serde_json::from_str::<Value>(d).is_ok_and(|d| d == *ev))
                        }
                    };
                    path.pop();
                    if !ok {
                        return false;
                    }
                }
                ao.iter().all(|(key, av)| eo.contains_key(key) || is_empty_value(av) || !declared(self.ctx.op, path, key))
            }
            (Value::Array(ea), Value::Array(aa)) => {
                ea.len() == aa.len()
                    && ea.iter().zip(aa).enumerate().all(|(i, (ev, av))| {
                        path.push(i.to_string());
                        let ok = self.same(ev, av, path);
                        path.pop();
                        ok
                    })
            }
            (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
                _ => false,
            },
            _ => e == a,
        }
    }

    /// A generated id: any value of its format, but one an earlier answer gave must come back
    /// unchanged, and must not stand for another.
    fn same_id(&self, format: IdFormat, e: &Value, a: &Value) -> bool {
        let (Some(e), Some(a)) = (e.as_str(), a.as_str()) else { return e == a };
        if !well_formed(format, a) {
            return false;
        }
        if self.ctx.history.seen_id(e) || self.ctx.history.seen_id(a) {
            return a == e;
        }
        true
    }

    /// Lists whose order is not documented: a one-to-one pairing of equal items.
    fn same_items_any_order(&self, e: &[Value], a: &[Value], path: &mut Vec<String>) -> bool {
        if e.len() != a.len() {
            return false;
        }
        let pair = |i: usize, j: usize, path: &mut Vec<String>| {
            path.push(i.to_string());
            let ok = self.same(&e[i], &a[j], path);
            path.pop();
            ok
        };
        if (0..e.len()).all(|i| pair(i, i, path)) {
            return true;
        }
        let fits: Vec<Vec<bool>> = (0..e.len()).map(|i| (0..a.len()).map(|j| pair(i, j, path)).collect()).collect();
        perfect_matching(&fits)
    }
}

/// True when every row can be paired with a distinct column it fits (Kuhn's algorithm).
fn perfect_matching(fits: &[Vec<bool>]) -> bool {
    fn augment(i: usize, fits: &[Vec<bool>], seen: &mut [bool], owner: &mut [Option<usize>]) -> bool {
        for j in 0..seen.len() {
            if fits[i][j] && !seen[j] {
                seen[j] = true;
                if owner[j].is_none_or(|k| augment(k, fits, seen, owner)) {
                    owner[j] = Some(i);
                    return true;
                }
            }
        }
        false
    }
    let mut owner = vec![None; fits.len()];
    (0..fits.len()).all(|i| augment(i, fits, &mut vec![false; fits.len()], &mut owner))
}

/// The documented or observed format of a generated id (`IdFormat`, S-03, S-09).
pub fn well_formed(format: IdFormat, id: &str) -> bool {
    let arn = |resource: &dyn Fn(&str) -> bool| {
        let parts: Vec<&str> = id.splitn(6, ':').collect();
        parts.len() == 6
            && parts[0] == "arn"
            && !parts[1].is_empty()
            && parts[2] == "config"
            && !parts[3].is_empty()
            && !parts[4].is_empty()
            && resource(parts[5])
    };
    match format {
        IdFormat::RemediationConfigurationArn => arn(&|r| {
            r.strip_prefix("remediation-configuration/")
                .and_then(|rest| rest.rsplit_once('/'))
                .is_some_and(|(rule, id)| !rule.is_empty() && !id.is_empty())
        }),
        // What follows `config-rule/` is observed (SHOULD), so only its presence is a must.
        IdFormat::ConfigRuleArn => arn(&|r| r.strip_prefix("config-rule/").is_some_and(|id| !id.is_empty() && !id.contains('/'))),
        IdFormat::ConfigRuleId => !id.trim().is_empty(),
        IdFormat::Opaque => !id.is_empty(),
    }
}

/// The id made malformed: an Arn without `arn:`, a rule id without `config-rule-`, an opaque id empty.
fn malformed(format: IdFormat, id: &str) -> String {
    match format {
        IdFormat::RemediationConfigurationArn | IdFormat::ConfigRuleArn => {
            id.strip_prefix("arn:").map_or_else(|| format!("not-an-arn/{id}"), str::to_owned)
        }
        IdFormat::ConfigRuleId => String::new(),
        IdFormat::Opaque => String::new(),
    }
}

/// Another well-formed id of the same format: the last character changed.
fn other_id(id: &str) -> String {
    let mut chars: Vec<char> = id.chars().collect();
    match chars.last_mut() {
        Some(c) => *c = if *c == 'a' { 'b' } else { 'a' },
        None => chars.push('a'),
    }
    chars.into_iter().collect()
}

/// The flexible kind of the member at `path` (list indexes match `*`).
fn flex_at(op: Operation, path: &[String]) -> Option<FieldKind> {
    flexible_fields(op)
        .iter()
        .find(|f| {
            let parts: Vec<&str> = f.path.split('/').collect();
            parts.len() == path.len()
                && parts.iter().zip(path).all(|(p, s)| *p == s || (*p == "*" && s.parse::<usize>().is_ok()))
        })
        .map(|f| f.kind)
}

/// The service-model shape of the output member at `path`, if the output shape declares it.
fn shape_at(op: Operation, path: &[String]) -> Option<&'static Shape> {
    let model = ServiceModel::get();
    let mut name = model.operations.get(op.name())?.output.as_deref()?;
    for segment in path {
        name = match model.shapes.get(name)? {
            Shape::Structure { members, .. } => members.iter().find(|(m, _)| m == segment).map(|(_, s)| s.as_str())?,
            Shape::List { member, .. } if segment.parse::<usize>().is_ok() => member.as_str(),
            Shape::Map { value, .. } => value.as_str(),
            _ => return None,
        };
    }
    model.shapes.get(name)
}

/// True when a member `key` of the object at `path` is one the output shape has: a member of
/// a structure, or any entry of a map (a map's entries are data, not extra members).
fn declared(op: Operation, path: &[String], key: &str) -> bool {
    match shape_at(op, path) {
        Some(Shape::Structure { members, .. }) => members.iter().any(|(m, _)| m == key),
        Some(Shape::Map { .. }) => true,
        _ => false,
    }
}

/// The values of the enum at `path`, when its shape is an enum.
fn enum_values(op: Operation, path: &[String]) -> Option<&'static [String]> {
    match shape_at(op, path)? {
        Shape::String { enumeration: Some(values), .. } => Some(values.as_slice()),
        _ => None,
    }
}

/// Every node of a JSON value with its path, the root first.
fn nodes(v: &Value) -> Vec<(Vec<String>, &Value)> {
    fn walk<'v>(v: &'v Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'v Value)>) {
        out.push((path.clone(), v));
        match v {
            Value::Object(o) => {
                for (k, child) in o {
                    path.push(k.clone());
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    path.push(i.to_string());
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'v>(v: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |node, segment| match node {
        Value::Object(o) => o.get_mut(segment),
        Value::Array(a) => segment.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}



fn show_path(path: &[String]) -> String {
    if path.is_empty() {
        "body".to_owned()
    } else {
        path.join("/")
    }
}

fn set_header(observed: &mut Observed, name: &str, value: Option<&str>) {
    observed.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    if let Some(v) = value {
        observed.headers.push((name.to_owned(), v.to_owned()));
    }
}

fn with_body(base: &Observed, body: &Value) -> Observed {
    let mut o = base.clone();
    o.body = if body.is_null() { Vec::new() } else { serde_json::to_vec(body).unwrap_or_default() };
    o
}

fn with_status(base: &Observed, status: u16) -> Observed {
    let mut o = base.clone();
    o.status = status;
    o
}

/// An error answer with `code` as `__type` (and `X-Amzn-ErrorType`), other members kept.
fn with_error_code(base: &Observed, code: &str, message: Option<&str>) -> Observed {
    let mut body = match serde_json::from_slice::<Value>(&base.body) {
        Ok(Value::Object(o)) => o,
        _ => Map::new(),
    };
    body.insert("__type".into(), Value::String(code.to_owned()));
    if let Some(m) = message {
        body.insert("message".into(), Value::String(m.to_owned()));
    }
    let mut o = with_body(base, &Value::Object(body));
    set_header(&mut o, "x-amzn-errortype", Some(code));
    o
}

/// Codes every operation may answer without declaring them (S-01, S-12, A-02).
const COMMON_CODES: [ErrorCode; 6] = [
    ErrorCode::ValidationException,
    ErrorCode::SerializationException,
    ErrorCode::UnknownOperationException,
    ErrorCode::MissingAction,
    ErrorCode::InternalFailure,
    ErrorCode::RequestEntityTooLargeException,
];

fn declared_codes(op: Operation) -> Vec<String> {
    ServiceModel::get().operations.get(op.name()).map(|o| o.errors.clone()).unwrap_or_default()
}

fn undeclared_codes(op: Operation) -> Vec<String> {
    let declared = declared_codes(op);
    ErrorCode::ALL
        .iter()
        .filter(|c| !COMMON_CODES.contains(c) && !declared.iter().any(|d| d == c.as_str()))
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// What a reworded text gets appended.
pub const REWORDED: &str = " (reworded by the mutation harness)";

/// A member name no output shape declares.
pub const UNDECLARED_MEMBER: &str = "PlantedUndeclaredMember";

/// One way of planting a kind, made into an answer only when it is tried ([`Change::apply`]):
/// a big body has hundreds of sites, and copying it for each would cost more than the runs.
enum Change {
    /// A whole answer (status and error kinds: few per answer).
    Answer(Observed),
    /// One edit of the success body at a path.
    Body(Vec<String>, Edit),
}

/// An edit of the node at a path.
enum Edit {
    /// The member removed from its object.
    Remove,
    Replace(Value),
    DropLast,
    DuplicateFirst,
    Reverse,
    /// A member added to the object.
    Insert(&'static str, Value),
}

impl Change {
    fn apply(&self, base: &Observed, body: Option<&Value>) -> Option<Observed> {
        match self {
            Change::Answer(o) => Some(o.clone()),
            Change::Body(path, edit) => {
                let mut copy = body?.clone();
                match edit {
                    Edit::Remove => {
                        let (key, parent) = path.split_last()?;
                        node_mut(&mut copy, parent)?.as_object_mut()?.shift_remove(key)?;
                    }
                    Edit::Replace(v) => *node_mut(&mut copy, path)? = v.clone(),
                    Edit::DropLast => {
                        node_mut(&mut copy, path)?.as_array_mut()?.pop()?;
                    }
                    Edit::DuplicateFirst => {
                        let items = node_mut(&mut copy, path)?.as_array_mut()?;
                        let first = items.first()?.clone();
                        items.insert(1, first);
                    }
                    Edit::Reverse => node_mut(&mut copy, path)?.as_array_mut()?.reverse(),
                    Edit::Insert(key, v) => {
                        node_mut(&mut copy, path)?.as_object_mut()?.insert((*key).to_owned(), v.clone());
                    }
                }
                Some(with_body(base, &copy))
            }
        }
    }
}

/// Every way of planting `kind` into `base`, each with its site.
fn candidates(kind: Kind, ctx: &Context<'_>, base: &Observed, reading: &Reading) -> Vec<(String, Change)> {
    let op = ctx.op;
    let has_output = ServiceModel::get().operations.get(op.name()).is_some_and(|o| o.output.is_some());
    let mut out: Vec<(String, Change)> = Vec::new();
    let mut answer = |site: String, o: Observed| out.push((site, Change::Answer(o)));
    match (kind, reading) {
        (Kind::Wrong(WrongKind::ErrorCodeDeclared), Reading::Failure { code, .. }) => {
            for c in declared_codes(op).into_iter().filter(|c| c != code) {
                answer(format!("__type {code} → {c}"), with_error_code(base, &c, None));
            }
        }
        (Kind::Wrong(WrongKind::ErrorCodeUndeclared), Reading::Failure { code, .. }) => {
            for c in undeclared_codes(op).into_iter().filter(|c| c != code) {
                answer(format!("__type {code} → {c}"), with_error_code(base, &c, None));
            }
        }
        (Kind::Wrong(WrongKind::ErrorAnswered200), Reading::Failure { .. }) => {
            answer("status → 200".into(), with_status(base, 200));
        }
        (Kind::Wrong(WrongKind::ErrorToSuccess), Reading::Failure { .. }) => {
            let mut o = with_body(&with_status(base, 200), &if has_output { json!({}) } else { Value::Null });
            set_header(&mut o, "x-amzn-errortype", None);
            answer("error → 200 {}".into(), o);
        }
        (Kind::Wrong(WrongKind::SuccessAnswered400), Reading::Success(_)) => {
            answer("status → 400".into(), with_status(base, 400));
        }
        (Kind::Wrong(WrongKind::SuccessAnswered500), Reading::Success(_)) => {
            answer("status → 500".into(), with_status(base, 500));
        }
        (Kind::Wrong(WrongKind::SuccessToError), Reading::Success(_)) => {
            let error = with_body(&with_status(base, 400), &Value::Null);
            for c in declared_codes(op).into_iter().chain(undeclared_codes(op)) {
                answer(format!("success → 400 {c}"), with_error_code(&error, &c, Some("An error planted by the mutation harness.")));
            }
        }
        (Kind::Acceptable(AcceptableKind::MessageReworded), Reading::Failure { message: Some(m), .. }) if !m.is_empty() => {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&base.body) {
                let key = if body.get("message").is_some() { "message" } else { "Message" };
                body[key] = Value::String(format!("{m}{REWORDED}"));
                answer(format!("{key} reworded"), with_body(base, &body));
            }
        }
        (Kind::Acceptable(AcceptableKind::TypeNamespaced), Reading::Failure { code, .. }) => {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&base.body) {
                if body.get("__type").is_some() {
                    body["__type"] = Value::String(format!("com.amazonaws.starlingdove#{code}"));
                    answer("__type namespaced".into(), with_body(base, &body));
                }
            }
        }
        (Kind::Acceptable(AcceptableKind::ContentTypeCharset), Reading::Success(_) | Reading::Failure { .. })
            if base.header("content-type").is_some_and(|c| c.starts_with("application/x-amz-json-1.1")) =>
        {
            let mut o = base.clone();
            set_header(&mut o, "content-type", Some("application/x-amz-json-1.1; charset=utf-8"));
            answer("content-type with charset".into(), o);
        }
        (_, Reading::Success(body)) => {
            out = body_sites(kind, ctx, body, has_output).into_iter().map(|(path, edit, site)| (site, Change::Body(path, edit))).collect();
        }
        _ => {}
    }
    out
}

/// Body mutations: the path and edit of each site, with what it changes.
fn body_sites(kind: Kind, ctx: &Context<'_>, body: &Value, has_output: bool) -> Vec<(Vec<String>, Edit, String)> {
    let op = ctx.op;
    let shared = ctx.clock_shared;
    let mut out = Vec::new();
    let parent_is_object = |path: &[String]| {
        path.split_last().is_some_and(|(_, parent)| node_at(body, parent).is_some_and(Value::is_object))
    };
    for (path, v) in nodes(body) {
        let flex = flex_at(op, &path);
        let exact = match flex {
            None | Some(FieldKind::ObservedDefault(_) | FieldKind::Unordered) => true,
            Some(FieldKind::ClockTime | FieldKind::ExecutionState | FieldKind::ExecutionSteps) => shared,
            Some(FieldKind::GeneratedId(_) | FieldKind::OpaqueToken | FieldKind::ServiceText(_)) => false,
        };
        let site = show_path(&path);
        let replace = |new: Value, label: String| Some((Edit::Replace(new), label));
        let edit: Option<(Edit, String)> = match kind {
            Kind::Wrong(WrongKind::MemberDropped) if parent_is_object(&path) && !is_empty_value(v) => {
                Some((Edit::Remove, format!("{site} dropped")))
            }
            Kind::Acceptable(AcceptableKind::EmptyMemberOmitted) if parent_is_object(&path) && is_empty_value(v) => {
                Some((Edit::Remove, format!("{site} ({v}) left out")))
            }
            Kind::Wrong(WrongKind::MemberChanged)
                if exact && enum_values(op, &path).is_none() && !v.is_null() && Scalar::of(v).is_some() && ctx.history.sent(v) =>
            {
                let new = match v {
                    Value::Bool(b) => Value::Bool(!b),
                    Value::Number(_) => bumped(v),
                    Value::String(s) => Value::String(other_id(s)),
                    other => other.clone(),
                };
                let label = format!("{site}: {v} → {new}");
                replace(new, label)
            }
            Kind::Wrong(WrongKind::NumberChanged) if exact && v.is_number() => {
                let new = bumped(v);
                let label = format!("{site}: {v} → {new}");
                replace(new, label)
            }
            Kind::Wrong(WrongKind::EnumSwapped) if exact => match (v.as_str(), enum_values(op, &path)) {
                (Some(s), Some(values)) if values.len() > 1 => values.iter().position(|x| x == s).and_then(|i| {
                    let new = Value::String(values[(i + 1) % values.len()].clone());
                    let label = format!("{site}: {v} → {new}");
                    replace(new, label)
                }),
                _ => None,
            },
            Kind::Wrong(WrongKind::ListItemDropped) => match v.as_array() {
                Some(items) if !items.is_empty() => {
                    Some((Edit::DropLast, format!("{site}: item {} of {} dropped", items.len() - 1, items.len())))
                }
                _ => None,
            },
            Kind::Wrong(WrongKind::ListItemDuplicated) => match v.as_array() {
                Some(items) if !items.is_empty() => Some((Edit::DuplicateFirst, format!("{site}: item 0 given twice"))),
                _ => None,
            },
            Kind::Wrong(WrongKind::IdMalformed) => match (flex, v.as_str()) {
                (Some(FieldKind::GeneratedId(format)), Some(id)) => {
                    let new = Value::String(malformed(format, id));
                    let label = format!("{site}: {v} → {new}");
                    replace(new, label)
                }
                _ => None,
            },
            Kind::Wrong(WrongKind::IdReplaced) => match (flex, v.as_str()) {
                (Some(FieldKind::GeneratedId(_)), Some(id)) if ctx.history.seen_id(id) => {
                    let new = Value::String(other_id(id));
                    let label = format!("{site}: {v} → {new} (seen earlier)");
                    replace(new, label)
                }
                _ => None,
            },
            Kind::Acceptable(AcceptableKind::ServiceTextReworded) => match (flex, v.as_str()) {
                (Some(FieldKind::ServiceText(_)), Some(text)) => replace(Value::String(format!("{text}{REWORDED}")), format!("{site} reworded")),
                _ => None,
            },
            Kind::Acceptable(AcceptableKind::UnorderedReordered) => match (flex, v.as_array()) {
                (Some(FieldKind::Unordered), Some(items)) if items.len() > 1 => {
                    Some((Edit::Reverse, format!("{site}: {} items reversed", items.len())))
                }
                _ => None,
            },
            Kind::Acceptable(AcceptableKind::UndeclaredMemberAdded) if has_output && v.is_object() => match shape_at(op, &path) {
                Some(Shape::Structure { members, .. }) if !members.iter().any(|(m, _)| m == UNDECLARED_MEMBER) => Some((
                    Edit::Insert(UNDECLARED_MEMBER, Value::String("extra".into())),
                    format!("{}{UNDECLARED_MEMBER} added", if path.is_empty() { String::new() } else { format!("{site}/") }),
                )),
                _ => None,
            },
            _ => None,
        };
        if let Some((edit, label)) = edit {
            out.push((path, edit, label));
        }
    }
    out
}

fn node_at<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |node, segment| match node {
        Value::Object(o) => o.get(segment),
        Value::Array(a) => segment.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// A number one more (integers stay integers).
fn bumped(v: &Value) -> Value {
    if let Some(i) = v.as_i64() {
        json!(i.saturating_add(1))
    } else if let Some(u) = v.as_u64() {
        json!(u.saturating_add(1))
    } else {
        json!(v.as_f64().unwrap_or(0.0) + 1.0)
    }
}




/// The model's reply as the reference endpoint puts it on the wire (`server::protocol`):
/// 200 with the JSON body (an empty body for `null`, S-07), or the code's status with
/// `{"__type", "message"}` (no `message` when the text is empty, S-12) and `X-Amzn-ErrorType`.
pub fn wire_answer(reply: &Reply, request_id: u64) -> Observed {
    let mut headers = vec![
        ("content-type".to_owned(), "application/x-amz-json-1.1".to_owned()),
        ("x-amzn-requestid".to_owned(), format!("model-{request_id}")),
    ];
    let (status, body) = match reply {
        Reply::Success(Value::Null) => (200, Vec::new()),
        Reply::Success(v) => (200, serde_json::to_vec(v).unwrap_or_default()),
        Reply::Failure(e) => {
            let mut body = Map::new();
            body.insert("__type".into(), Value::String(e.code.as_str().into()));
            if !e.message.is_empty() {
                body.insert("message".into(), Value::String(e.message.clone()));
            }
            headers.push(("x-amzn-errortype".to_owned(), e.code.as_str().to_owned()));
            (e.code.http_status(), serde_json::to_vec(&body).unwrap_or_default())
        }
    };
    Observed { status, headers, body }
}

/// One API call of a recorded run.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    pub op: Operation,
    pub outcome: Outcome,
    pub observed: Observed,
}

/// Records every answer of a run, unchanged.
#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<RecordedCall>>,
}

impl Recorder {
    pub fn new() -> Self {
        Recorder::default()
    }
    /// The calls recorded, in order.
    pub fn into_calls(self) -> Vec<RecordedCall> {
        self.calls.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl AnswerHook for Recorder {
    fn answer(&self, call: usize, op: Operation, outcome: &Outcome, observed: Observed) -> Observed {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        debug_assert_eq!(calls.len(), call, "calls are counted from 0 without gaps");
        calls.push(RecordedCall { op, outcome: outcome.clone(), observed: observed.clone() });
        observed
    }
}

/// The result steps of the calls that were answered, in call order (what
/// [`AnswerHook::answer`] counts): `steps[i]` is the step of call `i`.
pub fn call_steps(result: &ScenarioResult) -> Vec<&StepResult> {
    result.steps.iter().filter(|s| s.kind == StepKind::Call && s.status.is_some()).collect()
}

/// The history before each call's answer: the requests of every step up to that call (calls
/// and control actions: a resource id set through the control API was sent by the caller
/// too), the ids of the answers before it. `None` when the result's steps do not match the
/// calls.
pub fn histories(result: &ScenarioResult, calls: &[RecordedCall]) -> Option<Vec<History>> {
    if call_steps(result).len() != calls.len() {
        return None;
    }
    let mut history = History::default();
    let mut out = Vec::with_capacity(calls.len());
    let mut calls = calls.iter();
    for step in &result.steps {
        if let Some(request) = &step.request {
            history.record_request(request);
        }
        if step.kind == StepKind::Call && step.status.is_some() {
            let call = calls.next()?;
            out.push(history.clone());
            history.record_answer(call.op, &call.observed);
        }
    }
    Some(out)
}

/// Replaces the answer of one call with a planted one; every other answer goes through.
pub struct Planter {
    call: usize,
    planted: Observed,
    /// The answer the plant was made from: the live answer must be the same.
    base: Observed,
    drifted: AtomicBool,
}

impl Planter {
    pub fn new(call: usize, base: Observed, planted: Observed) -> Self {
        Planter { call, planted, base, drifted: AtomicBool::new(false) }
    }
    /// True when the live answer at the planted call differed from the recorded one (status or
    /// body): the target is not deterministic and the plant may not be what was checked.
    pub fn drifted(&self) -> bool {
        self.drifted.load(Ordering::SeqCst)
    }
}

impl AnswerHook for Planter {
    fn answer(&self, call: usize, _op: Operation, _outcome: &Outcome, observed: Observed) -> Observed {
        if call != self.call {
            return observed;
        }
        let body = |o: &Observed| serde_json::from_slice::<Value>(&o.body).ok();
        if observed.status != self.base.status || body(&observed) != body(&self.base) {
            self.drifted.store(true, Ordering::SeqCst);
        }
        self.planted.clone()
    }
}

/// The reference model as an in-process target: the preferred reply of every outcome, put on
/// the wire as the reference endpoint does ([`wire_answer`]), with the control API, a virtual
/// clock and reset. For fuzzing the judge without HTTP.
pub struct ModelTarget {
    profile: TargetProfile,
    state: Mutex<(World, Timestamp)>,
    request_ids: AtomicU64,
    /// Answer with the last acceptable alternative instead of the preferred one: an
    /// implementation that takes every other option the documentation leaves open.
    last_choice: bool,
}

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

impl Default for ModelTarget {
    fn default() -> Self {
        ModelTarget::new()
    }
}

impl ModelTarget {
    pub fn new() -> Self {
        let now = Timestamp::EPOCH_2026;
        ModelTarget {
            profile: TargetProfile::builtin("reference").expect("the reference profile is built in"),
            state: Mutex::new((World::new(ACCOUNT, REGION, now), now)),
            request_ids: AtomicU64::new(0),
            last_choice: false,
        }
    }

    /// The model, answering every request with the last alternative its outcome accepts (and
    /// keeping the state that alternative leaves): a faithful implementation that chose
    /// differently wherever the documentation leaves room.
    pub fn choosing_last() -> Self {
        ModelTarget { last_choice: true, ..ModelTarget::new() }
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut World, &mut Timestamp) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (world, now) = &mut *guard;
        f(world, now)
    }
}

impl Target for ModelTarget {
    fn profile(&self) -> &TargetProfile {
        &self.profile
    }

    async fn call(&self, request: &WireRequest) -> Result<Observed, TransportError> {
        let id = self.request_ids.fetch_add(1, Ordering::SeqCst);
        let op = request.target_header.as_deref().and_then(Operation::from_target);
        let reply = match op {
            Some(op) => self.with_state(|world, now| {
                let outcome = handle(world, op, &request.body, *now);
                if !self.last_choice {
                    return outcome.preferred().reply.clone();
                }
                let last = outcome.alternatives.last().expect("an outcome has an alternative");
                if let Some(state) = &last.world {
                    *world = (**state).clone();
                }
                last.reply.clone()
            }),
            // Bare, as the reference endpoint answers (S-12).
            None => Reply::Failure(reference_model::ApiError::new(ErrorCode::UnknownOperationException, "")),
        };
        Ok(wire_answer(&reply, id))
    }

    async fn control(&self, action: &Control) -> Result<Value, ControlError> {
        let answer = self.with_state(|world, now| world.control(action, *now));
        match &answer.error {
            Some(e) => Err(ControlError::Refused(e.to_string())),
            None => serde_json::to_value(&answer).map_err(|e| ControlError::Invalid(e.to_string())),
        }
    }

    async fn set_clock(&self, epoch_seconds: f64) -> Result<(), ControlError> {
        let to = Timestamp::from_seconds_f64(epoch_seconds).ok_or_else(|| ControlError::Invalid(format!("not a time: {epoch_seconds}")))?;
        self.with_state(|world, now| {
            if to < *now {
                return Err(ControlError::Invalid(format!("the clock cannot go back from {now} to {to}")));
            }
            *now = to;
            world.advance_to(to);
            Ok(())
        })
    }

    async fn reset(&self) -> Result<(), ControlError> {
        self.with_state(|world, now| {
            *now = Timestamp::EPOCH_2026;
            *world = World::new(ACCOUNT, REGION, *now);
        });
        Ok(())
    }

    fn reproduction(&self, _request: &WireRequest) -> String {
        "(the in-process model target)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reference_model::{ApiError, Level};
    use rstest::rstest;

    fn ok(body: Value) -> Alternative {
        Alternative::success(body)
    }

    fn history() -> History {
        History::default()
    }

    fn base_for(outcome: &Outcome) -> Observed {
        wire_answer(&outcome.preferred().reply, 1)
    }

    fn ctx<'a>(op: Operation, outcome: &'a Outcome, history: &'a History) -> Context<'a> {
        Context { op, outcome, clock_shared: true, history }
    }

    fn body_of(o: &Observed) -> Value {
        serde_json::from_slice(&o.body).unwrap_or(Value::Null)
    }

    const ARN: &str = "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/0f3c9e2a";

    fn describe_configs() -> Outcome {
        Outcome::new(ok(json!({"RemediationConfigurations": [
            {"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc", "Automatic": false,
             "MaximumAutomaticAttempts": 5, "Arn": ARN,
             "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::1:role/x"]}}}},
            {"ConfigRuleName": "s", "TargetType": "SSM_DOCUMENT", "TargetId": "doc2", "Arn": ARN.replace("/r/", "/s/")}
        ]})))
    }

    fn sent_history() -> History {
        let mut h = History::default();
        h.record_request(&json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetId": "doc", "Automatic": false, "MaximumAutomaticAttempts": 5}]}));
        h
    }

    /// Every wrong kind that fits a describe answer gives an answer acceptable under no
    /// alternative, and says where it changed it.
    #[rstest]
    #[case(WrongKind::MemberDropped)]
    #[case(WrongKind::MemberChanged)]
    #[case(WrongKind::NumberChanged)]
    #[case(WrongKind::ListItemDropped)]
    #[case(WrongKind::ListItemDuplicated)]
    #[case(WrongKind::IdMalformed)]
    #[case(WrongKind::SuccessAnswered400)]
    #[case(WrongKind::SuccessAnswered500)]
    #[case(WrongKind::SuccessToError)]
    fn wrong_kinds_on_a_success_are_acceptable_under_no_alternative(#[case] kind: WrongKind) {
        let outcome = describe_configs();
        let h = sent_history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let base = base_for(&outcome);
        for choice in 0..4 {
            let plant = plant(Kind::Wrong(kind), &c, &base, choice).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!(acceptable(&c, &plant.observed), None, "{kind:?} at {}", plant.site);
            assert!(!same_answer(&base, &plant.observed), "{kind:?} changed something");
        }
    }

    #[rstest]
    #[case(AcceptableKind::UnorderedReordered, "RemediationConfigurations: 2 items reversed")]
    #[case(AcceptableKind::UndeclaredMemberAdded, "PlantedUndeclaredMember added")]
    #[case(AcceptableKind::ContentTypeCharset, "content-type with charset")]
    fn acceptable_kinds_on_a_success_stay_acceptable(#[case] kind: AcceptableKind, #[case] site: &str) {
        let outcome = describe_configs();
        let h = history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let plant = plant(Kind::Acceptable(kind), &c, &base_for(&outcome), 0).expect("planted");
        assert_eq!(plant.site, site);
        assert_eq!(acceptable(&c, &plant.observed), Some(0));
    }

    #[test]
    fn a_member_is_added_only_where_the_output_shape_is_a_structure_not_a_map() {
        let outcome = describe_configs();
        let h = history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let sites: Vec<String> = body_sites(Kind::Acceptable(AcceptableKind::UndeclaredMemberAdded), &c, &body_of(&base_for(&outcome)), true)
            .into_iter()
            .map(|(_, _, s)| s)
            .collect();
        assert!(sites.iter().any(|s| s == "RemediationConfigurations/0/PlantedUndeclaredMember added"), "{sites:?}");
        assert!(sites.iter().any(|s| s.starts_with("RemediationConfigurations/0/Parameters/AutomationAssumeRole/")), "{sites:?}");
        // `Parameters` is a map: a new entry would be a parameter, not an extra member.
        assert!(!sites.iter().any(|s| s == "RemediationConfigurations/0/Parameters/PlantedUndeclaredMember added"), "{sites:?}");
    }

    #[test]
    fn an_extra_map_entry_is_wrong_an_extra_structure_member_is_not() {
        let outcome = describe_configs();
        let h = history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let mut body = body_of(&base_for(&outcome));
        body["RemediationConfigurations"][0]["Extra"] = json!("x");
        assert_eq!(acceptable(&c, &with_body(&base_for(&outcome), &body)), Some(0));
        body["RemediationConfigurations"][0]["Parameters"]["Extra"] = json!({"StaticValue": {"Values": ["v"]}});
        assert_eq!(acceptable(&c, &with_body(&base_for(&outcome), &body)), None);
    }

    #[test]
    fn member_changed_touches_only_what_the_caller_sent() {
        let outcome = describe_configs();
        let h = sent_history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let sites: Vec<String> =
            body_sites(Kind::Wrong(WrongKind::MemberChanged), &c, &body_of(&base_for(&outcome)), true).into_iter().map(|(_, _, s)| s).collect();
        assert!(sites.contains(&"RemediationConfigurations/0/TargetId: \"doc\" → \"doa\"".to_owned()), "{sites:?}");
        assert!(sites.contains(&"RemediationConfigurations/0/Automatic: false → true".to_owned()), "{sites:?}");
        assert!(sites.contains(&"RemediationConfigurations/0/MaximumAutomaticAttempts: 5 → 6".to_owned()), "{sites:?}");
        // Never sent: the second rule, the Arn (generated), the enum TargetType.
        assert!(!sites.iter().any(|s| s.contains("/1/") || s.contains("Arn") || s.contains("TargetType")), "{sites:?}");
    }

    #[test]
    fn an_id_seen_earlier_may_not_change_an_unseen_one_may() {
        let outcome = describe_configs();
        let unseen = history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &unseen);
        let base = base_for(&outcome);
        assert_eq!(plant(Kind::Wrong(WrongKind::IdReplaced), &c, &base, 0).unwrap_err(), NotPlanted::NoSite);
        let mut other = body_of(&base);
        other["RemediationConfigurations"][0]["Arn"] = json!(other_id(ARN));
        assert_eq!(acceptable(&c, &with_body(&base, &other)), Some(0), "a fresh id of the right format");

        let mut seen = History::default();
        seen.record_answer(Operation::DescribeRemediationConfigurations, &base);
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &seen);
        let plant = plant(Kind::Wrong(WrongKind::IdReplaced), &c, &base, 0).expect("planted");
        assert!(plant.site.contains("(seen earlier)"), "{}", plant.site);
        assert_eq!(acceptable(&c, &plant.observed), None);
    }

    #[rstest]
    #[case(IdFormat::RemediationConfigurationArn, ARN, true)]
    #[case(IdFormat::RemediationConfigurationArn, "aws:config:us-east-1:123456789012:remediation-configuration/r/x", false)]
    #[case(IdFormat::RemediationConfigurationArn, "arn:aws:config:us-east-1:123456789012:remediation-configuration/r", false)]
    #[case(IdFormat::ConfigRuleArn, "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-ab12cd", true)]
    #[case(IdFormat::ConfigRuleArn, "arn:aws:ssm:us-east-1:123456789012:config-rule/config-rule-ab12cd", false)]
    #[case(IdFormat::ConfigRuleId, "config-rule-ab12cd", true)]
    // The `config-rule-` prefix is observed (SHOULD): without it the id is still acceptable.
    #[case(IdFormat::ConfigRuleId, "ab12cd", true)]
    #[case(IdFormat::ConfigRuleId, " ", false)]
    #[case(IdFormat::Opaque, "x", true)]
    #[case(IdFormat::Opaque, "", false)]
    fn id_formats(#[case] format: IdFormat, #[case] id: &str, #[case] ok: bool) {
        assert_eq!(well_formed(format, id), ok);
        if ok {
            assert!(!well_formed(format, &malformed(format, id)), "{id} made malformed");
            assert!(well_formed(format, &other_id(id)), "{id} replaced");
        }
    }

    fn delete_exceptions_partial() -> Outcome {
        // A-14: the partial success is preferred; an error is also acceptable.
        Outcome::new(ok(json!({"FailedBatches": [{"FailureMessage": "No such exception.", "FailedItems": [
            {"ResourceType": "AWS::S3::Bucket", "ResourceId": "a"}, {"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}]}]})))
        .or(Alternative::error(ErrorCode::NoSuchRemediationExceptionException, "none").provenance(Level::May))
    }

    #[test]
    fn a_wrong_kind_that_lands_on_another_alternative_is_not_planted() {
        let outcome = delete_exceptions_partial();
        let h = history();
        let c = ctx(Operation::DeleteRemediationExceptions, &outcome, &h);
        let base = base_for(&outcome);
        // The only declared code is the alternative's own: the success turned into that error
        // is acceptable, and there is no other declared code to turn it into.
        let plant = plant(Kind::Wrong(WrongKind::SuccessToError), &c, &base, 0).expect("an undeclared code is wrong");
        assert!(!plant.site.contains("NoSuchRemediationExceptionException"), "{}", plant.site);
        // Reworded service text and reordered items stay acceptable.
        for kind in [AcceptableKind::ServiceTextReworded, AcceptableKind::UnorderedReordered] {
            let p = super::plant(Kind::Acceptable(kind), &c, &base, 0).expect("planted");
            assert_eq!(acceptable(&c, &p.observed), Some(0), "{kind:?}");
        }
    }

    #[test]
    fn dropping_the_only_refusal_batch_equals_a_documented_silence() {
        // A-11: a FailedBatches entry (preferred) or silence.
        let outcome = Outcome::new(ok(json!({"FailedBatches": [{"FailureMessage": "m", "FailedItems": [{"ResourceType": "T", "ResourceId": "b"}]}]})))
            .or(ok(json!({"FailedBatches": []})));
        let h = history();
        let c = ctx(Operation::PutRemediationExceptions, &outcome, &h);
        let base = base_for(&outcome);
        let mut sites = BTreeSet::new();
        for choice in 0..3 {
            let p = plant(Kind::Wrong(WrongKind::ListItemDropped), &c, &base, choice).expect("the item list can lose its item");
            assert_eq!(acceptable(&c, &p.observed), None);
            sites.insert(p.site);
        }
        // `FailedBatches` emptied is the second alternative: never planted as wrong.
        assert!(!sites.iter().any(|s| s.starts_with("FailedBatches:")), "{sites:?}");
        let dropped = plant(Kind::Wrong(WrongKind::MemberDropped), &c, &base, 0).expect("FailureMessage or FailedItems");
        assert!(dropped.site.starts_with("FailedBatches/0/"), "{}", dropped.site);
    }

    fn error_outcome(code: ErrorCode, code_level: Level) -> Outcome {
        Outcome::new(Alternative::error(code, "it went wrong").code_level(code_level))
    }

    #[rstest]
    #[case(WrongKind::ErrorCodeDeclared, true)]
    #[case(WrongKind::ErrorCodeUndeclared, true)]
    #[case(WrongKind::ErrorAnswered200, true)]
    #[case(WrongKind::ErrorToSuccess, true)]
    #[case(WrongKind::MemberDropped, false)]
    fn error_kinds(#[case] kind: WrongKind, #[case] applies: bool) {
        let outcome = error_outcome(ErrorCode::NoSuchRemediationConfigurationException, Level::Must);
        let h = history();
        let c = ctx(Operation::DeleteRemediationConfiguration, &outcome, &h);
        let result = plant(Kind::Wrong(kind), &c, &base_for(&outcome), 0);
        match (applies, result) {
            (true, Ok(p)) => {
                assert_eq!(acceptable(&c, &p.observed), None, "{}", p.site);
                if let Reading::Failure { code, .. } = read(&p.observed) {
                    assert_eq!(p.observed.header("x-amzn-errortype"), Some(code.as_str()), "header and body agree");
                }
            }
            (false, Err(NotPlanted::NoSite)) => {}
            (applies, other) => panic!("{kind:?} (applies: {applies}): {other:?}"),
        }
    }

    #[test]
    fn a_validation_code_is_wrong_when_swapped_except_for_its_variant() {
        // A-01: the code of a validation error is SHOULD only against InvalidParameterValueException.
        let outcome = error_outcome(ErrorCode::ValidationException, Level::Should);
        let h = history();
        let c = ctx(Operation::DeleteRemediationConfiguration, &outcome, &h);
        let planted = plant(Kind::Wrong(WrongKind::ErrorCodeDeclared), &c, &base_for(&outcome), 0).expect("a wrong code is planted");
        assert_eq!(acceptable(&c, &planted.observed), None, "{}", planted.site);
        assert!(varies(ErrorCode::ValidationException, "InvalidParameterValueException"));
        assert!(!varies(ErrorCode::ValidationException, "NoSuchConfigRuleException"));
    }

    #[rstest]
    #[case(AcceptableKind::MessageReworded, Level::May, true)]
    // The service's words are never MUST, whatever the alternative says.
    #[case(AcceptableKind::MessageReworded, Level::Must, true)]
    #[case(AcceptableKind::TypeNamespaced, Level::Must, true)]
    #[case(AcceptableKind::ContentTypeCharset, Level::Must, true)]
    fn acceptable_error_variants(#[case] kind: AcceptableKind, #[case] message_level: Level, #[case] fits: bool) {
        let outcome = Outcome::new(Alternative::error(ErrorCode::NoSuchConfigRuleException, "gone").message_level(message_level));
        let h = history();
        let c = ctx(Operation::DescribeConfigRules, &outcome, &h);
        match plant(Kind::Acceptable(kind), &c, &base_for(&outcome), 0) {
            Ok(p) => {
                assert!(fits, "{kind:?} planted at {}", p.site);
                assert_eq!(acceptable(&c, &p.observed), Some(0));
            }
            Err(e) => {
                assert!(!fits, "{kind:?}: {e}");
                assert_eq!(e, NotPlanted::NotAcceptable);
            }
        }
    }

    #[test]
    fn no_ops_and_missing_sites_are_not_plants() {
        let outcome = Outcome::new(ok(json!({"FailedBatches": []})));
        let h = history();
        let c = ctx(Operation::PutRemediationExceptions, &outcome, &h);
        let base = base_for(&outcome);
        assert_eq!(plant(Kind::Wrong(WrongKind::ListItemDropped), &c, &base, 0).unwrap_err(), NotPlanted::NoSite);
        assert_eq!(plant(Kind::Wrong(WrongKind::ErrorAnswered200), &c, &base, 0).unwrap_err(), NotPlanted::NoSite);
        let p = plant(Kind::Acceptable(AcceptableKind::EmptyMemberOmitted), &c, &base, 0).expect("[] left out");
        assert_eq!(body_of(&p.observed), json!({}));

        let same_items = Outcome::new(ok(json!({"FailedEvaluations": [{"a": 1}, {"a": 1}]})));
        let c = ctx(Operation::PutEvaluations, &same_items, &h);
        assert_eq!(plant(Kind::Acceptable(AcceptableKind::UnorderedReordered), &c, &base_for(&same_items), 0).unwrap_err(), NotPlanted::NoOp);
    }

    #[test]
    fn an_answer_that_is_not_the_models_is_no_base() {
        let outcome = describe_configs();
        let h = history();
        let c = ctx(Operation::DescribeRemediationConfigurations, &outcome, &h);
        let wrong = wire_answer(&Reply::Failure(ApiError::new(ErrorCode::InvalidParameterValueException, "x")), 1);
        assert_eq!(plant(Kind::Wrong(WrongKind::ErrorAnswered200), &c, &wrong, 0).unwrap_err(), NotPlanted::BaseNotAcceptable);
    }

    #[test]
    fn enum_values_swap_within_their_enum_and_skip_one_value_enums() {
        let outcome = Outcome::new(ok(json!({"RemediationExecutionStatuses": [
            {"ResourceKey": {"resourceType": "AWS::S3::Bucket", "resourceId": "b"}, "State": "SUCCEEDED"}]})));
        let h = history();
        let c = ctx(Operation::DescribeRemediationExecutionStatus, &outcome, &h);
        let sites: Vec<String> =
            body_sites(Kind::Wrong(WrongKind::EnumSwapped), &c, &body_of(&base_for(&outcome)), true).into_iter().map(|(_, _, s)| s).collect();
        assert_eq!(sites.len(), 2, "{sites:?}");
        assert!(sites.iter().any(|s| s.ends_with("State: \"SUCCEEDED\" → \"FAILED\"")), "{sites:?}");
        assert!(sites.iter().any(|s| s.contains("resourceType: \"AWS::S3::Bucket\" → ")), "{sites:?}");
        // Without a shared clock the state is not exact: not a site.
        let loose = Context { clock_shared: false, ..c };
        let sites = body_sites(Kind::Wrong(WrongKind::EnumSwapped), &loose, &body_of(&base_for(&outcome)), true);
        assert_eq!(sites.len(), 1);

        let configs = describe_configs();
        let c = ctx(Operation::DescribeRemediationConfigurations, &configs, &h);
        let sites = body_sites(Kind::Wrong(WrongKind::EnumSwapped), &c, &body_of(&base_for(&configs)), true);
        assert!(sites.is_empty(), "SSM_DOCUMENT is the only RemediationTargetType");
    }

    #[test]
    fn perfect_matching_needs_every_row_paired() {
        assert!(perfect_matching(&[vec![true, true], vec![true, false]]));
        assert!(!perfect_matching(&[vec![true, false], vec![true, false]]));
    }

    #[test]
    fn the_planter_replaces_one_call_and_notices_drift() {
        let outcome = describe_configs();
        let base = base_for(&outcome);
        let planted = with_status(&base, 500);
        let planter = Planter::new(1, base.clone(), planted.clone());
        let op = Operation::DescribeRemediationConfigurations;
        assert_eq!(planter.answer(0, op, &outcome, base.clone()), base);
        assert_eq!(planter.answer(1, op, &outcome, base.clone()), planted);
        assert!(!planter.drifted());
        planter.answer(1, op, &outcome, with_status(&base, 400));
        assert!(planter.drifted());
    }
}
