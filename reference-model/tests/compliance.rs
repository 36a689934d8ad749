//! Reading compliance back: GetComplianceDetailsByConfigRule, DescribeComplianceByConfigRule
//! and DescribeComplianceByResource (rules GCD, DCBC, DCBR, CMP).

mod common;

use common::*;
use reference_model::names::{ResourceRef, RuleName};
use reference_model::{ComplianceType, Control, ErrorCode, Operation, World};
use serde_json::{json, Value};

use ComplianceType::{Compliant, NonCompliant, NotApplicable};

fn details(world: &mut World, body: Value) -> Value {
    call_ok(world, Operation::GetComplianceDetailsByConfigRule, body)
}

fn detail_ids(page: &Value) -> Vec<String> {
    page["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"].as_str().unwrap().to_owned())
        .collect()
}

fn by_rule(world: &mut World, body: Value) -> Vec<Value> {
    call_ok(world, Operation::DescribeComplianceByConfigRule, body)["ComplianceByConfigRules"].as_array().unwrap().clone()
}

fn by_resource(world: &mut World, body: Value) -> Vec<Value> {
    call_ok(world, Operation::DescribeComplianceByResource, body)["ComplianceByResources"].as_array().unwrap().clone()
}

/// Rules `a` and `b`; bucket `x` is COMPLIANT under both, `y` NON_COMPLIANT under `a` only,
/// `z` NOT_APPLICABLE under `a`.
fn two_rules() -> World {
    let mut w = world_with_rule("a");
    put_rule(&mut w, "b");
    put_rule(&mut w, "empty");
    set_compliance(&mut w, "a", "x", Compliant);
    set_compliance(&mut w, "b", "x", Compliant);
    set_compliance(&mut w, "a", "y", NonCompliant);
    set_compliance(&mut w, "b", "y", Compliant);
    set_compliance(&mut w, "a", "z", NotApplicable);
    w
}

// ------------------------------------------------------------------ GetComplianceDetailsByConfigRule

#[test]
fn r_gcd_01_the_results_of_one_rule() {
    let mut w = two_rules();
    let outcome = call(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "a"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-GCD-01")));
    let page = ok(&outcome);
    assert_eq!(detail_ids(&page), vec!["x", "y", "z"]);
    let types: Vec<&str> = page["EvaluationResults"].as_array().unwrap().iter().map(|r| r["ComplianceType"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]);
    assert_eq!(detail_ids(&details(&mut w, json!({"ConfigRuleName": "empty"}))), Vec::<String>::new());
}

#[test]
fn r_gcd_02_compliance_types_filter_but_insufficient_data_is_no_filter() {
    let mut w = two_rules();
    assert_eq!(detail_ids(&details(&mut w, json!({"ConfigRuleName": "a", "ComplianceTypes": ["NON_COMPLIANT"]}))), vec!["y"]);
    assert_eq!(
        detail_ids(&details(&mut w, json!({"ConfigRuleName": "a", "ComplianceTypes": ["COMPLIANT", "NOT_APPLICABLE"]}))),
        vec!["x", "z"]
    );
    assert_eq!(detail_ids(&details(&mut w, json!({"ConfigRuleName": "a", "ComplianceTypes": []}))), vec!["x", "y", "z"]);
    let outcome = call(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "a", "ComplianceTypes": ["COMPLIANT", "INSUFFICIENT_DATA"]}));
    assert_eq!(err(&outcome).code, ErrorCode::InvalidParameterValueException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-GCD-02")));
}

#[test]
fn r_gcd_03_ten_results_a_page_by_default() {
    let mut w = world_with_non_compliant("r", 23);
    for body in [json!({"ConfigRuleName": "r"}), json!({"ConfigRuleName": "r", "Limit": 0})] {
        let page = details(&mut w, body);
        assert_eq!(detail_ids(&page), ids(10));
        assert!(page["NextToken"].is_string());
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": "r"});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = details(&mut w, body);
        seen.extend(detail_ids(&page));
        match page.get("NextToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids(23));
    assert_eq!(detail_ids(&details(&mut w, json!({"ConfigRuleName": "r", "Limit": 100}))).len(), 23);
}

#[test]
fn r_gcd_05_results_are_compliant_non_compliant_or_not_applicable() {
    let mut w = world_with_rule("r");
    let t = token(&mut w, "r");
    let evals: Vec<Value> = [("c", "COMPLIANT"), ("n", "NON_COMPLIANT"), ("na", "NOT_APPLICABLE"), ("i", "INSUFFICIENT_DATA")]
        .iter()
        .map(|(id, c)| json!({"ComplianceResourceType": BUCKET, "ComplianceResourceId": id, "ComplianceType": c, "OrderingTimestamp": 1}))
        .collect();
    // Through the API, INSUFFICIENT_DATA is refused (R-PE-06), so results never hold it.
    call(&mut w, Operation::PutEvaluations, json!({"Evaluations": evals, "ResultToken": t}));
    call_ok(&mut w, Operation::PutEvaluations, json!({"Evaluations": evals[..3], "ResultToken": t}));
    let outcome = call(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-GCD-05")));
    let mut types: Vec<String> =
        ok(&outcome)["EvaluationResults"].as_array().unwrap().iter().map(|r| r["ComplianceType"].as_str().unwrap().to_owned()).collect();
    types.sort();
    assert_eq!(types, vec!["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]);
}

#[test]
fn r_gcd_06_a_result_names_rule_resource_mode_times_and_id() {
    let mut w = world_with_rule("r");
    advance(&mut w, 42_000);
    let t = token(&mut w, "r");
    call_ok(
        &mut w,
        Operation::PutEvaluations,
        json!({"Evaluations": [{"ComplianceResourceType": BUCKET, "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT",
            "Annotation": "public", "OrderingTimestamp": 1_700_000_000}], "ResultToken": t}),
    );
    let page = details(&mut w, json!({"ConfigRuleName": "r"}));
    let r = &page["EvaluationResults"][0];
    let recorded = secs(T0) + 42;
    let id = r["EvaluationResultIdentifier"]["ResourceEvaluationId"].as_str().unwrap().to_owned();
    assert!(!id.is_empty() && id.len() <= 128, "{id}");
    assert_eq!(
        *r,
        json!({
            "EvaluationResultIdentifier": {
                "EvaluationResultQualifier": {"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b", "EvaluationMode": "DETECTIVE"},
                "OrderingTimestamp": 1_700_000_000,
                "ResourceEvaluationId": id
            },
            "ComplianceType": "NON_COMPLIANT",
            "ResultRecordedTime": recorded,
            "ConfigRuleInvokedTime": recorded,
            "Annotation": "public"
        })
    );
    // A new evaluation of the same resource is a new result with a new id.
    call_ok(
        &mut w,
        Operation::PutEvaluations,
        json!({"Evaluations": [{"ComplianceResourceType": BUCKET, "ComplianceResourceId": "b", "ComplianceType": "COMPLIANT", "OrderingTimestamp": 1_700_000_001}], "ResultToken": t}),
    );
    let again = details(&mut w, json!({"ConfigRuleName": "r"}));
    assert_ne!(again["EvaluationResults"][0]["EvaluationResultIdentifier"]["ResourceEvaluationId"], json!(id));
}

// ------------------------------------------------------------------ DescribeComplianceByConfigRule

#[test]
fn r_dcbc_01_compliance_per_rule() {
    let mut w = two_rules();
    let outcome = call(&mut w, Operation::DescribeComplianceByConfigRule, json!({}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCBC-01")));
    assert_eq!(
        ok(&outcome),
        json!({"ComplianceByConfigRules": [
            {"ConfigRuleName": "a", "Compliance": {"ComplianceType": "NON_COMPLIANT", "ComplianceContributorCount": {"CappedCount": 1, "CapExceeded": false}}},
            {"ConfigRuleName": "b", "Compliance": {"ComplianceType": "COMPLIANT"}},
            {"ConfigRuleName": "empty", "Compliance": {"ComplianceType": "INSUFFICIENT_DATA"}}
        ]})
    );
}

#[test]
fn r_dcbc_02_one_non_compliant_resource_makes_the_rule_non_compliant() {
    let mut w = world_with_rule("r");
    for i in 0..5 {
        set_compliance(&mut w, "r", &format!("ok{i}"), Compliant);
    }
    assert_eq!(by_rule(&mut w, json!({"ConfigRuleNames": ["r"]}))[0]["Compliance"], json!({"ComplianceType": "COMPLIANT"}));
    set_compliance(&mut w, "r", "bad", NonCompliant);
    assert_eq!(by_rule(&mut w, json!({"ConfigRuleNames": ["r"]}))[0]["Compliance"]["ComplianceType"], "NON_COMPLIANT");
    // And it turns back once fixed.
    set_compliance(&mut w, "r", "bad", Compliant);
    assert_eq!(by_rule(&mut w, json!({"ConfigRuleNames": ["r"]}))[0]["Compliance"]["ComplianceType"], "COMPLIANT");
}

#[test]
fn r_dcbc_03_no_results_is_insufficient_data() {
    let mut w = world_with_rule("r");
    assert_eq!(by_rule(&mut w, json!({}))[0]["Compliance"], json!({"ComplianceType": "INSUFFICIENT_DATA"}));
    // NOT_APPLICABLE for everything (e.g. resources out of scope) counts as no results.
    set_compliance(&mut w, "r", "gone", NotApplicable);
    assert_eq!(by_rule(&mut w, json!({}))[0]["Compliance"], json!({"ComplianceType": "INSUFFICIENT_DATA"}));
}

#[test]
fn r_dcbc_04_filters_by_names_and_compliance_types() {
    let mut w = two_rules();
    let names = |rows: Vec<Value>| rows.iter().map(|r| r["ConfigRuleName"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(by_rule(&mut w, json!({"ConfigRuleNames": ["b", "a"]}))), vec!["a", "b"]);
    assert_eq!(names(by_rule(&mut w, json!({"ComplianceTypes": ["COMPLIANT"]}))), vec!["b"]);
    assert_eq!(names(by_rule(&mut w, json!({"ComplianceTypes": ["NON_COMPLIANT", "INSUFFICIENT_DATA"]}))), vec!["a", "empty"]);
    assert_eq!(names(by_rule(&mut w, json!({"ConfigRuleNames": ["b"], "ComplianceTypes": ["NON_COMPLIANT"]}))), Vec::<String>::new());
    let e = call_err(&mut w, Operation::DescribeComplianceByConfigRule, json!({"ConfigRuleNames": ["a", "nope"]}));
    assert_eq!(e.code, ErrorCode::NoSuchConfigRuleException);
}

// ------------------------------------------------------------------ DescribeComplianceByResource

#[test]
fn r_dcbr_01_compliance_per_resource() {
    let mut w = two_rules();
    let outcome = call(&mut w, Operation::DescribeComplianceByResource, json!({"ResourceType": BUCKET}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCBR-01")));
    assert_eq!(
        ok(&outcome),
        json!({"ComplianceByResources": [
            {"ResourceType": BUCKET, "ResourceId": "x", "Compliance": {"ComplianceType": "COMPLIANT"}},
            {"ResourceType": BUCKET, "ResourceId": "y", "Compliance": {"ComplianceType": "NON_COMPLIANT", "ComplianceContributorCount": {"CappedCount": 1, "CapExceeded": false}}},
            {"ResourceType": BUCKET, "ResourceId": "z", "Compliance": {"ComplianceType": "INSUFFICIENT_DATA"}}
        ]})
    );
}

#[test]
fn r_dcbr_02_one_failing_rule_makes_the_resource_non_compliant() {
    let mut w = two_rules();
    let rows = by_resource(&mut w, json!({"ResourceType": BUCKET, "ResourceId": "y"}));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Compliance"]["ComplianceType"], "NON_COMPLIANT");
    // The count is the number of rules it breaks.
    set_compliance(&mut w, "b", "y", NonCompliant);
    let rows = by_resource(&mut w, json!({"ResourceType": BUCKET, "ResourceId": "y"}));
    assert_eq!(rows[0]["Compliance"]["ComplianceContributorCount"], json!({"CappedCount": 2, "CapExceeded": false}));
    let rows = by_resource(&mut w, json!({"ResourceType": BUCKET, "ResourceId": "x"}));
    assert_eq!(rows[0]["Compliance"], json!({"ComplianceType": "COMPLIANT"}));
}

#[test]
fn r_dcbr_03_no_current_results_is_insufficient_data() {
    let mut w = two_rules();
    let rows = by_resource(&mut w, json!({"ResourceType": BUCKET, "ResourceId": "z"}));
    assert_eq!(rows[0]["Compliance"], json!({"ComplianceType": "INSUFFICIENT_DATA"}));
    assert_eq!(
        by_resource(&mut w, json!({"ComplianceTypes": ["INSUFFICIENT_DATA"]})).iter().map(|r| r["ResourceId"].clone()).collect::<Vec<_>>(),
        vec![json!("z")]
    );
    // A resource never evaluated is simply not listed.
    assert!(by_resource(&mut w, json!({"ResourceType": BUCKET, "ResourceId": "never"})).is_empty());
}

#[test]
fn r_dcbr_05_a_resource_id_needs_a_resource_type() {
    let mut w = two_rules();
    let outcome = call(&mut w, Operation::DescribeComplianceByResource, json!({"ResourceId": "y"}));
    assert_eq!(err(&outcome).code, ErrorCode::InvalidParameterValueException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DCBR-05")));
    assert_eq!(by_resource(&mut w, json!({"ResourceType": "AWS::EC2::Instance"})).len(), 0);
    assert_eq!(by_resource(&mut w, json!({})).len(), 3);
}

#[test]
fn r_dcbr_06_ten_resources_a_page_by_default() {
    let mut w = world_with_non_compliant("r", 12);
    for body in [json!({}), json!({"Limit": 0})] {
        let page = call_ok(&mut w, Operation::DescribeComplianceByResource, body);
        assert_eq!(page["ComplianceByResources"].as_array().unwrap().len(), 10);
        let rest = call_ok(&mut w, Operation::DescribeComplianceByResource, json!({"NextToken": page["NextToken"]}));
        assert_eq!(rest["ComplianceByResources"].as_array().unwrap().len(), 2);
        assert_eq!(rest.get("NextToken"), None);
    }
    let page = call_ok(&mut w, Operation::DescribeComplianceByResource, json!({"Limit": 100}));
    assert_eq!(page["ComplianceByResources"].as_array().unwrap().len(), 12);
}

// ------------------------------------------------------------------ Compliance shapes

#[test]
fn r_cmp_01_a_summary_is_compliant_non_compliant_or_insufficient_data() {
    let mut w = two_rules();
    let mut seen = std::collections::BTreeSet::new();
    for row in by_rule(&mut w, json!({})).iter().chain(by_resource(&mut w, json!({})).iter()) {
        seen.insert(row["Compliance"]["ComplianceType"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec!["COMPLIANT", "INSUFFICIENT_DATA", "NON_COMPLIANT"]);
    // NOT_APPLICABLE is no summary value, not even as the only result.
    let e = call(&mut w, Operation::DescribeComplianceByConfigRule, json!({"ComplianceTypes": ["NOT_APPLICABLE"]}));
    assert_eq!(ok(&e), json!({"ComplianceByConfigRules": []}));
}

#[test]
fn r_cmp_02_the_contributor_count_is_capped() {
    let mut w = world_with_non_compliant("r", 101);
    let rows = by_rule(&mut w, json!({"ConfigRuleNames": ["r"]}));
    assert_eq!(rows[0]["Compliance"]["ComplianceContributorCount"], json!({"CappedCount": 100, "CapExceeded": true}));
    let mut w = world_with_non_compliant("r", 100);
    let rows = by_rule(&mut w, json!({"ConfigRuleNames": ["r"]}));
    assert_eq!(rows[0]["Compliance"]["ComplianceContributorCount"], json!({"CappedCount": 100, "CapExceeded": false}));
    // COMPLIANT summaries carry no count.
    let mut w = world_with_rule("r");
    set_compliance(&mut w, "r", "b", Compliant);
    assert_eq!(by_rule(&mut w, json!({}))[0]["Compliance"].get("ComplianceContributorCount"), None);
}

#[test]
fn r_cmp_03_three_compliance_types_at_most() {
    let mut w = two_rules();
    let three = json!(["COMPLIANT", "NON_COMPLIANT", "INSUFFICIENT_DATA"]);
    assert_eq!(by_rule(&mut w, json!({"ComplianceTypes": three})).len(), 3);
    let e = call_err(&mut w, Operation::DescribeComplianceByResource, json!({"ComplianceTypes": ["COMPLIANT", "COMPLIANT", "COMPLIANT", "COMPLIANT"]}));
    assert_eq!(
        e.message,
        "1 validation error detected: Value '[COMPLIANT, COMPLIANT, COMPLIANT, COMPLIANT]' at 'complianceTypes' failed to satisfy constraint: Member must have length less than or equal to 3"
    );
}

#[test]
fn r_gcd_05_no_evaluation_result_can_hold_insufficient_data() {
    let mut w = world_with_rule("r");
    let now = w.now();
    let answer = w.control(
        &Control::SetCompliance {
            rule: "r".into(),
            resource_type: BUCKET.into(),
            resource_id: "b".into(),
            compliance: ComplianceType::InsufficientData,
            annotation: None,
        },
        now,
    );
    assert_eq!(answer.error.as_deref(), Some("an evaluation cannot record INSUFFICIENT_DATA"));
    assert_eq!(w.compliance(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b")), None);
}
