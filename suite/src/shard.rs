//! `run --shard K/N`: one machine's part of a run split across N machines (issue 12, item 6).
//!
//! The N shards of a run (same scenarios, filters, seed and `--sequences`) partition it: every
//! selected scenario runs in exactly one shard, and the generated sequences they run add up to
//! `--sequences`.
//!
//! - Scenarios: the selected scenarios sorted by id, the i-th (0-based) goes to shard
//!   `i mod N + 1`. Round robin over the sorted list keeps the shards within one scenario of
//!   each other (a hash of the id would leave them unbalanced on a corpus of ~160) and spreads
//!   each family of ids (`exceptions/…`, `paging/…`) over all shards. It depends only on the
//!   ids, never on load order.
//! - Generated sequences: shard K runs `S / N` of the `S` sequences, plus one when
//!   `K ≤ S mod N` (the remainder goes to the first shards).
//! - Their seed: see [`Shard::sequence_seed`].

use serde::{Serialize, Serializer};
use std::num::NonZeroU32;
use std::str::FromStr;

/// Shard K of N, with 1 ≤ K ≤ N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    index: NonZeroU32,
    count: NonZeroU32,
}

/// Why a `--shard` value is not `K/N` with 1 ≤ K ≤ N: each variant is a usage error (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("{given:?} is not K/N (e.g. 2/4: the second of four shards)")]
    NotAFraction { given: String },
    #[error("{part:?} in {given:?} is not a whole number")]
    NotANumber { given: String, part: String },
    #[error("{given:?} has N = 0: a run is split into at least one shard")]
    NoShards { given: String },
    #[error("{given:?} has K = 0: shards are numbered from 1")]
    ZeroIndex { given: String },
    #[error("{given:?} has K > N: shard {index} does not exist in a run split into {count}")]
    IndexAboveCount { given: String, index: u32, count: u32 },
}

impl Shard {
    /// The whole run: what a run without `--shard` does.
    pub const WHOLE: Shard = Shard { index: NonZeroU32::MIN, count: NonZeroU32::MIN };

    /// Shard `index` of `count`, or why that is no shard.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        let given = || format!("{index}/{count}");
        let count = NonZeroU32::new(count).ok_or_else(|| ShardError::NoShards { given: given() })?;
        let index = NonZeroU32::new(index).ok_or_else(|| ShardError::ZeroIndex { given: given() })?;
        if index > count {
            return Err(ShardError::IndexAboveCount { given: given(), index: index.get(), count: count.get() });
        }
        Ok(Shard { index, count })
    }

    /// K, from 1.
    pub fn index(&self) -> u32 {
        self.index.get()
    }

    /// N.
    pub fn count(&self) -> u32 {
        self.count.get()
    }

    /// Every shard of a run split into `count`, in order.
    pub fn all(count: NonZeroU32) -> impl Iterator<Item = Shard> {
        (1..=count.get()).map(move |k| Shard { index: NonZeroU32::new(k).unwrap_or(NonZeroU32::MIN), count })
    }

    /// This shard's items: sorted by `id`, every N-th starting at the K-th (see the module doc).
    pub fn select<T>(&self, mut items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
        items.sort_by(|a, b| id(a).cmp(id(b)));
        let (k, n) = (self.index() as usize - 1, self.count() as usize);
        items.into_iter().enumerate().filter(|(i, _)| i % n == k).map(|(_, item)| item).collect()
    }

    /// How many of a run's `total` generated sequences this shard runs: `total / N`, plus one
    /// for the first `total mod N` shards.
    pub fn sequences(&self, total: u32) -> u32 {
        let (k, n) = (self.index(), self.count());
        total / n + u32::from(k <= total % n)
    }

    /// The seed of this shard's generated sequences, from the run's seed.
    ///
    /// One shard (`1/1`) keeps the run's seed, so that it runs exactly what a run without
    /// `--shard` runs. Otherwise `mix(seed ^ mix(N << 32 | K))`, where `mix` is the SplitMix64
    /// finaliser: a bijection of u64, so the N shards of a run get N different seeds (they do
    /// not run the same sequences N times), and the same seed and shard always give the same
    /// sequences.
    pub fn sequence_seed(&self, run_seed: u64) -> u64 {
        if self.count() == 1 {
            return run_seed;
        }
        mix(run_seed ^ mix((u64::from(self.count()) << 32) | u64::from(self.index())))
    }
}

/// The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijection that spreads every input bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(given: &str) -> Result<Shard, ShardError> {
        let (k, n) = given.split_once('/').ok_or_else(|| ShardError::NotAFraction { given: given.to_owned() })?;
        let number = |part: &str| {
            part.trim().parse::<u32>().map_err(|_| ShardError::NotANumber { given: given.to_owned(), part: part.to_owned() })
        };
        let (k, n) = (number(k)?, number(n)?);
        Shard::new(k, n).map_err(|e| match e {
            // Report the text as typed (`01/3`), not as re-formatted.
            ShardError::NoShards { .. } => ShardError::NoShards { given: given.to_owned() },
            ShardError::ZeroIndex { .. } => ShardError::ZeroIndex { given: given.to_owned() },
            ShardError::IndexAboveCount { index, count, .. } => ShardError::IndexAboveCount { given: given.to_owned(), index, count },
            other => other,
        })
    }
}

/// In report.json as `"K/N"`.
impl Serialize for Shard {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::collections::BTreeSet;

    #[rstest]
    #[case("1/1", 1, 1)]
    #[case("2/4", 2, 4)]
    #[case("5/5", 5, 5)]
    #[case(" 3 / 7 ", 3, 7)]
    fn parses_k_of_n(#[case] given: &str, #[case] k: u32, #[case] n: u32) {
        let shard: Shard = given.parse().unwrap();
        assert_eq!((shard.index(), shard.count()), (k, n));
        assert_eq!(shard.to_string(), format!("{k}/{n}"));
    }

    #[rstest]
    #[case("0/3", ShardError::ZeroIndex { given: "0/3".into() })]
    #[case("4/3", ShardError::IndexAboveCount { given: "4/3".into(), index: 4, count: 3 })]
    #[case("1/0", ShardError::NoShards { given: "1/0".into() })]
    #[case("x", ShardError::NotAFraction { given: "x".into() })]
    #[case("2", ShardError::NotAFraction { given: "2".into() })]
    #[case("a/3", ShardError::NotANumber { given: "a/3".into(), part: "a".into() })]
    #[case("1/3/4", ShardError::NotANumber { given: "1/3/4".into(), part: "3/4".into() })]
    #[case("-1/3", ShardError::NotANumber { given: "-1/3".into(), part: "-1".into() })]
    fn refuses_what_is_no_shard(#[case] given: &str, #[case] expected: ShardError) {
        assert_eq!(given.parse::<Shard>(), Err(expected));
    }

    #[rstest]
    fn shards_partition_items_and_sequences(#[values(1, 2, 3, 5, 8)] n: u32, #[values(0, 1, 4, 7, 100)] total: u32) {
        // Out of order on purpose: the partition depends on the ids, not on the order given.
        let ids: Vec<String> = (0..23).map(|i| format!("family-{}/case-{i}", i % 4)).rev().collect();
        let mut seen = BTreeSet::new();
        let mut sequences = 0;
        let mut sizes = Vec::new();
        for shard in Shard::all(NonZeroU32::new(n).unwrap()) {
            let mine = shard.select(ids.clone(), String::as_str);
            sizes.push(mine.len());
            for id in mine {
                assert!(seen.insert(id.clone()), "{id} is in two shards");
            }
            sequences += shard.sequences(total);
        }
        assert_eq!(seen, ids.iter().cloned().collect::<BTreeSet<_>>());
        assert_eq!(sequences, total);
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "unbalanced: {sizes:?}");
    }

    #[test]
    fn remainder_goes_to_the_first_shards() {
        let counts: Vec<u32> = Shard::all(NonZeroU32::new(4).unwrap()).map(|s| s.sequences(10)).collect();
        assert_eq!(counts, [3, 3, 2, 2]);
    }

    #[test]
    fn one_shard_is_the_whole_run() {
        assert_eq!(Shard::WHOLE, "1/1".parse().unwrap());
        assert_eq!(Shard::WHOLE.sequence_seed(42), 42);
        assert_eq!(Shard::WHOLE.sequences(17), 17);
        assert_eq!(Shard::WHOLE.select(vec!["b", "a"], |s| s), ["a", "b"]);
    }

    #[rstest]
    fn shards_of_a_run_get_different_seeds_and_the_same_shard_the_same(#[values(2, 3, 5)] n: u32, #[values(0, 7, u64::MAX)] seed: u64) {
        let seeds: BTreeSet<u64> = Shard::all(NonZeroU32::new(n).unwrap()).map(|s| s.sequence_seed(seed)).collect();
        assert_eq!(seeds.len(), n as usize);
        let shard = Shard::new(2, n).unwrap();
        assert_eq!(shard.sequence_seed(seed), Shard::new(2, n).unwrap().sequence_seed(seed));
        assert_ne!(shard.sequence_seed(seed), shard.sequence_seed(seed ^ 1));
    }

    #[test]
    fn serialises_as_k_of_n() {
        assert_eq!(serde_json::to_value(Shard::new(2, 4).unwrap()).unwrap(), serde_json::json!("2/4"));
    }
}
