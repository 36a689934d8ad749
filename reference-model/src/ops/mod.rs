//! One module per group of operations; each `apply_*` function takes the world, a validated
//! typed request and returns the [`Outcome`]. [`handle`] is the whole pipeline from bytes:
//! [`RequestBody::read`], then [`crate::validate::parse_request`], which yields the typed
//! [`Request`] or the refusal, then [`apply`], which hands the request to its operation.

mod compliance;
mod evaluations;
mod exceptions;
mod executions;
mod recorder;
mod remediation_configs;
mod rules;

pub use compliance::{apply_describe_compliance_by_config_rule, apply_describe_compliance_by_resource, apply_get_compliance_details};
pub use evaluations::{apply_delete_evaluation_results, apply_put_evaluations};
pub use exceptions::{apply_delete_exceptions, apply_describe_exceptions, apply_put_exceptions};
pub use executions::{apply_describe_execution_status, apply_start_execution};
pub use recorder::{
    apply_delete_configuration_recorder, apply_delete_delivery_channel, apply_describe_configuration_recorder_status,
    apply_describe_configuration_recorders, apply_describe_delivery_channels, apply_put_configuration_recorder,
    apply_put_delivery_channel, apply_start_configuration_recorder, apply_stop_configuration_recorder,
};
pub use remediation_configs::{apply_delete_configuration, apply_describe_configurations, apply_put_configurations};
pub use rules::{apply_delete_config_rule, apply_describe_config_rules, apply_put_config_rule, apply_start_config_rules_evaluation};

use crate::error::ErrorCode;
use crate::operation::Operation;
use crate::outcome::{Alternative, FieldKind, FlexField, IdFormat, Level, Outcome};
use crate::time::Timestamp;
use crate::validate::parse_request;
use crate::wire::Request;
use crate::world::World;
use serde_json::Value;
use crate::clauses::RuleId;
use crate::rule;

mod request_body;
pub use request_body::RequestBody;

/// The whole pipeline for one request body at time `now`: advance the clock, parse, validate,
/// apply. The world is left in the state of the preferred alternative.
pub fn handle(world: &mut World, op: Operation, body: &[u8], now: Timestamp) -> Outcome {
    handle_body(world, op, &RequestBody::read(body), now)
}

/// As [`handle`], for a body already read ([`RequestBody::read`]): a caller that needs the
/// body's JSON too (the suite's runner, the model's step vocabulary) reads it once.
pub fn handle_body(world: &mut World, op: Operation, body: &RequestBody, now: Timestamp) -> Outcome {
    world.advance_to(now);
    match body {
        // An empty body is read as `{}` (A-28).
        RequestBody::Empty => handle_value(world, op, &Value::Object(Default::default())),
        // Whitespace alone is not JSON: read as `{}` too, or refused as a body that does not
        // parse; nothing shows which the service does (A-28).
        RequestBody::Blank => {
            let unchanged = world.clone();
            let mut refused = Alternative::error(ErrorCode::SerializationException, "")
                .code_level(Level::Should)
                .provenance(Level::May)
                .basis("A-28")
                .covers(rule!("R-PROT-01"));
            let read_as_empty = handle_value(world, op, &Value::Object(Default::default()));
            // The refusal leaves the world as it was; it carries that world only when reading
            // the body as `{}` changed it (an alternative's world is the one that differs).
            if *world != unchanged {
                refused.world = Some(Box::new(unchanged));
            }
            read_as_empty.or(refused)
        }
        RequestBody::Json(value) => {
            let outcome = handle_value(world, op, value);
            // JSON that is not an object is refused before any member is checked (R-PROT-01).
            if value.is_object() {
                outcome
            } else {
                outcome.clause(rule!("R-PROT-01"))
            }
        }
        RequestBody::Malformed => {
            Outcome::new(Alternative::error(ErrorCode::SerializationException, "").code_level(Level::Should).basis("A-02"))
                .clause(rule!("R-PROT-01"))
        }
    }
}

/// As [`handle`], for a body already parsed as JSON, at the world's current time: validation
/// yields the typed request ([`parse_request`]), or the refusal, and [`apply`] answers the
/// request.
pub fn handle_value(world: &mut World, op: Operation, body: &Value) -> Outcome {
    match parse_request(op, body) {
        Ok(request) => apply(world, &request),
        Err(refusal) => {
            let e = &refusal.error;
            let (basis, code_level) = match e.code {
                ErrorCode::ValidationException => ("A-01", Level::Should),
                _ => ("A-02", Level::Should),
            };
            let ids = refusal.rule_ids(validation_clause(op));
            // TestMode does not make the ResultToken optional (R-PE-05).
            let test_mode = op == Operation::PutEvaluations && ids.contains(&rule!("R-PE-03")) && body.get("TestMode") == Some(&Value::Bool(true));
            Outcome::new(Alternative::error(e.code, e.message.clone()).code_level(code_level).basis(basis))
                .clauses(&ids)
                .clauses(if test_mode { &[rule!("R-PE-05")] } else { &[] })
        }
    }
}

/// Answers a typed request: what the service does once validation has passed. Each operation's
/// own `apply_*` function, chosen by the request's variant.
pub fn apply(world: &mut World, request: &Request) -> Outcome {
    match request {
        Request::PutRemediationConfigurations(r) => apply_put_configurations(world, r),
        Request::DescribeRemediationConfigurations(r) => apply_describe_configurations(world, r),
        Request::DeleteRemediationConfiguration(r) => apply_delete_configuration(world, r),
        Request::PutRemediationExceptions(r) => apply_put_exceptions(world, r),
        Request::DescribeRemediationExceptions(r) => apply_describe_exceptions(world, r),
        Request::DeleteRemediationExceptions(r) => apply_delete_exceptions(world, r),
        Request::StartRemediationExecution(r) => apply_start_execution(world, r),
        Request::DescribeRemediationExecutionStatus(r) => apply_describe_execution_status(world, r),
        Request::PutEvaluations(r) => apply_put_evaluations(world, r),
        Request::PutConfigRule(r) => apply_put_config_rule(world, r),
        Request::DeleteConfigRule(r) => apply_delete_config_rule(world, r),
        Request::DescribeConfigRules(r) => apply_describe_config_rules(world, r),
        Request::GetComplianceDetailsByConfigRule(r) => apply_get_compliance_details(world, r),
        Request::DescribeComplianceByConfigRule(r) => apply_describe_compliance_by_config_rule(world, r),
        Request::DescribeComplianceByResource(r) => apply_describe_compliance_by_resource(world, r),
        Request::PutConfigurationRecorder(r) => apply_put_configuration_recorder(world, r),
        Request::DescribeConfigurationRecorders(r) => apply_describe_configuration_recorders(world, r),
        Request::DescribeConfigurationRecorderStatus(r) => apply_describe_configuration_recorder_status(world, r),
        Request::StartConfigurationRecorder(r) => apply_start_configuration_recorder(world, r),
        Request::StopConfigurationRecorder(r) => apply_stop_configuration_recorder(world, r),
        Request::DeleteConfigurationRecorder(r) => apply_delete_configuration_recorder(world, r),
        Request::PutDeliveryChannel(r) => apply_put_delivery_channel(world, r),
        Request::DescribeDeliveryChannels(r) => apply_describe_delivery_channels(world, r),
        Request::DeleteDeliveryChannel(r) => apply_delete_delivery_channel(world, r),
        Request::StartConfigRulesEvaluation(r) => apply_start_config_rules_evaluation(world, r),
        Request::DeleteEvaluationResults(r) => apply_delete_evaluation_results(world, r),
    }
}

/// Applies a body that fits the operation's typed request, without validating it first: what
/// a service does that skips a check. `Err` when the body does not fit ([`Request::from_body`],
/// the same reading [`parse_request`] makes after validation). A deliberately faulty peer
/// (`remediation-suite`'s testkit) calls it on bodies the validator refuses; an enum member
/// outside its set then fits only where the typed request keeps such a value
/// ([`crate::wire::RemediationTargetType::Unlisted`]).
pub fn apply_unchecked(world: &mut World, op: Operation, body: &Value) -> Result<Outcome, serde_json::Error> {
    Request::from_body(op, body).map(|request| apply(world, &request))
}

/// `alternative` with the state it leaves, unless that is the preferred alternative's state:
/// [`Alternative::world`] is only given when the states differ.
pub(crate) fn with_world_if_different(alternative: Alternative, state: World, preferred: &World) -> Alternative {
    if state == *preferred {
        alternative
    } else {
        alternative.with_world(state)
    }
}

/// `outcome` with its alternative at `index` made the preferred one: the world takes that
/// alternative's state, and every other alternative keeps (explicitly, where it now differs)
/// the state it left. Used where the model's preference depends on the virtual clock (A-43).
pub(crate) fn prefer(world: &mut World, mut outcome: Outcome, index: usize) -> Outcome {
    if index == 0 || index >= outcome.alternatives.len() {
        return outcome;
    }
    let old_state = world.clone();
    let mut chosen = outcome.alternatives.remove(index);
    if let Some(state) = chosen.world.take() {
        *world = *state;
    }
    for alternative in &mut outcome.alternatives {
        let state = alternative.world.take().map_or_else(|| old_state.clone(), |s| *s);
        if state != *world {
            alternative.world = Some(Box::new(state));
        }
    }
    outcome.alternatives.insert(0, chosen);
    outcome
}

/// The rule named for a refused request where no member's own rule applies: a wrong JSON type,
/// or a member whose limit no modelled rule states (`clauses::MEMBER_RULES`, `Fallback`).
fn validation_clause(op: Operation) -> RuleId {
    match op {
        Operation::PutRemediationConfigurations => rule!("R-PRC-11"),
        Operation::DescribeRemediationConfigurations => rule!("R-DRC-02"),
        Operation::DeleteRemediationConfiguration => rule!("R-DelRC-01"),
        Operation::PutRemediationExceptions => rule!("R-PRE-07"),
        Operation::DescribeRemediationExceptions => rule!("R-DRE-07"),
        Operation::DeleteRemediationExceptions => rule!("R-DelRE-04"),
        Operation::StartRemediationExecution => rule!("R-SRE-03"),
        Operation::DescribeRemediationExecutionStatus => rule!("R-DRES-05"),
        Operation::PutEvaluations => rule!("R-PE-02"),
        Operation::PutConfigRule => rule!("R-PCR-27"),
        Operation::DeleteConfigRule => rule!("R-DCR-04"),
        Operation::DescribeConfigRules => rule!("R-DCRs-01"),
        Operation::GetComplianceDetailsByConfigRule => rule!("R-GCD-04"),
        Operation::DescribeComplianceByConfigRule => rule!("R-DCBC-04"),
        Operation::DescribeComplianceByResource => rule!("R-DCBR-05"),
        Operation::PutConfigurationRecorder
        | Operation::DescribeConfigurationRecorders
        | Operation::DescribeConfigurationRecorderStatus
        | Operation::StartConfigurationRecorder
        | Operation::StopConfigurationRecorder
        | Operation::DeleteConfigurationRecorder => rule!("R-REC-05"),
        Operation::PutDeliveryChannel | Operation::DescribeDeliveryChannels | Operation::DeleteDeliveryChannel => rule!("R-DCH-04"),
        Operation::StartConfigRulesEvaluation => rule!("R-SCE-01"),
        Operation::DeleteEvaluationResults => rule!("R-DER-01"),
    }
}

/// Response members that are compared by kind rather than by value (see [`FieldKind`]).
pub fn flexible_fields(op: Operation) -> &'static [FlexField] {
    // A struct literal of constants is promoted to 'static; a const fn call is not.
    macro_rules! f {
        ($path:expr, $kind:ident) => {
            FlexField { path: $path, kind: FieldKind::$kind }
        };
        ($path:expr, $kind:ident($arg:expr)) => {
            FlexField { path: $path, kind: FieldKind::$kind($arg) }
        };
    }
    // The words of the model's own failure texts are its choice (A-29, A-11, A-14): MAY.
    const CHOSEN: Level = Level::May;
    match op {
        Operation::DescribeRemediationConfigurations => &[
            f!("RemediationConfigurations/*/Arn", GeneratedId(IdFormat::RemediationConfigurationArn)),
            f!("RemediationConfigurations", Unordered),
        ],
        Operation::PutRemediationConfigurations => &[
            f!("FailedBatches", Unordered),
            f!("FailedBatches/*/FailureMessage", ServiceText(CHOSEN)),
        ],
        Operation::PutRemediationExceptions => &[
            f!("FailedBatches", Unordered),
            f!("FailedBatches/*/FailedItems", Unordered),
            f!("FailedBatches/*/FailureMessage", ServiceText(CHOSEN)),
        ],
        Operation::DeleteRemediationExceptions => &[
            f!("FailedBatches", Unordered),
            f!("FailedBatches/*/FailedItems", Unordered),
            f!("FailedBatches/*/FailureMessage", ServiceText(CHOSEN)),
        ],
        Operation::DescribeRemediationExceptions => &[f!("NextToken", OpaqueToken), f!("RemediationExceptions", Unordered)],
        Operation::StartRemediationExecution => {
            &[f!("FailedItems", Unordered), f!("FailureMessage", ServiceText(CHOSEN))]
        }
        Operation::DescribeRemediationExecutionStatus => &[
            f!("NextToken", OpaqueToken),
            f!("RemediationExecutionStatuses", Unordered),
            f!("RemediationExecutionStatuses/*/State", ExecutionState),
            f!("RemediationExecutionStatuses/*/InvocationTime", ClockTime),
            f!("RemediationExecutionStatuses/*/LastUpdatedTime", ClockTime),
            f!("RemediationExecutionStatuses/*/StepDetails", ExecutionSteps),
            f!("RemediationExecutionStatuses/*/StepDetails/*/ErrorMessage", ServiceText(CHOSEN)),
        ],
        Operation::PutEvaluations => &[f!("FailedEvaluations", Unordered)],
        Operation::DescribeConfigRules => &[
            f!("NextToken", OpaqueToken),
            f!("ConfigRules/*/ConfigRuleArn", GeneratedId(IdFormat::ConfigRuleArn)),
            f!("ConfigRules/*/ConfigRuleId", GeneratedId(IdFormat::ConfigRuleId)),
            // R-PCR-22: Detective only, filled in by the real service when the caller sends none.
            f!("ConfigRules/*/EvaluationModes", ObservedDefault(r#"[{"Mode":"DETECTIVE"}]"#)),
        ],
        Operation::GetComplianceDetailsByConfigRule => &[
            f!("NextToken", OpaqueToken),
            f!("EvaluationResults/*/ResultRecordedTime", ClockTime),
            f!("EvaluationResults/*/ConfigRuleInvokedTime", ClockTime),
            f!("EvaluationResults/*/EvaluationResultIdentifier/ResourceEvaluationId", GeneratedId(IdFormat::Opaque)),
        ],
        Operation::DescribeComplianceByConfigRule | Operation::DescribeComplianceByResource => {
            &[f!("NextToken", OpaqueToken)]
        }
        Operation::DescribeConfigurationRecorderStatus => &[
            f!("ConfigurationRecordersStatus/*/lastStartTime", ClockTime),
            f!("ConfigurationRecordersStatus/*/lastStopTime", ClockTime),
            f!("ConfigurationRecordersStatus/*/lastStatusChangeTime", ClockTime),
        ],
        Operation::DeleteRemediationConfiguration
        | Operation::PutConfigRule
        | Operation::DeleteConfigRule
        | Operation::PutConfigurationRecorder
        | Operation::DescribeConfigurationRecorders
        | Operation::StartConfigurationRecorder
        | Operation::StopConfigurationRecorder
        | Operation::DeleteConfigurationRecorder
        | Operation::PutDeliveryChannel
        | Operation::DescribeDeliveryChannels
        | Operation::DeleteDeliveryChannel
        | Operation::StartConfigRulesEvaluation
        | Operation::DeleteEvaluationResults => &[],
    }
}

/// Serialises a response struct (infallible for the wire types).
pub(crate) fn body<T: serde::Serialize>(response: &T) -> Value {
    serde_json::to_value(response).expect("wire types serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Timestamp, World};

    /// A body of whitespace is read as `{}` or refused (A-28); the refusal carries a world only
    /// when reading it as `{}` changed the state, as every alternative with a world must.
    #[test]
    fn a_whitespace_body_is_read_as_empty_or_refused_without_a_needless_world() {
        let mut world = World::reference(Timestamp::EPOCH_2026);
        let outcome = handle(&mut world, Operation::DescribeConfigRules, b" \n", Timestamp::EPOCH_2026);
        assert_eq!(outcome.alternatives.len(), 2);
        assert_eq!(outcome.preferred().reply.error_code(), None);
        let refused = &outcome.alternatives[1];
        assert_eq!((refused.reply.error_code(), refused.basis), (Some(ErrorCode::SerializationException), "A-28"));
        assert!(refused.world.is_none(), "reading the body as {{}} changed nothing, so the refusal needs no world of its own");
    }

    /// M-01 end to end: the executions' refusal of a key in the exceptions' spelling names the
    /// operation's member rule and M-01.
    #[test]
    fn a_pascal_case_execution_key_is_refused_under_m_01() {
        let body = serde_json::json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"}]});
        let mut world = World::reference(Timestamp::EPOCH_2026);
        let outcome = handle_value(&mut world, Operation::StartRemediationExecution, &body);
        assert_eq!(outcome.preferred().reply.error_code(), Some(ErrorCode::ValidationException));
        assert_eq!(outcome.clauses, [rule!("R-SRE-03"), rule!("M-01")]);
        let outcome = handle_value(&mut world, Operation::DescribeRemediationExecutionStatus, &body);
        assert_eq!(outcome.clauses, [rule!("M-01")]);
    }

    /// A peer that skips TargetType's enum check (R-RC-01) stores the value it was sent and
    /// lists it back unchanged; validation refuses the same body.
    #[test]
    fn an_unchecked_target_type_is_stored_as_sent() {
        let mut world = World::reference(Timestamp::EPOCH_2026);
        let rule = serde_json::json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        assert_eq!(handle_value(&mut world, Operation::PutConfigRule, &rule).preferred().reply.error_code(), None);
        let put = serde_json::json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "LAMBDA", "TargetId": "doc"}]});
        let refused = handle_value(&mut world.clone(), Operation::PutRemediationConfigurations, &put);
        assert_eq!(refused.preferred().reply.error_code(), Some(ErrorCode::ValidationException));
        let stored = apply_unchecked(&mut world, Operation::PutRemediationConfigurations, &put).expect("fits the typed request");
        assert_eq!(stored.preferred().reply.error_code(), None);
        let listed = handle_value(&mut world, Operation::DescribeRemediationConfigurations, &serde_json::json!({"ConfigRuleNames": ["r"]}));
        let crate::outcome::Reply::Success(body) = &listed.preferred().reply else { panic!("listed") };
        assert_eq!(body["RemediationConfigurations"][0]["TargetType"], "LAMBDA");
    }

    /// Every operation's variant names its operation, and [`apply`] reaches each operation's
    /// own function: a body of `{}` answers as [`handle_value`] answers it.
    #[test]
    fn every_operation_has_its_request() {
        let empty = Value::Object(Default::default());
        for op in Operation::ALL {
            let mut by_handle = World::reference(Timestamp::EPOCH_2026);
            let expected = handle_value(&mut by_handle, *op, &empty);
            match Request::from_body(*op, &empty) {
                Ok(request) => {
                    assert_eq!(request.operation(), *op);
                    let mut by_apply = World::reference(Timestamp::EPOCH_2026);
                    if expected.preferred().reply.error_code() != Some(ErrorCode::ValidationException) {
                        let applied = apply(&mut by_apply, &request);
                        let replies = |o: &Outcome| o.alternatives.iter().map(|a| a.reply.clone()).collect::<Vec<_>>();
                        assert_eq!((replies(&applied), &applied.clauses), (replies(&expected), &expected.clauses), "{op}");
                        assert!(by_apply == by_handle, "{op}: the two worlds differ");
                    }
                }
                // A required member absent: the validator refuses it too.
                Err(_) => assert_eq!(expected.preferred().reply.error_code(), Some(ErrorCode::ValidationException), "{op}"),
            }
        }
    }
}
