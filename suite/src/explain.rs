//! `remediation-suite explain <RULE>`: one rule and everything the suite has of it, the
//! catalogue's words, the code that implements and judges it, the tests and scenarios that check
//! it, and the assumptions that mention it.
//!
//! Where the code and tests are comes from an index `build.rs` makes of the workspace's sources
//! when the binary is built; the scenarios are read from the fixtures directory at run time, and
//! the assumptions from the model's `ASSUMPTIONS.md` as it was built in.

use crate::scenario::Scenario;
use reference_model::clauses::{self, Clause, Coverage};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod index {
    include!(concat!(env!("OUT_DIR"), "/rule_index.rs"));
}

/// The model's register of choices and evidence, as built.
const ASSUMPTIONS: &str = include_str!("../../reference-model/ASSUMPTIONS.md");

/// `explain` could not explain: the ID is not in the catalogue.
#[derive(Debug, thiserror::Error)]
#[error("{id} is not a rule of the catalogue{}", suggestion(.near))]
pub struct UnknownRule {
    pub id: String,
    /// Catalogued IDs that share its section, to suggest.
    pub near: Vec<&'static str>,
}

fn suggestion(near: &[&str]) -> String {
    if near.is_empty() {
        " (`list --rules` lists them all)".to_owned()
    } else {
        format!(" (did you mean {}?)", near.join(", "))
    }
}

/// The catalogue entry for `id`, ignoring case (`r-pre-04` is R-PRE-04).
pub fn find(id: &str) -> Result<&'static Clause, UnknownRule> {
    if let Some(c) = clauses::CLAUSES.iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
        return Ok(c);
    }
    let section = id.rsplit_once('-').map_or(id, |(s, _)| s);
    let near = clauses::CLAUSES.iter().filter(|c| c.id.to_ascii_lowercase().starts_with(&section.to_ascii_lowercase())).map(|c| c.id).take(5).collect();
    Err(UnknownRule { id: id.to_owned(), near })
}

/// `path:line, line` per file, for the mentions that pass `keep`.
fn places(id: &str, keep: impl Fn(&str, bool) -> bool) -> Vec<String> {
    let mut by_file: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (mention, path, line, test, function) in index::MENTIONS {
        if mention.eq_ignore_ascii_case(id) && function.is_none() && keep(path, *test) {
            by_file.entry(path).or_default().push(*line);
        }
    }
    by_file
        .into_iter()
        .map(|(path, lines)| {
            let lines: Vec<String> = lines.iter().map(u32::to_string).collect();
            format!("{path}:{}", lines.join(", "))
        })
        .collect()
}

/// The `### ` sections of ASSUMPTIONS.md that mention `id`, by their headings.
fn assumptions(id: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut heading: Option<&'static str> = None;
    for line in ASSUMPTIONS.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            heading = Some(h);
        } else if line.starts_with("## ") {
            heading = None;
        } else if let Some(h) = heading.filter(|h| mentions(line, id) && !found.contains(h)) {
            found.push(h);
        }
    }
    found
}

/// True when `text` names `id` as a whole word (R-PRE-04, not R-PRE-040).
fn mentions(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + id.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-') && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Everything the suite has of one rule, as text.
pub fn explain(clause: &Clause, scenarios: &[Scenario]) -> String {
    let id = clause.id;
    let mut out = String::new();
    let _ = writeln!(out, "{id} ({}): {}", clause.level, clause.summary);
    if let Coverage::NotModelled(why) = clause.coverage {
        let _ = writeln!(out, "not checked over the wire: {why}");
    }
    let mut section = |title: &str, lines: Vec<String>| {
        let _ = writeln!(out, "\n{title}:");
        if lines.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for l in lines {
            let _ = writeln!(out, "  {l}");
        }
    };
    section("implemented in the model", places(id, |path, test| path.starts_with("reference-model/src") && !test));
    section("judged and run in the suite", places(id, |path, test| path.starts_with("suite/src") && !test));
    section("served by the reference endpoint", places(id, |path, test| path.starts_with("reference-endpoint/src") && !test));
    section("planted as a fault or a mutation (suite-testkit)", places(id, |path, test| path.starts_with("suite-testkit/src") && !test));
    let mut tests: Vec<String> = index::MENTIONS
        .iter()
        .filter(|(m, _, _, _, f)| m.eq_ignore_ascii_case(id) && f.is_some())
        .map(|(_, path, line, _, f)| format!("{} ({path}:{line})", f.unwrap_or_default()))
        .collect();
    tests.extend(places(id, |_, test| test).into_iter().map(|p| format!("mentioned at {p}")));
    section("tests", tests);
    let checking: Vec<String> = scenarios.iter().filter(|s| s.all_rules().iter().any(|r| r.as_str() == id)).map(|s| s.id.clone()).collect();
    section("scenarios that declare it", checking);
    section("assumptions and evidence (reference-model/ASSUMPTIONS.md)", assumptions(id).into_iter().map(str::to_owned).collect());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("R-PRE-04", "R-PRE-04")]
    #[case("r-pre-04", "R-PRE-04")]
    #[case("R-DCRs-01", "R-DCRs-01")]
    fn ids_are_found_whatever_their_case(#[case] asked: &str, #[case] found: &str) {
        assert_eq!(find(asked).expect("catalogued").id, found);
    }

    #[test]
    fn an_unknown_id_suggests_its_section() {
        let e = find("R-PRE-99").expect_err("not catalogued").to_string();
        assert!(e.starts_with("R-PRE-99 is not a rule of the catalogue (did you mean R-PRE-01"), "{e}");
        let e = find("X-1").expect_err("not catalogued").to_string();
        assert!(e.ends_with("(`list --rules` lists them all)"), "{e}");
    }

    #[rstest]
    #[case("see R-PRE-04.", true)]
    #[case("R-PRE-040", false)]
    #[case("XR-PRE-04", false)]
    fn mentions_are_whole_words(#[case] text: &str, #[case] expected: bool) {
        assert_eq!(mentions(text, "R-PRE-04"), expected);
    }

    /// The index knows where a rule is implemented, judged and tested: R-PRE-04 (exceptions only
    /// for NON_COMPLIANT resources) is in the model's exceptions code and has tests named for it.
    #[test]
    fn a_modelled_rule_is_found_in_code_tests_and_assumptions() {
        let text = explain(find("R-PRE-04").expect("catalogued"), &[]);
        assert!(text.contains("reference-model/src/ops/exceptions.rs:"), "{text}");
        assert!(text.contains("r_pre_04_"), "{text}");
        assert!(text.contains("A-11 Exceptions for resources that are not NON_COMPLIANT"), "{text}");
        let section = |title: &str| text.split(&format!("\n{title}:\n")).nth(1).map(|s| s.split("\n\n").next().unwrap_or_default().to_owned());
        assert_eq!(section("scenarios that declare it").as_deref(), Some("  (none)"), "no scenarios were given");
    }
}
