//! The invariants every sequence of steps keeps, between the world before a step and the world
//! after it (or any alternative world of the step's outcome). One checker, used by the property
//! tests (`tests/properties.rs`) and by the fuzz targets (`suite_testkit::fuzzing`).
//!
//! It keeps what it compares with incrementally: [`Invariants::refresh`] copies the clock, the
//! configurations, the executions and the exceptions of the world after a step only when they
//! changed (most steps change none), so a fuzz target pays a few comparisons per step rather than
//! a clone of the world.
//!
//! What holds, with the rule each rests on:
//! * the clock never goes back (A-08: executions run on a virtual clock that only moves forward);
//! * a configuration keeps its Arn while it exists (R-RC-13, A-51: the model keeps it on a put);
//! * a configuration disappears only by a DeleteRemediationConfiguration naming its rule
//!   (R-DelRC-01; DeleteConfigRule is refused while one is attached, R-DCR-03);
//! * every stored configuration is within the service model's numeric limits (R-RC-05 to
//!   R-RC-08), checked against [`crate::limits`], not by the validator, so a limit check missing
//!   from the validator shows here;
//! * an exception appears only by a PutRemediationExceptions naming its key (R-PRE-01), on a
//!   resource that was NON_COMPLIANT just before (R-PRE-04), and not on a service-linked
//!   remediation (R-PRE-05); Config's own exceptions after failed automatic attempts are exempt
//!   (R-PRE-02);
//! * an exception disappears only by expiry (R-PRE-09), by a DeleteRemediationExceptions naming
//!   it (R-DelRE-01), by a put naming it with an expiry already past, or with its rule
//!   (R-DCR-01; a deletion running on the clock finishes on a clock step, A-43);
//! * an execution's state only moves forward (R-DRES-07, A-08); it is replaced only by a later
//!   one, and a running one only after time passed.
//!
//! Every alternative world of an outcome is at the preferred world's time and differs from it
//! ([`check_alternatives`]).

use crate::auto::ExecutionState;
use crate::names::{ResourceRef, RuleName};
use crate::world::{ResourceView, StoredException};
use crate::{ComplianceType, Operation, Outcome, Timestamp, World};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a step was, as far as the invariants need to know: which stored things it may add or
/// remove.
#[derive(Clone, Copy, Debug)]
pub enum Cause<'a> {
    /// A request of `op`. `body` is its JSON body (`None` when the bytes were not JSON: such a
    /// request names nothing, so it may add or remove nothing).
    Request { op: Operation, body: Option<&'a Value> },
    /// A control action (compliance, scripted SSM runs, tokens, service links): it adds no
    /// exception of its own and removes nothing.
    Control,
    /// The clock moved: exceptions expire, executions move on, running deletions finish.
    Clock,
}

impl Cause<'_> {
    fn request(&self, wanted: Operation) -> Option<&Value> {
        match self {
            Cause::Request { op, body: Some(body) } if *op == wanted => Some(body),
            _ => None,
        }
    }

    /// Whether this is a request of `op` whose body names `rule`.
    fn names_rule(&self, op: Operation, rule: &RuleName) -> bool {
        self.request(op).is_some_and(|b| b.get("ConfigRuleName").and_then(Value::as_str) == Some(rule.as_str()))
    }

    /// Whether this is a request of `op` whose body names `rule` and `resource` among its
    /// ResourceKeys (the exception operations' PascalCase keys).
    fn names_key(&self, op: Operation, rule: &RuleName, resource: &ResourceRef) -> bool {
        self.names_rule(op, rule) && self.request(op).is_some_and(|b| keys(b).any(|k| k == (resource.resource_type.as_str(), resource.resource_id.as_str())))
    }
}

fn keys(body: &Value) -> impl Iterator<Item = (&str, &str)> {
    body.get("ResourceKeys").and_then(Value::as_array).into_iter().flatten().filter_map(|k| {
        Some((k.get("ResourceType")?.as_str()?, k.get("ResourceId")?.as_str()?))
    })
}

/// A broken invariant: which, and where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Violation {
    #[error("the clock went back from {before:?} to {after:?}")]
    ClockWentBack { before: Timestamp, after: Timestamp },
    #[error("the Arn of {rule}'s configuration changed from {before} to {after}")]
    ArnChanged { rule: RuleName, before: String, after: String },
    #[error("the configuration of {rule} was lost by {cause}")]
    ConfigurationLost { rule: RuleName, cause: String },
    #[error("the configuration stored for {rule} has {member} {value}, outside 1..={max}")]
    ConfigurationOutOfLimits { rule: RuleName, member: &'static str, value: i64, max: i64 },
    #[error("an exception for {resource:?} under {rule} appeared by {cause}")]
    ExceptionAppeared { rule: RuleName, resource: ResourceRef, cause: String },
    #[error("an exception was put on {resource:?} under {rule}, which was {compliance:?}, not NON_COMPLIANT")]
    ExceptionNotNonCompliant { rule: RuleName, resource: ResourceRef, compliance: Option<ComplianceType> },
    #[error("an exception was put on {resource:?} under {rule}, whose remediation is service-linked")]
    ExceptionOnServiceLinked { rule: RuleName, resource: ResourceRef },
    #[error("the exception for {resource:?} under {rule} was lost by {cause}")]
    ExceptionLost { rule: RuleName, resource: ResourceRef, cause: String },
    #[error("the execution of {resource:?} under {rule} went from {before:?} to {after:?}")]
    ExecutionWentBack { rule: RuleName, resource: ResourceRef, before: ExecutionState, after: ExecutionState },
    #[error("the execution of {resource:?} under {rule} was replaced by an older one")]
    ExecutionReplacedByOlder { rule: RuleName, resource: ResourceRef },
    #[error("the running execution of {resource:?} under {rule} was replaced while no time passed")]
    RunningExecutionReplaced { rule: RuleName, resource: ResourceRef },
    #[error("an outcome's alternative is wrong: {0}")]
    Alternative(String),
}

/// A configuration as the invariants remember it.
#[derive(Clone, Debug, PartialEq)]
struct Configuration {
    rule: RuleName,
    arn: Option<String>,
    service_linked: bool,
}

/// An execution as the invariants remember it.
#[derive(Clone, Debug, PartialEq)]
struct Execution {
    key: (RuleName, ResourceRef),
    batch: u64,
    invocation_time: Timestamp,
    state: ExecutionState,
    active: bool,
}

/// The world before a step, as far as the invariants compare with it.
#[derive(Clone, Debug)]
pub struct Invariants {
    now: Timestamp,
    configurations: Vec<Configuration>,
    executions: Vec<Execution>,
    exceptions: Vec<((RuleName, ResourceRef), StoredException)>,
    /// The compliance, just before a PutRemediationExceptions, of each key it names
    /// ([`Invariants::prepare`]).
    compliance_at_put: Vec<((RuleName, ResourceRef), Option<ComplianceType>)>,
}

fn configurations(world: &World) -> impl Iterator<Item = (&RuleName, Option<&str>, bool)> {
    world
        .rule_names()
        .filter_map(move |r| world.remediation(r).map(|c| (r, world.remediation_arn(r), c.config.created_by_service.is_some())))
}

fn executions(world: &World) -> impl Iterator<Item = (&(RuleName, ResourceRef), u64, Timestamp, ExecutionState, bool)> {
    world.executions().map(|(k, e)| (k, e.batch, e.invocation_time, e.state(), e.is_active()))
}

impl Invariants {
    /// The invariants' view of `world`, before the first step.
    pub fn new(world: &World) -> Self {
        let mut this = Invariants { now: world.now(), configurations: Vec::new(), executions: Vec::new(), exceptions: Vec::new(), compliance_at_put: Vec::new() };
        this.copy_configurations(world);
        this.copy_executions(world);
        this.copy_exceptions(world);
        this
    }

    fn copy_configurations(&mut self, world: &World) {
        self.configurations = configurations(world).map(|(r, a, s)| Configuration { rule: r.clone(), arn: a.map(str::to_owned), service_linked: s }).collect();
    }

    fn copy_executions(&mut self, world: &World) {
        self.executions = executions(world)
            .map(|(k, batch, invocation_time, state, active)| Execution { key: k.clone(), batch, invocation_time, state, active })
            .collect();
    }

    fn copy_exceptions(&mut self, world: &World) {
        self.exceptions = Iterator::map(world.exceptions(), |((rule, resource), e)| ((rule.clone(), resource.to_resource()), e.clone())).collect();
    }

    /// Call with the world just before a step that `cause` describes, when it is not the world
    /// of the last [`Invariants::refresh`] or [`Invariants::new`] (this records the compliance
    /// of the keys a PutRemediationExceptions names, which R-PRE-04 judges; nothing otherwise).
    pub fn prepare(&mut self, world: &World, cause: &Cause<'_>) {
        self.compliance_at_put.clear();
        if let Some(body) = cause.request(Operation::PutRemediationExceptions) {
            if let Some(rule) = body.get("ConfigRuleName").and_then(Value::as_str) {
                let rule = RuleName::new(rule);
                for (t, id) in keys(body) {
                    let resource = ResourceRef::new(t, id);
                    let c = world.compliance(&rule, &resource);
                    self.compliance_at_put.push(((rule.clone(), resource), c));
                }
            }
        }
    }

    /// Takes `world` as the world before the next step, copying only what changed.
    pub fn refresh(&mut self, world: &World) {
        self.now = world.now();
        self.compliance_at_put.clear();
        if !configurations(world).eq(self.configurations.iter().map(|c| (&c.rule, c.arn.as_deref(), c.service_linked))) {
            self.copy_configurations(world);
        }
        if !executions(world).eq(self.executions.iter().map(|e| (&e.key, e.batch, e.invocation_time, e.state, e.active))) {
            self.copy_executions(world);
        }
        if !world.exceptions().eq(self.exceptions.iter().map(|((rule, resource), e)| ((rule, ResourceView::from(resource)), e))) {
            self.copy_exceptions(world);
        }
    }

    /// [`Invariants::check`], then [`Invariants::refresh`]: the usual step.
    pub fn step(&mut self, after: &World, cause: &Cause<'_>) -> Result<(), Violation> {
        self.check(after, cause)?;
        self.refresh(after);
        Ok(())
    }

    /// Checks `after` (the world after a step that `cause` describes, or an alternative world of
    /// its outcome) against the world before it.
    pub fn check(&self, after: &World, cause: &Cause<'_>) -> Result<(), Violation> {
        if after.now() < self.now {
            return Err(Violation::ClockWentBack { before: self.now, after: after.now() });
        }
        self.check_configurations(after, cause)?;
        self.check_exceptions(after, cause)?;
        self.check_executions(after)
    }

    fn check_configurations(&self, after: &World, cause: &Cause<'_>) -> Result<(), Violation> {
        for c in &self.configurations {
            if after.remediation(&c.rule).is_none() {
                if !cause.names_rule(Operation::DeleteRemediationConfiguration, &c.rule) {
                    return Err(Violation::ConfigurationLost { rule: c.rule.clone(), cause: format!("{cause:?}") });
                }
                continue;
            }
            if let (Some(before), Some(now)) = (&c.arn, after.remediation_arn(&c.rule)) {
                if before != now {
                    return Err(Violation::ArnChanged { rule: c.rule.clone(), before: before.clone(), after: now.to_owned() });
                }
            }
        }
        if matches!(cause, Cause::Request { op: Operation::PutRemediationConfigurations, .. }) {
            check_stored_configurations(after)?;
        }
        Ok(())
    }

    fn check_exceptions(&self, after: &World, cause: &Cause<'_>) -> Result<(), Violation> {
        // Most steps change no exception: then nothing appeared and nothing was lost.
        if after.exceptions().eq(self.exceptions.iter().map(|((rule, resource), e)| ((rule, ResourceView::from(resource)), e))) {
            return Ok(());
        }
        let before: BTreeMap<&(RuleName, ResourceRef), &StoredException> = self.exceptions.iter().map(|(k, e)| (k, e)).collect();
        // The table keeps no owned key per row; something changed, so owned keys are worth it.
        let after_rows: Vec<((RuleName, ResourceRef), &StoredException)> =
            Iterator::map(after.exceptions(), |((rule, resource), e)| ((rule.clone(), resource.to_resource()), e)).collect();
        for (k, e) in &after_rows {
            let (k, e) = (k, *e);
            if before.get(k) == Some(&e) || e.placed_by_config {
                continue;
            }
            let (rule, resource) = k;
            if !cause.names_key(Operation::PutRemediationExceptions, rule, resource) {
                return Err(Violation::ExceptionAppeared { rule: rule.clone(), resource: resource.clone(), cause: format!("{cause:?}") });
            }
            let compliance = self.compliance_at_put.iter().find(|(key, _)| key == k).and_then(|(_, c)| *c);
            if compliance != Some(ComplianceType::NonCompliant) {
                return Err(Violation::ExceptionNotNonCompliant { rule: rule.clone(), resource: resource.clone(), compliance });
            }
            if self.configurations.iter().any(|c| &c.rule == rule && c.service_linked) {
                return Err(Violation::ExceptionOnServiceLinked { rule: rule.clone(), resource: resource.clone() });
            }
        }
        for (k, e) in &self.exceptions {
            if after.exception(&k.0, &k.1).is_some() {
                continue;
            }
            let (rule, resource) = k;
            let expired = e.expiration.is_some_and(|t| t <= after.now());
            let deleted = cause.names_key(Operation::DeleteRemediationExceptions, rule, resource);
            let rule_gone = after.rule(rule).is_none() && (cause.names_rule(Operation::DeleteConfigRule, rule) || matches!(cause, Cause::Clock));
            let put_expired = cause.names_key(Operation::PutRemediationExceptions, rule, resource)
                && cause
                    .request(Operation::PutRemediationExceptions)
                    .and_then(|b| b.get("ExpirationTime"))
                    .and_then(Value::as_f64)
                    .is_some_and(|s| s * 1000.0 <= after.now().millis() as f64);
            if !(expired || deleted || rule_gone || put_expired) {
                return Err(Violation::ExceptionLost { rule: rule.clone(), resource: resource.clone(), cause: format!("{cause:?}") });
            }
        }
        Ok(())
    }

    fn check_executions(&self, after: &World) -> Result<(), Violation> {
        for e in &self.executions {
            let Some(later) = after.execution(&e.key.0, &e.key.1) else { continue };
            let (rule, resource) = (&e.key.0, &e.key.1);
            if later.invocation_time == e.invocation_time && !e.state.can_reach(later.state()) {
                return Err(Violation::ExecutionWentBack { rule: rule.clone(), resource: resource.clone(), before: e.state, after: later.state() });
            }
            if later.batch != e.batch || later.invocation_time != e.invocation_time {
                if later.invocation_time < e.invocation_time {
                    return Err(Violation::ExecutionReplacedByOlder { rule: rule.clone(), resource: resource.clone() });
                }
                // A running execution is only replaced after it finished, which takes time (A-08).
                if e.active && after.now() <= self.now {
                    return Err(Violation::RunningExecutionReplaced { rule: rule.clone(), resource: resource.clone() });
                }
            }
        }
        Ok(())
    }
}

/// Every stored remediation configuration keeps the service model's numeric limits (R-RC-05 to
/// R-RC-08), checked against the named constants of [`crate::limits`] (which a test ties to the
/// service model), not by the validator. The planted bug of the `planted-bug` feature is one.
pub fn check_stored_configurations(world: &World) -> Result<(), Violation> {
    use crate::limits::{MAX_AUTOMATIC_ATTEMPTS, MAX_PERCENTAGE, MAX_RETRY_ATTEMPT_SECONDS};
    let within = |member: &'static str, rule: &RuleName, value: Option<i64>, max: i64| match value {
        Some(v) if !(1..=max).contains(&v) => Err(Violation::ConfigurationOutOfLimits { rule: rule.clone(), member, value: v, max }),
        _ => Ok(()),
    };
    for rule in world.rule_names() {
        let Some(stored) = world.remediation(rule) else { continue };
        let c = &stored.config;
        within("MaximumAutomaticAttempts", rule, c.maximum_automatic_attempts.map(i64::from), MAX_AUTOMATIC_ATTEMPTS)?;
        within("RetryAttemptSeconds", rule, c.retry_attempt_seconds, MAX_RETRY_ATTEMPT_SECONDS)?;
        if let Some(ssm) = c.execution_controls.as_ref().and_then(|e| e.ssm_controls.as_ref()) {
            within("ConcurrentExecutionRatePercentage", rule, ssm.concurrent_execution_rate_percentage.map(i64::from), MAX_PERCENTAGE)?;
            within("ErrorPercentage", rule, ssm.error_percentage.map(i64::from), MAX_PERCENTAGE)?;
        }
    }
    Ok(())
}

/// Every outcome has an alternative; the preferred one carries no world (it is the world the
/// step left); every other world is at `preferred_world`'s time and differs from it (an
/// alternative carries a world only when the state differs: outcome.rs, the MAY/SHOULD
/// alternatives of ASSUMPTIONS.md).
pub fn check_alternatives(outcome: &Outcome, preferred_world: &World) -> Result<(), Violation> {
    let Some(first) = outcome.alternatives.first() else {
        return Err(Violation::Alternative("no alternative".into()));
    };
    if first.world.is_some() {
        return Err(Violation::Alternative("the preferred alternative carries a world".into()));
    }
    for alt in &outcome.alternatives[1..] {
        if let Some(alt_world) = &alt.world {
            if alt_world.now() != preferred_world.now() {
                return Err(Violation::Alternative(format!("a world at another time ({})", alt.basis)));
            }
            if **alt_world == *preferred_world {
                return Err(Violation::Alternative(format!("a world equal to the preferred one ({})", alt.basis)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{handle_value, Control, Millis};
    use serde_json::json;

    const BUCKET: &str = "AWS::S3::Bucket";

    /// Rule `r` with a manual configuration and bucket `b` NON_COMPLIANT, `c` COMPLIANT.
    fn world() -> World {
        let mut w = World::reference(Timestamp::EPOCH_2026);
        let rule = json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        handle_value(&mut w, Operation::PutConfigRule, &rule);
        for (id, c) in [("b", ComplianceType::NonCompliant), ("c", ComplianceType::Compliant)] {
            w.control(&Control::SetCompliance { rule: "r".into(), resource_type: BUCKET.into(), resource_id: id.into(), compliance: c, annotation: None }, w.now());
        }
        let configs = json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"}]});
        assert_eq!(handle_value(&mut w, Operation::PutRemediationConfigurations, &configs).preferred().reply.error_code(), None);
        w
    }

    fn put_exception(w: &mut World, id: &str) -> Value {
        let body = json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": BUCKET, "ResourceId": id}]});
        handle_value(w, Operation::PutRemediationExceptions, &body);
        body
    }

    #[test]
    fn a_put_on_a_non_compliant_resource_keeps_them_and_the_same_world_under_another_cause_breaks_them() {
        let mut w = world();
        let mut inv = Invariants::new(&w);
        let body = json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": BUCKET, "ResourceId": "b"}]});
        let cause = Cause::Request { op: Operation::PutRemediationExceptions, body: Some(&body) };
        inv.prepare(&w, &cause);
        handle_value(&mut w, Operation::PutRemediationExceptions, &body);
        assert!(w.exception(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b")).is_some());
        assert_eq!(inv.check(&w, &cause), Ok(()));
        assert!(matches!(inv.check(&w, &Cause::Control), Err(Violation::ExceptionAppeared { .. })));
        assert!(matches!(inv.check(&w, &Cause::Request { op: Operation::PutRemediationExceptions, body: None }), Err(Violation::ExceptionAppeared { .. })));
        // Without `prepare`, the compliance before the put is unknown: not NON_COMPLIANT.
        inv.refresh(&World::reference(Timestamp::EPOCH_2026));
        assert!(matches!(inv.check(&w, &cause), Err(Violation::ExceptionNotNonCompliant { .. })));
    }

    #[test]
    fn a_lost_exception_needs_a_delete_an_expiry_or_its_rule_gone() {
        let mut w = world();
        let body = put_exception(&mut w, "b");
        let inv = Invariants::new(&w);
        handle_value(&mut w, Operation::DeleteRemediationExceptions, &body);
        assert_eq!(inv.check(&w, &Cause::Request { op: Operation::DeleteRemediationExceptions, body: Some(&body) }), Ok(()));
        assert!(matches!(inv.check(&w, &Cause::Clock), Err(Violation::ExceptionLost { .. })));
        let other = json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": BUCKET, "ResourceId": "c"}]});
        assert!(matches!(inv.check(&w, &Cause::Request { op: Operation::DeleteRemediationExceptions, body: Some(&other) }), Err(Violation::ExceptionLost { .. })));
    }

    #[test]
    fn a_lost_configuration_needs_its_delete_and_the_clock_never_goes_back() {
        let mut w = world();
        let inv = Invariants::new(&w);
        let body = json!({"ConfigRuleName": "r"});
        handle_value(&mut w, Operation::DeleteRemediationConfiguration, &body);
        assert_eq!(inv.check(&w, &Cause::Request { op: Operation::DeleteRemediationConfiguration, body: Some(&body) }), Ok(()));
        assert!(matches!(inv.check(&w, &Cause::Control), Err(Violation::ConfigurationLost { .. })));
        let mut later = world();
        later.advance_to(later.now() + Millis(1_000));
        let inv = Invariants::new(&later);
        assert!(matches!(inv.check(&world(), &Cause::Clock), Err(Violation::ClockWentBack { .. })));
    }

    #[test]
    fn an_execution_moves_forward_only() {
        let mut w = world();
        let start = json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": BUCKET, "resourceId": "b"}]});
        assert_eq!(handle_value(&mut w, Operation::StartRemediationExecution, &start).preferred().reply.error_code(), None);
        let queued = w.clone();
        w.advance_to(w.now() + Millis::seconds(60));
        let mut inv = Invariants::new(&queued);
        assert_eq!(inv.step(&w, &Cause::Clock), Ok(()));
        let r = (RuleName::new("r"), ResourceRef::new(BUCKET, "b"));
        assert_eq!(queued.execution(&r.0, &r.1).map(|e| e.state()), Some(ExecutionState::Queued));
        assert!(w.execution(&r.0, &r.1).is_some_and(|e| !e.is_active()));
        // The finished execution seen at the queued one's time, then the queued one again.
        let finished_then = Invariants { now: queued.now(), ..Invariants::new(&w) };
        assert!(matches!(finished_then.check(&queued, &Cause::Clock), Err(Violation::ExecutionWentBack { .. })));
        assert!(matches!(inv.check(&queued, &Cause::Clock), Err(Violation::ClockWentBack { .. })));
    }

    #[test]
    fn a_stored_configuration_out_of_the_limits_is_caught() {
        let w = world();
        assert_eq!(check_stored_configurations(&w), Ok(()));
        let json = json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc", "MaximumAutomaticAttempts": 26}]});
        let mut bad = w.clone();
        handle_value(&mut bad, Operation::PutRemediationConfigurations, &json);
        let stored = bad.remediation(&RuleName::new("r")).and_then(|c| c.config.maximum_automatic_attempts);
        if cfg!(feature = "planted-bug") {
            // The validator lets 26 through: the checker must catch what was stored.
            assert_eq!(stored, Some(26));
            assert!(matches!(check_stored_configurations(&bad), Err(Violation::ConfigurationOutOfLimits { member: "MaximumAutomaticAttempts", value: 26, .. })));
        } else {
            assert_eq!(stored, None);
            assert_eq!(check_stored_configurations(&bad), Ok(()));
        }
    }
}
