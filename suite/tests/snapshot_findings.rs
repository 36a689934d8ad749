//! `findings` (issue 10, item 4): a recorded answer outside every outcome the model accepts at
//! MUST is listed with its step, the recorded answer and the model's outcomes; the reference
//! endpoint's own recordings give none.

use remediation_suite::snapshot::{SnapshotDir, SnapshotFile};
use suite_testkit::TempDir;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_remediation-suite");
const SCENARIO: &str = "configurations/upsert-keeps-arn";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn findings(dir: &Path, filter: &str) -> (Option<i32>, String) {
    let output = Command::new(BIN)
        .arg("findings")
        .arg(dir)
        .args(["--target", "reference", "--filter", filter])
        .arg("--fixtures")
        .arg(repo().join("fixtures"))
        .output()
        .expect("the binary runs");
    (output.status.code(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
}

#[test]
fn the_reference_recordings_give_no_finding() {
    let (code, printed) = findings(&repo().join("snapshots/reference"), "configurations/");
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.ends_with("0 finding(s)\n"), "{printed}");
}

#[test]
fn a_planted_answer_outside_every_must_outcome_is_a_finding() {
    let tmp = TempDir::new("snap-findings");
    let dir = SnapshotDir::new(tmp.path());
    let mut file = SnapshotFile::read(&SnapshotDir::new(repo().join("snapshots/reference")).accepted(SCENARIO)).expect("readable").expect("recorded");
    // The first successful call after the first one answers with an error code no operation
    // of the service declares: outside every outcome, at MUST.
    let steps = file.body["steps"].as_array_mut().expect("steps");
    let step = steps.iter_mut().filter(|s| s["status"] == 200).nth(1).expect("a second successful call");
    let number = step["step"].as_u64().expect("numbered");
    let op = step["op"].as_str().expect("a call").to_owned();
    step.as_object_mut().expect("object").remove("answer");
    step["status"] = json!(400);
    step["error"] = json!({"__type": "PlantedByTheTestException", "message": "planted"});
    std::fs::write(dir.accepted(SCENARIO), file.render()).expect("written");

    let (code, printed) = findings(tmp.path(), SCENARIO);
    assert_eq!(code, Some(1), "{printed}");
    assert!(printed.contains(&format!("FINDING {SCENARIO} step {number} {op}")), "{printed}");
    assert!(printed.contains("recorded  HTTP 400") && printed.contains("PlantedByTheTestException"), "the recorded answer: {printed}");
    assert!(printed.contains("model 1   Must HTTP 200"), "the model's outcome: {printed}");
    assert!(printed.ends_with("1 finding(s)\n"), "{printed}");
}
