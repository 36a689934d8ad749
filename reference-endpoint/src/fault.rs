//! The hook for planted faults: a test's deliberately wrong peer is this endpoint's own router,
//! control API and state with a [`FaultHook`] in the path of `POST /`, so nothing of the
//! endpoint (operation routing, body limit, request ids, reset) is copied to break one rule.
//!
//! The hook sees a request once the endpoint has read the body, named the operation and (when
//! asked to) checked the signature; it answers under the endpoint's lock in place of the model
//! and may rewrite the response on its way out. Nothing ships a hook: [`crate::router`] and
//! `serve` have none.

use crate::protocol::WireError;
use crate::state::Shared;
use axum::response::Response;
use reference_model::{Operation, Reply};

/// What a planted fault changes. `Send + Sync` because one hook serves every connection.
pub trait FaultHook: Send + Sync + 'static {
    /// Answers one AWS JSON 1.1 request in place of `reference_model::handle`: `shared` is the
    /// world and clock under the lock (the world not yet advanced to the clock), `body` the
    /// bytes as sent. A hook may change the request before the model sees it, call the model
    /// (`reference_model::handle` answers exactly as the endpoint does), and change its reply.
    /// A panic inside is answered 500 `InternalFailure`, as a panic of the model is.
    fn answer(&self, shared: &mut Shared, op: Operation, body: &[u8]) -> Result<Reply, WireError>;

    /// Rewrites the HTTP response to `POST /` (headers, extensions) before it goes out; mark it
    /// with [`OmitRequestId`] to send it without `x-amzn-RequestId`. Default: unchanged.
    fn response(&self, response: Response) -> Response {
        response
    }

    /// `POST /_reference/reset` calls this before it replaces the world and clock, so a fault
    /// can forget what it remembered beside the model. Default: nothing.
    fn reset(&self) {}
}

/// A response extension: the endpoint's request-id layer leaves this response without
/// `x-amzn-RequestId` (only a [`FaultHook`] sets it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OmitRequestId;
