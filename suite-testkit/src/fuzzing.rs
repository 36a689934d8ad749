//! Entry points of the fuzz targets in `fuzz/fuzz_targets/`, here so that ordinary tests replay
//! the committed corpora and every saved crash (`suite/tests/fuzz_corpus.rs`) with exactly the
//! decoding libFuzzer uses (`Arbitrary` over the raw bytes).
//!
//! Each function panics only when it finds a bug: a panic inside the code under test, or a
//! broken invariant of the model.

use remediation_suite::judge::{read_answer, Identities, Judge};
use remediation_suite::target::Observed;
use remediation_suite::profile::TargetProfile;
use remediation_suite::runner::{run_scenario_hooked, RunSettings};
use remediation_suite::scenario::{instantiate, load_dir, Action, CallBody, Scenario, Side};
use crate::mutate::{call_steps, histories, plant, Context, Kind, ModelTarget, Planter, Recorder};
use remediation_suite::verdict::Verdict;
use arbitrary::{Arbitrary, Unstructured};
use reference_model::invariants::{Invariants, Violation};
use reference_model::steps::{self, Depth, Pools, Step};
use reference_model::service_model::ServiceModel;
use reference_model::{handle, ErrorCode, Millis, Operation, Reply, Timestamp, World};
use serde_json::Value;
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
    let allowed = modelled_errors(op);
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

/// The errors the service model lists for `op`, looked up by name once per process rather than
/// at every step (the lookup's string comparisons showed in model_sequence's profile).
fn modelled_errors(op: Operation) -> &'static [String] {
    static ERRORS: OnceLock<Vec<&'static [String]>> = OnceLock::new();
    let errors = ERRORS.get_or_init(|| {
        let model = ServiceModel::get();
        Operation::ALL.iter().map(|o| model.operations[o.name()].errors.as_slice()).collect()
    });
    let i = Operation::ALL.iter().position(|o| *o == op).expect("every operation is in Operation::ALL");
    errors[i]
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

/// model_sequence's pools: two rules, three resources.
const POOLS: Pools = Pools { rules: &["a", "b"], resources: &["r1", "r2", "r3"], resource_type: "AWS::S3::Bucket", role: "arn:aws:iam::1:role/r" };

/// The most steps one model_sequence input runs after its start state.
///
/// libFuzzer's own work per input (feature collection with entropic scheduling, comparison
/// tracing) grows with the code an input covers: measured on the `-O` build, an input cost about
/// 45 µs of CPU with one step, 65 µs with two and 350 µs with the 47 steps unbounded inputs
/// averaged, of which the model is about a third. One step keeps the target above 20,000 exec/s
/// (issue 12); depth comes from the prepared [`start_states`] instead, and
/// [`model_sequence_long`] keeps unbounded sequences from an empty world for the nightly run.
pub const MODEL_SEQUENCE_MAX_STEPS: usize = 1;

/// A state a model_sequence input may start from: the world, what the invariants hold of it,
/// the ResultTokens used to reach it, and how many steps ran on it since it was cloned.
#[derive(Clone)]
struct Start {
    world: World,
    invariants: Invariants,
    tokens: Vec<String>,
    steps: usize,
}

impl Start {
    fn empty() -> Start {
        let world = World::reference(Timestamp::EPOCH_2026);
        Start { invariants: Invariants::new(&world), world, tokens: Vec::new(), steps: 0 }
    }

    /// Runs one step with every check: the broken invariant, if any.
    fn apply(&mut self, step: &Step) -> Result<(), Violation> {
        self.steps += 1;
        if let Some(outcome) = steps::run(&mut self.world, &mut self.invariants, step, &POOLS, &mut self.tokens, Depth::Step)? {
            check_outcome(outcome_operation(step), &outcome);
        }
        Ok(())
    }

    /// Decodes and runs steps until the input is used up or `max` steps have run; a broken
    /// invariant is a finding.
    fn run_input(&mut self, u: &mut Unstructured<'_>, max: usize) {
        // Arbitrary yields default values forever once the input is used up: stop there.
        for _ in 0..max {
            if u.is_empty() {
                return;
            }
            let Ok(step) = Step::arbitrary(u) else { return };
            if trace() {
                eprintln!("  {step:?}");
            }
            if let Err(violation) = self.apply(&step) {
                panic!("invariant broken by {step:?}: {violation}");
            }
        }
    }
}

/// Setup scripts for [`start_states`]. Between them they reach what one step from an empty
/// world cannot: manual and automatic remediation with retries under way, exceptions with and
/// without expiry, scripted SSM failures, automatic attempts used up, evaluations with a token,
/// a service-linked rule, a rule being deleted, two rules at once, the clock minutes on.
fn setup_scripts() -> [Vec<Step>; 3] {
    let configuration = |rule, automatic, attempts, window| Step::PutConfiguration {
        rule,
        automatic,
        attempts: Some(attempts),
        window: Some(window),
        concurrency: automatic.then_some(50),
        errors: automatic.then_some(50),
        controls: automatic,
        ambiguous: false,
    };
    let non_compliant = |rule, resource| Step::SetCompliance { rule, resource, compliance: 1 };
    [
        vec![
            Step::PutRule(0),
            non_compliant(0, 0),
            non_compliant(0, 1),
            non_compliant(0, 2),
            configuration(0, false, 3, 60),
            Step::PutExceptions { rule: 0, resources: vec![0], message: true, expires_in: Some(120) },
            Step::PutExceptions { rule: 0, resources: vec![1], message: false, expires_in: None },
            Step::ScriptSsm { rule: 0, resource: 2, fails: vec![true] },
            Step::Start { rule: 0, resources: vec![2] },
            Step::Advance { ms: 0, minutes: Some(1) },
        ],
        vec![
            Step::PutRule(1),
            Step::Evaluate { rule: 1, resource: 0, compliance: 1, test_mode: false, valid_token: true, ordering: 2 },
            non_compliant(1, 1),
            Step::ScriptSsm { rule: 1, resource: 0, fails: vec![true, true] },
            configuration(1, true, 2, 30),
            Step::Advance { ms: 500, minutes: Some(1) },
            Step::PutRule(0),
            configuration(0, false, 5, 60),
            Step::MarkServiceLinked(0),
            Step::DefaultSsm { fail: true },
            Step::Advance { ms: 0, minutes: Some(3) },
        ],
        vec![
            Step::PutRule(0),
            non_compliant(0, 0),
            non_compliant(0, 1),
            Step::Evaluate { rule: 0, resource: 2, compliance: 0, test_mode: false, valid_token: true, ordering: 2 },
            Step::DefaultSsm { fail: true },
            configuration(0, true, 1, 60),
            Step::Advance { ms: 0, minutes: Some(2) },
            Step::DeleteConfiguration(0),
            Step::DeleteRule(0),
            Step::Advance { ms: 500, minutes: None },
        ],
    ]
}

/// The states a model_sequence input starts from, built once per process: the empty reference
/// world, every prefix of each [`setup_scripts`] script, and two chained pairs: the first
/// script's end followed by every prefix of the second, and the second's end followed by every
/// prefix of the third (53 states). Setup steps are checked like any other; one that broke an
/// invariant panics here, naming its script and step, not an input. `model_sequence`'s fuzz
/// target builds them in libFuzzer's `init`, before any input.
///
/// What a model_sequence input means depends on these scripts, in this order: changing one
/// changes the meaning of every committed input in `fuzz/corpus/model_sequence/` and
/// `fuzz/regressions/model_sequence/` (`cargo test` replays them, so a regression that no longer
/// reproduces shows as a passing replay, not a failure: check its `FUZZ_TRACE` output).
fn start_states() -> &'static [Start] {
    static STARTS: OnceLock<Vec<Start>> = OnceLock::new();
    STARTS.get_or_init(|| {
        let [first, second, third] = setup_scripts();
        let mut starts = vec![Start::empty()];
        let prefixes = |mut state: Start, script: (usize, &[Step]), starts: &mut Vec<Start>| {
            for (i, step) in script.1.iter().enumerate() {
                if let Err(violation) = state.apply(step) {
                    panic!("setup script {} step {} ({step:?}) breaks an invariant: {violation}", script.0, i + 1);
                }
                starts.push(Start { steps: 0, ..state.clone() });
            }
            state
        };
        let after_first = prefixes(Start::empty(), (1, &first), &mut starts);
        let after_second = prefixes(Start::empty(), (2, &second), &mut starts);
        prefixes(Start::empty(), (3, &third), &mut starts);
        prefixes(after_first, (2, &second), &mut starts);
        prefixes(after_second, (3, &third), &mut starts);
        starts
    })
}

/// Builds [`model_sequence`]'s start states now: the fuzz target's libFuzzer `init`, so that a
/// setup script breaking an invariant is reported as such, before any input runs.
pub fn model_sequence_init() {
    start_states();
}

/// Short sequences of the model's steps ([`reference_model::steps::Step`], decoded by its
/// `Arbitrary` impl): the input's first byte picks one of the prepared [`start_states`], then at
/// most [`MODEL_SEQUENCE_MAX_STEPS`] steps run. After every step the model's invariants are
/// checked ([`reference_model::invariants`]: the clock, Arns and configurations, exceptions,
/// executions, the stored limits, every outcome's alternatives) and every answer's form
/// ([`check_outcome`]).
pub fn model_sequence(data: &[u8]) {
    model_sequence_run(data);
}

/// [`model_sequence`], saying which start state it took and how many steps then ran.
fn model_sequence_run(data: &[u8]) -> (Option<usize>, usize) {
    let mut u = Unstructured::new(data);
    let starts = start_states();
    let Ok(start) = u.choose_index(starts.len()) else { return (None, 0) };
    if trace() {
        eprintln!("  start state {start}");
    }
    let mut state = starts[start].clone();
    state.run_input(&mut u, MODEL_SEQUENCE_MAX_STEPS);
    (Some(start), state.steps)
}

/// As [`model_sequence`], from the empty reference world with no bound on the steps: the
/// states only long sequences reach, at a tenth of the rate (the nightly run fuzzes both).
pub fn model_sequence_long(data: &[u8]) {
    let mut u = Unstructured::new(data);
    Start::empty().run_input(&mut u, usize::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;
    use reference_model::names::{ResourceRef, RuleName};

    /// The start states reach, between them, what the setup scripts are there for; otherwise
    /// one step from them would cover little more than one step from an empty world.
    #[test]
    fn start_states_reach_remediation_under_way() {
        let starts = start_states();
        assert_eq!(starts.len(), 1 + 10 + 11 + 10 + 11 + 10);
        let (a, b) = (RuleName::new("a"), RuleName::new("b"));
        let r = |id: &str| ResourceRef::new("AWS::S3::Bucket", id);
        let any = |what: &dyn Fn(&World) -> bool| starts.iter().any(|s| what(&s.world));
        assert!(any(&|w| w.exception(&a, &r("r1")).is_some_and(|e| e.expiration.is_some())), "an exception that expires");
        assert!(any(&|w| w.exception(&a, &r("r2")).is_some_and(|e| e.expiration.is_none())), "an exception that does not");
        assert!(any(&|w| w.execution(&a, &r("r3")).is_some_and(|e| e.is_active())), "a manual execution under way");
        assert!(any(&|w| w.executions().any(|((rule, _), _)| *rule == b)), "an automatic execution");
        assert!(any(&|w| w.remediation(&b).is_some_and(|c| c.config.automatic == Some(true))), "automatic remediation");
        assert!(any(&|w| w.rule(&a).is_some_and(|s| s.service_linked_by.is_some())), "a service-linked rule");
        assert!(any(&|w| w.remediation(&a).is_some() && w.remediation(&b).is_some()), "two rules remediated at once");
        assert!(any(&|w| w.deleting_rule(&a).is_some()), "a deleted rule still shown as DELETING");
        assert!(any(&|w| w.exceptions().any(|(_, e)| e.placed_by_config)), "an exception Config placed after the automatic attempts");
        assert!(any(&|w| w.compliance(&a, &r("r3")) == Some(reference_model::ComplianceType::Compliant)), "an evaluation put with its token");
        assert_eq!(starts[0].world, World::reference(Timestamp::EPOCH_2026), "the first state is the empty world");
    }

    /// However long the input, model_sequence runs at most its bound (counted as steps are
    /// applied, not as the loop reports them); the long variant does not stop there.
    #[test]
    fn model_sequence_stops_at_its_bound() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut longest = 0;
        for _ in 0..200 {
            let data: Vec<u8> = (0..400)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let (_, ran) = model_sequence_run(&data);
            assert!(ran <= MODEL_SEQUENCE_MAX_STEPS, "{ran} steps");
            longest = longest.max(ran);
            let mut long = Start::empty();
            long.run_input(&mut Unstructured::new(&data), usize::MAX);
            assert!(long.steps > MODEL_SEQUENCE_MAX_STEPS, "400 bytes hold more steps");
        }
        assert_eq!(longest, MODEL_SEQUENCE_MAX_STEPS, "the bound is reached");
    }

    /// The first byte picks the start state: every one of them is reachable, and the empty
    /// input takes the first (the empty world) and runs nothing.
    #[test]
    fn the_first_byte_picks_every_start_state() {
        let picked: std::collections::BTreeSet<usize> = (0..=u8::MAX).filter_map(|b| model_sequence_run(&[b]).0).collect();
        assert_eq!(picked.len(), start_states().len());
        assert_eq!(model_sequence_run(&[]), (Some(0), 0));
    }
}

/// The operation a request step sent.
fn outcome_operation(step: &Step) -> Operation {
    match step {
        Step::PutRule(_) => Operation::PutConfigRule,
        Step::DeleteRule(_) => Operation::DeleteConfigRule,
        Step::Evaluate { .. } => Operation::PutEvaluations,
        Step::PutConfiguration { .. } => Operation::PutRemediationConfigurations,
        Step::DeleteConfiguration(_) => Operation::DeleteRemediationConfiguration,
        Step::PutExceptions { .. } => Operation::PutRemediationExceptions,
        Step::DeleteExceptions { .. } => Operation::DeleteRemediationExceptions,
        Step::DescribeExceptions { .. } | Step::RequestInThePast(_) => Operation::DescribeRemediationExceptions,
        Step::Start { .. } => Operation::StartRemediationExecution,
        Step::DescribeExecutions { .. } => Operation::DescribeRemediationExecutionStatus,
        Step::Raw(o, _) => Operation::ALL[*o as usize % Operation::ALL.len()],
        Step::SetCompliance { .. } | Step::ScriptSsm { .. } | Step::DefaultSsm { .. } | Step::MarkServiceLinked(_) | Step::Advance { .. } => {
            unreachable!("a control or clock step sends no request")
        }
    }
}

/// Whether `FUZZ_TRACE` is set: read once, not per step.
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
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
    assert!(judgement.verdict != remediation_suite::verdict::Verdict::Skipped);
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

/// The variable naming the endpoint the differential target compares with the model; unset,
/// it starts the reference endpoint in-process (issue 12, item 3).
pub const ENDPOINT_VAR: &str = "REMEDIATION_FUZZ_ENDPOINT";
/// The target profile of that endpoint (`reference`, `moto`, `localstack`, `generic` or a
/// profile file; default `reference` in-process, `generic` otherwise), as `--target` reads it.
pub const PROFILE_VAR: &str = "REMEDIATION_FUZZ_PROFILE";
/// Where findings are written (default `fuzz/artifacts/differential/`).
pub const FINDINGS_VAR: &str = "REMEDIATION_FUZZ_FINDINGS";

/// Most steps one differential input runs: each is an HTTP round trip (and the generator's
/// sequences have at most 25), so a 4 KB input must not cost seconds.
pub const MAX_DIFFERENTIAL_STEPS: usize = 64;

/// Why the differential target cannot start; it panics with this once, at its first input.
#[derive(Debug, thiserror::Error)]
pub enum DifferentialSetupError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Profile(#[from] remediation_suite::profile::ProfileError),
    #[error(transparent)]
    Target(#[from] remediation_suite::session::SetupError),
    #[error("cannot create the findings directory {path}: {source}")]
    Findings { path: std::path::PathBuf, source: std::io::Error },
}

/// A request sequence whose answers the model does not accept: the scenario file written for
/// it, which `remediation-suite replay FILE` runs.
#[derive(Debug)]
pub struct Finding {
    pub path: std::path::PathBuf,
    pub verdict: Verdict,
    /// The deciding step of the scenario (1-based).
    pub step: Option<usize>,
    /// The arguments that name the endpoint to `replay` (empty for the in-process one).
    pub replay_args: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = self.step.map_or_else(String::new, |s| format!(" at step {s}"));
        write!(
            f,
            "the endpoint answered outside the model's outcomes ({}{step}); scenario written to {}; replay it with\n  cargo run -p remediation-suite -- replay {}{}",
            self.verdict,
            self.path.display(),
            self.path.display(),
            self.replay_args
        )
    }
}

/// One endpoint for the whole process: the runtime, the target (and the in-process server it
/// may own) are built once, not per input.
pub struct Differential {
    runtime: tokio::runtime::Runtime,
    target: remediation_suite::target::HttpTarget,
    _server: Option<reference_endpoint::RunningServer>,
    settings: RunSettings,
    findings: std::path::PathBuf,
    replay_args: String,
    /// Counts inputs, so every sequence has names of its own on a target without reset.
    inputs: std::sync::atomic::AtomicU64,
}

impl Differential {
    /// The endpoint at `endpoint` (a loopback URL) with that profile, or the reference
    /// endpoint in-process; findings go to `findings`.
    pub fn new(endpoint: Option<String>, profile: Option<String>, findings: std::path::PathBuf) -> Result<Self, DifferentialSetupError> {
        // Current-thread: the in-process server runs while an input's requests wait for it.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(DifferentialSetupError::Runtime)?;
        let mut options = remediation_suite::session::RunOptions::embedded(0);
        options.endpoint = endpoint.clone();
        options.profile = profile.as_deref().map(remediation_suite::profile::TargetProfile::resolve).transpose()?;
        let prepared = runtime.block_on(remediation_suite::session::prepare_target(&options))?;
        std::fs::create_dir_all(&findings).map_err(|source| DifferentialSetupError::Findings { path: findings.clone(), source })?;
        use remediation_suite::target::Target;
        // As `run` does: against a target that keeps its state, names no earlier run used.
        let settings = if prepared.target.profile().has(remediation_suite::profile::Capability::Reset) {
            RunSettings::new(0)
        } else {
            RunSettings::new(0).with_fresh_names()
        };
        let mut replay_args = String::new();
        if let Some(url) = &endpoint {
            replay_args.push_str(&format!(" --endpoint {url}"));
        }
        if let Some(p) = &profile {
            replay_args.push_str(&format!(" --target {p}"));
        }
        Ok(Differential {
            runtime,
            target: prepared.target,
            _server: prepared.server,
            settings,
            findings,
            replay_args,
            inputs: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// As [`Differential::new`], from [`ENDPOINT_VAR`], [`PROFILE_VAR`] and [`FINDINGS_VAR`].
    pub fn from_env() -> Result<Self, DifferentialSetupError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let findings = var(FINDINGS_VAR)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/artifacts/differential"));
        Differential::new(var(ENDPOINT_VAR), var(PROFILE_VAR), findings)
    }

    /// What this target can be sent: steps needing the control API or the virtual clock are
    /// left out for a target without them.
    pub fn capabilities(&self) -> &std::collections::BTreeSet<remediation_suite::profile::Capability> {
        use remediation_suite::target::Target;
        &self.target.profile().capabilities
    }

    /// Decodes `data` into a sequence for this target and checks it ([`Differential::check`]).
    pub fn check_bytes(&self, data: &[u8]) -> Result<usize, Finding> {
        let steps = differential_steps(data, self.capabilities());
        self.check(&steps).map(|()| steps.len())
    }

    /// Sends `steps` to the endpoint, judging every answer against the model's outcomes (the
    /// runner's judge); FAIL or ERROR is a finding, written as a scenario file. UNIMPLEMENTED
    /// is not: an emulator without an operation is told by its expectation file, not here.
    pub fn check(&self, steps: &[remediation_suite::generate::GenStep]) -> Result<(), Finding> {
        if steps.is_empty() {
            return Ok(());
        }
        let n = self.inputs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let scenario = remediation_suite::generate::to_scenario(&format!("fuzz/differential-{n}"), steps);
        let result = self.runtime.block_on(remediation_suite::runner::run_scenario(&self.target, &scenario, &self.settings));
        if !matches!(result.verdict, Verdict::Fail | Verdict::Error) {
            return Ok(());
        }
        let point = remediation_suite::expect::DeviationPoint::of(&result, remediation_suite::expect::NonStrictPolicy::Conforms);
        // Named by its content, so the same finding is written once however often it recurs.
        let mut probe = remediation_suite::generate::to_scenario_json("", steps).to_string().into_bytes();
        probe.extend_from_slice(self.replay_args.as_bytes());
        let id = format!("regressions/differential-{:016x}", fnv1a(&probe));
        let json = remediation_suite::generate::to_scenario_json(&id, steps);
        let path = self.findings.join(format!("{}.json", id.trim_start_matches("regressions/")));
        let text = serde_json::to_string_pretty(&json).expect("scenario JSON prints");
        if let Err(e) = std::fs::write(&path, text + "\n") {
            panic!("a finding ({}) could not be written to {}: {e}", result.verdict, path.display());
        }
        Err(Finding { path, verdict: result.verdict, step: point.and_then(|p| p.step), replay_args: self.replay_args.clone() })
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// One step of a differential input: the generator's vocabulary ([`remediation_suite::generate::GenStep`])
/// with fuzzed values, wider than the generator draws (out-of-range numbers included: the
/// model decides what every answer must be, so any request can be judged).
///
/// Apart from [`Step`] because a differential input must become a scenario for any endpoint
/// (`GenStep`: wire requests, breakages, capabilities), not calls on a `World`.
#[derive(Arbitrary, Debug)]
enum DiffStep {
    PutRule(u8),
    DeleteRule(u8),
    SetCompliance(u8, u8, u8),
    PutEvaluations { rule: u8, resource: u8, compliance: u8, token: u8 },
    PutConfiguration { rule: u8, automatic: bool, attempts: Option<u8>, retry_seconds: Option<u16>, concurrency: Option<u8>, errors: Option<u8> },
    DescribeConfigurations(u8),
    DeleteConfiguration(u8),
    PutExceptions { rule: u8, resources: u8, message: bool, expires_in: Option<u8> },
    DescribeExceptions { rule: u8, resources: Option<u8>, limit: u8, continue_paging: bool },
    DeleteExceptions(u8, u8),
    StartExecution(u8, u8),
    DescribeExecutions { rule: u8, resources: Option<u8>, limit: u8 },
    ScriptSsm(u8, u8, u8),
    Advance(u8),
    Invalid(u8, u8),
}

/// The generator's pools: three rules, four resources.
const GEN_RULES: usize = 3;
const GEN_RESOURCES: usize = 4;

/// Every [`remediation_suite::generate::Breakage`]; the match below stops compiling when one is added and
/// not listed here.
const BREAKAGES: [remediation_suite::generate::Breakage; 21] = {
    use remediation_suite::generate::Breakage::*;
    [
        RuleNameTooLong, RuleNameBlank, RuleNameWithNewline, NoResourceKeys, TooManyExceptionKeys, TooManyExecutionKeys,
        ExecutionResourceIdTooLong, UnknownResourceType, MessageTooLong, LimitTooLarge, AttemptsOutOfRange,
        RetrySecondsOutOfRange, PercentageOutOfRange, UnknownTargetType, MissingTargetId, TooManyConfigurations,
        WrongMemberType, MalformedJson, InsufficientDataEvaluation, BothParameterValues, AutomaticWithoutRole,
    ]
};
const _EVERY_BREAKAGE_LISTED: fn(remediation_suite::generate::Breakage) = |b| {
    use remediation_suite::generate::Breakage::*;
    match b {
        RuleNameTooLong | RuleNameBlank | RuleNameWithNewline | NoResourceKeys | TooManyExceptionKeys | TooManyExecutionKeys
        | ExecutionResourceIdTooLong | UnknownResourceType | MessageTooLong | LimitTooLarge | AttemptsOutOfRange
        | RetrySecondsOutOfRange | PercentageOutOfRange | UnknownTargetType | MissingTargetId | TooManyConfigurations
        | WrongMemberType | MalformedJson | InsufficientDataEvaluation | BothParameterValues | AutomaticWithoutRole => {}
    }
};

/// A non-empty subset of the resource pool, from a bit mask (in pool order, as the generator's
/// subsequences are).
fn resource_set(mask: u8) -> Vec<usize> {
    let mask = mask as usize % ((1 << GEN_RESOURCES) - 1) + 1;
    (0..GEN_RESOURCES).filter(|i| mask & (1 << i) != 0).collect()
}

/// The sequence `data` decodes to for a target with `capabilities` (at most
/// [`MAX_DIFFERENTIAL_STEPS`]; steps the target cannot take are left out).
pub fn differential_steps(data: &[u8], capabilities: &std::collections::BTreeSet<remediation_suite::profile::Capability>) -> Vec<remediation_suite::generate::GenStep> {
    use remediation_suite::generate::{GenStep, TokenKind};
    use remediation_suite::profile::Capability;
    let control = capabilities.contains(&Capability::Control);
    let clock = capabilities.contains(&Capability::VirtualClock);
    let rule = |r: u8| r as usize % GEN_RULES;
    let resource = |r: u8| r as usize % GEN_RESOURCES;
    let compliance = |c: u8| ["NON_COMPLIANT", "COMPLIANT", "NOT_APPLICABLE"][c as usize % 3];
    let mut u = Unstructured::new(data);
    let mut steps = Vec::new();
    while !u.is_empty() && steps.len() < MAX_DIFFERENTIAL_STEPS {
        let Ok(step) = DiffStep::arbitrary(&mut u) else { break };
        let step = match step {
            DiffStep::PutRule(r) => GenStep::PutRule { rule: rule(r) },
            DiffStep::DeleteRule(r) => GenStep::DeleteRule { rule: rule(r) },
            DiffStep::SetCompliance(r, res, c) if control => GenStep::SetCompliance { rule: rule(r), resource: resource(res), compliance: compliance(c) },
            DiffStep::PutEvaluations { rule: r, resource: res, compliance: c, token } => {
                let token = match token % 3 {
                    0 if control => TokenKind::Valid,
                    1 => TokenKind::TestMode,
                    _ => TokenKind::Bogus,
                };
                GenStep::PutEvaluations { rule: rule(r), resource: resource(res), compliance: compliance(c), token }
            }
            DiffStep::PutConfiguration { rule: r, automatic, attempts, retry_seconds, concurrency, errors } => GenStep::PutConfiguration {
                rule: rule(r),
                automatic,
                attempts: attempts.map(|a| i32::from(a % 27)),
                retry_seconds: retry_seconds.map(i64::from),
                concurrency: concurrency.map(|c| i32::from(c % 102)),
                errors: errors.map(|e| i32::from(e % 102)),
            },
            DiffStep::DescribeConfigurations(mask) => GenStep::DescribeConfigurations { rules: (0..GEN_RULES).filter(|i| (mask as usize % 7 + 1) & (1 << i) != 0).collect() },
            DiffStep::DeleteConfiguration(r) => GenStep::DeleteConfiguration { rule: rule(r) },
            DiffStep::PutExceptions { rule: r, resources, message, expires_in } => {
                GenStep::PutExceptions { rule: rule(r), resources: resource_set(resources), message, expires_in: expires_in.map(u32::from) }
            }
            DiffStep::DescribeExceptions { rule: r, resources, limit, continue_paging } => {
                GenStep::DescribeExceptions { rule: rule(r), resources: resources.map(resource_set), limit: limit % 5, continue_paging }
            }
            DiffStep::DeleteExceptions(r, resources) => GenStep::DeleteExceptions { rule: rule(r), resources: resource_set(resources) },
            DiffStep::StartExecution(r, resources) => GenStep::StartExecution { rule: rule(r), resources: resource_set(resources) },
            DiffStep::DescribeExecutions { rule: r, resources, limit } => {
                GenStep::DescribeExecutions { rule: rule(r), resources: resources.map(resource_set), limit: limit % 5 }
            }
            DiffStep::ScriptSsm(r, res, failures) if control => GenStep::ScriptSsm { rule: rule(r), resource: resource(res), failures: failures % 7 },
            // A scenario advances by a positive number of seconds; up to 130 as the generator draws.
            DiffStep::Advance(seconds) if clock => GenStep::Advance { seconds: u32::from(seconds) % 130 + 1 },
            DiffStep::Invalid(r, b) => GenStep::Invalid { breakage: BREAKAGES[b as usize % BREAKAGES.len()], rule: rule(r) },
            DiffStep::SetCompliance(..) | DiffStep::ScriptSsm(..) | DiffStep::Advance(_) => continue,
        };
        steps.push(step);
    }
    steps
}

/// The differential target: the sequence `data` decodes to, sent to the process's endpoint
/// ([`Differential::from_env`]) and judged against the model; a finding panics with the
/// scenario file written for it and the `replay` command.
pub fn differential(data: &[u8]) {
    static DIFFERENTIAL: OnceLock<Differential> = OnceLock::new();
    let d = DIFFERENTIAL.get_or_init(|| Differential::from_env().unwrap_or_else(|e| panic!("the differential target cannot start: {e}")));
    if let Err(finding) = d.check_bytes(data) {
        panic!("{finding}");
    }
}
