//! Entry points of the fuzz targets in `fuzz/fuzz_targets/`, here so that ordinary tests replay
//! the committed corpora and every saved crash (`suite/tests/fuzz_corpus.rs`) with exactly the
//! decoding libFuzzer uses (`Arbitrary` over the raw bytes).
//!
//! Each function panics only when it finds a bug: a panic inside the code under test, or a
//! broken invariant of the model.

use crate::judge::{read_answer, Identities, Judge, Observed};
use crate::profile::TargetProfile;
use crate::runner::{run_scenario_hooked, RunSettings};
use crate::scenario::{instantiate, load_dir, Action, CallBody, Scenario, Side};
use crate::testkit::mutate::{call_steps, histories, plant, Context, Kind, ModelTarget, Planter, Recorder};
use crate::verdict::Verdict;
use arbitrary::{Arbitrary, Unstructured};
use reference_model::auto::ExecutionState;
use reference_model::service_model::ServiceModel;
use reference_model::names::{ResourceRef, RuleName};
use reference_model::{handle, handle_value, ComplianceType, Control, ErrorCode, Millis, Operation, Reply, Timestamp, World};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

fn operation(u: &mut Unstructured<'_>) -> arbitrary::Result<Operation> {
    Ok(*u.choose(Operation::ALL)?)
}

/// Checks what must hold of any answer: at least one alternative; success bodies are objects
/// (or empty); every error is one the operation models or a common one.
fn check_outcome(op: Operation, outcome: &reference_model::Outcome) {
    assert!(!outcome.alternatives.is_empty(), "{op}: no alternative");
    let allowed = &ServiceModel::get().operations[op.name()].errors;
    for (i, alternative) in outcome.alternatives.iter().enumerate() {
        // An unlisted code is only ever tolerated: a later MAY alternative with its basis (A-31).
        let tolerated = i > 0 && alternative.provenance == reference_model::Level::May && !alternative.basis.is_empty();
        match &alternative.reply {
            Reply::Success(body) => assert!(body.is_object() || body.is_null(), "{op}: success body {body}"),
            Reply::Failure(e) => assert!(
                matches!(e.code, ErrorCode::ValidationException | ErrorCode::SerializationException)
                    || tolerated
                    || allowed.iter().any(|a| a == e.code.as_str()),
                "{op}: {} is not a modelled error",
                e.code
            ),
        }
    }
}

/// Raw request bodies for arbitrary operations, with clock moves in between: no panic, and
/// every answer well formed.
pub fn model_request(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut now = Timestamp::EPOCH_2026;
    let mut world = World::reference(now);
    while !u.is_empty() {
        let Ok(op) = operation(&mut u) else { return };
        let len = u.int_in_range(0..=2048usize).unwrap_or(0);
        let Ok(body) = u.bytes(len.min(u.len())) else { return };
        now = now + Millis::seconds(u.int_in_range(0..=90i64).unwrap_or(0));
        let before = world.now();
        let outcome = handle(&mut world, op, body, now);
        check_outcome(op, &outcome);
        assert!(world.now() >= before, "the clock went back");
    }
}

const RULES: [&str; 2] = ["a", "b"];
const RESOURCES: [&str; 3] = ["r1", "r2", "r3"];

/// A structured step: the shapes that reach deep states, with fuzzed values.
#[derive(Arbitrary, Debug)]
enum Step {
    PutRule(u8),
    DeleteRule(u8),
    Compliance(u8, u8, u8),
    PutConfiguration { rule: u8, automatic: bool, attempts: Option<u8>, window: Option<u16>, concurrency: Option<u8>, errors: Option<u8> },
    DeleteConfiguration(u8),
    PutExceptions { rule: u8, resources: Vec<u8>, expires_in: Option<u16> },
    DeleteExceptions(u8, Vec<u8>),
    DescribeExceptions { rule: u8, limit: u8, token: Option<String> },
    Start(u8, Vec<u8>),
    DescribeExecutions { rule: u8, limit: u8 },
    ScriptFailures(u8, u8, u8),
    Evaluate { rule: u8, resource: u8, compliance: u8, test_mode: bool, valid_token: bool },
    Advance(u16),
    Raw(u8, String),
}

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[i as usize % list.len()]
}

fn keys(resources: &[u8], pascal: bool) -> Value {
    let keys: Vec<Value> = resources
        .iter()
        .take(101)
        .map(|r| {
            if pascal {
                json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": pick(&RESOURCES, *r)})
            } else {
                json!({"resourceType": "AWS::S3::Bucket", "resourceId": pick(&RESOURCES, *r)})
            }
        })
        .collect();
    Value::Array(keys)
}

/// Sequences of structured requests, checking the model's invariants after every step: a
/// stored exception was put on a NON_COMPLIANT resource (or placed by Config), Arns survive
/// upserts, execution states only move forward, the clock never goes back.
pub fn model_sequence(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut now = Timestamp::EPOCH_2026;
    let mut world = World::reference(now);
    let mut tokens: Vec<String> = Vec::new();
    // Arbitrary yields default values forever once the input is used up: stop there.
    while !u.is_empty() {
        let Ok(step) = Step::arbitrary(&mut u) else { return };
        if trace() {
            eprintln!("  {step:?}");
        }
        let before = Forward::of(&world);
        let (op, body) = match step {
            Step::PutRule(r) => (Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": pick(&RULES, r), "Source": {"Owner": "AWS", "SourceIdentifier": "X"}}})),
            Step::DeleteRule(r) => (Operation::DeleteConfigRule, json!({"ConfigRuleName": pick(&RULES, r)})),
            Step::Compliance(r, res, c) => {
                let compliance = [ComplianceType::Compliant, ComplianceType::NonCompliant, ComplianceType::NotApplicable][c as usize % 3];
                world.control(&Control::SetCompliance { rule: pick(&RULES, r).into(), resource_type: "AWS::S3::Bucket".into(), resource_id: pick(&RESOURCES, res).into(), compliance, annotation: None }, now);
                continue;
            }
            Step::PutConfiguration { rule, automatic, attempts, window, concurrency, errors } => {
                let mut c = json!({"ConfigRuleName": pick(&RULES, rule), "TargetType": "SSM_DOCUMENT", "TargetId": "doc", "Automatic": automatic,
                    "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::1:role/r"]}}}});
                if let Some(a) = attempts { c["MaximumAutomaticAttempts"] = json!(a % 27); }
                if let Some(w) = window { c["RetryAttemptSeconds"] = json!(w); }
                if concurrency.is_some() || errors.is_some() {
                    c["ExecutionControls"] = json!({"SsmControls": {"ConcurrentExecutionRatePercentage": concurrency.unwrap_or(10), "ErrorPercentage": errors.unwrap_or(50)}});
                }
                (Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [c]}))
            }
            Step::DeleteConfiguration(r) => (Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": pick(&RULES, r)})),
            Step::PutExceptions { rule, resources, expires_in } => {
                let mut b = json!({"ConfigRuleName": pick(&RULES, rule), "ResourceKeys": keys(&resources, true)});
                if let Some(s) = expires_in { b["ExpirationTime"] = json!(now.millis() / 1000 + i64::from(s) - 100); }
                (Operation::PutRemediationExceptions, b)
            }
            Step::DeleteExceptions(r, resources) => (Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": pick(&RULES, r), "ResourceKeys": keys(&resources, true)})),
            Step::DescribeExceptions { rule, limit, token } => {
                let mut b = json!({"ConfigRuleName": pick(&RULES, rule), "Limit": limit % 102});
                if let Some(t) = token { b["NextToken"] = json!(t); }
                (Operation::DescribeRemediationExceptions, b)
            }
            Step::Start(r, resources) => (Operation::StartRemediationExecution, json!({"ConfigRuleName": pick(&RULES, r), "ResourceKeys": keys(&resources, false)})),
            Step::DescribeExecutions { rule, limit } => (Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": pick(&RULES, rule), "Limit": limit % 102})),
            Step::ScriptFailures(r, res, n) => {
                let outcomes = (0..n % 8).map(|_| reference_model::auto::SsmRun::Fail { message: "scripted".into() }).collect();
                world.control(&Control::ScriptSsm { rule: pick(&RULES, r).into(), resource_type: "AWS::S3::Bucket".into(), resource_id: pick(&RESOURCES, res).into(), outcomes }, now);
                continue;
            }
            Step::Evaluate { rule, resource, compliance, test_mode, valid_token } => {
                let token = if valid_token {
                    world.control(&Control::IssueResultToken { rule: pick(&RULES, rule).into() }, now).result_token.unwrap_or_default()
                } else {
                    tokens.last().cloned().unwrap_or_else(|| "bogus".into())
                };
                tokens.push(token.clone());
                let types = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"];
                (Operation::PutEvaluations, json!({"ResultToken": token, "TestMode": test_mode, "Evaluations": [{
                    "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": pick(&RESOURCES, resource),
                    "ComplianceType": types[compliance as usize % 4], "OrderingTimestamp": now.millis() / 1000}]}))
            }
            Step::Advance(s) => {
                now = now + Millis(i64::from(s) * 37);
                world.advance_to(now);
                before.check(&world);
                continue;
            }
            Step::Raw(o, text) => {
                // Raw text goes through the whole pipeline from bytes, parse errors included.
                let op = Operation::ALL[o as usize % Operation::ALL.len()];
                let outcome = handle(&mut world, op, text.as_bytes(), now);
                check_outcome(op, &outcome);
                before.check(&world);
                continue;
            }
        };
        // The structured bodies are JSON already: `handle` would print and parse them again
        // (a fifth of the time per step, and the bytes-to-JSON path is model_request's job).
        // Only this operation's invariant needs the state before the step in full.
        let exceptions_before = (op == Operation::PutRemediationExceptions).then(|| world.clone());
        world.advance_to(now);
        let outcome = handle_value(&mut world, op, &body);
        check_outcome(op, &outcome);
        before.check(&world);
        if let Some(before) = exceptions_before {
            for ((rule, resource), exception) in world.exceptions() {
                let changed = before.exception(rule, resource) != Some(exception);
                if changed && !exception.placed_by_config {
                    assert_eq!(before.compliance(rule, resource), Some(ComplianceType::NonCompliant), "exception put on {resource} under {rule}, which was not NON_COMPLIANT");
                }
            }
        }
    }
}

/// Whether `FUZZ_TRACE` is set: read once, not per step.
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

/// What [`Forward::check`] compares after a step: the clock, the configurations' Arns and the
/// executions' states. A copy of these, not of the whole world (cloning and dropping the world
/// at every step was a tenth of model_sequence's time).
struct Forward {
    now: Timestamp,
    arns: Vec<(RuleName, String)>,
    executions: Vec<((RuleName, ResourceRef), Timestamp, ExecutionState)>,
}

impl Forward {
    fn of(world: &World) -> Self {
        Forward {
            now: world.now(),
            arns: world.rule_names().filter_map(|r| world.remediation_arn(r).map(|a| (r.clone(), a.to_owned()))).collect(),
            executions: world.executions().map(|(key, e)| (key.clone(), e.invocation_time, e.state())).collect(),
        }
    }

    /// Arns survive, executions move forward, the clock never goes back.
    fn check(&self, after: &World) {
        assert!(after.now() >= self.now, "the clock went back");
        for (rule, a) in &self.arns {
            if let Some(b) = after.remediation_arn(rule) {
                assert_eq!(a, b, "the Arn of {rule}'s configuration changed");
            }
        }
        for ((rule, resource), invocation_time, s) in &self.executions {
            if let Some(later) = after.execution(rule, resource) {
                if later.invocation_time == *invocation_time {
                    let t: ExecutionState = later.state();
                    assert!(s.can_reach(t), "execution of {resource} went from {s:?} to {t:?}");
                }
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Answer {
    status: u16,
    content_type: u8,
    request_id: bool,
    error_type_header: Option<String>,
    body: Vec<u8>,
    op: u8,
    html_profile: bool,
}

/// Any answer a target may give: the judge never panics and always gives a verdict. The same
/// input also picks a scenario step and a mutation of its answer ([`judge_mutation`]).
pub fn judge_answer(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(answer) = Answer::arbitrary(&mut u) else { return };
    let op = Operation::ALL[answer.op as usize % Operation::ALL.len()];
    let mut headers = vec![("content-type".to_owned(), ["application/x-amz-json-1.1", "text/html", "application/json", ""][answer.content_type as usize % 4].to_owned())];
    if answer.request_id {
        headers.push(("x-amzn-requestid".into(), "r".into()));
    }
    if let Some(t) = answer.error_type_header {
        headers.push(("x-amzn-errortype".into(), t));
    }
    let observed = Observed { status: answer.status, headers, body: answer.body };
    let profile = TargetProfile::builtin(if answer.html_profile { "moto" } else { "reference" }).expect("builtin");
    let _ = read_answer(op, &observed, &profile);
    let mut world = World::reference(Timestamp::EPOCH_2026);
    let outcome = handle(&mut world, op, b"{}", Timestamp::EPOCH_2026);
    let judgement = Judge { op, profile: &profile, clock_shared: answer.status % 2 == 0 }.judge(&outcome, &observed, &mut Identities::default());
    assert!(judgement.verdict != crate::verdict::Verdict::Skipped);
    judge_mutation(data);
}

/// Scenarios of `fixtures/scenarios/` with at most this many steps are fuzzed (each input runs
/// one twice; the 1000-rule scenario would make an input cost a second).
const MAX_FUZZED_STEPS: usize = 40;

/// The scenario corpus, loaded once; the fuzz target cannot run without it.
fn fuzzed_scenarios() -> &'static [Scenario] {
    static SCENARIOS: OnceLock<Vec<Scenario>> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios");
        let all = load_dir(&dir).unwrap_or_else(|e| panic!("the judge's fuzz target needs the scenario corpus: {e}"));
        let short: Vec<Scenario> = all.into_iter().filter(|s| s.steps.len() <= MAX_FUZZED_STEPS).collect();
        assert!(!short.is_empty(), "no scenario in {}", dir.display());
        short
    })
}

thread_local! {
    /// The runner is async; the model target never waits, so one current-thread runtime per
    /// thread will do.
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime for the fuzz target");
}

/// A scenario step's answer with one mutation (`testkit::mutate`), chosen by the input: run the
/// scenario against the model ([`ModelTarget`]), plant the mutation into the chosen call's
/// preferred answer, run it again. A wrong answer must never PASS at the planted step; an
/// acceptable variant must never FAIL or ERROR there.
fn judge_mutation(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let kinds = Kind::all();
    let (Ok(scenario), Ok(call), Ok(kind), Ok(choice)) =
        (u.choose(fuzzed_scenarios()), u.arbitrary::<u16>(), u.choose(&kinds), u.arbitrary::<u16>())
    else {
        return;
    };
    let kind = *kind;
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let target = ModelTarget::new();
            let settings = RunSettings::new(0);
            let recorder = Recorder::new();
            let result = run_scenario_hooked(&target, scenario, &settings, Some(&recorder)).await;
            assert_eq!(result.verdict, Verdict::Pass, "{} does not PASS against the model itself", scenario.id);
            let calls = recorder.into_calls();
            let histories = histories(&result, &calls).expect("one answered call step per call");
            if calls.is_empty() {
                return;
            }
            let c = usize::from(call) % calls.len();
            let ctx = Context { op: calls[c].op, outcome: &calls[c].outcome, clock_shared: true, history: &histories[c] };
            let Ok(plant) = plant(kind, &ctx, &calls[c].observed, usize::from(choice)) else { return };
            let planter = Planter::new(c, calls[c].observed.clone(), plant.observed.clone());
            let planted = run_scenario_hooked(&target, scenario, &settings, Some(&planter)).await;
            assert!(!planter.drifted(), "the model answered {} differently the second time", scenario.id);
            let step = call_steps(&planted).get(c).copied().expect("the planted call was made");
            let judged = |what: &str| {
                let differences: Vec<String> =
                    step.differences.iter().map(|d| format!("{} {}: expected {} | actual {}", d.level, d.path, d.expected, d.actual)).collect();
                format!("{what}: {} step {} {} [{kind}] {}: {}\n  {}", scenario.id, step.index, calls[c].op, plant.site, step.verdict, differences.join("\n  "))
            };
            if kind.is_wrong() {
                assert!(step.verdict != Verdict::Pass, "{}", judged("a wrong answer PASSES"));
            } else {
                assert!(!matches!(step.verdict, Verdict::Fail | Verdict::Error), "{}", judged("an acceptable variant fails"));
            }
        });
    });
}

/// Any text as a scenario file: a precise error or a scenario whose templates expand.
pub fn scenario_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(scenario) = Scenario::parse(&text, Path::new("fuzz.json")) else { return };
    let bindings: BTreeMap<String, Value> = BTreeMap::new();
    let side = Side { prefix: "p-", now: 1.0, bindings: &bindings };
    for step in &scenario.steps {
        match &step.action {
            Action::Call { body: CallBody::Json(t), .. } | Action::Control(t) => {
                let _ = instantiate(t, &side);
            }
            _ => {}
        }
    }
}
