//! Transcripts: what a target answered in one scenario, normalised so that runs compare.
//!
//! The run's name prefix becomes `<prefix>`; uuid-shaped values (request and execution ids
//! among them), paging tokens, ResultTokens and account ids (also inside Arns) become
//! numbered placeholders (`<uuid:1>`, `<token:2>`, `<account:1>`) in order of first
//! appearance, so "the same Arn came back" stays visible; clock times become `<time>` unless
//! the target ran on the runner's clock; Java object hashes in validation messages become
//! `@<hash:1>`. Credentials never reach a transcript: requests carry
//! them only in headers, which are not recorded, and any text equal to one is replaced by
//! `<redacted>` all the same.
//!
//! A transcript holds what the target sent, not the verdicts the model gave it: a recording
//! changes when the target's answers change, not when the model does (`snapshot`).
//! Recordings are insta snapshots (`snapshots/<target>/*.snap`, see [`crate::snapshot`]).

use reference_model::Operation;
use crate::judge::ActualReply;
use crate::report::{ScenarioResult, StepKind};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// How a transcript is normalised.
#[derive(Clone, Debug, Default)]
pub struct Normalisation {
    /// True when the target ran on the runner's virtual clock: times are then exact and kept.
    pub keep_times: bool,
    /// Texts that must never be written (credentials): each becomes `<redacted>`.
    pub secrets: Vec<String>,
}

struct Normaliser<'a> {
    prefix: &'a str,
    keep_times: bool,
    secrets: &'a [String],
    /// Account ids seen in Arns, with their placeholder (`<account:1>`).
    accounts: Vec<(String, String)>,
    seen: BTreeMap<String, String>,
    counts: BTreeMap<&'static str, usize>,
}

fn is_uuid_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 36
        && s.split('-').map(str::len).collect::<Vec<_>>().ends_with(&[8, 4, 4, 4, 12])
        && s.chars().filter(|c| *c != '-').all(|c| c.is_ascii_hexdigit())
}

/// The account id of an Arn (`arn:<partition>:<service>:<region>:<account>:…`), when it has one.
fn arn_account(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("arn:")?;
    let account = rest.split(':').nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// Every Arn inside a text (Arns may sit inside error messages).
fn arns_in(s: &str) -> impl Iterator<Item = &str> {
    s.match_indices("arn:").map(move |(i, _)| &s[i..])
}

/// Members whose value is an identifier the target makes up: numbered whatever their shape.
fn id_kind(key: &str) -> Option<&'static str> {
    match key {
        "NextToken" | "ResultToken" => Some("token"),
        "RequestId" | "requestId" | "x-amzn-RequestId" => Some("request-id"),
        "ExecutionId" | "AutomationExecutionId" | "ExecutionArn" => Some("execution-id"),
        _ => None,
    }
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

    /// Numbers the account ids of every Arn of `v`, in order of first appearance, before the
    /// values are rewritten: a message may name the account before any Arn member does.
    fn learn_accounts(&mut self, v: &Value) {
        match v {
            Value::String(s) => {
                for account in arns_in(s).filter_map(arn_account) {
                    self.learn_account(account);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.learn_accounts(i)),
            Value::Object(map) => {
                for (k, item) in map {
                    // An account id the answer names outside any Arn.
                    if let (true, Value::String(a)) = (k.eq_ignore_ascii_case("AccountId"), item) {
                        self.learn_account(a);
                    }
                    self.learn_accounts(item);
                }
            }
            _ => {}
        }
    }

    fn learn_account(&mut self, account: &str) {
        let twelve_digits = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        if twelve_digits && !self.accounts.iter().any(|(a, _)| a == account) {
            let p = format!("<account:{}>", self.accounts.len() + 1);
            self.accounts.push((account.to_owned(), p));
        }
    }

    fn string(&mut self, key: Option<&str>, s: &str) -> String {
        let mut s = s.replace(self.prefix, "<prefix>");
        for secret in self.secrets.iter().filter(|x| !x.is_empty()) {
            s = s.replace(secret.as_str(), "<redacted>");
        }
        for (account, p) in &self.accounts {
            s = s.replace(account.as_str(), p);
        }
        if let Some(kind) = key.and_then(id_kind) {
            return self.placeholder(kind, &s);
        }
        if s.contains("com.amazonaws.") {
            s = self.java_hashes(&s);
        }
        // Arns and ids end in a uuid: keep the readable part, number the uuid.
        if let Some(i) = s.rfind(['/', ':']) {
            let (head, tail) = s.split_at(i + 1);
            if is_uuid_like(tail) {
                return format!("{head}{}", self.placeholder("uuid", tail));
            }
        }
        // Whatever else ends a remediation configuration's Arn is the target's id for it too
        // (fakecloud 0.51.0 uses six hex digits): numbered the same way.
        if let Some((head, id)) = s.rsplit_once('/').filter(|(head, id)| head.contains(":remediation-configuration/") && !id.is_empty()) {
            return format!("{head}/{}", self.placeholder("id", id));
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

    /// A validation message renders a list of structures the way Java prints objects
    /// (`com.amazonaws.starling.dove.Evaluation@1a2b3c4d`): the hash code changes with every
    /// name in the request, so it is numbered like an id (`@<hash:1>`), keeping "the same
    /// object twice".
    fn java_hashes(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut parts = s.split('@');
        out.push_str(parts.next().unwrap_or_default());
        for part in parts {
            let class = out.rsplit([' ', '[', ',', '\'']).next().unwrap_or_default();
            let digits = part.bytes().take_while(u8::is_ascii_hexdigit).count();
            if class.starts_with("com.amazonaws.") && (1..=8).contains(&digits) {
                let hash = self.placeholder("hash", &part[..digits]);
                out.push('@');
                out.push_str(&hash);
                out.push_str(&part[digits..]);
            } else {
                out.push('@');
                out.push_str(part);
            }
        }
        out
    }

    fn is_time(&self, key: Option<&str>) -> bool {
        !self.keep_times && key.is_some_and(|k| k.ends_with("Time") || k.ends_with("Timestamp"))
    }

    fn value(&mut self, key: Option<&str>, v: &Value) -> Value {
        match v {
            // Without a shared clock a time differs run to run, whether a number or a text.
            Value::Number(_) | Value::String(_) if self.is_time(key) => Value::String("<time>".into()),
            Value::String(s) => Value::String(self.string(key, s)),
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

fn learn_accounts_of(n: &mut Normaliser<'_>, result: &ScenarioResult) {
    for step in &result.steps {
        if let Some(request) = &step.request {
            n.learn_accounts(request);
        }
        match &step.actual {
            Some(ActualReply::Success { body, .. }) => n.learn_accounts(body),
            Some(ActualReply::Failure { message: Some(m), .. }) => n.learn_accounts(&Value::String(m.clone())),
            _ => {}
        }
    }
}

/// The account ids of a scenario run in placeholder order: the first is `<account:1>`. The
/// findings replay (`snapshot::findings`) maps a recording's accounts back with them.
pub fn accounts(result: &ScenarioResult) -> Vec<String> {
    let mut n = Normaliser { prefix: "", keep_times: true, secrets: &[], accounts: Vec::new(), seen: BTreeMap::new(), counts: BTreeMap::new() };
    learn_accounts_of(&mut n, result);
    n.accounts.into_iter().map(|(a, _)| a).collect()
}

/// The normalised transcript of one scenario run, times as `keep_times` says.
pub fn transcript(result: &ScenarioResult, prefix: &str, keep_times: bool) -> Value {
    transcript_with(result, prefix, &Normalisation { keep_times, secrets: Vec::new() })
}

/// The normalised transcript of one scenario run: one block per step, members in a fixed
/// order (`step`, then what it did, the request, and the answer).
pub fn transcript_with(result: &ScenarioResult, prefix: &str, how: &Normalisation) -> Value {
    let mut n = Normaliser {
        prefix,
        keep_times: how.keep_times,
        secrets: &how.secrets,
        accounts: Vec::new(),
        seen: BTreeMap::new(),
        counts: BTreeMap::new(),
    };
    learn_accounts_of(&mut n, result);
    let steps: Vec<Value> = result
        .steps
        .iter()
        .map(|step| {
            let mut out = json!({"step": step.index});
            match step.kind {
                StepKind::Advance => out["advance"] = json!(true),
                StepKind::Control => out["control"] = n.value(None, step.request.as_ref().unwrap_or(&Value::Null)),
                StepKind::Call => {
                    out["op"] = json!(step.operation);
                    if step.target_header != step.operation.map(Operation::target) {
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
                        // No usable answer: the transport's words (ports, timings) vary run to
                        // run, so only the fact is recorded, with the status when one came.
                        None => {
                            out["status"] = json!(step.status);
                            out["no_answer"] = json!(true);
                        }
                    }
                }
            }
            out
        })
        .collect();
    json!({"scenario": result.id, "steps": steps})
}

/// The file name of a scenario's transcript (`exceptions/only-non-compliant` → `exceptions__only-non-compliant`).
pub fn file_stem(scenario_id: &str) -> String {
    scenario_id.replace('/', "__")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn normaliser<'a>(prefix: &'a str, secrets: &'a [String]) -> Normaliser<'a> {
        Normaliser { prefix, keep_times: false, secrets, accounts: Vec::new(), seen: BTreeMap::new(), counts: BTreeMap::new() }
    }

    /// Redaction of the account id (also inside Arns and messages), request and execution
    /// ids, tokens and credentials, with identity kept: the same value twice gets one placeholder.
    #[rstest]
    #[case::account_in_a_message_before_any_arn(
        json!({"message": "account 210987654321 cannot", "Arn": "arn:aws:config:eu-west-1:210987654321:config-rule/config-rule-ab12cd"}),
        json!({"message": "account <account:1> cannot", "Arn": "arn:aws:config:eu-west-1:<account:1>:config-rule/config-rule-<rule-id:1>"}))]
    #[case::two_accounts_stay_apart(
        json!(["arn:aws:iam::111111111111:role/a", "arn:aws:iam::222222222222:role/b", "arn:aws:iam::111111111111:role/c"]),
        json!(["arn:aws:iam::<account:1>:role/a", "arn:aws:iam::<account:2>:role/b", "arn:aws:iam::<account:1>:role/c"]))]
    #[case::request_and_execution_ids(
        json!({"RequestId": "r-1", "ExecutionId": "e-1", "AutomationExecutionId": "e-1", "ResultToken": "t", "Other": "r-1"}),
        json!({"RequestId": "<request-id:1>", "ExecutionId": "<execution-id:1>", "AutomationExecutionId": "<execution-id:1>", "ResultToken": "<token:1>", "Other": "r-1"}))]
    #[case::credentials_anywhere(
        json!({"message": "key AKIDSECRETX and wJalrSECRET/K7 and token FwoGSESSION"}),
        json!({"message": "key <redacted> and <redacted> and token <redacted>"}))]
    #[case::account_id_member(json!({"AccountId": "333333333333", "m": "in 333333333333"}), json!({"AccountId": "<account:1>", "m": "in <account:1>"}))]
    #[case::java_object_hashes(
        json!({"message": "Value '[com.amazonaws.starling.dove.Evaluation@8f58ae6a, com.amazonaws.starling.dove.Evaluation@80751fd, com.amazonaws.starling.dove.Evaluation@8f58ae6a]' at 'evaluations' failed; mail a@b0"}),
        json!({"message": "Value '[com.amazonaws.starling.dove.Evaluation@<hash:1>, com.amazonaws.starling.dove.Evaluation@<hash:2>, com.amazonaws.starling.dove.Evaluation@<hash:1>]' at 'evaluations' failed; mail a@b0"}))]
    #[case::short_configuration_ids(
        json!({"Arn": "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1234abcd-a/7596bc", "Other": "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1234abcd-b/c457bc"}),
        json!({"Arn": "arn:aws:config:us-east-1:<account:1>:remediation-configuration/<prefix>a/<id:1>", "Other": "arn:aws:config:us-east-1:<account:1>:remediation-configuration/<prefix>b/<id:2>"}))]
    #[case::text_times_too(json!({"ExpirationTime": "2026-01-01T00:00:00Z"}), json!({"ExpirationTime": "<time>"}))]
    fn redacts_and_numbers(#[case] given: Value, #[case] expected: Value) {
        let secrets = ["AKIDSECRETX".to_owned(), "wJalrSECRET/K7".to_owned(), "FwoGSESSION".to_owned()];
        let mut n = normaliser("rsuite-1234abcd-", &secrets);
        n.learn_accounts(&given);
        assert_eq!(n.value(None, &given), expected);
    }

    #[test]
    fn identity_is_kept_and_noise_removed() {
        let mut n = normaliser("rsuite-1234abcd-", &[]);
        let arn = "arn:aws:config:us-east-1:123456789012:remediation-configuration/rsuite-1234abcd-a/5f6c2a1e-0b7d-4c3e-9a8b-112233445566";
        let v = json!({"Arn": arn, "Again": arn, "NextToken": "abc", "InvocationTime": 1767225601, "ConfigRuleId": "config-rule-ab12cd"});
        n.learn_accounts(&v);
        assert_eq!(
            n.value(None, &v),
            json!({"Arn": "arn:aws:config:us-east-1:<account:1>:remediation-configuration/<prefix>a/<uuid:1>", "Again": "arn:aws:config:us-east-1:<account:1>:remediation-configuration/<prefix>a/<uuid:1>",
                   "NextToken": "<token:1>", "InvocationTime": "<time>", "ConfigRuleId": "config-rule-<rule-id:1>"})
        );
    }
}
