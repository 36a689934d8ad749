//! Transcripts: what a target answered in one scenario, normalised so that runs compare.
//!
//! The run's name prefix becomes `<prefix>`; uuid-shaped values, paging tokens and
//! ResultTokens become numbered placeholders (`<uuid:1>`, `<token:2>`) in order of first
//! appearance, so "the same Arn came back" stays visible; clock times become `<time>` unless
//! the target ran on the runner's clock. The reference endpoint's transcripts are insta
//! snapshots in `snapshots/reference/`; `record` writes any other target's into
//! `snapshots/<target>/`.

use crate::judge::ActualReply;
use crate::report::{ScenarioResult, StepKind};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

struct Normaliser<'a> {
    prefix: &'a str,
    keep_times: bool,
    seen: BTreeMap<String, String>,
    counts: BTreeMap<&'static str, usize>,
}

fn is_uuid_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 36
        && s.split('-').map(str::len).collect::<Vec<_>>().ends_with(&[8, 4, 4, 4, 12])
        && s.chars().filter(|c| *c != '-').all(|c| c.is_ascii_hexdigit())
}

impl Normaliser<'_> {
    fn placeholder(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(p) = self.seen.get(value) {
            return p.clone();
        }
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        let p = format!("<{kind}:{n}>");
        self.seen.insert(value.to_owned(), p.clone());
        p
    }

    fn string(&mut self, key: Option<&str>, s: &str) -> String {
        let s = s.replace(self.prefix, "<prefix>");
        if matches!(key, Some("NextToken" | "ResultToken")) {
            return self.placeholder("token", &s);
        }
        // Arns and ids end in a uuid: keep the readable part, number the uuid.
        if let Some(i) = s.rfind(['/', ':']) {
            let (head, tail) = s.split_at(i + 1);
            if is_uuid_like(tail) {
                return format!("{head}{}", self.placeholder("uuid", tail));
            }
        }
        if is_uuid_like(&s) || s.strip_prefix("rt-").is_some_and(is_uuid_like) {
            return self.placeholder("uuid", &s);
        }
        if let Some(id) = s.strip_prefix("config-rule-").filter(|rest| rest.len() == 6) {
            return format!("config-rule-{}", self.placeholder("rule-id", id));
        }
        if let Some((head, id)) = s.rsplit_once("config-rule/config-rule-") {
            return format!("{head}config-rule/config-rule-{}", self.placeholder("rule-id", id));
        }
        s
    }

    fn value(&mut self, key: Option<&str>, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.string(key, s)),
            Value::Number(_) if !self.keep_times && key.is_some_and(|k| k.ends_with("Time") || k.ends_with("Timestamp")) => {
                Value::String("<time>".into())
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(key, i)).collect()),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, item) in map {
                    out.insert(k.clone(), self.value(Some(k), item));
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// The normalised transcript of one scenario run.
pub fn transcript(result: &ScenarioResult, prefix: &str, keep_times: bool) -> Value {
    let mut n = Normaliser { prefix, keep_times, seen: BTreeMap::new(), counts: BTreeMap::new() };
    let steps: Vec<Value> = result
        .steps
        .iter()
        .map(|step| {
            let mut out = json!({"step": step.index, "verdict": step.verdict});
            match step.kind {
                StepKind::Advance => out["advance"] = json!(true),
                StepKind::Control => out["control"] = n.value(None, step.request.as_ref().unwrap_or(&Value::Null)),
                StepKind::Call => {
                    out["op"] = json!(step.operation);
                    if step.target_header.as_deref() != step.operation.as_deref().map(|o| format!("StarlingDoveService.{o}")).as_deref() {
                        out["target_header"] = json!(step.target_header);
                    }
                    out["request"] = n.value(None, step.request.as_ref().unwrap_or(&Value::Null));
                    match &step.actual {
                        Some(ActualReply::Success { status, body }) => {
                            out["status"] = json!(status);
                            out["answer"] = n.value(None, body);
                        }
                        Some(ActualReply::Failure { status, code, message }) => {
                            out["status"] = json!(status);
                            out["error"] = json!({"__type": code, "message": message.as_ref().map(|m| n.string(None, m))});
                        }
                        None => out["note"] = json!(step.note),
                    }
                }
            }
            out
        })
        .collect();
    json!({"scenario": result.id, "verdict": result.verdict, "steps": steps})
}

/// The file name of a scenario's transcript (`exceptions/only-non-compliant` → `exceptions__only-non-compliant`).
pub fn file_stem(scenario_id: &str) -> String {
    scenario_id.replace('/', "__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_kept_and_noise_removed() {
        let mut n = Normaliser { prefix: "rsuite-1234abcd-", keep_times: false, seen: BTreeMap::new(), counts: BTreeMap::new() };
        let arn = "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1234abcd-a/5f6c2a1e-0b7d-4c3e-9a8b-112233445566";
        let v = json!({"Arn": arn, "Again": arn, "NextToken": "abc", "InvocationTime": 1767225601, "ConfigRuleId": "config-rule-ab12cd"});
        assert_eq!(
            n.value(None, &v),
            json!({"Arn": "arn:aws:config:us-east-1:123456789012:remediation-configuration/<prefix>a/<uuid:1>", "Again": "arn:aws:config:us-east-1:123456789012:remediation-configuration/<prefix>a/<uuid:1>",
                   "NextToken": "<token:1>", "InvocationTime": "<time>", "ConfigRuleId": "config-rule-<rule-id:1>"})
        );
    }
}
