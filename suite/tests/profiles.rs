//! A target profile as a file: an emulator the suite does not know gets its capabilities, its
//! reset route and its expectation file without a change of code.

mod support;

use suite_testkit::{self as testkit, Fault, TempDir};
use support::binary::Finished;
use std::time::Duration;

fn run(args: &[&str]) -> Finished {
    let cwd = TempDir::new("profiles-cwd");
    support::binary::run(cwd.path(), args, Duration::from_secs(120))
}

#[test]
fn a_profile_file_gives_an_unknown_emulator_its_reset_and_expectations() {
    let peer = testkit::faulty_reference(Fault::None);
    let dir = TempDir::new("profile-file");
    // The reference endpoint's own reset route stands for an in-house emulator's.
    let profile = dir.write(
        "in-house.toml",
        "name = \"in-house\"\ncapabilities = [\"reset\"]\nreset_path = \"/_reference/reset\"\nexpectations = \"in-house.expectations.toml\"\n",
    );
    dir.write("in-house.expectations.toml", "");
    let out = dir.path().join("out");
    let output = run(&[
        "run", "--endpoint", &peer.url, "--target", profile.to_str().unwrap(), "--filter", "rules/", "--sequences", "5",
        "--out", out.to_str().unwrap(),
    ]);
    let printed = output.printed();
    assert_eq!(output.code, Some(0), "{printed}");
    assert!(printed.contains("in-house.expectations.toml"), "the profile's expectation file is used: {printed}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["target"]["profile"], "in-house");
    // With reset, listing the whole account is possible: rules/max-number-of-rules is not skipped.
    let skipped: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "SKIPPED")
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(!skipped.contains(&"rules/max-number-of-rules"), "{skipped:?}");
}

#[test]
fn a_bad_profile_file_is_a_set_up_error_that_names_the_file() {
    let dir = TempDir::new("profile-bad");
    let profile = dir.write("broken.toml", "name = \"broken\"\ncapabilities = [\"reset\"]\n");
    let output = run(&["run", "--endpoint", &testkit::closed_port_url(), "--target", profile.to_str().unwrap()]);
    let stderr = &output.stderr;
    assert_eq!(output.code, Some(2), "{stderr}");
    assert!(stderr.contains("broken.toml") && stderr.contains("needs reset_path"), "{stderr}");
}
