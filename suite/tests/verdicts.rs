//! Every verdict, provoked on purpose: scenarios written here run through the real runner
//! (`runner::run_scenario`) against the scripted peers of `suite_testkit`.

use remediation_suite::expect::ExpectationFile;
use remediation_suite::report::{Report, ScenarioResult, TargetInfo};
use remediation_suite::runner::{run_scenario, RunSettings};
use suite_testkit::{self as testkit, Alteration, Fault, Peer, TempDir};
use remediation_suite::verdict::Verdict;
use reference_model::Level;
use rstest::rstest;
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

/// Per-request timeout of the target client in these tests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// No test may take longer than this, whatever a peer does.
const TEST_DEADLINE: Duration = Duration::from_secs(60);

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(TEST_DEADLINE, future).await.expect("the test finished within its deadline")
}

async fn run_with_timeout(url: &str, profile: &str, scenario: &Value, timeout: Duration) -> ScenarioResult {
    let target = testkit::http_target(url, profile, timeout);
    within(run_scenario(&target, &testkit::scenario(scenario), &RunSettings::new(0x5eed))).await
}

async fn run(peer: &Peer, profile: &str, scenario: &Value) -> ScenarioResult {
    run_with_timeout(&peer.url, profile, scenario, REQUEST_TIMEOUT).await
}

/// Everything the runner recorded, for assertion messages.
fn dump(result: &ScenarioResult) -> String {
    serde_json::to_string_pretty(result).unwrap_or_default()
}

fn bucket_key(id: &str) -> Value {
    json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": id})
}

fn put_rule() -> Value {
    json!({"op": "PutConfigRule", "body": {"ConfigRule": {"ConfigRuleName": "${rule:a}",
        "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}})
}

fn put_remediation() -> Value {
    json!({"op": "PutRemediationConfigurations", "body": {"RemediationConfigurations": [{
        "ConfigRuleName": "${rule:a}", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption",
        "Parameters": {"BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
        "ResourceType": "AWS::S3::Bucket", "Automatic": false}]}})
}

fn set_compliance(resource: &str, compliance: &str) -> Value {
    json!({"control": {"action": "set_compliance", "rule": "${rule:a}", "resource_type": "AWS::S3::Bucket",
        "resource_id": resource, "compliance": compliance}})
}

fn scenario(id: &str, rules: &[&str], steps: Vec<Value>) -> Value {
    json!({"id": id, "title": id, "rules": rules, "steps": steps})
}

/// One call that needs nothing from the target: a rule name no one created.
fn describe_unknown_rule() -> Value {
    scenario(
        "calls/describe-exceptions",
        &["R-DRE-01"],
        vec![
            json!({"op": "DescribeRemediationExceptions", "body": {"ConfigRuleName": "${rule:nobody}"}}),
            json!({"op": "DescribeRemediationExceptions", "body": {"ConfigRuleName": "${rule:nobody-else}"}}),
        ],
    )
}

/// The repository's own scenario, as the CLI loads it.
fn fixture(id: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios").join(format!("{id}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the fixture exists")).expect("the fixture is JSON")
}

// ---------------------------------------------------------------------------------------------
// PASS

#[tokio::test]
async fn pass_against_the_faithful_reference_peer() {
    let peer = testkit::faulty_reference(Fault::None);
    let scenario = fixture("exceptions/only-non-compliant");
    let result = run(&peer, "reference", &scenario).await;
    assert_eq!(result.verdict, Verdict::Pass, "{}", dump(&result));
    assert!(result.steps.iter().all(|s| s.verdict == Verdict::Pass && s.differences.is_empty()), "{}", dump(&result));
    assert_eq!(result.steps.len(), scenario["steps"].as_array().map_or(0, Vec::len));
}

// ---------------------------------------------------------------------------------------------
// FAIL: one scenario per broken rule. Each passes against the faithful peer and fails against
// the broken one at the step that checks the rule, with the difference at the given path.

fn off_by_one_put() -> Value {
    scenario(
        "faults/off-by-one-put-exceptions",
        &["R-PRE-07"],
        vec![json!({"op": "PutRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}",
            "ResourceKeys": {"$repeat": 101, "item": {"ResourceType": "AWS::S3::Bucket", "ResourceId": "b${i}"}}}})],
    )
}

fn off_by_one_start() -> Value {
    scenario(
        "faults/off-by-one-start-execution",
        &["R-SRE-03"],
        vec![
            put_rule(),
            put_remediation(),
            json!({"op": "StartRemediationExecution", "body": {"ConfigRuleName": "${rule:a}",
                "ResourceKeys": {"$repeat": 101, "item": {"resourceType": "AWS::S3::Bucket", "resourceId": "b${i}"}}}}),
        ],
    )
}

fn whitespace_rule_name() -> Value {
    scenario(
        "faults/whitespace-rule-name",
        &["R-DRE-07"],
        vec![json!({"op": "DescribeRemediationExceptions", "body": {"ConfigRuleName": "   "}})],
    )
}

fn exception_for_compliant() -> Value {
    scenario(
        "faults/exception-for-compliant",
        &["R-PRE-04"],
        vec![
            put_rule(),
            set_compliance("good", "COMPLIANT"),
            json!({"op": "PutRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}", "ResourceKeys": [bucket_key("good")]}}),
            json!({"op": "DescribeRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}"}}),
        ],
    )
}

fn no_configuration_error() -> Value {
    scenario(
        "faults/no-configuration-error-code",
        &["R-DRES-04"],
        vec![json!({"op": "DescribeRemediationExecutionStatus", "body": {"ConfigRuleName": "${rule:none}"}})],
    )
}

fn partial_delete() -> Value {
    scenario(
        "faults/partial-delete-exceptions",
        &["R-DelRE-02"],
        vec![
            put_rule(),
            set_compliance("bad", "NON_COMPLIANT"),
            json!({"op": "PutRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}", "ResourceKeys": [bucket_key("bad")]}}),
            json!({"op": "DeleteRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}",
                "ResourceKeys": [bucket_key("bad"), bucket_key("never-excepted")]}}),
        ],
    )
}

fn start_on_compliant() -> Value {
    scenario(
        "faults/start-on-compliant",
        &["R-SRE-06"],
        vec![
            put_rule(),
            put_remediation(),
            set_compliance("good", "COMPLIANT"),
            json!({"op": "StartRemediationExecution", "body": {"ConfigRuleName": "${rule:a}",
                "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": "good"}]}}),
        ],
    )
}

fn expiry_kept() -> Value {
    scenario(
        "faults/expiry-kept",
        &["R-PRE-09"],
        vec![
            put_rule(),
            set_compliance("bad", "NON_COMPLIANT"),
            json!({"op": "PutRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}",
                "ResourceKeys": [bucket_key("bad")], "ExpirationTime": {"$now": 3600}}}),
            json!({"op": "DescribeRemediationExceptions", "body": {"ConfigRuleName": "${rule:a}"}}),
        ],
    )
}

#[rstest]
#[case::off_by_one_put(Fault::OffByOneResourceKeys, off_by_one_put(), 1, "status")]
#[case::off_by_one_start(Fault::OffByOneResourceKeys, off_by_one_start(), 3, "status")]
#[case::no_pattern_check(Fault::NoPatternCheck, whitespace_rule_name(), 1, "status")]
#[case::exception_for_compliant(Fault::ExceptionForCompliantResource, exception_for_compliant(), 4, "RemediationExceptions")]
#[case::wrong_error_code(Fault::WrongErrorCode, no_configuration_error(), 1, "__type")]
// A success answer is judged against the success alternative (A-14's partial success), so the
// difference names the missing batch rather than the status of the whole-request refusal.
#[case::dropped_failed_batches(Fault::DropFailedBatches, partial_delete(), 4, "FailedBatches/0")]
#[case::dropped_failed_items(Fault::DropFailedBatches, start_on_compliant(), 4, "FailedItems/0")]
#[case::expiry_ignored(Fault::ExpiryIgnored, expiry_kept(), 4, "RemediationExceptions/0/ExpirationTime")]
#[tokio::test]
async fn each_fault_fails_the_scenario_that_checks_it(
    #[case] fault: Fault,
    #[case] scenario: Value,
    #[case] failing_step: usize,
    #[case] path: &str,
) {
    let faithful = testkit::faulty_reference(Fault::None);
    let control = run(&faithful, "reference", &scenario).await;
    assert_eq!(control.verdict, Verdict::Pass, "the scenario must pass against the faithful peer: {}", dump(&control));

    let broken = testkit::faulty_reference(fault);
    let result = run(&broken, "reference", &scenario).await;
    assert_eq!(result.verdict, Verdict::Fail, "{fault:?}: {}", dump(&result));
    assert_eq!(result.note.as_deref(), Some(format!("stopped at step {failing_step}").as_str()));
    let step = result.steps.last().expect("the failing step is recorded");
    assert_eq!((step.index, step.verdict), (failing_step, Verdict::Fail), "{}", dump(&result));
    assert!(
        step.differences.iter().any(|d| d.path == path && d.level == Level::Must),
        "{fault:?}: expected a MUST difference at {path}, got {:#?}",
        step.differences
    );
    assert!(result.steps[..failing_step - 1].iter().all(|s| s.verdict.conforms()), "{}", dump(&result));
}

#[tokio::test]
async fn wrong_error_code_is_reported_with_both_codes() {
    let peer = testkit::faulty_reference(Fault::WrongErrorCode);
    let result = run(&peer, "reference", &no_configuration_error()).await;
    let d = &result.steps[0].differences;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        (d[0].expected.as_str(), d[0].actual.as_str()),
        ("NoSuchRemediationConfigurationException", "ResourceNotFoundException")
    );
}

// ---------------------------------------------------------------------------------------------
// NON-STRICT: only MAY or SHOULD details differ.

#[tokio::test]
async fn non_strict_when_only_the_error_message_differs() {
    let peer = testkit::recorded(Alteration::ErrorMessage);
    let result = run(&peer, "reference", &no_configuration_error()).await;
    assert_eq!(result.verdict, Verdict::NonStrict, "{}", dump(&result));
    let d = &result.steps[0].differences;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].path.as_str(), d[0].level), ("message", Level::May));
    assert!(d[0].actual.ends_with(testkit::REWORDED_SUFFIX), "{d:#?}");
}

#[tokio::test]
async fn non_strict_when_content_type_and_request_id_are_wrong() {
    let peer = testkit::wrong_content_type();
    let result = run(&peer, "reference", &exception_for_compliant()).await;
    assert_eq!(result.verdict, Verdict::NonStrict, "{}", dump(&result));
    assert_eq!(result.steps.len(), 4, "a NON-STRICT step does not stop the scenario");
    let all: Vec<_> = result.steps.iter().flat_map(|s| &s.differences).collect();
    assert!(all.iter().all(|d| d.level == Level::Should), "{all:#?}");
    assert!(all.iter().any(|d| d.path == "header:content-type" && d.actual.starts_with("text/html")), "{all:#?}");
    assert!(all.iter().any(|d| d.path == "header:x-amzn-RequestId" && d.actual == "absent"), "{all:#?}");
}

// ---------------------------------------------------------------------------------------------
// UNIMPLEMENTED and ERROR: answers the judge cannot compare.

#[rstest]
#[case::localstack_501(testkit::not_implemented_501 as fn() -> Peer, "localstack", Verdict::Unimplemented, "HTTP 501: {\"__type\":\"InternalFailure\",\"message\":\"The describe_remediation_exceptions action has not been implemented\"}")]
#[case::moto_html_500(testkit::html_500 as fn() -> Peer, "moto", Verdict::Unimplemented, "HTTP 500 with an HTML page, which moto sends for operations it lacks")]
#[case::html_500_elsewhere(testkit::html_500 as fn() -> Peer, "generic", Verdict::Error, "server error HTTP 500: <!doctype html>")]
#[case::garbage(testkit::garbage_json as fn() -> Peer, "generic", Verdict::Error, "HTTP 200 with a body that is not JSON (EOF while parsing")]
#[case::server_error(testkit::server_error as fn() -> Peer, "generic", Verdict::Error, "server error HTTP 500: {\"__type\":\"InternalFailure\"")]
#[case::missing_error_type(testkit::missing_error_type as fn() -> Peer, "generic", Verdict::Error, "HTTP 400 without an error type (no __type, no X-Amzn-ErrorType): {}")]
#[tokio::test]
async fn unusable_answers(#[case] start: fn() -> Peer, #[case] profile: &str, #[case] verdict: Verdict, #[case] note: &str) {
    let peer = start();
    let result = run(&peer, profile, &describe_unknown_rule()).await;
    assert_eq!(result.verdict, verdict, "{}", dump(&result));
    assert_eq!(result.steps.len(), 1, "the scenario stops at the first {verdict}");
    assert_eq!(result.note.as_deref(), Some("stopped at step 1"));
    let step = &result.steps[0];
    assert_eq!(step.verdict, verdict);
    assert!(step.actual.is_none() && step.differences.is_empty(), "{}", dump(&result));
    let got = step.note.as_deref().unwrap_or_default();
    assert!(got.starts_with(note), "note {got:?} should start with {note:?}");
    // One call, after the reset of a profile that has one (moto: /moto-api/reset).
    let resets = usize::from(remediation_suite::profile::TargetProfile::builtin(profile).expect("built in").reset_path.is_some());
    assert_eq!(peer.requests(), 1 + resets);
}

#[tokio::test]
async fn error_when_the_answer_never_comes() {
    let peer = testkit::hang();
    let started = Instant::now();
    let result = run_with_timeout(&peer.url, "generic", &describe_unknown_rule(), Duration::from_millis(300)).await;
    assert!(started.elapsed() < Duration::from_secs(5), "the client timeout ended it: {:?}", started.elapsed());
    assert_eq!(result.verdict, Verdict::Error, "{}", dump(&result));
    assert_eq!(result.steps[0].note.as_deref(), Some("no answer: timed out"));
    assert_eq!(result.steps.len(), 1);
}

#[tokio::test]
async fn error_when_the_connection_is_refused() {
    let url = testkit::closed_port_url();
    let result = run_with_timeout(&url, "generic", &describe_unknown_rule(), REQUEST_TIMEOUT).await;
    assert_eq!(result.verdict, Verdict::Error, "{}", dump(&result));
    let note = result.steps[0].note.as_deref().unwrap_or_default();
    assert!(note.starts_with("no answer: cannot connect: "), "{note}");
    assert!(note.contains("Connection refused"), "the cause is named: {note}");
}

#[tokio::test]
async fn error_when_the_control_api_is_missing() {
    // The `reference` profile resets the target first; a peer without the control API says 500.
    let peer = testkit::server_error();
    let result = run(&peer, "reference", &describe_unknown_rule()).await;
    assert_eq!(result.verdict, Verdict::Error, "{}", dump(&result));
    assert!(result.steps.is_empty());
    let note = result.note.as_deref().unwrap_or_default();
    assert!(note.starts_with("cannot reset the target: control call reset answered HTTP 500"), "{note}");
}

// ---------------------------------------------------------------------------------------------
// SKIPPED: a capability the scenario needs from its start is missing; the target is never
// contacted. A step that needs one stops the scenario there, after judging the steps before.

#[tokio::test]
async fn skipped_when_the_profile_lacks_what_the_scenario_needs_from_the_start() {
    let peer = testkit::faulty_reference(Fault::None);
    let mut needs_it = scenario("needs/something", &["R-PRE-04"], vec![put_rule(), json!({"op": "DescribeConfigRules", "body": {}})]);
    needs_it["needs"] = json!(["reset"]);
    let result = run(&peer, "generic", &needs_it).await;
    assert_eq!(result.verdict, Verdict::Skipped, "{}", dump(&result));
    assert!(result.steps.is_empty());
    let note = result.note.as_deref().unwrap_or_default();
    assert!(note.starts_with("the target (generic) lacks ") && note.contains("reset"), "{note}");
    assert_eq!(peer.requests(), 0, "a skipped scenario sends nothing");

    let result = run(&peer, "reference", &needs_it).await;
    assert_eq!(result.verdict, Verdict::Pass, "the reference profile has it: {}", dump(&result));
}

#[rstest]
#[case::control(set_compliance("b", "COMPLIANT"), "control")]
#[case::clock(json!({"advance": 60}), "virtual-clock")]
#[case::whole_account(json!({"op": "DescribeComplianceByResource", "body": {}}), "reset")]
#[tokio::test]
async fn a_step_the_target_cannot_take_ends_the_scenario_there(#[case] step: Value, #[case] missing: &str) {
    let peer = testkit::faulty_reference(Fault::None);
    let needs_it = scenario("needs/something", &["R-PRE-04"], vec![put_rule(), step.clone(), put_rule()]);
    let result = run(&peer, "generic", &needs_it).await;
    assert_eq!(result.verdict, Verdict::Pass, "the step before was judged: {}", dump(&result));
    assert_eq!(result.steps.len(), 1, "{}", dump(&result));
    let note = result.note.as_deref().unwrap_or_default();
    assert!(note.starts_with("steps 2–3 not run: step 2 needs ") && note.contains(missing), "{note}");

    // With nothing judged before it, the scenario is SKIPPED and sends nothing.
    let first = scenario("needs/first", &["R-PRE-04"], vec![step, put_rule()]);
    let before = peer.requests();
    let result = run(&peer, "generic", &first).await;
    assert_eq!(result.verdict, Verdict::Skipped, "{}", dump(&result));
    assert!(result.steps.is_empty());
    assert_eq!(peer.requests(), before, "a skipped scenario sends nothing");

    let result = run(&peer, "reference", &needs_it).await;
    assert_eq!(result.verdict, Verdict::Pass, "the reference profile has it: {}", dump(&result));
    assert_eq!(result.steps.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Expectation files: a listed deviation is expected, a listed scenario that passes is reported.

fn expectations(dir: &TempDir, entries: &str) -> ExpectationFile {
    let path = dir.write("expectations/localstack.toml", entries);
    ExpectationFile::load(&path).expect("a valid expectation file")
}

fn report(results: Vec<ScenarioResult>, file: &ExpectationFile) -> Report {
    let mut results = results;
    let summary = file.apply(&mut results);
    let target = TargetInfo { profile: "localstack".into(), endpoint: "test".into(), region: "us-east-1".into() };
    let mut report = Report::new(target, "now".into(), 1, "rsuite-00000001-".into(), results);
    report.expectations = summary;
    report
}

const LISTED_UNIMPLEMENTED: &str = r#"
[[deviation]]
scenario = "calls/describe-exceptions"
step = 1
operation = "DescribeRemediationExceptions"
verdict = "UNIMPLEMENTED"
kind = "not-implemented"
reason = "no remediation operation yet"

[[deviation]]
scenario = "gone/never-run"
step = 1
operation = "PutConfigRule"
verdict = "FAIL"
kind = "wont-fix"
reason = "matches nothing"
"#;

#[tokio::test]
async fn a_listed_unimplemented_is_an_expected_deviation() {
    let dir = TempDir::new("verdicts-expect");
    let file = expectations(&dir, LISTED_UNIMPLEMENTED);
    let peer = testkit::not_implemented_501();
    let result = run(&peer, "localstack", &describe_unknown_rule()).await;
    assert_eq!(result.verdict, Verdict::Unimplemented);

    let report = report(vec![result], &file);
    assert_eq!(report.expectations.expected, vec!["calls/describe-exceptions"]);
    assert!(report.expectations.unexpected.is_empty() && report.expectations.unexpected_passes.is_empty());
    assert_eq!(report.expectations.stale_entries, vec!["gone/never-run (FAIL at step 1 PutConfigRule): no scenario has this id"]);
    assert_eq!(report.scenarios[0].expected_deviation.as_deref(), Some("no remediation operation yet"));
    assert_eq!(report.expectations.failures(), 1, "only the stale entry fails the run");
    assert!(!report.is_conformant(), "a stale entry fails the run");
}

#[tokio::test]
async fn a_listed_scenario_that_passes_is_an_unexpected_pass() {
    let dir = TempDir::new("verdicts-unexpected-pass");
    let file = expectations(&dir, LISTED_UNIMPLEMENTED);
    let peer = testkit::faulty_reference(Fault::None);
    let result = run(&peer, "generic", &describe_unknown_rule()).await;
    assert_eq!(result.verdict, Verdict::Pass, "{}", dump(&result));

    let report = report(vec![result], &file);
    assert_eq!(
        report.expectations.unexpected_passes,
        vec!["calls/describe-exceptions (listed as UNIMPLEMENTED at step 1 DescribeRemediationExceptions: no remediation operation yet)"]
    );
    assert!(report.expectations.expected.is_empty());
    assert!(!report.is_conformant(), "an unexpected pass fails the run");
}

#[tokio::test]
async fn a_listed_scenario_with_another_deviation_is_unexpected() {
    let dir = TempDir::new("verdicts-other-deviation");
    let file = expectations(&dir, LISTED_UNIMPLEMENTED);
    let peer = testkit::garbage_json();
    let result = run(&peer, "generic", &describe_unknown_rule()).await;
    let report = report(vec![result], &file);
    assert_eq!(
        report.expectations.unexpected,
        vec!["calls/describe-exceptions: ERROR at step 1 DescribeRemediationExceptions, listed as UNIMPLEMENTED at step 1 DescribeRemediationExceptions"]
    );
    assert!(!report.is_conformant());
}
