//! Every deliberately broken endpoint (`testkit::Fault`) is caught by the scenario corpus: for
//! each fault, the scenarios that declare the fault's rule run against the broken endpoint
//! (reference profile: reset, control and clock work), and one of them must end FAIL at a step
//! whose model outcome names that rule. The same scenarios all PASS against `Fault::None`.
//!
//! A fault the corpus does not catch is a finding about the judge or the model, not a fault to
//! drop: the test fails and prints where the fault showed and which rules that step named.

use reference_model::clauses::RuleId;
use remediation_suite::report::ScenarioResult;
use remediation_suite::runner::{run_scenario, RunSettings};
use remediation_suite::scenario::{load_dir, Scenario};
use suite_testkit::{self as testkit, Fault};
use remediation_suite::verdict::Verdict;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

fn corpus() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios");
    load_dir(&dir).unwrap_or_else(|e| panic!("malformed scenario file: {e}"))
}

/// The scenarios that can reveal a fault: those that declare its rule.
fn selection(corpus: &[Scenario], fault: Fault) -> Vec<&Scenario> {
    corpus.iter().filter(|s| fault.rule().is_some_and(|rule| s.all_rules().contains(&rule))).collect()
}

/// Where a scenario failed: its id, the failing step and the rules the model named there.
#[derive(Clone, Debug)]
struct Failure {
    scenario: String,
    step: usize,
    clauses: Vec<RuleId>,
}

fn failure(result: &ScenarioResult) -> Option<Failure> {
    if result.verdict != Verdict::Fail {
        return None;
    }
    let step = result.steps.last().filter(|s| s.verdict == Verdict::Fail)?;
    Some(Failure { scenario: result.id.clone(), step: step.index, clauses: step.clauses.clone() })
}

/// What the corpus made of one fault.
struct Finding {
    fault: Fault,
    /// The first failure whose step names the fault's rule.
    caught_by: Option<Failure>,
    /// Failures whose step names other rules only.
    elsewhere: Vec<Failure>,
}

async fn hunt(fault: Fault, scenarios: &[&Scenario], settings: &RunSettings) -> Finding {
    let peer = testkit::faulty_reference(fault);
    let target = testkit::http_target(&peer.url, "reference", TIMEOUT);
    let mut finding = Finding { fault, caught_by: None, elsewhere: Vec::new() };
    for scenario in scenarios {
        let result = run_scenario(&target, scenario, settings).await;
        if let Some(f) = failure(&result) {
            if fault.rule().is_some_and(|rule| f.clauses.contains(&rule)) {
                finding.caught_by = Some(f);
                break;
            }
            finding.elsewhere.push(f);
        }
    }
    peer.shutdown().await;
    finding
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_a_scenario_that_checks_its_rule() {
    let started = Instant::now();
    let corpus = corpus();
    let settings = RunSettings::new(0xfa17);

    // The faithful endpoint passes every scenario any fault is judged by.
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for fault in Fault::BROKEN {
        let selected = selection(&corpus, fault);
        assert!(!selected.is_empty(), "{fault:?}: no scenario declares {:?}", fault.rule());
        all.extend(selected.iter().map(|s| s.id.as_str()));
    }
    let faithful = testkit::faulty_reference(Fault::None);
    let target = testkit::http_target(&faithful.url, "reference", TIMEOUT);
    for scenario in corpus.iter().filter(|s| all.contains(s.id.as_str())) {
        let result = run_scenario(&target, scenario, &settings).await;
        assert_eq!(result.verdict, Verdict::Pass, "Fault::None: {} {:?}", scenario.id, result.note);
    }
    faithful.shutdown().await;

    let mut findings = Vec::new();
    for fault in Fault::BROKEN {
        let selected = selection(&corpus, fault);
        findings.push(hunt(fault, &selected, &settings).await);
    }

    let mut table = String::from("fault | rule | caught by (scenario, step)\n");
    let mut problems = Vec::new();
    for f in &findings {
        let caught = match &f.caught_by {
            Some(c) => format!("{}, step {}", c.scenario, c.step),
            None => match f.elsewhere.first() {
                Some(e) => format!("NOT CAUGHT: FAIL at {}, step {}, naming only {:?}", e.scenario, e.step, e.clauses),
                None => "NOT CAUGHT: no scenario FAILs".to_owned(),
            },
        };
        table.push_str(&format!("{:?} | {} | {caught}\n", f.fault, f.fault.rule().map_or("", RuleId::as_str)));
        if f.caught_by.is_none() {
            problems.push(format!("{:?} ({:?}) is not caught: {caught}", f.fault, f.fault.rule()));
        }
    }
    let caught = findings.iter().filter(|f| f.caught_by.is_some()).count();
    let total = findings.len();
    table.push_str(&format!("faults caught: {caught}/{total}\n"));
    println!("{table}");
    eprintln!("faults test: {:.1} s", started.elapsed().as_secs_f64());
    assert!(problems.is_empty(), "{}\n\n{table}", problems.join("\n"));
    assert_eq!(caught, total, "{table}");
    assert!(caught >= 25, "only {caught} faults caught\n{table}");
}
