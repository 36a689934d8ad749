//! Target profiles: what a target can arrange besides the API itself.
//!
//! Some scenarios need a resource to be NON_COMPLIANT, a valid ResultToken, a clock that can be
//! advanced, or a clean account. Only the reference endpoint can arrange these (through its
//! control API); a scenario that needs a capability its target lacks is `SKIPPED`, never passed.

use reference_model::Operation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Something a scenario may need from its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Arrange compliance, issue ResultTokens, mark rules service-linked, script SSM outcomes,
    /// remove the configuration recorder (the reference endpoint's `/_reference/control`).
    Control,
    /// Set and advance the target's clock, so times and execution states are exact.
    VirtualClock,
    /// Start each scenario from an empty account.
    Reset,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Control, Capability::VirtualClock, Capability::Reset];
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Control => "control",
            Capability::VirtualClock => "virtual-clock",
            Capability::Reset => "reset",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operations moto 5.2 has no handler for (`moto/config/responses.py` implements
/// PutConfigRule, DescribeConfigRules, DeleteConfigRule and PutEvaluations of ours).
const MOTO_LACKS: &[Operation] = &[
    Operation::PutRemediationConfigurations,
    Operation::DescribeRemediationConfigurations,
    Operation::DeleteRemediationConfiguration,
    Operation::PutRemediationExceptions,
    Operation::DescribeRemediationExceptions,
    Operation::DeleteRemediationExceptions,
    Operation::StartRemediationExecution,
    Operation::DescribeRemediationExecutionStatus,
    Operation::GetComplianceDetailsByConfigRule,
    Operation::DescribeComplianceByConfigRule,
    Operation::DescribeComplianceByResource,
];

/// What the suite knows about a kind of target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetProfile {
    /// `reference`, `moto`, `localstack`, `aws` or `generic`; also names the expectation file.
    pub name: String,
    pub capabilities: BTreeSet<Capability>,
    /// Operations the target lacks and answers with HTTP 500 and an HTML page (moto). On any
    /// other operation such an answer is a crash: ERROR.
    #[serde(skip)]
    pub html_500_unimplemented: BTreeSet<Operation>,
    /// True when the endpoint may hold resources the suite did not create.
    pub shared_account: bool,
}

impl TargetProfile {
    pub const NAMES: [&'static str; 5] = ["reference", "moto", "localstack", "aws", "generic"];

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<TargetProfile> {
        let profile = |caps: &[Capability], html: &[Operation], shared: bool| TargetProfile {
            name: name.to_owned(),
            capabilities: caps.iter().copied().collect(),
            html_500_unimplemented: html.iter().copied().collect(),
            shared_account: shared,
        };
        match name {
            "reference" => Some(profile(&Capability::ALL, &[], false)),
            "moto" => Some(profile(&[], MOTO_LACKS, false)),
            "localstack" => Some(profile(&[], &[], false)),
            "aws" => Some(profile(&[], &[], true)),
            "generic" => Some(profile(&[], &[], true)),
            _ => None,
        }
    }

    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}
