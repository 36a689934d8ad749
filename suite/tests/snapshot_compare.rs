//! `run --snapshots` through the built binary (issue 10): an unchanged recording passes (exit
//! 0); a planted change is reported with its step and path (exit 1) unless the expectation
//! file lists it; `--update-snapshots` writes pending files and never an accepted one; a
//! scenario without a recording is NEW and fails only with `CI=true`; the reference endpoint
//! compared with the moto recording lists where they differ.
//!
//! Every run is against the embedded reference endpoint, a few scenarios, no generated
//! sequences: each takes about a second.

use remediation_suite::snapshot::{SnapshotDir, SnapshotFile};
use suite_testkit::TempDir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_remediation-suite");
/// Three scenarios: exceptions/delete, exceptions/delete-missing, exceptions/delete-partly-missing.
const FILTER: &str = "exceptions/delete";
const PLANTED: &str = "exceptions/delete";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    report: Value,
}

/// Runs `run` with the recordings in `dir`; `ci` sets `CI=true`, else CI is unset.
fn run(dir: &Path, out: &Path, extra: &[&str], ci: bool) -> Ran {
    let mut cmd = Command::new(BIN);
    cmd.args(["run", "--quiet", "--sequences", "0", "--seed", "5", "--filter", FILTER])
        .arg("--fixtures")
        .arg(repo().join("fixtures"))
        .arg("--snapshots")
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CONFIG_SERVICE")
        .env_remove("RSUITE_UPDATE_SNAPSHOTS");
    if ci {
        cmd.env("CI", "true");
    } else {
        cmd.env_remove("CI");
    }
    let output = cmd.output().expect("the binary runs");
    let report = std::fs::read_to_string(out.join("report.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    Ran { code: output.status.code(), stdout: String::from_utf8_lossy(&output.stdout).into(), stderr: String::from_utf8_lossy(&output.stderr).into(), report }
}

/// A directory with the reference recordings of the three scenarios.
fn recordings(tmp: &TempDir) -> PathBuf {
    let dir = tmp.path().join("recordings");
    std::fs::create_dir_all(&dir).expect("dir");
    for stem in ["exceptions__delete", "exceptions__delete-missing", "exceptions__delete-partly-missing"] {
        std::fs::copy(repo().join("snapshots/reference").join(format!("{stem}.snap")), dir.join(format!("{stem}.snap"))).expect("copied");
    }
    dir
}

/// Changes the first member of the first non-empty answer of `scenario`'s recording to
/// `"planted"`; returns the step and the path of the change, and the value it had.
fn plant(dir: &Path, scenario: &str) -> (usize, String, Value) {
    let recordings = SnapshotDir::new(dir);
    let path = recordings.accepted(scenario);
    let mut file = SnapshotFile::read(&path).expect("readable").expect("recorded");
    let steps = file.body["steps"].as_array_mut().expect("steps");
    let step = steps
        .iter_mut()
        .find(|s| s.get("answer").and_then(Value::as_object).is_some_and(|a| !a.is_empty()))
        .expect("a step with a non-empty answer");
    let number = step["step"].as_u64().expect("numbered") as usize;
    let answer = step["answer"].as_object_mut().expect("object");
    let key = answer.keys().next().expect("a member").clone();
    let was = std::mem::replace(answer.get_mut(&key).expect("member"), Value::String("planted".into()));
    std::fs::write(&path, file.render()).expect("written");
    (number, format!("answer/{key}"), was)
}

#[test]
fn an_unchanged_recording_passes_and_a_planted_change_fails_at_its_step_and_path() {
    let tmp = TempDir::new("snap-plant");
    let dir = recordings(&tmp);
    let clean = run(&dir, &tmp.path().join("clean"), &[], false);
    assert_eq!(clean.code, Some(0), "{}{}", clean.stdout, clean.stderr);
    assert_eq!(clean.report["snapshots"]["matching"], 3, "{}", clean.report["snapshots"]);
    assert_eq!(clean.report["snapshots"]["differing"], 0);

    let (step, path, was) = plant(&dir, PLANTED);
    let planted = run(&dir, &tmp.path().join("planted"), &[], false);
    assert_eq!(planted.code, Some(1), "{}{}", planted.stdout, planted.stderr);
    let scenarios = planted.report["snapshots"]["scenarios"].as_array().expect("listed");
    assert_eq!(scenarios.len(), 1, "only the planted scenario differs: {scenarios:?}");
    assert_eq!(scenarios[0]["scenario"], PLANTED);
    assert_eq!(
        scenarios[0]["differences"],
        serde_json::json!([{"step": step, "path": path, "recorded": "planted", "actual": was}]),
        "the difference names the step, the path, the recorded and the actual value"
    );
    let failures = planted.report["expectations"]["snapshot_unexpected"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(planted.stdout.contains(&format!("step {step} {path}: recorded \"planted\"")), "{}", planted.stdout);
    let junit = std::fs::read_to_string(tmp.path().join("planted/junit.xml")).expect("junit");
    assert!(junit.contains("SNAPSHOT") && junit.contains(&format!("step {step} differs")), "{junit}");

    // Listed in the expectation file: the run passes, the difference is still reported.
    let listed = tmp.path().join("listed.toml");
    std::fs::write(&listed, format!("[[snapshot]]\nscenario = \"{PLANTED}\"\nstep = {step}\npath = \"{path}\"\nreason = \"planted by the test\"\n")).expect("written");
    let accepted = run(&dir, &tmp.path().join("listed"), &["--expectations", listed.to_str().expect("utf-8")], false);
    assert_eq!(accepted.code, Some(0), "{}{}", accepted.stdout, accepted.stderr);
    assert_eq!(accepted.report["snapshots"]["scenarios"][0]["listed"][0][1], "planted by the test");

    // An entry for another step does not cover it, and is stale.
    std::fs::write(&listed, format!("[[snapshot]]\nscenario = \"{PLANTED}\"\nstep = {}\nreason = \"wrong step\"\n", step + 1)).expect("written");
    let wrong = run(&dir, &tmp.path().join("wrong"), &["--expectations", listed.to_str().expect("utf-8")], false);
    assert_eq!(wrong.code, Some(1), "{}{}", wrong.stdout, wrong.stderr);
    let stale = wrong.report["expectations"]["stale_entries"].to_string();
    assert!(stale.contains("[[snapshot]]") && stale.contains(PLANTED), "{stale}");
}

#[test]
fn update_snapshots_writes_pending_files_and_never_overwrites_an_accepted_one() {
    let tmp = TempDir::new("snap-update");
    let dir = recordings(&tmp);
    let recordings = SnapshotDir::new(&dir);
    let (step, path, was) = plant(&dir, PLANTED);
    std::fs::remove_file(recordings.accepted("exceptions/delete-missing")).expect("removed");
    let planted_text = std::fs::read_to_string(recordings.accepted(PLANTED)).expect("readable");

    // New without CI: reported, does not fail by itself; the planted difference does.
    let updated = run(&dir, &tmp.path().join("update"), &["--update-snapshots"], false);
    assert_eq!(updated.code, Some(1), "a difference fails the run even when written as pending: {}", updated.stdout);
    assert_eq!(updated.report["snapshots"]["new"], 1);
    assert_eq!(updated.report["snapshots"]["pending_written"], 2);
    assert_eq!(std::fs::read_to_string(recordings.accepted(PLANTED)).expect("readable"), planted_text, "the accepted recording is untouched");
    assert!(!recordings.accepted("exceptions/delete-missing").exists(), "a new scenario gets no accepted recording unreviewed");
    let pending = SnapshotFile::read(&recordings.pending(PLANTED)).expect("readable").expect("pending written");
    let pending_step = pending.body["steps"].as_array().expect("steps").iter().find(|s| s["step"] == step).expect("the step").clone();
    let key = path.strip_prefix("answer/").expect("an answer path");
    assert_eq!(pending_step["answer"][key], was, "the pending file holds this run's answer");
    assert!(recordings.pending("exceptions/delete-missing").exists());

    // The review lists both; accepting makes them the recordings, and the run then passes.
    let review = Command::new(BIN).args(["snapshots", "review"]).arg(&dir).output().expect("runs");
    let review = String::from_utf8_lossy(&review.stdout);
    assert!(review.contains("NEW") && review.contains(&format!("step {step} {path}: recorded \"planted\"")), "{review}");
    let accept = Command::new(BIN).args(["snapshots", "accept"]).arg(&dir).output().expect("runs");
    assert!(accept.status.success() && String::from_utf8_lossy(&accept.stdout).contains("2 recording(s) accepted"));
    assert!(recordings.pending_files().expect("listable").is_empty());
    let after = run(&dir, &tmp.path().join("after"), &[], true);
    assert_eq!(after.code, Some(0), "{}{}", after.stdout, after.stderr);
    assert_eq!(after.report["snapshots"]["matching"], 3);
}

#[test]
fn a_scenario_without_a_recording_fails_only_under_ci() {
    let tmp = TempDir::new("snap-new");
    let dir = recordings(&tmp);
    std::fs::remove_file(SnapshotDir::new(&dir).accepted("exceptions/delete-missing")).expect("removed");
    let local = run(&dir, &tmp.path().join("local"), &[], false);
    assert_eq!(local.code, Some(0), "{}{}", local.stdout, local.stderr);
    assert_eq!(local.report["snapshots"]["new"], 1);
    let ci = run(&dir, &tmp.path().join("ci"), &[], true);
    assert_eq!(ci.code, Some(1), "{}{}", ci.stdout, ci.stderr);
    assert!(ci.stdout.contains("SNAPSHOT NEW  exceptions/delete-missing"), "{}", ci.stdout);
    assert!(SnapshotDir::new(&dir).pending_files().expect("listable").is_empty(), "nothing written without --update-snapshots");
}

#[test]
fn the_reference_endpoint_compared_with_the_moto_recording_lists_their_differences() {
    let tmp = TempDir::new("snap-moto");
    let out = tmp.path().join("out");
    let output = Command::new(BIN)
        .args(["run", "--quiet", "--sequences", "0", "--filter", "configurations/delete-then-delete-again", "--filter", "rules/"])
        .arg("--snapshots")
        .arg(repo().join("snapshots/moto"))
        .arg("--out")
        .arg(&out)
        .env_remove("CI")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CONFIG_SERVICE")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stdout));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("report")).expect("json");
    let scenarios = report["snapshots"]["scenarios"].as_array().expect("differences listed");
    // moto answers PutRemediationConfigurations with an HTML 500; the reference endpoint with 200.
    let config = scenarios.iter().find(|s| s["scenario"] == "configurations/delete-then-delete-again").expect("the configuration scenario differs");
    let at_step_2: Vec<&Value> = config["differences"].as_array().expect("list").iter().filter(|d| d["step"] == 2).collect();
    assert!(
        at_step_2.iter().any(|d| d["path"] == "status" && d["recorded"] == 500 && d["actual"] == 200),
        "step 2 status: recorded 500 (moto), now 200: {at_step_2:?}"
    );
    assert!(report["snapshots"]["compared"].as_u64().expect("count") > 10, "the rules scenarios were compared too");
    for s in scenarios {
        for d in s["differences"].as_array().into_iter().flatten() {
            assert!(d["step"].as_u64().is_some_and(|n| n >= 1) && d["path"].is_string(), "every difference names its step and path: {d}");
        }
    }
}
