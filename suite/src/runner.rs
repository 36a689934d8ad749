//! Running scenarios: the model and the target side by side, step by step.
//!
//! For every call the model says what is acceptable ([`reference_model::Outcome`]), the target
//! answers, and the [`Judge`] gives the verdict. The model then follows the alternative the
//! target matched, so a target that chose another documented behaviour is judged by that
//! choice from then on. A scenario stops at its first `FAIL`, `ERROR` or `UNIMPLEMENTED` step:
//! after it the target's state and the model's no longer agree.
//!
//! Safety: names come from `${rule:…}` and carry the run's prefix; after a scenario the runner
//! deletes the rules (and their remediation configurations) it created, and nothing else.

use crate::judge::history::ExecutionHistory;
use crate::judge::{ActualReply, Identities, Judge};
use crate::target::Observed;
use crate::profile::Capability;
use crate::report::{ExpectedReply, ScenarioResult, StepKind, StepResult};
use crate::scenario::{self, Action, CallBody, Scenario, Side, TargetHeader};
use crate::target::{Target, WireRequest};
use crate::teardown::{self, Leftover};
use crate::verdict::Verdict;
use reference_model::{Alternative, ErrorCode, Level, Millis, Operation, Outcome, Reply, Timestamp, World};
use reference_model::names::RuleName;
use reference_model::ops::{handle_body, RequestBody};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Instant, SystemTime, UNIX_EPOCH};


/// Why a control step could not be sent: its template, or the action it expands to.
#[derive(Debug, thiserror::Error)]
enum ControlStepError {
    #[error(transparent)]
    Template(scenario::TemplateError),
    #[error(transparent)]
    Action(serde_json::Error),
}

/// One side's request body of a step: the bytes sent, and what they read as, read once per
/// step so that the model's calls, the report and the runner's own look at the request share
/// one parse.
struct SentBody {
    bytes: Vec<u8>,
    read: RequestBody,
}

impl SentBody {
    /// A scenario's JSON body: sent as its text, which reads back as the value itself.
    fn json(value: Value) -> Self {
        SentBody { bytes: value.to_string().into_bytes(), read: RequestBody::Json(value) }
    }

    /// A scenario's raw body, sent as it is.
    fn raw(bytes: Vec<u8>) -> Self {
        let read = RequestBody::read(&bytes);
        SentBody { bytes, read }
    }
}

/// True for a listing of rules that names none and, by the model, spans more than one page:
/// its pages depend on every rule of the account, so only an empty account can judge it.
fn pages_whole_account(op: Operation, request: &RequestBody, outcome: &Outcome) -> bool {
    if !matches!(op, Operation::DescribeConfigRules | Operation::DescribeComplianceByConfigRule) {
        return false;
    }
    let names = request.json().and_then(|r| r.get("ConfigRuleNames")).and_then(Value::as_array).is_some_and(|n| !n.is_empty());
    let pages = matches!(&outcome.preferred().reply, Reply::Success(body) if body.get("NextToken").is_some_and(|t| !t.is_null()));
    !names && pages
}

/// Most other states a scenario follows at once (each costs a model call per step).
const MAX_CANDIDATE_STATES: usize = 8;

/// What every scenario of one run shares.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Prefix of every name this run creates (`rsuite-<8 hex>-`).
    pub prefix: String,
    /// Account and region of the model's world (what the reference endpoint uses).
    pub account_id: String,
    pub region: String,
    /// Where the virtual clock starts, for targets whose clock the runner controls.
    pub clock_start: Timestamp,
    /// How long cleanup waits after a scenario for what is still busy (an execution in
    /// progress); what is still there is retried once more at the end of the run.
    pub cleanup_wait: std::time::Duration,
}

/// The prefix of every name the suite creates; `cleanup` removes only names starting with it.
pub const NAME_PREFIX: &str = "rsuite-";

/// The run's interruption: `true` once Ctrl-C or SIGTERM arrived. A watch channel, so that every
/// request in flight is abandoned the moment it comes, without polling.
fn interruption() -> &'static tokio::sync::watch::Sender<bool> {
    static CHANNEL: std::sync::OnceLock<tokio::sync::watch::Sender<bool>> = std::sync::OnceLock::new();
    CHANNEL.get_or_init(|| tokio::sync::watch::channel(false).0)
}

/// Asks running scenarios to stop at their next step; each still deletes what it created.
pub fn interrupt() {
    interruption().send_replace(true);
}

/// Resolves once the run is interrupted (a request in flight must not outlive Ctrl-C).
async fn until_interrupted() {
    let mut interrupted = interruption().subscribe();
    // The sender lives for the whole process, so waiting only ends with an interruption.
    let _ = interrupted.wait_for(|stop| *stop).await;
}

/// True once [`interrupt`] was called (Ctrl-C or SIGTERM during `run`).
pub fn interrupted() -> bool {
    *interruption().borrow()
}

impl RunSettings {
    pub fn new(run_id: u64) -> Self {
        RunSettings {
            prefix: prefix_for(run_id),
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            clock_start: Timestamp::EPOCH_2026,
            cleanup_wait: std::time::Duration::from_secs(1),
        }
    }
}

impl RunSettings {
    /// The same settings with names no earlier run used, whatever its seed: on a target that
    /// keeps its state between runs, the seed fixes what is generated, not the names.
    pub fn with_fresh_names(mut self) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let nonce = nanos ^ (u64::from(std::process::id()) << 32);
        self.prefix = scenario_prefix(&self.prefix, &nonce.to_string());
        self
    }
}

fn prefix_for(id: u64) -> String {
    format!("{NAME_PREFIX}{:08x}-", id & 0xffff_ffff)
}

/// Each scenario gets its own prefix (of the same length as the run's), derived from the run's
/// and the scenario id, so that a scenario never meets what another left on a shared account.
fn scenario_prefix(run_prefix: &str, scenario_id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in run_prefix.bytes().chain(scenario_id.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    prefix_for(h ^ (h >> 32))
}

fn wall_now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    Timestamp::from_millis(ms)
}

/// The model's answer to a call whose `X-Amz-Target` names no operation (S-12).
fn unknown_operation() -> Outcome {
    Outcome::new(Alternative::error(ErrorCode::UnknownOperationException, "").code_level(Level::Should)).clause(reference_model::rule!("M-10"))
}

fn expected_replies(outcome: &Outcome) -> Vec<ExpectedReply> {
    outcome
        .alternatives
        .iter()
        .map(|a| {
            let (code, message, body) = match &a.reply {
                Reply::Success(b) => (None, None, Some(b.clone())),
                Reply::Failure(e) => (Some(e.code.as_str().to_owned()), Some(e.message.clone()).filter(|m| !m.is_empty()), None),
            };
            ExpectedReply {
                provenance: a.provenance,
                status: a.reply.status(),
                code,
                code_level: a.code_level,
                message,
                message_level: a.message_level,
                body,
                basis: (!a.basis.is_empty()).then(|| a.basis.to_owned()),
            }
        })
        .collect()
}

/// Sees every answer before the judge does and may replace it. The mutation harness
/// (`suite_testkit::mutate`) plants wrong answers and acceptable variants through it; a normal run has
/// none.
pub trait AnswerHook: Sync {
    /// `call` counts the scenario's API calls from 0; `outcome` is what the model accepts.
    fn answer(&self, call: usize, op: Operation, outcome: &Outcome, observed: Observed) -> Observed;
}

/// One scenario's progress.
struct Run<'a, T: Target> {
    target: &'a T,
    hook: Option<&'a dyn AnswerHook>,
    /// API calls made so far (what [`AnswerHook::answer`] counts).
    calls: usize,
    /// The name prefix of this scenario.
    prefix: String,
    clock_shared: bool,
    now: Timestamp,
    world: World,
    model_bindings: BTreeMap<String, Value>,
    target_bindings: BTreeMap<String, Value>,
    identities: Identities,
    /// Other states the target may be in: an earlier answer matched several alternatives alike
    /// (A-21: an older evaluation ignored or stored). Each follows every step; a later answer
    /// the model's state cannot explain but one of these can makes it the model's state (the
    /// idea of Knossos: an answer is valid if some allowed history explains it).
    candidates: Vec<World>,
    created_rules: BTreeSet<String>,
    execution_history: ExecutionHistory,
}

/// Runs one scenario against a target.
pub async fn run_scenario<T: Target>(target: &T, scenario: &Scenario, settings: &RunSettings) -> ScenarioResult {
    run_scenario_hooked(target, scenario, settings, None).await
}

/// [`run_scenario`], with every answer passed through `hook` before it is judged.
pub async fn run_scenario_hooked<T: Target>(
    target: &T,
    scenario: &Scenario,
    settings: &RunSettings,
    hook: Option<&dyn AnswerHook>,
) -> ScenarioResult {
    let started = Instant::now();
    let mut result = ScenarioResult::new(scenario);
    let missing: Vec<String> =
        scenario.needs_from_start.iter().filter(|c| !target.profile().has(**c)).map(|c| c.to_string()).collect();
    if !missing.is_empty() {
        result.verdict = Verdict::Skipped;
        result.note = Some(format!("the target ({}) lacks {}", target.profile().name, missing.join(", ")));
        return result;
    }
    let clock_shared = target.profile().has(Capability::VirtualClock);
    if target.profile().has(Capability::Reset) {
        if let Err(e) = target.reset().await {
            result.verdict = Verdict::Error;
            result.note = Some(format!("cannot reset the target: {e}"));
            return result;
        }
    }
    let now = if clock_shared { settings.clock_start } else { wall_now() };
    if clock_shared {
        if let Err(e) = target.set_clock(now.seconds_f64()).await {
            result.verdict = Verdict::Error;
            result.note = Some(format!("cannot set the target's clock: {e}"));
            return result;
        }
    }
    let prefix = if target.profile().has(Capability::Reset) { settings.prefix.clone() } else { scenario_prefix(&settings.prefix, &scenario.id) };
    result.prefix = prefix.clone();
    let mut run = Run {
        target,
        hook,
        calls: 0,
        prefix,
        clock_shared,
        now,
        world: World::new(&settings.account_id, &settings.region, now),
        model_bindings: BTreeMap::new(),
        target_bindings: BTreeMap::new(),
        identities: Identities::default(),
        candidates: Vec::new(),
        created_rules: BTreeSet::new(),
        execution_history: ExecutionHistory::default(),
    };
    let mut verdict = Verdict::Pass;
    for (i, step) in scenario.steps.iter().enumerate() {
        if interrupted() {
            verdict = Verdict::Error;
            result.note = Some(format!("interrupted before step {}", i + 1));
            break;
        }
        // A step the target cannot take ends the scenario there: what comes after may depend on
        // it. The steps before it were judged; with none judged, the scenario is SKIPPED.
        if let Some(capability) = step.needs().filter(|c| !target.profile().has(*c)) {
            let judged = result.steps.iter().any(|s| s.kind == StepKind::Call);
            if !judged {
                verdict = Verdict::Skipped;
            }
            result.note = Some(format!(
                "steps {}–{} not run: step {} needs {capability}, which the target ({}) lacks",
                i + 1,
                scenario.steps.len(),
                i + 1,
                target.profile().name
            ));
            break;
        }
        let step_started = Instant::now();
        let mut record = run.step(i, step).await;
        record.duration_ms = step_started.elapsed().as_millis() as u64;
        // A call the runner found it cannot judge on this target (a listing of the whole
        // account that pages, without reset) ends the scenario like a missing capability.
        if record.verdict == Verdict::Skipped {
            if !result.steps.iter().any(|s| s.kind == StepKind::Call) {
                verdict = Verdict::Skipped;
            }
            result.note = Some(format!("steps {}–{} not run: {}", i + 1, scenario.steps.len(), record.note.clone().unwrap_or_default()));
            break;
        }
        if record.verdict == Verdict::NonStrict && verdict == Verdict::Pass {
            verdict = Verdict::NonStrict;
        }
        let stop = record.verdict.stops_scenario();
        if stop {
            verdict = record.verdict;
            result.note = Some(format!("stopped at step {}", i + 1));
        }
        result.steps.push(record);
        if stop {
            break;
        }
    }
    result.verdict = verdict;
    // Also after an interruption: what this scenario created goes, or is named.
    if !target.profile().has(Capability::Reset) {
        result.leftovers = run.clean_up(settings.cleanup_wait).await;
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

impl<T: Target> Run<'_, T> {
    fn sides(&self) -> (Side<'_>, Side<'_>) {
        let now = self.now.seconds_f64();
        (
            Side { prefix: &self.prefix, now, bindings: &self.model_bindings },
            Side { prefix: &self.prefix, now, bindings: &self.target_bindings },
        )
    }

    async fn step(&mut self, index: usize, step: &scenario::Step) -> StepResult {
        if !self.clock_shared {
            self.now = wall_now().max(self.now);
        }
        let mut record = StepResult::new(index + 1, step);
        match &step.action {
            Action::Advance { seconds } => {
                record.kind = StepKind::Advance;
                self.now = self.now + Millis((seconds * 1000.0).round() as i64);
                self.world.advance_to(self.now);
                for world in &mut self.candidates {
                    world.advance_to(self.now);
                }
                if let Err(e) = self.target.set_clock(self.now.seconds_f64()).await {
                    record.verdict = Verdict::Error;
                    record.note = Some(format!("cannot advance the target's clock: {e}"));
                }
            }
            Action::Control(template) => {
                record.kind = StepKind::Control;
                self.control(template, step, &mut record).await;
            }
            Action::Call { op, body, target_header } => {
                record.kind = StepKind::Call;
                record.operation = Some(*op);
                self.call(*op, body, target_header, step, &mut record).await;
            }
        }
        record
    }

    async fn control(&mut self, template: &Value, step: &scenario::Step, record: &mut StepResult) {
        let (model_side, target_side) = self.sides();
        let parsed = scenario::instantiate(template, &model_side)
            .and_then(|m| scenario::instantiate(template, &target_side).map(|t| (m, t)))
            .map_err(ControlStepError::Template)
            .and_then(|(m, t)| {
                let m = serde_json::from_value(m).map_err(ControlStepError::Action)?;
                let t = serde_json::from_value(t.clone()).map_err(ControlStepError::Action).map(|c| (c, t))?;
                Ok((m, t))
            });
        let (model_action, (target_action, target_json)) = match parsed {
            Ok(p) => p,
            Err(e) => {
                record.verdict = Verdict::Error;
                record.note = Some(format!("scenario error: {e}"));
                return;
            }
        };
        record.request = Some(target_json);
        let model_answer = self.world.control(&model_action, self.now);
        for world in &mut self.candidates {
            let _ = world.control(&model_action, self.now);
        }
        let target_answer = self.target.control(&target_action).await;
        match (&model_answer.error, target_answer) {
            (None, Ok(target_answer)) => {
                let model_json = serde_json::to_value(&model_answer).unwrap_or(Value::Null);
                self.bind(step, &model_json, &target_answer);
            }
            // Both refuse (e.g. compliance for a rule that does not exist): they agree. Names
            // the step binds are bound to null, so later steps still run (and meet, say, an
            // invalid ResultToken on both sides).
            (Some(model_error), Err(target_error)) => {
                record.note = Some(format!("refused by the model ({model_error}) and by the target ({target_error})"));
                for name in step.bind.keys() {
                    self.model_bindings.insert(name.clone(), Value::Null);
                    self.target_bindings.insert(name.clone(), Value::Null);
                }
            }
            (Some(model_error), Ok(_)) => {
                record.verdict = Verdict::Error;
                record.note = Some(format!("the model refuses the control action ({model_error}) but the target accepted it"));
            }
            (None, Err(e)) => {
                record.verdict = Verdict::Error;
                record.note = Some(format!("the target refused the control action: {e}"));
            }
        }
    }

    async fn call(&mut self, op: Operation, body: &CallBody, header: &TargetHeader, step: &scenario::Step, record: &mut StepResult) {
        let (model_side, target_side) = self.sides();
        let bodies = match body {
            CallBody::Json(t) => scenario::instantiate(t, &model_side)
                .and_then(|m| scenario::instantiate(t, &target_side).map(|t| (SentBody::json(m), SentBody::json(t)))),
            CallBody::Raw(raw) => scenario::instantiate(&Value::String(raw.clone()), &target_side).and_then(|t| {
                scenario::instantiate(&Value::String(raw.clone()), &model_side).map(|m| {
                    (SentBody::raw(m.as_str().unwrap_or_default().as_bytes().to_vec()), SentBody::raw(t.as_str().unwrap_or_default().as_bytes().to_vec()))
                })
            }),
        };
        let (model_body, SentBody { bytes: target_bytes, read: target_request }) = match bodies {
            Ok(b) => b,
            Err(e) => {
                record.verdict = Verdict::Error;
                record.note = Some(format!("scenario error: {e}"));
                return;
            }
        };
        let header_value = match header {
            TargetHeader::Operation => Some(op.target()),
            TargetHeader::Custom(t) => Some(t.clone()),
            TargetHeader::Missing => None,
        };
        let before = self.world.clone();
        let mut outcome = match header_value.as_deref().and_then(Operation::from_target) {
            Some(named) => handle_body(&mut self.world, named, &model_body.read, self.now),
            None => unknown_operation(),
        };
        if !self.target.profile().has(Capability::Reset) && pages_whole_account(op, &model_body.read, &outcome) {
            self.world = before;
            record.verdict = Verdict::Skipped;
            record.note = Some(format!(
                "step {} lists the whole account over more than one page, which needs reset: other rules may fill its pages on this target",
                record.index
            ));
            return;
        }
        record.clauses = outcome.clauses.clone();
        record.expected = expected_replies(&outcome);
        let wire = WireRequest { target_header: header_value.clone(), body: target_bytes };
        record.request = Some(target_request.json().cloned().unwrap_or_else(|| Value::String(String::from_utf8_lossy(&wire.body).into_owned())));
        record.target_header = header_value;
        record.reproduction = Some(self.target.reproduction(&wire));
        // Whatever the answer, even none (a timeout, an interruption), a rule the target may
        // have created is ours to delete; deleting one that does not exist is harmless.
        if op == Operation::PutConfigRule {
            if let Some(name) = target_request.json().and_then(|sent| sent.pointer("/ConfigRule/ConfigRuleName")).and_then(Value::as_str) {
                if name.starts_with(&self.prefix) {
                    self.created_rules.insert(name.to_owned());
                }
            }
        }
        let answer = tokio::select! {
            answer = self.target.call(&wire) => answer,
            _ = until_interrupted() => Err(crate::target::TransportError::Interrupted),
        };
        let call_index = self.calls;
        self.calls += 1;
        let answer = match answer {
            Ok(o) if !self.target.profile().has(Capability::Reset) => Ok(self.own_resources_only(op, &wire, &target_request, o).await),
            other => other,
        };
        let observed = match answer {
            Ok(o) => match self.hook {
                Some(hook) => hook.answer(call_index, op, &outcome, o),
                None => o,
            },
            Err(e) => {
                record.verdict = Verdict::Error;
                record.note = Some(format!("no answer: {e}"));
                return;
            }
        };
        let judge = Judge { op, profile: self.target.profile(), clock_shared: self.clock_shared };
        let mut judgement = judge.judge(&outcome, &observed, &mut self.identities);
        let named = wire.target_header.as_deref().and_then(Operation::from_target);
        // Follow every other state the target may be in; one that explains an answer the
        // model's own state cannot becomes the model's state.
        let mut followed = Vec::new();
        // A call that names no operation changes no state: the candidates stay as they are.
        let candidates = if named.is_some() { std::mem::take(&mut self.candidates) } else { Vec::new() };
        for candidate in candidates {
            let mut world = candidate;
            let Some(named) = named else { break };
            let candidate_outcome = handle_body(&mut world, named, &model_body.read, self.now);
            let mut identities = self.identities.clone();
            let candidate_judgement = judge.judge(&candidate_outcome, &observed, &mut identities);
            if !candidate_judgement.verdict.conforms() {
                continue;
            }
            if !judgement.verdict.conforms() {
                self.world = world;
                self.identities = identities;
                outcome = candidate_outcome;
                judgement = candidate_judgement;
                // The report shows what the state that explains the answer expected.
                record.clauses = outcome.clauses.clone();
                record.expected = expected_replies(&outcome);
                record.note = Some("the answer follows another state an earlier answer left open (A-21)".into());
                continue;
            }
            let chosen = candidate_judgement.alternative.and_then(|i| candidate_outcome.alternatives.get(i));
            if let Some(w) = chosen.and_then(|a| a.world.as_ref()) {
                world = (**w).clone();
            }
            followed.push(world);
        }
        // A-51: a put that replaces a configuration may give it a new Arn, once.
        if judgement.verdict.conforms() && op == Operation::PutRemediationConfigurations {
            let rules = model_body.read.json().and_then(|sent| sent.get("RemediationConfigurations")).and_then(Value::as_array).into_iter().flatten();
            for name in rules.filter_map(|c| c.get("ConfigRuleName").and_then(Value::as_str)) {
                if let Some(arn) = self.world.remediation_arn(&RuleName::new(name)) {
                    self.identities.renew(arn);
                }
            }
        }
        if judgement.verdict.conforms() && op == Operation::DescribeRemediationExecutionStatus && !self.clock_shared {
            if let Some(ActualReply::Success { body, .. }) = &judgement.actual {
                if let Some(d) = self.execution_history.record(&model_body.bytes, body) {
                    judgement.differences.push(d);
                    judgement.verdict = Verdict::Fail;
                }
            }
        }
        // The rules of the alternative the answer was judged against were checked, whether the
        // answer kept them or broke them (a failure report dropped breaks that alternative's).
        let judged = judgement.alternative.and_then(|i| outcome.alternatives.get(i));
        for id in judged.map(|a| a.covers.as_slice()).unwrap_or_default() {
            if !record.clauses.contains(id) {
                record.clauses.push(*id);
            }
        }
        record.verdict = judgement.verdict;
        record.alternative = judgement.alternative;
        record.differences = judgement.differences;
        record.actual = judgement.actual.clone();
        // The scenario's own note stays; the judge's reason comes after it.
        record.note = match (record.note.take(), judgement.note) {
            (Some(mine), Some(judge)) => Some(format!("{mine} — {judge}")),
            (mine, judge) => mine.or(judge),
        };
        record.status = Some(observed.status);
        if !record.verdict.conforms() {
            self.world = before;
            return;
        }
        let chosen = judgement.alternative.and_then(|i| outcome.alternatives.get(i));
        let preferred_world = self.world.clone();
        if let Some(world) = chosen.and_then(|a| a.world.as_ref()) {
            self.world = (**world).clone();
        }
        // Alternatives the answer matched just as well, with another state behind them: these
        // come first (the newest open question), then the states still followed; none twice,
        // none equal to the model's own.
        let mut candidates: Vec<World> = Vec::new();
        let ties = judgement.ties.iter().map(|&tie| outcome.alternatives[tie].world.as_deref().cloned().unwrap_or_else(|| preferred_world.clone()));
        for world in ties.chain(followed) {
            if world != self.world && !candidates.contains(&world) {
                candidates.push(world);
            }
        }
        candidates.truncate(MAX_CANDIDATE_STATES);
        if named.is_some() {
            self.candidates = candidates;
        } else {
            self.candidates.extend(candidates);
        }
        let model_reply = chosen.map(|a| match &a.reply {
            Reply::Success(b) => b.clone(),
            Reply::Failure(e) => serde_json::json!({"__type": e.code.as_str(), "message": e.message}),
        });
        let target_reply = match &judgement.actual {
            Some(ActualReply::Success { body, .. }) => body.clone(),
            Some(ActualReply::Failure { code, message, .. }) => serde_json::json!({"__type": code, "message": message}),
            None => Value::Null,
        };
        self.bind(step, &model_reply.unwrap_or(Value::Null), &target_reply);
    }

    fn bind(&mut self, step: &scenario::Step, model: &Value, target: &Value) {
        // A path missing from an answer binds null (for example no NextToken on the last page),
        // so a later step sends `null` on that side; a difference between the sides was already
        // judged on this step.
        for (name, path) in &step.bind {
            let model_value = scenario::value_at(model, path).cloned().unwrap_or(Value::Null);
            let target_value = scenario::value_at(target, path).cloned().unwrap_or(Value::Null);
            self.model_bindings.insert(name.clone(), model_value);
            self.target_bindings.insert(name.clone(), target_value);
        }
    }

    /// On a target without reset (an account shared with others, or with what earlier scenarios
    /// left), a listing that names no rule shows other rules too: keep only this scenario's, over
    /// every page, so the listing is judged on what the scenario made. A listing that names
    /// rules, or pages by itself, is left alone.
    /// `request` is `wire`'s body, already read.
    async fn own_resources_only(&self, op: Operation, wire: &WireRequest, request: &RequestBody, observed: Observed) -> Observed {
        let key = match op {
            Operation::DescribeConfigRules => "ConfigRules",
            Operation::DescribeComplianceByConfigRule => "ComplianceByConfigRules",
            _ => return observed,
        };
        // An empty body is `{}` (A-28).
        let empty = Value::Object(Default::default());
        let request = match request {
            RequestBody::Json(value) => value,
            blank if blank.is_blank() => &empty,
            _ => return observed,
        };
        if !request.is_object() {
            return observed;
        }
        let names_rules = request.get("ConfigRuleNames").and_then(Value::as_array).is_some_and(|n| !n.is_empty());
        if names_rules || request.get("NextToken").is_some() || observed.status != 200 {
            return observed;
        }
        let Ok(mut body) = serde_json::from_slice::<Value>(&observed.body) else { return observed };
        let ours = |item: &Value| {
            item.get("ConfigRuleName").and_then(Value::as_str).is_some_and(|n| n.starts_with(&self.prefix))
        };
        let mut items: Vec<Value> = body.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
        // A last page of nothing but ours is judged as it is. (A listing the model pages is
        // not sent to such a target at all: `pages_whole_account`.)
        if items.iter().all(ours) && body.get("NextToken").is_none_or(Value::is_null) {
            return observed;
        }
        let mut token = body.get("NextToken").and_then(Value::as_str).map(str::to_owned);
        let mut request = request.clone();
        // Bounded: a target that always answers a NextToken must not hold the run.
        for _ in 0..1000 {
            let Some(t) = token.take() else { break };
            request["NextToken"] = Value::String(t);
            let next = WireRequest { target_header: wire.target_header.clone(), body: request.to_string().into_bytes() };
            let Ok(page) = self.target.call(&next).await else { break };
            let Ok(page) = serde_json::from_slice::<Value>(&page.body) else { break };
            items.extend(page.get(key).and_then(Value::as_array).cloned().unwrap_or_default());
            token = page.get("NextToken").and_then(Value::as_str).map(str::to_owned);
        }
        items.retain(ours);
        if let Some(members) = body.as_object_mut() {
            members.remove("NextToken");
            members.insert(key.to_owned(), Value::Array(items));
        }
        Observed { body: body.to_string().into_bytes(), ..observed }
    }

    /// Deletes the rules this scenario created with everything hanging on them (and nothing
    /// else); returns what could not be deleted.
    async fn clean_up(&mut self, wait: std::time::Duration) -> Vec<Leftover> {
        let clock = self.clock_shared.then(|| self.now.seconds_f64());
        let mut leftovers = Vec::new();
        for rule in std::mem::take(&mut self.created_rules) {
            if let Err(leftover) = teardown::delete_rule(self.target, &rule, clock, wait).await {
                leftovers.push(leftover);
            }
        }
        leftovers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A scenario's JSON body is not parsed back: what it reads as must be what its bytes read
    /// as, or the model would answer another request than the one sent.
    #[test]
    fn a_json_body_reads_as_its_bytes_do() {
        let bodies = [
            json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b"}], "Limit": null}),
            json!({"Z": 1, "A": [1.5, -0.0, 1e300, -9_223_372_036_854_775_808_i64, 18_446_744_073_709_551_615_u64], "M": "é\u{1F600}\n\""}),
            json!([]),
            json!("text"),
            json!(null),
        ];
        for value in bodies {
            let sent = SentBody::json(value.clone());
            assert_eq!(sent.read, RequestBody::read(&sent.bytes), "{value}");
            assert_eq!(sent.read.json(), Some(&value));
        }
    }

    /// A raw body is read once, as the pipeline reads it (A-28: nothing or whitespace).
    #[test]
    fn a_raw_body_reads_as_the_pipeline_reads_it() {
        assert_eq!(SentBody::raw(Vec::new()).read, RequestBody::Empty);
        assert_eq!(SentBody::raw(b"  ".to_vec()).read, RequestBody::Blank);
        assert_eq!(SentBody::raw(b"{".to_vec()).read, RequestBody::Malformed);
        assert_eq!(SentBody::raw(b"{\"a\": 1}".to_vec()).read, RequestBody::Json(json!({"a": 1})));
    }

    /// Only a listing that names no rule and pages pages the whole account; a body that is not
    /// JSON names none.
    #[test]
    fn whole_account_listings_are_recognised_from_the_read_body() {
        let paged = Outcome::ok(json!({"ConfigRules": [], "NextToken": "t"}));
        let op = Operation::DescribeConfigRules;
        assert!(pages_whole_account(op, &RequestBody::Json(json!({})), &paged));
        assert!(pages_whole_account(op, &RequestBody::Blank, &paged));
        assert!(!pages_whole_account(op, &RequestBody::Json(json!({"ConfigRuleNames": ["r"]})), &paged));
        assert!(!pages_whole_account(op, &RequestBody::Json(json!({})), &Outcome::ok(json!({"ConfigRules": []}))));
        assert!(!pages_whole_account(Operation::DescribeRemediationExceptions, &RequestBody::Json(json!({})), &paged));
    }
}
