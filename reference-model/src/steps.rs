//! One vocabulary of steps on a [`World`]: requests, control actions and clock moves, with
//! small pools of names so that steps meet each other. The property tests
//! (`tests/properties.rs`, with a proptest strategy of their own weights) and the model_sequence
//! fuzz target (`suite_testkit::fuzzing`, through the `Arbitrary` impl of the `arbitrary`
//! feature, which the shipped build does not enable) both run these steps, and both check every
//! step with [`crate::invariants`] ([`run`]).
//!
//! Apart from the generator's `GenStep` (remediation-suite's `generate::strategy`), which renders
//! to scenario JSON for any endpoint (breakages, capabilities, token kinds judged by the runner)
//! rather than calling a `World`.
//!
//! Numbers are raw: a field is read modulo its pool or range where a request needs that, and
//! otherwise sent as it is, so out-of-range values (a MaximumAutomaticAttempts of 26, R-RC-05)
//! reach the validator.

use crate::auto::SsmRun;
use crate::invariants::{check_alternatives, Cause, Invariants, Violation};
use crate::ops::{handle_body, RequestBody};
use crate::{handle_value, ComplianceType, Control, Millis, Operation, Outcome, Timestamp, World};
use serde_json::{json, Value};

/// The names steps pick from (by index, modulo the pool's length).
#[derive(Clone, Copy, Debug)]
pub struct Pools {
    pub rules: &'static [&'static str],
    pub resources: &'static [&'static str],
    pub resource_type: &'static str,
    /// The AutomationAssumeRole of the configurations steps put.
    pub role: &'static str,
}

impl Pools {
    fn rule(&self, i: u8) -> &'static str {
        self.rules[i as usize % self.rules.len()]
    }
    fn resource(&self, i: u8) -> &'static str {
        self.resources[i as usize % self.resources.len()]
    }
    /// Resource keys, PascalCase (the exception operations) or camelCase (executions); at most
    /// 101, one past the limit of both.
    fn keys(&self, resources: &[u8], pascal: bool) -> Value {
        let keys = resources.iter().take(101).map(|r| {
            if pascal {
                json!({"ResourceType": self.resource_type, "ResourceId": self.resource(*r)})
            } else {
                json!({"resourceType": self.resource_type, "resourceId": self.resource(*r)})
            }
        });
        Value::Array(keys.collect())
    }
}

/// The compliance a step sets or evaluates, by index modulo 4.
const COMPLIANCE: [ComplianceType; 4] = [ComplianceType::Compliant, ComplianceType::NonCompliant, ComplianceType::NotApplicable, ComplianceType::InsufficientData];

/// One step. Rule and resource fields are indices into [`Pools`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Step {
    PutRule(u8),
    DeleteRule(u8),
    /// Control: the rule's compliance for a resource ([`COMPLIANCE`] by index).
    SetCompliance { rule: u8, resource: u8, compliance: u8 },
    /// PutEvaluations of one evaluation, OrderingTimestamp `ordering - 2` seconds from now; with a
    /// token issued for the rule just before (`valid_token`), or the last one used (else "bogus").
    Evaluate { rule: u8, resource: u8, compliance: u8, test_mode: bool, valid_token: bool, ordering: u8 },
    /// PutRemediationConfigurations of one configuration (attempts modulo 27; the others raw).
    /// `controls` sends ExecutionControls even with neither percentage; `ambiguous` adds a
    /// parameter with neither value kind.
    PutConfiguration { rule: u8, automatic: bool, attempts: Option<u8>, window: Option<u16>, concurrency: Option<u8>, errors: Option<u8>, controls: bool, ambiguous: bool },
    DeleteConfiguration(u8),
    /// PutRemediationExceptions, ExpirationTime `expires_in` seconds from now.
    PutExceptions { rule: u8, resources: Vec<u8>, message: bool, expires_in: Option<i32> },
    DeleteExceptions { rule: u8, resources: Vec<u8> },
    /// DescribeRemediationExceptions, Limit modulo 102.
    DescribeExceptions { rule: u8, limit: u8, token: Option<String> },
    Start { rule: u8, resources: Vec<u8> },
    /// DescribeRemediationExecutionStatus, Limit modulo 102 when given.
    DescribeExecutions { rule: u8, limit: Option<u8> },
    /// Control: the next SSM runs of one resource, failing where `true`.
    ScriptSsm { rule: u8, resource: u8, fails: Vec<bool> },
    /// Control: the outcome of unscripted SSM runs.
    DefaultSsm { fail: bool },
    /// Control: the rule (and its configuration) becomes service-linked.
    MarkServiceLinked(u8),
    /// The clock moves on by `ms` milliseconds and `minutes` minutes.
    Advance { ms: u16, minutes: Option<u8> },
    /// A DescribeRemediationExceptions whose request carries a time this many ms in the past.
    RequestInThePast(u32),
    /// Any text as the body of any operation (by index), through the whole pipeline from bytes.
    Raw(u8, String),
}

/// What a step leaves to send once its control actions and clock moves are done.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// A JSON body, handled at the world's time.
    Json(Operation, Value),
    /// A body as bytes, read once ([`RequestBody::read`]) for both the pipeline and the
    /// invariants, sent at this time.
    Bytes { op: Operation, body: RequestBody, at: Timestamp },
    Control,
    Clock,
}

impl Pending {
    /// What the invariants are told of this step.
    pub fn cause(&self) -> Cause<'_> {
        match self {
            Pending::Json(op, body) => Cause::Request { op: *op, body: Some(body) },
            Pending::Bytes { op, body, .. } => Cause::Request { op: *op, body: body.json() },
            Pending::Control => Cause::Control,
            Pending::Clock => Cause::Clock,
        }
    }

    /// Sends the request, if any.
    pub fn send(&self, world: &mut World) -> Option<Outcome> {
        match self {
            Pending::Json(op, body) => Some(handle_value(world, *op, body)),
            Pending::Bytes { op, body, at } => Some(handle_body(world, *op, body, *at)),
            Pending::Control | Pending::Clock => None,
        }
    }
}

impl Step {
    /// Does the step's control actions and clock moves on `world`, and returns the request it
    /// makes. `tokens` are the ResultTokens used so far.
    pub fn prepare(&self, world: &mut World, pools: &Pools, tokens: &mut Vec<String>) -> Pending {
        let now = world.now();
        let p = pools;
        match self {
            Step::PutRule(r) => Pending::Json(
                Operation::PutConfigRule,
                json!({"ConfigRule": {"ConfigRuleName": p.rule(*r), "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}),
            ),
            Step::DeleteRule(r) => Pending::Json(Operation::DeleteConfigRule, json!({"ConfigRuleName": p.rule(*r)})),
            Step::SetCompliance { rule, resource, compliance } => {
                let compliance = COMPLIANCE[*compliance as usize % COMPLIANCE.len()];
                world.control(&Control::SetCompliance { rule: p.rule(*rule).into(), resource_type: p.resource_type.into(), resource_id: p.resource(*resource).into(), compliance, annotation: None }, now);
                Pending::Control
            }
            Step::Evaluate { rule, resource, compliance, test_mode, valid_token, ordering } => {
                let token = if *valid_token {
                    world.control(&Control::IssueResultToken { rule: p.rule(*rule).into() }, now).result_token.unwrap_or_default()
                } else {
                    tokens.last().cloned().unwrap_or_else(|| "bogus".into())
                };
                tokens.push(token.clone());
                let compliance = COMPLIANCE[*compliance as usize % COMPLIANCE.len()].as_str();
                Pending::Json(
                    Operation::PutEvaluations,
                    json!({"ResultToken": token, "TestMode": test_mode, "Evaluations": [{
                        "ComplianceResourceType": p.resource_type, "ComplianceResourceId": p.resource(*resource),
                        "ComplianceType": compliance, "OrderingTimestamp": now.millis() / 1000 + i64::from(*ordering) - 2}]}),
                )
            }
            Step::PutConfiguration { rule, automatic, attempts, window, concurrency, errors, controls, ambiguous } => {
                let mut c = json!({"ConfigRuleName": p.rule(*rule), "TargetType": "SSM_DOCUMENT", "TargetId": "doc", "Automatic": automatic,
                    "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": [p.role]}}}});
                if *ambiguous {
                    c["Parameters"]["X"] = json!({});
                }
                if let Some(a) = attempts {
                    c["MaximumAutomaticAttempts"] = json!(a % 27);
                }
                if let Some(w) = window {
                    c["RetryAttemptSeconds"] = json!(w);
                }
                if *controls || concurrency.is_some() || errors.is_some() {
                    let mut ssm = json!({});
                    if let Some(v) = concurrency {
                        ssm["ConcurrentExecutionRatePercentage"] = json!(v);
                    }
                    if let Some(v) = errors {
                        ssm["ErrorPercentage"] = json!(v);
                    }
                    c["ExecutionControls"] = json!({"SsmControls": ssm});
                }
                Pending::Json(Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [c]}))
            }
            Step::DeleteConfiguration(r) => Pending::Json(Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": p.rule(*r)})),
            Step::PutExceptions { rule, resources, message, expires_in } => {
                let mut b = json!({"ConfigRuleName": p.rule(*rule), "ResourceKeys": p.keys(resources, true)});
                if *message {
                    b["Message"] = json!("m");
                }
                if let Some(s) = expires_in {
                    b["ExpirationTime"] = json!(now.millis() / 1000 + i64::from(*s));
                }
                Pending::Json(Operation::PutRemediationExceptions, b)
            }
            Step::DeleteExceptions { rule, resources } => {
                Pending::Json(Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": p.rule(*rule), "ResourceKeys": p.keys(resources, true)}))
            }
            Step::DescribeExceptions { rule, limit, token } => {
                let mut b = json!({"ConfigRuleName": p.rule(*rule), "Limit": limit % 102});
                if let Some(t) = token {
                    b["NextToken"] = json!(t);
                }
                Pending::Json(Operation::DescribeRemediationExceptions, b)
            }
            Step::Start { rule, resources } => {
                Pending::Json(Operation::StartRemediationExecution, json!({"ConfigRuleName": p.rule(*rule), "ResourceKeys": p.keys(resources, false)}))
            }
            Step::DescribeExecutions { rule, limit } => {
                let mut b = json!({"ConfigRuleName": p.rule(*rule)});
                if let Some(l) = limit {
                    b["Limit"] = json!(l % 102);
                }
                Pending::Json(Operation::DescribeRemediationExecutionStatus, b)
            }
            Step::ScriptSsm { rule, resource, fails } => {
                let outcomes = fails.iter().map(|f| if *f { SsmRun::Fail { message: "scripted".into() } } else { SsmRun::Succeed }).collect();
                world.control(&Control::ScriptSsm { rule: p.rule(*rule).into(), resource_type: p.resource_type.into(), resource_id: p.resource(*resource).into(), outcomes }, now);
                Pending::Control
            }
            Step::DefaultSsm { fail } => {
                let outcome = if *fail { SsmRun::Fail { message: "no".into() } } else { SsmRun::Succeed };
                world.control(&Control::SetDefaultSsm { outcome }, now);
                Pending::Control
            }
            Step::MarkServiceLinked(r) => {
                world.control(&Control::MarkServiceLinked { rule: p.rule(*r).into(), service: "config-conforms.amazonaws.com".into() }, now);
                Pending::Control
            }
            Step::Advance { ms, minutes } => {
                world.advance_to(now + Millis(i64::from(*ms)) + Millis::seconds(60 * i64::from(minutes.unwrap_or(0))));
                Pending::Clock
            }
            Step::RequestInThePast(ms) => {
                let body = json!({"ConfigRuleName": p.rule(0)});
                Pending::Bytes { op: Operation::DescribeRemediationExceptions, body: RequestBody::Json(body), at: now - Millis(i64::from(*ms)) }
            }
            Step::Raw(o, text) => {
                let op = Operation::ALL[*o as usize % Operation::ALL.len()];
                Pending::Bytes { op, body: RequestBody::read(text.as_bytes()), at: now }
            }
        }
    }
}

/// How much [`run`] checks beyond the step's own world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The world after the step, and the outcome's alternatives.
    Step,
    /// Also every alternative world against the world before (a property test's depth; it
    /// costs a comparison of whole worlds per alternative).
    Alternatives,
}

/// Runs one step on `world` and checks it with `invariants` (which must hold the world before):
/// the request's outcome, if any, is returned for checks of the caller's own.
pub fn run(world: &mut World, invariants: &mut Invariants, step: &Step, pools: &Pools, tokens: &mut Vec<String>, depth: Depth) -> Result<Option<Outcome>, Violation> {
    let pending = step.prepare(world, pools, tokens);
    let cause = pending.cause();
    invariants.prepare(world, &cause);
    let outcome = pending.send(world);
    invariants.check(world, &cause)?;
    if let Some(outcome) = &outcome {
        check_alternatives(outcome, world)?;
        if depth == Depth::Alternatives {
            for alt in outcome.alternatives.iter().skip(1) {
                if let Some(alt_world) = &alt.world {
                    invariants.check(alt_world, &cause)?;
                }
            }
        }
    }
    invariants.refresh(world);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::Violation;

    const POOLS: Pools = Pools { rules: &["a"], resources: &["r1", "r2"], resource_type: "AWS::S3::Bucket", role: "arn:aws:iam::1:role/r" };

    fn run_all(steps: &[Step]) -> Result<World, Violation> {
        let mut world = World::reference(Timestamp::EPOCH_2026);
        let mut invariants = Invariants::new(&world);
        let mut tokens = Vec::new();
        for step in steps {
            run(&mut world, &mut invariants, step, &POOLS, &mut tokens, Depth::Alternatives)?;
        }
        Ok(world)
    }

    fn configuration(attempts: u8) -> Step {
        Step::PutConfiguration { rule: 0, automatic: false, attempts: Some(attempts), window: None, concurrency: None, errors: None, controls: false, ambiguous: false }
    }

    /// The planted bug (R-RC-05 unchecked) is two steps from an empty world, and `run` reports it.
    #[test]
    fn attempts_out_of_range_are_refused_or_reported() {
        let result = run_all(&[Step::PutRule(0), configuration(26)]);
        if cfg!(feature = "planted-bug") {
            assert!(matches!(result, Err(Violation::ConfigurationOutOfLimits { value: 26, .. })), "{result:?}");
        } else {
            let world = result.expect("the invariants hold");
            assert!(world.remediation(&crate::names::RuleName::new("a")).is_none());
        }
        let world = run_all(&[Step::PutRule(0), configuration(25)]).expect("the invariants hold");
        assert!(world.remediation(&crate::names::RuleName::new("a")).is_some());
    }

    /// A sequence through exceptions, executions and the clock keeps the invariants, and each
    /// kind of step does what it says.
    #[test]
    fn a_sequence_through_exceptions_and_executions_keeps_the_invariants() {
        let world = run_all(&[
            Step::PutRule(0),
            Step::SetCompliance { rule: 0, resource: 0, compliance: 1 },
            Step::SetCompliance { rule: 0, resource: 1, compliance: 1 },
            configuration(3),
            Step::PutExceptions { rule: 0, resources: vec![0], message: true, expires_in: Some(30) },
            Step::Start { rule: 0, resources: vec![1] },
            Step::Advance { ms: 500, minutes: Some(1) },
            Step::Raw(0, " ".into()),
        ])
        .expect("the invariants hold");
        let rule = crate::names::RuleName::new("a");
        assert!(world.exception(&rule, &crate::names::ResourceRef::new("AWS::S3::Bucket", "r1")).is_none(), "expired after 30 s");
        assert!(world.execution(&rule, &crate::names::ResourceRef::new("AWS::S3::Bucket", "r2")).is_some_and(|e| !e.is_active()));
    }
}
