//! Expectation files as strict should-fail lists, through the built binary: each entry names
//! one scenario, the step and operation where it deviates and the verdict; anything else is an
//! unexpected deviation (exit 1) that says what was listed and what happened. NON-STRICT needs
//! an entry once the target has a file. The committed files for moto and LocalStack name only
//! scenarios and steps that exist, and `draft-expectations` rewrites a file from a report
//! without ever replacing one unasked.

use remediation_suite::expect::{ExpectationFile, StepAction, Subject};
use remediation_suite::scenario::{self, Action};
use suite_testkit::{self as testkit, Alteration, TempDir};
use rstest::rstest;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod support;

const DEADLINE: Duration = Duration::from_secs(90);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

type Outcome = support::binary::Finished;

/// Runs the binary in a temporary directory, killed at [`DEADLINE`].
fn suite(args: &[&str]) -> Outcome {
    let cwd = TempDir::new("expectations-cwd");
    support::binary::run(cwd.path(), args, DEADLINE)
}

/// `run` without generated sequences, reports in `out`; returns report.json when written.
fn run(out: &TempDir, extra: &[&str]) -> (Outcome, Option<Value>) {
    let mut args = vec!["run", "--out", arg(out.path()), "--sequences", "0"];
    args.extend_from_slice(extra);
    let outcome = suite(&args);
    let report = std::fs::read_to_string(out.path().join("report.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("report.json is JSON"));
    (outcome, report)
}

const CALLS_ONLY: &str = "testdata/calls-only";

fn entry(scenario: &str, step: usize, operation: &str, verdict: &str) -> String {
    format!(
        "[[deviation]]\nscenario = \"{scenario}\"\nstep = {step}\noperation = \"{operation}\"\nverdict = \"{verdict}\"\n\
         kind = \"not-implemented\"\nreason = \"listed by the test\"\n"
    )
}

// ---------------------------------------------------------------------------------------------
// The committed files

/// Every entry of the committed files names a scenario that exists, a step it has, and the
/// operation of that step: a renamed scenario or a moved step shows here before any peer runs.
#[rstest]
#[case::moto("moto")]
#[case::localstack("localstack")]
#[case::fakecloud("fakecloud")]
fn committed_files_name_existing_scenarios_steps_and_operations(#[case] target: &str) {
    let path = fixtures().join("expectations").join(format!("{target}.toml"));
    let file = ExpectationFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let scenarios = scenario::load_dir(&fixtures().join("scenarios")).expect("the scenarios load");
    let mut generated = 0;
    for d in &file.deviations {
        let Subject::Scenario { id, step } = &d.subject else {
            generated += 1;
            continue;
        };
        let s = scenarios.iter().find(|s| &s.id == id).unwrap_or_else(|| panic!("{target}: no scenario {id}"));
        let listed = s.steps.get(step.get() - 1).unwrap_or_else(|| panic!("{target}: {id} has no step {step}"));
        let action = match &listed.action {
            Action::Call { op, .. } => StepAction::Call(*op),
            Action::Control(_) => StepAction::Control,
            Action::Advance { .. } => StepAction::Advance,
        };
        assert_eq!(action, d.action, "{target}: {id} step {step}");
        assert!(d.reason.len() > 20 && d.link.is_some(), "{target}: {id} needs a real reason and a link");
    }
    assert!(file.deviations.len() > 60 && generated >= 1, "{target}: {} entries, {generated} generated", file.deviations.len());
}

/// fakecloud implements the operations, so its file is an audit: every FAIL and NON-STRICT of
/// a scenario names a catalogued rule the scenario checks at that step's operation and the
/// evidence it breaks, and every entry says what fakecloud answered or why it deviates.
#[test]
fn the_fakecloud_audit_names_rule_and_evidence_everywhere() {
    let file = ExpectationFile::load(&fixtures().join("expectations").join("fakecloud.toml")).unwrap_or_else(|e| panic!("{e}"));
    let mut audited = 0;
    for d in &file.deviations {
        let evidence = d.evidence.as_deref().unwrap_or_default();
        assert!(evidence.len() > 30, "{}: needs its evidence: {evidence:?}", d.scenario());
        if let Subject::Scenario { .. } = &d.subject {
            // A rule that is not catalogued cannot be loaded at all (RuleId); it must be there.
            assert!(d.rule.is_some(), "{}: names no rule", d.scenario());
            assert!(d.answered.as_deref().is_some_and(|a| a.len() >= 3), "{}: says nothing of what fakecloud answered", d.scenario());
            audited += 1;
        }
    }
    assert!(audited >= 80, "only {audited} scenario entries");
}

/// The committed LocalStack file, with a filter: the one scenario run is listed exactly, and
/// the entries for scenarios the filter left out are neither checked nor stale.
#[test]
fn a_filtered_run_checks_only_the_entries_it_meets() {
    let peer = testkit::not_implemented_501();
    let out = TempDir::new("expectations-filtered");
    let (outcome, report) = run(&out, &["--endpoint", &peer.url, "--target", "localstack", "--filter", "validation/prc-config-rule-name"]);
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    let report = report.expect("report.json written");
    assert_eq!(report["expectations"]["expected"], serde_json::json!(["validation/prc-config-rule-name"]));
    assert_eq!(report["expectations"]["stale_entries"], serde_json::json!([]));
    assert!(report["expectations"]["file"].as_str().is_some_and(|f| f.ends_with("expectations/localstack.toml")), "{report}");
}

// ---------------------------------------------------------------------------------------------
// Strict entries

#[rstest]
#[case::exactly_as_listed(entry("calls/describe-exceptions", 1, "DescribeRemediationExceptions", "UNIMPLEMENTED"), 0, "")]
#[case::another_step(
    entry("calls/describe-exceptions", 2, "DescribeRemediationExceptions", "UNIMPLEMENTED"),
    1,
    "UNEXPECTED deviation: calls/describe-exceptions: UNIMPLEMENTED at step 1 DescribeRemediationExceptions, listed as UNIMPLEMENTED at step 2 DescribeRemediationExceptions"
)]
#[case::another_operation(
    entry("calls/describe-exceptions", 1, "PutRemediationExceptions", "UNIMPLEMENTED"),
    1,
    "UNEXPECTED deviation: calls/describe-exceptions: UNIMPLEMENTED at step 1 DescribeRemediationExceptions, listed as UNIMPLEMENTED at step 1 PutRemediationExceptions"
)]
#[case::another_verdict(
    entry("calls/describe-exceptions", 1, "DescribeRemediationExceptions", "ERROR"),
    1,
    "UNEXPECTED deviation: calls/describe-exceptions: UNIMPLEMENTED at step 1 DescribeRemediationExceptions, listed as ERROR at step 1 DescribeRemediationExceptions"
)]
#[case::unlisted(String::new(), 1, "UNEXPECTED deviation: calls/describe-exceptions: UNIMPLEMENTED at step 1 DescribeRemediationExceptions, not listed")]
#[case::stale(
    entry("calls/describe-exceptions", 1, "DescribeRemediationExceptions", "UNIMPLEMENTED") + "\n" + &entry("calls/renamed", 1, "PutConfigRule", "FAIL"),
    1,
    "STALE expectation entry (remove it): calls/renamed (FAIL at step 1 PutConfigRule): no scenario has this id"
)]
fn a_deviation_must_be_listed_exactly_where_it_happens(#[case] entries: String, #[case] code: i32, #[case] line: &str) {
    let peer = testkit::not_implemented_501();
    let dir = TempDir::new("expectations-strict");
    let file = dir.write("peer.toml", &entries);
    let out = TempDir::new("expectations-strict-out");
    let fixtures = fixtures().join(CALLS_ONLY);
    let (outcome, report) =
        run(&out, &["--endpoint", &peer.url, "--target", "localstack", "--fixtures", arg(&fixtures), "--expectations", arg(&file)]);
    assert_eq!(outcome.code, Some(code), "{outcome:?}");
    assert!(outcome.stdout.contains(line), "{outcome:?}");
    let report = report.expect("report.json written");
    let failures = ["unexpected", "unexpected_passes", "stale_entries"]
        .iter()
        .map(|k| report["expectations"][k].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    assert_eq!(failures > 0, code == 1, "{report}");
}

#[test]
fn a_wildcard_is_refused_naming_the_file_and_the_entry() {
    let dir = TempDir::new("expectations-wildcard");
    let entries = entry("calls/describe-exceptions", 1, "DescribeRemediationExceptions", "UNIMPLEMENTED")
        + "\n"
        + &entry("calls/*", 1, "DescribeRemediationExceptions", "UNIMPLEMENTED");
    let file = dir.write("peer.toml", &entries);
    let out = TempDir::new("expectations-wildcard-out");
    let (outcome, report) = run(&out, &["--fixtures", arg(&fixtures().join(CALLS_ONLY)), "--expectations", arg(&file)]);
    assert_eq!(outcome.code, Some(2), "{outcome:?}");
    assert_eq!(
        outcome.stderr,
        format!(
            "error: {}: deviation 2: scenario \"calls/*\" is a wildcard; list each scenario on its own, with its step and operation\n",
            file.display()
        )
    );
    assert!(report.is_none(), "nothing ran");
}

/// A peer whose error messages are reworded (a MAY detail): NON-STRICT conforms without a file,
/// must be listed as NON-STRICT with one, and is then expected.
#[rstest]
#[case::no_file(None, 0, "\nconformant\n")]
#[case::file_without_it(
    Some(String::new()),
    1,
    "UNEXPECTED deviation: rules/delete-unknown: NON-STRICT at step 1 DeleteConfigRule (NoSuchConfigRuleException), not listed"
)]
#[case::listed_as_non_strict(Some(entry("rules/delete-unknown", 1, "DeleteConfigRule", "NON-STRICT")), 0, "1 expected deviation(s), 0 unexpected")]
#[case::listed_as_fail(
    Some(entry("rules/delete-unknown", 1, "DeleteConfigRule", "FAIL")),
    1,
    "rules/delete-unknown: NON-STRICT at step 1 DeleteConfigRule (NoSuchConfigRuleException), listed as FAIL at step 1 DeleteConfigRule"
)]
fn non_strict_needs_an_entry_once_the_target_has_a_file(#[case] entries: Option<String>, #[case] code: i32, #[case] line: &str) {
    let peer = testkit::recorded(Alteration::ErrorMessage);
    let dir = TempDir::new("expectations-non-strict");
    let out = TempDir::new("expectations-non-strict-out");
    let file = entries.map(|e| dir.write("peer.toml", &e));
    let mut args = vec!["--endpoint", &peer.url, "--filter", "rules/delete-unknown"];
    if let Some(file) = &file {
        args.extend(["--expectations", arg(file)]);
    }
    let (outcome, report) = run(&out, &args);
    assert_eq!(outcome.code, Some(code), "{outcome:?}");
    assert!(outcome.stdout.contains(line), "{outcome:?}");
    let report = report.expect("report.json written");
    assert_eq!(report["scenarios"][0]["verdict"], "NON-STRICT", "{report}");
}

// ---------------------------------------------------------------------------------------------
// Drafts

#[test]
fn a_draft_keeps_reasons_that_still_match_and_never_replaces_a_file_unasked() {
    let peer = testkit::not_implemented_501();
    let fixtures = fixtures().join(CALLS_ONLY);
    let out = TempDir::new("expectations-draft");
    let dir = TempDir::new("expectations-draft-files");
    // A run with an empty file: the deviation is unlisted.
    let empty = dir.write("empty.toml", "");
    let (outcome, _) = run(&out, &["--endpoint", &peer.url, "--fixtures", arg(&fixtures), "--expectations", arg(&empty)]);
    assert_eq!(outcome.code, Some(1), "{outcome:?}");

    // The old file is of the older, looser form (a wildcard): its reason carries over.
    let old = dir.write(
        "old.toml",
        "# Known deviations of a peer.\n\n# Nothing is implemented.\n\n[[deviation]]\nscenario = \"calls/*\"\nverdict = \"UNIMPLEMENTED\"\n\
         kind = \"not-implemented\"\nreason = \"the peer implements no remediation operation\"\nlink = \"https://example.org/peer\"\n",
    );
    let report = out.path().join("report.json");
    let draft = out.path().join("expectations.draft.toml");
    let first = suite(&["draft-expectations", "--report", arg(&report), "--expectations", arg(&old)]);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert!(first.stdout.contains("1 entries keep their reason, 0 are new"), "{first:?}");
    let text = std::fs::read_to_string(&draft).expect("the draft is written beside the report");
    assert!(
        text.contains(
            "# Nothing is implemented.\n\n[[deviation]]\nscenario = \"calls/describe-exceptions\"\nstep = 1\n\
             operation = \"DescribeRemediationExceptions\"\nverdict = \"UNIMPLEMENTED\"\nkind = \"not-implemented\"\n\
             reason = \"the peer implements no remediation operation\"\nlink = \"https://example.org/peer\"\n"
        ),
        "{text}"
    );

    // A second draft does not replace the first unless told to.
    let again = suite(&["draft-expectations", "--report", arg(&report), "--expectations", arg(&empty)]);
    assert_eq!(again.code, Some(2), "{again:?}");
    assert_eq!(again.stderr, format!("error: {} exists; pass --force to replace it\n", draft.display()));
    assert_eq!(std::fs::read_to_string(&draft).expect("still there"), text, "unchanged");

    // Without a matching old entry the reason is empty, and such a file is refused.
    let forced = suite(&["draft-expectations", "--report", arg(&report), "--expectations", arg(&empty), "--force"]);
    assert_eq!(forced.code, Some(0), "{forced:?}");
    assert!(forced.stdout.contains("0 entries keep their reason, 1 are new"), "{forced:?}");
    let (refused, _) = run(&out, &["--endpoint", &peer.url, "--fixtures", arg(&fixtures), "--expectations", arg(&draft)]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(refused.stderr.ends_with(": deviation 1: needs a reason\n"), "{refused:?}");

    // The reviewed first draft makes the same run conformant.
    let reviewed = dir.write("reviewed.toml", &text);
    let (conformant, _) = run(&out, &["--endpoint", &peer.url, "--fixtures", arg(&fixtures), "--expectations", arg(&reviewed)]);
    assert_eq!(conformant.code, Some(0), "{conformant:?}");
}
