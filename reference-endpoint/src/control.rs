//! The control API under `/_reference/`: what a test needs that a real account would get from
//! other services (a rule's Lambda function, SSM, the passage of time). JSON in, JSON out
//! (`Content-Type: application/json`); every error is `{"error": "<what went wrong>"}` with
//! status 400 (404 for an unknown path, 413 for a body over the limit). The routes are listed
//! in the module documentation of [`crate`]. Signatures are never checked here.

use crate::protocol::read_body;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use reference_model::{Control, Millis, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// A JSON answer of the control API.
fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, Body::from(serde_json::to_vec(value).unwrap_or_default())).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &json!({ "error": message.into() }))
}

/// The request body, or the status and text of the error answer (over the limit, unreadable).
fn body(state: &AppState, body: Result<Bytes, BytesRejection>) -> Result<Bytes, (StatusCode, String)> {
    read_body(body, state.max_body_bytes)
        .map_err(|e| (StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), e.message))
}

/// `GET /_reference/health`
pub async fn health() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
}

/// `GET /_reference/clock`
pub async fn get_clock(State(state): State<Arc<AppState>>) -> Response {
    let now = state.lock().clock.now();
    json_response(StatusCode::OK, &json!({ "now": now.to_json() }))
}

/// The body of `POST /_reference/clock`: exactly one of the two members.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance_seconds: Option<f64>,
    set: Option<f64>,
}

/// Largest clock step or setting accepted, in seconds (about 3,000 years): keeps the
/// millisecond arithmetic far from overflow.
const MAX_CLOCK_SECONDS: f64 = 1.0e11;

/// `POST /_reference/clock`
pub async fn post_clock(State(state): State<Arc<AppState>>, raw: Result<Bytes, BytesRejection>) -> Response {
    let raw = match body(&state, raw) {
        Ok(b) => b,
        Err((status, message)) => return error(status, message),
    };
    let change: ClockChange = match serde_json::from_slice(&raw) {
        Ok(c) => c,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"advance_seconds\": N}} or {{\"set\": <epoch seconds>}}: {e}"),
            )
        }
    };
    let in_range = |s: f64| s.is_finite() && (0.0..=MAX_CLOCK_SECONDS).contains(&s);
    let millis = |s: f64| (s * 1000.0).round() as i64;
    let change = match (change.advance_seconds, change.set) {
        (Some(s), None) if in_range(s) => Change::Advance(Millis(millis(s))),
        (Some(s), None) => {
            return error(StatusCode::BAD_REQUEST, format!("advance_seconds must be between 0 and {MAX_CLOCK_SECONDS}, got {s}"))
        }
        (None, Some(s)) if in_range(s) => Change::Set(Timestamp::from_millis(millis(s))),
        (None, Some(s)) => {
            return error(StatusCode::BAD_REQUEST, format!("set must be epoch seconds between 0 and {MAX_CLOCK_SECONDS}, got {s}"))
        }
        _ => return error(StatusCode::BAD_REQUEST, "give exactly one of \"advance_seconds\" and \"set\""),
    };
    let result = state.with_shared(|shared| {
        let now = match change {
            Change::Advance(by) => shared.clock.advance(by)?,
            Change::Set(t) => shared.clock.set(t)?,
        };
        // Run the executions and expiries that are now due, so the world is at `now` too.
        shared.world.advance_to(now);
        Ok::<_, crate::clock::ClockError>(now)
    });
    match result {
        Ok(Ok(now)) => json_response(StatusCode::OK, &json!({ "now": now.to_json() })),
        Ok(Err(e)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(panic) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("the reference model failed: {panic}")),
    }
}

/// A validated clock change.
enum Change {
    Advance(Millis),
    Set(Timestamp),
}

/// `POST /_reference/control`: one [`Control`] action, answered with the model's
/// `ControlAnswer` (`{}` or `{"ResultToken": "…"}`; `{"error": "…"}` with 400).
pub async fn post_control(State(state): State<Arc<AppState>>, raw: Result<Bytes, BytesRejection>) -> Response {
    let raw = match body(&state, raw) {
        Ok(b) => b,
        Err((status, message)) => return error(status, message),
    };
    let action: Control = match serde_json::from_slice(&raw) {
        Ok(a) => a,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "not a control action ({e}); \"action\" is one of set_compliance, issue_result_token, \
                     mark_service_linked, script_ssm, set_default_ssm, set_recorder, set_rule_deletion, set_rule_state_times"
                ),
            )
        }
    };
    let answer = state.with_shared(|shared| {
        let now = shared.clock.now();
        shared.world.control(&action, now)
    });
    let answer = match answer {
        Ok(answer) => answer,
        Err(panic) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("the reference model failed: {panic}")),
    };
    let status = if answer.error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    json_response(status, &serde_json::to_value(&answer).unwrap_or_else(|_| json!({})))
}

/// `POST /_reference/reset`: a fresh world and clock, as at start-up.
pub async fn post_reset(State(state): State<Arc<AppState>>) -> Response {
    let now = state.reset();
    json_response(StatusCode::OK, &json!({ "now": now.to_json() }))
}

/// Any other path under `/_reference/`.
pub async fn not_found(uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!(
            "no control route {}: the routes are GET health, GET|POST clock, POST control, POST reset under /_reference/",
            uri.path()
        ),
    )
}

/// A control route asked with the wrong method.
pub async fn wrong_method(method: axum::http::Method, uri: Uri) -> Response {
    let allowed = match uri.path() {
        "/_reference/health" => "GET",
        "/_reference/clock" => "GET or POST",
        _ => "POST",
    };
    let mut response = error(StatusCode::METHOD_NOT_ALLOWED, format!("{method} {} : use {allowed}", uri.path()));
    if let Ok(value) = HeaderValue::from_str(&allowed.replace(" or ", ", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
