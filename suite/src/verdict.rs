//! The verdicts a step or a scenario can get.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the suite says of one step, one scenario, or one generated sequence.
///
/// Borrowed from Autobahn's outcome taxonomy: conformance (`PASS`), conformance that differs
/// only where the model is not sure (`NON-STRICT`), a broken rule (`FAIL`), an operation the
/// target says it does not implement (`UNIMPLEMENTED`), no usable answer (`ERROR`), and a check
/// the target cannot take part in (`SKIPPED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Matches an acceptable outcome in every part.
    #[serde(rename = "PASS")]
    Pass,
    /// Matches an acceptable outcome in every MUST part; differs in SHOULD or MAY parts.
    #[serde(rename = "NON-STRICT")]
    NonStrict,
    /// A capability the scenario needs is missing from the target.
    #[serde(rename = "SKIPPED")]
    Skipped,
    /// The target answered that it does not implement the operation.
    #[serde(rename = "UNIMPLEMENTED")]
    Unimplemented,
    /// The answer breaks a MUST of every acceptable outcome.
    #[serde(rename = "FAIL")]
    Fail,
    /// No usable answer: transport failure, timeout, server error, unparsable body.
    #[serde(rename = "ERROR")]
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 6] =
        [Verdict::Pass, Verdict::NonStrict, Verdict::Fail, Verdict::Unimplemented, Verdict::Error, Verdict::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::NonStrict => "NON-STRICT",
            Verdict::Skipped => "SKIPPED",
            Verdict::Unimplemented => "UNIMPLEMENTED",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// A verdict that conforms: nothing to fix.
    pub fn conforms(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::NonStrict)
    }

    /// True when a scenario cannot go on after a step with this verdict.
    pub fn stops_scenario(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Error | Verdict::Unimplemented)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
