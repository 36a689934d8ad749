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

use crate::profile::Capability;
use reference_model::clauses::{RuleId, UnknownRule};
use reference_model::{Control, Operation};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: String,
    title: String,
    rules: Vec<String>,
    #[serde(default)]
    needs: Vec<Capability>,
    #[serde(default)]
    observed: Vec<String>,
    steps: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    op: Option<String>,
    body: Option<Value>,
    raw_body: Option<String>,
    #[serde(default, deserialize_with = "present")]
    target_header: Option<Option<String>>,
    control: Option<Value>,
    advance: Option<f64>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    bind: BTreeMap<String, String>,
    note: Option<String>,
    repeat: Option<u64>,
}

/// Tells an explicit `null` apart from an absent member.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
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

/// The catalogued IDs of a list from a file, or the first that is not one.
fn rule_ids(texts: &[String]) -> Result<Vec<RuleId>, UnknownRule> {
    texts.iter().map(|t| RuleId::parse(t)).collect()
}

impl Scenario {
    /// Parses and checks one scenario file's text.
    pub fn parse(text: &str, source: &Path) -> Result<Scenario, ScenarioError> {
        let fail = |message: String| ScenarioError { file: source.to_owned(), message };
        let raw: RawScenario = serde_json::from_str(text).map_err(|e| fail(format!("not a scenario: {e}")))?;
        if raw.id.trim().is_empty() || raw.id.contains(char::is_whitespace) {
            return Err(fail(format!("id {:?} must be one word like \"exceptions/only-non-compliant\"", raw.id)));
        }
        if raw.rules.is_empty() {
            return Err(fail("lists no rule IDs (\"rules\"): every scenario must say what it checks".into()));
        }
        let rules = rule_ids(&raw.rules).map_err(|e| fail(e.to_string()))?;
        if raw.steps.is_empty() {
            return Err(fail("has no steps".into()));
        }
        let mut needs: BTreeSet<Capability> = raw.needs.into_iter().collect();
        let needs_from_start = needs.clone();
        let mut steps = Vec::new();
        let mut bound: BTreeSet<String> = BTreeSet::new();
        for (i, s) in raw.steps.into_iter().enumerate() {
            let at = |m: String| fail(format!("step {}: {m}", i + 1));
            let step_rules = rule_ids(&s.rules).map_err(|e| at(e.to_string()))?;
            let kinds = [s.op.is_some(), s.control.is_some(), s.advance.is_some()].iter().filter(|b| **b).count();
            if kinds != 1 {
                return Err(at("needs exactly one of \"op\", \"control\" or \"advance\"".into()));
            }
            let action = if let Some(op) = s.op {
                let op: Operation = op.parse().map_err(|_| at(format!("unknown operation {op:?}")))?;
                let body = match (s.body, s.raw_body) {
                    (Some(b), None) => CallBody::Json(b),
                    (None, Some(r)) => CallBody::Raw(r),
                    (None, None) => return Err(at("a call needs \"body\" or \"raw_body\"".into())),
                    (Some(_), Some(_)) => return Err(at("give \"body\" or \"raw_body\", not both".into())),
                };
                let target_header = match s.target_header {
                    None => TargetHeader::Operation,
                    Some(None) => TargetHeader::Missing,
                    Some(Some(t)) => TargetHeader::Custom(t),
                };
                if let CallBody::Json(b) = &body {
                    if lists_whole_account(op, b) {
                        needs.insert(Capability::Reset);
                    }
                }
                Action::Call { op, body, target_header }
            } else if let Some(control) = s.control {
                if s.body.is_some() || s.raw_body.is_some() || s.target_header.is_some() {
                    return Err(at("a control step takes no body or target_header".into()));
                }
                // Check the action's shape now (templates are strings, so they parse).
                serde_json::from_value::<Control>(control.clone()).map_err(|e| at(format!("invalid control action: {e}")))?;
                needs.insert(Capability::Control);
                Action::Control(control)
            } else {
                let seconds = s.advance.unwrap_or_default();
                if !(seconds > 0.0 && seconds.is_finite()) {
                    return Err(at("\"advance\" must be a positive number of seconds".into()));
                }
                needs.insert(Capability::VirtualClock);
                Action::Advance { seconds }
            };
            if let Action::Call { body: CallBody::Json(b), .. } | Action::Control(b) = &action {
                for name in bind_references(b) {
                    if !bound.contains(&name) {
                        return Err(at(format!("uses ${{bind:{name}}} before any step binds it")));
                    }
                }
            }
            bound.extend(s.bind.keys().cloned());
            match s.repeat {
                None => steps.push(Step { action, rules: step_rules, bind: s.bind, note: s.note }),
                Some(n) => {
                    if n == 0 || n > MAX_REPEAT || matches!(action, Action::Advance { .. }) {
                        return Err(at(format!("\"repeat\" needs 1..{MAX_REPEAT} on a call or control step")));
                    }
                    for k in 1..=n {
                        let action = match &action {
                            Action::Call { op, body: CallBody::Json(b), target_header } => Action::Call {
                                op: *op,
                                body: CallBody::Json(with_copy_number(b, k)),
                                target_header: target_header.clone(),
                            },
                            Action::Call { op, body: CallBody::Raw(r), target_header } => Action::Call {
                                op: *op,
                                body: CallBody::Raw(r.replace("${n}", &k.to_string())),
                                target_header: target_header.clone(),
                            },
                            Action::Control(c) => Action::Control(with_copy_number(c, k)),
                            Action::Advance { .. } => unreachable!("refused above"),
                        };
                        let note = if k == 1 { s.note.clone() } else { None };
                        steps.push(Step { action, rules: step_rules.clone(), bind: s.bind.clone(), note });
                    }
                }
            }
        }
        Ok(Scenario {
            id: raw.id,
            title: raw.title,
            rules,
            observed: raw.observed,
            needs,
            needs_from_start,
            steps,
            source: source.to_owned(),
        })
    }

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

/// A repeated step's template with `${n}` replaced by the copy's number.
fn with_copy_number(template: &Value, k: u64) -> Value {
    match template {
        Value::String(s) => Value::String(s.replace("${n}", &k.to_string())),
        Value::Array(items) => Value::Array(items.iter().map(|i| with_copy_number(i, k)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(key, v)| (key.replace("${n}", &k.to_string()), with_copy_number(v, k))).collect()),
        other => other.clone(),
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

fn bind_references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${bind:") {
                    let tail = &rest[i + 7..];
                    let end = tail.find('}').unwrap_or(tail.len());
                    out.push(tail[..end].to_owned());
                    rest = &tail[end..];
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => {
                if let Some(Value::String(name)) = o.get("$bind") {
                    out.push(name.clone());
                }
                o.values().for_each(|x| walk(x, out))
            }
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// Reads every `*.json` under a directory (recursively), sorted by id. Duplicate ids are errors.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(|e| ScenarioError { file: dir.to_owned(), message: format!("cannot read: {e}") })?;
    files.sort();
    let mut scenarios = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| ScenarioError { file: file.clone(), message: format!("cannot read: {e}") })?;
        scenarios.push(Scenario::parse(&text, &file)?);
    }
    let mut ids = BTreeSet::new();
    for s in &scenarios {
        if !ids.insert(s.id.clone()) {
            return Err(ScenarioError { file: s.source.clone(), message: format!("duplicate scenario id {:?}", s.id) });
        }
    }
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(scenarios)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Bounds that keep a hostile or mistaken scenario file from exhausting memory: far above any
/// limit of the service (100 keys, 2,678,000 seconds, 10,000-character policy text).
pub const MAX_REPEAT: u64 = 10_000;
pub const MAX_STRING_BYTES: u64 = 4 * 1024 * 1024;

/// The values one side (model or target) sees when templates are expanded.
pub struct Side<'a> {
    pub prefix: &'a str,
    /// Current time, epoch seconds.
    pub now: f64,
    pub bindings: &'a BTreeMap<String, Value>,
}

/// Expands a template for one side.
pub fn instantiate(template: &Value, side: &Side<'_>) -> Result<Value, String> {
    instantiate_with(template, side, None)
}

fn instantiate_with(template: &Value, side: &Side<'_>, index: Option<usize>) -> Result<Value, String> {
    Ok(match template {
        // A string that is only a binding takes the bound value as it is (a number stays a
        // number, a missing NextToken stays null) rather than its text.
        Value::String(s) if whole_binding(s).is_some() => {
            let name = whole_binding(s).unwrap_or_default();
            side.bindings.get(name).cloned().ok_or_else(|| format!("nothing is bound to {name:?}"))?
        }
        Value::String(s) => Value::String(expand_string(s, side, index)?),
        Value::Array(items) => Value::Array(items.iter().map(|i| instantiate_with(i, side, index)).collect::<Result<_, _>>()?),
        Value::Object(map) => {
            if let Some(n) = map.get("$repeat") {
                let n = n.as_u64().ok_or("\"$repeat\" needs a whole number")?;
                if n > MAX_REPEAT {
                    return Err(format!("\"$repeat\": {n} is more than {MAX_REPEAT}"));
                }
                let n = n as usize;
                let item = map.get("item").ok_or("\"$repeat\" needs an \"item\"")?;
                return (1..=n).map(|i| instantiate_with(item, side, Some(i))).collect::<Result<Vec<_>, _>>().map(Value::Array);
            }
            if let Some(spec) = map.get("$string") {
                let (len, fill) = match spec {
                    Value::Number(n) => (n.as_u64().ok_or("\"$string\" needs a length")?, "a".to_owned()),
                    Value::Object(o) => (
                        o.get("len").and_then(Value::as_u64).ok_or("\"$string\" needs \"len\"")?,
                        o.get("char").and_then(Value::as_str).unwrap_or("a").to_owned(),
                    ),
                    _ => return Err("\"$string\" needs a length".into()),
                };
                if len.saturating_mul(fill.len().max(1) as u64) > MAX_STRING_BYTES {
                    return Err(format!("\"$string\": {len} characters is more than {MAX_STRING_BYTES} bytes"));
                }
                return Ok(Value::String(fill.repeat(len as usize)));
            }
            if let Some(offset) = map.get("$now") {
                let offset = offset.as_f64().ok_or("\"$now\" needs a number of seconds")?;
                let t = side.now + offset;
                return Ok(if t.fract() == 0.0 { Value::from(t as i64) } else { Value::from(t) });
            }
            if let Some(name) = map.get("$bind") {
                let name = name.as_str().ok_or("\"$bind\" needs a name")?;
                return side.bindings.get(name).cloned().ok_or_else(|| format!("nothing is bound to {name:?}"));
            }
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(expand_string(k, side, index)?, instantiate_with(v, side, index)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn whole_binding(s: &str) -> Option<&str> {
    let name = s.strip_prefix("${bind:")?.strip_suffix('}')?;
    (!name.contains(['{', '}', '$'])).then_some(name)
}

fn expand_string(s: &str, side: &Side<'_>, index: Option<usize>) -> Result<String, String> {
    if !s.contains("${") {
        return Ok(s.to_owned());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 2..];
        let end = tail.find('}').ok_or_else(|| format!("unclosed ${{ in {s:?}"))?;
        let name = &tail[..end];
        if name.contains("${") {
            return Err(format!("templates cannot be nested: {s:?}"));
        }
        match name.split_once(':') {
            Some(("rule", n)) => {
                out.push_str(side.prefix);
                out.push_str(n);
            }
            Some(("bind", n)) => match side.bindings.get(n) {
                Some(Value::String(v)) => out.push_str(v),
                Some(Value::Null) => return Err(format!("{n:?} is bound to nothing (the answer had no such member) inside {s:?}")),
                Some(other) => out.push_str(&other.to_string()),
                None => return Err(format!("nothing is bound to {n:?}")),
            },
            None if name == "i" => out.push_str(&index.ok_or("${i} outside \"$repeat\"")?.to_string()),
            None if name == "prefix" => out.push_str(side.prefix),
            _ => return Err(format!("unknown template ${{{name}}} in {s:?}")),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value at a `/`-separated path (`FailedBatches/0/FailureMessage`): a JSON pointer
/// without its leading `/`.
pub fn value_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let pointer: String = path.split('/').filter(|p| !p.is_empty()).map(|p| format!("/{}", p.replace('~', "~0"))).collect();
    value.pointer(&pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Scenario, ScenarioError> {
        Scenario::parse(&v.to_string(), Path::new("t.json"))
    }

    fn minimal(steps: Value) -> Value {
        json!({"id": "t/x", "title": "t", "rules": ["R-PRE-04"], "steps": steps})
    }

    #[test]
    fn linter_rejects_missing_or_unknown_rule_ids() {
        let e = parse(json!({"id": "t", "title": "t", "rules": [], "steps": [{"advance": 1}]})).unwrap_err();
        assert!(e.message.contains("lists no rule IDs"), "{e}");
        let e = parse(json!({"id": "t", "title": "t", "rules": ["R-NOPE-01"], "steps": [{"advance": 1}]})).unwrap_err();
        assert!(e.message.contains("unknown rule ID \"R-NOPE-01\""), "{e}");
        let e = parse(minimal(json!([{"advance": 1, "rules": ["R-X"]}]))).unwrap_err();
        assert!(e.message.contains("step 1: unknown rule ID"), "{e}");
    }

    #[test]
    fn malformed_steps_are_named_precisely() {
        let cases = [
            (json!([{"op": "Nope", "body": {}}]), "unknown operation \"Nope\""),
            (json!([{"op": "PutEvaluations"}]), "needs \"body\" or \"raw_body\""),
            (json!([{"op": "PutEvaluations", "body": {}, "advance": 1}]), "exactly one of"),
            (json!([{"advance": -1}]), "positive number"),
            (json!([{"control": {"action": "nope"}}]), "invalid control action"),
            (json!([{"op": "PutEvaluations", "body": {"ResultToken": "${bind:t}"}}]), "before any step binds it"),
            (json!([{"op": "PutEvaluations", "body": {}, "extra": 1}]), "unknown field `extra`"),
        ];
        for (steps, expected) in cases {
            let e = parse(minimal(steps.clone())).unwrap_err();
            assert!(e.message.contains(expected), "{steps}: {e}");
        }
        assert!(Scenario::parse("{", Path::new("x.json")).unwrap_err().to_string().starts_with("x.json: not a scenario"));
    }

    #[test]
    fn a_repeated_step_stands_for_numbered_copies() {
        let s = parse(minimal(json!([{"op": "PutConfigRule", "repeat": 3, "note": "three", "body": {"ConfigRule": {"ConfigRuleName": "${rule:r}${n}"}}}]))).unwrap();
        let names: Vec<Value> = s.steps.iter().map(|st| match &st.action {
            Action::Call { body: CallBody::Json(b), .. } => b["ConfigRule"]["ConfigRuleName"].clone(),
            _ => Value::Null,
        }).collect();
        assert_eq!(names, vec![json!("${rule:r}1"), json!("${rule:r}2"), json!("${rule:r}3")]);
        assert_eq!(s.steps[0].note.as_deref(), Some("three"));
        assert!(parse(minimal(json!([{"advance": 1, "repeat": 2}]))).unwrap_err().message.contains("\"repeat\" needs"));
        assert!(parse(minimal(json!([{"op": "PutConfigRule", "repeat": 0, "body": {}}]))).is_err());
    }

    #[test]
    fn needs_are_derived_from_steps() {
        let s = parse(minimal(json!([
            {"control": {"action": "set_recorder", "available": false}},
            {"advance": 5},
            {"op": "DescribeConfigRules", "body": {}},
            {"op": "DescribeConfigRules", "body": {"NextToken": "t"}},
            {"op": "DescribeComplianceByResource", "body": {}}
        ])))
        .unwrap();
        assert_eq!(s.needs, [Capability::Control, Capability::VirtualClock, Capability::Reset].into_iter().collect());
        assert!(s.needs_from_start.is_empty(), "each need belongs to its step: {:?}", s.needs_from_start);
        let per_step: Vec<Option<Capability>> = s.steps.iter().map(Step::needs).collect();
        // A first page of rules is judged on the scenario's own rules on any target.
        assert_eq!(
            per_step,
            [Some(Capability::Control), Some(Capability::VirtualClock), None, Some(Capability::Reset), Some(Capability::Reset)]
        );
    }

    #[test]
    fn templates_expand_per_side() {
        let bindings: BTreeMap<String, Value> = [("arn".to_owned(), json!("arn:x")), ("n".to_owned(), json!(3))].into();
        let side = Side { prefix: "p-", now: 100.0, bindings: &bindings };
        let t = json!({
            "ConfigRuleName": "${rule:a}",
            "Keys": {"$repeat": 2, "item": {"ResourceId": "r${i}"}},
            "Long": {"$string": 3},
            "Wide": {"$string": {"len": 2, "char": "é"}},
            "At": {"$now": 60},
            "Arn": "${bind:arn}",
            "N": {"$bind": "n"}
        });
        assert_eq!(
            instantiate(&t, &side).unwrap(),
            json!({"ConfigRuleName": "p-a", "Keys": [{"ResourceId": "r1"}, {"ResourceId": "r2"}], "Long": "aaa", "Wide": "éé", "At": 160, "Arn": "arn:x", "N": 3})
        );
        assert!(instantiate(&json!("${bind:zz}"), &side).unwrap_err().contains("nothing is bound"));
        assert!(instantiate(&json!("${weird}"), &side).unwrap_err().contains("unknown template"));
        assert!(instantiate(&json!({"$repeat": 1_000_000_000u64, "item": 1}), &side).unwrap_err().contains("more than"));
        assert!(instantiate(&json!("${rule:r${i}}"), &side).unwrap_err().contains("cannot be nested"));
        let nothing: BTreeMap<String, Value> = [("page".to_owned(), Value::Null)].into();
        let side = Side { prefix: "p-", now: 0.0, bindings: &nothing };
        assert_eq!(instantiate(&json!({"NextToken": "${bind:page}"}), &side).unwrap(), json!({"NextToken": null}));
        assert!(instantiate(&json!("t-${bind:page}"), &side).unwrap_err().contains("bound to nothing"));
        assert!(instantiate(&json!({"$string": 1_000_000_000u64}), &side).unwrap_err().contains("more than"));
    }

    #[test]
    fn paths_reach_into_lists_and_objects() {
        let v = json!({"A": [{"B": 1}]});
        assert_eq!(value_at(&v, "A/0/B"), Some(&json!(1)));
        assert_eq!(value_at(&v, "A/1/B"), None);
    }
}
