//! # remediation-suite
//!
//! The conformance and fuzz suite for the AWS Config remediation APIs: the target client, the
//! runner, the judge, the reports and the command line.
//!
//! ## The crates
//!
//! | crate | what it holds | ships |
//! | --- | --- | --- |
//! | `reference-model` | the documented behaviour as a pure state machine: every acceptable answer, each tagged MUST / SHOULD / MAY | yes |
//! | `reference-endpoint` | the model served over AWS JSON 1.1 with its control API (`serve`, `--target reference` in process), and a hook for planted faults (`FaultHook`) | yes, inside this binary |
//! | `remediation-suite` (this crate) | target client, runner, judge, expectations, snapshots, reports, the CLI; the `remediation-suite` binary and its wheel | yes |
//! | `suite-testkit` | test support, dev-only (`publish = false`): scripted and deliberately faulty peers (the reference router plus a `FaultHook`), the answer mutator, the fuzz targets' entry points (`suite_testkit::fuzzing`), `TempDir` | no |
//! | `xtask`, `fuzz/` | automation (`cargo xtask test`, peers, bench, fuzz, wheel); the cargo-fuzz binaries over `suite_testkit::fuzzing` | no |
//!
//! This crate's own unit tests use no test support: `suite-testkit` depends on this crate, so
//! inside `src/` it would be a second copy of every type. Whatever needs a peer, the mutator or
//! a fuzz entry point is an integration test under `tests/`.
//!
//! ## How a verdict is made
//!
//! ```text
//!  scenario (file) ─┐                      ┌─ target: any endpoint, SigV4-signed JSON 1.1 ─┐
//!  generated seq. ──┼─> runner, step by step┤                                              ├─> judge ─> report
//!  fuzz input ──────┘                      └─ reference_model::handle: every acceptable     ┘   (+ expect,
//!                                             answer, each tagged MUST / SHOULD / MAY           snapshot)
//! ```
//!
//! 1. [`scenario`] reads a file into typed steps (a call, a control action, a move of the
//!    clock); [`generate`] makes the same steps from a seed, the fuzz targets
//!    (`suite_testkit::fuzzing`) from bytes.
//! 2. [`runner`] sends each call to the [`target::Target`] and to the model side by side,
//!    keeps identities (an Arn the target gave stands for the model's), follows the other
//!    states an answer may have left (A-21), and ends a scenario where the target lacks a
//!    capability ([`profile`]).
//! 3. [`judge`] compares the answer with the model's outcome: the closest alternative wins, and
//!    the worst difference decides the verdict (MUST → FAIL, SHOULD or MAY → NON-STRICT).
//!    `judge::codes` knows each operation's error set, `judge::ids` the format of generated
//!    identifiers, `judge::execution` execution statuses without a shared clock,
//!    `judge::history` what only a sequence of answers shows (R-DRES-07).
//! 4. [`expect`] holds a target to its known deviations, each with its reason (and, for an
//!    audit, its rule and evidence); [`snapshot`] compares with a recording; [`report`]
//!    renders JSON, JUnit, Markdown, HTML, the matrix and the deviations.
//!
//! ## Where a rule is enforced
//!
//! The model decides what is acceptable; the suite only compares. A member's constraint
//! (length, range, enum, pattern, list size) is `reference_model::validate`, from the service
//! model; a documented behaviour is the operation's `reference_model::ops::*` function, whose
//! doc comment names the rule ID; a choice where the documentation is silent is an `A-NN`
//! entry of `reference-model/ASSUMPTIONS.md`, observed behaviour an `S-NN` one. How sure each
//! answer is travels with it as its level, so a guess can never fail a target.
//! `remediation-suite explain <RULE>` lists, for one rule ID, the code, tests, scenarios and
//! assumptions ([`explain`]).
//!
//! Rule IDs are `reference_model::clauses::RuleId` everywhere: the model names them with
//! `rule!("R-PRE-04")`, checked against the catalogue when the code is built; scenario files,
//! expectation files and `--rule` are checked when they are read. Each step's result records
//! the rules its answer was judged under (`StepResult::clauses`), and a scenario's declared
//! rules must be among them (`tests/scenarios.rs`, with a strict list of the known gaps in
//! `tests/data/unexercised-declarations.txt`).

pub mod judge;
pub mod profile;
pub mod target;
pub mod verdict;
pub mod scenario;
pub mod expect;
pub mod report;
pub mod runner;
pub mod cleanup;
pub mod teardown;
pub mod cli;
pub mod session;
pub mod shard;
pub mod generate;
pub mod transcript;
pub mod snapshot;
pub mod explain;
