//! # remediation-suite
//!
//! The conformance and fuzz suite for the AWS Config remediation APIs: the embedded reference
//! endpoint (`server`), the target client, the runner and its reports.
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
//!    clock); [`generate`] and [`fuzzing`] make the same steps from a seed or from bytes.
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

pub mod server;
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
pub mod testkit;
pub mod fuzzing;
pub mod transcript;
pub mod snapshot;
pub mod explain;
