//! Reports that add up: junit.xml, report.md and report.html count the generated sequences
//! (each deviating one as a case with its verdict, the others counted), and their failures
//! equal what fails the run in report.json, which the exit code follows. Runs the built binary
//! against deliberately broken endpoints (`testkit::faulty_reference`).

use suite_testkit::{self as testkit, Fault, TempDir};
use rstest::rstest;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

mod support;

struct Run {
    code: Option<i32>,
    stdout: String,
    report: Value,
    junit: String,
    markdown: String,
    html: String,
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// `run` against `url` (as the reference profile: the faulty endpoints have its control API).
fn run(url: &str, out: &TempDir, extra: &[&str]) -> Run {
    let mut args = vec!["run", "--endpoint", url, "--target", "reference", "--out", arg(out.path())];
    args.extend_from_slice(extra);
    let output = support::binary::run(out.path(), &args, Duration::from_secs(120));
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Run {
        code: output.code,
        stdout: output.stdout,
        report: serde_json::from_str(&read("report.json")).expect("report.json is JSON"),
        junit: read("junit.xml"),
        markdown: read("report.md"),
        html: read("report.html"),
    }
}

/// The value of `name="…"` on the `<testsuites>` element.
fn total(junit: &str, name: &str) -> usize {
    let root = junit.split("<testsuites").nth(1).and_then(|r| r.split('>').next()).expect("a <testsuites> element");
    let value = root.split(&format!(" {name}=\"")).nth(1).and_then(|v| v.split('"').next()).unwrap_or_else(|| panic!("no {name} in {root}"));
    value.parse().unwrap_or_else(|e| panic!("{name}={value}: {e}"))
}

/// The `<testsuite name="…">` element's own text, up to its end.
fn suite<'a>(junit: &'a str, name: &str) -> &'a str {
    let start = junit.find(&format!("<testsuite name=\"{name}\"")).unwrap_or_else(|| panic!("no suite {name}:\n{junit}"));
    let rest = &junit[start..];
    &rest[..rest.find("</testsuite>").map_or(rest.len(), |e| e + "</testsuite>".len())]
}

fn list_len(report: &Value, key: &str) -> usize {
    report["expectations"][key].as_array().map_or(0, Vec::len)
}

/// What fails the run, from report.json.
fn run_failures(report: &Value) -> usize {
    ["unexpected", "unexpected_passes", "stale_entries"].iter().map(|k| list_len(report, k)).sum()
}

/// A broken endpoint that a generated sequence finds: junit.xml has exactly as many failures
/// (and errors) as report.json has unexpected deviations, one of them in the `generated`
/// suite; the exit code is 1; Markdown and HTML say the same totals.
#[rstest]
#[case::scenario_and_sequence(Fault::ExceptionForCompliantResource, 1, 2)]
#[case::sequence_only(Fault::WrongErrorCode, 1, 1)]
#[case::off_by_one(Fault::OffByOneResourceKeys, 2, 1)]
fn junit_failures_equal_the_unexpected_deviations(#[case] fault: Fault, #[case] seed: u64, #[case] unexpected: usize) {
    let peer = testkit::faulty_reference(fault);
    let out = TempDir::new("reports-faulty");
    let seed = seed.to_string();
    let r = run(&peer.url, &out, &["--filter", "exceptions/only-non-compliant", "--sequences", "50", "--seed", &seed]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert_eq!(list_len(&r.report, "unexpected"), unexpected, "{}", r.report["expectations"]);
    assert_eq!(run_failures(&r.report), unexpected);
    assert_eq!(total(&r.junit, "failures") + total(&r.junit, "errors"), unexpected, "{}", r.junit);
    assert_eq!(r.junit.matches("<failure").count() + r.junit.matches("<error").count(), unexpected, "{}", r.junit);

    // The generated suite: one case per sequence run, the failing one a failure with its verdict.
    let generated = &r.report["generated"];
    let sequences = generated["sequences"].as_u64().expect("sequences") as usize;
    let g = suite(&r.junit, "generated");
    assert_eq!(g.matches("<testcase ").count(), sequences, "{g}");
    assert_eq!(g.matches("<failure").count(), 1, "{g}");
    assert!(g.contains("type=\"FAIL\""), "{g}");
    let deviation = &generated["deviations"][0];
    let sequence = deviation["sequence"].as_u64().expect("a deviating sequence");
    assert_eq!(sequence as usize, sequences, "generation stops at an unlisted deviation");
    assert!(g.contains(&format!("name=\"generated/sequence-{sequence:04}\"")), "{g}");

    let totals = format!("0 expected deviation(s), {unexpected} unexpected, 0 unexpected pass(es), 0 stale entries");
    assert!(r.markdown.contains(&format!("**NOT conformant** · {totals}")), "{}", r.markdown);
    assert!(r.markdown.contains("## Deviating generated sequences"), "{}", r.markdown);
    assert!(r.html.contains(&format!("<b>NOT conformant</b> · {totals}")), "{}", r.html);
    assert!(r.stdout.contains("1 deviated (0 listed, 1 unexpected)"), "{}", r.stdout);
}

/// Listed failing sequences: generation goes on after each, every later failing sequence is
/// matched too, and a run whose deviations are all listed exits 0 with no JUnit failure.
#[test]
fn generation_goes_on_after_listed_failures_and_the_reports_agree() {
    let peer = testkit::faulty_reference(Fault::WrongErrorCode);
    let dir = TempDir::new("reports-listed");
    let listed = |op: &str| {
        format!(
            "[[deviation]]\nscenario = \"generated\"\noperation = \"{op}\"\nverdict = \"FAIL\"\ncode = \"ResourceNotFoundException\"\n\
             kind = \"wont-fix\"\nreason = \"ResourceNotFoundException for NoSuchRemediationConfigurationException\"\n"
        )
    };
    let entries = ["StartRemediationExecution", "DescribeRemediationExecutionStatus", "DeleteRemediationConfiguration"].map(listed).join("\n");
    let file = dir.write("faulty.toml", &entries);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/testdata/calls-only");
    let out = TempDir::new("reports-listed-out");
    let r = run(&peer.url, &out, &["--fixtures", arg(&fixtures), "--expectations", arg(&file), "--sequences", "20", "--seed", "1"]);

    let generated = &r.report["generated"];
    let deviations = generated["deviations"].as_array().expect("deviations");
    let listed: Vec<u64> = deviations.iter().filter(|d| d["listed"].is_string()).filter_map(|d| d["sequence"].as_u64()).collect();
    assert!(listed.len() >= 2, "generation went on after the first listed failure: {generated}");
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
    // With seed 1 this broken endpoint fails only on the listed operations.
    let unlisted = deviations.len() - listed.len();
    assert_eq!(unlisted, 0, "{generated}");
    assert_eq!(generated["sequences"], 20, "every sequence ran: {generated}");

    // The exit code, report.json and the three formats agree.
    let failures = run_failures(&r.report);
    assert_eq!(failures, unlisted, "{}", r.report["expectations"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(total(&r.junit, "failures") + total(&r.junit, "errors"), failures, "{}", r.junit);
    let g = suite(&r.junit, "generated");
    assert_eq!(g.matches("<testcase ").count() as u64, generated["sequences"].as_u64().unwrap_or(0), "{g}");
    assert_eq!(g.matches("<skipped").count(), listed.len(), "listed sequences are skipped cases: {g}");
    assert!(g.contains("expected FAIL at step "), "{g}");
    assert_eq!(list_len(&r.report, "expected"), listed.len(), "each listed sequence (the scenario passes)");
    assert!(r.markdown.contains(&format!("**conformant** · {} expected deviation(s), 0 unexpected", listed.len())), "{}", r.markdown);
    assert!(r.html.contains("<b>conformant</b>"), "{}", r.html);
}

/// The faithful endpoint: exit 0, no failure anywhere, and every passing sequence counted.
#[test]
fn a_conformant_run_has_no_junit_failure_and_counts_every_sequence() {
    let peer = testkit::faulty_reference(Fault::None);
    let out = TempDir::new("reports-clean");
    let r = run(&peer.url, &out, &["--filter", "exceptions/only-non-compliant", "--sequences", "10", "--seed", "3"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(run_failures(&r.report), 0);
    assert_eq!(total(&r.junit, "failures") + total(&r.junit, "errors"), 0, "{}", r.junit);
    assert_eq!(total(&r.junit, "tests"), 1 + 10, "one scenario and ten sequences: {}", r.junit);
    assert!(r.markdown.contains("**conformant** · 0 expected deviation(s), 0 unexpected"), "{}", r.markdown);
}

/// "Rules checked" counts the rules judged call steps exercised, beside the declared ones: a
/// target that implements nothing exercises none, whatever the scenarios declare.
#[test]
fn rules_checked_counts_only_judged_steps() {
    let peer = testkit::not_implemented_501();
    let out = TempDir::new("reports-rules");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/testdata/calls-only");
    let args = ["run", "--endpoint", &peer.url, "--fixtures", arg(&fixtures), "--sequences", "0", "--out", arg(out.path())];
    let stdout = support::binary::run(out.path(), &args, Duration::from_secs(120)).stdout;
    assert!(stdout.contains("rules checked: 0 exercised of 1 declared"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).expect("report")).expect("JSON");
    assert_eq!((report["rules_exercised"].as_u64(), report["rules_declared"].as_u64()), (Some(0), Some(1)));
    assert_eq!(report["rules"]["R-DRE-01"]["scenarios"]["UNIMPLEMENTED"], 1, "declared by the scenario");

    // The same scenario against the faithful endpoint exercises what the model checked.
    let faithful = testkit::faulty_reference(Fault::None);
    let out = TempDir::new("reports-rules-faithful");
    let r = run(&faithful.url, &out, &["--fixtures", arg(&fixtures), "--sequences", "0"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    let exercised = r.report["rules_exercised"].as_u64().expect("rules_exercised");
    assert!(exercised >= 1, "{}", r.report["rules"]);
    assert_eq!(r.report["rules"]["R-DRE-01"]["steps"]["PASS"], 2, "both calls judged: {}", r.report["rules"]);
    assert!(r.markdown.contains(&format!("Rules checked: {exercised} exercised of ")), "{}", r.markdown);
}
