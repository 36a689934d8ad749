//! Findings about the model (issue 10, item 4): recorded answers outside every outcome the
//! model accepts at MUST.
//!
//! Each recorded scenario is run again by the runner, with the model beside it as always, but
//! every answer it judges is the recorded one: the embedded reference endpoint takes the
//! requests (it gives the run its reset and control actions) and an [`AnswerHook`] puts the
//! recorded answer of the same step in place of its own, with the placeholders turned back
//! into values of the right shape (`<uuid:3>` into one uuid, always the same for 3). A step the
//! judge FAILs is a finding: the model refuses at MUST what the recorded target answered. From
//! a recording of the real service that is a model bug or a missing register entry
//! (ASSUMPTIONS.md); from an emulator, usually the emulator's. The runner stops a scenario at
//! its first FAIL, so a scenario gives at most one finding per pass.

use super::{SnapshotDir, SnapshotError, SnapshotFile};
use crate::target::Observed;
use crate::profile::{Capability, TargetProfile};
use crate::report::ExpectedReply;
use crate::runner::{run_scenario_hooked, AnswerHook, RunSettings};
use crate::scenario::{Action, Scenario};
use reference_endpoint::{self as server, ServerConfig};
use crate::target::{Endpoint, EndpointError, HttpTarget, SigningCredentials};
use crate::verdict::Verdict;
use reference_model::{Operation, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// A recorded answer the model refuses at MUST.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub scenario: String,
    pub step: usize,
    pub operation: String,
    /// The recorded step: request, status, answer or error, as in the recording.
    pub recorded: Value,
    /// Every outcome the model accepts there.
    pub outcomes: Vec<ExpectedReply>,
    /// Why the judge refused it: path and what differs.
    pub why: Vec<String>,
}

/// Why findings could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error("cannot start the reference endpoint: {0}")]
    Server(std::io::Error),
    /// The client for the embedded endpoint could not be built.
    #[error(transparent)]
    Target(#[from] EndpointError),
}

/// Placeholders back into values of the right shape, the same value for the same placeholder.
struct Denormaliser<'a> {
    prefix: &'a str,
    /// The accounts of the same scenario run against the reference endpoint, in placeholder
    /// order: a recording's `<account:2>` is the account that came second there too.
    accounts: Vec<String>,
    now_seconds: f64,
}

impl Denormaliser<'_> {
    fn text(&self, s: &str) -> Value {
        if s == "<time>" {
            return serde_json::json!(self.now_seconds);
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s.replace("<prefix>", self.prefix);
        while let Some(start) = rest.find('<') {
            let Some(len) = rest[start..].find('>') else { break };
            let inner = &rest[start + 1..start + len];
            let replaced = inner.split_once(':').and_then(|(kind, n)| Some((kind, n.parse::<u64>().ok()?))).and_then(|(kind, n)| {
                Some(match kind {
                    "account" => self.accounts.get(n as usize - 1).cloned().unwrap_or_else(|| format!("{:012}", 100_000_000_000 + n)),
                    "uuid" | "request-id" | "execution-id" => format!("{n:08x}-0000-4000-8000-{n:012x}"),
                    "rule-id" => format!("r{n:05}"),
                    "token" => format!("recorded-token-{n}"),
                    _ => return None,
                })
            });
            out.push_str(&rest[..start]);
            match replaced {
                Some(r) => out.push_str(&r),
                None => out.push_str(&rest[start..=start + len]),
            }
            rest = rest[start + len + 1..].to_owned();
        }
        out.push_str(&rest);
        Value::String(out)
    }

    fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => self.text(s),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.value(v))).collect()),
            other => other.clone(),
        }
    }

    /// The recorded step as the answer a target sends; `None` when the step has no answer.
    fn observed(&self, step: &Value) -> Option<Observed> {
        let status = step.get("status").and_then(Value::as_u64)? as u16;
        let body = if let Some(error) = step.get("error") {
            let mut e = serde_json::Map::new();
            e.insert("__type".into(), error.get("__type").cloned().unwrap_or(Value::Null));
            if let Some(m) = error.get("message").filter(|m| !m.is_null()) {
                e.insert("message".into(), self.value(m));
            }
            serde_json::to_vec(&Value::Object(e)).ok()?
        } else if step.get("no_answer").is_some() {
            return None;
        } else {
            match step.get("answer") {
                None | Some(Value::Null) => Vec::new(),
                Some(a) => serde_json::to_vec(&self.value(a)).ok()?,
            }
        };
        Some(Observed { status, headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())], body })
    }
}

/// Puts the recorded answers in place of the endpoint's, by step.
struct Replay<'a> {
    /// The scenario step (1-based) of each call, in call order.
    call_steps: Vec<usize>,
    recorded: BTreeMap<usize, Value>,
    denormaliser: Denormaliser<'a>,
}

impl AnswerHook for Replay<'_> {
    fn answer(&self, call: usize, _op: Operation, _outcome: &Outcome, observed: Observed) -> Observed {
        let recorded = self.call_steps.get(call).and_then(|s| self.recorded.get(s)).and_then(|step| self.denormaliser.observed(step));
        // A step the recording does not have (its target stopped earlier) ends the scenario as
        // an ERROR, never as a finding.
        drop(observed);
        recorded.unwrap_or(Observed { status: 599, headers: Vec::new(), body: b"no recorded answer".to_vec() })
    }
}

/// The profile the recorded target had, with `reset` always (the reference endpoint resets,
/// so that the run's names are the prefix the placeholders stand for).
fn replay_profile(recorded_target: &str) -> TargetProfile {
    let mut p = TargetProfile::builtin(recorded_target).unwrap_or_else(|| TargetProfile::builtin("reference").expect("built in"));
    p.capabilities.insert(Capability::Reset);
    p.reset_path = Some("/_reference/reset".into());
    p
}

/// Findings of every recording in `dir` for the given scenarios; `recorded_target` names the
/// target the recordings are of (its capabilities decide which steps run, as they did).
pub async fn findings(dir: &SnapshotDir, scenarios: &[Scenario], recorded_target: &str) -> Result<Vec<Finding>, FindingsError> {
    let running = server::start(ServerConfig::default(), ([127, 0, 0, 1], 0).into()).await.map_err(FindingsError::Server)?;
    let endpoint = Endpoint { url: running.url.clone(), region: "us-east-1".into(), credentials: SigningCredentials::local(), timeout: Duration::from_secs(10) };
    let target = HttpTarget::new(endpoint, replay_profile(recorded_target))?;
    let settings = RunSettings::new(0);
    let now_seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs() as f64);
    let mut out = Vec::new();
    for scenario in scenarios {
        let Some(file) = SnapshotFile::read(&dir.accepted(&scenario.id))? else { continue };
        let steps = file.body.get("steps").and_then(Value::as_array).cloned().unwrap_or_default();
        let recorded: BTreeMap<usize, Value> =
            steps.iter().filter_map(|s| Some((s.get("step")?.as_u64()? as usize, s.clone()))).collect();
        let call_steps = scenario.steps.iter().enumerate().filter(|(_, s)| matches!(s.action, Action::Call { .. })).map(|(i, _)| i + 1).collect();
        // The same scenario with the endpoint's own answers first: it tells which account each
        // placeholder stands for (a scenario's requests name accounts of their own).
        let baseline = crate::runner::run_scenario(&target, scenario, &settings).await;
        let hook = Replay {
            call_steps,
            recorded,
            denormaliser: Denormaliser { prefix: &settings.prefix, accounts: crate::transcript::accounts(&baseline), now_seconds },
        };
        let result = run_scenario_hooked(&target, scenario, &settings, Some(&hook)).await;
        for step in result.steps.iter().filter(|s| s.verdict == Verdict::Fail) {
            let Some(recorded) = hook.recorded.get(&step.index) else { continue };
            out.push(Finding {
                scenario: scenario.id.clone(),
                step: step.index,
                operation: step.operation.map(|o| o.name().to_owned()).unwrap_or_default(),
                recorded: recorded.clone(),
                outcomes: step.expected.clone(),
                why: step.differences.iter().map(|d| format!("{} ({:?}): the model accepts {}, recorded {}", d.path, d.level, d.expected, d.actual)).collect(),
            });
        }
    }
    running.shutdown().await;
    Ok(out)
}

/// The findings as text: step, recorded answer, the model's outcomes and why they differ.
pub fn render(findings: &[Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        text.push_str(&format!("FINDING {} step {} {}\n", f.scenario, f.step, f.operation));
        let answer = f.recorded.get("error").or_else(|| f.recorded.get("answer")).cloned().unwrap_or(Value::Null);
        text.push_str(&format!("  recorded  HTTP {} {}\n", f.recorded.get("status").cloned().unwrap_or(Value::Null), answer));
        for (i, o) in f.outcomes.iter().enumerate() {
            let what = match (&o.code, &o.body) {
                (Some(code), _) => format!("{code} ({:?})", o.code_level),
                (None, Some(body)) => body.to_string(),
                (None, None) => "empty".to_owned(),
            };
            text.push_str(&format!("  model {}   {:?} HTTP {} {what}\n", i + 1, o.provenance, o.status));
        }
        for why in &f.why {
            text.push_str(&format!("  differs   {why}\n"));
        }
    }
    text.push_str(&format!("{} finding(s)\n", findings.len()));
    text
}
