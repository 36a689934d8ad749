//! Errors as the service names them on the wire (`__type`).

use crate::clauses::RuleId;
use crate::rule;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// An error code as it appears in `__type` (after the last `#`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum ErrorCode { $($(#[$doc])* $name),* }

        impl ErrorCode {
    /// The rule that documents what this error means (R-ERR-01..11, the error shapes' own
    /// documentation), for the codes that have one. An answer with the code exercises it.
    /// R-ERR-09 (InsufficientPermissionsException) is not modelled, so it is not named.
    pub fn meaning(self) -> Option<RuleId> {
        Some(match self {
            ErrorCode::InvalidParameterValueException => rule!("R-ERR-01"),
            ErrorCode::InvalidNextTokenException => rule!("R-ERR-02"),
            ErrorCode::NoSuchConfigRuleException => rule!("R-ERR-03"),
            ErrorCode::NoSuchRemediationConfigurationException => rule!("R-ERR-04"),
            ErrorCode::NoSuchRemediationExceptionException => rule!("R-ERR-05"),
            ErrorCode::RemediationInProgressException => rule!("R-ERR-06"),
            ErrorCode::ResourceInUseException => rule!("R-ERR-07"),
            ErrorCode::MaxNumberOfConfigRulesExceededException => rule!("R-ERR-08"),
            ErrorCode::InvalidResultTokenException => rule!("R-ERR-10"),
            ErrorCode::NoAvailableConfigurationRecorderException => rule!("R-ERR-11"),
            _ => return None,
        })
    }

            /// Every code the model can produce.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => stringify!($name)),* }
            }
            /// Parses a `__type` value, namespace-qualified (`ns#Name`) or not.
            pub fn parse(type_field: &str) -> Option<ErrorCode> {
                let name = type_field.rsplit('#').next().unwrap_or(type_field);
                match name { $(stringify!($name) => Some(ErrorCode::$name),)* _ => None }
            }
        }
    };
}

error_codes! {
    /// A constraint of the service model is broken (length, pattern, range, enum, required).
    ValidationException,
    /// The body is not JSON, or a member has the wrong JSON type.
    SerializationException,
    /// `X-Amz-Target` names no operation of this service.
    UnknownOperationException,
    /// A request without a usable `X-Amz-Target` or with an unsupported `Content-Type`.
    MissingAction,
    /// R-ERR-01.
    InvalidParameterValueException,
    /// R-ERR-09.
    InsufficientPermissionsException,
    /// R-ERR-03.
    NoSuchConfigRuleException,
    /// R-ERR-04.
    NoSuchRemediationConfigurationException,
    /// R-ERR-05.
    NoSuchRemediationExceptionException,
    /// R-ERR-06.
    RemediationInProgressException,
    /// R-ERR-07.
    ResourceInUseException,
    /// R-ERR-02.
    InvalidNextTokenException,
    /// R-ERR-10.
    InvalidResultTokenException,
    /// R-ERR-08.
    MaxNumberOfConfigRulesExceededException,
    /// R-ERR-11.
    NoAvailableConfigurationRecorderException,
    /// R-SCE-03: StartConfigRulesEvaluation while an evaluation runs, or twice within a minute.
    LimitExceededException,
    /// R-REC-02: no recorder of the name.
    NoSuchConfigurationRecorderException,
    /// R-REC-01: a second recorder in the region.
    MaxNumberOfConfigurationRecordersExceededException,
    /// R-REC-01: a recorder name that is blank.
    InvalidConfigurationRecorderNameException,
    /// R-REC-04: a recording group whose members contradict each other.
    InvalidRecordingGroupException,
    /// R-REC-01: a recorder without a role.
    InvalidRoleException,
    /// Modelled for every recorder call; never answered (service-linked recorders are not modelled).
    UnmodifiableEntityException,
    /// R-REC-06: starting a recorder without a delivery channel.
    NoAvailableDeliveryChannelException,
    /// R-DCH-02: no delivery channel of the name.
    NoSuchDeliveryChannelException,
    /// R-DCH-01: a second delivery channel in the region.
    MaxNumberOfDeliveryChannelsExceededException,
    /// R-DCH-01: a delivery channel name that is blank.
    InvalidDeliveryChannelNameException,
    /// R-DCH-01: no bucket name.
    NoSuchBucketException,
    /// R-DCH-01: an empty key prefix.
    InvalidS3KeyPrefixException,
    /// R-DCH-01: an empty KMS key Arn.
    InvalidS3KmsKeyArnException,
    /// R-DCH-01: an empty SNS topic Arn.
    InvalidSNSTopicARNException,
    /// Modelled for PutDeliveryChannel; never answered (the model has no S3 bucket policies).
    InsufficientDeliveryPolicyException,
    /// R-DCH-03: deleting the delivery channel while the recorder records.
    LastDeliveryChannelDeleteFailedException,
    /// A request too large for the endpoint.
    RequestEntityTooLargeException,
    /// The service failed (HTTP 500).
    InternalFailure,
}

impl ErrorCode {
    /// The HTTP status the service answers this error with. The model's exceptions carry no
    /// `error` trait, so this follows the documentation pages (every modelled error: 400).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InternalFailure => 500,
            ErrorCode::RequestEntityTooLargeException => 413,
            ErrorCode::UnknownOperationException | ErrorCode::MissingAction => 400,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer: the code and the message text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into() }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_strips_namespace() {
        assert_eq!(
            ErrorCode::parse("com.amazonaws.starlingdove#NoSuchConfigRuleException"),
            Some(ErrorCode::NoSuchConfigRuleException)
        );
        assert_eq!(ErrorCode::parse("ValidationException"), Some(ErrorCode::ValidationException));
        assert_eq!(ErrorCode::parse("Bogus"), None);
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }
}
