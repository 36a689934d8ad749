//! The operations the model knows, with their wire names.

use std::fmt;
use std::str::FromStr;

/// The `X-Amz-Target` prefix of AWS Config (`metadata.targetPrefix` in the service model).
pub const TARGET_PREFIX: &str = "StarlingDoveService";

macro_rules! operations {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// Every operation the reference model answers: the nine remediation operations and the
        /// Config rule calls they depend on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Operation { $($(#[$doc])* $name),* }

        impl Operation {
            /// All operations, in the order of the service model's operation list used here.
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            /// The operation name exactly as in the service model (and after the dot of `X-Amz-Target`).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name)),* }
            }
        }

        impl FromStr for Operation {
            type Err = UnknownOperation;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $(stringify!($name) => Ok(Operation::$name),)* _ => Err(UnknownOperation(s.to_owned())) }
            }
        }
    };
}

operations! {
    PutRemediationConfigurations,
    DescribeRemediationConfigurations,
    DeleteRemediationConfiguration,
    PutRemediationExceptions,
    DescribeRemediationExceptions,
    DeleteRemediationExceptions,
    StartRemediationExecution,
    DescribeRemediationExecutionStatus,
    PutEvaluations,
    PutConfigRule,
    DeleteConfigRule,
    DescribeConfigRules,
    GetComplianceDetailsByConfigRule,
    DescribeComplianceByConfigRule,
    DescribeComplianceByResource,
    PutConfigurationRecorder,
    DescribeConfigurationRecorders,
    DescribeConfigurationRecorderStatus,
    StartConfigurationRecorder,
    StopConfigurationRecorder,
    DeleteConfigurationRecorder,
    PutDeliveryChannel,
    DescribeDeliveryChannels,
    DeleteDeliveryChannel,
    /// R-SCE-01..04: an on-demand evaluation; the rules show `EVALUATING` meanwhile (R-PCR-24).
    StartConfigRulesEvaluation,
    /// R-DER-01..04: deletes a rule's results; the rule shows `DELETING_RESULTS` meanwhile (R-PCR-24).
    DeleteEvaluationResults,
}

/// A name that is not one of [`Operation::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownOperation(pub String);

impl Operation {
    /// The value of the `X-Amz-Target` header for this operation.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{}", self.name())
    }

    /// The operation named by an `X-Amz-Target` header value, if it names one.
    pub fn from_target(target: &str) -> Option<Operation> {
        target.strip_prefix(TARGET_PREFIX)?.strip_prefix('.')?.parse().ok()
    }

    /// The input shape's name in the service model.
    pub fn input_shape(self) -> String {
        format!("{}Request", self.name())
    }

    /// True for the nine operations this suite exists to test (the others are set-up calls).
    pub fn is_remediation(self) -> bool {
        !self.is_account_setup()
            && !matches!(
                self,
                Operation::PutConfigRule
                    | Operation::DeleteConfigRule
                    | Operation::DescribeConfigRules
                    | Operation::GetComplianceDetailsByConfigRule
                    | Operation::DescribeComplianceByConfigRule
                    | Operation::DescribeComplianceByResource
                    | Operation::StartConfigRulesEvaluation
                    | Operation::DeleteEvaluationResults
            )
    }

    /// True for the configuration recorder and delivery channel calls (R-REC-01..07,
    /// R-DCH-01..04): the account set-up that Config rules need (R-PCR-10).
    pub fn is_account_setup(self) -> bool {
        matches!(
            self,
            Operation::PutConfigurationRecorder
                | Operation::DescribeConfigurationRecorders
                | Operation::DescribeConfigurationRecorderStatus
                | Operation::StartConfigurationRecorder
                | Operation::StopConfigurationRecorder
                | Operation::DeleteConfigurationRecorder
                | Operation::PutDeliveryChannel
                | Operation::DescribeDeliveryChannels
                | Operation::DeleteDeliveryChannel
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown operation {:?}", self.0)
    }
}

impl std::error::Error for UnknownOperation {}

/// In reports and files an operation is its name (`"PutRemediationExceptions"`).
impl serde::Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(&op.target()), Some(*op));
        }
        assert_eq!(Operation::from_target("StarlingDoveService.Nope"), None);
        assert_eq!(Operation::from_target("Other.PutEvaluations"), None);
        assert_eq!(Operation::from_target("StarlingDoveServicePutEvaluations"), None);
    }

    #[test]
    fn every_operation_is_in_the_service_model() {
        let model = crate::service_model::ServiceModel::get();
        for op in Operation::ALL {
            let def = model.operations.get(op.name()).unwrap_or_else(|| panic!("{op} missing"));
            assert_eq!(def.target, op.target());
            assert_eq!(def.input, op.input_shape());
        }
    }
}
