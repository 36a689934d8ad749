//! StartRemediationExecution and DescribeRemediationExecutionStatus.

use super::{body, with_world_if_different};
use crate::auto::Trigger;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::{ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::world::{ComplianceType, World};
use crate::rule;

/// FailureMessage for a key whose resource is already compliant (the documentation's example).
pub const ALREADY_COMPLIANT: &str = "The resource is already compliant.";
/// FailureMessage for a key that still has an execution running (R-SRE-04, A-17).
pub const STILL_RUNNING: &str = "A remediation execution is already in progress for the resource.";
/// FailureMessage for a key that was never evaluated, in the alternative that refuses it.
pub const NOT_EVALUATED: &str = "The resource has no NON_COMPLIANT evaluation under the rule.";

fn no_configuration(rule: &RuleName) -> Outcome {
    Outcome::err(
        ErrorCode::NoSuchRemediationConfigurationException,
        format!("No RemediationConfiguration for rule exists: {rule}"),
    )
}

/// Starts what can start; returns the refused keys with the message of the first refusal.
fn start(world: &mut World, rule: &RuleName, keys: &[ResourceKey], start_unevaluated: bool) -> (Vec<ResourceKey>, Option<&'static str>) {
    let mut refused = Vec::new();
    let mut message = None;
    let mut started = Vec::new();
    for key in keys {
        let resource = ResourceRef::from(key);
        let reason = if world.execution(rule, &resource).is_some_and(|e| e.is_active()) {
            Some(STILL_RUNNING)
        } else {
            match world.compliance(rule, &resource) {
                Some(ComplianceType::NonCompliant) => None,
                Some(ComplianceType::Compliant | ComplianceType::NotApplicable) => Some(ALREADY_COMPLIANT),
                Some(ComplianceType::InsufficientData) | None => (!start_unevaluated).then_some(NOT_EVALUATED),
            }
        };
        match reason {
            Some(reason) => {
                message.get_or_insert(reason);
                refused.push(key.clone());
            }
            None => started.push(resource),
        }
    }
    world.queue_batch(rule, started, Trigger::Manual);
    (refused, message)
}

fn response(refused: Vec<ResourceKey>, message: Option<&str>) -> serde_json::Value {
    // FailedItems has a minimum of one item even as output (M-06): on full success both
    // members are left out.
    body(&StartRemediationExecutionResponse {
        failure_message: message.map(str::to_owned),
        failed_items: (!refused.is_empty()).then_some(refused),
    })
}

/// StartRemediationExecution (R-SRE-01..07): an asynchronous, manual run for the given keys
/// (R-SRE-02), queued as one batch under the rule's SSM controls. Keys whose resource is
/// compliant, or that still have a run in progress (R-SRE-04), come back in FailedItems with
/// one FailureMessage (R-SRE-06). Keys never evaluated are started (preferred) or refused.
pub fn apply_start_execution(world: &mut World, req: &StartRemediationExecutionRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    if world.remediation(&rule).is_none() {
        return no_configuration(&rule).clauses(&[rule!("R-SRE-05"), rule!("R-ERR-04")]);
    }
    let mut keys: Vec<ResourceKey> = Vec::new();
    for k in &req.resource_keys {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let unevaluated = keys.iter().any(|k| {
        !matches!(
            world.compliance(&rule, &ResourceRef::from(k)),
            Some(ComplianceType::NonCompliant | ComplianceType::Compliant | ComplianceType::NotApplicable)
        )
    });
    // Only a request that meets a running execution can have the whole-request refusal.
    let before = keys
        .iter()
        .any(|k| world.execution(&rule, &ResourceRef::from(k)).is_some_and(|e| e.is_active()))
        .then(|| world.clone());
    let strict_world = unevaluated.then(|| {
        let mut w = world.clone();
        let result = start(&mut w, &rule, &keys, false);
        (w, result)
    });
    let (refused, message) = start(world, &rule, &keys, true);
    // R-SRE-06 is exercised by an answer that lists refused keys, and only then.
    // With none refused, FailedItems is left out rather than empty: it has a minimum of one (M-06).
    let reported = |a: Alternative, refused: &[ResourceKey]| if refused.is_empty() { a.covers(rule!("M-06")) } else { a.covers(rule!("R-SRE-06")) };
    let meets_running = before.is_some();
    let mut alternatives = Vec::new();
    if let Some((w, (refused2, message2))) = strict_world {
        // When the unevaluated keys were refused anyway (still running), it is the same answer.
        if refused2 != refused || w != *world {
            let strict = reported(Alternative::success(response(refused2.clone(), message2)), &refused2).provenance(Level::May).basis("A-16");
            alternatives.push(with_world_if_different(strict, w, world));
        }
    }
    if let Some(before) = before {
        let refusal = Alternative::error(ErrorCode::InvalidParameterValueException, STILL_RUNNING).provenance(Level::May).basis("A-17");
        alternatives.push(with_world_if_different(refusal, before, world));
    }
    // The preferred answer is the model's choice only where another is acceptable too.
    let preferred = reported(Alternative::success(response(refused.clone(), message)), &refused);
    let preferred = match alternatives.first().map(|a| a.basis) {
        Some(basis) => preferred.provenance(Level::May).basis(basis),
        None => preferred,
    };
    let mut outcome = Outcome::new(preferred).clauses(&[rule!("R-SRE-01"), rule!("R-SRE-02"), rule!("R-SRE-03")]);
    for alternative in alternatives {
        outcome = outcome.or(alternative);
    }
    if meets_running {
        outcome = outcome.clause(rule!("R-SRE-04"));
    }
    outcome
}

/// DescribeRemediationExecutionStatus (R-DRES-01..10): the latest execution of each resource of
/// the rule (or of the given keys), sorted by resource, paged by Limit (0 means the maximum,
/// 100) and NextToken.
pub fn apply_describe_execution_status(world: &mut World, req: &DescribeRemediationExecutionStatusRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    if world.remediation(&rule).is_none() {
        return no_configuration(&rule).clauses(&[rule!("R-DRES-04"), rule!("R-ERR-04")]);
    }
    let wanted: Option<Vec<ResourceRef>> = req.resource_keys.as_ref().map(|ks| ks.iter().map(ResourceRef::from).collect());
    let statuses: Vec<RemediationExecutionStatus> = world
        .executions()
        .filter(|((r, res), _)| *r == rule && wanted.as_ref().is_none_or(|w| w.contains(res)))
        .map(|((_, res), e)| e.status(res))
        .collect();
    // Steps shown are checked for their members and states (R-DRES-08, R-DRES-09).
    let shows_steps = statuses.iter().any(|s| !s.step_details.is_empty());
    let excepted = world.exceptions.of_rule(&rule, None).next().is_some();
    let controls = world.remediation(&rule).and_then(|s| s.config.execution_controls.as_ref()).and_then(|c| c.ssm_controls.as_ref());
    let default_controls = controls.is_none_or(|c| c.concurrent_execution_rate_percentage.is_none() || c.error_percentage.is_none());
    let page_size = if req.limit == 0 { defaults::EXECUTIONS_PAGE } else { req.limit as usize };
    let key = |s: &RemediationExecutionStatus| format!("{}\u{0}{}", s.resource_key.resource_type, s.resource_key.resource_id);
    match paging::page(statuses, key, page_size, req.next_token.as_deref(), "DescribeRemediationExecutionStatus", rule.as_str()) {
        Ok((page, next_token)) => {
            let paged = next_token.is_some() || req.next_token.is_some();
            let mut outcome = Outcome::ok(body(&DescribeRemediationExecutionStatusResponse {
                remediation_execution_statuses: page,
                next_token,
            }))
            .clauses(&[rule!("R-DRES-01"), rule!("R-DRES-02"), rule!("R-DRES-06"), rule!("R-DRES-07")])
            // How many run at once is the configuration's rate (R-RC-07), 10 % by default.
            .clause(rule!("R-RC-07"))
            // A batch stops at the configuration's error percentage (R-RC-08), 50 % by default.
            .clause(rule!("R-RC-08"))
            // Runs start by themselves only when the configuration is automatic (R-RC-04).
            .clause(rule!("R-RC-04"))
            // A percentage left out means its default (M-04).
            .clauses(if default_controls { &[rule!("M-04")] } else { &[] })
            .clauses(if shows_steps { &[rule!("R-DRES-08"), rule!("R-DRES-09")] } else { &[] })
            // An exception blocks automatic runs of its resource (R-PRE-02).
            .clauses(if excepted { &[rule!("R-PRE-02")] } else { &[] })
            // A paged listing follows the paginator (R-PAG-01, R-DRES-10).
            .clauses(if paged { &[rule!("R-PAG-01"), rule!("R-DRES-10")] } else { &[] });
            if req.limit == 0 {
                outcome = outcome.clause(rule!("R-DRES-03")).clause(rule!("R-PAG-03"));
            }
            if req.resource_keys.is_some() {
                outcome = outcome.clause(rule!("R-DRES-05"));
            }
            outcome
        }
        Err(e) => Outcome::err(e.code, e.message).clauses(&[rule!("R-DRES-02"), rule!("R-PAG-04"), rule!("R-DRES-04")]),
    }
}
