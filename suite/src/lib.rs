//! # remediation-suite
//!
//! The conformance and fuzz suite for the AWS Config remediation APIs: the embedded reference
//! endpoint (`server`), the target client, the runner and its reports.

pub mod server;
