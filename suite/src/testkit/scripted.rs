//! Peers that answer every request with the same broken or foreign answer, whatever was asked.

use super::{spawn, Peer};
use crate::server::protocol::AMZ_JSON;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use reference_model::Operation;

fn fixed(status: StatusCode, content_type: &'static str, body: &'static str) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn with_request_id(mut response: Response) -> Response {
    response.headers_mut().insert("x-amzn-requestid", HeaderValue::from_static("00000000-0000-4000-8000-000000000000"));
    response
}

/// A truncated answer: 200, the AWS JSON content type, and a body cut off mid-document.
pub fn garbage_json() -> Peer {
    spawn(
        "garbage-json",
        Router::new().fallback(|| async {
            with_request_id(fixed(StatusCode::OK, AMZ_JSON, r#"{"FailedBatches": [{"FailureMessage": "#))
        }),
    )
}

/// 500 with a well-formed `InternalFailure` error: the server broke, the answer says nothing of
/// the operation.
pub fn server_error() -> Peer {
    spawn(
        "server-error",
        Router::new().fallback(|| async {
            let mut r = with_request_id(fixed(
                StatusCode::INTERNAL_SERVER_ERROR,
                AMZ_JSON,
                r#"{"__type":"InternalFailure","message":"We encountered an internal error. Please try again."}"#,
            ));
            r.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static("InternalFailure"));
            r
        }),
    )
}

/// The page werkzeug sends when a moto backend raises `NotImplementedError`.
pub const MOTO_HTML_500: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. \
Either the server is overloaded or there is an error in the application.</p>\n";

/// 500 with an HTML page, as moto answers an operation it does not implement.
pub fn html_500() -> Peer {
    spawn(
        "html-500",
        Router::new().fallback(|| async { fixed(StatusCode::INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", MOTO_HTML_500) }),
    )
}

/// `PutRemediationExceptions` → `put_remediation_exceptions`, as LocalStack names actions.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// 501 `{"__type":"InternalFailure","message":"The <action> action has not been implemented"}`,
/// as LocalStack answers an operation it lacks; the action is taken from `X-Amz-Target`.
pub fn not_implemented_501() -> Peer {
    spawn(
        "not-implemented-501",
        Router::new().fallback(|headers: HeaderMap| async move {
            let action = headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .and_then(Operation::from_target)
                .map_or_else(|| "unknown".to_owned(), |op| snake_case(op.name()));
            let body = serde_json::json!({
                "__type": "InternalFailure",
                "message": format!("The {action} action has not been implemented"),
            });
            let mut r = (StatusCode::NOT_IMPLEMENTED, Body::from(body.to_string())).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
            with_request_id(r)
        }),
    )
}

/// Accepts every request and never answers; the client's timeout is the only way out.
pub fn hang() -> Peer {
    spawn("hang", Router::new().fallback(std::future::pending::<Response>))
}

/// 400 with `{}`: an error without `__type` or `X-Amzn-ErrorType`, so nothing says which.
pub fn missing_error_type() -> Peer {
    spawn("missing-error-type", Router::new().fallback(|| async { with_request_id(fixed(StatusCode::BAD_REQUEST, AMZ_JSON, "{}")) }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn actions_are_named_as_localstack_names_them() {
        assert_eq!(super::snake_case("PutRemediationExceptions"), "put_remediation_exceptions");
    }
}
