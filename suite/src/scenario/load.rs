//! The scenario file format: raw records as written, checked and turned into a [`Scenario`].

use super::template::bind_references;
use super::{lists_whole_account, Action, CallBody, Scenario, ScenarioError, Step, TargetHeader, MAX_REPEAT};
use crate::profile::Capability;
use reference_model::clauses::{RuleId, UnknownRule};
use reference_model::{Control, Operation};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
}
