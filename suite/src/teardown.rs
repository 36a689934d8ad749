//! Deleting a Config rule the suite created, with everything hanging on it.
//!
//! A rule cannot go while its remediation configuration exists, and the configuration cannot
//! go while an execution is in progress (RemediationInProgressException, R-DelRC-03); the
//! exceptions placed on the rule outlive it on some targets. So the order is: exceptions,
//! configuration (retried with backoff while an execution runs, moving the target's clock
//! where the runner controls it), rule (retried while the target says it is in use). What
//! still stands when the time budget is spent is a [`Leftover`], named to the user: the
//! suite never leaves something behind silently.
//!
//! Only names the suite made are ever passed here (`rsuite-…`); this module deletes nothing
//! else.

use crate::judge::{read_answer, ActualReply};
use crate::target::Observed;
use crate::profile::Capability;
use crate::runner::NAME_PREFIX;
use crate::target::{Target, TransportError, WireRequest};
use crate::verdict::Verdict;
use reference_model::Operation;
use serde_json::{json, Value};
use std::fmt;
use std::time::{Duration, Instant};

/// Something the suite created and could not delete.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Leftover {
    /// The Config rule's name (`rsuite-…`).
    pub rule: String,
    /// Why it is still there: the last answer or transport failure.
    pub reason: String,
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.rule, self.reason)
    }
}

/// Why a cleanup call did not do what cleanup needs. Its text is a [`Leftover`]'s reason, or
/// what `cleanup` prints when it cannot list the rules.
#[derive(Debug, thiserror::Error)]
pub enum TeardownError {
    /// The call got no HTTP answer.
    #[error("{op}: no answer: {source}")]
    NoAnswer { op: Operation, source: TransportError },
    /// The target answered with an error code cleanup cannot act on (or one that means "not
    /// now" when the time budget is spent).
    #[error("{op} answered {code}: {message}")]
    Refused { op: Operation, code: String, message: String },
    /// The answer is not one the judge can read (malformed, wrong protocol).
    #[error("{op} {verdict}: {note}")]
    Unreadable { op: Operation, verdict: Verdict, note: String },
    /// DeleteRemediationExceptions answered with failed batches (R-DelRE-03).
    #[error("DeleteRemediationExceptions left exceptions: {failed_batches}")]
    ExceptionsLeft { failed_batches: Value },
    /// The target lacks an operation cleanup cannot do without (DeleteConfigRule).
    #[error("the target does not implement {op}")]
    Unimplemented { op: Operation },
    /// Still refused for now when the time budget was spent (R-DelRC-03, R-DCR-02).
    #[error("{last} (still so after {seconds} s)")]
    StillBusy { last: Box<TeardownError>, seconds: u64 },
}

impl TeardownError {
    fn refused(op: Operation, code: String, message: Option<String>) -> Self {
        TeardownError::Refused { op, code, message: message.unwrap_or_default() }
    }
}

/// How long one rule may take to delete, waits included.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(60);

/// How far the clock of a target whose clock the runner controls moves on each retry: enough
/// for any modelled execution to end (A-08: 1 s queued, 2 s running; retries within 60 s).
const CLOCK_STEP_SECONDS: f64 = 120.0;

/// The answer of one cleanup call, as far as cleanup cares.
enum Answer {
    Done,
    /// The target refuses for now (an execution in progress, the rule in use).
    Busy(TeardownError),
    /// The target does not implement the operation.
    Unimplemented,
    /// Anything else: an error, a broken answer.
    Other(TeardownError),
}

fn classify<T: Target>(target: &T, op: Operation, observed: &Observed, done_codes: &[&str], busy_codes: &[&str]) -> Answer {
    match read_answer(op, observed, target.profile()) {
        Ok(ActualReply::Success { .. }) => Answer::Done,
        Ok(ActualReply::Failure { code, .. }) if done_codes.contains(&code.as_str()) => Answer::Done,
        Ok(ActualReply::Failure { code, message, .. }) if busy_codes.contains(&code.as_str()) => {
            Answer::Busy(TeardownError::refused(op, code, message))
        }
        Ok(ActualReply::Failure { code, message, .. }) => Answer::Other(TeardownError::refused(op, code, message)),
        Err((Verdict::Unimplemented, _)) => Answer::Unimplemented,
        Err((verdict, note)) => Answer::Other(TeardownError::Unreadable { op, verdict, note }),
    }
}

async fn call<T: Target>(target: &T, op: Operation, body: &Value) -> Result<Observed, TeardownError> {
    target
        .call(&WireRequest::for_operation(op, body.to_string().into_bytes()))
        .await
        .map_err(|source| TeardownError::NoAnswer { op, source })
}

/// Deletes the exceptions on `rule`, its remediation configuration and the rule itself.
///
/// `clock` is the target's time in epoch seconds when the runner controls it (moved forward
/// on each retry so executions can end); `None` otherwise.
pub async fn delete_rule<T: Target>(target: &T, rule: &str, mut clock: Option<f64>, budget: Duration) -> Result<(), Leftover> {
    debug_assert!(rule.starts_with(NAME_PREFIX), "cleanup only touches the suite's own names");
    let leftover = |reason: TeardownError| Leftover { rule: rule.to_owned(), reason: reason.to_string() };
    let deadline = Instant::now() + budget;
    delete_exceptions(target, rule).await.map_err(leftover)?;
    let name = json!({ "ConfigRuleName": rule });
    let steps: [(Operation, &[&str], &[&str]); 2] = [
        (
            Operation::DeleteRemediationConfiguration,
            &["NoSuchRemediationConfigurationException"],
            &["RemediationInProgressException", "ResourceInUseException"],
        ),
        (Operation::DeleteConfigRule, &["NoSuchConfigRuleException"], &["ResourceInUseException", "RemediationInProgressException"]),
    ];
    for (op, done, busy) in steps {
        let mut wait = Duration::from_millis(100);
        loop {
            let observed = call(target, op, &name).await.map_err(leftover)?;
            match classify(target, op, &observed, done, busy) {
                Answer::Done => break,
                // A target that lacks DeleteRemediationConfiguration has no configuration to
                // delete; the rule's deletion says whether that is so.
                Answer::Unimplemented if op == Operation::DeleteRemediationConfiguration => break,
                Answer::Unimplemented => return Err(leftover(TeardownError::Unimplemented { op })),
                Answer::Other(reason) => return Err(leftover(reason)),
                // A rule already on its way out (ConfigRuleState DELETING, A-43) is gone as far
                // as the suite is concerned: the account removes it without further calls.
                Answer::Busy(_) if op == Operation::DeleteConfigRule && being_deleted(target, rule).await => break,
                Answer::Busy(reason) => {
                    if Instant::now() + wait > deadline {
                        return Err(leftover(TeardownError::StillBusy { last: Box::new(reason), seconds: budget.as_secs() }));
                    }
                    if let Some(now) = clock.as_mut() {
                        *now += CLOCK_STEP_SECONDS;
                        if target.profile().has(Capability::VirtualClock) {
                            let _ = target.set_clock(*now).await;
                        }
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
    Ok(())
}

/// True when DescribeConfigRules lists `rule` as DELETING (R-DCR-02, A-43).
async fn being_deleted<T: Target>(target: &T, rule: &str) -> bool {
    let Ok(observed) = call(target, Operation::DescribeConfigRules, &json!({ "ConfigRuleNames": [rule] })).await else {
        return false;
    };
    match read_answer(Operation::DescribeConfigRules, &observed, target.profile()) {
        Ok(ActualReply::Success { body, .. }) => body["ConfigRules"]
            .as_array()
            .is_some_and(|rules| rules.iter().any(|r| r["ConfigRuleName"] == rule && r["ConfigRuleState"] == "DELETING")),
        _ => false,
    }
}

/// Deletes every remediation exception of `rule` (pages of 100 keys, the operation's limit).
async fn delete_exceptions<T: Target>(target: &T, rule: &str) -> Result<(), TeardownError> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    // Bounded: a target that keeps answering NextToken must not hold cleanup forever.
    for _ in 0..1000 {
        let mut body = json!({ "ConfigRuleName": rule, "Limit": 100 });
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let observed = call(target, Operation::DescribeRemediationExceptions, &body).await?;
        let page = match read_answer(Operation::DescribeRemediationExceptions, &observed, target.profile()) {
            Ok(ActualReply::Success { body, .. }) => body,
            // No such rule, or no such operation: there is nothing to delete.
            Ok(ActualReply::Failure { code, .. }) if code == "NoSuchConfigRuleException" => return Ok(()),
            Err((Verdict::Unimplemented, _)) => return Ok(()),
            Ok(ActualReply::Failure { code, message, .. }) => {
                return Err(TeardownError::refused(Operation::DescribeRemediationExceptions, code, message))
            }
            Err((verdict, note)) => {
                return Err(TeardownError::Unreadable { op: Operation::DescribeRemediationExceptions, verdict, note })
            }
        };
        for e in page.get("RemediationExceptions").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(t), Some(id)) = (e.get("ResourceType").and_then(Value::as_str), e.get("ResourceId").and_then(Value::as_str)) {
                keys.push(json!({ "ResourceType": t, "ResourceId": id }));
            }
        }
        token = page.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    for chunk in keys.chunks(100) {
        let body = json!({ "ConfigRuleName": rule, "ResourceKeys": chunk });
        let observed = call(target, Operation::DeleteRemediationExceptions, &body).await?;
        match read_answer(Operation::DeleteRemediationExceptions, &observed, target.profile()) {
            Ok(ActualReply::Success { body, .. })
                if body.get("FailedBatches").and_then(Value::as_array).is_none_or(|b| b.is_empty()) => {}
            Ok(ActualReply::Success { mut body, .. }) => {
                let failed_batches = body.get_mut("FailedBatches").map(Value::take).unwrap_or(Value::Null);
                return Err(TeardownError::ExceptionsLeft { failed_batches });
            }
            Ok(ActualReply::Failure { code, message, .. }) => {
                return Err(TeardownError::refused(Operation::DeleteRemediationExceptions, code, message))
            }
            Err((verdict, note)) => {
                return Err(TeardownError::Unreadable { op: Operation::DeleteRemediationExceptions, verdict, note })
            }
        }
    }
    Ok(())
}

/// Tries again to delete what scenarios left behind, within `budget` in all (executions that
/// were running when a scenario ended have had the rest of the run to finish). Returns what
/// is still there.
pub async fn retry<T: Target>(target: &T, leftovers: Vec<Leftover>, budget: Duration) -> Vec<Leftover> {
    let deadline = Instant::now() + budget;
    let mut still = Vec::new();
    for leftover in leftovers {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(200));
        if let Err(l) = delete_rule(target, &leftover.rule, None, left).await {
            still.push(l);
        }
    }
    still
}

/// True for a name the suite makes: `rsuite-`, 8 hexadecimal digits, `-`, the rest. A user's
/// own `rsuite-prod` is not one.
pub fn is_suite_name(name: &str) -> bool {
    name.strip_prefix(NAME_PREFIX).is_some_and(|rest| {
        rest.len() > 9 && rest.as_bytes()[8] == b'-' && rest[..8].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Every rule of the suite's own name shape the target lists (DescribeConfigRules, every page).
pub async fn suite_rules<T: Target>(target: &T) -> Result<Vec<String>, TeardownError> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10_000 {
        let body = match &token {
            Some(t) => json!({ "NextToken": t }),
            None => json!({}),
        };
        let observed = call(target, Operation::DescribeConfigRules, &body).await?;
        let page = match read_answer(Operation::DescribeConfigRules, &observed, target.profile()) {
            Ok(ActualReply::Success { body, .. }) => body,
            Ok(ActualReply::Failure { code, message, .. }) => {
                return Err(TeardownError::refused(Operation::DescribeConfigRules, code, message))
            }
            Err((verdict, note)) => return Err(TeardownError::Unreadable { op: Operation::DescribeConfigRules, verdict, note }),
        };
        for rule in page.get("ConfigRules").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = rule.get("ConfigRuleName").and_then(Value::as_str) {
                if is_suite_name(name) {
                    names.push(name.to_owned());
                }
            }
        }
        token = page.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::{is_suite_name, TeardownError};
    use crate::target::TransportError;
    use crate::verdict::Verdict;
    use reference_model::Operation;
    use rstest::rstest;
    use serde_json::json;

    fn busy() -> TeardownError {
        TeardownError::Refused {
            op: Operation::DeleteRemediationConfiguration,
            code: "RemediationInProgressException".into(),
            message: "an execution runs".into(),
        }
    }

    /// A leftover's reason reads as the `String` each variant replaced.
    #[rstest]
    #[case::no_answer(
        TeardownError::NoAnswer { op: Operation::DeleteConfigRule, source: TransportError::Connect { causes: String::new() } },
        "DeleteConfigRule: no answer: cannot connect"
    )]
    #[case::refused(busy(), "DeleteRemediationConfiguration answered RemediationInProgressException: an execution runs")]
    #[case::refused_without_message(
        TeardownError::Refused { op: Operation::DescribeConfigRules, code: "AccessDeniedException".into(), message: String::new() },
        "DescribeConfigRules answered AccessDeniedException: "
    )]
    #[case::unreadable(
        TeardownError::Unreadable { op: Operation::DescribeRemediationExceptions, verdict: Verdict::Error, note: "not JSON".into() },
        "DescribeRemediationExceptions ERROR: not JSON"
    )]
    #[case::exceptions_left(
        TeardownError::ExceptionsLeft { failed_batches: json!([{ "FailureMessage": "x" }]) },
        r#"DeleteRemediationExceptions left exceptions: [{"FailureMessage":"x"}]"#
    )]
    #[case::unimplemented(TeardownError::Unimplemented { op: Operation::DeleteConfigRule }, "the target does not implement DeleteConfigRule")]
    #[case::still_busy(
        TeardownError::StillBusy { last: Box::new(busy()), seconds: 60 },
        "DeleteRemediationConfiguration answered RemediationInProgressException: an execution runs (still so after 60 s)"
    )]
    fn teardown_errors_read_as_before(#[case] error: TeardownError, #[case] text: &str) {
        assert_eq!(error.to_string(), text);
    }

    #[rstest]
    #[case("rsuite-0a1b2c3d-a", true)]
    #[case("rsuite-ffffffff-rule-7", true)]
    #[case("rsuite-prod", false)]
    #[case("rsuite-0a1b2c3d", false)]
    #[case("rsuite-0a1b2c3d-", false)]
    #[case("rsuite-0a1b2c3g-a", false)]
    #[case("payments-encryption", false)]
    fn only_names_of_the_suite_s_shape_are_its_own(#[case] name: &str, #[case] ours: bool) {
        assert_eq!(is_suite_name(name), ours);
    }
}
