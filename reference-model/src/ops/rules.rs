//! PutConfigRule, DeleteConfigRule, DescribeConfigRules: the rules remediation hangs off.

use super::body;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::RuleName;
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::time::{Millis, Timestamp};
use crate::world::{RuleActivity, RuleTask, StoredRule, World};
use serde_json::{json, Value};
use crate::clauses::RuleId;
use crate::rule;

/// Page size of DescribeConfigRules (it has no Limit member; A-24).
pub const CONFIG_RULES_PAGE: usize = 25;

fn invalid(message: impl Into<String>, clause: RuleId) -> Outcome {
    // A parameter error, one of PutConfigRule's modelled errors (R-PCR-08).
    Outcome::err(ErrorCode::InvalidParameterValueException, message).clause(clause).clause(rule!("R-PCR-08"))
}

/// The text the real service sends for an unknown rule name (research: cloud-custodian placebo).
pub fn no_such_rule_message(rule: &str) -> String {
    format!("The ConfigRule '{rule}' provided in the request is invalid. Please check the configRule name.")
}

/// The real service's refusal of a Lambda function it cannot invoke (observed text, A-37).
fn lambda_refusal(function: &str) -> Alternative {
    Alternative::error(
        ErrorCode::InsufficientPermissionsException,
        format!("The AWS Lambda function {function} cannot be invoked. Check the specified function ARN, and check the function's permissions."),
    )
    .provenance(Level::Should)
    .message_level(Level::Should)
    .basis("A-37")
}

/// The refusal of a call on a rule that is still being deleted (R-DCR-02, R-DCR-03): the
/// real service's words for DeleteConfigRule (research: hashicorp/terraform pull request
/// 14269), reused for PutConfigRule. Acceptable only as the other side of A-22.
fn being_deleted(rule: &str) -> Alternative {
    Alternative::error(
        ErrorCode::ResourceInUseException,
        format!("The rule {rule} is currently being deleted. Please retry after some time."),
    )
    .provenance(Level::May)
    .message_level(Level::Should)
    .basis("A-22")
}

/// Checks the documented relations between members that the shapes cannot express.
fn check_rule(rule: &ConfigRule) -> Result<(), Outcome> {
    if let Some(scope) = &rule.scope {
        let types = scope.compliance_resource_types.as_ref().map_or(0, Vec::len);
        if scope.compliance_resource_id.is_some() && types != 1 {
            return Err(invalid("Scope with a ComplianceResourceId needs exactly one ComplianceResourceType.", rule!("R-PCR-12")));
        }
        if scope.tag_value.is_some() && scope.tag_key.is_none() {
            return Err(invalid("Scope with a TagValue needs a TagKey.", rule!("R-PCR-13")));
        }
    }
    let source = &rule.source;
    match source.owner {
        Owner::Aws => {
            if source.source_details.is_some() {
                return Err(invalid("SourceDetails can only be given for custom rules.", rule!("R-PCR-16")));
            }
            if source.source_identifier.is_none() {
                return Err(invalid("A managed rule needs a SourceIdentifier.", rule!("R-PCR-03")));
            }
        }
        Owner::CustomLambda => {
            if source.source_identifier.is_none() {
                return Err(invalid("A custom Lambda rule needs the function ARN as SourceIdentifier.", rule!("R-PCR-03")));
            }
        }
        Owner::CustomPolicy => {
            if source.custom_policy_details.is_none() {
                return Err(invalid("A custom policy rule needs CustomPolicyDetails.", rule!("R-PCR-18")));
            }
            let triggered_by_changes = |m: MessageType| match m {
                MessageType::ConfigurationItemChangeNotification | MessageType::OversizedConfigurationItemChangeNotification => true,
                MessageType::ConfigurationSnapshotDeliveryCompleted | MessageType::ScheduledNotification => false,
            };
            if source.source_details.iter().flatten().any(|d| d.message_type.is_some_and(|m| !triggered_by_changes(m))) {
                return Err(invalid("A custom policy rule is triggered only by configuration item changes.", rule!("R-PCR-18")));
            }
        }
    }
    if source.source_details.iter().flatten().any(|d| {
        d.maximum_execution_frequency.is_some() && d.message_type != Some(MessageType::ScheduledNotification)
    }) {
        return Err(invalid("A SourceDetail with MaximumExecutionFrequency needs MessageType ScheduledNotification.", rule!("R-PCR-16")));
    }
    let modes: Vec<EvaluationMode> = rule.evaluation_modes.iter().flatten().filter_map(|m| m.mode).collect();
    if (1..modes.len()).any(|i| modes[..i].contains(&modes[i])) {
        return Err(invalid("EvaluationModes must be distinct.", rule!("R-PCR-22")));
    }
    Ok(())
}

/// The rules an accepted put was checked against, beside the put's own: each member sent kept
/// its rule (R-PCR-03 the source identifier, R-PCR-12/13 the scope, R-PCR-15 the frequency,
/// R-PCR-18/19 a custom policy, R-PCR-20 the event source, R-PCR-21 the input, R-PCR-22 the
/// modes, R-PCR-23 the visibility, R-PCR-25 the description, R-PCR-26 the tags). A target refusing such a put fails these rules.
fn accepted_members(req: &PutConfigRuleRequest) -> Vec<RuleId> {
    let rule = &req.config_rule;
    let scope = rule.scope.as_ref();
    let present = [
        (true, rule!("R-PCR-03")),
        (scope.is_some_and(|s| s.compliance_resource_id.is_some()), rule!("R-PCR-12")),
        (scope.is_some_and(|s| s.tag_key.is_some() || s.tag_value.is_some()), rule!("R-PCR-13")),
        (rule.source.owner == Owner::CustomPolicy, rule!("R-PCR-18")),
        (rule.source.custom_policy_details.is_some(), rule!("R-PCR-19")),
        (rule.source.source_details.as_ref().is_some_and(|d| !d.is_empty()), rule!("R-PCR-20")),
        (rule.maximum_execution_frequency.is_some(), rule!("R-PCR-15")),
        (rule.input_parameters.is_some(), rule!("R-PCR-21")),
        (rule.evaluation_modes.is_some(), rule!("R-PCR-22")),
        (rule.rule_evaluation_visibility.is_some(), rule!("R-PCR-23")),
        (rule.description.is_some(), rule!("R-PCR-25")),
        (req.tags.is_some(), rule!("R-PCR-26")),
    ];
    present.into_iter().filter(|(sent, _)| *sent).map(|(_, id)| id).collect()
}

/// What a listing of rules shows beside its own rules: CreatedBy only on service-linked rules
/// (R-PCR-14) and the evaluation modes, Detective when none was sent (R-PCR-22); a filter by
/// mode (R-PCR-22) or by visibility (R-PCR-23); paging by the paginator's tokens (R-PAG-01).
fn listing_shows(shown: &[ConfigRule], filters: Option<&DescribeConfigRulesFilters>, paged: bool) -> Vec<RuleId> {
    let present = [
        (!shown.is_empty(), rule!("R-PCR-14")),
        (!shown.is_empty() || filters.is_some_and(|f| f.evaluation_mode.is_some()), rule!("R-PCR-22")),
        (filters.is_some_and(|f| f.rule_evaluation_visibility.is_some()), rule!("R-PCR-23")),
        (paged, rule!("R-PAG-01")),
    ];
    present.into_iter().filter(|(shows, _)| *shows).map(|(_, id)| id).collect()
}

fn find_rule(world: &World, rule: &ConfigRule) -> Option<RuleName> {
    if let Some(name) = &rule.config_rule_name {
        return Some(RuleName::new(name)).filter(|n| world.rules.contains_key(n));
    }
    world
        .rules
        .iter()
        .find(|(_, s)| {
            (rule.config_rule_arn.is_some() && s.rule.config_rule_arn == rule.config_rule_arn)
                || (rule.config_rule_id.is_some() && s.rule.config_rule_id == rule.config_rule_id)
        })
        .map(|(n, _)| n.clone())
}

/// PutConfigRule (R-PCR-01..27): creates or updates a rule (an upsert by name, Arn or Id).
/// Success has no output shape: an empty body (observed).
pub fn apply_put_config_rule(world: &mut World, req: &PutConfigRuleRequest) -> Outcome {
    if !world.has_recorder() {
        return Outcome::new(
            Alternative::error(
                ErrorCode::NoAvailableConfigurationRecorderException,
                "You must create a configuration recorder before you can create or update a Config rule.",
            )
            .message_level(Level::Should)
            .basis("rule-put-no-recorder"),
        )
        .clauses(&[rule!("R-PCR-10"), rule!("R-ERR-11"), rule!("R-PCR-08")]);
    }
    let sent = &req.config_rule;
    if sent.config_rule_name.is_none() && sent.config_rule_arn.is_none() && sent.config_rule_id.is_none() {
        return Outcome::new(
            Alternative::error(
                ErrorCode::InvalidParameterValueException,
                "One or more identifiers needs to be provided. Provide Name or Id or Arn",
            )
            .message_level(Level::Should),
        )
        .clauses(&[rule!("R-PCR-05"), rule!("R-PCR-08")]);
    }
    if let Err(mut outcome) = check_rule(sent) {
        // Which the service checks first, the members or the Lambda function, is not
        // documented: the observed Lambda refusal is acceptable too (A-37).
        if sent.source.owner == Owner::CustomLambda {
            outcome = outcome.or(lambda_refusal(sent.source.source_identifier.as_deref().unwrap_or_default()));
        }
        return outcome;
    }
    let existing = find_rule(world, sent);
    let name = match (&existing, &sent.config_rule_name) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) if sent.config_rule_arn.is_none() && sent.config_rule_id.is_none() => RuleName::new(name),
        (None, Some(_)) => {
            return Outcome::new(
                Alternative::error(
                    ErrorCode::InvalidParameterValueException,
                    "ConfigRule Arn and Id can not be specified when creating a new ConfigRule. ConfigRule Arn and Id are generated by the service. Please try the request again without specifying ConfigRule Arn or Id.",
                )
                .message_level(Level::Should),
            )
            .clauses(&[rule!("R-PCR-05"), rule!("R-PCR-08")]);
        }
        // An update naming an Arn or Id that no rule has. NoSuchConfigRuleException is not a
        // modelled error of PutConfigRule (R-PCR-08), so it is a parameter error.
        (None, None) => {
            let given = sent.config_rule_arn.as_deref().or(sent.config_rule_id.as_deref()).unwrap_or_default();
            return Outcome::err(ErrorCode::InvalidParameterValueException, format!("No ConfigRule has the Arn or Id {given}."))
                .clauses(&[rule!("R-PCR-06"), rule!("R-PCR-08")]);
        }
    };
    if existing.is_none() && world.rules.len() >= defaults::MAX_CONFIG_RULES {
        // The real service's words (A-45: quoted with the limit of 250 of its day).
        return Outcome::new(
            Alternative::error(
                ErrorCode::MaxNumberOfConfigRulesExceededException,
                format!(
                    "Failed to put config rule '{name}' because the account already contains {} config rules. Please consider deleting deactivated rules if you have any before adding new rules.",
                    defaults::MAX_CONFIG_RULES
                ),
            )
            .message_level(Level::Should)
            .basis("A-45"),
        )
        .clauses(&[rule!("R-PCR-01"), rule!("R-ERR-08")]);
    }
    // A name whose rule is still being deleted (A-22): the preferred answer creates the new
    // rule (the deletion finished); a target still deleting refuses it (R-DCR-02).
    let still_deleting = (existing.is_none() && world.deleting.contains_key(&name))
        .then(|| being_deleted(name.as_str()).covers(rule!("R-DCR-02")).with_world(world.clone()));
    let running = world.deletion_running(&name);
    let (arn, id, service) = match existing.as_ref().and_then(|n| world.rules.get(n)) {
        Some(stored) => (stored.rule.config_rule_arn.clone(), stored.rule.config_rule_id.clone(), stored.service_linked_by.clone()),
        None => {
            let id = format!("config-rule-{}", world.fresh_short_id());
            (Some(format!("arn:aws:config:{}:{}:config-rule/{id}", world.region, world.account_id)), Some(id), None)
        }
    };
    let mut rule = sent.clone();
    rule.config_rule_name = Some(name.to_string());
    rule.config_rule_arn = arn;
    rule.config_rule_id = id;
    rule.config_rule_state = Some(ConfigRuleState::Active);
    rule.created_by = service.clone();
    if rule.evaluation_modes.is_none() {
        // R-PCR-22: the default is Detective only; the real service lists it (research).
        rule.evaluation_modes = Some(vec![EvaluationModeConfiguration { mode: Some(EvaluationMode::Detective) }]);
    }
    let clauses: &[RuleId] = if existing.is_some() { &[rule!("R-PCR-01"), rule!("R-PCR-06"), rule!("R-PCR-07")] } else { &[rule!("R-PCR-01"), rule!("R-PCR-02"), rule!("R-PCR-05")] };
    let custom_lambda = rule.source.owner == Owner::CustomLambda;
    let function = rule.source.source_identifier.clone().unwrap_or_default();
    let unchanged = custom_lambda.then(|| world.clone());
    // An update while the rule evaluates or deletes its results: accepted (preferred) or in use (A-48).
    let in_use = existing.as_ref().and_then(|n| world.rule_task_running(n).map(|task| busy_refusal(ErrorCode::ResourceInUseException, n, task)));
    let in_use = in_use.map(|refusal| refusal.provenance(Level::May).basis("A-48").covers(rule!("R-PCR-24")).with_world(world.clone()));
    // R-PCR-03: a managed rule names a published identifier (A-44). Checked last: which check
    // the service makes first is not known.
    let managed = (rule.source.owner == Owner::Aws && !crate::managed_rules::is_published(&function))
        .then(|| (function.clone(), world.clone()));
    world.deleting.remove(&name);
    // An update keeps what the rule is busy with (A-48).
    let busy = existing.as_ref().and_then(|n| world.rules.get(n)).map(|s| (s.activity, s.evaluation_started));
    let mut stored = StoredRule::new(rule, service);
    if let Some((activity, evaluation_started)) = busy {
        stored.activity = activity;
        stored.evaluation_started = evaluation_started;
    }
    world.rules.insert(name, stored);
    // Success has no output shape (M-09, R-PCR-08): an empty body.
    let mut outcome = Outcome::new(Alternative::success(Value::Null).covers(rule!("M-09"))).clauses(clauses).clause(rule!("R-PCR-08"));
    outcome = outcome.clauses(&accepted_members(req));
    let refused_while_deleting = still_deleting.is_some();
    if let Some(refusal) = still_deleting {
        outcome = outcome.or(refusal);
    }
    if let Some(refusal) = in_use {
        outcome = outcome.or(refusal);
    }
    if let Some(unchanged) = unchanged {
        // The model cannot know whether the Lambda function exists and may be invoked (R-PCR-04,
        // R-PCR-09): the service's refusal, in its observed words, is acceptable too (A-37).
        outcome = outcome.or(lambda_refusal(&function).with_world(unchanged)).clause(rule!("R-PCR-09"));
    }
    if let Some((id, unchanged)) = managed {
        // Not on the list: refused, in the real words (SHOULD); a rule newer than the list may
        // still be accepted (MAY).
        let refusal = Alternative::error(ErrorCode::InvalidParameterValueException, crate::managed_rules::unknown_identifier_message(&id))
            .provenance(Level::Should)
            .message_level(Level::Should)
            .basis("A-44")
            .covers(rule!("R-PCR-03"));
        outcome = outcome.or(super::with_world_if_different(refusal, unchanged, world));
        let last = outcome.alternatives.len() - 1;
        outcome = super::prefer(world, outcome, last);
        if let Some(accepted) = outcome.alternatives.get_mut(1) {
            accepted.provenance = Level::May;
            accepted.basis = "A-44";
        }
        return outcome.clause(rule!("R-PCR-03"));
    }
    // While the model's own deletion of the name runs, the refusal is preferred (A-43).
    if refused_while_deleting && running {
        outcome = super::prefer(world, outcome, 1);
    }
    outcome
}

/// DeleteConfigRule (R-DCR-01..05): refused while a remediation configuration is attached
/// (observed text, rule-delete-with-rc); otherwise the rule and its results go, the rule
/// staying DELETING for the account's deletion time (A-22, A-43).
pub fn apply_delete_config_rule(world: &mut World, req: &DeleteConfigRuleRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    if !world.rules.contains_key(&rule) {
        // A rule deleted before may still be deleting on the target (A-22): the second delete
        // is then refused as in use (R-DCR-03). The preferred answer says the deletion is over.
        let running = world.deletion_running(&rule);
        let still_deleting = world.deleting.remove(&rule).map(|shown| {
            let mut before = world.clone();
            before.deleting.insert(rule.clone(), shown);
            being_deleted(rule.as_str()).covers(rule!("R-DCR-03")).covers(rule!("R-ERR-07")).with_world(before)
        });
        let gone = Alternative::error(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(rule.as_str()));
        return match still_deleting {
            None => Outcome::new(gone).clauses(&[rule!("R-DCR-04"), rule!("R-ERR-03")]),
            // While the model's own deletion runs, the refusal is preferred (A-43).
            Some(refusal) if running => super::prefer(world, Outcome::new(gone.covers(rule!("R-ERR-03"))).or(refusal).clause(rule!("R-DCR-04")), 1),
            Some(refusal) => Outcome::new(gone.covers(rule!("R-ERR-03"))).or(refusal).clause(rule!("R-DCR-04")),
        };
    }
    if world.remediations.contains_key(&rule) {
        return Outcome::new(
            Alternative::error(
                ErrorCode::ResourceInUseException,
                format!("The rule {rule} currently has a RemediationConfiguration. Please delete the RemediationConfiguration and try again."),
            )
            .message_level(Level::Should)
            .basis("rule-delete-with-rc"),
        )
        .clauses(&[rule!("R-DCR-03"), rule!("R-ERR-07")]);
    }
    // R-DER-04: refused while the rule deletes its results. How long that runs is the model's
    // choice (A-48), so the other answer is accepted too, whichever the model prefers.
    let running = world.rule_task_running(&rule);
    let recorded = world.rule(&rule).and_then(|s| s.activity).map(|a| a.task);
    let before = world.clone();
    world.remove_rule(&rule);
    // Success has no output shape (M-09, R-DCR-04): an empty body.
    let deleted = Outcome::new(Alternative::success(Value::Null).covers(rule!("M-09"))).clauses(&[rule!("R-DCR-01"), rule!("R-DCR-02"), rule!("R-DCR-04")]);
    match (running, recorded) {
        (Some(RuleTask::DeletingResults), _) => {
            let refusal = busy_refusal(ErrorCode::ResourceInUseException, &rule, RuleTask::DeletingResults).basis("A-48");
            let gone = Alternative::success(Value::Null).provenance(Level::May).basis("A-48").with_world(world.clone());
            *world = before;
            Outcome::new(refusal).or(gone).clauses(&[rule!("R-DER-04"), rule!("R-DCR-04"), rule!("R-ERR-07"), rule!("R-PCR-24")])
        }
        (Some(task), _) | (None, Some(task)) => {
            // A run the model has finished may still go on at the target, and whether an
            // evaluation blocks a deletion is unknown (A-48).
            deleted.or(busy_refusal(ErrorCode::ResourceInUseException, &rule, task).provenance(Level::May).basis("A-48").with_world(before))
        }
        (None, None) => deleted,
    }
}

/// The refusal of a call on a rule busy with `task` (R-SCE-03, R-DER-04, A-48), in the model's
/// words (no real text is known).
fn busy_refusal(code: ErrorCode, rule: &RuleName, task: RuleTask) -> Alternative {
    let what = match task {
        RuleTask::Evaluating => "evaluating your resources",
        RuleTask::DeletingResults => "deleting your evaluation results",
    };
    Alternative::error(code, format!("The rule {rule} is currently {what}. Please retry after some time."))
}

/// How often StartConfigRulesEvaluation may start an evaluation of one rule: a second start
/// within a minute is LimitExceededException (R-SCE-03).
pub const EVALUATION_INTERVAL: Millis = Millis(60_000);

/// Starts an on-demand evaluation of `names` at the world's time: each shows `EVALUATING` for
/// the account's evaluation time (R-SCE-01, A-48; none: ACTIVE at once). The run is remembered
/// even when it is over at once, since a target may still be evaluating.
fn start_evaluations(world: &mut World, names: &[RuleName]) {
    let now = world.now();
    let done_at = now + world.rule_state_times.evaluating;
    for name in names {
        if let Some(stored) = world.rules.get_mut(name) {
            stored.evaluation_started = Some(now);
            stored.activity = Some(RuleActivity { task: RuleTask::Evaluating, done_at });
        }
    }
}

/// StartConfigRulesEvaluation (R-SCE-01..04): an on-demand evaluation of up to 25 rules. The
/// model evaluates nothing (R-PCR-11 is not simulated): the call changes only the rules'
/// `ConfigRuleState` (R-PCR-24) and when they may be evaluated again. Success is `{}`.
///
/// Refused with NoSuchConfigRuleException for an unknown name or a rule being deleted
/// (R-SCE-02, A-43); with LimitExceededException while an evaluation of a named rule runs or
/// within a minute of its last start (R-SCE-03, documented); with ResourceInUseException while
/// a named rule deletes its results (A-48: the model's choice, the success is accepted too).
pub fn apply_start_config_rules_evaluation(world: &mut World, req: &StartConfigRulesEvaluationRequest) -> Outcome {
    let Some(sent) = req.config_rule_names.as_ref() else {
        // The member is optional in the service model, yet the call evaluates the rules named:
        // what no names do is unknown (A-48).
        return Outcome::new(
            Alternative::error(ErrorCode::InvalidParameterValueException, "ConfigRuleNames must name at least one Config rule.")
                .provenance(Level::May)
                .basis("A-48"),
        )
        .or(Alternative::success(json!({})).provenance(Level::May).basis("A-48"))
        .clause(rule!("R-SCE-04"));
    };
    let mut names: Vec<RuleName> = Vec::new();
    for name in sent.iter().map(|n| RuleName::new(n.as_str())) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if let Some(missing) = names.iter().find(|n| !world.rules.contains_key(*n)) {
        return Outcome::err(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(missing.as_str())).clauses(&[rule!("R-SCE-02"), rule!("R-SCE-04"), rule!("R-ERR-03")]);
    }
    let now = world.now();
    let recent = |started: Option<Timestamp>| started.is_some_and(|t| now < t + EVALUATION_INTERVAL);
    let limit = |rule: &RuleName| {
        Alternative::error(
            ErrorCode::LimitExceededException,
            format!("An evaluation of the rule {rule} is in progress or started less than a minute ago. Please retry after some time."),
        )
    };
    // Within a minute of the last start: documented, so no other answer (R-SCE-03).
    if let Some(rule) = names.iter().find(|n| recent(world.rules[*n].evaluation_started)) {
        return Outcome::new(limit(rule)).clauses(&[rule!("R-SCE-03"), rule!("R-SCE-04"), rule!("R-PCR-24")]);
    }
    let before = world.clone();
    let mut after = world.clone();
    start_evaluations(&mut after, &names);
    let started = Alternative::success(json!({}));
    // A run of the model's still going: refused (preferred); the target may have finished it.
    let running = names.iter().find_map(|n| world.rule_task_running(n).map(|task| (n, task)));
    if let Some((rule, task)) = running {
        let refusal = match task {
            RuleTask::Evaluating => limit(rule).basis("A-48"),
            RuleTask::DeletingResults => busy_refusal(ErrorCode::ResourceInUseException, rule, task).provenance(Level::May).basis("A-48"),
        };
        return Outcome::new(refusal)
            .or(started.provenance(Level::May).basis("A-48").with_world(after))
            .clauses(&[rule!("R-SCE-03"), rule!("R-PCR-24")]);
    }
    *world = after;
    let mut outcome = Outcome::new(started).clauses(&[rule!("R-SCE-01"), rule!("R-PCR-24")]);
    // A run the model has finished may still go on at the target (A-48).
    if let Some((rule, activity)) = names.iter().find_map(|n| before.rules[n].activity.map(|a| (n, a))) {
        let refusal = match activity.task {
            RuleTask::Evaluating => limit(rule),
            RuleTask::DeletingResults => busy_refusal(ErrorCode::ResourceInUseException, rule, activity.task),
        };
        outcome = outcome.or(refusal.provenance(Level::May).basis("A-48").with_world(before.clone()));
    }
    // Whether the minute counts per rule (preferred) or per account is unknown (A-48).
    if let Some(other) = before.rules.iter().find(|(n, s)| !names.contains(n) && recent(s.evaluation_started)).map(|(n, _)| n) {
        outcome = outcome.or(limit(other).provenance(Level::May).basis("A-48").with_world(before.clone()));
    }
    outcome
}

/// DescribeConfigRules (R-DCRs-01..03): the named rules (an unknown name is an error) or all,
/// sorted by name, 25 a page. A rule deleted before may still be listed by the target in the
/// DELETING state (A-22, R-PCR-24): that answer is an alternative, and the preferred one, which
/// shows the deletion finished, forgets the rules it no longer shows.
pub fn apply_describe_config_rules(world: &mut World, req: &DescribeConfigRulesRequest) -> Outcome {
    let outcome = describe_config_rules(world, req);
    show_rule_states(world, outcome)
}

/// The `ConfigRuleState` of rules that evaluate or delete their results (R-PCR-24, A-48): while
/// the model's run lasts, `EVALUATING` or `DELETING_RESULTS` (preferred) or already `ACTIVE`
/// (the target was quicker: the run is forgotten); after it, `ACTIVE` (preferred: the run is
/// forgotten) or still the temporary state (the target is slower). One alternative shows every
/// listed rule the other way at once.
fn show_rule_states(world: &mut World, mut outcome: Outcome) -> Outcome {
    let now = world.now();
    let busy: Vec<(String, RuleTask, bool)> = world
        .rules
        .iter()
        .filter_map(|(n, s)| s.activity.map(|a| (n.to_string(), a.task, now < a.done_at)))
        .collect();
    let listed = |body: &Value| -> Vec<String> {
        body.get("ConfigRules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("ConfigRuleName").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let set_states = |body: &mut Value, flip: bool| {
        for rule in body.get_mut("ConfigRules").and_then(Value::as_array_mut).into_iter().flatten() {
            let name = rule.get("ConfigRuleName").and_then(Value::as_str).unwrap_or_default().to_owned();
            if let Some((_, task, running)) = busy.iter().find(|(n, _, _)| *n == name) {
                rule["ConfigRuleState"] = json!(if *running != flip { task.state() } else { "ACTIVE" });
            }
        }
    };
    let shown: Vec<&(String, RuleTask, bool)> = match outcome.alternatives.first().map(|a| &a.reply) {
        Some(crate::outcome::Reply::Success(body)) => {
            let names = listed(body);
            busy.iter().filter(|(n, _, _)| names.contains(n)).collect()
        }
        _ => Vec::new(),
    };
    let flipped = (!shown.is_empty()).then(|| outcome.alternatives[0].reply.clone());
    for alternative in &mut outcome.alternatives {
        if let crate::outcome::Reply::Success(body) = &mut alternative.reply {
            set_states(body, false);
        }
    }
    if let Some(crate::outcome::Reply::Success(mut body)) = flipped {
        set_states(&mut body, true);
        let mut other = world.clone();
        for (name, _, running) in shown {
            let forget = if *running { &mut other } else { &mut *world };
            if let Some(stored) = forget.rules.get_mut(&RuleName::new(name.as_str())) {
                stored.activity = None;
            }
        }
        let alternative = Alternative::success(body).provenance(Level::May).basis("A-48").covers(rule!("R-PCR-24"));
        outcome = outcome.or(super::with_world_if_different(alternative, other, world)).clause(rule!("R-PCR-24"));
    }
    outcome
}

fn describe_config_rules(world: &mut World, req: &DescribeConfigRulesRequest) -> Outcome {
    let named = req.config_rule_names.as_ref().filter(|n| !n.is_empty());
    // What the model holds (`current`), and the same with the rules still deleting (`shown`).
    let (current, shown): (Vec<&ConfigRule>, Vec<&ConfigRule>) = match named {
        Some(names) => {
            let mut current: Vec<&ConfigRule> = Vec::new();
            let mut shown: Vec<&ConfigRule> = Vec::new();
            for name in names {
                let key = RuleName::new(name.as_str());
                let live = world.rules.get(&key).map(|r| &r.rule);
                match live.or_else(|| world.deleting.get(&key).map(|d| &d.rule)) {
                    None => return no_such_rules(name),
                    Some(r) if !shown.iter().any(|o| o.config_rule_name == r.config_rule_name) => {
                        shown.push(r);
                        current.extend(live);
                    }
                    Some(_) => {}
                }
            }
            (current, shown)
        }
        None => {
            let current: Vec<&ConfigRule> = world.rules.values().map(|r| &r.rule).collect();
            let shown = current.iter().copied().chain(world.deleting.values().map(|d| &d.rule)).collect();
            (current, shown)
        }
    };
    // A name asked for that only a deletion still running knows: gone for the model.
    let named_deleting = named.is_some() && current.len() < shown.len();
    let page = |rules: Vec<&ConfigRule>| -> Result<(Vec<ConfigRule>, Option<String>), crate::error::ApiError> {
        let key = |r: &&ConfigRule| r.config_rule_name.clone().unwrap_or_default();
        let (page, next_token) = paging::page(rules, key, CONFIG_RULES_PAGE, req.next_token.as_deref(), "DescribeConfigRules", "")?;
        Ok((page.into_iter().cloned().collect(), next_token))
    };
    let filters = req.filters.as_ref();
    let (current, shown) = (filtered(current, filters), filtered(shown, filters));
    // For names asked for, a target still deleting answers a list (maybe empty after the
    // filters) where the model answers an error.
    let still_deleting = if named_deleting || shown.len() > current.len() { page(shown).ok() } else { None };
    let mut outcome = if named_deleting {
        let gone = named.into_iter().flatten().find(|n| !world.rules.contains_key(&RuleName::new(n.as_str())));
        no_such_rules(gone.map_or("", String::as_str))
    } else {
        let whole: Vec<ConfigRule> = current.iter().map(|r| (*r).clone()).collect();
        match page(current) {
            Ok((config_rules, next_token)) => {
                let mut outcome = Outcome::ok(body(&DescribeConfigRulesResponse { config_rules: config_rules.clone(), next_token: next_token.clone() }))
                    .clauses(&[rule!("R-DCRs-01"), rule!("R-DCRs-02"), rule!("R-DCRs-03")])
                    .clauses(&listing_shows(&config_rules, filters, req.next_token.is_some() || next_token.is_some()));
                // The page size is the model's choice (A-24): a first page may hold every rule.
                if req.next_token.is_none() && next_token.is_some() {
                    outcome = outcome.or(
                        Alternative::success(body(&DescribeConfigRulesResponse { config_rules: whole, next_token: None }))
                            .provenance(Level::May)
                            .basis("A-24"),
                    );
                }
                // A name asked for twice: once (preferred) or twice, in the order asked (A-38).
                if let Some(names) = named.filter(|n| n.len() > config_rules.len() && next_token.is_none()) {
                    let repeated: Vec<ConfigRule> = names
                        .iter()
                        .filter_map(|n| config_rules.iter().find(|r| r.config_rule_name.as_deref() == Some(n.as_str())).cloned())
                        .collect();
                    outcome = outcome.or(
                        Alternative::success(body(&DescribeConfigRulesResponse { config_rules: repeated, next_token: None }))
                            .provenance(Level::May)
                            .basis("A-38"),
                    );
                }
                outcome
            }
            Err(e) => return Outcome::err(e.code, e.message).clauses(&[rule!("R-DCRs-03"), rule!("R-PAG-04")]),
        }
    };
    if let Some((config_rules, next_token)) = still_deleting {
        // A deletion the model itself still runs makes the DELETING answer the preferred one (A-43).
        let running = config_rules
            .iter()
            .filter_map(|r| r.config_rule_name.as_deref())
            .any(|n| world.deletion_running(&RuleName::new(n)));
        let before = world.clone();
        // The preferred answer shows these deletions finished: they are not shown again.
        for name in config_rules.iter().filter_map(|r| r.config_rule_name.as_deref()) {
            let name = RuleName::new(name);
            if !world.rules.contains_key(&name) {
                world.deleting.remove(&name);
            }
        }
        let still = Alternative::success(body(&DescribeConfigRulesResponse { config_rules, next_token }))
            .provenance(Level::May)
            .basis("A-22")
            .covers(rule!("R-PCR-24"))
            .covers(rule!("R-DCR-02"));
        outcome = outcome.or(super::with_world_if_different(still, before, world));
        if running {
            let last = outcome.alternatives.len() - 1;
            outcome = super::prefer(world, outcome, last);
        }
    }
    outcome
}

/// The rules that pass DescribeConfigRules' filters (R-DCRs-02), sorted by name (A-24). A
/// rule without a visibility passes either visibility (A-34).
fn filtered<'a>(rules: Vec<&'a ConfigRule>, filters: Option<&DescribeConfigRulesFilters>) -> Vec<&'a ConfigRule> {
    let mut rules: Vec<&ConfigRule> = rules
        .into_iter()
        .filter(|r| {
            filters.is_none_or(|f| {
                f.evaluation_mode.is_none_or(|mode| r.evaluation_modes.iter().flatten().any(|m| m.mode == Some(mode)))
                    && f.rule_evaluation_visibility.is_none_or(|v| r.rule_evaluation_visibility.is_none_or(|rv| rv == v))
            })
        })
        .collect();
    rules.sort_by(|a, b| a.config_rule_name.cmp(&b.config_rule_name));
    rules
}

/// NoSuchConfigRuleException for a name DescribeConfigRules does not know, in either of the
/// real service's words (S-08).
fn no_such_rules(name: &str) -> Outcome {
    Outcome::new(Alternative::error(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(name)).message_level(Level::Should))
        .or(Alternative::error(
            ErrorCode::NoSuchConfigRuleException,
            "One or more ConfigRules provided in the request are invalid. Please check the configRule names.",
        )
        .message_level(Level::Should))
        .clauses(&[rule!("R-DCRs-01"), rule!("R-DCRs-03"), rule!("R-ERR-03")])
}

#[cfg(test)]
mod tests {
    //! The rule states EVALUATING and DELETING_RESULTS on the virtual clock (R-PCR-24, A-48).
    use crate::outcome::{Level, Outcome, Reply};
    use crate::time::{Millis, Timestamp};
    use crate::world::{ComplianceType, Control, World};
    use crate::{handle, ErrorCode, Operation};
    use serde_json::{json, Value};

    const T0: Timestamp = Timestamp::EPOCH_2026;

    /// An account with rules `r` and `s` whose evaluations run `evaluating` and result deletions
    /// `deleting` seconds.
    fn account(evaluating: u32, deleting: u32) -> World {
        let mut w = World::reference(T0);
        let answer = w.control(&Control::SetRuleStateTimes { evaluating_seconds: evaluating, deleting_results_seconds: deleting }, T0);
        assert_eq!(answer.error, None);
        for name in ["r", "s"] {
            let body = json!({"ConfigRule": {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
            assert_eq!(at(&mut w, 0, Operation::PutConfigRule, body).preferred().reply, Reply::Success(Value::Null));
        }
        w
    }

    fn at(w: &mut World, seconds: i64, op: Operation, body: Value) -> Outcome {
        handle(w, op, body.to_string().as_bytes(), T0 + Millis(seconds * 1000))
    }

    fn code(outcome: &Outcome, i: usize) -> Option<ErrorCode> {
        outcome.alternatives[i].reply.error_code()
    }

    /// The ConfigRuleState of `rule` in alternative `i` of a DescribeConfigRules outcome.
    fn state(outcome: &Outcome, i: usize, rule: &str) -> String {
        let Reply::Success(body) = &outcome.alternatives[i].reply else { panic!("alternative {i} is an error: {outcome:?}") };
        let rules = body["ConfigRules"].as_array().unwrap();
        let found = rules.iter().find(|r| r["ConfigRuleName"] == rule).unwrap_or_else(|| panic!("{rule} not listed"));
        found["ConfigRuleState"].as_str().unwrap().to_owned()
    }

    fn start(names: &[&str]) -> Value {
        json!({"ConfigRuleNames": names})
    }

    #[test]
    fn r_sce_01_start_shows_evaluating_for_the_accounts_time_then_active() {
        let mut w = account(30, 0);
        let started = at(&mut w, 1, Operation::StartConfigRulesEvaluation, start(&["r"]));
        assert_eq!(started.preferred().reply, Reply::Success(json!({})));
        assert_eq!(started.alternatives.len(), 1, "{started:?}");
        assert!(started.clauses.contains(&crate::rule!("R-SCE-01")));
        // While the model's evaluation runs: EVALUATING, or ACTIVE from a quicker target.
        let during = at(&mut w, 20, Operation::DescribeConfigRules, json!({}));
        assert_eq!((state(&during, 0, "r"), state(&during, 0, "s")), ("EVALUATING".to_owned(), "ACTIVE".to_owned()));
        assert_eq!(during.alternatives.len(), 2);
        assert_eq!((state(&during, 1, "r"), during.alternatives[1].provenance, during.alternatives[1].basis), ("ACTIVE".to_owned(), Level::May, "A-48"));
        assert!(during.clauses.contains(&crate::rule!("R-PCR-24")));
        // After it: ACTIVE (preferred, and the run is forgotten), or still EVALUATING.
        let after = at(&mut w, 31, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}));
        assert_eq!((state(&after, 0, "r"), state(&after, 1, "r")), ("ACTIVE".to_owned(), "EVALUATING".to_owned()));
        let later = at(&mut w, 32, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}));
        assert_eq!((state(&later, 0, "r"), later.alternatives.len()), ("ACTIVE".to_owned(), 1));
    }

    #[test]
    fn r_sce_01_by_default_an_evaluation_is_over_at_once() {
        let mut w = account(0, 0);
        assert_eq!(at(&mut w, 1, Operation::StartConfigRulesEvaluation, start(&["r", "s", "r"])).preferred().reply, Reply::Success(json!({})));
        // ACTIVE (preferred: the run is forgotten), or a slower target's EVALUATING.
        let listed = at(&mut w, 1, Operation::DescribeConfigRules, json!({}));
        assert_eq!((state(&listed, 0, "r"), state(&listed, 1, "r"), listed.alternatives.len()), ("ACTIVE".to_owned(), "EVALUATING".to_owned(), 2));
        let again = at(&mut w, 1, Operation::DescribeConfigRules, json!({}));
        assert_eq!((state(&again, 0, "s"), again.alternatives.len()), ("ACTIVE".to_owned(), 1));
    }

    #[test]
    fn r_sce_02_an_unknown_or_deleted_rule_is_no_such_rule_and_nothing_starts() {
        let mut w = account(30, 0);
        let unknown = at(&mut w, 1, Operation::StartConfigRulesEvaluation, start(&["r", "nope"]));
        assert_eq!((code(&unknown, 0), unknown.alternatives.len()), (Some(ErrorCode::NoSuchConfigRuleException), 1));
        // Nothing started: r may be evaluated at once.
        assert_eq!(at(&mut w, 2, Operation::StartConfigRulesEvaluation, start(&["r"])).preferred().reply, Reply::Success(json!({})));
        at(&mut w, 3, Operation::DeleteConfigRule, json!({"ConfigRuleName": "s"}));
        let deleted = at(&mut w, 4, Operation::StartConfigRulesEvaluation, start(&["s"]));
        assert_eq!(code(&deleted, 0), Some(ErrorCode::NoSuchConfigRuleException));
    }

    #[test]
    fn r_sce_03_a_second_start_within_a_minute_is_limit_exceeded() {
        let mut w = account(0, 0);
        at(&mut w, 0, Operation::StartConfigRulesEvaluation, start(&["r"]));
        let again = at(&mut w, 59, Operation::StartConfigRulesEvaluation, start(&["s", "r"]));
        // Documented: no other answer is accepted.
        assert_eq!((code(&again, 0), again.alternatives.len()), (Some(ErrorCode::LimitExceededException), 1));
        assert!(again.clauses.contains(&crate::rule!("R-SCE-03")));
        // The refusal started nothing, s included: a start of s alone succeeds, and the minute
        // of r, counted per rule (preferred), may be counted per account (MAY).
        let other = at(&mut w, 59, Operation::StartConfigRulesEvaluation, start(&["s"]));
        assert_eq!(other.preferred().reply, Reply::Success(json!({})));
        assert_eq!((code(&other, 1), other.alternatives[1].provenance), (Some(ErrorCode::LimitExceededException), Level::May));
        assert_eq!(at(&mut w, 60, Operation::StartConfigRulesEvaluation, start(&["r"])).preferred().reply, Reply::Success(json!({})));
    }

    #[test]
    fn r_sce_03_an_evaluation_longer_than_a_minute_refuses_until_it_ends() {
        let mut w = account(120, 0);
        at(&mut w, 0, Operation::StartConfigRulesEvaluation, start(&["r"]));
        let running = at(&mut w, 90, Operation::StartConfigRulesEvaluation, start(&["r"]));
        assert_eq!(code(&running, 0), Some(ErrorCode::LimitExceededException));
        assert_eq!((running.alternatives[1].reply.clone(), running.alternatives[1].provenance), (Reply::Success(json!({})), Level::May));
        let ended = at(&mut w, 120, Operation::StartConfigRulesEvaluation, start(&["r"]));
        assert_eq!(ended.preferred().reply, Reply::Success(json!({})));
        assert_eq!(code(&ended, 1), Some(ErrorCode::LimitExceededException), "a slower target may still evaluate");
    }

    #[test]
    fn r_sce_04_no_names_is_refused_or_evaluates_nothing() {
        let mut w = account(0, 0);
        let none = at(&mut w, 0, Operation::StartConfigRulesEvaluation, json!({}));
        assert_eq!(code(&none, 0), Some(ErrorCode::InvalidParameterValueException));
        assert_eq!((none.alternatives[1].reply.clone(), none.alternatives[1].basis), (Reply::Success(json!({})), "A-48"));
        let empty = at(&mut w, 0, Operation::StartConfigRulesEvaluation, json!({"ConfigRuleNames": []}));
        assert_eq!(code(&empty, 0), Some(ErrorCode::ValidationException));
        let many: Vec<String> = (0..26).map(|i| format!("r{i}")).collect();
        let too_many = at(&mut w, 0, Operation::StartConfigRulesEvaluation, json!({"ConfigRuleNames": many}));
        assert_eq!(code(&too_many, 0), Some(ErrorCode::ValidationException));
    }

    #[test]
    fn r_der_04_delete_config_rule_is_in_use_while_results_are_deleted() {
        let mut w = account(0, 20);
        w.control(
            &Control::SetCompliance { rule: "r".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: "b".into(), compliance: ComplianceType::Compliant, annotation: None },
            T0,
        );
        assert_eq!(at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"})).preferred().reply, Reply::Success(json!({})));
        let refused = at(&mut w, 10, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
        assert_eq!(code(&refused, 0), Some(ErrorCode::ResourceInUseException));
        assert!(refused.clauses.contains(&crate::rule!("R-DER-04")));
        assert!(w.rule(&crate::names::RuleName::new("r")).is_some(), "the refusal keeps the rule");
        let quicker = &refused.alternatives[1];
        assert_eq!((quicker.reply.clone(), quicker.provenance), (Reply::Success(Value::Null), Level::May));
        assert!(quicker.world.as_deref().is_some_and(|s| s.rule(&crate::names::RuleName::new("r")).is_none()));
        let after = at(&mut w, 21, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
        assert_eq!(after.preferred().reply, Reply::Success(Value::Null));
        assert_eq!(code(&after, 1), Some(ErrorCode::ResourceInUseException), "a slower target may still be deleting results");
    }

    #[test]
    fn r_pcr_24_an_update_while_evaluating_keeps_the_state_or_is_in_use() {
        let mut w = account(30, 0);
        at(&mut w, 0, Operation::StartConfigRulesEvaluation, start(&["r"]));
        let body = json!({"ConfigRule": {"ConfigRuleName": "r", "Description": "d", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        let update = at(&mut w, 5, Operation::PutConfigRule, body);
        assert_eq!(update.preferred().reply, Reply::Success(Value::Null));
        assert_eq!((code(&update, 1), update.alternatives[1].basis), (Some(ErrorCode::ResourceInUseException), "A-48"));
        let listed = at(&mut w, 6, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}));
        assert_eq!(state(&listed, 0, "r"), "EVALUATING");
        let Reply::Success(body) = &listed.preferred().reply else { unreachable!() };
        assert_eq!(body["ConfigRules"][0]["Description"], "d");
        // The refusal of a second start still holds after the update.
        assert_eq!(code(&at(&mut w, 7, Operation::StartConfigRulesEvaluation, start(&["r"])), 0), Some(ErrorCode::LimitExceededException));
    }

    #[test]
    fn r_pcr_24_rule_state_times_are_bounded() {
        let mut w = World::reference(T0);
        let answer = w.control(&Control::SetRuleStateTimes { evaluating_seconds: 3_601, deleting_results_seconds: 0 }, T0);
        assert!(answer.error.is_some_and(|e| e.contains("3601")));
        let parsed: Control = serde_json::from_value(json!({"action": "set_rule_state_times", "evaluating_seconds": 5, "deleting_results_seconds": 7})).unwrap();
        assert_eq!(parsed, Control::SetRuleStateTimes { evaluating_seconds: 5, deleting_results_seconds: 7 });
    }
}
