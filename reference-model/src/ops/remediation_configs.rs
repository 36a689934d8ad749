//! PutRemediationConfigurations, DescribeRemediationConfigurations, DeleteRemediationConfiguration.

use super::{body, with_world_if_different};
use crate::error::ErrorCode;
use crate::names::RuleName;
use crate::outcome::{Alternative, Level, Outcome};
use crate::wire::*;
use crate::world::{StoredRemediation, World};
use serde_json::json;
use crate::clauses::RuleId;
use crate::rule;

/// Why a configuration cannot be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// R-PRC-02.
    NoSuchRule,
    /// R-PRC-05.
    ServiceLinkedRule,
    /// R-RC-10: a parameter value must be either a ResourceValue or a StaticValue.
    AmbiguousParameterValue,
    /// R-PRC-07: automatic remediation needs a value for `AutomationAssumeRole`.
    MissingAutomationAssumeRole,
}

impl Refusal {
    fn message(self, rule: &str) -> String {
        match self {
            Refusal::NoSuchRule => format!("The Config rule {rule} does not exist. Create the rule before adding a remediation configuration."),
            Refusal::ServiceLinkedRule => format!("Remediation configurations cannot be added to the service-linked rule {rule}."),
            // Observed text (terraform-provider-aws issue 31428).
            Refusal::AmbiguousParameterValue => {
                "There were invalid RemediationParameterValues for configurations for AWS Config Rules".to_owned()
            }
            Refusal::MissingAutomationAssumeRole => format!(
                "Automatic remediation for rule {rule} needs a value for the AutomationAssumeRole parameter."
            ),
        }
    }
    fn clause(self) -> RuleId {
        match self {
            Refusal::NoSuchRule => rule!("R-PRC-02"),
            Refusal::ServiceLinkedRule => rule!("R-PRC-05"),
            Refusal::AmbiguousParameterValue => rule!("R-RC-10"),
            Refusal::MissingAutomationAssumeRole => rule!("R-PRC-07"),
        }
    }
    fn message_level(self) -> Level {
        if self == Refusal::AmbiguousParameterValue {
            Level::Should
        } else {
            Level::May
        }
    }
}

fn refusal(world: &World, config: &RemediationConfiguration) -> Option<Refusal> {
    let rule = RuleName::new(&config.config_rule_name);
    let stored = match world.rules.get(&rule) {
        None => return Some(Refusal::NoSuchRule),
        Some(stored) => stored,
    };
    if stored.service_linked_by.is_some() {
        return Some(Refusal::ServiceLinkedRule);
    }
    let parameters = config.parameters.as_ref();
    if parameters.into_iter().flatten().any(|(_, v)| v.resource_value.is_some() == v.static_value.is_some()) {
        return Some(Refusal::AmbiguousParameterValue);
    }
    if config.automatic == Some(true) {
        let has_role = parameters
            .and_then(|p| p.get("AutomationAssumeRole"))
            .and_then(|v| v.static_value.as_ref())
            .is_some_and(|s| !s.values.is_empty());
        if !has_role {
            return Some(Refusal::MissingAutomationAssumeRole);
        }
    }
    None
}

/// Stores one configuration: an upsert per rule that keeps the Arn (R-PRC-01, R-RC-13). What
/// was sent is what Describe returns, without invented defaults (observed: rc-describe-echo);
/// an Arn or CreatedByService in the input is ignored, since Config sets both.
fn store(world: &mut World, config: &RemediationConfiguration) {
    let rule = RuleName::new(&config.config_rule_name);
    let arn = match world.remediation_arn(&rule) {
        Some(arn) => arn.to_owned(),
        None => {
            let uuid = world.fresh_uuid();
            format!(
                "arn:aws:config:{}:{}:remediation-configuration/{}/{}",
                world.region, world.account_id, config.config_rule_name, uuid
            )
        }
    };
    let mut stored = config.clone();
    stored.arn = Some(arn);
    stored.created_by_service = None;
    world.remediations.insert(rule.clone(), StoredRemediation { config: stored });
    // R-PRC-08: turning on automatic remediation starts it for every NON_COMPLIANT resource.
    world.trigger_automatic(&rule, None);
}

/// The answer that stores every configuration but the refused ones and lists those in
/// FailedBatches (R-PRC-10), one batch per message, with the state it leaves.
fn partial_answer(world: &World, req: &PutRemediationConfigurationsRequest, refusals: &[(usize, Refusal)]) -> (serde_json::Value, World) {
    let mut partial = world.clone();
    let mut batches: Vec<FailedRemediationBatch> = Vec::new();
    for (i, config) in req.remediation_configurations.iter().enumerate() {
        match refusals.iter().find(|(j, _)| *j == i) {
            None => store(&mut partial, config),
            Some((_, r)) => {
                let message = r.message(&config.config_rule_name);
                match batches.iter_mut().find(|b| b.failure_message == message) {
                    Some(b) => b.failed_items.push(config.clone()),
                    None => batches.push(FailedRemediationBatch { failure_message: message, failed_items: vec![config.clone()] }),
                }
            }
        }
    }
    (body(&PutRemediationConfigurationsResponse { failed_batches: batches }), partial)
}

/// PutRemediationConfigurations (R-PRC-01..11, R-RC-*).
///
/// A configuration that cannot be stored is refused. Whether the service refuses the whole
/// request with InvalidParameterValueException (preferred) or stores the others and lists
/// the refused ones in FailedBatches (R-PRC-10) is not documented: both are accepted.
/// An automatic configuration without a value for AutomationAssumeRole is refused by the
/// preferred answers (R-PRC-07), and stored by the others: the documentation says the value is
/// needed to remediate, not that the call fails.
pub fn apply_put_configurations(world: &mut World, req: &PutRemediationConfigurationsRequest) -> Outcome {
    let refusals: Vec<(usize, Refusal)> = req
        .remediation_configurations
        .iter()
        .enumerate()
        .filter_map(|(i, c)| refusal(world, c).map(|r| (i, r)))
        .collect();
    if let Some(&(first, reason)) = refusals.first() {
        let rule = &req.remediation_configurations[first].config_rule_name;
        // The refusals that stand when a missing role is accepted.
        let lenient: Vec<(usize, Refusal)> =
            refusals.iter().copied().filter(|(_, r)| *r != Refusal::MissingAutomationAssumeRole).collect();
        let role_accepted = lenient.len() < refusals.len();
        let mut refused = Alternative::error(ErrorCode::InvalidParameterValueException, reason.message(rule))
            .provenance(Level::May)
            .message_level(reason.message_level())
            .basis("A-03")
            // A parameter error, one of the operation's modelled errors (R-PRC-09).
            .covers(rule!("R-PRC-09"));
        let (failed_batches, partial) = partial_answer(world, req, &refusals);
        let mut listed = Alternative::success(failed_batches).provenance(Level::May).basis("A-03").covers(rule!("R-PRC-10"));
        if role_accepted {
            // R-PRC-07 is exercised only by an answer that refused the configuration.
            refused = refused.covers(rule!("R-PRC-07"));
            listed = listed.covers(rule!("R-PRC-07"));
        }
        let mut outcome = Outcome::new(refused).or(with_world_if_different(listed, partial, world));
        for (_, r) in &lenient {
            outcome = outcome.clause(r.clause());
        }
        if role_accepted {
            let (answer, lenient_world) = partial_answer(world, req, &lenient);
            // With no other refusal this stores everything: the plain success body. With
            // others, the whole-request refusal is the same answer as above, so only the
            // partial one is new.
            let mut accepted = Alternative::success(answer).provenance(Level::May).basis("A-39");
            if !lenient.is_empty() {
                accepted = accepted.covers(rule!("R-PRC-10"));
            }
            outcome = outcome.or(with_world_if_different(accepted, lenient_world, world)).clause(rule!("R-RC-04"));
        }
        return outcome;
    }
    for config in &req.remediation_configurations {
        store(world, config);
    }
    let mut outcome = Outcome::ok(json!({"FailedBatches": []})).clause(rule!("R-PRC-01"));
    if req.remediation_configurations.iter().any(|c| c.automatic == Some(true)) {
        // Stored because AutomationAssumeRole has a value (R-PRC-07).
        outcome = outcome.clauses(&[rule!("R-RC-04"), rule!("R-PRC-08"), rule!("R-PRC-07")]);
    }
    // Each parameter value stored was one of the two kinds (R-RC-10): RESOURCE_ID (R-RC-11) or a list of strings (R-RC-12).
    let values = || req.remediation_configurations.iter().flat_map(|c| c.parameters.iter().flatten().map(|(_, v)| v));
    outcome = outcome.clauses(if values().next().is_some() { &[rule!("R-RC-10")] } else { &[] });
    outcome = outcome.clauses(if values().any(|v| v.resource_value.is_some()) { &[rule!("R-RC-11")] } else { &[] });
    outcome = outcome.clauses(if values().any(|v| v.static_value.is_some()) { &[rule!("R-RC-12")] } else { &[] });
    // A manual configuration needs no AutomationAssumeRole (R-RC-04).
    outcome = outcome.clauses(if req.remediation_configurations.iter().any(|c| c.automatic == Some(false)) { &[rule!("R-RC-04")] } else { &[] });
    outcome
}

/// DescribeRemediationConfigurations (R-DRC-01..03): the stored configurations of the named
/// rules, in the order asked, each once; names without one are left out.
pub fn apply_describe_configurations(world: &mut World, req: &DescribeRemediationConfigurationsRequest) -> Outcome {
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for name in &req.config_rule_names {
        if seen.contains(name) {
            continue;
        }
        seen.push(name.clone());
        if let Some(stored) = world.remediations.get(&RuleName::new(name)) {
            found.push(stored.config.clone());
        }
    }
    let some_unconfigured = found.len() < seen.len();
    let shows_absent_numerics = found.iter().any(|c| {
        let ssm = c.execution_controls.as_ref().and_then(|e| e.ssm_controls.as_ref());
        c.maximum_automatic_attempts.is_none()
            || c.retry_attempt_seconds.is_none()
            || ssm.is_none_or(|s| s.concurrent_execution_rate_percentage.is_none() || s.error_percentage.is_none())
    });
    // A listed configuration shows its Arn (R-RC-13) and what the last put stored (R-PRC-01).
    // CreatedByService only for a service-linked rule (R-RC-14).
    let shows_stored: &[RuleId] = if found.is_empty() { &[] } else { &[rule!("R-RC-13"), rule!("R-PRC-01"), rule!("R-RC-14")] };
    Outcome::ok(body(&DescribeRemediationConfigurationsResponse { remediation_configurations: found }))
        .clauses(&[rule!("R-DRC-01"), rule!("R-DRC-02")])
        .clauses(shows_stored)
        // No NextToken and no error (R-DRC-03); a name without a configuration is left out, not refused (M-10).
        .clause(rule!("R-DRC-03"))
        .clauses(if some_unconfigured { &[rule!("M-10")] } else { &[] })
        // A boxed numeric left out stays out: no default is filled in (M-04).
        .clauses(if shows_absent_numerics { &[rule!("M-04")] } else { &[] })
}

fn no_configuration(rule: &RuleName) -> Alternative {
    Alternative::error(ErrorCode::NoSuchRemediationConfigurationException, format!("No RemediationConfiguration for rule exists: {rule}"))
}

/// DeleteRemediationConfiguration (R-DelRC-01..05). The optional ResourceType does not narrow
/// the deletion (preferred); when it names another type than the stored configuration's, a
/// target may also answer that no configuration exists for that type, deleting nothing.
pub fn apply_delete_configuration(world: &mut World, req: &DeleteRemediationConfigurationRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let Some(stored) = world.remediations.get(&rule) else {
        // An unknown rule has no configuration either: NoSuchConfigRuleException is not among
        // the operation's modelled errors (R-DelRC-04).
        let unknown_rule: &[RuleId] = if world.rules.contains_key(&rule) { &[] } else { &[rule!("R-DelRC-04")] };
        return Outcome::new(no_configuration(&rule)).clause(rule!("R-DelRC-02")).clauses(unknown_rule);
    };
    let other_type = req.resource_type.as_ref().is_some_and(|t| stored.config.resource_type.as_ref() != Some(t));
    let (answer, ids): (Alternative, &[RuleId]) = if world.remediation_in_progress(&rule) {
        let in_progress = Alternative::error(
            ErrorCode::RemediationInProgressException,
            format!("Remediation action is in progress for rule {rule}. Wait for it to finish and try again."),
        );
        (in_progress, &[rule!("R-DelRC-03")])
    } else {
        (Alternative::success(json!({})), &[rule!("R-DelRC-01"), rule!("R-DelRC-05"), rule!("M-09")])
    };
    let before = other_type.then(|| world.clone());
    if answer.reply.error_code().is_none() {
        world.remediations.remove(&rule);
        // The execution history goes with the configuration.
        world.executions.retain(|(r, _), _| r != &rule);
        world.failed_attempts.retain(|(r, _), _| r != &rule);
    }
    match before {
        None => Outcome::new(answer).clauses(ids),
        Some(before) => {
            // Each answer's rules are exercised only when the target gave that answer.
            let answer = ids.iter().fold(answer.provenance(Level::May).basis("A-26"), |a, id| a.covers(*id));
            let refusal = no_configuration(&rule).provenance(Level::May).basis("A-26").covers(rule!("R-DelRC-02"));
            Outcome::new(answer).or(with_world_if_different(refusal, before, world))
        }
    }
}
