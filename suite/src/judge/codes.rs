//! Which error codes an answer may carry at all, and how far a code may stray from the model's.
//!
//! The service model lists the errors each operation declares (R-PRC-09 and its siblings); the
//! AWS JSON 1.1 protocol adds the errors every service can answer (the AWS
//! "Common Errors" list). The model's outcome decides which code is right. A different code is a
//! MUST difference, except for the pairs the real service was seen to vary between, which
//! are SHOULD.

use reference_model::service_model::ServiceModel;
use reference_model::{ErrorCode, Level, Operation};

/// Errors any AWS JSON 1.1 service may answer, beside an operation's own (AWS "Common Errors").
pub const COMMON_ERRORS: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "UnknownOperationException",
    "AccessDeniedException",
    "IncompleteSignature",
    "InvalidAction",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "NotAuthorized",
    "OptInRequired",
    "RequestExpired",
    "RequestEntityTooLargeException",
    "ThrottlingException",
    "UnrecognizedClientException",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Common errors that say nothing about the request's meaning: the target could not or would
/// not judge it now (throttled, overloaded, our credentials refused). Such an answer is no
/// verdict on conformance: the step is an ERROR, not a FAIL.
pub const TRANSIENT_OR_ACCESS: &[&str] = &[
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServerError",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "RequestExpired",
    "AccessDeniedException",
    "NotAuthorized",
];

/// Pairs of codes the real service was seen to answer for the same kind of mistake.
///
/// * ValidationException and InvalidParameterValueException: Config answers a constraint of
///   the service model with the former (observed case `pe-bad-compliance-type`) and a rule of
///   its own documentation with the latter; where one input breaks both, either may come
///   first.
/// * SerializationException and ValidationException: a member of the wrong JSON type is
///   refused by the deserialiser in Coral services, by the validator in others.
const VARIANTS: &[(ErrorCode, ErrorCode)] = &[
    (ErrorCode::ValidationException, ErrorCode::InvalidParameterValueException),
    (ErrorCode::SerializationException, ErrorCode::ValidationException),
];

/// True when `code` is one `op` declares in the service model or a common error.
pub fn declared(op: Operation, code: &str) -> bool {
    COMMON_ERRORS.contains(&code)
        || ServiceModel::get().operations.get(op.name()).is_some_and(|o| o.errors.iter().any(|e| e == code))
}

/// The level of the difference between the code the model expects and the one answered, or
/// `None` when they are the same.
pub fn code_difference(expected: ErrorCode, actual: &str) -> Option<Level> {
    if expected.as_str() == actual {
        return None;
    }
    let varies = VARIANTS.iter().any(|(a, b)| {
        (*a == expected && b.as_str() == actual) || (*b == expected && a.as_str() == actual)
    });
    Some(if varies { Level::Should } else { Level::Must })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(ErrorCode::ValidationException, "ValidationException", None)]
    #[case(ErrorCode::ValidationException, "InvalidParameterValueException", Some(Level::Should))]
    #[case(ErrorCode::InvalidParameterValueException, "ValidationException", Some(Level::Should))]
    #[case(ErrorCode::SerializationException, "ValidationException", Some(Level::Should))]
    #[case(ErrorCode::ValidationException, "SerializationException", Some(Level::Should))]
    #[case(ErrorCode::SerializationException, "InvalidParameterValueException", Some(Level::Must))]
    #[case(ErrorCode::ValidationException, "NoSuchConfigRuleException", Some(Level::Must))]
    #[case(ErrorCode::NoSuchRemediationConfigurationException, "ResourceNotFoundException", Some(Level::Must))]
    #[case(ErrorCode::NoSuchConfigRuleException, "ResourceInUseException", Some(Level::Must))]
    fn codes_differ_at_the_level_of_the_evidence(#[case] expected: ErrorCode, #[case] actual: &str, #[case] level: Option<Level>) {
        assert_eq!(code_difference(expected, actual), level);
    }

    #[rstest]
    #[case(Operation::PutRemediationConfigurations, "InsufficientPermissionsException", true)]
    #[case(Operation::PutRemediationConfigurations, "NoSuchConfigRuleException", false)]
    #[case(Operation::DeleteRemediationConfiguration, "NoSuchRemediationConfigurationException", true)]
    #[case(Operation::StartRemediationExecution, "ThrottlingException", true)]
    #[case(Operation::DescribeRemediationExceptions, "NotFoundException", false)]
    fn declared_codes_come_from_the_service_model(#[case] op: Operation, #[case] code: &str, #[case] expected: bool) {
        assert_eq!(declared(op, code), expected);
    }
}
