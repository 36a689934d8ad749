//! The scenario corpus (`fixtures/scenarios/`): every file loads, every scenario passes against
//! the embedded reference endpoint, every modelled rule is checked by some scenario, every case
//! of the real service the model can express is reproduced, and no scenario names a rule
//! outside the run's prefix.

use reference_model::clauses::{Coverage, RuleId};
use reference_model::Operation;
use remediation_suite::profile::TargetProfile;
use remediation_suite::report::ScenarioResult;
use remediation_suite::runner::{run_scenario, RunSettings};
use remediation_suite::scenario::{load_dir, Action, CallBody, Scenario};
use reference_endpoint::{self as server, ServerConfig};
use remediation_suite::target::{Endpoint, HttpTarget, SigningCredentials};
use remediation_suite::verdict::Verdict;
use suite_testkit::mutate::ModelTarget;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The cases of `fixtures/real-service/observed.json` the model can express; each needs a
/// scenario `observed/<case-id>.json` that lists it in `observed`.
const EXPRESSIBLE_OBSERVED_CASES: [&str; 8] = reference_model::clauses::OBSERVED_CASES;

/// Scenarios allowed more than [`MAX_STEPS`] steps, each with why.
const LONG_SCENARIOS: [(&str, &str); 1] =
    [("rules/max-number-of-rules", "R-ERR-08 needs 1000 rules: one step with \"repeat\": 1000 in the file")];

/// A scenario should stay small enough to read (paging needs 26 rules, hence not 15).
const MAX_STEPS: usize = 40;

/// The folders scenarios are grouped in.
const FOLDERS: [&str; 11] = [
    "validation",
    "configurations",
    "exceptions",
    "executions",
    "automatic",
    "evaluations",
    "rules",
    "compliance",
    "paging",
    "protocol",
    "observed",
];

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures").join("scenarios")
}

fn corpus() -> Vec<Scenario> {
    let scenarios = load_dir(&scenarios_dir()).unwrap_or_else(|e| panic!("malformed scenario file: {e}"));
    assert!(!scenarios.is_empty(), "no scenario in {}", scenarios_dir().display());
    scenarios
}

#[test]
fn every_scenario_file_loads_and_is_named_after_its_id() {
    let dir = scenarios_dir();
    let mut problems = Vec::new();
    for s in corpus() {
        let relative = s.source.strip_prefix(&dir).unwrap_or(&s.source).with_extension("");
        let expected: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if expected.join("/") != s.id {
            problems.push(format!("{}: id {:?} should be {:?}", s.source.display(), s.id, expected.join("/")));
        }
        if !FOLDERS.iter().any(|f| s.id.starts_with(&format!("{f}/"))) {
            problems.push(format!("{}: not in one of the folders {FOLDERS:?}", s.id));
        }
        if s.title.trim().is_empty() {
            problems.push(format!("{}: no title", s.id));
        }
        if s.steps.len() > MAX_STEPS && !LONG_SCENARIOS.iter().any(|(id, _)| *id == s.id) {
            problems.push(format!("{}: {} steps; split it (at most {MAX_STEPS})", s.id, s.steps.len()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A name that cannot be a Config rule: PutConfigRule refuses it before anything is created.
fn invalid_rule_name(name: &str) -> bool {
    let units = name.encode_utf16().count();
    let line_break = name.chars().any(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'));
    let blank = name.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r'));
    units == 0 || units > 128 || line_break || blank
}

fn rule_name(v: &Value) -> Option<&Value> {
    v.get("ConfigRuleName")
}

/// The rule names a call that changes state acts on, each with whether the call creates it.
fn names_acted_on(op: Operation, body: &Value) -> Vec<(&Value, bool)> {
    match op {
        Operation::PutConfigRule => body.pointer("/ConfigRule/ConfigRuleName").map(|v| (v, true)).into_iter().collect(),
        Operation::PutRemediationConfigurations => match body.get("RemediationConfigurations") {
            Some(Value::Array(configs)) => configs.iter().filter_map(rule_name).map(|v| (v, false)).collect(),
            _ => Vec::new(),
        },
        Operation::DeleteConfigRule
        | Operation::DeleteRemediationConfiguration
        | Operation::PutRemediationExceptions
        | Operation::DeleteRemediationExceptions
        | Operation::StartRemediationExecution => rule_name(body).map(|v| (v, false)).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Why a name must not be sent by a call that changes state, if it must not.
fn name_problem(value: &Value, creates: bool) -> Option<String> {
    match value {
        Value::String(s) if s.contains("${rule:") || invalid_rule_name(s) => None,
        Value::String(s) => Some(format!("acts on {s:?}, a rule this run did not create")),
        // `{"$string": N}` names a rule that must not exist; only an invalid length may be created.
        Value::Object(o) if o.contains_key("$string") => {
            let len = o.get("$string").and_then(|v| v.as_u64().or_else(|| v.get("len").and_then(Value::as_u64)));
            (creates && len.is_none_or(|n| n <= 128)).then(|| format!("{value} would create a rule outside the run prefix"))
        }
        _ => None,
    }
}

/// On a real account the suite must only change rules named with the run's prefix: every rule
/// a scenario creates, configures, deletes or arranges through the control API is named with
/// `${rule:…}`. A bare name may only be read, or be invalid, or (`{"$string": N}`) name a rule
/// that cannot exist.
#[test]
fn no_scenario_touches_a_rule_outside_the_run_prefix() {
    let mut problems = Vec::new();
    for s in corpus() {
        for (i, step) in s.steps.iter().enumerate() {
            let at = format!("{} step {}", s.id, i + 1);
            match &step.action {
                Action::Call { op, body: CallBody::Json(body), .. } => {
                    for (value, creates) in names_acted_on(*op, body) {
                        if let Some(p) = name_problem(value, creates) {
                            problems.push(format!("{at}: {p}"));
                        }
                    }
                }
                Action::Call { body: CallBody::Raw(raw), .. } => {
                    if serde_json::from_str::<Value>(raw).is_ok_and(|v| v.is_object() && v.as_object().is_some_and(|o| !o.is_empty())) {
                        problems.push(format!("{at}: a raw body that is a JSON object: write it as \"body\" so its names are checked"));
                    }
                }
                Action::Control(control) => {
                    if let Some(rule) = control.get("rule").and_then(Value::as_str) {
                        if !rule.contains("${rule:") {
                            problems.push(format!("{at}: control action on {rule:?}, outside the run prefix"));
                        }
                    }
                }
                Action::Advance { .. } => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_modelled_rule_is_checked_by_a_scenario() {
    let scenarios = corpus();
    let checked: BTreeSet<RuleId> = scenarios.iter().flat_map(|s| s.all_rules()).collect();
    let missing: Vec<RuleId> = RuleId::all().filter(|id| id.clause().coverage == Coverage::Modelled && !checked.contains(id)).collect();
    assert!(missing.is_empty(), "modelled rules no scenario checks ({}): {missing:?}", missing.len());
}

#[test]
fn every_expressible_observed_case_has_its_scenario() {
    let scenarios = corpus();
    let mut problems = Vec::new();
    // The repository's copy of the team's file (fixtures/real-service/SOURCE.md): the list
    // above must name only its cases. A missing copy is a failure, never a smaller check.
    let observed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/real-service/observed.json");
    let text = std::fs::read_to_string(&observed).unwrap_or_else(|e| panic!("cannot read {}: {e}", observed.display()));
    let cases: Value = serde_json::from_str(&text).expect("observed.json is JSON");
    let ids: BTreeSet<&str> = cases.as_array().expect("observed.json is an array").iter().map(|c| c["id"].as_str().expect("every case has an id")).collect();
    assert!(!ids.is_empty(), "{} has no case", observed.display());
    for id in EXPRESSIBLE_OBSERVED_CASES {
        if !ids.contains(id) {
            problems.push(format!("{id} is not a case of {}", observed.display()));
        }
    }
    for id in EXPRESSIBLE_OBSERVED_CASES {
        let file = format!("observed/{id}");
        match scenarios.iter().find(|s| s.id == file) {
            None => problems.push(format!("no scenario {file}.json for observed case {id}")),
            Some(s) if !s.observed.iter().any(|o| o == id) => problems.push(format!("{file} does not list {id} in \"observed\"")),
            Some(_) => {}
        }
    }
    for s in &scenarios {
        for id in &s.observed {
            if !EXPRESSIBLE_OBSERVED_CASES.contains(&id.as_str()) {
                problems.push(format!("{} lists unknown observed case {id:?}", s.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Everything about a scenario that did not pass, for the failure message.
fn explain(scenario: &Scenario, result: &ScenarioResult) -> String {
    let mut out = format!("{} [{}] {}", scenario.id, result.verdict, result.note.as_deref().unwrap_or(""));
    for step in result.steps.iter().filter(|s| s.verdict != Verdict::Pass) {
        let _ = write!(out, "\n  step {} {} [{}]", step.index, step.operation.map_or("", |o| o.name()), step.verdict);
        if let Some(note) = scenario.steps.get(step.index - 1).and_then(|s| s.note.as_deref()) {
            let _ = write!(out, "\n    note: {note}");
        }
        if let Some(note) = &step.note {
            let _ = write!(out, "\n    runner: {note}");
        }
        for d in &step.differences {
            let _ = write!(out, "\n    {} {}: expected {} | actual {}", d.level, d.path, d.expected, d.actual);
        }
    }
    out
}

/// The rules a scenario declares (for itself or for one step) that no run exercised where they
/// were declared: a step's rules must be among the rules some run judged that step under, and
/// the scenario's among those of some judged step of some run. A declaration nothing checks would
/// count the rule as tested in `list --rules` and in reports while no answer is ever judged
/// under it.
///
/// `runs` are the same scenario run against several targets: the reference endpoint (the
/// preferred answer everywhere) and a target that takes another acceptable answer
/// ([`other_options_target`]), since a rule an alternative `covers` is exercised only when the
/// target's answer matched that alternative. Only judged steps count
/// ([`remediation_suite::report::StepResult::judged`]): a control step, an ERROR or an
/// unimplemented call checked nothing.
fn declared_but_not_exercised(scenario: &Scenario, runs: &[&ScenarioResult]) -> Vec<String> {
    let judged_at = |i: usize| -> BTreeSet<RuleId> {
        runs.iter().filter_map(|r| r.steps.get(i)).filter(|s| s.judged()).flat_map(|s| s.clauses.iter().copied()).collect()
    };
    let mut out = Vec::new();
    let mut all: BTreeSet<RuleId> = BTreeSet::new();
    for (i, declared) in scenario.steps.iter().enumerate() {
        let judged = judged_at(i);
        for rule in declared.rules.iter().filter(|r| !judged.contains(r)) {
            out.push(format!("{} step {} {rule}", scenario.id, i + 1));
        }
        all.extend(judged);
    }
    for rule in scenario.rules.iter().filter(|r| !all.contains(r)) {
        out.push(format!("{} {rule}", scenario.id));
    }
    out
}

/// The target that serves, at every call, the last answer the model accepts (with the state it
/// leaves) instead of the preferred one the reference endpoint serves: `suite_testkit`'s
/// in-process model (`alternatives.rs` shows it conforms in every scenario). It is what
/// exercises a rule only a non-preferred alternative `covers` (a partial failure reported in
/// FailedBatches, A-03; a deletion still running, A-22; …).
fn other_options_target() -> ModelTarget {
    ModelTarget::choosing_last()
}

/// The declarations known not to be exercised, kept strictly (wasmtime's should-fail lists): a
/// new one fails, and so does a listed one that is now exercised (delete its line). Each is
/// either a rule the model should name where it applies, or a declaration to move.
const KNOWN_UNEXERCISED: &str = "tests/data/unexercised-declarations.txt";

fn check_known_unexercised(found: &[String]) {
    check_unexercised(&listed_unexercised(), found);
}

/// The check itself, for any list: what a run found must be exactly what is listed.
fn check_unexercised(listed: &[String], found: &[String]) {
    let listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let new: Vec<&&str> = found.difference(&listed).collect();
    let stale: Vec<&&str> = listed.difference(&found).collect();
    assert!(
        new.is_empty() && stale.is_empty(),
        "declared rules no step exercised, against {KNOWN_UNEXERCISED}:\nnew (make the model name the rule where it applies, or move the declaration):\n  {}\nlisted but now exercised (delete these lines):\n  {}",
        new.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n  "),
        stale.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n  "),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_against_the_reference_endpoint() {
    let scenarios = corpus();
    let server = server::start(ServerConfig::default(), ([127, 0, 0, 1], 0).into()).await.expect("the reference endpoint starts");
    let endpoint = Endpoint {
        url: server.url.clone(),
        region: "us-east-1".into(),
        credentials: SigningCredentials::local(),
        timeout: Duration::from_secs(10),
    };
    let target = HttpTarget::new(endpoint, TargetProfile::builtin("reference").expect("built-in profile")).expect("a target");
    let settings = RunSettings::new(0x5ce4_a210);
    let mut failures = Vec::new();
    let mut unexercised = Vec::new();
    let mut steps = 0;
    let mut other_runs = 0;
    for scenario in &scenarios {
        let result = run_scenario(&target, scenario, &settings).await;
        steps += result.steps.len();
        if result.verdict != Verdict::Pass {
            failures.push(explain(scenario, &result));
        }
        if declared_but_not_exercised(scenario, &[&result]).is_empty() {
            continue;
        }
        // Some declaration is not exercised by the preferred answers: run the scenario again
        // against a target that takes the other acceptable answers.
        let other = run_scenario(&other_options_target(), scenario, &settings).await;
        other_runs += 1;
        if !other.verdict.conforms() {
            failures.push(format!("against the target taking other options: {}", explain(scenario, &other)));
        }
        unexercised.extend(declared_but_not_exercised(scenario, &[&result, &other]));
    }
    server.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} of {} scenarios did not PASS:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
    check_known_unexercised(&unexercised);
    assert_eq!(steps, scenarios.iter().map(|s| s.steps.len()).sum::<usize>(), "every step ran");
    eprintln!("{} scenarios; {other_runs} run again against the target taking other options", scenarios.len());
}

fn listed_unexercised() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN_UNEXERCISED);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

#[test]
fn the_unexercised_list_takes_exactly_what_it_lists() {
    check_known_unexercised(&listed_unexercised());
}

#[test]
#[should_panic(expected = "new (make the model name the rule where it applies, or move the declaration):\n  exceptions/x step 2 R-PRE-01\nlisted but now exercised (delete these lines):\n  ")]
fn an_unlisted_unexercised_declaration_fails() {
    let mut found = listed_unexercised();
    found.push("exceptions/x step 2 R-PRE-01".into());
    check_known_unexercised(&found);
}

/// A line listed (here, planted into the list) that no run finds any more fails the check.
#[test]
fn a_listed_declaration_that_is_now_exercised_fails() {
    let found = listed_unexercised();
    let fixed = "exceptions/x step 2 R-PRE-01".to_owned();
    let listed: Vec<String> = found.iter().cloned().chain([fixed.clone()]).collect();
    let panic = std::panic::catch_unwind(|| check_unexercised(&listed, &found)).expect_err("a listed line no longer found fails the check");
    let message = panic.downcast_ref::<String>().expect("the check panics with a formatted message");
    assert!(message.contains(&format!("listed but now exercised (delete these lines):\n  {fixed}")), "{message}");
}

/// The run against the target taking other options is what exercises a rule only a
/// non-preferred alternative covers, for a scenario's declaration and a step's alike; and only
/// its judged steps count. The preferred answers alone (the model in process, answering as the
/// reference endpoint does) leave exactly these declarations unexercised.
#[rstest::rstest]
#[case::partial_failure_listed("exceptions/delete-missing", &["exceptions/delete-missing R-DelRE-03"])]
#[case::deletion_still_running(
    "rules/deletion-may-still-run",
    &[
        "rules/deletion-may-still-run R-DCR-03",
        "rules/deletion-may-still-run step 3 R-DCR-02",
        "rules/deletion-may-still-run step 3 R-PCR-24",
        "rules/deletion-may-still-run step 5 R-DCR-02",
    ]
)]
#[tokio::test]
async fn a_rule_only_another_acceptable_answer_covers_is_exercised_by_the_other_options_run(#[case] id: &str, #[case] only_by_others: &[&str]) {
    let scenario = corpus().into_iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no scenario {id}"));
    let settings = RunSettings::new(7);
    let preferred = run_scenario(&ModelTarget::new(), &scenario, &settings).await;
    let other = run_scenario(&other_options_target(), &scenario, &settings).await;
    assert_eq!((preferred.verdict, other.verdict), (Verdict::Pass, Verdict::Pass), "{}", explain(&scenario, &other));
    assert!(other.steps.iter().any(|s| s.alternative.is_some_and(|a| a > 0)), "{id}: the other run took no other answer");

    let mut left = declared_but_not_exercised(&scenario, &[&preferred]);
    left.sort();
    assert_eq!(left, only_by_others, "{id}: the preferred answers alone");
    assert_eq!(declared_but_not_exercised(&scenario, &[&preferred, &other]), Vec::<String>::new(), "{id}: with the other options");

    // The same answers unjudged (ERROR: no usable answer) exercise nothing.
    let mut unjudged = other.clone();
    for step in &mut unjudged.steps {
        step.verdict = Verdict::Error;
    }
    let mut left = declared_but_not_exercised(&scenario, &[&preferred, &unjudged]);
    left.sort();
    assert_eq!(left, only_by_others, "{id}: unjudged steps count");
}
