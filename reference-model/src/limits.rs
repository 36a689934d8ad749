//! Named limits and documented defaults that the model's semantics, the generators and the
//! tests use. The validator reads the limits from the service model itself; the test
//! `limits_match_the_service_model` fails if any constant here differs from it.

/// ConfigRuleName: 1..128, pattern `.*\S.*`.
pub const RULE_NAME_MAX: u64 = 128;
/// `StringWithCharLimit256` (TargetId, parameter keys and values, exception ResourceType).
pub const CHAR_LIMIT_256: u64 = 256;
/// `StringWithCharLimit1024` (exception ResourceId and Message).
pub const CHAR_LIMIT_1024: u64 = 1024;
/// `ResourceId` of execution keys and `BaseResourceId` of evaluations.
pub const RESOURCE_ID_MAX: u64 = 768;
/// At most 25 configurations per PutRemediationConfigurations (R-PRC-11).
pub const MAX_CONFIGURATIONS_PER_PUT: u64 = 25;
/// At most 25 names per DescribeRemediationConfigurations (R-DRC-02).
pub const MAX_RULE_NAMES_PER_DESCRIBE: u64 = 25;
/// 1..100 resource keys per exception or execution call (R-PRE-07, R-SRE-03).
pub const MAX_RESOURCE_KEYS: u64 = 100;
/// 0..100 evaluations per PutEvaluations (R-PE-02).
pub const MAX_EVALUATIONS: u64 = 100;
/// MaximumAutomaticAttempts: 1..25 (R-RC-05).
pub const MAX_AUTOMATIC_ATTEMPTS: i64 = 25;
/// RetryAttemptSeconds: 1..2,678,000 (R-RC-06).
pub const MAX_RETRY_ATTEMPT_SECONDS: i64 = 2_678_000;
/// Percentages: 1..100 (R-RC-07, R-RC-08).
pub const MAX_PERCENTAGE: i64 = 100;
/// Limit: 0..100 (R-PAG-03).
pub const MAX_LIMIT: i64 = 100;
/// Parameters: at most 25 entries; StaticValue.Values: at most 25 items.
pub const MAX_PARAMETERS: u64 = 25;

/// Documented defaults (doc strings only: the model has no `default` traits).
pub mod defaults {
    /// R-RC-05.
    pub const MAXIMUM_AUTOMATIC_ATTEMPTS: i32 = 5;
    /// R-RC-06.
    pub const RETRY_ATTEMPT_SECONDS: i64 = 60;
    /// R-RC-07.
    pub const CONCURRENT_EXECUTION_RATE_PERCENTAGE: i32 = 10;
    /// R-RC-08.
    pub const ERROR_PERCENTAGE: i32 = 50;
    /// R-DRE-04: DescribeRemediationExceptions page size.
    pub const EXCEPTIONS_PAGE: usize = 25;
    /// R-DRES-03: DescribeRemediationExecutionStatus page size ("the maximum").
    pub const EXECUTIONS_PAGE: usize = 100;
    /// R-GCD-03 / R-DCBR-06.
    pub const COMPLIANCE_PAGE: usize = 10;
    /// R-ERR-08: rules per account.
    pub const MAX_CONFIG_RULES: usize = 1000;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_model::{ServiceModel, Shape};
    use serde_json::Value;

    fn string(shape: &str) -> (Option<u64>, Option<u64>) {
        match ServiceModel::get().shape(shape) {
            Shape::String { min, max, .. } => (*min, *max),
            other => panic!("{shape} is {other:?}"),
        }
    }
    fn list(shape: &str) -> (Option<u64>, Option<u64>) {
        match ServiceModel::get().shape(shape) {
            Shape::List { min, max, .. } | Shape::Map { min, max, .. } => (*min, *max),
            other => panic!("{shape} is {other:?}"),
        }
    }
    fn number(shape: &str) -> (Option<i64>, Option<i64>) {
        match ServiceModel::get().shape(shape) {
            Shape::Integer { min, max, .. } | Shape::Long { min, max, .. } => (*min, *max),
            other => panic!("{shape} is {other:?}"),
        }
    }

    #[test]
    fn limits_match_the_service_model() {
        assert_eq!(string("ConfigRuleName"), (Some(1), Some(RULE_NAME_MAX)));
        assert_eq!(string("StringWithCharLimit256"), (Some(1), Some(CHAR_LIMIT_256)));
        assert_eq!(string("StringWithCharLimit1024"), (Some(1), Some(CHAR_LIMIT_1024)));
        assert_eq!(string("ResourceId"), (Some(1), Some(RESOURCE_ID_MAX)));
        assert_eq!(string("BaseResourceId"), (Some(1), Some(RESOURCE_ID_MAX)));
        assert_eq!(list("RemediationConfigurations"), (Some(0), Some(MAX_CONFIGURATIONS_PER_PUT)));
        assert_eq!(list("ConfigRuleNames"), (Some(0), Some(MAX_RULE_NAMES_PER_DESCRIBE)));
        assert_eq!(list("ResourceKeys"), (Some(1), Some(MAX_RESOURCE_KEYS)));
        assert_eq!(list("RemediationExceptionResourceKeys"), (Some(1), Some(MAX_RESOURCE_KEYS)));
        assert_eq!(list("Evaluations"), (Some(0), Some(MAX_EVALUATIONS)));
        assert_eq!(list("RemediationParameters"), (Some(0), Some(MAX_PARAMETERS)));
        assert_eq!(list("StaticParameterValues"), (Some(0), Some(MAX_PARAMETERS)));
        assert_eq!(number("AutoRemediationAttempts"), (Some(1), Some(MAX_AUTOMATIC_ATTEMPTS)));
        assert_eq!(number("AutoRemediationAttemptSeconds"), (Some(1), Some(MAX_RETRY_ATTEMPT_SECONDS)));
        assert_eq!(number("Percentage"), (Some(1), Some(MAX_PERCENTAGE)));
        assert_eq!(number("Limit"), (Some(0), Some(MAX_LIMIT)));
    }

    #[test]
    fn defaults_match_the_documented_defaults() {
        // constraints.json records the defaults stated in the documentation strings.
        let raw: Value =
            serde_json::from_str(include_str!("../../fixtures/service-model/constraints.json")).unwrap();
        let d = &raw["doc_defaults"];
        assert_eq!(d["RemediationConfiguration.MaximumAutomaticAttempts"], defaults::MAXIMUM_AUTOMATIC_ATTEMPTS);
        assert_eq!(d["RemediationConfiguration.RetryAttemptSeconds"], defaults::RETRY_ATTEMPT_SECONDS);
        assert_eq!(
            d["SsmControls.ConcurrentExecutionRatePercentage"],
            defaults::CONCURRENT_EXECUTION_RATE_PERCENTAGE
        );
        assert_eq!(d["SsmControls.ErrorPercentage"], defaults::ERROR_PERCENTAGE);
        assert_eq!(d["DescribeRemediationExceptionsRequest.Limit"]["default"], defaults::EXCEPTIONS_PAGE);
        assert_eq!(d["GetComplianceDetailsByConfigRuleRequest.Limit"]["default"], defaults::COMPLIANCE_PAGE);
        assert_eq!(raw["doc_value_restrictions"]["MaxNumberOfConfigRules per account"], defaults::MAX_CONFIG_RULES);
    }
}
