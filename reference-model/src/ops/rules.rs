//! PutConfigRule, DeleteConfigRule, DescribeConfigRules: the rules remediation hangs off.

use super::body;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::RuleName;
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::world::{StoredRule, World};
use serde_json::Value;

/// Page size of DescribeConfigRules (it has no Limit member; A-24).
pub const CONFIG_RULES_PAGE: usize = 25;

fn invalid(message: impl Into<String>, clause: &'static str) -> Outcome {
    Outcome::err(ErrorCode::InvalidParameterValueException, message).clause(clause)
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
            return Err(invalid("Scope with a ComplianceResourceId needs exactly one ComplianceResourceType.", "R-PCR-12"));
        }
        if scope.tag_value.is_some() && scope.tag_key.is_none() {
            return Err(invalid("Scope with a TagValue needs a TagKey.", "R-PCR-13"));
        }
    }
    let source = &rule.source;
    match source.owner.as_str() {
        "AWS" => {
            if source.source_details.is_some() {
                return Err(invalid("SourceDetails can only be given for custom rules.", "R-PCR-16"));
            }
            if source.source_identifier.is_none() {
                return Err(invalid("A managed rule needs a SourceIdentifier.", "R-PCR-03"));
            }
        }
        "CUSTOM_LAMBDA" => {
            if source.source_identifier.is_none() {
                return Err(invalid("A custom Lambda rule needs the function ARN as SourceIdentifier.", "R-PCR-03"));
            }
        }
        _ => {
            // CUSTOM_POLICY (the enum allows nothing else).
            if source.custom_policy_details.is_none() {
                return Err(invalid("A custom policy rule needs CustomPolicyDetails.", "R-PCR-18"));
            }
            let allowed = ["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"];
            if source.source_details.iter().flatten().any(|d| d.message_type.as_deref().is_some_and(|m| !allowed.contains(&m))) {
                return Err(invalid("A custom policy rule is triggered only by configuration item changes.", "R-PCR-18"));
            }
        }
    }
    if source.source_details.iter().flatten().any(|d| {
        d.maximum_execution_frequency.is_some() && d.message_type.as_deref() != Some("ScheduledNotification")
    }) {
        return Err(invalid("A SourceDetail with MaximumExecutionFrequency needs MessageType ScheduledNotification.", "R-PCR-16"));
    }
    let modes: Vec<&str> = rule.evaluation_modes.iter().flatten().filter_map(|m| m.mode.as_deref()).collect();
    if (1..modes.len()).any(|i| modes[..i].contains(&modes[i])) {
        return Err(invalid("EvaluationModes must be distinct.", "R-PCR-22"));
    }
    Ok(())
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
        .clauses(&["R-PCR-10", "R-ERR-11"]);
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
        .clause("R-PCR-05");
    }
    if let Err(mut outcome) = check_rule(sent) {
        // Which the service checks first, the members or the Lambda function, is not
        // documented: the observed Lambda refusal is acceptable too.
        if sent.source.owner == "CUSTOM_LAMBDA" {
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
            .clause("R-PCR-05");
        }
        // An update naming an Arn or Id that no rule has. NoSuchConfigRuleException is not a
        // modelled error of PutConfigRule (R-PCR-08), so it is a parameter error.
        (None, None) => {
            let given = sent.config_rule_arn.as_deref().or(sent.config_rule_id.as_deref()).unwrap_or_default();
            return Outcome::err(ErrorCode::InvalidParameterValueException, format!("No ConfigRule has the Arn or Id {given}."))
                .clause("R-PCR-06");
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
        .clauses(&["R-PCR-01", "R-ERR-08"]);
    }
    // A name whose rule is still being deleted: the preferred answer creates the new
    // rule (the deletion finished); a target still deleting refuses it (R-DCR-02).
    let still_deleting = (existing.is_none() && world.deleting.contains_key(&name))
        .then(|| being_deleted(name.as_str()).covers("R-DCR-02").with_world(world.clone()));
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
    rule.config_rule_state = Some("ACTIVE".to_owned());
    rule.created_by = service.clone();
    if rule.evaluation_modes.is_none() {
        // R-PCR-22: the default is Detective only; the real service lists it (research).
        rule.evaluation_modes = Some(vec![EvaluationModeConfiguration { mode: Some("DETECTIVE".to_owned()) }]);
    }
    let clauses: &[&str] = if existing.is_some() { &["R-PCR-01", "R-PCR-06", "R-PCR-07"] } else { &["R-PCR-01", "R-PCR-02", "R-PCR-05"] };
    let custom_lambda = rule.source.owner == "CUSTOM_LAMBDA";
    let function = rule.source.source_identifier.clone().unwrap_or_default();
    let unchanged = custom_lambda.then(|| world.clone());
    // R-PCR-03: a managed rule names a published identifier. Checked last: which check
    // the service makes first is not known.
    let managed = (rule.source.owner == "AWS" && !crate::managed_rules::is_published(&function))
        .then(|| (function.clone(), world.clone()));
    world.deleting.remove(&name);
    world.rules.insert(name, StoredRule { rule, service_linked_by: service });
    let mut outcome = Outcome::ok(Value::Null).clauses(clauses);
    let refused_while_deleting = still_deleting.is_some();
    if let Some(refusal) = still_deleting {
        outcome = outcome.or(refusal);
    }
    if let Some(unchanged) = unchanged {
        // The model cannot know whether the Lambda function exists and may be invoked (R-PCR-04,
        // R-PCR-09): the service's refusal, in its observed words, is acceptable too.
        outcome = outcome.or(lambda_refusal(&function).with_world(unchanged)).clause("R-PCR-09");
    }
    if let Some((id, unchanged)) = managed {
        // Not on the list: refused, in the real words (SHOULD); a rule newer than the list may
        // still be accepted (MAY).
        let refusal = Alternative::error(ErrorCode::InvalidParameterValueException, crate::managed_rules::unknown_identifier_message(&id))
            .provenance(Level::Should)
            .message_level(Level::Should)
            .basis("A-44")
            .covers("R-PCR-03");
        outcome = outcome.or(super::with_world_if_different(refusal, unchanged, world));
        let last = outcome.alternatives.len() - 1;
        outcome = super::prefer(world, outcome, last);
        if let Some(accepted) = outcome.alternatives.get_mut(1) {
            accepted.provenance = Level::May;
            accepted.basis = "A-44";
        }
        return outcome.clause("R-PCR-03");
    }
    // While the model's own deletion of the name runs, the refusal is preferred.
    if refused_while_deleting && running {
        outcome = super::prefer(world, outcome, 1);
    }
    outcome
}

/// DeleteConfigRule (R-DCR-01..05): refused while a remediation configuration is attached
/// (observed text, rule-delete-with-rc); otherwise the rule and its results go, the rule
/// staying DELETING for the account's deletion time.
pub fn apply_delete_config_rule(world: &mut World, req: &DeleteConfigRuleRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    if !world.rules.contains_key(&rule) {
        // A rule deleted before may still be deleting on the target: the second delete
        // is then refused as in use (R-DCR-03). The preferred answer says the deletion is over.
        let running = world.deletion_running(&rule);
        let still_deleting = world.deleting.remove(&rule).map(|shown| {
            let mut before = world.clone();
            before.deleting.insert(rule.clone(), shown);
            being_deleted(rule.as_str()).covers("R-DCR-03").covers("R-ERR-07").with_world(before)
        });
        let gone = Alternative::error(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(rule.as_str()));
        return match still_deleting {
            None => Outcome::new(gone).clauses(&["R-DCR-04", "R-ERR-03"]),
            // While the model's own deletion runs, the refusal is preferred.
            Some(refusal) if running => super::prefer(world, Outcome::new(gone.covers("R-ERR-03")).or(refusal).clause("R-DCR-04"), 1),
            Some(refusal) => Outcome::new(gone.covers("R-ERR-03")).or(refusal).clause("R-DCR-04"),
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
        .clauses(&["R-DCR-03", "R-ERR-07"]);
    }
    world.remove_rule(&rule);
    Outcome::ok(Value::Null).clauses(&["R-DCR-01", "R-DCR-02"])
}

/// DescribeConfigRules (R-DCRs-01..03): the named rules (an unknown name is an error) or all,
/// sorted by name, 25 a page. A rule deleted before may still be listed by the target in the
/// DELETING state (A-22, R-PCR-24): that answer is an alternative, and the preferred one, which
/// shows the deletion finished, forgets the rules it no longer shows.
pub fn apply_describe_config_rules(world: &mut World, req: &DescribeConfigRulesRequest) -> Outcome {
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
                    .clauses(&["R-DCRs-01", "R-DCRs-02", "R-DCRs-03"]);
                // The page size is the model's choice: a first page may hold every rule.
                if req.next_token.is_none() && next_token.is_some() {
                    outcome = outcome.or(
                        Alternative::success(body(&DescribeConfigRulesResponse { config_rules: whole, next_token: None }))
                            .provenance(Level::May)
                            .basis("A-24"),
                    );
                }
                // A name asked for twice: once (preferred) or twice, in the order asked.
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
            Err(e) => return Outcome::err(e.code, e.message).clauses(&["R-DCRs-03", "R-PAG-04"]),
        }
    };
    if let Some((config_rules, next_token)) = still_deleting {
        // A deletion the model itself still runs makes the DELETING answer the preferred one.
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
            .covers("R-PCR-24")
            .covers("R-DCR-02");
        outcome = outcome.or(super::with_world_if_different(still, before, world));
        if running {
            let last = outcome.alternatives.len() - 1;
            outcome = super::prefer(world, outcome, last);
        }
    }
    outcome
}

/// The rules that pass DescribeConfigRules' filters (R-DCRs-02), sorted by name. A
/// rule without a visibility passes either visibility.
fn filtered<'a>(rules: Vec<&'a ConfigRule>, filters: Option<&DescribeConfigRulesFilters>) -> Vec<&'a ConfigRule> {
    let mut rules: Vec<&ConfigRule> = rules
        .into_iter()
        .filter(|r| {
            filters.is_none_or(|f| {
                f.evaluation_mode.as_ref().is_none_or(|mode| r.evaluation_modes.iter().flatten().any(|m| m.mode.as_ref() == Some(mode)))
                    && f.rule_evaluation_visibility.as_ref().is_none_or(|v| r.rule_evaluation_visibility.as_ref().is_none_or(|rv| rv == v))
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
        .clauses(&["R-DCRs-01", "R-DCRs-03", "R-ERR-03"])
}
