//! # remediation-suite
//!
//! The conformance and fuzz suite for the AWS Config remediation APIs: the embedded reference
//! endpoint (`server`), the target client, the runner and its reports.

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
