//! The AWS JSON 1.1 face of the endpoint: `POST /` with `X-Amz-Target`, the model's preferred
//! answer on the wire.
//!
//! What happens to a request, in order (protocol checks come before authentication, as on the
//! real service, research Q12):
//!
//! 1. The body is read up to the size limit; more → 413 `RequestEntityTooLargeException`.
//! 2. `X-Amz-Target` must be `StarlingDoveService.<Operation>` for an operation the model
//!    knows; missing, not text, or unknown → 400 bare `{"__type":"UnknownOperationException"}`.
//! 3. With signature checking on: a body that is not JSON → 400 `SerializationException`
//!    first, then the SigV4 check ([`crate::signature`]).
//! 4. The body is read once, outside the lock (`reference_model::ops::RequestBody`: an empty
//!    body is `{}`); under the lock: read the clock, `reference_model::ops::handle_body`
//!    (advance the world to it, then apply or refuse), take the preferred reply.
//!    Should the model panic, the answer is 500 `InternalFailure` and the endpoint goes on.
//! 5. Success: 200, `Content-Type: application/x-amz-json-1.1`, the JSON body; an operation
//!    without an output shape (the model's `Value::Null`: PutConfigRule, DeleteConfigRule)
//!    gets an empty body, as the real service sends (research Q10/Q14). Errors: the code's
//!    status, `{"__type":"<Code>","message":"<text>"}` (no `message` when the text is empty,
//!    like the real `{"__type":"SerializationException"}`) and `X-Amzn-ErrorType: <Code>`.
//!
//! Every response also gets `x-amzn-RequestId` (added by a layer in `lib.rs`). A planted fault
//! ([`crate::fault::FaultHook`]) answers step 4 in the model's place and may rewrite step 5's
//! response.

use crate::signature;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use reference_model::ops::{handle_body, RequestBody};
use reference_model::{ErrorCode, Operation, Reply};
use serde_json::Value;
use std::sync::Arc;

/// The content type of AWS JSON 1.1, requests and responses alike.
pub const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// An error answer in AWS JSON 1.1 form. The code is a string because some codes the endpoint
/// sends (the authentication errors) are not errors of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl WireError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        WireError { status, code: code.into(), message: message.into() }
    }

    /// One of the model's codes, with the status the model gives it.
    pub fn model(code: ErrorCode, message: impl Into<String>) -> Self {
        WireError::new(code.http_status(), code.as_str(), message)
    }
}

impl IntoResponse for WireError {
    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("__type".to_owned(), Value::String(self.code.clone()));
        if !self.message.is_empty() {
            body.insert("message".to_owned(), Value::String(self.message));
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = amz_json(status, serde_json::to_vec(&body).unwrap_or_default());
        // A code is an identifier; should one ever not fit a header, the body still carries it.
        if let Ok(value) = HeaderValue::from_str(&self.code) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
        response
    }
}

/// A response with the AWS JSON content type.
fn amz_json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
    response
}

/// The model's reply on the wire.
pub fn reply_response(reply: Reply) -> Response {
    match reply {
        // No output shape: the real service sends content-length 0.
        Reply::Success(Value::Null) => amz_json(StatusCode::OK, Vec::new()),
        Reply::Success(value) => amz_json(StatusCode::OK, serde_json::to_vec(&value).unwrap_or_default()),
        Reply::Failure(e) => WireError::model(e.code, e.message).into_response(),
    }
}

/// The operation an `X-Amz-Target` header names, if any.
fn operation(headers: &HeaderMap) -> Result<Operation, WireError> {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(Operation::from_target)
        // Bare, as the real service answers (research Q12).
        .ok_or_else(|| WireError::model(ErrorCode::UnknownOperationException, ""))
}

/// The body, or the error answer for one that could not be read.
pub fn read_body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, WireError> {
    match body {
        Ok(bytes) => Ok(bytes),
        Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => Err(WireError::model(
            ErrorCode::RequestEntityTooLargeException,
            format!("Request body is larger than the endpoint's limit of {limit} bytes."),
        )),
        Err(other) => Err(WireError::new(400, "SerializationException", format!("Could not read the request body: {other}"))),
    }
}

/// `POST /`: one AWS JSON 1.1 request.
pub async fn handle_aws_json(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let response = match answer(&state, &method, &uri, &headers, body) {
        Ok(reply) => reply_response(reply),
        Err(e) => e.into_response(),
    };
    match &state.fault {
        Some(fault) => fault.response(response),
        None => response,
    }
}

fn answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Reply, WireError> {
    let body = read_body(body, state.max_body_bytes)?;
    let op = operation(headers)?;
    // Parsed before the lock is taken: the JSON does not depend on the world, and another
    // request can be applied meanwhile (issue 13, item 4).
    let read = RequestBody::read(&body);
    if let Some((access_key, secret_key)) = &state.credentials {
        if read == RequestBody::Malformed {
            return Err(WireError::model(ErrorCode::SerializationException, ""));
        }
        signature::verify(method, uri, headers, &body, access_key, secret_key)
            .map_err(|f| WireError::new(f.status(), f.code(), f.message()))?;
    }
    if let Some(fault) = &state.fault {
        // A planted fault answers in the model's place, under the same lock (`crate::fault`).
        return state.with_shared(|shared| fault.answer(shared, op, &body)).map_err(panicked)?;
    }
    // The one critical section: synchronous, no await while the lock is held. What it does is
    // `reference_model::handle` (advance the clock, then apply), with the body already read.
    let outcome = state
        .with_shared(|shared| {
            let now = shared.clock.now();
            handle_body(&mut shared.world, op, &read, now)
        })
        .map_err(panicked)?;
    Ok(outcome.alternatives.into_iter().next().map_or_else(
        || Reply::Failure(reference_model::ApiError::new(ErrorCode::InternalFailure, "the model gave no answer")),
        |preferred| preferred.reply,
    ))
}

/// The answer to a request whose handling panicked (a bug of the model or of a planted fault).
fn panicked(panic: crate::state::ModelPanic) -> WireError {
    WireError::model(ErrorCode::InternalFailure, format!("The reference model failed on this request: {panic}"))
}

/// Any other path: the endpoint only serves `POST /` and the control API.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    let mut response = WireError::model(
        ErrorCode::UnknownOperationException,
        format!(
            "{method} {} is not served here: AWS JSON 1.1 requests go to POST /, the control API lives under /_reference/.",
            uri.path()
        ),
    )
    .into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
