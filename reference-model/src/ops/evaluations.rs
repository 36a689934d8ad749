//! PutEvaluations: how compliance gets into the world; DeleteEvaluationResults: how it leaves.

use super::{body, with_world_if_different};
use crate::error::ErrorCode;
use crate::names::{ResourceRef, RuleName};
use crate::outcome::{Alternative, Level, Outcome};
use crate::wire::*;
use crate::world::{ComplianceType, OlderEvaluation, RuleActivity, RuleTask, World};
use serde_json::json;
use crate::rule;

/// The text of the whole-request refusal of INSUFFICIENT_DATA (A-20).
const INSUFFICIENT_DATA_REFUSED: &str = "INSUFFICIENT_DATA is not a valid ComplianceType for PutEvaluations.";

fn is_insufficient(e: &Evaluation) -> bool {
    e.compliance_type == ComplianceType::InsufficientData
}

/// The two ways of refusing INSUFFICIENT_DATA (R-PE-06, A-20): the whole call, or those
/// evaluations in FailedEvaluations (R-PE-11, exercised only by that answer).
fn insufficient_data_refusals(refused: Vec<Evaluation>) -> (Alternative, Alternative) {
    (
        Alternative::error(ErrorCode::InvalidParameterValueException, INSUFFICIENT_DATA_REFUSED).provenance(Level::May).basis("A-20"),
        Alternative::success(body(&PutEvaluationsResponse { failed_evaluations: refused }))
            .provenance(Level::May)
            .basis("A-20")
            .covers(rule!("R-PE-11")),
    )
}

/// PutEvaluations (R-PE-01..11).
///
/// The ResultToken names the rule (R-PE-03); the model hands tokens out through
/// [`crate::world::Control::IssueResultToken`], as Config hands one to a rule's Lambda function.
/// An unknown token is refused (R-ERR-10), unless TestMode is on: then nothing is checked beyond
/// the request's shape and nothing is stored (R-PE-04, R-PE-05). INSUFFICIENT_DATA cannot be
/// reported (R-PE-06): the whole call is refused (preferred), or those evaluations come back in
/// FailedEvaluations and the rest are stored (A-20); under TestMode a dry run may also accept
/// it silently. An evaluation older than the stored one is ignored (preferred) or stored (A-21).
pub fn apply_put_evaluations(world: &mut World, req: &PutEvaluationsRequest) -> Outcome {
    let evaluations = req.evaluations.clone().unwrap_or_default();
    if req.test_mode {
        let refused: Vec<Evaluation> = evaluations.into_iter().filter(is_insufficient).collect();
        if refused.is_empty() {
            return Outcome::ok(json!({"FailedEvaluations": []})).clauses(&[rule!("R-PE-04"), rule!("R-PE-05")]);
        }
        // Whether a dry run checks what a real call would refuse is not documented (A-20).
        let (whole, listed) = insufficient_data_refusals(refused);
        return Outcome::new(whole.covers(rule!("R-PE-06")))
            .or(listed.covers(rule!("R-PE-06")))
            .or(Alternative::success(json!({"FailedEvaluations": []})).provenance(Level::May).basis("A-20"))
            .clauses(&[rule!("R-PE-04"), rule!("R-PE-05")]);
    }
    let Some((rule, issued_for)) = world.result_tokens.get(&req.result_token).cloned() else {
        return Outcome::err(ErrorCode::InvalidResultTokenException, "The specified ResultToken is invalid.")
            .clauses(&[rule!("R-PE-03"), rule!("R-PE-10"), rule!("R-ERR-10")]);
    };
    let same_rule = world.rules.get(&rule).is_some_and(|r| r.rule.config_rule_id == issued_for);
    if !same_rule {
        return Outcome::err(
            ErrorCode::NoSuchConfigRuleException,
            format!("The ConfigRule '{rule}' provided in the request is invalid. Please check the configRule name."),
        )
        .clauses(&[rule!("R-PE-10"), rule!("R-ERR-03")]);
    }
    let (refused, accepted): (Vec<Evaluation>, Vec<Evaluation>) = evaluations.into_iter().partition(is_insufficient);
    if !refused.is_empty() {
        let mut partial = world.clone();
        store(&mut partial, &rule, &accepted, OlderEvaluation::Ignored);
        let (whole, listed) = insufficient_data_refusals(refused);
        return Outcome::new(whole).or(with_world_if_different(listed, partial, world)).clause(rule!("R-PE-06"));
    }
    let replaced = has_older(world, &rule, &accepted).then(|| {
        let mut w = world.clone();
        store(&mut w, &rule, &accepted, OlderEvaluation::Replaces);
        w
    });
    store(world, &rule, &accepted, OlderEvaluation::Ignored);
    let clauses = [rule!("R-PE-01"), rule!("R-PE-02"), rule!("R-PE-03"), rule!("R-PE-07"), rule!("R-PE-09")];
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
/// one of the same call for that resource (A-21).
fn has_older(world: &World, rule: &RuleName, evaluations: &[Evaluation]) -> bool {
    evaluations.iter().enumerate().any(|(i, e)| {
        let resource = ResourceRef::new(&e.compliance_resource_type, &e.compliance_resource_id);
        let stored = world.evaluations.row(rule, (&resource).into()).map(|s| s.ordering_timestamp);
        let earlier_in_call = evaluations[..i]
            .iter()
            .filter(|p| p.compliance_resource_type == e.compliance_resource_type && p.compliance_resource_id == e.compliance_resource_id)
            .map(|p| p.ordering_timestamp);
        stored.into_iter().chain(earlier_in_call).any(|t| e.ordering_timestamp < t)
    })
}

fn store(world: &mut World, rule: &RuleName, evaluations: &[Evaluation], older: OlderEvaluation) {
    for e in evaluations {
        let compliance = e.compliance_type;
        let resource = ResourceRef::new(&e.compliance_resource_type, &e.compliance_resource_id);
        world.record_evaluation_with(rule, resource, compliance, e.ordering_timestamp, e.annotation.clone(), older);
    }
}

/// The refusal of DeleteEvaluationResults on a rule busy with `task` (A-48), in the model's
/// words (no real text is known).
fn results_busy(rule: &RuleName, task: RuleTask) -> Alternative {
    let what = match task {
        RuleTask::Evaluating => "evaluating your resources",
        RuleTask::DeletingResults => "deleting your evaluation results",
    };
    Alternative::error(ErrorCode::ResourceInUseException, format!("The rule {rule} is currently {what}. Please retry after some time."))
        .provenance(Level::May)
        .basis("A-48")
}

/// DeleteEvaluationResults (R-DER-01..04): deletes every evaluation result of one rule at once
/// (the compliance calls then know none) and shows the rule `DELETING_RESULTS` for the
/// account's deletion time (R-PCR-24, A-48; none: ACTIVE at once). Success is `{}`. The rule's
/// remediation configuration, exceptions and executions stay: they are not evaluation results.
///
/// An unknown rule, or one being deleted, is NoSuchConfigRuleException (R-DER-02, A-43). While
/// the rule evaluates or already deletes its results the model refuses the call as in use and
/// accepts its success; after the model's run it prefers the success (A-48).
pub fn apply_delete_evaluation_results(world: &mut World, req: &DeleteEvaluationResultsRequest) -> Outcome {
    let rule = RuleName::new(&req.config_rule_name);
    let Some(stored) = world.rule(&rule) else {
        return Outcome::err(ErrorCode::NoSuchConfigRuleException, super::rules::no_such_rule_message(rule.as_str()))
            .clauses(&[rule!("R-DER-02"), rule!("R-DER-03"), rule!("R-ERR-03")]);
    };
    let recorded = stored.activity.map(|a| a.task);
    let running = world.rule_task_running(&rule);
    let before = world.clone();
    let mut after = world.clone();
    after.evaluations.remove_rule(&rule);
    let now = after.now();
    let done_at = now + after.rule_state_times.deleting_results;
    if let Some(stored) = after.rules.get_mut(&rule) {
        // Remembered even when over at once: a target may still be deleting.
        stored.activity = Some(RuleActivity { task: RuleTask::DeletingResults, done_at });
    }
    let deleted = Alternative::success(json!({}));
    match (running, recorded) {
        (Some(task), _) => Outcome::new(results_busy(&rule, task))
            .or(deleted.provenance(Level::May).basis("A-48").with_world(after))
            .clauses(&[rule!("R-DER-03"), rule!("R-PCR-24")]),
        (None, recorded) => {
            *world = after;
            let outcome = Outcome::new(deleted).clauses(&[rule!("R-DER-01"), rule!("R-PCR-24")]);
            match recorded {
                // A run the model has finished may still go on at the target.
                Some(task) => outcome.or(with_world_if_different(results_busy(&rule, task), before, world)),
                None => outcome,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! DeleteEvaluationResults and the DELETING_RESULTS state (R-DER-01..03, A-48).
    use crate::outcome::{Level, Outcome, Reply};
    use crate::time::{Millis, Timestamp};
    use crate::world::{ComplianceType, Control, World};
    use crate::{handle, ErrorCode, Operation};
    use serde_json::{json, Value};

    const T0: Timestamp = Timestamp::EPOCH_2026;

    fn at(w: &mut World, seconds: i64, op: Operation, body: Value) -> Outcome {
        handle(w, op, body.to_string().as_bytes(), T0 + Millis(seconds * 1000))
    }

    /// Rule `r` with a NON_COMPLIANT and a COMPLIANT bucket; result deletions run `deleting` s.
    fn account(deleting: u32) -> World {
        let mut w = World::reference(T0);
        w.control(&Control::SetRuleStateTimes { evaluating_seconds: 0, deleting_results_seconds: deleting }, T0);
        let rule = json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        at(&mut w, 0, Operation::PutConfigRule, rule);
        for (id, compliance) in [("a", ComplianceType::NonCompliant), ("b", ComplianceType::Compliant)] {
            let set = Control::SetCompliance { rule: "r".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: id.into(), compliance, annotation: None };
            assert_eq!(w.control(&set, T0).error, None);
        }
        w
    }

    fn results(w: &mut World, seconds: i64) -> usize {
        let outcome = at(w, seconds, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}));
        let Reply::Success(body) = &outcome.preferred().reply else { panic!("{outcome:?}") };
        body["EvaluationResults"].as_array().map_or(0, Vec::len)
    }

    fn state(w: &mut World, seconds: i64) -> Vec<String> {
        let outcome = at(w, seconds, Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"]}));
        outcome
            .alternatives
            .iter()
            .map(|a| match &a.reply {
                Reply::Success(body) => body["ConfigRules"][0]["ConfigRuleState"].as_str().unwrap().to_owned(),
                Reply::Failure(e) => e.code.to_string(),
            })
            .collect()
    }

    #[test]
    fn r_der_01_results_go_at_once_and_the_rule_shows_deleting_results() {
        let mut w = account(20);
        assert_eq!(results(&mut w, 0), 2);
        let deleted = at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        assert_eq!((deleted.preferred().reply.clone(), deleted.alternatives.len()), (Reply::Success(json!({})), 1));
        assert!(deleted.clauses.contains(&crate::rule!("R-DER-01")));
        assert_eq!(results(&mut w, 2), 0);
        assert_eq!(state(&mut w, 2), ["DELETING_RESULTS", "ACTIVE"]);
        assert_eq!(state(&mut w, 21), ["ACTIVE", "DELETING_RESULTS"]);
        assert_eq!(state(&mut w, 22), ["ACTIVE"]);
        // The rule is evaluated again as before: a new result is kept.
        let set = Control::SetCompliance { rule: "r".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: "c".into(), compliance: ComplianceType::Compliant, annotation: None };
        w.control(&set, T0 + Millis(23_000));
        assert_eq!(results(&mut w, 23), 1);
    }

    #[test]
    fn r_der_01_by_default_the_deletion_is_over_at_once() {
        let mut w = account(0);
        at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        // A second call is accepted (preferred) or in use at a slower target.
        let again = at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        assert_eq!(again.preferred().reply, Reply::Success(json!({})));
        assert_eq!((again.alternatives[1].reply.error_code(), again.alternatives[1].provenance), (Some(ErrorCode::ResourceInUseException), Level::May));
        assert_eq!(state(&mut w, 1), ["ACTIVE", "DELETING_RESULTS"]);
        assert_eq!(state(&mut w, 1), ["ACTIVE"]);
    }

    #[test]
    fn r_der_02_an_unknown_or_deleted_rule_is_no_such_rule() {
        let mut w = account(0);
        let unknown = at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "nope"}));
        assert_eq!((unknown.preferred().reply.error_code(), unknown.alternatives.len()), (Some(ErrorCode::NoSuchConfigRuleException), 1));
        at(&mut w, 2, Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"}));
        let deleted = at(&mut w, 3, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        assert_eq!(deleted.preferred().reply.error_code(), Some(ErrorCode::NoSuchConfigRuleException));
    }

    #[test]
    fn r_der_03_a_rule_busy_with_its_results_or_an_evaluation_is_in_use() {
        let mut w = account(20);
        at(&mut w, 1, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        let again = at(&mut w, 5, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        assert_eq!(again.preferred().reply.error_code(), Some(ErrorCode::ResourceInUseException));
        assert_eq!((again.alternatives[1].reply.clone(), again.alternatives[1].provenance), (Reply::Success(json!({})), Level::May));
        // A start meanwhile is in use too (A-48); after the deletion it starts.
        let start = at(&mut w, 6, Operation::StartConfigRulesEvaluation, json!({"ConfigRuleNames": ["r"]}));
        assert_eq!(start.preferred().reply.error_code(), Some(ErrorCode::ResourceInUseException));
        w.control(&Control::SetRuleStateTimes { evaluating_seconds: 30, deleting_results_seconds: 20 }, T0 + Millis(7_000));
        let start = at(&mut w, 21, Operation::StartConfigRulesEvaluation, json!({"ConfigRuleNames": ["r"]}));
        assert_eq!(start.preferred().reply, Reply::Success(json!({})));
        let during = at(&mut w, 22, Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"}));
        assert_eq!(during.preferred().reply.error_code(), Some(ErrorCode::ResourceInUseException));
        assert_eq!(results(&mut w, 22), 0);
    }
}
