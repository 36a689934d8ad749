//! Peers that answer every request with the same broken or foreign answer, whatever was asked.

use super::{spawn, Peer};
use reference_endpoint::protocol::AMZ_JSON;
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
        Router::new()
            // As moto does, it empties its state on POST /moto-api/reset (the moto profile's reset).
            .route("/moto-api/reset", axum::routing::post(|| async { fixed(StatusCode::OK, "application/json", "{}") }))
            .fallback(|| async { fixed(StatusCode::INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", MOTO_HTML_500) }),
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

/// Answers 200 with the AWS JSON content type and a body of 1 MiB, of which it sends one byte
/// every 200 ms: only a timeout over the whole answer gets out.
pub fn slow_drip() -> Peer {
    raw("slow-drip", |mut stream| {
        use std::io::Write;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: {AMZ_JSON}\r\nContent-Length: 1048576\r\n\r\n");
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        while stream.write_all(b" ").is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    })
}

/// Accepts every connection and closes it at once, before any answer.
pub fn reset_connections() -> Peer {
    raw("reset", drop)
}

/// A peer below HTTP: `serve` gets every accepted connection, on a thread of its own.
fn raw(name: &str, serve: fn(std::net::TcpStream)) -> Peer {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).expect("a loopback port for a test peer");
    listener.set_nonblocking(true).expect("a non-blocking listener");
    let addr = listener.local_addr().expect("the peer's address");
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let (stop, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("testkit-{name}"))
        .spawn(move || {
            while stop_rx.try_recv().is_err() {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nonblocking(false);
                        // Detached: a connection ends when the client gives up on it.
                        let _ = std::thread::Builder::new().name("testkit-raw-connection".into()).spawn(move || serve(stream));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        })
        .expect("a thread for a test peer");
    Peer { url: format!("http://{addr}"), addr, requests, stop: Some(stop), thread: Some(thread) }
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
