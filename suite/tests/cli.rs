//! The built binary's exit codes and messages: 0 conformant, 1 unexpected deviations, 2 usage or
//! set-up error. Every run writes its reports to a temporary `--out` and is killed if it
//! outlives [`DEADLINE`].

use suite_testkit::{self as testkit, TempDir};
use rstest::rstest;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::binary::BIN;

const DEADLINE: Duration = Duration::from_secs(90);

type Outcome = support::binary::Finished;

fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/testdata").join(relative)
}

use support::binary::spawn;

/// Runs the binary in `cwd` to its end (or the deadline).
fn suite_in(cwd: &Path, args: &[&str]) -> Outcome {
    support::binary::run(cwd, args, DEADLINE)
}

fn suite(args: &[&str]) -> Outcome {
    let cwd = TempDir::new("cli-cwd");
    suite_in(cwd.path(), args)
}

/// `run` with a temporary `--out`; returns the outcome and the parsed report.json, if written.
fn run(extra: &[&str]) -> (Outcome, Option<Value>) {
    let out = TempDir::new("cli-out");
    let out_dir = out.path().to_str().expect("a UTF-8 temp path").to_owned();
    // No generated sequences: these tests are about scenario verdicts and exit codes.
    let mut args = vec!["run", "--out", &out_dir, "--sequences", "0"];
    args.extend_from_slice(extra);
    let outcome = suite(&args);
    let report = std::fs::read_to_string(out.path().join("report.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("report.json is JSON"));
    (outcome, report)
}

fn scenario_verdicts(report: &Value) -> Vec<(String, String)> {
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| (s["id"].as_str().unwrap_or_default().to_owned(), s["verdict"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

fn path_arg(p: &Path) -> String {
    p.to_str().expect("a UTF-8 path").to_owned()
}

// ---------------------------------------------------------------------------------------------
// Exit 0

#[test]
fn default_run_against_the_embedded_endpoint_passes() {
    let (outcome, report) = run(&["--filter", "exceptions/only-non-compliant"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let report = report.expect("report.json written");
    let verdicts = scenario_verdicts(&report);
    assert!(verdicts.contains(&("exceptions/only-non-compliant".to_owned(), "PASS".to_owned())), "{verdicts:?}");
    assert!(verdicts.iter().all(|(_, v)| v == "PASS"), "{verdicts:?}");
    assert_eq!(report["target"]["endpoint"], "embedded reference endpoint");
    assert!(outcome.stdout.contains("\nconformant\n"), "{outcome:?}");
    assert!(outcome.stdout.contains("seed "), "{outcome:?}");
    assert!(outcome.stderr.is_empty(), "{outcome:?}");
}

#[test]
fn listed_unimplemented_deviations_exit_0() {
    let peer = testkit::not_implemented_501();
    let (outcome, report) = run(&[
        "--endpoint",
        &peer.url,
        "--target",
        "localstack",
        "--fixtures",
        &path_arg(&testdata("calls-only")),
        "--expectations",
        &path_arg(&testdata("expectations/calls-unimplemented.toml")),
    ]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let report = report.expect("report.json written");
    assert_eq!(scenario_verdicts(&report), [("calls/describe-exceptions".to_owned(), "UNIMPLEMENTED".to_owned())]);
    assert_eq!(report["expectations"]["expected"], serde_json::json!(["calls/describe-exceptions"]));
}

#[test]
fn list_shows_scenarios_and_their_count() {
    let outcome = suite(&["list"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let line = outcome.stdout.lines().find(|l| l.starts_with("exceptions/only-non-compliant ")).expect("the scenario is listed");
    assert!(line.contains(" steps  rules ") && line.contains("R-PRE-04") && line.contains("needs control"), "{line}");
    let last = outcome.stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" scenarios") && last.split(' ').next().is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 1)), "{last}");
}

#[test]
fn list_rules_shows_every_rule_with_its_coverage() {
    let outcome = suite(&["list", "--rules"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let line = outcome.stdout.lines().find(|l| l.starts_with("R-PRE-04 ")).expect("R-PRE-04 is listed");
    assert!(line.trim_end().ends_with("scenario(s)"), "{line}");
    assert_eq!(outcome.stdout.lines().count(), reference_model::clauses::CLAUSES.len(), "one line per rule");
}

/// The help of `--target` names every built-in profile, and `cleanup` says its endpoint is
/// required (one set of target flags, two helps).
#[test]
fn target_help_names_every_builtin_profile() {
    let run = suite(&["run", "--help"]);
    let line = run.stdout.lines().find(|l| l.trim_start().starts_with("--target")).expect("--target is documented").to_owned();
    let next = run.stdout.lines().skip_while(|l| !l.trim_start().starts_with("--target")).nth(1).unwrap_or_default().to_owned();
    for name in remediation_suite::profile::TargetProfile::NAMES {
        assert!(format!("{line} {next}").contains(name), "{name} missing from: {line} {next}");
    }
    let cleanup = suite(&["cleanup", "--help"]);
    assert!(cleanup.stdout.contains("Endpoint to clean up (required"), "{}", cleanup.stdout);
    assert!(!run.stdout.contains("Endpoint to clean up"), "{}", run.stdout);
}

/// `explain` works for every rule of the catalogue, and names its scenarios; an unknown ID is a
/// usage error.
#[test]
fn explain_answers_for_every_rule_and_refuses_an_unknown_one() {
    for clause in reference_model::clauses::CLAUSES {
        let outcome = suite(&["explain", clause.id]);
        assert_eq!(outcome.code, Some(0), "{}: {outcome:?}", clause.id);
        assert!(outcome.stdout.starts_with(&format!("{} (", clause.id)), "{}", outcome.stdout);
    }
    let outcome = suite(&["explain", "R-PRE-04"]);
    assert!(outcome.stdout.contains("\nscenarios that declare it:\n  exceptions/"), "{}", outcome.stdout);
    let outcome = suite(&["explain", "R-NOPE-01"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert!(outcome.stderr.contains("R-NOPE-01 is not a rule of the catalogue"), "{outcome:?}");
}

#[test]
fn replay_prints_every_step_with_a_curl_command() {
    let outcome = suite(&["replay", "exceptions/only-non-compliant"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(outcome.stdout.starts_with("PASS exceptions/only-non-compliant: "), "{outcome:?}");
    assert!(outcome.stdout.contains("curl -sS -i -X POST \"$ENDPOINT\""), "reproductions read $ENDPOINT: {outcome:?}");
    assert!(outcome.stdout.contains("(after steps 1–"), "a later step says which steps built its state: {outcome:?}");
    assert!(outcome.stdout.contains("-H 'X-Amz-Target: StarlingDoveService.PutRemediationExceptions'"), "{outcome:?}");
}

// ---------------------------------------------------------------------------------------------
// Exit 1: unexpected deviations

#[test]
fn garbage_response_ends_in_an_error_verdict() {
    let peer = testkit::garbage_json();
    let (outcome, report) = run(&["--endpoint", &peer.url, "--fixtures", &path_arg(&testdata("calls-only"))]);
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    let report = report.expect("report.json written");
    assert_eq!(scenario_verdicts(&report), [("calls/describe-exceptions".to_owned(), "ERROR".to_owned())]);
    assert_eq!(report["target"]["profile"], "generic");
    let step = &report["scenarios"][0]["steps"][0];
    assert_eq!((step["verdict"].as_str(), step["status"].as_u64()), (Some("ERROR"), Some(200)));
    assert!(step["note"].as_str().unwrap_or_default().starts_with("HTTP 200 with a body that is not JSON"), "{step}");
    assert!(outcome.stdout.contains("not JSON"), "{outcome:?}");
}

#[test]
fn unexpected_pass_exits_1() {
    let (outcome, report) = run(&[
        "--filter",
        "exceptions/only-non-compliant",
        "--expectations",
        &path_arg(&testdata("expectations/only-non-compliant-fails.toml")),
    ]);
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert!(outcome.stdout.contains("UNEXPECTED PASS (remove the entry): exceptions/only-non-compliant (listed as FAIL"), "{outcome:?}");
    let verdicts = scenario_verdicts(&report.expect("report.json written"));
    assert!(verdicts.contains(&("exceptions/only-non-compliant".to_owned(), "PASS".to_owned())), "{verdicts:?}");
}

#[test]
fn replay_of_a_scenario_file_against_a_garbage_endpoint_exits_1() {
    let peer = testkit::garbage_json();
    let file = testdata("calls-only/scenarios/describe-exceptions.json");
    let outcome = suite(&["replay", &path_arg(&file), "--endpoint", &peer.url]);
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert!(outcome.stdout.starts_with("ERROR calls/describe-exceptions: "), "{outcome:?}");
    assert!(outcome.stdout.contains("HTTP 200 with a body that is not JSON"), "{outcome:?}");
    assert_eq!(peer.requests(), 1, "the replay stops at the first ERROR");
}

// ---------------------------------------------------------------------------------------------
// Exit 2: usage and set-up errors, with the message on stderr and nothing run

#[test]
fn unreachable_endpoint_is_a_setup_error() {
    let closed = testkit::closed_port_url();
    let (outcome, report) =
        run(&["--endpoint", &closed, "--target", "moto", "--fixtures", &path_arg(&testdata("calls-only"))]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert!(report.is_none(), "no run, no report");
    assert!(outcome.stderr.starts_with(&format!("error: cannot reach {closed}: ")), "{outcome:?}");
    assert!(outcome.stderr.contains("Connection refused"), "{outcome:?}");
}

#[test]
fn bad_flag() {
    let outcome = suite(&["run", "--bogus"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert!(outcome.stderr.starts_with("error: unexpected argument '--bogus' found"), "{outcome:?}");
    assert!(outcome.stderr.contains("Usage: remediation-suite run [OPTIONS]"), "{outcome:?}");
    assert!(outcome.stdout.is_empty());
}

#[test]
fn bad_timeout() {
    let outcome = suite(&["run", "--timeout", "0"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, "error: --timeout must be a positive number of seconds\n");
}

#[test]
fn unknown_target_profile() {
    let (outcome, report) = run(&["--target", "nonsense", "--filter", "exceptions/only-non-compliant"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        "error: unknown target profile \"nonsense\"; known: reference, moto, localstack, fakecloud, aws, generic, or a profile file (*.toml)\n"
    );
    assert!(report.is_none(), "no report for a run that never started");
}

#[rstest]
#[case::ipv4("http://192.0.2.10:4566")]
#[case::aws("https://config.us-east-1.amazonaws.com")]
fn non_loopback_endpoint_needs_allow_remote(#[case] endpoint: &str) {
    let (outcome, report) = run(&["--endpoint", endpoint]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        format!(
            "error: {endpoint} is not on this machine; pass --allow-remote to run against it \
             (the suite creates and deletes resources named rsuite-*)\n"
        )
    );
    assert!(report.is_none());
}

#[rstest]
#[case::truncated_json("truncated-json", "scenarios/truncated.json", ": not a scenario: EOF while parsing")]
#[case::unknown_rule("unknown-rule", "scenarios/unknown-rule.json", ": unknown rule ID \"R-NOPE-99\"")]
#[case::unknown_operation("unknown-operation", "scenarios/unknown-operation.json", ": step 2: unknown operation \"PutRemediationException\"")]
fn malformed_scenario_file(#[case] fixtures: &str, #[case] file: &str, #[case] problem: &str) {
    let dir = testdata(fixtures);
    let (outcome, report) = run(&["--fixtures", &path_arg(&dir)]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    let expected_start = format!("error: {}{problem}", dir.join(file).display());
    assert!(outcome.stderr.starts_with(&expected_start), "expected {expected_start:?}\n{outcome:?}");
    assert!(report.is_none());
    // `list` and `replay` read the same files and refuse them the same way.
    let listed = suite(&["list", "--fixtures", &path_arg(&dir)]);
    assert_eq!(listed.code, Some(2), "{listed:?}");
    assert!(listed.stderr.starts_with(&expected_start), "{listed:?}");
}

#[rstest]
#[case::verdict_pass("verdict-pass.toml", ": deviation 1: verdict must be FAIL, ERROR or UNIMPLEMENTED, not \"PASS\"", "")]
#[case::not_toml("not-toml.toml", ": TOML parse error at line 2, column 25", "invalid basic string")]
#[case::unknown_field("unknown-field.toml", ": TOML parse error at line 5, column 1", "unknown field `reasons`")]
#[case::missing("does-not-exist.toml", ": cannot read: ", "")]
fn malformed_expectation_file(#[case] file: &str, #[case] problem: &str, #[case] detail: &str) {
    let path = testdata("expectations").join(file);
    let (outcome, report) =
        run(&["--filter", "exceptions/only-non-compliant", "--expectations", &path_arg(&path)]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    let expected_start = format!("error: {}{problem}", path.display());
    assert!(outcome.stderr.starts_with(&expected_start), "expected {expected_start:?}\n{outcome:?}");
    assert!(outcome.stderr.contains(detail), "{outcome:?}");
    assert!(report.is_none());
}

#[test]
fn filter_that_matches_nothing() {
    let (outcome, report) = run(&["--filter", "nothing-matches"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, "error: no scenario matches the filters\n");
    assert!(report.is_none());
}

#[test]
fn replay_of_an_unknown_id() {
    let outcome = suite(&["replay", "nope/unknown"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, "error: no scenario with id \"nope/unknown\" (give an id from `list` or a file path)\n");
    assert!(outcome.stdout.is_empty());
}

#[rstest]
#[case::ipv4_and_port("127.0.0.1:1")]
#[case::name_and_port("localhost:4566")]
fn endpoint_without_a_scheme_asks_for_one(#[case] endpoint: &str) {
    let (outcome, report) = run(&["--endpoint", endpoint]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        format!("error: endpoint {endpoint} has no scheme; the URL needs one, e.g. http://{endpoint}\n")
    );
    assert!(!outcome.stderr.contains("--allow-remote"), "{outcome:?}");
    assert!(report.is_none());
}

#[test]
fn endpoint_with_a_scheme_other_than_http_is_refused() {
    let outcome = suite(&["cleanup", "--endpoint", "ftp://127.0.0.1:1"]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, "error: endpoint ftp://127.0.0.1:1 has the scheme \"ftp\"; the URL needs http:// or https://\n");
}

#[test]
fn cleanup_help_says_the_endpoint_is_required() {
    let outcome = suite(&["cleanup", "--help"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert!(!outcome.stdout.contains("embedded reference endpoint is started"), "{outcome:?}");
    assert!(!outcome.stdout.contains("the embedded endpoint is started"), "{outcome:?}");
    assert!(outcome.stdout.contains("Endpoint to clean up (required"), "{outcome:?}");
    // And it is: without one, cleanup refuses to start.
    let bare = suite(&["cleanup"]);
    assert_eq!(bare.code, Some(2), "{bare:?}");
    assert_eq!(bare.stderr, "error: cleanup needs --endpoint (the embedded endpoint starts empty)\n");
}

/// `list | head -1`: the reader is gone before the first line. The pipe's read end is closed
/// before the child starts, so the write fails every time, not only when the race is lost.
#[rstest]
#[case::scenarios(&["list"])]
#[case::rules(&["list", "--rules"])]
fn list_into_a_closed_pipe_exits_quietly(#[case] args: &[&str]) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let cwd = TempDir::new("cli-pipe");
    let output = Command::new(BIN)
        .args(args)
        .current_dir(cwd.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 0, or 141 by the shell's convention; never a panic (101).
    assert!(matches!(output.status.code(), Some(0 | 141)), "{:?}\n{stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[rstest]
#[case::absolute("/missing.json")]
#[case::relative("scenarios/missing.json")]
fn replay_of_a_missing_file_says_it_cannot_be_read(#[case] file: &str) {
    let outcome = suite(&["replay", file]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, format!("error: cannot read {file}: No such file or directory\n"));
    assert!(outcome.stdout.is_empty(), "{outcome:?}");
}

#[test]
fn replay_of_a_directory_says_it_cannot_be_read() {
    let dir = TempDir::new("cli-replay-dir");
    let arg = path_arg(dir.path());
    let outcome = suite(&["replay", &arg]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(outcome.stderr, format!("error: cannot read {arg}: Is a directory\n"));
}

#[rstest]
#[case::beyond(99)]
#[case::zero(0)]
fn replay_of_a_step_the_scenario_does_not_have(#[case] step: usize) {
    let file = testdata("calls-only/scenarios/describe-exceptions.json");
    let outcome = suite(&["replay", &path_arg(&file), "--step", &step.to_string()]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        format!("error: --step {step}: scenario calls/describe-exceptions has 2 steps; give a step from 1 to 2\n")
    );
    assert!(outcome.stdout.is_empty(), "nothing replayed: {outcome:?}");
}

#[test]
fn replay_of_an_existing_step_prints_only_that_step() {
    let outcome = suite(&["replay", "exceptions/only-non-compliant", "--step", "4"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert_eq!(outcome.stdout.matches("curl -sS -i -X POST").count(), 1, "{outcome:?}");
    assert!(outcome.stdout.contains("StarlingDoveService.PutRemediationExceptions'"), "{outcome:?}");
    assert!(!outcome.stdout.contains("StarlingDoveService.DescribeRemediationExceptions'"), "{outcome:?}");
    assert!(outcome.stdout.starts_with("PASS exceptions/only-non-compliant: "), "{outcome:?}");
}

// ---------------------------------------------------------------------------------------------
// Interruption: Ctrl-C (SIGINT) ends a run at once, still deleting what it created.

#[test]
fn an_interrupted_run_stops_promptly_with_a_clear_message() {
    let peer = testkit::hang();
    let out = TempDir::new("cli-interrupt");
    let fixtures = path_arg(&testdata("calls-only"));
    let out_dir = path_arg(out.path());
    let mut child = spawn(
        out.path(),
        &["run", "--endpoint", &peer.url, "--timeout", "60", "--sequences", "0", "--fixtures", &fixtures, "--out", &out_dir],
    );
    // Wait until the request is in flight (the peer counts it), then interrupt.
    let started = Instant::now();
    while peer.requests() == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "the run never reached the endpoint");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(sent.success());
    let interrupted_at = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(interrupted_at.elapsed() < Duration::from_secs(10), "the run outlived Ctrl-C by 10 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr readable");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(interrupted_at.elapsed() < Duration::from_secs(2), "not prompt: {:?}", interrupted_at.elapsed());
    assert!(
        stderr.starts_with("error: interrupted in scenario 1 of 1 (calls/describe-exceptions); what the run created was deleted"),
        "{stderr}"
    );
}
