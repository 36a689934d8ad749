//! Replays every committed fuzz input (`fuzz/corpus/<target>/`, and crashes saved as
//! regressions in `fuzz/regressions/<target>/`) through the same functions the cargo-fuzz
//! targets call, then a bounded number of pseudo-random inputs, so `cargo test` keeps every
//! finding fixed without a fuzzer installed.

use suite_testkit::fuzzing;
use std::path::Path;

/// A fuzz target's entry point, by name.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 5] = [
    ("model_request", fuzzing::model_request),
    ("model_sequence", fuzzing::model_sequence),
    ("model_sequence_long", fuzzing::model_sequence_long),
    ("judge_answer", fuzzing::judge_answer),
    ("scenario_file", fuzzing::scenario_file),
];

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in [root.join("corpus").join(target), root.join("regressions").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                out.push((path.display().to_string(), std::fs::read(&path).expect("readable")));
            }
        }
    }
    out
}

#[test]
fn every_committed_input_replays_cleanly() {
    for (target, run) in TARGETS {
        let inputs = inputs(target);
        assert!(!inputs.is_empty(), "fuzz/corpus/{target} has no seeds");
        for (name, data) in inputs {
            let result = std::panic::catch_unwind(|| run(&data));
            assert!(result.is_ok(), "{target}: {name} panics");
        }
    }
}

/// xorshift: deterministic pseudo-random inputs, no dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn pseudo_random_inputs_find_nothing() {
    for (i, (target, run)) in TARGETS.into_iter().enumerate() {
        let mut state = 0x9e37_79b9_7f4a_7c15 ^ i as u64;
        for case in 0..400 {
            let len = (next(&mut state) % 600) as usize;
            let data: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
            if std::env::var_os("FUZZ_TRACE").is_some() {
                eprintln!("{target} case {case}");
            }
            let result = std::panic::catch_unwind(|| run(&data));
            assert!(result.is_ok(), "{target}: pseudo-random case {case} panics; input: {data:?}");
        }
    }
}
