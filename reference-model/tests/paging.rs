//! Paging across the operations (rules PAG and ERR-02): which operations page, by what, with
//! which defaults, and what happens to a token the service did not issue.

mod common;

use common::*;
use reference_model::{ComplianceType, ErrorCode, Operation, World};
use serde_json::{json, Value};

/// A world with 30 rules, `r` among them with 30 NON_COMPLIANT buckets, each excepted and
/// each with an execution.
fn busy_world() -> World {
    let mut w = world_with_non_compliant("r", 30);
    for i in 0..29 {
        put_rule(&mut w, &format!("z{i:02}"));
    }
    put_configs(&mut w, vec![config("r", json!({}))]);
    let keys: Vec<Value> = ids(30).iter().map(|i| exec_key(i)).collect();
    call_ok(&mut w, Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": keys}));
    let keys: Vec<Value> = ids(30).iter().map(|i| exc_key(i)).collect();
    call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": keys}));
    w
}

/// An operation that pages, its base request, the list it pages and whether it has `Limit`.
struct Paged {
    op: Operation,
    base: Value,
    list: &'static str,
    limit: bool,
    default_page: usize,
    total: usize,
}

fn paged() -> Vec<Paged> {
    vec![
        Paged { op: Operation::DescribeRemediationExecutionStatus, base: json!({"ConfigRuleName": "r"}), list: "RemediationExecutionStatuses", limit: true, default_page: 100, total: 30 },
        Paged { op: Operation::DescribeRemediationExceptions, base: json!({"ConfigRuleName": "r"}), list: "RemediationExceptions", limit: true, default_page: 25, total: 30 },
        Paged { op: Operation::DescribeComplianceByResource, base: json!({}), list: "ComplianceByResources", limit: true, default_page: 10, total: 30 },
        Paged { op: Operation::GetComplianceDetailsByConfigRule, base: json!({"ConfigRuleName": "r"}), list: "EvaluationResults", limit: true, default_page: 10, total: 30 },
        Paged { op: Operation::DescribeConfigRules, base: json!({}), list: "ConfigRules", limit: false, default_page: 25, total: 30 },
        Paged { op: Operation::DescribeComplianceByConfigRule, base: json!({}), list: "ComplianceByConfigRules", limit: false, default_page: 25, total: 30 },
    ]
}

/// Follows NextToken to the end; returns every item (as JSON text) and the page sizes.
fn walk(world: &mut World, p: &Paged, limit: Option<i64>) -> (Vec<String>, Vec<usize>) {
    let mut items = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = p.base.clone();
        if let Some(l) = limit {
            body["Limit"] = json!(l);
        }
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = call_ok(world, p.op, body);
        let list = page[p.list].as_array().unwrap_or_else(|| panic!("{}: no {} in {page}", p.op, p.list));
        sizes.push(list.len());
        items.extend(list.iter().map(Value::to_string));
        match page.get("NextToken") {
            Some(Value::String(t)) => token = Some(t.clone()),
            Some(other) => panic!("{}: NextToken {other}", p.op),
            None => return (items, sizes),
        }
        assert!(sizes.len() < 100, "{}: paging does not end", p.op);
    }
}

#[test]
fn r_pag_01_every_paginated_operation_walks_its_list_once() {
    let mut w = busy_world();
    for p in paged() {
        let (items, sizes) = walk(&mut w, &p, None);
        assert_eq!(items.len(), p.total, "{}", p.op);
        let unique: std::collections::BTreeSet<&String> = items.iter().collect();
        assert_eq!(unique.len(), items.len(), "{}: an item on two pages", p.op);
        assert_eq!(sizes[0], p.default_page.min(p.total), "{}: first page", p.op);
        if p.limit {
            let (limited, sizes) = walk(&mut w, &p, Some(7));
            assert_eq!(limited, items, "{}: Limit changes the pages, not the items", p.op);
            assert_eq!(sizes, vec![7, 7, 7, 7, 2], "{}", p.op);
        }
    }
}

#[test]
fn r_pag_01_operations_without_limit_ignore_one() {
    let mut w = busy_world();
    for p in paged().into_iter().filter(|p| !p.limit) {
        let (items, sizes) = walk(&mut w, &p, Some(3));
        assert_eq!(items.len(), 30, "{}", p.op);
        assert_eq!(sizes, vec![25, 5], "{}: a Limit member it does not have was applied", p.op);
    }
}

#[test]
fn r_pag_02_remediation_exceptions_page_but_configurations_do_not() {
    let mut w = busy_world();
    let first = call_ok(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 10}));
    assert!(first["NextToken"].is_string());
    let configs = call_ok(&mut w, Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": ["r"], "Limit": 1}));
    assert_eq!(configs.as_object().unwrap().keys().collect::<Vec<_>>(), vec!["RemediationConfigurations"]);
}

#[test]
fn r_pag_03_documented_defaults_and_zero_means_the_default() {
    let mut w = busy_world();
    for p in paged().into_iter().filter(|p| p.limit) {
        let none = call_ok(&mut w, p.op, p.base.clone());
        let mut zero = p.base.clone();
        zero["Limit"] = json!(0);
        let zero = call_ok(&mut w, p.op, zero);
        assert_eq!(none[p.list].as_array().unwrap().len(), p.default_page.min(p.total), "{}", p.op);
        assert_eq!(none[p.list], zero[p.list], "{}: Limit 0 is not the default", p.op);
        let mut max = p.base.clone();
        max["Limit"] = json!(100);
        assert_eq!(call_ok(&mut w, p.op, max)[p.list].as_array().unwrap().len(), 30, "{}", p.op);
    }
}

#[test]
fn r_pag_04_a_token_the_service_did_not_issue_is_refused() {
    let mut w = busy_world();
    // A real token of another operation, and one of another rule.
    let other_op = call_ok(&mut w, Operation::DescribeConfigRules, json!({}))["NextToken"].as_str().unwrap().to_owned();
    set_compliance(&mut w, "z00", "q", ComplianceType::NonCompliant);
    for p in paged() {
        for bad in ["bogus", "", "00", "zz", other_op.as_str()] {
            if p.op == Operation::DescribeConfigRules && bad == other_op {
                continue;
            }
            let mut body = p.base.clone();
            body["NextToken"] = json!(bad);
            let outcome = call(&mut w, p.op, body);
            let e = err(&outcome);
            assert_eq!(e.code, ErrorCode::InvalidNextTokenException, "{} {bad:?}", p.op);
            assert_eq!(outcome.alternatives.len(), 1);
        }
    }
    let token = call_ok(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r"}))["NextToken"].clone();
    let e = call_err(&mut w, Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "z00", "NextToken": token}));
    assert_eq!(e.code, ErrorCode::InvalidNextTokenException, "a token of rule r worked for rule z00");
}

#[test]
fn r_err_02_invalid_next_token() {
    let mut w = busy_world();
    let e = call_err(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "NextToken": "not-ours"}));
    assert_eq!(e.code, ErrorCode::InvalidNextTokenException);
    assert_eq!(e.message, "The nextToken provided is invalid");
    // The response's NextToken is what works.
    let page = call_ok(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r"}));
    call_ok(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "NextToken": page["NextToken"]}));
}

#[test]
fn r_pag_04_a_token_stays_valid_while_the_list_changes() {
    let mut w = busy_world();
    let first = call_ok(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 10}));
    // Delete an exception from the first page and one from the rest: the next page continues
    // after the last key it showed.
    call_ok(&mut w, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b03"), exc_key("b12")]}));
    let next = call_ok(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 10, "NextToken": first["NextToken"]}));
    let ids: Vec<&str> = next["RemediationExceptions"].as_array().unwrap().iter().map(|e| e["ResourceId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["b10", "b11", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20"]);
}
