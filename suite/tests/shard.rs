//! `run --shard K/N` through the built binary (issue 12, item 6): the N shards of one seed
//! partition the whole run (scenario ids and generated sequences), a shard repeats itself,
//! report.json records it, an expectation entry for another shard's scenario is not stale, and
//! a value that is no shard is a usage error (exit 2).
//!
//! Every run is against the embedded reference endpoint over the whole corpus (or a filter of
//! it) with few generated sequences: one takes well under a second.

use suite_testkit::TempDir;
use rstest::rstest;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

mod support;

/// Generated sequences of the whole run: not a multiple of 2, 3 or 5, so shards get unequal
/// shares and the remainder must be spread.
const SEQUENCES: &str = "7";
const SEED: &str = "11";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// What one `run` did: its exit code, stderr and report.json (when written).
struct Run {
    code: Option<i32>,
    stderr: String,
    report: Option<Value>,
}

impl Run {
    fn report(&self) -> &Value {
        self.report.as_ref().unwrap_or_else(|| panic!("no report.json; exit {:?}: {}", self.code, self.stderr))
    }

    fn ids(&self) -> Vec<String> {
        let scenarios = self.report()["scenarios"].as_array().expect("scenarios is a list");
        scenarios.iter().map(|s| s["id"].as_str().expect("a scenario id").to_owned()).collect()
    }

    fn generated_sequences(&self) -> u64 {
        // A shard left with no sequence has no `generated` part at all.
        self.report().get("generated").map_or(0, |g| g["sequences"].as_u64().expect("generated.sequences"))
    }

    fn generated_seed(&self) -> u64 {
        self.report()["generated"]["seed"].as_u64().expect("generated.seed")
    }
}

/// `run --seed SEED --sequences SEQUENCES` with `extra`.
fn run(extra: &[&str]) -> Run {
    run_with(SEQUENCES, extra)
}

/// `run --seed SEED --sequences sequences` with `extra`, in a fresh directory with a fresh `--out`.
fn run_with(sequences: &str, extra: &[&str]) -> Run {
    let cwd = TempDir::new("shard-cwd");
    let out = TempDir::new("shard-out");
    let fixtures = fixtures();
    let mut args = vec!["run", "--fixtures", fixtures.to_str().expect("UTF-8"), "--out", out.path().to_str().expect("UTF-8")];
    args.extend(["--seed", SEED, "--sequences", sequences]);
    args.extend_from_slice(extra);
    let finished = support::binary::run(cwd.path(), &args, Duration::from_secs(120));
    let report = std::fs::read_to_string(out.path().join("report.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("report.json is JSON"));
    Run { code: finished.code, stderr: finished.stderr, report }
}

/// The run without `--shard` the shards are compared with (run once for all tests).
fn whole() -> &'static Run {
    static WHOLE: OnceLock<Run> = OnceLock::new();
    WHOLE.get_or_init(|| run(&[]))
}

#[rstest]
#[case(1)]
#[case(2)]
#[case(3)]
#[case(5)]
fn the_shards_of_a_run_partition_it(#[case] n: u32) {
    let whole = whole();
    assert_eq!(whole.code, Some(0), "{}", whole.stderr);
    assert!(whole.report().get("shard").is_none(), "a run without --shard records none");
    let all: BTreeSet<String> = whole.ids().into_iter().collect();
    assert!(all.len() > 100, "the whole corpus ran: {}", all.len());

    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut sequences = 0;
    for k in 1..=n {
        let shard = format!("{k}/{n}");
        let part = run(&["--shard", &shard]);
        assert_eq!(part.code, Some(0), "shard {shard}: {}", part.stderr);
        assert_eq!(part.report()["shard"], Value::String(shard.clone()));
        for id in part.ids() {
            assert!(seen.insert(id.clone()), "{id} ran in shard {shard} and in an earlier one");
        }
        sequences += part.generated_sequences();
    }
    assert_eq!(seen, all, "the union of the {n} shards is the whole run");
    assert_eq!(sequences.to_string(), SEQUENCES, "the shards' generated sequences add up to --sequences");
}

#[test]
fn a_shard_repeats_itself_and_the_shards_draw_different_sequences() {
    let first = run(&["--shard", "2/3"]);
    let again = run(&["--shard", "2/3"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(first.ids(), again.ids());
    assert_eq!(first.generated_seed(), again.generated_seed());
    assert_eq!(first.report()["generated"]["steps"], again.report()["generated"]["steps"], "the same sequences ran");

    let seeds: BTreeSet<u64> =
        [first.generated_seed(), run(&["--shard", "1/3"]).generated_seed(), run(&["--shard", "3/3"]).generated_seed()].into();
    assert_eq!(seeds.len(), 3, "each shard of a run has a seed of its own: {seeds:?}");
    // One shard is the whole run: the run's own seed, the same sequences.
    let whole = whole();
    let one = run(&["--shard", "1/1"]);
    assert_eq!(one.generated_seed().to_string(), SEED);
    assert_eq!(one.ids(), whole.ids());
    assert_eq!(one.report()["generated"]["outcomes"], whole.report()["generated"]["outcomes"]);
    assert_eq!(one.report()["generated"]["steps"], whole.report()["generated"]["steps"]);
}

/// An entry for a scenario another shard runs is left unchecked, as one for a scenario the
/// filters left out; an entry for a scenario that exists nowhere is still stale.
#[test]
fn entries_for_scenarios_of_other_shards_are_not_stale() {
    const LISTED: &str = "exceptions/only-non-compliant";
    let dir = TempDir::new("shard-expectations");
    let file = dir.write(
        "expectations.toml",
        &format!(
            r#"[[deviation]]
scenario = "{LISTED}"
step = 4
operation = "PutRemediationExceptions"
verdict = "FAIL"
kind = "wont-fix"
reason = "listed on purpose: the reference endpoint passes it"

[[deviation]]
scenario = "exceptions/no-such-scenario"
step = 1
operation = "PutRemediationExceptions"
verdict = "FAIL"
kind = "wont-fix"
reason = "names a scenario that does not exist"
"#
        ),
    );
    let file = file.to_str().expect("UTF-8");
    let shard = |s: &str| run_with("0", &["--filter", "exceptions/", "--expectations", file, "--shard", s]);
    let owner = ["1/2", "2/2"].into_iter().find(|s| shard(s).ids().iter().any(|id| id == LISTED));
    let owner = owner.expect("some shard runs the listed scenario");
    let other = if owner == "1/2" { "2/2" } else { "1/2" };

    let elsewhere = shard(other);
    let expectations = &elsewhere.report()["expectations"];
    assert!(!elsewhere.ids().iter().any(|id| id == LISTED));
    assert_eq!(expectations["unexpected_passes"], Value::Array(vec![]), "{expectations}");
    let stale: Vec<&str> = expectations["stale_entries"].as_array().expect("a list").iter().filter_map(Value::as_str).collect();
    assert_eq!(stale.len(), 1, "only the entry for no scenario is stale: {stale:?}");
    assert!(stale[0].starts_with("exceptions/no-such-scenario"), "{stale:?}");

    // The shard that runs it checks the entry: the reference endpoint passes, so the listed
    // deviation is an unexpected pass.
    let home = shard(owner);
    assert_eq!(home.code, Some(1), "{}", home.stderr);
    let passes = home.report()["expectations"]["unexpected_passes"].to_string();
    assert!(passes.contains(LISTED), "{passes}");
}

#[rstest]
#[case("0/3", "shards are numbered from 1")]
#[case("4/3", "shard 4 does not exist in a run split into 3")]
#[case("x", "is not K/N")]
#[case("1/0", "a run is split into at least one shard")]
#[case("a/2", "\"a\" in \"a/2\" is not a whole number")]
fn a_value_that_is_no_shard_is_a_usage_error(#[case] given: &str, #[case] message: &str) {
    let refused = run(&["--shard", given]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("--shard"), "names the flag: {}", refused.stderr);
    assert!(refused.stderr.contains(message), "{}", refused.stderr);
    assert!(refused.report.is_none(), "nothing ran");
}
