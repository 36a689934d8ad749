//! Comparing an answer with one alternative of the model's outcome, member by member: each
//! [`Difference`] at its [`Level`], generated identifiers by identity, flexible members by kind.

use super::{codes, execution, ids, rank, Bindings, Difference, Identities, Judge};
use super::read::ActualReply;
use crate::target::Observed;
use reference_model::{flexible_fields, FieldKind, FlexField, IdFormat, Level, Operation, Reply};
use reference_model::service_model::{ServiceModel, Shape};
use serde_json::Value;

/// One answer against one alternative: the differences found and the identities the answer
/// would bind, kept only if the alternative wins.
pub(super) struct Comparison<'j, 'i> {
    judge: &'j Judge<'j>,
    identities: &'i Identities,
    flex: &'static [FlexField],
    pub(super) differences: Vec<Difference>,
    pub(super) bindings: Bindings,
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
    pub(super) fn new(judge: &'j Judge<'j>, identities: &'i Identities) -> Self {
        Comparison { judge, identities, flex: flexible_fields(judge.op), differences: Vec::new(), bindings: Vec::new() }
    }

    fn differ(&mut self, path: &str, expected: impl Into<String>, actual: impl Into<String>, level: Level) {
        self.differences.push(Difference { path: path.to_owned(), expected: expected.into(), actual: actual.into(), level });
    }

    pub(super) fn reply(&mut self, expected: &Reply, alternative: &reference_model::Alternative, actual: &ActualReply) {
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
    pub(super) fn headers(&mut self, observed: &Observed, actual: &ActualReply) {
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
