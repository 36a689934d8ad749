//! Reading an answer: what the target's bytes mean ([`ActualReply`]), or why they cannot be
//! judged (an unimplemented operation, a broken server, throttling or refused credentials).

use super::codes;
use crate::profile::TargetProfile;
use crate::target::Observed;
use crate::verdict::Verdict;
use reference_model::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the target's answer means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActualReply {
    /// 2xx; an empty body is `null`.
    Success { status: u16, body: Value },
    /// An error with a readable `__type`.
    Failure { status: u16, code: String, message: Option<String> },
}

/// Reads an answer. `Err` carries the verdict and why when the answer is not a judgeable reply.
pub fn read_answer(op: Operation, observed: &Observed, profile: &TargetProfile) -> Result<ActualReply, (Verdict, String)> {
    read_answer_for(op, observed, profile, true)
}

/// As [`read_answer`]; with `operation_exists` false (a call naming an operation the service
/// does not have), "not implemented" and a 5xx with an error type are answers to judge, not
/// UNIMPLEMENTED or ERROR: the service has nothing to implement there (S-12).
pub(super) fn read_answer_for(
    op: Operation,
    observed: &Observed,
    profile: &TargetProfile,
    operation_exists: bool,
) -> Result<ActualReply, (Verdict, String)> {
    let text = observed.body_text();
    let looks_html = text.trim_start().starts_with('<')
        || observed.header("content-type").is_some_and(|c| c.contains("text/html"));
    let lowered = text.to_ascii_lowercase();
    let says_unimplemented = lowered.contains("not been implemented")
        || lowered.contains("not yet implemented")
        || lowered.contains("is not implemented")
        || lowered.contains("notimplemented");
    if operation_exists && (observed.status == 501 || (observed.status >= 400 && says_unimplemented)) {
        return Err((Verdict::Unimplemented, format!("HTTP {}: {}", observed.status, snippet(&text))));
    }
    if operation_exists && observed.status == 500 && looks_html && profile.html_500_unimplemented.contains(&op) {
        return Err((
            Verdict::Unimplemented,
            format!("HTTP 500 with an HTML page, which {} sends for operations it lacks", profile.name),
        ));
    }
    if (200..300).contains(&observed.status) {
        if text.trim().is_empty() {
            return Ok(ActualReply::Success { status: observed.status, body: Value::Null });
        }
        return match serde_json::from_slice::<Value>(&observed.body) {
            Ok(body) => Ok(ActualReply::Success { status: observed.status, body }),
            Err(e) => Err((Verdict::Error, format!("HTTP {} with a body that is not JSON ({e}): {}", observed.status, snippet(&text)))),
        };
    }
    let parsed: Option<Value> = serde_json::from_slice(&observed.body).ok();
    let typed = parsed.as_ref().is_some_and(|v| v.get("__type").is_some());
    if observed.status >= 500 && (operation_exists || !typed) {
        return Err((Verdict::Error, format!("server error HTTP {}: {}", observed.status, snippet(&text))));
    }
    let type_field = parsed
        .as_ref()
        .and_then(|v| v.get("__type"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| observed.header("x-amzn-errortype").map(|h| h.split(':').next().unwrap_or(h).to_owned()));
    match type_field {
        Some(t) => {
            // As SDKs read it (awsJson1_1): before the first `:`, after the last `#`.
            let t = t.split(':').next().unwrap_or(&t);
            let code = t.rsplit('#').next().unwrap_or(t).to_owned();
            if codes::TRANSIENT_OR_ACCESS.contains(&code.as_str()) {
                return Err((
                    Verdict::Error,
                    format!("HTTP {} {code}: the target throttled the call or refused the credentials, so nothing can be judged: {}", observed.status, snippet(&text)),
                ));
            }
            let message = parsed.as_ref().and_then(|v| {
                v.get("message").or_else(|| v.get("Message")).and_then(Value::as_str).map(str::to_owned)
            });
            Ok(ActualReply::Failure { status: observed.status, code, message })
        }
        None => Err((
            Verdict::Error,
            format!("HTTP {} without an error type (no __type, no X-Amzn-ErrorType): {}", observed.status, snippet(&text)),
        )),
    }
}

fn snippet(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}
