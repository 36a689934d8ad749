//! Generated sequences: they all pass against the reference endpoint, and they find every
//! deliberately broken endpoint of the testkit without a hand-written scenario, shrinking the
//! failure to a short sequence that replays.

use remediation_suite::generate::{run_generated, GenerateOptions, GeneratedSummary};
use remediation_suite::runner::{run_scenario, RunSettings};
use remediation_suite::scenario::Scenario;
use reference_endpoint::{self as server, ServerConfig};
use suite_testkit::{self as testkit, Fault};
use remediation_suite::verdict::Verdict;
use rstest::rstest;
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

fn generate(url: &str, seed: u64, sequences: u32, max_steps: usize) -> GeneratedSummary {
    let target = testkit::http_target(url, "reference", TIMEOUT);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let handle = runtime.handle().clone();
    let options = GenerateOptions { seed, sequences, max_steps, time_limit: Some(Duration::from_secs(120)) };
    run_generated(&target, &RunSettings::new(seed), &options, &|future| handle.block_on(future))
}

#[test]
fn the_reference_endpoint_passes_every_generated_sequence() {
    let server = server::start_in_background(ServerConfig::default()).expect("server");
    let summary = generate(&server.url, 11, 300, 25);
    assert!(summary.failure.is_none(), "{:#?}", summary.failure.map(|f| f.result));
    assert_eq!(summary.sequences, 300);
    assert_eq!(summary.verdicts.get(&Verdict::Pass).copied().unwrap_or(0) + summary.verdicts.get(&Verdict::NonStrict).copied().unwrap_or(0), 300);
    // Coverage: every remediation operation, the main error paths and many rules are reached.
    for op in [
        "PutRemediationConfigurations",
        "DescribeRemediationConfigurations",
        "DeleteRemediationConfiguration",
        "PutRemediationExceptions",
        "DescribeRemediationExceptions",
        "DeleteRemediationExceptions",
        "StartRemediationExecution",
        "DescribeRemediationExecutionStatus",
        "PutEvaluations",
    ] {
        assert!(summary.operations.contains_key(op), "{op} never generated: {:?}", summary.operations);
    }
    for code in ["ValidationException", "SerializationException", "InvalidParameterValueException", "NoSuchRemediationConfigurationException", "InvalidResultTokenException"] {
        assert!(summary.error_codes.contains_key(code), "{code} never provoked: {:?}", summary.error_codes);
    }
    assert!(summary.rules.len() >= 60, "only {} rule IDs reached: {:?}", summary.rules.len(), summary.rules);
}

/// Each fault, found by generation alone; the shrunk sequence fails the same way when replayed
/// and passes against the faithful endpoint.
#[rstest]
#[case::off_by_one_limit(Fault::OffByOneResourceKeys)]
#[case::missing_pattern_check(Fault::NoPatternCheck)]
#[case::exception_for_compliant_resource(Fault::ExceptionForCompliantResource)]
#[case::wrong_error_code(Fault::WrongErrorCode)]
#[case::dropped_failed_batches(Fault::DropFailedBatches)]
#[case::expiry_ignored(Fault::ExpiryIgnored)]
fn the_generator_finds_a_broken_endpoint(#[case] fault: Fault) {
    let broken = testkit::faulty_reference(fault);
    let summary = generate(&broken.url, 1, 2000, 25);
    let failure = summary.failure.unwrap_or_else(|| panic!("{fault:?} not found in {} sequences", summary.sequences));
    assert_eq!(failure.verdict, Verdict::Fail, "{fault:?}");
    eprintln!(
        "{fault:?}: found after {} sequences; shrunk from {} to {} steps",
        summary.sequences, failure.original_steps, failure.shrunk_steps
    );
    assert!(failure.shrunk_steps <= 6, "{fault:?}: the shrunk sequence has {} steps: {}", failure.shrunk_steps, failure.scenario);

    let scenario = Scenario::parse(&failure.scenario.to_string(), Path::new("regression.json")).expect("a valid scenario");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let settings = RunSettings::new(99);
    let replayed = runtime.block_on(run_scenario(&testkit::http_target(&broken.url, "reference", TIMEOUT), &scenario, &settings));
    assert_eq!(replayed.verdict, Verdict::Fail, "the regression scenario replays the failure");
    let faithful = testkit::faulty_reference(Fault::None);
    let control = runtime.block_on(run_scenario(&testkit::http_target(&faithful.url, "reference", TIMEOUT), &scenario, &settings));
    assert_eq!(control.verdict, Verdict::Pass, "and passes against the faithful endpoint");
}

/// On a target without reset, the failure is shrunk and re-checked with fresh names for every
/// attempt (never meeting what an earlier attempt left), and the written regression replays the
/// failure on the same, by then well-used, target.
#[rstest]
#[case::off_by_one_limit(Fault::OffByOneResourceKeys)]
#[case::wrong_error_code(Fault::WrongErrorCode)]
fn a_regression_found_without_reset_replays(#[case] fault: Fault) {
    let broken = testkit::faulty_reference(fault);
    let target = testkit::http_target(&broken.url, "generic", TIMEOUT);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let handle = runtime.handle().clone();
    let options = GenerateOptions { seed: 3, sequences: 2000, max_steps: 25, time_limit: Some(Duration::from_secs(120)) };
    let settings = RunSettings::new(3).with_fresh_names();
    let summary = run_generated(&target, &settings, &options, &|future| handle.block_on(future));
    let failure = summary.failure.unwrap_or_else(|| panic!("{fault:?} not found in {} sequences", summary.sequences));
    assert_eq!(failure.verdict, Verdict::Fail, "{fault:?}");

    let scenario = Scenario::parse(&failure.scenario.to_string(), Path::new("regression.json")).expect("a valid scenario");
    for attempt in 0..2 {
        let replayed = runtime.block_on(run_scenario(&target, &scenario, &RunSettings::new(3).with_fresh_names()));
        assert_eq!(replayed.verdict, Verdict::Fail, "replay {attempt} reproduces the failure: {:?}", replayed.note);
        assert!(replayed.leftovers.is_empty(), "{:?}", replayed.leftovers);
    }
    let faithful = testkit::faulty_reference(Fault::None);
    let control = runtime.block_on(run_scenario(&testkit::http_target(&faithful.url, "generic", TIMEOUT), &scenario, &settings));
    assert_eq!(control.verdict, Verdict::Pass, "and passes against the faithful endpoint: {:?}", control.note);
}
