//! The reference endpoint with one rule broken on purpose ([`Fault`]), or with one MAY/SHOULD
//! detail of its answers changed ([`Alteration`]).
//!
//! Each peer is the reference endpoint's own router ([`reference_endpoint::router_with_fault`])
//! with a [`FaultHook`]: the world, the virtual clock, the control API
//! (`/_reference/{health,clock,control,reset}`), body limit and request ids are the endpoint's,
//! so the runner's `reference` profile drives these peers exactly as it drives the real thing;
//! only the answer to `POST /` goes through the fault.

use super::{spawn, Peer};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use reference_endpoint::fault::{FaultHook, OmitRequestId};
use reference_endpoint::protocol::WireError;
use reference_endpoint::state::Shared;
use reference_endpoint::{router_with_fault, AccountOptions, ServerConfig};
use reference_model::clauses::RuleId;
use reference_model::rule;
use reference_model::names::{ResourceRef, RuleName};
use reference_model::validate::{validate_request, violations, ConstraintKind, Violation};
use reference_model::wire::*;
use reference_model::{ops, ComplianceType, Control, ErrorCode, Operation, Outcome, Reply, Timestamp, World};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// One broken rule. Each is what a real implementation might plausibly get wrong, and names
/// the rule of `rules.md` it breaks ([`Fault::rule`]) and the operations it bends
/// ([`Fault::operations`]). Where a fault stores nothing although it answers success, its
/// doc says so: the answer is what a scenario judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// None: answers exactly as the reference endpoint does.
    None,
    /// R-PRE-07: 101 `ResourceKeys` are accepted by PutRemediationExceptions and
    /// StartRemediationExecution (the limit is 100) when that length is the request's only
    /// violation.
    OffByOneResourceKeys,
    /// R-DRE-07 (and every other ConfigRuleName): a whitespace-only `ConfigRuleName` is accepted
    /// (the `.*\S.*` pattern is not checked) when the pattern is the request's only violation,
    /// for every operation.
    NoPatternCheck,
    /// R-PRE-04: PutRemediationExceptions stores an exception for every key, NON_COMPLIANT or
    /// not (each key is marked NON_COMPLIANT under the rule before the request is applied).
    ExceptionForCompliantResource,
    /// R-ERR-04: `ResourceNotFoundException` instead of `NoSuchRemediationConfigurationException`.
    WrongErrorCode,
    /// R-DelRE-03: `FailedBatches` (DeleteRemediationExceptions) and `FailedItems`
    /// (StartRemediationExecution) always come back empty.
    DropFailedBatches,
    /// R-PRE-09: `ExpirationTime` of PutRemediationExceptions is dropped before the model sees it.
    ExpiryIgnored,

    // PutRemediationConfigurations
    /// R-PRC-02: a configuration for a rule that does not exist is answered as stored (it is
    /// not: there is no rule to hang it on); the others are handled as usual.
    PrcUnknownRuleAccepted,
    /// R-PRC-05: a configuration for a service-linked rule is answered as stored (it is not);
    /// the others are handled as usual.
    PrcServiceLinkedRuleAccepted,
    /// R-PRC-01: automatic remediation without an `AutomationAssumeRole` value is stored with a
    /// default role filled in, so what is stored is not what was sent. (Storing it as sent is
    /// acceptable, A-39; inventing a parameter is not.)
    PrcAutomaticWithoutAssumeRole,
    /// R-RC-10: a parameter value with both a ResourceValue and a StaticValue is stored with
    /// the ResourceValue only.
    PrcAmbiguousParameterValue,
    /// R-PRC-10: when some configurations are refused, the others are stored and the refused
    /// ones are not listed: `FailedBatches` is empty.
    PrcPartialFailureUnreported,
    /// R-PRC-11: more than 25 configurations in one call are accepted.
    PrcTooManyConfigurations,
    /// R-RC-01: `TargetType` is not checked against its enum (only `SSM_DOCUMENT`).
    PrcTargetTypeUnchecked,
    /// R-RC-05: `MaximumAutomaticAttempts` above 25 is accepted.
    PrcMaxAttemptsUnbounded,
    /// R-RC-08: `ErrorPercentage` 0 is accepted (the minimum is 1).
    PrcErrorPercentageZero,
    /// R-RC-11: a nested member is not validated: `ResourceValue.Value` may be anything.
    PrcResourceValueUnchecked,
    /// R-RC-12: a nested member is not validated: `StaticValue.Values` items may be empty or
    /// longer than 256.
    PrcStaticValueItemUnchecked,
    /// R-RC-05: the default of 5 attempts is not applied: without `MaximumAutomaticAttempts`
    /// the endpoint allows 3 (Describe still echoes what was sent).
    PrcDefaultAttemptsNotApplied,
    /// R-RC-07: the default of 10 % is not applied: without `ConcurrentExecutionRatePercentage`
    /// every resource of a batch runs at once (Describe still echoes what was sent).
    PrcDefaultConcurrencyNotApplied,
    /// R-RC-13: the configuration's Arn changes from one reading to the next with no put in
    /// between. (A new Arn after a put that replaces the configuration is acceptable, A-51.)
    PrcArnChangesOnRead,

    // DescribeRemediationConfigurations
    /// R-DRC-01: a stored configuration is echoed back changed: the documented defaults
    /// `MaximumAutomaticAttempts` 5 and `RetryAttemptSeconds` 60 are filled in where none was
    /// sent.
    DrcInventsDefaults,
    /// R-DRC-02: more than 25 `ConfigRuleNames` are accepted.
    DrcTooManyNames,
    /// R-RC-13: the Arn is not in the service's format: the rule name segment is missing
    /// (`…:remediation-configuration/<id>`).
    DrcArnWithoutRuleName,

    // DeleteRemediationConfiguration
    /// R-DelRC-02: deleting a configuration that does not exist succeeds (`{}`).
    DelRcMissingSucceeds,
    /// R-DelRC-03: a delete while an execution runs is refused with `ResourceInUseException`
    /// instead of `RemediationInProgressException`.
    DelRcInProgressWrongCode,

    // PutRemediationExceptions
    /// R-PRE-08: a `Message` longer than 1024 characters is accepted.
    PreMessageUnbounded,
    /// R-PRE-05: exceptions on a service-linked remediation are answered as made (they are
    /// not), with no `FailedBatches`.
    PreServiceLinkedAccepted,
    /// R-PRE-07: PutRemediationExceptions' validation errors are named `ValidationError` (the
    /// Query protocol's spelling) instead of `ValidationException`.
    PreValidationErrorMisnamed,

    // DescribeRemediationExceptions
    /// R-DRE-04: without `Limit` (or with 0) a page holds 10 exceptions instead of 25.
    DreDefaultPageTen,
    /// R-DRE-05: a page after a `NextToken` starts again with the last item of the page before.
    DreNextPageRepeatsItem,
    /// R-DRE-03: `ResourceKeys` is ignored: every exception of the rule is listed.
    DreResourceKeysIgnored,
    /// R-PRE-09: an exception whose `ExpirationTime` has passed is still listed (the time is
    /// stored and echoed but never enforced).
    DreExpiredStillListed,

    // DeleteRemediationExceptions
    /// R-DelRE-03: deleting exceptions that do not exist succeeds with no `FailedBatches` (the
    /// model accepts NoSuchRemediationExceptionException, R-DelRE-02, or the keys reported in
    /// FailedBatches, A-14; silence is neither).
    DelReMissingIsSuccess,

    // StartRemediationExecution
    /// R-SRE-03: `resourceType` is not checked against the ResourceType enum.
    SreResourceTypeUnchecked,
    /// R-SRE-05: a start for a rule without a remediation configuration succeeds (`{}`).
    SreNoConfigurationSucceeds,
    /// R-SRE-04: keys whose execution is still running are not reported in `FailedItems`.
    SreRestartsRunning,

    // DescribeRemediationExecutionStatus
    /// R-DRES-03: without `Limit` (or with 0) a page holds 25 statuses instead of the maximum.
    DresDefaultPageTwentyFive,
    /// R-DRES-05: `ResourceKeys` is ignored: every execution of the rule is listed.
    DresResourceKeysIgnored,
    /// R-DRES-07: a state moves backwards: a SUCCEEDED execution is reported IN_PROGRESS.
    DresStateMovesBackwards,
    /// R-DRES-06: `InvocationTime` is reported as the last update time.
    DresInvocationTimeIsUpdateTime,
    /// R-DRES-02: a page after a `NextToken` drops its first item.
    DresNextPageDropsItem,

    // PutEvaluations
    /// R-PE-06: `INSUFFICIENT_DATA` evaluations are accepted (and dropped); the call succeeds.
    PeInsufficientDataAccepted,
    /// R-PE-08: an `Annotation` longer than 256 characters is accepted.
    PeAnnotationUnbounded,
    /// R-PE-02: more than 100 evaluations in one call are accepted.
    PeTooManyEvaluations,
    /// R-ERR-10: a ResultToken the service never issued is accepted (nothing is stored).
    PeInvalidTokenAccepted,
    /// R-PE-05: TestMode checks the ResultToken: an unknown one is refused.
    PeTestModeChecksToken,
    /// R-PE-04: TestMode stores the evaluations.
    PeTestModeStores,
    /// R-ERR-03: the token of a deleted rule is refused with `InvalidResultTokenException`
    /// instead of `NoSuchConfigRuleException`.
    PeDeletedRuleTokenMisreported,
}

use Operation as Op;

/// Every operation a fault of [`Fault::NoPatternCheck`]'s kind reaches.
const EVERY_OPERATION: &[Operation] = Operation::ALL;

impl Fault {
    /// Every broken rule (not [`Fault::None`]).
    pub const BROKEN: [Fault; 48] = [
        Fault::OffByOneResourceKeys,
        Fault::NoPatternCheck,
        Fault::ExceptionForCompliantResource,
        Fault::WrongErrorCode,
        Fault::DropFailedBatches,
        Fault::ExpiryIgnored,
        Fault::PrcUnknownRuleAccepted,
        Fault::PrcServiceLinkedRuleAccepted,
        Fault::PrcAutomaticWithoutAssumeRole,
        Fault::PrcAmbiguousParameterValue,
        Fault::PrcPartialFailureUnreported,
        Fault::PrcTooManyConfigurations,
        Fault::PrcTargetTypeUnchecked,
        Fault::PrcMaxAttemptsUnbounded,
        Fault::PrcErrorPercentageZero,
        Fault::PrcResourceValueUnchecked,
        Fault::PrcStaticValueItemUnchecked,
        Fault::PrcDefaultAttemptsNotApplied,
        Fault::PrcDefaultConcurrencyNotApplied,
        Fault::PrcArnChangesOnRead,
        Fault::DrcInventsDefaults,
        Fault::DrcTooManyNames,
        Fault::DrcArnWithoutRuleName,
        Fault::DelRcMissingSucceeds,
        Fault::DelRcInProgressWrongCode,
        Fault::PreMessageUnbounded,
        Fault::PreServiceLinkedAccepted,
        Fault::PreValidationErrorMisnamed,
        Fault::DreDefaultPageTen,
        Fault::DreNextPageRepeatsItem,
        Fault::DreResourceKeysIgnored,
        Fault::DreExpiredStillListed,
        Fault::DelReMissingIsSuccess,
        Fault::SreResourceTypeUnchecked,
        Fault::SreNoConfigurationSucceeds,
        Fault::SreRestartsRunning,
        Fault::DresDefaultPageTwentyFive,
        Fault::DresResourceKeysIgnored,
        Fault::DresStateMovesBackwards,
        Fault::DresInvocationTimeIsUpdateTime,
        Fault::DresNextPageDropsItem,
        Fault::PeInsufficientDataAccepted,
        Fault::PeAnnotationUnbounded,
        Fault::PeTooManyEvaluations,
        Fault::PeInvalidTokenAccepted,
        Fault::PeTestModeChecksToken,
        Fault::PeTestModeStores,
        Fault::PeDeletedRuleTokenMisreported,
    ];

    /// The rule (an ID of `reference_model::clauses`) this fault breaks.
    pub fn rule(self) -> Option<RuleId> {
        match self {
            Fault::None => None,
            Fault::OffByOneResourceKeys => Some(rule!("R-PRE-07")),
            Fault::NoPatternCheck => Some(rule!("R-DRE-07")),
            Fault::ExceptionForCompliantResource => Some(rule!("R-PRE-04")),
            Fault::WrongErrorCode => Some(rule!("R-ERR-04")),
            Fault::DropFailedBatches => Some(rule!("R-DelRE-03")),
            Fault::ExpiryIgnored => Some(rule!("R-PRE-09")),
            Fault::PrcUnknownRuleAccepted => Some(rule!("R-PRC-02")),
            Fault::PrcServiceLinkedRuleAccepted => Some(rule!("R-PRC-05")),
            Fault::PrcAutomaticWithoutAssumeRole => Some(rule!("R-PRC-01")),
            Fault::PrcAmbiguousParameterValue => Some(rule!("R-RC-10")),
            Fault::PrcPartialFailureUnreported => Some(rule!("R-PRC-10")),
            Fault::PrcTooManyConfigurations => Some(rule!("R-PRC-11")),
            Fault::PrcTargetTypeUnchecked => Some(rule!("R-RC-01")),
            Fault::PrcMaxAttemptsUnbounded => Some(rule!("R-RC-05")),
            Fault::PrcErrorPercentageZero => Some(rule!("R-RC-08")),
            Fault::PrcResourceValueUnchecked => Some(rule!("R-RC-11")),
            Fault::PrcStaticValueItemUnchecked => Some(rule!("R-RC-12")),
            Fault::PrcDefaultAttemptsNotApplied => Some(rule!("R-RC-05")),
            Fault::PrcDefaultConcurrencyNotApplied => Some(rule!("R-RC-07")),
            Fault::PrcArnChangesOnRead => Some(rule!("R-RC-13")),
            Fault::DrcInventsDefaults => Some(rule!("R-DRC-01")),
            Fault::DrcTooManyNames => Some(rule!("R-DRC-02")),
            Fault::DrcArnWithoutRuleName => Some(rule!("R-RC-13")),
            Fault::DelRcMissingSucceeds => Some(rule!("R-DelRC-02")),
            Fault::DelRcInProgressWrongCode => Some(rule!("R-DelRC-03")),
            Fault::PreMessageUnbounded => Some(rule!("R-PRE-08")),
            Fault::PreServiceLinkedAccepted => Some(rule!("R-PRE-05")),
            Fault::PreValidationErrorMisnamed => Some(rule!("R-PRE-07")),
            Fault::DreDefaultPageTen => Some(rule!("R-DRE-04")),
            Fault::DreNextPageRepeatsItem => Some(rule!("R-DRE-05")),
            Fault::DreResourceKeysIgnored => Some(rule!("R-DRE-03")),
            Fault::DreExpiredStillListed => Some(rule!("R-PRE-09")),
            Fault::DelReMissingIsSuccess => Some(rule!("R-DelRE-03")),
            Fault::SreResourceTypeUnchecked => Some(rule!("R-SRE-03")),
            Fault::SreNoConfigurationSucceeds => Some(rule!("R-SRE-05")),
            Fault::SreRestartsRunning => Some(rule!("R-SRE-04")),
            Fault::DresDefaultPageTwentyFive => Some(rule!("R-DRES-03")),
            Fault::DresResourceKeysIgnored => Some(rule!("R-DRES-05")),
            Fault::DresStateMovesBackwards => Some(rule!("R-DRES-07")),
            Fault::DresInvocationTimeIsUpdateTime => Some(rule!("R-DRES-06")),
            Fault::DresNextPageDropsItem => Some(rule!("R-DRES-02")),
            Fault::PeInsufficientDataAccepted => Some(rule!("R-PE-06")),
            Fault::PeAnnotationUnbounded => Some(rule!("R-PE-08")),
            Fault::PeTooManyEvaluations => Some(rule!("R-PE-02")),
            Fault::PeInvalidTokenAccepted => Some(rule!("R-ERR-10")),
            Fault::PeTestModeChecksToken => Some(rule!("R-PE-05")),
            Fault::PeTestModeStores => Some(rule!("R-PE-04")),
            Fault::PeDeletedRuleTokenMisreported => Some(rule!("R-ERR-03")),
        }
    }

    /// The operations whose answers this fault bends.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Fault::None => &[],
            Fault::OffByOneResourceKeys => &[Op::PutRemediationExceptions, Op::StartRemediationExecution],
            Fault::NoPatternCheck => EVERY_OPERATION,
            Fault::WrongErrorCode => &[
                Op::DeleteRemediationConfiguration,
                Op::StartRemediationExecution,
                Op::DescribeRemediationExecutionStatus,
            ],
            Fault::DropFailedBatches => &[Op::DeleteRemediationExceptions, Op::StartRemediationExecution],
            Fault::ExceptionForCompliantResource
            | Fault::ExpiryIgnored
            | Fault::PreMessageUnbounded
            | Fault::PreServiceLinkedAccepted
            | Fault::PreValidationErrorMisnamed => &[Op::PutRemediationExceptions],
            Fault::PrcUnknownRuleAccepted
            | Fault::PrcServiceLinkedRuleAccepted
            | Fault::PrcAutomaticWithoutAssumeRole
            | Fault::PrcAmbiguousParameterValue
            | Fault::PrcPartialFailureUnreported
            | Fault::PrcTooManyConfigurations
            | Fault::PrcTargetTypeUnchecked
            | Fault::PrcMaxAttemptsUnbounded
            | Fault::PrcErrorPercentageZero
            | Fault::PrcResourceValueUnchecked
            | Fault::PrcStaticValueItemUnchecked => &[Op::PutRemediationConfigurations],
            Fault::PrcDefaultAttemptsNotApplied | Fault::PrcDefaultConcurrencyNotApplied => {
                &[Op::PutRemediationConfigurations, Op::DescribeRemediationConfigurations]
            }
            Fault::PrcArnChangesOnRead => &[Op::DescribeRemediationConfigurations],
            Fault::DrcInventsDefaults | Fault::DrcTooManyNames | Fault::DrcArnWithoutRuleName => {
                &[Op::DescribeRemediationConfigurations]
            }
            Fault::DelRcMissingSucceeds | Fault::DelRcInProgressWrongCode => &[Op::DeleteRemediationConfiguration],
            Fault::DreDefaultPageTen | Fault::DreNextPageRepeatsItem | Fault::DreResourceKeysIgnored => {
                &[Op::DescribeRemediationExceptions]
            }
            Fault::DreExpiredStillListed => &[Op::PutRemediationExceptions, Op::DescribeRemediationExceptions],
            Fault::DelReMissingIsSuccess => &[Op::DeleteRemediationExceptions],
            Fault::SreResourceTypeUnchecked | Fault::SreNoConfigurationSucceeds | Fault::SreRestartsRunning => {
                &[Op::StartRemediationExecution]
            }
            Fault::DresDefaultPageTwentyFive
            | Fault::DresResourceKeysIgnored
            | Fault::DresStateMovesBackwards
            | Fault::DresInvocationTimeIsUpdateTime
            | Fault::DresNextPageDropsItem => &[Op::DescribeRemediationExecutionStatus],
            Fault::PeInsufficientDataAccepted
            | Fault::PeAnnotationUnbounded
            | Fault::PeTooManyEvaluations
            | Fault::PeInvalidTokenAccepted
            | Fault::PeTestModeChecksToken
            | Fault::PeTestModeStores
            | Fault::PeDeletedRuleTokenMisreported => &[Op::PutEvaluations],
        }
    }
}

/// One detail of the reference's answers changed, where the model allows latitude.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alteration {
    /// Error messages get [`REWORDED_SUFFIX`] appended (message texts are MAY in the model).
    ErrorMessage,
    /// AWS JSON answers say `Content-Type: text/html` and carry no `x-amzn-RequestId` (both
    /// SHOULD); the body is unchanged.
    HtmlContentTypeNoRequestId,
}

/// What [`Alteration::ErrorMessage`] appends to every error message.
pub const REWORDED_SUFFIX: &str = " (reworded by the recorded peer)";

/// The hook: the fault, the alteration, and what the fault remembers between calls.
struct Faulty {
    fault: Fault,
    alteration: Option<Alteration>,
    /// Emptied by `/_reference/reset` ([`FaultHook::reset`]).
    memory: Mutex<Memory>,
}

/// State a fault keeps beside the model's world.
#[derive(Debug, Default)]
struct Memory {
    /// Members the endpoint filled into a rule's configuration although the caller left them
    /// out, each as the path of the member to take out again before Describe answers.
    injected: BTreeMap<String, Vec<&'static [&'static str]>>,
    /// Exception expiry times kept away from the model ([`Fault::DreExpiredStillListed`]),
    /// by (rule, resource type, resource id).
    expirations: BTreeMap<(String, String, String), Value>,
    /// Readings of each rule's configuration ([`Fault::PrcArnChangesOnRead`]).
    reads: BTreeMap<String, u32>,
}

/// The reference endpoint with `fault` (a virtual clock at 2026-01-01, account 123456789012,
/// us-east-1, no signature check).
pub fn faulty_reference(fault: Fault) -> Peer {
    serve("faulty-reference", fault, None)
}

/// The reference endpoint's answers with one MAY/SHOULD detail changed.
pub fn recorded(alteration: Alteration) -> Peer {
    serve("recorded", Fault::None, Some(alteration))
}

/// The reference endpoint's answers as `text/html` without a request id.
pub fn wrong_content_type() -> Peer {
    recorded(Alteration::HtmlContentTypeNoRequestId)
}

fn serve(name: &str, fault: Fault, alteration: Option<Alteration>) -> Peer {
    let hook = Faulty { fault, alteration, memory: Mutex::new(Memory::default()) };
    spawn(name, router_with_fault(ServerConfig::default(), AccountOptions::default(), Some(Arc::new(hook))))
}

impl FaultHook for Faulty {
    fn answer(&self, shared: &mut Shared, op: Operation, body: &[u8]) -> Result<Reply, WireError> {
        let now = shared.clock.now();
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        let request = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
        let running = running_keys(self.fault, &shared.world, op, request.as_ref(), now);
        let outcome = faulty_outcome(self.fault, &mut shared.world, op, body, now, &mut memory);
        let mut reply = outcome.alternatives.into_iter().next().map_or_else(
            || Reply::Failure(reference_model::ApiError::new(ErrorCode::InternalFailure, "the model gave no answer")),
            |preferred| preferred.reply,
        );
        if let Some(request) = &request {
            bend_reply(self.fault, op, request, &mut reply, &shared.world, &mut memory, &running)?;
        }
        if self.alteration == Some(Alteration::ErrorMessage) {
            if let Reply::Failure(e) = &mut reply {
                if !e.message.is_empty() {
                    e.message.push_str(REWORDED_SUFFIX);
                }
            }
        }
        Ok(reply)
    }

    fn response(&self, mut response: Response) -> Response {
        if self.alteration == Some(Alteration::HtmlContentTypeNoRequestId) {
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response.extensions_mut().insert(OmitRequestId);
        }
        response
    }

    /// The reference's reset also forgets what the fault remembered.
    fn reset(&self) {
        *self.memory.lock().unwrap_or_else(PoisonError::into_inner) = Memory::default();
    }
}

/// The keys of a StartRemediationExecution request whose execution is still running before it
/// is applied ([`Fault::SreRestartsRunning`] leaves them out of `FailedItems`).
fn running_keys(fault: Fault, world: &World, op: Operation, request: Option<&Map<String, Value>>, now: Timestamp) -> Vec<Value> {
    if fault != Fault::SreRestartsRunning || op != Operation::StartRemediationExecution {
        return Vec::new();
    }
    let Some(req) = request.and_then(|r| serde_json::from_value::<StartRemediationExecutionRequest>(Value::Object(r.clone())).ok()) else {
        return Vec::new();
    };
    let mut world = world.clone();
    world.advance_to(now);
    let rule = RuleName::new(&req.config_rule_name);
    req.resource_keys
        .iter()
        .filter(|k| world.execution(&rule, &ResourceRef::from(*k)).is_some_and(|e| e.is_active()))
        .filter_map(|k| serde_json::to_value(k).ok())
        .collect()
}

/// The model's outcome for one request, bent by the fault on the way in (the request or the
/// world before the model sees them, or which acceptable answer is sent).
fn faulty_outcome(fault: Fault, world: &mut World, op: Operation, body: &[u8], now: Timestamp, memory: &mut Memory) -> Outcome {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return reference_model::handle(world, op, body, now);
    };
    if fault.operations().contains(&op) {
        if let Some(tolerated) = tolerated_violation(fault, op, &map) {
            let value = Value::Object(map.clone());
            if only_violations(op, &value, tolerated) {
                world.advance_to(now);
                if let Some(outcome) = apply_unvalidated(world, op, &value) {
                    return outcome;
                }
            }
        }
    }
    world.advance_to(now);
    match (fault, op) {
        (Fault::ExceptionForCompliantResource, Op::PutRemediationExceptions) => {
            if let Ok(req) = serde_json::from_value::<PutRemediationExceptionsRequest>(Value::Object(map.clone())) {
                for key in &req.resource_keys {
                    if let (Some(resource_type), Some(resource_id)) = (&key.resource_type, &key.resource_id) {
                        // Refused when the rule does not exist; the request then goes on as usual.
                        world.control(
                            &Control::SetCompliance {
                                rule: req.config_rule_name.clone(),
                                resource_type: resource_type.clone(),
                                resource_id: resource_id.clone(),
                                compliance: ComplianceType::NonCompliant,
                                annotation: None,
                            },
                            now,
                        );
                    }
                }
            }
        }
        (Fault::ExpiryIgnored, Op::PutRemediationExceptions) => {
            map.remove("ExpirationTime");
        }
        (Fault::DreExpiredStillListed, Op::PutRemediationExceptions) => keep_expiry_aside(world, &mut map, memory),
        (Fault::PrcUnknownRuleAccepted, Op::PutRemediationConfigurations) => {
            retain_configurations(&mut map, |c| world.rule(&RuleName::new(rule_of(c))).is_some());
        }
        (Fault::PrcServiceLinkedRuleAccepted, Op::PutRemediationConfigurations) => {
            retain_configurations(&mut map, |c| {
                world.rule(&RuleName::new(rule_of(c))).is_none_or(|r| r.service_linked_by.is_none())
            });
        }
        (Fault::PrcAutomaticWithoutAssumeRole, Op::PutRemediationConfigurations) => {
            for config in configurations(&mut map) {
                if config.get("Automatic") == Some(&Value::Bool(true)) {
                    let parameters = config.entry("Parameters").or_insert_with(|| json!({}));
                    if let Some(p) = parameters.as_object_mut() {
                        let has_role = p
                            .get("AutomationAssumeRole")
                            .and_then(|v| v.pointer("/StaticValue/Values"))
                            .and_then(Value::as_array)
                            .is_some_and(|v| !v.is_empty());
                        if !has_role {
                            p.insert(
                                "AutomationAssumeRole".into(),
                                json!({"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/default-remediation"]}}),
                            );
                        }
                    }
                }
            }
        }
        (Fault::PrcAmbiguousParameterValue, Op::PutRemediationConfigurations) => {
            for config in configurations(&mut map) {
                for value in config.get_mut("Parameters").and_then(Value::as_object_mut).into_iter().flat_map(|p| p.values_mut()) {
                    if let Some(v) = value.as_object_mut() {
                        if v.get("ResourceValue").is_some_and(|r| !r.is_null()) {
                            v.remove("StaticValue");
                        }
                    }
                }
            }
        }
        (Fault::PrcDefaultAttemptsNotApplied, Op::PutRemediationConfigurations) => {
            inject_defaults(&mut map, memory, &[(&["MaximumAutomaticAttempts"], json!(3))]);
        }
        (Fault::PrcDefaultConcurrencyNotApplied, Op::PutRemediationConfigurations) => {
            inject_defaults(
                &mut map,
                memory,
                &[(&["ExecutionControls", "SsmControls", "ConcurrentExecutionRatePercentage"], json!(100))],
            );
        }
        (Fault::PrcPartialFailureUnreported, Op::PutRemediationConfigurations) => {
            let mut outcome = reference_model::handle_value(world, op, &Value::Object(map));
            // Send the partial success the model also accepts, and keep its world.
            if let Some(i) = outcome.alternatives.iter().position(|a| matches!(&a.reply, Reply::Success(b) if has_items(b, "FailedBatches"))) {
                let chosen = outcome.alternatives.remove(i);
                if let Some(w) = &chosen.world {
                    *world = (**w).clone();
                }
                outcome.alternatives.insert(0, chosen);
            }
            return outcome;
        }
        (Fault::DreDefaultPageTen, Op::DescribeRemediationExceptions)
            if map.get("ResourceKeys").is_none_or(Value::is_null) && map.get("Limit").and_then(Value::as_i64).unwrap_or(0) == 0 =>
        {
            map.insert("Limit".into(), json!(10));
        }
        (Fault::DreResourceKeysIgnored, Op::DescribeRemediationExceptions)
        | (Fault::DresResourceKeysIgnored, Op::DescribeRemediationExecutionStatus) => {
            map.remove("ResourceKeys");
        }
        (Fault::DresDefaultPageTwentyFive, Op::DescribeRemediationExecutionStatus)
            if map.get("Limit").and_then(Value::as_i64).unwrap_or(0) == 0 =>
        {
            map.insert("Limit".into(), json!(25));
        }
        (Fault::PeInsufficientDataAccepted, Op::PutEvaluations) => {
            if let Some(list) = map.get_mut("Evaluations").and_then(Value::as_array_mut) {
                list.retain(|e| e.get("ComplianceType").and_then(Value::as_str) != Some("INSUFFICIENT_DATA"));
            }
        }
        (Fault::PeTestModeChecksToken, Op::PutEvaluations) if map.get("TestMode") == Some(&Value::Bool(true)) => {
            let mut real = map.clone();
            real.remove("TestMode");
            let checked = reference_model::handle_value(&mut world.clone(), op, &Value::Object(real));
            if checked.preferred().reply.error_code() == Some(ErrorCode::InvalidResultTokenException) {
                return checked;
            }
        }
        (Fault::PeTestModeStores, Op::PutEvaluations) if map.get("TestMode") == Some(&Value::Bool(true)) => {
            // With a token that a real call accepts, the dry run is stored; otherwise TestMode
            // is honoured (the token is not checked).
            let mut real = map.clone();
            real.remove("TestMode");
            let mut stored = world.clone();
            let outcome = reference_model::handle_value(&mut stored, op, &Value::Object(real));
            if matches!(outcome.preferred().reply, Reply::Success(_)) {
                *world = stored;
                return outcome;
            }
        }
        _ => {}
    }
    reference_model::handle_value(world, op, &Value::Object(map))
}

/// Which violations a fault lets through.
type Tolerated = Box<dyn Fn(&Violation) -> bool>;

/// The one kind of violation a fault lets through, if it lets one through.
fn tolerated_violation(fault: Fault, op: Operation, map: &Map<String, Value>) -> Option<Tolerated> {
    let above = |member: &'static str| -> Tolerated {
        Box::new(move |v: &Violation| v.member == member && v.constraint.contains("less than or equal to"))
    };
    let kind = |member: &'static str, kind: ConstraintKind| -> Tolerated {
        Box::new(move |v: &Violation| v.member == member && v.kind == kind)
    };
    if !fault.operations().contains(&op) {
        return None;
    }
    let tolerated: Tolerated = match fault {
        Fault::OffByOneResourceKeys => {
            let is_101 = map.get("ResourceKeys").and_then(Value::as_array).is_some_and(|k| k.len() == 101);
            Box::new(move |v: &Violation| -> bool {
                is_101 && v.path == "resourceKeys" && v.constraint == "Member must have length less than or equal to 100"
            })
        }
        Fault::NoPatternCheck => Box::new(|v: &Violation| -> bool {
            v.path.ends_with("onfigRuleName") && v.constraint.starts_with("Member must satisfy regular expression pattern")
        }),
        Fault::PrcTooManyConfigurations => above("RemediationConfigurations"),
        Fault::PrcTargetTypeUnchecked => kind("RemediationConfigurations[].TargetType", ConstraintKind::Enum),
        Fault::PrcMaxAttemptsUnbounded => above("RemediationConfigurations[].MaximumAutomaticAttempts"),
        Fault::PrcErrorPercentageZero => Box::new(|v: &Violation| {
            v.member == "RemediationConfigurations[].ExecutionControls.SsmControls.ErrorPercentage"
                && v.constraint == "Member must have value greater than or equal to 1"
        }),
        Fault::PrcResourceValueUnchecked => {
            kind("RemediationConfigurations[].Parameters{value}.ResourceValue.Value", ConstraintKind::Enum)
        }
        Fault::PrcStaticValueItemUnchecked => {
            kind("RemediationConfigurations[].Parameters{value}.StaticValue.Values[]", ConstraintKind::Length)
        }
        Fault::DrcTooManyNames => above("ConfigRuleNames"),
        Fault::PreMessageUnbounded => above("Message"),
        Fault::SreResourceTypeUnchecked => kind("ResourceKeys[].resourceType", ConstraintKind::Enum),
        Fault::PeAnnotationUnbounded => above("Evaluations[].Annotation"),
        Fault::PeTooManyEvaluations => above("Evaluations"),
        _ => return None,
    };
    Some(tolerated)
}

/// The answer, bent by the fault on the way out.
fn bend_reply(
    fault: Fault,
    op: Operation,
    request: &Map<String, Value>,
    reply: &mut Reply,
    world: &World,
    memory: &mut Memory,
    running: &[Value],
) -> Result<(), WireError> {
    if !fault.operations().contains(&op) {
        return Ok(());
    }
    let code = reply.error_code();
    match (fault, reply) {
        (Fault::WrongErrorCode, Reply::Failure(e)) if e.code == ErrorCode::NoSuchRemediationConfigurationException => {
            return Err(WireError::new(e.code.http_status(), "ResourceNotFoundException", e.message.clone()));
        }
        (Fault::PreValidationErrorMisnamed, Reply::Failure(e)) if e.code == ErrorCode::ValidationException => {
            return Err(WireError::new(e.code.http_status(), "ValidationError", e.message.clone()));
        }
        (Fault::DropFailedBatches, Reply::Success(body)) => {
            let member = match op {
                Op::DeleteRemediationExceptions => "FailedBatches",
                _ => "FailedItems",
            };
            if let Some(list) = body.get_mut(member) {
                *list = Value::Array(Vec::new());
            }
        }
        (Fault::PrcPartialFailureUnreported, Reply::Success(body)) => {
            body["FailedBatches"] = json!([]);
        }
        (Fault::PrcDefaultAttemptsNotApplied | Fault::PrcDefaultConcurrencyNotApplied, Reply::Success(body)) => {
            let configs = match op {
                Op::PutRemediationConfigurations => failed_items(body),
                _ => items_of(body, "RemediationConfigurations"),
            };
            for config in configs {
                let rule = config.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default().to_owned();
                for path in memory.injected.get(&rule).into_iter().flatten() {
                    remove_path(config, path);
                }
            }
        }
        (Fault::PrcArnChangesOnRead, Reply::Success(body)) if op == Op::DescribeRemediationConfigurations => {
            for config in body.get_mut("RemediationConfigurations").and_then(Value::as_array_mut).into_iter().flatten() {
                let rule = config.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default().to_owned();
                let reads = memory.reads.entry(rule).or_default();
                *reads += 1;
                if let (true, Some(Value::String(arn))) = (*reads > 1, config.get_mut("Arn")) {
                    // A new id on every reading after the first: the last 4 hex digits count them.
                    let keep = arn.len().saturating_sub(4);
                    arn.truncate(keep);
                    arn.push_str(&format!("{:04x}", *reads & 0xffff));
                }
            }
        }
        (Fault::DrcInventsDefaults, Reply::Success(body)) => {
            for config in body.get_mut("RemediationConfigurations").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(c) = config.as_object_mut() {
                    c.entry("MaximumAutomaticAttempts").or_insert(json!(5));
                    c.entry("RetryAttemptSeconds").or_insert(json!(60));
                }
            }
        }
        (Fault::DrcArnWithoutRuleName, Reply::Success(body)) => {
            for config in body.get_mut("RemediationConfigurations").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(Value::String(arn)) = config.get_mut("Arn") {
                    // arn:…:remediation-configuration/<rule>/<id> → arn:…:remediation-configuration/<id>
                    if let (Some(slash), Some(last)) = (arn.find('/'), arn.rfind('/')) {
                        if slash < last {
                            arn.replace_range(slash..last, "");
                        }
                    }
                }
            }
        }
        (Fault::DelRcMissingSucceeds, reply @ Reply::Failure(_)) if code == Some(ErrorCode::NoSuchRemediationConfigurationException) => {
            *reply = Reply::Success(json!({}));
        }
        (Fault::DelRcInProgressWrongCode, Reply::Failure(e)) if e.code == ErrorCode::RemediationInProgressException => {
            e.code = ErrorCode::ResourceInUseException;
        }
        (Fault::PreServiceLinkedAccepted, reply) if service_linked_remediation(request, world) => {
            *reply = Reply::Success(json!({"FailedBatches": []}));
        }
        (Fault::DreNextPageRepeatsItem, Reply::Success(body)) => {
            if let Some(item) = last_item_of_previous_page(request, world) {
                if let Some(list) = body.get_mut("RemediationExceptions").and_then(Value::as_array_mut) {
                    list.insert(0, item);
                }
            }
        }
        (Fault::DreExpiredStillListed, Reply::Success(body)) => {
            let rule = request.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default().to_owned();
            let items = match op {
                Op::PutRemediationExceptions => failed_items(body),
                _ => items_of(body, "RemediationExceptions"),
            };
            for item in items {
                let Some(item) = item.as_object_mut() else { continue };
                let key = |m: &str| item.get(m).and_then(Value::as_str).unwrap_or_default().to_owned();
                let expiry = match op {
                    // A refused key is reported with what was asked for.
                    Op::PutRemediationExceptions => request.get("ExpirationTime").filter(|v| !v.is_null()).and_then(normalise_time),
                    _ => memory.expirations.get(&(rule.clone(), key("ResourceType"), key("ResourceId"))).cloned(),
                };
                if let Some(expiry) = expiry {
                    item.insert("ExpirationTime".into(), expiry);
                }
            }
        }
        (Fault::DelReMissingIsSuccess, reply @ Reply::Failure(_)) if code == Some(ErrorCode::NoSuchRemediationExceptionException) => {
            *reply = Reply::Success(json!({"FailedBatches": []}));
        }
        (Fault::SreNoConfigurationSucceeds, reply @ Reply::Failure(_)) if code == Some(ErrorCode::NoSuchRemediationConfigurationException) => {
            *reply = Reply::Success(json!({}));
        }
        (Fault::SreRestartsRunning, Reply::Success(body)) if !running.is_empty() => {
            if let Some(body) = body.as_object_mut() {
                if let Some(items) = body.get_mut("FailedItems").and_then(Value::as_array_mut) {
                    items.retain(|k| !running.contains(k));
                    if items.is_empty() {
                        body.remove("FailedItems");
                        body.remove("FailureMessage");
                    }
                }
            }
        }
        (Fault::DresStateMovesBackwards, Reply::Success(body)) => {
            for status in statuses(body) {
                if status.get("State").and_then(Value::as_str) == Some("SUCCEEDED") {
                    status["State"] = json!("IN_PROGRESS");
                }
            }
        }
        (Fault::DresInvocationTimeIsUpdateTime, Reply::Success(body)) => {
            for status in statuses(body) {
                if let Some(updated) = status.get("LastUpdatedTime").cloned() {
                    status["InvocationTime"] = updated;
                }
            }
        }
        (Fault::DresNextPageDropsItem, Reply::Success(body)) if request.get("NextToken").is_some_and(Value::is_string) => {
            if let Some(list) = body.get_mut("RemediationExecutionStatuses").and_then(Value::as_array_mut) {
                if !list.is_empty() {
                    list.remove(0);
                }
            }
        }
        (Fault::PeInvalidTokenAccepted, reply @ Reply::Failure(_)) if code == Some(ErrorCode::InvalidResultTokenException) => {
            *reply = Reply::Success(json!({"FailedEvaluations": []}));
        }
        (Fault::PeDeletedRuleTokenMisreported, Reply::Failure(e)) if e.code == ErrorCode::NoSuchConfigRuleException => {
            e.code = ErrorCode::InvalidResultTokenException;
            e.message = "The specified ResultToken is invalid.".into();
        }
        _ => {}
    }
    Ok(())
}

fn has_items(body: &Value, member: &str) -> bool {
    body.get(member).and_then(Value::as_array).is_some_and(|a| !a.is_empty())
}

fn rule_of(config: &Map<String, Value>) -> &str {
    config.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default()
}

/// The configurations of a PutRemediationConfigurations request.
fn configurations(map: &mut Map<String, Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    map.get_mut("RemediationConfigurations")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

fn retain_configurations(map: &mut Map<String, Value>, keep: impl Fn(&Map<String, Value>) -> bool) {
    if let Some(list) = map.get_mut("RemediationConfigurations").and_then(Value::as_array_mut) {
        list.retain(|c| c.as_object().is_none_or(&keep));
    }
}

/// Sets each member at `path` that a configuration leaves out to the fault's value, and
/// remembers the outermost member it created so that Describe can leave it out again.
fn inject_defaults(map: &mut Map<String, Value>, memory: &mut Memory, defaults: &[(&'static [&'static str], Value)]) {
    for config in configurations(map) {
        let rule = rule_of(config).to_owned();
        let mut created = Vec::new();
        for (path, value) in defaults {
            let mut node = &mut *config;
            let mut outermost: Option<&'static [&'static str]> = None;
            for (depth, segment) in path.iter().enumerate() {
                let last = depth + 1 == path.len();
                let absent = node.get(*segment).is_none_or(Value::is_null);
                if absent && outermost.is_none() {
                    outermost = Some(&path[..=depth]);
                }
                if last {
                    if absent {
                        node.insert((*segment).to_owned(), value.clone());
                    }
                } else {
                    if absent {
                        node.insert((*segment).to_owned(), json!({}));
                    }
                    match node.get_mut(*segment).and_then(Value::as_object_mut) {
                        Some(next) => node = next,
                        None => break,
                    }
                }
            }
            created.extend(outermost);
        }
        memory.injected.insert(rule, created);
    }
}

fn remove_path(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut node = value;
    for segment in parents {
        match node.get_mut(*segment) {
            Some(next) => node = next,
            None => return,
        }
    }
    if let Some(object) = node.as_object_mut() {
        object.remove(*last);
    }
}

/// [`Fault::DreExpiredStillListed`]: the model never sees an `ExpirationTime`; the fault keeps
/// it for the keys that get an exception, to echo it.
fn keep_expiry_aside(world: &World, map: &mut Map<String, Value>, memory: &mut Memory) {
    let expiry = map.remove("ExpirationTime").filter(|v| !v.is_null()).and_then(|v| normalise_time(&v));
    let Ok(req) = serde_json::from_value::<PutRemediationExceptionsRequest>(Value::Object(map.clone())) else { return };
    let rule = RuleName::new(&req.config_rule_name);
    for key in &req.resource_keys {
        let (Some(t), Some(id)) = (&key.resource_type, &key.resource_id) else { continue };
        if world.compliance(&rule, &ResourceRef::new(t, id)) != Some(ComplianceType::NonCompliant) {
            continue;
        }
        let entry = (req.config_rule_name.clone(), t.clone(), id.clone());
        match &expiry {
            Some(e) => memory.expirations.insert(entry, e.clone()),
            None => memory.expirations.remove(&entry),
        };
    }
}

/// A time as the model writes it (epoch seconds, as the service does).
fn normalise_time(v: &Value) -> Option<Value> {
    serde_json::from_value::<Timestamp>(v.clone()).ok().and_then(|t| serde_json::to_value(t).ok())
}

/// True when the request names a rule whose remediation is service-linked (R-PRE-05).
fn service_linked_remediation(request: &Map<String, Value>, world: &World) -> bool {
    let rule = request.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default();
    world.remediation(&RuleName::new(rule)).is_some_and(|r| r.config.created_by_service.is_some())
}

/// [`Fault::DreNextPageRepeatsItem`]: the exception a DescribeRemediationExceptions token
/// resumes after, as the answer lists it.
fn last_item_of_previous_page(request: &Map<String, Value>, world: &World) -> Option<Value> {
    let token = request.get("NextToken")?.as_str()?;
    let rule = request.get("ConfigRuleName")?.as_str()?;
    if request.get("ResourceKeys").is_some_and(|k| !k.is_null()) {
        return None;
    }
    let last = reference_model::paging::resume_after(token, "DescribeRemediationExceptions", rule).ok()?;
    let (resource_type, resource_id) = last.split_once('\u{0}')?;
    let stored = world.exception(&RuleName::new(rule), &ResourceRef::new(resource_type, resource_id))?;
    serde_json::to_value(RemediationException {
        config_rule_name: rule.to_owned(),
        resource_type: Some(resource_type.to_owned()),
        resource_id: Some(resource_id.to_owned()),
        message: stored.message.clone(),
        expiration_time: stored.expiration,
    })
    .ok()
}

fn statuses(body: &mut Value) -> impl Iterator<Item = &mut Value> {
    body.get_mut("RemediationExecutionStatuses").and_then(Value::as_array_mut).into_iter().flatten()
}

/// True when validation fails, and only with violations `allowed` accepts.
fn only_violations(op: Operation, body: &Value, allowed: impl Fn(&Violation) -> bool) -> bool {
    let Err(e) = validate_request(op, body) else { return false };
    let found = violations(op, body);
    e.code == ErrorCode::ValidationException && !found.is_empty() && found.iter().all(allowed)
}

/// The operation applied to a body the validator refused; `None` when the body does not even
/// fit the typed request, and for the calls no fault reaches (recorder, delivery channel, rule
/// states).
fn apply_unvalidated(world: &mut World, op: Operation, body: &Value) -> Option<Outcome> {
    if op.is_account_setup() || matches!(op, Operation::StartConfigRulesEvaluation | Operation::DeleteEvaluationResults) {
        return None;
    }
    ops::apply_unchecked(world, op, body).ok()
}

/// The items of a list member of an answer.
fn items_of<'a>(body: &'a mut Value, member: &str) -> Vec<&'a mut Value> {
    body.get_mut(member).and_then(Value::as_array_mut).into_iter().flatten().collect()
}

/// Every `FailedItems` entry of every `FailedBatches` batch of a put's answer.
fn failed_items(body: &mut Value) -> Vec<&mut Value> {
    items_of(body, "FailedBatches").into_iter().filter_map(|b| b.get_mut("FailedItems").and_then(Value::as_array_mut)).flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn world() -> World {
        World::reference(Timestamp::EPOCH_2026)
    }

    fn preferred(outcome: &Outcome) -> &Reply {
        &outcome.preferred().reply
    }

    fn outcome(fault: Fault, op: Operation, body: &[u8]) -> Outcome {
        faulty_outcome(fault, &mut world(), op, body, Timestamp::EPOCH_2026, &mut Memory::default())
    }

    #[test]
    fn off_by_one_accepts_exactly_101_keys_and_nothing_else() {
        let keys = |n: usize| (1..=n).map(|i| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": format!("b{i}")})).collect::<Vec<_>>();
        let body = |n: usize| json!({"ConfigRuleName": "r", "ResourceKeys": keys(n)}).to_string().into_bytes();
        let op = Operation::PutRemediationExceptions;
        assert!(matches!(preferred(&outcome(Fault::OffByOneResourceKeys, op, &body(101))), Reply::Success(_)));
        assert!(matches!(preferred(&outcome(Fault::None, op, &body(101))), Reply::Failure(_)));
        assert!(matches!(preferred(&outcome(Fault::OffByOneResourceKeys, op, &body(102))), Reply::Failure(_)));
        // Only the operations the fault names: DeleteRemediationExceptions still counts.
        let delete = Operation::DeleteRemediationExceptions;
        assert!(matches!(preferred(&outcome(Fault::OffByOneResourceKeys, delete, &body(101))), Reply::Failure(_)));
    }

    #[test]
    fn no_pattern_check_accepts_only_a_whitespace_name() {
        let op = Operation::DescribeRemediationExceptions;
        let blank = br#"{"ConfigRuleName": "   "}"#;
        assert!(matches!(preferred(&outcome(Fault::NoPatternCheck, op, blank)), Reply::Success(_)));
        assert!(matches!(preferred(&outcome(Fault::None, op, blank)), Reply::Failure(_)));
        let also_bad_limit = br#"{"ConfigRuleName": "   ", "Limit": 1000}"#;
        assert!(matches!(preferred(&outcome(Fault::NoPatternCheck, op, also_bad_limit)), Reply::Failure(_)));
    }

    #[test]
    fn a_tolerated_violation_is_accepted_only_alone() {
        let config = |extra: Value| {
            let mut c = json!({"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "d"});
            c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            json!({"RemediationConfigurations": [c]}).to_string().into_bytes()
        };
        let op = Operation::PutRemediationConfigurations;
        let over = config(json!({"MaximumAutomaticAttempts": 26}));
        let under = config(json!({"MaximumAutomaticAttempts": 0}));
        let both = config(json!({"MaximumAutomaticAttempts": 26, "RetryAttemptSeconds": 0}));
        // The rule does not exist, so the accepted request is refused for that, not by validation.
        let validation = |o: &Outcome| o.preferred().reply.error_code() == Some(ErrorCode::ValidationException);
        assert!(!validation(&outcome(Fault::PrcMaxAttemptsUnbounded, op, &over)));
        assert!(validation(&outcome(Fault::PrcMaxAttemptsUnbounded, op, &under)));
        assert!(validation(&outcome(Fault::PrcMaxAttemptsUnbounded, op, &both)));
        assert!(validation(&outcome(Fault::None, op, &over)));
    }

    #[test]
    fn every_fault_names_a_catalogued_rule_and_the_nine_operations_are_covered() {
        assert!(Fault::BROKEN.len() >= 25);
        let mut seen = std::collections::BTreeSet::new();
        for fault in Fault::BROKEN {
            assert!(seen.insert(fault), "{fault:?} is listed twice");
            assert!(fault.rule().is_some(), "{fault:?} names no rule");
            assert!(!fault.operations().is_empty(), "{fault:?} bends no operation");
        }
        assert!(!seen.contains(&Fault::None));
        for op in Operation::ALL.iter().filter(|op| op.is_remediation()) {
            let own = Fault::BROKEN.iter().filter(|f| f.operations().len() < EVERY_OPERATION.len() && f.operations().contains(op)).count();
            assert!(own >= 2, "{op}: only {own} faults of its own");
        }
    }

    #[test]
    fn injected_defaults_are_taken_out_again_for_describe() {
        let mut map = json!({"RemediationConfigurations": [
            {"ConfigRuleName": "a", "TargetType": "SSM_DOCUMENT", "TargetId": "d"},
            {"ConfigRuleName": "b", "TargetType": "SSM_DOCUMENT", "TargetId": "d", "ExecutionControls": {"SsmControls": {"ErrorPercentage": 40}}}
        ]}).as_object().unwrap().clone();
        let mut memory = Memory::default();
        let path: &'static [&'static str] = &["ExecutionControls", "SsmControls", "ConcurrentExecutionRatePercentage"];
        inject_defaults(&mut map, &mut memory, &[(path, json!(100))]);
        let configs = map["RemediationConfigurations"].as_array().unwrap();
        assert_eq!(configs[0]["ExecutionControls"], json!({"SsmControls": {"ConcurrentExecutionRatePercentage": 100}}));
        assert_eq!(configs[1]["ExecutionControls"], json!({"SsmControls": {"ErrorPercentage": 40, "ConcurrentExecutionRatePercentage": 100}}));
        let mut sent_back = configs.clone();
        for c in &mut sent_back {
            let rule = c["ConfigRuleName"].as_str().unwrap().to_owned();
            for p in &memory.injected[&rule] {
                remove_path(c, p);
            }
        }
        assert!(sent_back[0].get("ExecutionControls").is_none());
        assert_eq!(sent_back[1]["ExecutionControls"], json!({"SsmControls": {"ErrorPercentage": 40}}));
    }
}
