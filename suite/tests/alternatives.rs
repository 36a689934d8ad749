//! No acceptable answer fails: an implementation that takes, at every step, the last of the
//! answers the model accepts (every other option the documentation leaves open, with the state
//! it leaves) conforms in every scenario. Where two options answer alike but leave different
//! states (A-21: an older evaluation ignored or stored), the runner follows both until a later
//! answer tells them apart.

use remediation_suite::runner::{run_scenario, RunSettings};
use remediation_suite::scenario::load_dir;
use suite_testkit::mutate::ModelTarget;
use std::path::Path;

#[tokio::test]
async fn a_target_that_takes_every_other_documented_option_conforms() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios");
    let scenarios = load_dir(&dir).unwrap_or_else(|e| panic!("malformed scenario file: {e}"));
    let mut failures = Vec::new();
    let mut other_choices = 0;
    for scenario in &scenarios {
        let target = ModelTarget::choosing_last();
        let result = run_scenario(&target, scenario, &RunSettings::new(7)).await;
        other_choices += result.steps.iter().filter(|s| s.alternative.is_some_and(|a| a > 0)).count();
        if !result.verdict.conforms() {
            let step = result.steps.iter().find(|s| !s.verdict.conforms());
            failures.push(format!(
                "{} {}: step {:?} {:?}",
                result.id,
                result.verdict,
                step.map(|s| s.index),
                step.map(|s| &s.differences)
            ));
        }
    }
    assert!(failures.is_empty(), "{} scenario(s) fail a target that chose other acceptable answers:\n{}", failures.len(), failures.join("\n"));
    // The check means something only if other options were taken often.
    assert!(other_choices >= 50, "only {other_choices} steps took another option");
    eprintln!("{} scenarios, {other_choices} steps answered with another acceptable option", scenarios.len());
}

fn put_evaluation(compliance: &str, at: f64) -> serde_json::Value {
    serde_json::json!({"op": "PutEvaluations", "body": {"Evaluations": [{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": compliance, "OrderingTimestamp": at}], "ResultToken": "${bind:token}"}})
}

/// `rounds` times a newer evaluation then an older one (ignored or stored, A-21), optionally a
/// call naming no operation, then a read that tells the states apart.
fn older_evaluations(rounds: usize, unnamed_call: bool) -> remediation_suite::scenario::Scenario {
    let base = 1_767_225_600.0;
    let mut steps = vec![
        serde_json::json!({"op": "PutConfigRule", "body": {"ConfigRule": {"ConfigRuleName": "${rule:a}", "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}}),
        serde_json::json!({"control": {"action": "issue_result_token", "rule": "${rule:a}"}, "bind": {"token": "ResultToken"}}),
    ];
    for k in 1..=rounds {
        let at = base + 100.0 * k as f64;
        steps.push(put_evaluation("NON_COMPLIANT", at));
        steps.push(put_evaluation("COMPLIANT", at - 50.0));
    }
    if unnamed_call {
        steps.push(serde_json::json!({"op": "DescribeConfigRules", "target_header": null, "body": {"ConfigRuleNames": ["${rule:a}"]}}));
    }
    steps.push(serde_json::json!({"op": "GetComplianceDetailsByConfigRule", "body": {"ConfigRuleName": "${rule:a}"}}));
    suite_testkit::scenario(&serde_json::json!({"id": "t/older", "title": "t", "rules": ["R-PE-07"], "steps": steps}))
}

#[rstest::rstest]
#[case::one_round(1, false)]
#[case::many_rounds(10, false)]
#[case::a_call_naming_no_operation_in_between(1, true)]
#[tokio::test]
async fn states_left_open_are_followed_as_long_as_needed(#[case] rounds: usize, #[case] unnamed_call: bool) {
    let result = run_scenario(&ModelTarget::choosing_last(), &older_evaluations(rounds, unnamed_call), &RunSettings::new(7)).await;
    assert!(result.verdict.conforms(), "{:?} {:?}", result.verdict, result.steps.last().map(|s| &s.differences));
    let read = result.steps.last().expect("the read ran");
    assert_eq!(read.note.as_deref(), Some("the answer follows another state an earlier answer left open (A-21)"));
    // The report shows what the state that explains the answer expected.
    assert!(read.expected.iter().any(|e| e.body.as_ref().is_some_and(|b| b.to_string().contains(r#""ComplianceType":"COMPLIANT""#))));
}

/// A-24: the page size of DescribeConfigRules and DescribeComplianceByConfigRule is the model's
/// choice. A target that puts every rule on the first page conforms; the steps after it send
/// the token the judged answer gave (none, on both sides) and are judged as first pages again.
#[tokio::test]
async fn a_first_page_holding_everything_conforms() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios");
    let scenarios = load_dir(&dir).unwrap_or_else(|e| panic!("malformed scenario file: {e}"));
    let scenario = scenarios.iter().find(|s| s.id == "paging/config-rules-pages").expect("the paging scenario");
    let result = run_scenario(&ModelTarget::choosing_last(), scenario, &RunSettings::new(7)).await;
    assert!(result.verdict.conforms(), "{:?} {:?}", result.verdict, result.steps.iter().find(|s| !s.verdict.conforms()).map(|s| &s.differences));
    assert_eq!(result.steps.len(), scenario.steps.len());
    let first_pages: Vec<_> = result.steps.iter().filter(|s| s.note.as_deref().is_some_and(|n| n.starts_with("25 rules"))).collect();
    assert_eq!(first_pages.len(), 2, "DescribeConfigRules and DescribeComplianceByConfigRule");
    for step in first_pages {
        assert_eq!(step.alternative, Some(1), "step {}: the whole list on one page, the model's other answer", step.index);
        let body = match &step.actual {
            Some(remediation_suite::judge::ActualReply::Success { body, .. }) => body,
            other => panic!("step {}: {other:?}", step.index),
        };
        assert_eq!(body.get("NextToken"), None, "step {}", step.index);
        assert_eq!(body.as_object().map(|o| o.values().filter_map(|v| v.as_array()).map(Vec::len).sum::<usize>()), Some(26));
    }
}
