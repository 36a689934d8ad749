//! PutEvaluations: how compliance gets into the world.

use super::{body, with_world_if_different};
use crate::error::ErrorCode;
use crate::names::{ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::wire::*;
use crate::world::{ComplianceType, OlderEvaluation, World};
use serde_json::json;

/// The text of the whole-request refusal of INSUFFICIENT_DATA.
const INSUFFICIENT_DATA_REFUSED: &str = "INSUFFICIENT_DATA is not a valid ComplianceType for PutEvaluations.";

fn is_insufficient(e: &Evaluation) -> bool {
    e.compliance_type == ComplianceType::InsufficientData.as_str()
}

/// The two ways of refusing INSUFFICIENT_DATA (R-PE-06, A-20): the whole call, or those
/// evaluations in FailedEvaluations (R-PE-11, exercised only by that answer).
fn insufficient_data_refusals(refused: Vec<Evaluation>) -> (Alternative, Alternative) {
    (
        Alternative::error(ErrorCode::InvalidParameterValueException, INSUFFICIENT_DATA_REFUSED).provenance(Level::May).basis("A-20"),
        Alternative::success(body(&PutEvaluationsResponse { failed_evaluations: refused }))
            .provenance(Level::May)
            .basis("A-20")
            .covers("R-PE-11"),
    )
}

/// PutEvaluations (R-PE-01..11).
///
/// The ResultToken names the rule (R-PE-03); the model hands tokens out through
/// [`crate::world::Control::IssueResultToken`], as Config hands one to a rule's Lambda function.
/// An unknown token is refused (R-ERR-10), unless TestMode is on: then nothing is checked beyond
/// the request's shape and nothing is stored (R-PE-04, R-PE-05). INSUFFICIENT_DATA cannot be
/// reported (R-PE-06): the whole call is refused (preferred), or those evaluations come back in
/// FailedEvaluations and the rest are stored; under TestMode a dry run may also accept
/// it silently. An evaluation older than the stored one is ignored (preferred) or stored.
pub fn apply_put_evaluations(world: &mut World, req: &PutEvaluationsRequest) -> Outcome {
    let evaluations = req.evaluations.clone().unwrap_or_default();
    if req.test_mode {
        let refused: Vec<Evaluation> = evaluations.into_iter().filter(is_insufficient).collect();
        if refused.is_empty() {
            return Outcome::ok(json!({"FailedEvaluations": []})).clauses(&["R-PE-04", "R-PE-05"]);
        }
        // Whether a dry run checks what a real call would refuse is not documented.
        let (whole, listed) = insufficient_data_refusals(refused);
        return Outcome::new(whole.covers("R-PE-06"))
            .or(listed.covers("R-PE-06"))
            .or(Alternative::success(json!({"FailedEvaluations": []})).provenance(Level::May).basis("A-20"))
            .clauses(&["R-PE-04", "R-PE-05"]);
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
    let (refused, accepted): (Vec<Evaluation>, Vec<Evaluation>) = evaluations.into_iter().partition(is_insufficient);
    if !refused.is_empty() {
        let mut partial = world.clone();
        store(&mut partial, &rule, &accepted, OlderEvaluation::Ignored);
        let (whole, listed) = insufficient_data_refusals(refused);
        return Outcome::new(whole).or(with_world_if_different(listed, partial, world)).clause("R-PE-06");
    }
    let replaced = has_older(world, &rule, &accepted).then(|| {
        let mut w = world.clone();
        store(&mut w, &rule, &accepted, OlderEvaluation::Replaces);
        w
    });
    store(world, &rule, &accepted, OlderEvaluation::Ignored);
    let clauses = ["R-PE-01", "R-PE-02", "R-PE-03", "R-PE-07", "R-PE-09"];
    match replaced {
        None => Outcome::ok(json!({"FailedEvaluations": []})).clauses(&clauses),
        // Both answers are the same body: the difference shows in what later reads return.
        Some(replaced) => {
            let answer = || Alternative::success(json!({"FailedEvaluations": []})).provenance(Level::May).basis("A-21");
            Outcome::new(answer()).or(with_world_if_different(answer(), replaced, world)).clauses(&clauses)
        }
    }
}

/// True when an evaluation is older than the one stored for its resource, or than an earlier
/// one of the same call for that resource.
fn has_older(world: &World, rule: &RuleName, evaluations: &[Evaluation]) -> bool {
    evaluations.iter().enumerate().any(|(i, e)| {
        let resource = ResourceRef::new(&e.compliance_resource_type, &e.compliance_resource_id);
        let stored = world.evaluations.get(&(rule.clone(), resource)).map(|s| s.ordering_timestamp);
        let earlier_in_call = evaluations[..i]
            .iter()
            .filter(|p| p.compliance_resource_type == e.compliance_resource_type && p.compliance_resource_id == e.compliance_resource_id)
            .map(|p| p.ordering_timestamp);
        stored.into_iter().chain(earlier_in_call).any(|t| e.ordering_timestamp < t)
    })
}

fn store(world: &mut World, rule: &RuleName, evaluations: &[Evaluation], older: OlderEvaluation) {
    for e in evaluations {
        let compliance = ComplianceType::parse(&e.compliance_type).expect("validated enum");
        let resource = ResourceRef::new(&e.compliance_resource_type, &e.compliance_resource_id);
        world.record_evaluation_with(rule, resource, compliance, e.ordering_timestamp, e.annotation.clone(), older);
    }
}
