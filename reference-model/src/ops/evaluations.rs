//! PutEvaluations: how compliance gets into the world.

use super::{body, with_world_if_different};
use crate::error::ErrorCode;
use crate::names::{ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::wire::*;
use crate::world::{ComplianceType, World};
use serde_json::json;

/// PutEvaluations (R-PE-01..11).
///
/// The ResultToken names the rule (R-PE-03); the model hands tokens out through
/// [`crate::world::Control::IssueResultToken`], as Config hands one to a rule's Lambda function.
/// An unknown token is refused (R-ERR-10), unless TestMode is on: then nothing is checked beyond
/// the request's shape and nothing is stored (R-PE-04, R-PE-05). INSUFFICIENT_DATA cannot be
/// reported (R-PE-06): the whole call is refused (preferred), or those evaluations come back in
/// FailedEvaluations and the rest are stored.
pub fn apply_put_evaluations(world: &mut World, req: &PutEvaluationsRequest) -> Outcome {
    let evaluations = req.evaluations.clone().unwrap_or_default();
    if req.test_mode {
        return Outcome::ok(json!({"FailedEvaluations": []})).clauses(&["R-PE-04", "R-PE-05"]);
    }
    let Some((rule, issued_for)) = world.result_tokens.get(&req.result_token).cloned() else {
        return Outcome::err(ErrorCode::InvalidResultTokenException, "The specified ResultToken is invalid.")
            .clauses(&["R-PE-03", "R-PE-10", "R-ERR-10"]);
    };
    let same_rule = world.rules.get(&rule).is_some_and(|r| r.rule.config_rule_id == issued_for);
    if !same_rule {
        return Outcome::err(
            ErrorCode::NoSuchConfigRuleException,
            format!("The ConfigRule '{rule}' provided in the request is invalid. Please check the configRule name."),
        )
        .clauses(&["R-PE-10", "R-ERR-03"]);
    }
    let (refused, accepted): (Vec<Evaluation>, Vec<Evaluation>) =
        evaluations.into_iter().partition(|e| e.compliance_type == ComplianceType::InsufficientData.as_str());
    if !refused.is_empty() {
        let mut partial = world.clone();
        store(&mut partial, &rule, &accepted);
        return Outcome::new(
            Alternative::error(
                ErrorCode::InvalidParameterValueException,
                "INSUFFICIENT_DATA is not a valid ComplianceType for PutEvaluations.",
            )
            .provenance(Level::May)
            .basis("A-20"),
        )
        .or(with_world_if_different(
            Alternative::success(body(&PutEvaluationsResponse { failed_evaluations: refused }))
                .provenance(Level::May)
                .basis("A-20"),
            partial,
            world,
        ))
        .clauses(&["R-PE-06", "R-PE-11"]);
    }
    store(world, &rule, &accepted);
    Outcome::ok(json!({"FailedEvaluations": []})).clauses(&["R-PE-01", "R-PE-02", "R-PE-03", "R-PE-07", "R-PE-09"])
}

fn store(world: &mut World, rule: &RuleName, evaluations: &[Evaluation]) {
    for e in evaluations {
        let compliance = ComplianceType::parse(&e.compliance_type).expect("validated enum");
        let resource = ResourceRef::new(&e.compliance_resource_type, &e.compliance_resource_id);
        world.record_evaluation(rule, resource, compliance, e.ordering_timestamp, e.annotation.clone());
    }
}
