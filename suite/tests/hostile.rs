//! A target that stops answering, or answers nonsense, ends a whole run by itself, quickly,
//! with a clear message and the right exit code, and without a panic: hangs, slow drips and
//! resets stop the run after `--max-unanswered` scenarios in a row got no answer (exit 2);
//! garbage is an answer, judged ERROR step by step (exit 1).

use remediation_suite::testkit::{self, Peer, TempDir};
use rstest::rstest;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a whole run against each hostile peer may take here (debug build, 2 cores): three
/// timeouts of 1 s at most, plus the pre-flight check and the set-up.
const BOUND: Duration = Duration::from_secs(20);

fn run_against(url: &str) -> (Option<i32>, String, Duration, Option<serde_json::Value>) {
    let out = TempDir::new("hostile");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_remediation-suite"))
        .args(["run", "--endpoint", url, "--target", "generic", "--timeout", "1", "--sequences", "20", "--out"])
        .arg(out.path())
        .env("CI", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if started.elapsed() > BOUND * 3 {
            let _ = child.kill();
            panic!("the run against {url} did not end by itself in {:?}", BOUND * 3);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let mut printed = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut printed).expect("stdout is read");
    child.stderr.take().expect("stderr").read_to_string(&mut printed).expect("stderr is read");
    let report = std::fs::read(out.path().join("report.json")).ok().map(|b| serde_json::from_slice(&b).expect("report.json is JSON"));
    (status.code(), printed, elapsed, report)
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
