//! The differential fuzz target (`fuzz/fuzz_targets/differential.rs`, issue 12 item 3) as
//! ordinary tests: against the reference endpoint it finds nothing; against a deliberately broken
//! endpoint (testkit's faulty peers) fuzz inputs find the fault, the finding is written as a
//! scenario file, and `remediation-suite replay FILE` runs it to FAIL against that endpoint
//! (and to PASS against the reference endpoint).

mod support;

use suite_testkit::fuzzing::{differential_steps, Differential, Finding, MAX_DIFFERENTIAL_STEPS};
use suite_testkit::{self as testkit, Fault, TempDir};
use rstest::rstest;
use std::path::Path;
use std::time::Duration;
use support::binary;

/// xorshift: deterministic pseudo-random inputs, as `fuzz_corpus.rs` makes them.
fn inputs(seed: u64, count: usize, max_len: u64) -> impl Iterator<Item = Vec<u8>> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count).map(move |_| {
        let len = next() % max_len;
        (0..len).map(|_| next() as u8).collect()
    })
}

#[test]
fn the_reference_endpoint_has_no_finding_on_the_corpus_or_random_inputs() {
    let findings = TempDir::new("differential-reference");
    let d = Differential::new(None, None, findings.path().to_owned()).expect("the in-process endpoint starts");
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = fuzz.join("corpus/differential");
    let mut seeds: Vec<_> = std::fs::read_dir(&corpus).expect("fuzz/corpus/differential has seeds").flatten().map(|e| e.path()).collect();
    assert!(!seeds.is_empty(), "no seed in {}", corpus.display());
    // Saved crashes (`cargo xtask fuzz-regress`), as fuzz_corpus.rs replays the other targets'.
    if let Ok(regressions) = std::fs::read_dir(fuzz.join("regressions/differential")) {
        seeds.extend(regressions.flatten().map(|e| e.path()));
    }
    seeds.sort();
    let mut steps = 0;
    for seed in &seeds {
        let data = std::fs::read(seed).expect("readable");
        steps += d.check_bytes(&data).unwrap_or_else(|f| panic!("{}: {f}", seed.display()));
    }
    for (i, data) in inputs(0x5eed, 150, 160).enumerate() {
        steps += d.check_bytes(&data).unwrap_or_else(|f| panic!("random input {i} ({data:?}): {f}"));
    }
    // The inputs do reach the endpoint: a decoder that yielded nothing would pass vacuously.
    assert!(steps >= 1500, "only {steps} steps sent");
    assert_eq!(std::fs::read_dir(findings.path()).expect("findings dir").count(), 0, "nothing written without a finding");
}

#[test]
fn decoding_is_bounded_and_respects_the_capabilities() {
    let all = remediation_suite::profile::TargetProfile::builtin("reference").expect("builtin").capabilities;
    let none = Default::default();
    let long: Vec<u8> = inputs(7, 1, 2).next().into_iter().flatten().chain((0..4096u32).map(|i| (i * 31) as u8)).collect();
    assert_eq!(differential_steps(&long, &all).len(), MAX_DIFFERENTIAL_STEPS);
    let mut without = 0;
    for data in inputs(11, 200, 200) {
        for step in differential_steps(&data, &none) {
            without += 1;
            let text = format!("{step:?}");
            assert!(
                !text.starts_with("SetCompliance") && !text.starts_with("ScriptSsm") && !text.starts_with("Advance") && !text.contains("Valid"),
                "{text} sent to a target without control API or virtual clock"
            );
        }
    }
    assert!(without > 1000, "{without} steps decoded");
}

/// Fuzz inputs until the first finding; panics when there is none in `count` inputs.
fn first_finding(d: &Differential, count: usize) -> (usize, Finding) {
    for (i, data) in inputs(0xd1ff, count, 160).enumerate() {
        if let Err(finding) = d.check_bytes(&data) {
            return (i, finding);
        }
    }
    panic!("no finding in {count} inputs");
}

fn replay(file: &Path, endpoint: Option<&str>) -> binary::Finished {
    let file = file.to_str().expect("UTF-8 path");
    let mut args = vec!["replay", file];
    if let Some(url) = endpoint {
        args.extend(["--endpoint", url, "--target", "reference"]);
    }
    binary::finish(binary::spawn(Path::new(env!("CARGO_MANIFEST_DIR")), &args), Duration::from_secs(60))
}

#[rstest]
#[case::wrong_error_code(Fault::WrongErrorCode)]
#[case::off_by_one_limit(Fault::OffByOneResourceKeys)]
#[case::exception_for_compliant_resource(Fault::ExceptionForCompliantResource)]
fn a_broken_endpoint_is_found_and_the_written_scenario_replays_to_fail(#[case] fault: Fault) {
    let broken = testkit::faulty_reference(fault);
    let findings = TempDir::new("differential-finding");
    let d = Differential::new(Some(broken.url.clone()), Some("reference".into()), findings.path().to_owned()).expect("the peer is reachable");
    let (input, finding) = first_finding(&d, 400);
    eprintln!("{fault:?}: found by input {input}: {finding}");
    assert!(finding.path.starts_with(findings.path()) && finding.path.is_file(), "{}", finding.path.display());
    assert!(finding.to_string().contains(&format!("replay {} --endpoint {}", finding.path.display(), broken.url)), "{finding}");

    let against_broken = replay(&finding.path, Some(&broken.url));
    assert_eq!(against_broken.code, Some(1), "replay against the broken endpoint: {against_broken:?}");
    assert!(against_broken.stdout.contains("FAIL"), "{against_broken:?}");
    // The scenario itself is sound: the reference endpoint passes it.
    let against_reference = replay(&finding.path, None);
    assert_eq!(against_reference.code, Some(0), "replay against the reference endpoint: {against_reference:?}");
}
