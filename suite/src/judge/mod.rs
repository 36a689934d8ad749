//! Judging one answer against the model's acceptable outcomes.
//!
//! The target's answer is parsed ([`ActualReply`]), checked for the signs of an unimplemented
//! operation or a broken server, then compared with every alternative of the model's
//! [`Outcome`]. Each comparison yields [`Difference`]s, each at a [`Level`]: a MUST difference
//! fails the alternative, SHOULD and MAY differences make it non-strict. The best alternative
//! gives the verdict and decides which state the model follows.
//!
//! Members the model cannot predict ([`FieldKind`]) are compared by kind: generated ids keep
//! identity (the same model Arn must always meet the same target Arn, in both directions),
//! clock times and execution states are exact only when the runner controls the target's clock.

pub mod codes;
pub mod history;
pub mod execution;
pub mod ids;
#[cfg(test)]
mod tests;

use crate::profile::TargetProfile;
use crate::verdict::Verdict;
use crate::target::Observed;
use reference_model::{flexible_fields, FieldKind, FlexField, IdFormat, Level, Operation, Outcome, Reply};
use reference_model::service_model::{ServiceModel, Shape};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What the target's answer means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActualReply {
    /// 2xx; an empty body is `null`.
    Success { status: u16, body: Value },
    /// An error with a readable `__type`.
    Failure { status: u16, code: String, message: Option<String> },
}

/// One way the answer differs from an acceptable outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// Where: `status`, `__type`, `message`, `header:content-type`, or a body path like
    /// `FailedBatches/0/FailedItems`.
    pub path: String,
    pub expected: String,
    pub actual: String,
    pub level: Level,
}

/// The judgement of one step.
#[derive(Clone, Debug, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Which alternative of the outcome the answer matched best.
    pub alternative: Option<usize>,
    /// Other alternatives the answer matched exactly as well (the same body, another state
    /// behind it, as an older evaluation ignored or stored, A-21).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ties: Vec<usize>,
    pub differences: Vec<Difference>,
    pub actual: Option<ActualReply>,
    /// Why the verdict is UNIMPLEMENTED or ERROR, or what else the answer shows (an error code
    /// the operation does not declare).
    pub note: Option<String>,
}

/// Identities seen so far in one scenario: model value ⇄ target value.
#[derive(Clone, Debug, Default)]
pub struct Identities {
    model_to_target: BTreeMap<String, String>,
    target_to_model: BTreeMap<String, String>,
    /// Model values whose target value may change once, at their next reading: the Arn of a
    /// remediation configuration just replaced by a put.
    renewable: BTreeSet<String>,
}

impl Identities {
    /// The target's value for a model value, once seen.
    pub fn target_for(&self, model: &str) -> Option<&str> {
        self.model_to_target.get(model).map(String::as_str)
    }
    fn bind(&mut self, model: &str, target: &str) {
        if let Some(old) = self.model_to_target.insert(model.to_owned(), target.to_owned()) {
            if old != target {
                self.target_to_model.remove(&old);
            }
        }
        self.target_to_model.insert(target.to_owned(), model.to_owned());
        self.renewable.remove(model);
    }
    /// Lets the target give `model` a new value at its next reading, which then holds again
    /// whether a put that replaces a configuration keeps its Arn is not known).
    pub fn renew(&mut self, model: &str) {
        self.renewable.insert(model.to_owned());
    }
    /// The numbered placeholder of a target value, for snapshots.
    pub fn placeholder(&self, target: &str) -> Option<usize> {
        let model = self.target_to_model.get(target)?;
        self.model_to_target.keys().position(|k| k == model).map(|i| i + 1)
    }
}

/// Reads an answer. `Err` carries the verdict and why when the answer is not a judgeable reply.
pub fn read_answer(op: Operation, observed: &Observed, profile: &TargetProfile) -> Result<ActualReply, (Verdict, String)> {
    read_answer_for(op, observed, profile, true)
}

/// As [`read_answer`]; with `operation_exists` false (a call naming an operation the service
/// does not have), "not implemented" and a 5xx with an error type are answers to judge, not
/// UNIMPLEMENTED or ERROR: the service has nothing to implement there (S-12).
fn read_answer_for(
    op: Operation,
    observed: &Observed,
    profile: &TargetProfile,
    operation_exists: bool,
) -> Result<ActualReply, (Verdict, String)> {
    let text = observed.body_text();
    let looks_html = text.trim_start().starts_with('<')
        || observed.header("content-type").is_some_and(|c| c.contains("text/html"));
    let lowered = text.to_ascii_lowercase();
    let says_unimplemented = lowered.contains("not been implemented")
        || lowered.contains("not yet implemented")
        || lowered.contains("is not implemented")
        || lowered.contains("notimplemented");
    if operation_exists && (observed.status == 501 || (observed.status >= 400 && says_unimplemented)) {
        return Err((Verdict::Unimplemented, format!("HTTP {}: {}", observed.status, snippet(&text))));
    }
    if operation_exists && observed.status == 500 && looks_html && profile.html_500_unimplemented.contains(&op) {
        return Err((
            Verdict::Unimplemented,
            format!("HTTP 500 with an HTML page, which {} sends for operations it lacks", profile.name),
        ));
    }
    if (200..300).contains(&observed.status) {
        if text.trim().is_empty() {
            return Ok(ActualReply::Success { status: observed.status, body: Value::Null });
        }
        return match serde_json::from_slice::<Value>(&observed.body) {
            Ok(body) => Ok(ActualReply::Success { status: observed.status, body }),
            Err(e) => Err((Verdict::Error, format!("HTTP {} with a body that is not JSON ({e}): {}", observed.status, snippet(&text)))),
        };
    }
    let parsed: Option<Value> = serde_json::from_slice(&observed.body).ok();
    let typed = parsed.as_ref().is_some_and(|v| v.get("__type").is_some());
    if observed.status >= 500 && (operation_exists || !typed) {
        return Err((Verdict::Error, format!("server error HTTP {}: {}", observed.status, snippet(&text))));
    }
    let type_field = parsed
        .as_ref()
        .and_then(|v| v.get("__type"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| observed.header("x-amzn-errortype").map(|h| h.split(':').next().unwrap_or(h).to_owned()));
    match type_field {
        Some(t) => {
            // As SDKs read it (awsJson1_1): before the first `:`, after the last `#`.
            let t = t.split(':').next().unwrap_or(&t);
            let code = t.rsplit('#').next().unwrap_or(t).to_owned();
            if codes::TRANSIENT_OR_ACCESS.contains(&code.as_str()) {
                return Err((
                    Verdict::Error,
                    format!("HTTP {} {code}: the target throttled the call or refused the credentials, so nothing can be judged: {}", observed.status, snippet(&text)),
                ));
            }
            let message = parsed.as_ref().and_then(|v| {
                v.get("message").or_else(|| v.get("Message")).and_then(Value::as_str).map(str::to_owned)
            });
            Ok(ActualReply::Failure { status: observed.status, code, message })
        }
        None => Err((
            Verdict::Error,
            format!("HTTP {} without an error type (no __type, no X-Amzn-ErrorType): {}", observed.status, snippet(&text)),
        )),
    }
}

fn snippet(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}

/// The settings of one judgement.
pub struct Judge<'a> {
    pub op: Operation,
    pub profile: &'a TargetProfile,
    /// True when the runner sets the target's clock, so times and states must match exactly.
    pub clock_shared: bool,
}

impl Judge<'_> {
    /// Judges an answer against the outcome; on a conforming verdict the identities learnt are
    /// kept.
    pub fn judge(&self, outcome: &Outcome, observed: &Observed, identities: &mut Identities) -> Judgement {
        // Only an unknown operation is refused by every alternative with UnknownOperationException.
        let operation_exists = !outcome.alternatives.iter().all(
            |a| matches!(&a.reply, Reply::Failure(e) if e.code == reference_model::ErrorCode::UnknownOperationException),
        );
        let actual = match read_answer_for(self.op, observed, self.profile, operation_exists) {
            Ok(a) => a,
            Err((verdict, note)) => {
                return Judgement { verdict, alternative: None, ties: Vec::new(), differences: Vec::new(), actual: None, note: Some(note) }
            }
        };
        let mut best: Option<Candidate> = None;
        let mut scores = Vec::with_capacity(outcome.alternatives.len());
        for (i, alternative) in outcome.alternatives.iter().enumerate() {
            let mut cmp = Comparison::new(self, identities);
            cmp.reply(&alternative.reply, alternative, &actual);
            cmp.headers(observed, &actual);
            // An alternative of the answer's kind (success or error) explains it better than one
            // of the other kind, whatever the counts: its differences are the useful ones.
            let same_kind = matches!(alternative.reply, Reply::Success(_)) == matches!(actual, ActualReply::Success { .. });
            let score = (!same_kind, rank(&cmp.differences));
            scores.push(score);
            if best.as_ref().is_none_or(|b| score < b.score) {
                best = Some(Candidate { index: i, score, differences: cmp.differences, bindings: cmp.bindings });
            }
        }
        let Candidate { index, differences, bindings, score } = best.expect("an outcome has at least one alternative");
        let ties = scores.iter().enumerate().filter(|(i, s)| *i != index && **s == score).map(|(i, _)| i).collect();
        let verdict = match differences.iter().map(|d| d.level).max() {
            None => Verdict::Pass,
            Some(Level::Must) => Verdict::Fail,
            Some(_) => Verdict::NonStrict,
        };
        if verdict.conforms() {
            for (m, t) in bindings {
                identities.bind(&m, &t);
            }
        }
        let note = match &actual {
            ActualReply::Failure { code, .. } if !codes::declared(self.op, code) => {
                Some(format!("{code} is neither an error {} declares nor a common AWS error", self.op.name()))
            }
            _ => None,
        };
        Judgement { verdict, alternative: Some(index), ties, differences, actual: Some(actual), note }
    }
}

/// The best-matching alternative so far.
struct Candidate {
    index: usize,
    /// Another kind (success or error) than the answer first, then by [`rank`].
    score: (bool, Rank),
    differences: Vec<Difference>,
    bindings: Bindings,
}

/// Model value ⇄ target value pairs learnt while comparing one answer.
type Bindings = Vec<(String, String)>;

/// Counts of MUST, SHOULD and MAY differences.
type Rank = (usize, usize, usize);

/// Orders candidate alternatives: fewest MUST differences first, then SHOULD, then MAY.
fn rank(diffs: &[Difference]) -> Rank {
    let count = |l| diffs.iter().filter(|d| d.level == l).count();
    (count(Level::Must), count(Level::Should), count(Level::May))
}

struct Comparison<'j, 'i> {
    judge: &'j Judge<'j>,
    identities: &'i Identities,
    flex: &'static [FlexField],
    differences: Vec<Difference>,
    bindings: Vec<(String, String)>,
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!("{}…", &s[..s.char_indices().nth(200).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The shape the operation's output declares for `key` at `path` (list indexes skipped), or
/// `None` when it declares no such member.
fn declared_member(op: Operation, path: &[String], key: &str) -> Option<&'static Shape> {
    let model = ServiceModel::get();
    let mut shape = model.operations.get(op.name()).and_then(|o| o.output.clone())?;
    for segment in path.iter().map(String::as_str).chain(std::iter::once(key)) {
        loop {
            match model.shapes.get(&shape) {
                Some(Shape::List { member, .. }) if segment.parse::<usize>().is_ok() => {
                    shape = member.clone();
                    break;
                }
                Some(Shape::List { member, .. }) => shape = member.clone(),
                Some(Shape::Map { value, .. }) => {
                    shape = value.clone();
                    break;
                }
                Some(Shape::Structure { members, .. }) => {
                    shape = members.iter().find(|(m, _)| m == segment)?.1.clone();
                    break;
                }
                _ => return None,
            }
        }
    }
    model.shapes.get(&shape)
}

/// True when `value` is the zero value of an unboxed scalar shape (`false`, `0`): a primitive the
/// service cannot leave out, so it may answer it where the model, not knowing, leaves the
/// member absent (M-04's other half; A-50: `Automatic: false` for a configuration put without it).
fn unboxed_zero(shape: &Shape, value: &Value) -> bool {
    match shape {
        Shape::Boolean => value == &Value::Bool(false),
        Shape::Integer { boxed: false, .. } | Shape::Long { boxed: false, .. } => value.as_i64() == Some(0),
        _ => false,
    }
}

impl<'j, 'i> Comparison<'j, 'i> {
    fn new(judge: &'j Judge<'j>, identities: &'i Identities) -> Self {
        Comparison { judge, identities, flex: flexible_fields(judge.op), differences: Vec::new(), bindings: Vec::new() }
    }

    fn differ(&mut self, path: &str, expected: impl Into<String>, actual: impl Into<String>, level: Level) {
        self.differences.push(Difference { path: path.to_owned(), expected: expected.into(), actual: actual.into(), level });
    }

    fn reply(&mut self, expected: &Reply, alternative: &reference_model::Alternative, actual: &ActualReply) {
        match (expected, actual) {
            (Reply::Success(e), ActualReply::Success { status, body }) => {
                if *status != 200 {
                    self.differ("status", "200", status.to_string(), Level::Should);
                }
                // An operation without output may answer an empty body or `{}` (S-07).
                let (e, a) = match (e, body) {
                    (Value::Null, Value::Object(o)) if o.is_empty() => return,
                    (Value::Object(o), Value::Null) if o.is_empty() => {
                        self.differ("body", "{}", "an empty body", Level::May);
                        return;
                    }
                    pair => pair,
                };
                self.value(e, a, &mut Vec::new());
                if self.judge.op == Operation::DescribeRemediationExecutionStatus {
                    self.execution_times(a);
                }
            }
            (Reply::Success(_), ActualReply::Failure { status, code, message }) => self.differ(
                "status",
                "200 (success)",
                format!("{status} {code}: {}", message.as_deref().unwrap_or("")),
                Level::Must,
            ),
            (Reply::Failure(e), ActualReply::Success { status, .. }) => {
                self.differ("status", format!("{} {}", e.code.http_status(), e.code), format!("{status} (success)"), Level::Must)
            }
            (Reply::Failure(e), ActualReply::Failure { status, code, message }) => {
                // AWS JSON 1.1 answers a client error without an httpError trait with 400 (every
                // error Config declares); only the code tells errors apart, but a client that
                // branches on the status is misled by another one.
                if *status != e.code.http_status() {
                    let level = if e.code.http_status() == 413 && (400..500).contains(status) { Level::Should } else { Level::Must };
                    self.differ("status", e.code.http_status().to_string(), status.to_string(), level);
                }
                if let Some(level) = codes::code_difference(e.code, code) {
                    self.differ("__type", e.code.as_str(), code.clone(), level);
                }
                // The service's own words: never more than SHOULD (observed), usually MAY.
                if !e.message.is_empty() && message.as_deref() != Some(e.message.as_str()) {
                    let level = alternative.message_level.min(Level::Should);
                    self.differ("message", e.message.clone(), message.clone().unwrap_or_default(), level);
                }
            }
        }
    }

    /// The JSON 1.1 envelope: the content type and a request id (SHOULD: every AWS answer has both).
    fn headers(&mut self, observed: &Observed, actual: &ActualReply) {
        let has_body = !observed.body.iter().all(u8::is_ascii_whitespace);
        if has_body {
            let ct = observed.header("content-type").unwrap_or("");
            if !ct.starts_with("application/x-amz-json-1.1") {
                self.differ("header:content-type", "application/x-amz-json-1.1", ct, Level::Should);
            }
        }
        if observed.header("x-amzn-requestid").is_none() {
            self.differ("header:x-amzn-RequestId", "present", "absent", Level::Should);
        }
        if let ActualReply::Failure { code, .. } = actual {
            if observed.header("x-amzn-errortype").is_some_and(|h| h.split(':').next() != Some(code.as_str())) {
                self.differ("header:X-Amzn-ErrorType", code.clone(), observed.header("x-amzn-errortype").unwrap_or(""), Level::Should);
            }
        }
    }

    fn flex_at(&self, path: &[String]) -> Option<FieldKind> {
        self.flex
            .iter()
            .find(|f| {
                let parts: Vec<&str> = f.path.split('/').collect();
                parts.len() == path.len()
                    && parts.iter().zip(path).all(|(p, s)| *p == s || (*p == "*" && s.parse::<usize>().is_ok()))
            })
            .map(|f| f.kind)
    }

    fn value(&mut self, expected: &Value, actual: &Value, path: &mut Vec<String>) {
        let here = path.join("/");
        match self.flex_at(path) {
            Some(FieldKind::GeneratedId(format)) => return self.generated_id(&here, format, expected, actual),
            Some(FieldKind::ServiceText(level)) => {
                match (expected, actual) {
                    (Value::String(e), Value::String(a)) if e != a => self.differ(&here, show(expected), show(actual), level),
                    (Value::String(_), Value::String(_)) => {}
                    _ if expected == actual => {}
                    _ => self.differ(&here, show(expected), show(actual), Level::Must),
                }
                return;
            }
            Some(FieldKind::ExecutionSteps) if !self.judge.clock_shared => {
                for p in execution::check_steps(actual) {
                    let at = if p.path.is_empty() { here.clone() } else { format!("{here}/{}", p.path) };
                    self.differ(&at, p.expected, p.actual, Level::Must);
                }
                return;
            }
            Some(FieldKind::OpaqueToken) => {
                if actual.as_str().is_none_or(str::is_empty) {
                    self.differ(&here, "a non-empty token", show(actual), Level::Must);
                }
                return;
            }
            Some(FieldKind::ClockTime) if !self.judge.clock_shared => {
                if !execution::is_timestamp(actual) {
                    self.differ(&here, "a timestamp (epoch seconds, not negative)", show(actual), Level::Must);
                }
                return;
            }
            Some(FieldKind::ExecutionState) if !self.judge.clock_shared => {
                if !execution::in_enum("RemediationExecutionState", actual) {
                    let states = execution::enum_values("RemediationExecutionState").join(", ");
                    self.differ(&here, format!("an execution state: one of {states}"), show(actual), Level::Must);
                }
                return;
            }
            Some(FieldKind::Unordered) => {
                if let (Value::Array(e), Value::Array(a)) = (expected, actual) {
                    return self.unordered(e, a, path);
                }
            }
            _ => {}
        }
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                for (key, ev) in e {
                    path.push(key.clone());
                    match a.get(key) {
                        Some(av) => self.value(ev, av, path),
                        None if is_empty_value(ev) => {
                            self.differ(&path.join("/"), show(ev), "absent", Level::May)
                        }
                        // A default the real service was seen to fill in (S-09).
                        None if matches!(self.flex_at(path), Some(FieldKind::ObservedDefault(default))
                            if serde_json::from_str::<Value>(default).is_ok_and(|d| d == *ev)) =>
                        {
                            self.differ(&path.join("/"), show(ev), "absent", Level::Should)
                        }
                        None => self.differ(&path.join("/"), show(ev), "absent", Level::Must),
                    }
                    path.pop();
                }
                for (key, av) in a {
                    if !e.contains_key(key) {
                        let member = if here.is_empty() { key.clone() } else { format!("{here}/{key}") };
                        // A member the output shape declares must not be there (MUST); one it
                        // does not declare is ignored by every SDK, so it is a SHOULD.
                        let level = match declared_member(self.judge.op, path, key) {
                            _ if is_empty_value(av) => Level::May,
                            Some(shape) if unboxed_zero(shape, av) => Level::May,
                            Some(_) => Level::Must,
                            None => Level::Should,
                        };
                        self.differ(&member, "absent", show(av), level);
                    }
                }
            }
            (Value::Array(e), Value::Array(a)) => {
                if e.len() != a.len() {
                    self.differ(&here, format!("{} items", e.len()), format!("{} items", a.len()), Level::Must);
                }
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    path.push(i.to_string());
                    self.value(ev, av, path);
                    path.pop();
                }
            }
            (Value::Number(e), Value::Number(a)) => {
                if (e.as_f64().unwrap_or(f64::NAN) - a.as_f64().unwrap_or(f64::NAN)).abs() > 1e-9 {
                    self.differ(&here, e.to_string(), a.to_string(), Level::Must);
                }
            }
            (e, a) if e == a => {}
            (e, a) => self.differ(if here.is_empty() { "body" } else { &here }, show(e), show(a), Level::Must),
        }
    }

    fn generated_id(&mut self, here: &str, format: IdFormat, expected: &Value, actual: &Value) {
        let (Some(m), Some(t)) = (expected.as_str(), actual.as_str()) else {
            return self.differ(here, show(expected), show(actual), Level::Must);
        };
        let (problems, parts) = ids::check(format, m, t);
        for p in &problems {
            self.differ(here, p.expected, t, p.level);
        }
        if problems.iter().any(|p| p.level == Level::Must) {
            return;
        }
        // Every Arn of a scenario names the same region and account, whatever they are.
        if let (Some(parts), Some(model)) = (parts, ids::check(format, m, m).1) {
            self.same_identity(here, &format!("region:{}", model.region), &format!("region:{}", parts.region));
            self.same_identity(here, &format!("account:{}", model.account), &format!("account:{}", parts.account));
        }
        self.same_identity(here, m, t);
    }

    /// Keeps identity: the model value `m` always meets the target value `t`, and no other.
    fn same_identity(&mut self, here: &str, m: &str, t: &str) {
        let pending_m = self.bindings.iter().find(|(bm, _)| bm == m).map(|(_, bt)| bt.clone());
        let known = self.identities.target_for(m).map(str::to_owned).or(pending_m);
        match known {
            Some(known) if self.identities.renewable.contains(m) => {
                if known != t && self.identities.target_to_model.get(t).is_some_and(|other| other != m) {
                    return self.differ(here, "a new value", format!("{t}, already given for something else"), Level::Must);
                }
                if known != t {
                    self.differ(here, format!("the same value as before the update ({known}), as the model keeps it"), t, Level::May);
                }
                self.bindings.push((m.to_owned(), t.to_owned()));
            }
            Some(known) if known != t => self.differ(here, format!("the same value as before ({known})"), t, Level::Must),
            Some(_) => {}
            None => {
                let taken = self.identities.target_to_model.get(t).is_some_and(|other| other != m)
                    || self.bindings.iter().any(|(bm, bt)| bt == t && bm != m);
                if taken {
                    self.differ(here, "a new value", format!("{t}, already given for something else"), Level::Must);
                } else {
                    self.bindings.push((m.to_owned(), t.to_owned()));
                }
            }
        }
    }

    /// R-DRES-08: each execution is updated no earlier than it was invoked (whatever the clock).
    fn execution_times(&mut self, body: &Value) {
        let statuses = body.get("RemediationExecutionStatuses").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for (i, status) in statuses.iter().enumerate() {
            if let Some(p) = execution::check_status_times(status) {
                self.differ(&format!("RemediationExecutionStatuses/{i}/{}", p.path), p.expected, p.actual, Level::Must);
            }
        }
    }

    /// Lists whose order is not documented: each expected item must meet a distinct actual item.
    /// Items that match (no MUST difference) are paired first; an expected item left over is
    /// then compared with the nearest actual item left over, so the report names the members
    /// that differ instead of "no matching item".
    fn unordered(&mut self, expected: &[Value], actual: &[Value], path: &mut Vec<String>) {
        let here = path.join("/");
        // Missing items are reported one by one below; only extra items need the count.
        if expected.len() < actual.len() {
            self.differ(&here, format!("{} items", expected.len()), format!("{} items", actual.len()), Level::Must);
        }
        let mut used = vec![false; actual.len()];
        let mut unmatched = Vec::new();
        for (i, ev) in expected.iter().enumerate() {
            path.push(i.to_string());
            match self.nearest(ev, actual, &used, path) {
                Some((j, diffs, bindings)) if rank(&diffs).0 == 0 => {
                    used[j] = true;
                    self.differences.extend(diffs);
                    self.bindings = bindings;
                }
                _ => unmatched.push(i),
            }
            path.pop();
        }
        for i in unmatched {
            path.push(i.to_string());
            match self.nearest(&expected[i], actual, &used, path) {
                Some((j, diffs, _)) => {
                    used[j] = true;
                    self.differ(&path.join("/"), show(&expected[i]), format!("no matching item; nearest is item {j}"), Level::Must);
                    self.differences.extend(diffs);
                }
                None => self.differ(&path.join("/"), show(&expected[i]), "no matching item", Level::Must),
            }
            path.pop();
        }
    }

    /// The unused actual item closest to `expected`, with the differences and bindings of that
    /// comparison.
    fn nearest(&self, expected: &Value, actual: &[Value], used: &[bool], path: &mut Vec<String>) -> Option<(usize, Vec<Difference>, Bindings)> {
        let mut best: Option<(usize, Vec<Difference>, Bindings)> = None;
        for (j, av) in actual.iter().enumerate().filter(|(j, _)| !used[*j]) {
            let mut trial = Comparison::new(self.judge, self.identities);
            trial.bindings = self.bindings.clone();
            trial.value(expected, av, path);
            if best.as_ref().is_none_or(|(_, d, _)| rank(&trial.differences) < rank(d)) {
                best = Some((j, trial.differences, trial.bindings));
            }
        }
        best
    }
}
