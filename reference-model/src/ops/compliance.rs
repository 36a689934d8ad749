//! Reading compliance back: GetComplianceDetailsByConfigRule, DescribeComplianceByConfigRule,
//! DescribeComplianceByResource.

use super::body;
use super::rules::no_such_rule_message;
use crate::error::ErrorCode;
use crate::limits::defaults;
use crate::names::{ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::paging;
use crate::wire::*;
use crate::world::{ComplianceType, ResourceView, World};
use std::collections::BTreeMap;
use crate::clauses::RuleId;
use crate::rule;

fn filter_types(types: &Option<Vec<ComplianceType>>, clause: RuleId) -> Result<Option<Vec<ComplianceType>>, Outcome> {
    match types {
        None => Ok(None),
        Some(list) if list.is_empty() => Ok(None),
        Some(list) => list
            .iter()
            .map(|t| match *t {
                ComplianceType::InsufficientData if clause == rule!("R-GCD-02") => Err(Outcome::err(
                    ErrorCode::InvalidParameterValueException,
                    "INSUFFICIENT_DATA cannot be used as a ComplianceType filter.",
                )
                .clause(clause)
                // A parameter error, one of the operation's modelled errors (R-GCD-07).
                .clause(rule!("R-GCD-07"))),
                t => Ok(t),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// The paging rules a listing with a Limit member exercised: the paginator's tokens when it
/// was paged (R-PAG-01), the documented default when Limit was 0 or left out (R-PAG-03).
fn paging_rules(paged: bool, limit: i32) -> &'static [RuleId] {
    match (paged, limit == 0) {
        (true, true) => &[rule!("R-PAG-01"), rule!("R-PAG-03")],
        (true, false) => &[rule!("R-PAG-01")],
        (false, true) => &[rule!("R-PAG-03")],
        (false, false) => &[],
    }
}

/// What a summary shows: a NON_COMPLIANT entry's capped contributor count (R-CMP-02), and
/// INSUFFICIENT_DATA where no current result exists (`no_data`: R-DCBR-03 or R-DCBC-03).
fn summary_rules(compliance: &[&Compliance], no_data: RuleId) -> Vec<RuleId> {
    let shows = |t: ComplianceType| compliance.iter().any(|c| c.compliance_type == t);
    let mut rules = Vec::new();
    if shows(ComplianceType::NonCompliant) {
        rules.push(rule!("R-CMP-02"));
    }
    if shows(ComplianceType::InsufficientData) {
        rules.push(no_data);
    }
    rules
}

fn page_size(limit: i32) -> usize {
    if limit == 0 {
        defaults::COMPLIANCE_PAGE
    } else {
        limit as usize
    }
}

/// GetComplianceDetailsByConfigRule (R-GCD-01..07): one result per evaluated resource, sorted
/// by resource, filtered by ComplianceTypes (INSUFFICIENT_DATA not allowed, R-GCD-02), 10 a
/// page by default (R-GCD-03).
pub fn apply_get_compliance_details(world: &mut World, req: &GetComplianceDetailsByConfigRuleRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    if !world.rules.contains_key(&rule) {
        return Outcome::err(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(rule.as_str())).clause(rule!("R-GCD-07"));
    }
    let types = match filter_types(&req.compliance_types, rule!("R-GCD-02")) {
        Ok(t) => t,
        Err(o) => return o,
    };
    // The rule's own rows, already in resource order (R-GCD-01).
    let results: Vec<(ResourceRef, EvaluationResult)> = world
        .evaluations
        .of_rule(&rule, None)
        .filter(|(_, e)| types.as_ref().is_none_or(|t| t.contains(&e.compliance)))
        .map(|(res, e)| {
            (
                res.to_resource(),
                EvaluationResult {
                    evaluation_result_identifier: EvaluationResultIdentifier {
                        evaluation_result_qualifier: EvaluationResultQualifier {
                            config_rule_name: rule.to_string(),
                            resource_type: res.resource_type.to_owned(),
                            resource_id: res.resource_id.to_owned(),
                            evaluation_mode: EvaluationMode::Detective,
                        },
                        ordering_timestamp: e.ordering_timestamp,
                        resource_evaluation_id: e.evaluation_id.to_uuid(),
                    },
                    compliance_type: e.compliance,
                    result_recorded_time: e.recorded,
                    config_rule_invoked_time: e.recorded,
                    annotation: e.annotation.as_deref().map(str::to_owned),
                },
            )
        })
        .collect();
    let key = |(res, _): &(ResourceRef, EvaluationResult)| format!("{}\u{0}{}", res.resource_type, res.resource_id);
    let resumed = req.next_token.is_some();
    match paging::page(results, key, page_size(req.limit), req.next_token.as_deref(), "GetComplianceDetailsByConfigRule", rule.as_str()) {
        Ok((page, next_token)) => Outcome::ok(body(&GetComplianceDetailsByConfigRuleResponse {
            evaluation_results: page.into_iter().map(|(_, r)| r).collect(),
            next_token: next_token.clone(),
        }))
        .clauses(&[rule!("R-GCD-01"), rule!("R-GCD-03"), rule!("R-GCD-05"), rule!("R-GCD-06")])
        // What was stored leaves out every dry run (R-PE-04).
        .clause(rule!("R-PE-04"))
        .clauses(paging_rules(resumed || next_token.is_some(), req.limit)),
        Err(e) => Outcome::err(e.code, e.message).clauses(&[rule!("R-GCD-07"), rule!("R-PAG-04")]),
    }
}

/// Sums a set of results: NON_COMPLIANT if any is (with how many), COMPLIANT if all are, else
/// INSUFFICIENT_DATA (R-CMP-01, R-DCBR-02, R-DCBC-02).
fn summarise(results: impl Iterator<Item = ComplianceType>) -> Compliance {
    let (mut non_compliant, mut compliant) = (0, 0);
    for r in results {
        match r {
            ComplianceType::NonCompliant => non_compliant += 1,
            ComplianceType::Compliant => compliant += 1,
            _ => {}
        }
    }
    if non_compliant > 0 {
        Compliance {
            compliance_type: ComplianceType::NonCompliant,
            compliance_contributor_count: Some(ComplianceContributorCount { capped_count: non_compliant.min(100), cap_exceeded: non_compliant > 100 }),
        }
    } else if compliant > 0 {
        Compliance { compliance_type: ComplianceType::Compliant, compliance_contributor_count: None }
    } else {
        Compliance { compliance_type: ComplianceType::InsufficientData, compliance_contributor_count: None }
    }
}

/// DescribeComplianceByConfigRule (R-DCBC-01..05).
pub fn apply_describe_compliance_by_config_rule(world: &mut World, req: &DescribeComplianceByConfigRuleRequest) -> Outcome {
    let names: Vec<RuleName> = match &req.config_rule_names {
        Some(names) if !names.is_empty() => {
            if let Some(missing) = names.iter().find(|n| !world.rules.contains_key(&RuleName::new(*n))) {
                return Outcome::err(ErrorCode::NoSuchConfigRuleException, no_such_rule_message(missing)).clause(rule!("R-DCBC-05"));
            }
            let mut v: Vec<RuleName> = names.iter().map(RuleName::new).collect();
            v.sort();
            v.dedup();
            v
        }
        _ => world.rules.keys().cloned().collect(),
    };
    let types = match filter_types(&req.compliance_types, rule!("R-DCBC-04")) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let rows: Vec<ComplianceByConfigRule> = names
        .into_iter()
        .map(|rule| {
            let compliance = summarise(world.evaluations.of_rule(&rule, None).map(|(_, e)| e.compliance));
            ComplianceByConfigRule { config_rule_name: rule.to_string(), compliance }
        })
        .filter(|row| types.as_ref().is_none_or(|t| t.contains(&row.compliance.compliance_type)))
        .collect();
    // The filters, and paging by NextToken alone (R-DCBC-04, R-PAG-01).
    let filtered = req.config_rule_names.as_ref().is_some_and(|n| !n.is_empty()) || types.is_some();
    let key = |row: &ComplianceByConfigRule| row.config_rule_name.clone();
    let first = req.next_token.is_none();
    let whole = rows.clone();
    match paging::page(rows, key, 25, req.next_token.as_deref(), "DescribeComplianceByConfigRule", "") {
        Ok((page, next_token)) => {
            let paged = next_token.is_some();
            let shown = summary_rules(&page.iter().map(|r| &r.compliance).collect::<Vec<_>>(), rule!("R-DCBC-03"));
            let outcome = Outcome::ok(body(&DescribeComplianceByConfigRuleResponse { compliance_by_config_rules: page, next_token }))
                .clauses(&[rule!("R-DCBC-01"), rule!("R-DCBC-02"), rule!("R-CMP-01")])
                .clauses(&shown)
                .clauses(if filtered || paged || !first { &[rule!("R-DCBC-04")] } else { &[] })
                .clauses(if paged || !first { &[rule!("R-PAG-01")] } else { &[] });
            // The page size is the model's choice: a first page may hold every rule.
            if first && paged {
                let all = DescribeComplianceByConfigRuleResponse { compliance_by_config_rules: whole, next_token: None };
                return outcome.or(Alternative::success(body(&all)).provenance(Level::May).basis("A-24"));
            }
            outcome
        }
        Err(e) => Outcome::err(e.code, e.message).clause(rule!("R-DCBC-05")),
    }
}

/// DescribeComplianceByResource (R-DCBR-01..07).
pub fn apply_describe_compliance_by_resource(world: &mut World, req: &DescribeComplianceByResourceRequest) -> Outcome {
    if req.resource_id.is_some() && req.resource_type.is_none() {
        return Outcome::err(ErrorCode::InvalidParameterValueException, "A ResourceId needs a ResourceType.").clause(rule!("R-DCBR-05")).clause(rule!("R-DCBR-07"));
    }
    let types = match filter_types(&req.compliance_types, rule!("R-DCBR-07")) {
        Ok(t) => t,
        Err(o) => return o,
    };
    // By resource, in (type, id) order as ResourceView sorts (R-DCBR-01).
    let mut by_resource: BTreeMap<ResourceView, Vec<ComplianceType>> = BTreeMap::new();
    for ((_, res), e) in world.evaluations.iter() {
        if req.resource_type.as_ref().is_some_and(|t| *t != res.resource_type) || req.resource_id.as_ref().is_some_and(|i| *i != res.resource_id) {
            continue;
        }
        by_resource.entry(res).or_default().push(e.compliance);
    }
    let rows: Vec<ComplianceByResource> = by_resource
        .into_iter()
        .map(|(res, results)| ComplianceByResource {
            resource_type: res.resource_type.to_owned(),
            resource_id: res.resource_id.to_owned(),
            compliance: summarise(results.into_iter()),
        })
        .filter(|row| types.as_ref().is_none_or(|t| t.contains(&row.compliance.compliance_type)))
        .collect();
    let resumed = req.next_token.is_some();
    let key = |row: &ComplianceByResource| format!("{}\u{0}{}", row.resource_type, row.resource_id);
    match paging::page(rows, key, page_size(req.limit), req.next_token.as_deref(), "DescribeComplianceByResource", "") {
        Ok((page, next_token)) => {
            let paging = paging_rules(resumed || next_token.is_some(), req.limit);
            let shown = summary_rules(&page.iter().map(|r| &r.compliance).collect::<Vec<_>>(), rule!("R-DCBR-03"));
            Outcome::ok(body(&DescribeComplianceByResourceResponse { compliance_by_resources: page, next_token }))
                .clauses(&[rule!("R-DCBR-01"), rule!("R-DCBR-02"), rule!("R-DCBR-06"), rule!("R-CMP-01")])
                .clauses(&shown)
                .clauses(paging)
        }
        Err(e) => Outcome::err(e.code, e.message).clause(rule!("R-DCBR-07")),
    }
}
