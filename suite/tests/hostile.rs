//! A target that stops answering, or answers nonsense, ends a whole run by itself, quickly,
//! with a clear message and the right exit code, and without a panic: hangs, slow drips and
//! resets stop the run after `--max-unanswered` scenarios in a row got no answer (exit 2);
//! garbage is an answer, judged ERROR step by step (exit 1).

mod support;

use suite_testkit::{self as testkit, Peer, TempDir};
use rstest::rstest;
use std::time::Duration;

/// What a whole run against each hostile peer may take here (debug build, 2 cores): three
/// timeouts of 1 s at most, plus the pre-flight check and the set-up.
const BOUND: Duration = Duration::from_secs(20);

fn run_against(url: &str) -> (Option<i32>, String, Duration, Option<serde_json::Value>) {
    let out = TempDir::new("hostile");
    let out_arg = out.path().to_str().expect("a UTF-8 path").to_owned();
    let args = ["run", "--endpoint", url, "--target", "generic", "--timeout", "1", "--sequences", "20", "--out", &out_arg];
    let finished = support::binary::run(out.path(), &args, BOUND * 3);
    let report = std::fs::read(out.path().join("report.json")).ok().map(|b| serde_json::from_slice(&b).expect("report.json is JSON"));
    (finished.code, finished.printed(), finished.elapsed, report)
}

#[rstest]
#[case::hang(testkit::hang as fn() -> Peer, 2, "got no answer")]
#[case::slow_drip(testkit::slow_drip as fn() -> Peer, 2, "got no answer")]
#[case::reset(testkit::reset_connections as fn() -> Peer, 2, "got no answer")]
#[case::garbage(testkit::garbage_json as fn() -> Peer, 1, "not JSON")]
fn a_hostile_target_ends_the_run_quickly_and_clearly(#[case] peer: fn() -> Peer, #[case] code: i32, #[case] says: &str) {
    let peer = peer();
    let (exit, printed, elapsed, report) = run_against(&peer.url);
    assert_eq!(exit, Some(code), "{printed}");
    assert!(printed.contains(says), "the message says why ({says:?}):\n{printed}");
    assert!(!printed.contains("panicked"), "{printed}");
    assert!(elapsed < BOUND, "took {elapsed:?} (bound {BOUND:?}):\n{printed}");
    // The report says how far the run got: the scenarios that ran, each an ERROR.
    let report = report.expect("a report of what ran is written");
    let ran = report["scenarios"].as_array().expect("scenarios").len();
    assert!(ran >= 3, "{ran} scenarios in the report");
    if code == 2 {
        assert!(printed.contains(&format!("stopped after {ran} of ")), "{printed}");
        assert!(report["scenarios"].as_array().unwrap().iter().all(|s| s["verdict"] == "ERROR"), "{report}");
    }
}
