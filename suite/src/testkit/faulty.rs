//! The reference endpoint with one rule broken on purpose ([`Fault`]), or with one MAY/SHOULD
//! detail of its answers changed ([`Alteration`]).
//!
//! The world, the virtual clock and the control API (`/_reference/{health,clock,control,reset}`)
//! are the reference endpoint's own ([`crate::server::state::AppState`] and
//! [`crate::server::control`]), so the runner's `reference` profile drives these peers exactly as
//! it drives the real thing; only `POST /` goes through the fault.

use super::{spawn, Peer};
use crate::server::protocol::{read_body, reply_response, WireError};
use crate::server::state::AppState;
use crate::server::{control, ClockMode, DEFAULT_MAX_BODY_BYTES};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use reference_model::validate::{validate_request, violations, Violation};
use reference_model::wire::*;
use reference_model::{ops, ComplianceType, Control, ErrorCode, Operation, Outcome, Reply, Timestamp, World};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// One broken rule. Each is what a real implementation might plausibly get wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// None: answers exactly as the reference endpoint does.
    None,
    /// 101 `ResourceKeys` are accepted by PutRemediationExceptions and StartRemediationExecution
    /// (the limit is 100) when that length is the request's only violation.
    OffByOneResourceKeys,
    /// A whitespace-only `ConfigRuleName` is accepted (the `.*\S.*` pattern is not checked) when
    /// the pattern is the request's only violation, for every operation.
    NoPatternCheck,
    /// PutRemediationExceptions stores an exception for every key, NON_COMPLIANT or not (each key
    /// is marked NON_COMPLIANT under the rule before the request is applied).
    ExceptionForCompliantResource,
    /// `ResourceNotFoundException` instead of `NoSuchRemediationConfigurationException`.
    WrongErrorCode,
    /// `FailedBatches` (DeleteRemediationExceptions) and `FailedItems`
    /// (StartRemediationExecution) always come back empty.
    DropFailedBatches,
    /// `ExpirationTime` of PutRemediationExceptions is dropped before the model sees it.
    ExpiryIgnored,
}

impl Fault {
    /// Every broken rule (not [`Fault::None`]).
    pub const BROKEN: [Fault; 6] = [
        Fault::OffByOneResourceKeys,
        Fault::NoPatternCheck,
        Fault::ExceptionForCompliantResource,
        Fault::WrongErrorCode,
        Fault::DropFailedBatches,
        Fault::ExpiryIgnored,
    ];
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

struct Faulty {
    app: Arc<AppState>,
    fault: Fault,
    alteration: Option<Alteration>,
}

/// Marks a response that must go out without `x-amzn-RequestId`.
#[derive(Clone, Copy)]
struct NoRequestId;

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
    let app = Arc::new(AppState::new(
        "123456789012".into(),
        "us-east-1".into(),
        ClockMode::Virtual,
        None,
        DEFAULT_MAX_BODY_BYTES,
    ));
    let control_routes = Router::new()
        .route("/_reference/health", get(control::health).fallback(control::wrong_method))
        .route("/_reference/clock", get(control::get_clock).post(control::post_clock).fallback(control::wrong_method))
        .route("/_reference/control", post(control::post_control).fallback(control::wrong_method))
        .route("/_reference/reset", post(control::post_reset).fallback(control::wrong_method))
        .route("/_reference/{*rest}", any(control::not_found))
        .with_state(app.clone());
    let faulty = Arc::new(Faulty { app: app.clone(), fault, alteration });
    let router = Router::new()
        .route("/", post(aws_json).fallback(crate::server::protocol::not_found))
        .fallback(crate::server::protocol::not_found)
        .with_state(faulty)
        .merge(control_routes)
        .layer(axum::middleware::map_response_with_state(app, add_request_id))
        .layer(axum::extract::DefaultBodyLimit::max(DEFAULT_MAX_BODY_BYTES));
    spawn(name, router)
}

async fn add_request_id(State(app): State<Arc<AppState>>, mut response: Response) -> Response {
    if response.extensions().get::<NoRequestId>().is_none() {
        if let Ok(value) = HeaderValue::from_str(&app.next_request_id()) {
            response.headers_mut().insert("x-amzn-requestid", value);
        }
    }
    response
}

async fn aws_json(State(peer): State<Arc<Faulty>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let mut response = match answer(&peer, &headers, body) {
        Ok(reply) => reply_response(reply),
        Err(e) => e.into_response(),
    };
    if peer.alteration == Some(Alteration::HtmlContentTypeNoRequestId) {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        response.extensions_mut().insert(NoRequestId);
    }
    response
}

fn answer(peer: &Faulty, headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Reply, WireError> {
    let body = read_body(body, DEFAULT_MAX_BODY_BYTES)?;
    let op = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(Operation::from_target)
        .ok_or_else(|| WireError::model(ErrorCode::UnknownOperationException, ""))?;
    let mut shared = peer.app.lock();
    let now = shared.clock.now();
    let outcome = faulty_outcome(peer.fault, &mut shared.world, op, &body, now);
    drop(shared);
    let mut reply = outcome.alternatives.into_iter().next().map_or_else(
        || Reply::Failure(reference_model::ApiError::new(ErrorCode::InternalFailure, "the model gave no answer")),
        |preferred| preferred.reply,
    );
    match (&mut reply, peer.fault) {
        (Reply::Failure(e), Fault::WrongErrorCode) if e.code == ErrorCode::NoSuchRemediationConfigurationException => {
            return Err(WireError::new(e.code.http_status(), "ResourceNotFoundException", e.message.clone()));
        }
        (Reply::Success(body), Fault::DropFailedBatches) => {
            let member = match op {
                Operation::DeleteRemediationExceptions => Some("FailedBatches"),
                Operation::StartRemediationExecution => Some("FailedItems"),
                _ => None,
            };
            if let Some(list) = member.and_then(|m| body.get_mut(m)) {
                *list = Value::Array(Vec::new());
            }
        }
        _ => {}
    }
    if peer.alteration == Some(Alteration::ErrorMessage) {
        if let Reply::Failure(e) = &mut reply {
            if !e.message.is_empty() {
                e.message.push_str(REWORDED_SUFFIX);
            }
        }
    }
    Ok(reply)
}

/// The model's outcome for one request, bent by the fault.
fn faulty_outcome(fault: Fault, world: &mut World, op: Operation, body: &[u8], now: Timestamp) -> Outcome {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return reference_model::handle(world, op, body, now);
    };
    match fault {
        Fault::OffByOneResourceKeys
            if matches!(op, Operation::PutRemediationExceptions | Operation::StartRemediationExecution) =>
        {
            let is_101 = |v: &Violation| {
                v.path == "resourceKeys"
                    && v.constraint == "Member must have length less than or equal to 100"
                    && map.get("ResourceKeys").and_then(Value::as_array).is_some_and(|k| k.len() == 101)
            };
            if only_violations(op, &Value::Object(map.clone()), is_101) {
                world.advance_to(now);
                if let Some(outcome) = apply_unvalidated(world, op, &Value::Object(map)) {
                    return outcome;
                }
            }
        }
        Fault::NoPatternCheck => {
            let whitespace_name = |v: &Violation| {
                v.path.ends_with("onfigRuleName")
                    && v.constraint.starts_with("Member must satisfy regular expression pattern")
            };
            let value = Value::Object(map);
            if only_violations(op, &value, whitespace_name) {
                world.advance_to(now);
                if let Some(outcome) = apply_unvalidated(world, op, &value) {
                    return outcome;
                }
            }
        }
        Fault::ExceptionForCompliantResource if op == Operation::PutRemediationExceptions => {
            if let Ok(req) = serde_json::from_value::<PutRemediationExceptionsRequest>(Value::Object(map)) {
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
        Fault::ExpiryIgnored if op == Operation::PutRemediationExceptions => {
            map.remove("ExpirationTime");
            world.advance_to(now);
            return reference_model::handle_value(world, op, &Value::Object(map));
        }
        _ => {}
    }
    reference_model::handle(world, op, body, now)
}

/// True when validation fails, and only with violations `allowed` accepts.
fn only_violations(op: Operation, body: &Value, allowed: impl Fn(&Violation) -> bool) -> bool {
    let Err(e) = validate_request(op, body) else { return false };
    let found = violations(op, body);
    e.code == ErrorCode::ValidationException && !found.is_empty() && found.iter().all(allowed)
}

/// The operation applied to a body the validator refused; `None` when the body does not even
/// fit the typed request.
fn apply_unvalidated(world: &mut World, op: Operation, body: &Value) -> Option<Outcome> {
    fn typed<T: DeserializeOwned>(body: &Value) -> Option<T> {
        serde_json::from_value(body.clone()).ok()
    }
    Some(match op {
        Operation::PutRemediationConfigurations => ops::apply_put_configurations(world, &typed(body)?),
        Operation::DescribeRemediationConfigurations => ops::apply_describe_configurations(world, &typed(body)?),
        Operation::DeleteRemediationConfiguration => ops::apply_delete_configuration(world, &typed(body)?),
        Operation::PutRemediationExceptions => ops::apply_put_exceptions(world, &typed(body)?),
        Operation::DescribeRemediationExceptions => ops::apply_describe_exceptions(world, &typed(body)?),
        Operation::DeleteRemediationExceptions => ops::apply_delete_exceptions(world, &typed(body)?),
        Operation::StartRemediationExecution => ops::apply_start_execution(world, &typed(body)?),
        Operation::DescribeRemediationExecutionStatus => ops::apply_describe_execution_status(world, &typed(body)?),
        Operation::PutEvaluations => ops::apply_put_evaluations(world, &typed(body)?),
        Operation::PutConfigRule => ops::apply_put_config_rule(world, &typed(body)?),
        Operation::DeleteConfigRule => ops::apply_delete_config_rule(world, &typed(body)?),
        Operation::DescribeConfigRules => ops::apply_describe_config_rules(world, &typed(body)?),
        Operation::GetComplianceDetailsByConfigRule => ops::apply_get_compliance_details(world, &typed(body)?),
        Operation::DescribeComplianceByConfigRule => ops::apply_describe_compliance_by_config_rule(world, &typed(body)?),
        Operation::DescribeComplianceByResource => ops::apply_describe_compliance_by_resource(world, &typed(body)?),
    })
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

    #[test]
    fn off_by_one_accepts_exactly_101_keys_and_nothing_else() {
        let keys = |n: usize| (1..=n).map(|i| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": format!("b{i}")})).collect::<Vec<_>>();
        let body = |n: usize| json!({"ConfigRuleName": "r", "ResourceKeys": keys(n)}).to_string().into_bytes();
        let now = Timestamp::EPOCH_2026;
        let op = Operation::PutRemediationExceptions;
        assert!(matches!(preferred(&faulty_outcome(Fault::OffByOneResourceKeys, &mut world(), op, &body(101), now)), Reply::Success(_)));
        assert!(matches!(preferred(&faulty_outcome(Fault::None, &mut world(), op, &body(101), now)), Reply::Failure(_)));
        assert!(matches!(preferred(&faulty_outcome(Fault::OffByOneResourceKeys, &mut world(), op, &body(102), now)), Reply::Failure(_)));
    }

    #[test]
    fn no_pattern_check_accepts_only_a_whitespace_name() {
        let now = Timestamp::EPOCH_2026;
        let op = Operation::DescribeRemediationExceptions;
        let blank = br#"{"ConfigRuleName": "   "}"#;
        assert!(matches!(preferred(&faulty_outcome(Fault::NoPatternCheck, &mut world(), op, blank, now)), Reply::Success(_)));
        assert!(matches!(preferred(&faulty_outcome(Fault::None, &mut world(), op, blank, now)), Reply::Failure(_)));
        let also_bad_limit = br#"{"ConfigRuleName": "   ", "Limit": 1000}"#;
        assert!(matches!(preferred(&faulty_outcome(Fault::NoPatternCheck, &mut world(), op, also_bad_limit, now)), Reply::Failure(_)));
    }
}
