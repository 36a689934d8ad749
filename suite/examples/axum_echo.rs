//! The practical ceiling for the reference endpoint on this machine: a bare axum server that
//! parses each JSON body and sends it back, on the same runtime shape as `serve` (multi-thread,
//! one worker per core). `cargo xtask bench` measures it with wrk in the same run as the
//! endpoint, so the ratio between the two (issue 13, item 4) compares like with like.
//!
//!   cargo run --release -p remediation-suite --example axum_echo   # prints its URL, then serves

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;

// The same allocator as the endpoint's binary (suite/src/main.rs), so that the floor is measured
// on equal terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Parses and re-serialises the body: the work any JSON endpoint does per request at least.
async fn echo(body: Bytes) -> impl IntoResponse {
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(value) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/x-amz-json-1.1")], serde_json::to_vec(&value).unwrap_or_default()),
        Err(_) => (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "application/x-amz-json-1.1")], b"{}".to_vec()),
    }
}

fn main() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        println!("http://{}", listener.local_addr()?);
        axum::serve(listener, Router::new().route("/", post(echo))).await
    })
}
