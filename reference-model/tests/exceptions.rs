//! PutRemediationExceptions, DescribeRemediationExceptions and DeleteRemediationExceptions:
//! rules PRE, DRE and DelRE.

mod common;

use common::*;
use reference_model::names::{ResourceRef, RuleName};
use reference_model::{ComplianceType, Control, ErrorCode, Level, Operation, Outcome, Reply, World};
use rstest::rstest;
use serde_json::{json, Value};

/// The text the model uses when a key's resource is not NON_COMPLIANT (A-11).
const NOT_NON_COMPLIANT: &str = "Remediation exceptions can only be placed on resources that are NON_COMPLIANT under the rule.";
/// The text the model uses for a key without an exception to delete (A-14).
const NO_SUCH_EXCEPTION: &str = "No remediation exception exists for the resource.";

fn put_exceptions(world: &mut World, rule: &str, ids: &[&str], extra: Value) -> Outcome {
    let mut body = json!({"ConfigRuleName": rule, "ResourceKeys": ids.iter().map(|i| exc_key(i)).collect::<Vec<_>>()});
    merge(&mut body, extra);
    call(world, Operation::PutRemediationExceptions, body)
}

fn delete_exceptions(world: &mut World, rule: &str, ids: &[&str]) -> Outcome {
    call(
        world,
        Operation::DeleteRemediationExceptions,
        json!({"ConfigRuleName": rule, "ResourceKeys": ids.iter().map(|i| exc_key(i)).collect::<Vec<_>>()}),
    )
}

fn excepted_ids(world: &mut World, rule: &str) -> Vec<String> {
    exceptions_of(world, rule).iter().map(|e| e["ResourceId"].as_str().unwrap().to_owned()).collect()
}

fn has_exception(world: &World, rule: &str, id: &str) -> bool {
    world.exception(&RuleName::new(rule), &ResourceRef::new(BUCKET, id)).is_some()
}

fn describe(world: &mut World, body: Value) -> Value {
    call_ok(world, Operation::DescribeRemediationExceptions, body)
}

fn page_ids(page: &Value) -> Vec<String> {
    page["RemediationExceptions"].as_array().unwrap().iter().map(|e| e["ResourceId"].as_str().unwrap().to_owned()).collect()
}

// ------------------------------------------------------------------ PutRemediationExceptions

#[test]
fn r_pre_01_put_is_an_upsert_per_rule_and_resource() {
    let mut w = world_with_non_compliant("r", 1);
    put_rule(&mut w, "other");
    set_compliance(&mut w, "other", "b00", ComplianceType::NonCompliant);
    let outcome = put_exceptions(&mut w, "r", &["b00"], json!({"Message": "first"}));
    assert_eq!(ok(&outcome), json!({"FailedBatches": []}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-01")));
    let expiry = secs(T0) + 3600;
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"Message": "second", "ExpirationTime": expiry})));
    assert_eq!(
        exceptions_of(&mut w, "r"),
        vec![json!({"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b00", "Message": "second", "ExpirationTime": expiry})]
    );
    // The same resource under another rule is another exception.
    ok(&put_exceptions(&mut w, "other", &["b00"], json!({})));
    assert_eq!(exceptions_of(&mut w, "other"), vec![json!({"ConfigRuleName": "other", "ResourceType": BUCKET, "ResourceId": "b00"})]);
    assert_eq!(w.exceptions().count(), 2);
}

#[test]
fn r_pre_01_an_upsert_without_expiry_clears_the_old_one() {
    let mut w = world_with_non_compliant("r", 1);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"Message": "m", "ExpirationTime": secs(T0) + 60})));
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    advance(&mut w, 120_000);
    assert_eq!(exceptions_of(&mut w, "r"), vec![json!({"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b00"})]);
}

#[test]
fn r_pre_02_an_exception_blocks_automatic_remediation() {
    let mut w = world_with_non_compliant("r", 2);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    put_configs(&mut w, vec![auto_config("r", json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 100}}}))]);
    assert_eq!(state_of(&w, "r", "b00"), None, "an excepted resource was remediated");
    assert!(state_of(&w, "r", "b01").is_some());
    advance(&mut w, 10_000);
    assert_eq!(compliance_of(&w, "r", "b00"), Some(ComplianceType::NonCompliant));
    assert_eq!(compliance_of(&w, "r", "b01"), Some(ComplianceType::Compliant));
    // A fresh NON_COMPLIANT evaluation does not get past the exception either.
    set_compliance(&mut w, "r", "b00", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "b00", ComplianceType::NonCompliant);
    assert_eq!(state_of(&w, "r", "b00"), None);
    // Once the exception is cleared, the next NON_COMPLIANT result is remediated (A-32).
    ok(&delete_exceptions(&mut w, "r", &["b00"]));
    set_compliance(&mut w, "r", "b00", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "b00", ComplianceType::NonCompliant);
    assert!(state_of(&w, "r", "b00").is_some(), "the lifted exception still blocks");
}

#[test]
fn r_pre_02_exceptions_placed_by_config_are_listed_and_deletable() {
    let mut w = world_with_non_compliant("r", 1);
    w.control(&Control::SetDefaultSsm { outcome: reference_model::auto::SsmRun::Fail { message: "boom".into() } }, T0);
    put_configs(&mut w, vec![auto_config("r", json!({"MaximumAutomaticAttempts": 1}))]);
    advance(&mut w, 60_000);
    let listed = exceptions_of(&mut w, "r");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["ResourceId"], "b00");
    assert_eq!(listed[0]["Message"], "Auto-remediation failed after 1 attempt within 60 seconds.");
    assert!(w.exception(&RuleName::new("r"), &ResourceRef::new(BUCKET, "b00")).unwrap().placed_by_config);
    ok(&delete_exceptions(&mut w, "r", &["b00"]));
    assert!(exceptions_of(&mut w, "r").is_empty());
}

#[rstest]
#[case::compliant(Some(ComplianceType::Compliant))]
#[case::not_applicable(Some(ComplianceType::NotApplicable))]
#[case::never_evaluated(None)]
fn r_pre_04_compliant_resource_gets_no_exception(#[case] compliance: Option<ComplianceType>) {
    let mut w = world_with_rule("r");
    if let Some(c) = compliance {
        set_compliance(&mut w, "r", "b", c);
    }
    let before = w.clone();
    let outcome = put_exceptions(&mut w, "r", &["b"], json!({"Message": "why"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-04")));
    // Not generated, not an error: the key is listed in FailedBatches (preferred) or the
    // answer is silent (also acceptable, A-11). Neither stores anything.
    assert_eq!(outcome.alternatives.len(), 2);
    assert_eq!(
        outcome.alternatives[0].reply,
        Reply::Success(json!({"FailedBatches": [{"FailureMessage": NOT_NON_COMPLIANT,
            "FailedItems": [{"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b", "Message": "why"}]}]}))
    );
    assert_eq!(outcome.alternatives[1].reply, Reply::Success(json!({"FailedBatches": []})));
    for alt in &outcome.alternatives {
        assert_eq!((alt.provenance, alt.basis), (Level::May, "A-11"));
        assert!(alt.world.is_none());
    }
    // Only the answer that reports the key exercises the rule about reporting it.
    assert!(exercised(&outcome, 0).contains(&"R-PRE-11"));
    assert!(!exercised(&outcome, 1).contains(&"R-PRE-11"), "a silent answer counted as reporting the failure");
    assert_eq!(w, before);
    assert!(exceptions_of(&mut w, "r").is_empty());
}

#[test]
fn r_pre_04_only_the_non_compliant_keys_of_a_request_get_exceptions() {
    let mut w = world_with_rule("r");
    set_compliance(&mut w, "r", "bad", ComplianceType::NonCompliant);
    set_compliance(&mut w, "r", "good", ComplianceType::Compliant);
    let body = json!({"ConfigRuleName": "r", "ResourceKeys": [
        exc_key("bad"), exc_key("good"), {"ResourceId": "bad"}, {"ResourceType": BUCKET}
    ]});
    let outcome = call(&mut w, Operation::PutRemediationExceptions, body);
    let Reply::Success(preferred) = &outcome.preferred().reply else { panic!() };
    // Keys that name no whole resource are refused like compliant ones (A-11).
    assert_eq!(
        preferred["FailedBatches"][0]["FailedItems"],
        json!([
            {"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "good"},
            {"ConfigRuleName": "r", "ResourceId": "bad"},
            {"ConfigRuleName": "r", "ResourceType": BUCKET}
        ])
    );
    assert_eq!(excepted_ids(&mut w, "r"), vec!["bad"]);
}

#[test]
fn r_pre_04_a_resource_that_turns_compliant_keeps_its_exception() {
    // The rule is checked when the exception is put; a later evaluation does not remove it.
    let mut w = world_with_non_compliant("r", 1);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    set_compliance(&mut w, "r", "b00", ComplianceType::Compliant);
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b00"]);
}

#[test]
fn r_pre_04_an_unknown_rule_stores_nothing() {
    let mut w = world();
    let outcome = put_exceptions(&mut w, "missing", &["b"], json!({}));
    let codes: Vec<Option<ErrorCode>> = outcome.alternatives.iter().map(|a| a.reply.error_code()).collect();
    assert_eq!(codes, vec![None, None, Some(ErrorCode::InvalidParameterValueException)]);
    assert_eq!(w.exceptions().count(), 0);
}

#[test]
fn r_pre_05_no_exception_on_a_service_linked_remediation() {
    let mut w = world_with_non_compliant("r", 2);
    put_configs(&mut w, vec![config("r", json!({}))]);
    w.control(&Control::MarkServiceLinked { rule: "r".into(), service: "config-conforms.amazonaws.com".into() }, T0);
    let outcome = put_exceptions(&mut w, "r", &["b00", "b01"], json!({"Message": "m"}));
    let e = err(&outcome);
    assert_eq!(e.code, ErrorCode::InvalidParameterValueException);
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-05")));
    let Reply::Success(alt) = &outcome.alternatives[1].reply else { panic!() };
    assert_eq!(alt["FailedBatches"][0]["FailureMessage"], json!(e.message));
    assert_eq!(alt["FailedBatches"][0]["FailedItems"].as_array().unwrap().len(), 2);
    assert_eq!(w.exceptions().count(), 0);
    // Both refuse (A-06); only the listing reports the keys, and none is silent.
    assert!(outcome.alternatives.iter().all(|a| a.provenance == Level::May && a.basis == "A-06"));
    assert_eq!(outcome.alternatives.len(), 2);
    assert!(!exercised(&outcome, 0).contains(&"R-PRE-11"));
    assert!(exercised(&outcome, 1).contains(&"R-PRE-11"));
}

#[test]
fn r_pre_07_each_key_makes_its_own_exception() {
    let mut w = world_with_non_compliant("r", 100);
    let all = ids(100);
    let three: Vec<&str> = all.iter().take(3).map(String::as_str).collect();
    let outcome = put_exceptions(&mut w, "r", &three, json!({}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-07")));
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b00", "b01", "b02"]);
    // A key given twice is one exception.
    ok(&put_exceptions(&mut w, "r", &["b03", "b03"], json!({})));
    assert_eq!(w.exceptions().count(), 4);
    // 100 keys in one request.
    let hundred: Vec<&str> = all.iter().map(String::as_str).collect();
    assert_eq!(ok(&put_exceptions(&mut w, "r", &hundred, json!({}))), json!({"FailedBatches": []}));
    assert_eq!(w.exceptions().count(), 100);
}

#[test]
fn r_pre_08_the_message_is_stored_and_returned() {
    let mut w = world_with_non_compliant("r", 2);
    let long = "m".repeat(1024);
    let outcome = put_exceptions(&mut w, "r", &["b00"], json!({"Message": long}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-08")));
    ok(&put_exceptions(&mut w, "r", &["b01"], json!({})));
    let listed = exceptions_of(&mut w, "r");
    assert_eq!(listed[0]["Message"], json!(long));
    assert_eq!(listed[1].get("Message"), None, "a message was invented");
}

#[test]
fn r_pre_09_an_exception_is_deleted_when_its_expiration_time_passes() {
    let mut w = world_with_non_compliant("r", 2);
    let expiry = T0 + reference_model::Millis::seconds(60);
    let outcome = put_exceptions(&mut w, "r", &["b00"], json!({"ExpirationTime": secs(expiry)}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-PRE-09")));
    ok(&put_exceptions(&mut w, "r", &["b01"], json!({})));
    advance(&mut w, 59_000);
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b00", "b01"]);
    assert_eq!(exceptions_of(&mut w, "r")[0]["ExpirationTime"], json!(secs(expiry)));
    advance(&mut w, 2_000);
    // Expired; the one without ExpirationTime stays.
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b01"]);
    advance(&mut w, 86_400_000);
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b01"]);
}

#[test]
fn r_pre_09_expiry_happens_on_the_clock_of_the_next_request() {
    use reference_model::handle;
    let mut w = world_with_non_compliant("r", 1);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"ExpirationTime": secs(T0) + 10})));
    let describe = json!({"ConfigRuleName": "r"}).to_string();
    let at = |s: i64| T0 + reference_model::Millis::seconds(s);
    let listed = |o: &Outcome| match &o.preferred().reply {
        Reply::Success(v) => v["RemediationExceptions"].as_array().unwrap().len(),
        Reply::Failure(e) => panic!("{e}"),
    };
    assert_eq!(listed(&handle(&mut w, Operation::DescribeRemediationExceptions, describe.as_bytes(), at(9))), 1);
    assert_eq!(listed(&handle(&mut w, Operation::DescribeRemediationExceptions, describe.as_bytes(), at(11))), 0);
}

#[test]
fn r_pre_09_an_expiration_time_in_the_past_is_gone_at_once() {
    let mut w = world_with_non_compliant("r", 1);
    let outcome = put_exceptions(&mut w, "r", &["b00"], json!({"ExpirationTime": secs(T0) - 3600}));
    assert_eq!(ok(&outcome), json!({"FailedBatches": []}));
    // The model's choice (A-30): accepted, and the exception ends at once.
    assert_eq!((outcome.preferred().provenance, outcome.preferred().basis), (Level::May, "A-30"));
    assert!(exercised(&outcome, 0).contains(&"R-PRE-09"));
    assert!(exceptions_of(&mut w, "r").is_empty());
    // An upsert of an existing exception with a past ExpirationTime ends it too.
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b00"]);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"ExpirationTime": secs(T0)})));
    assert!(exceptions_of(&mut w, "r").is_empty());
    // … so it does not block automatic remediation either.
    put_configs(&mut w, vec![auto_config("r", json!({}))]);
    assert!(state_of(&w, "r", "b00").is_some());
}

/// A-30: a target may also refuse an ExpirationTime already past, as a whole (either error
/// code) or by listing every key; nothing changes then, so an earlier exception stays.
#[rstest]
#[case::parameter_error(Some(ErrorCode::InvalidParameterValueException))]
#[case::validation_error(Some(ErrorCode::ValidationException))]
#[case::every_key_listed(None)]
fn r_pre_09_a_past_expiration_time_may_be_refused(#[case] code: Option<ErrorCode>) {
    let mut w = world_with_non_compliant("r", 2);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"Message": "earlier"})));
    let before = w.clone();
    let past = secs(T0) - 60;
    let outcome = put_exceptions(&mut w, "r", &["b00", "b01", "never-evaluated"], json!({"ExpirationTime": past}));
    // Preferred: b00 and b01 accepted and gone at once, the third key reported (A-11).
    assert!(!has_exception(&w, "r", "b00"));
    let refusal = alternative(&outcome, "A-30", code);
    assert_eq!((refusal.provenance, refusal.code_level), (Level::May, Level::Must));
    assert_eq!(world_after(refusal, &w), &before, "a refusal changed the state");
    assert!(has_exception(world_after(refusal, &w), "r", "b00"));
    let refusal_index = outcome.alternatives.iter().position(|a| std::ptr::eq(a, refusal)).unwrap();
    assert!(!exercised(&outcome, refusal_index).contains(&"R-PRE-09"), "a refusal counted as the expiry");
    if code.is_none() {
        let items = &body_of(refusal)["FailedBatches"][0]["FailedItems"];
        let item = |id: &str| json!({"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": id, "ExpirationTime": past});
        assert_eq!(items, &json!([item("b00"), item("b01"), item("never-evaluated")]));
        assert!(exercised(&outcome, refusal_index).contains(&"R-PRE-11"));
    }
}

#[test]
fn r_pre_09_a_future_expiration_time_has_no_refusal() {
    let mut w = world_with_non_compliant("r", 1);
    let outcome = put_exceptions(&mut w, "r", &["b00"], json!({"ExpirationTime": secs(T0) + 60}));
    assert_eq!(outcome.alternatives.len(), 1);
    assert_eq!(outcome.preferred().provenance, Level::Must);
}

#[test]
fn r_pre_11_failed_batches_hold_full_exception_objects() {
    let mut w = world_with_rule("r");
    set_compliance(&mut w, "r", "ok1", ComplianceType::Compliant);
    set_compliance(&mut w, "r", "ok2", ComplianceType::NotApplicable);
    let expiry = secs(T0) + 600;
    let outcome = put_exceptions(&mut w, "r", &["ok1", "ok2"], json!({"Message": "m", "ExpirationTime": expiry}));
    // Exercised by the answer that lists the keys, not by the silent one (A-11).
    assert!(exercised(&outcome, 0).contains(&"R-PRE-11"));
    assert!(!outcome.clauses.contains(&reference_model::rule!("R-PRE-11")));
    assert_eq!(outcome.alternatives[1].reply, Reply::Success(json!({"FailedBatches": []})));
    assert!(!exercised(&outcome, 1).contains(&"R-PRE-11"));
    let item = |id: &str| json!({"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": id, "Message": "m", "ExpirationTime": expiry});
    assert_eq!(
        ok(&outcome),
        json!({"FailedBatches": [{"FailureMessage": NOT_NON_COMPLIANT, "FailedItems": [item("ok1"), item("ok2")]}]})
    );
}

// ------------------------------------------------------------------ DescribeRemediationExceptions

/// A rule with 30 excepted buckets `b00..b29`.
fn thirty_exceptions() -> World {
    let mut w = world_with_non_compliant("r", 30);
    let all = ids(30);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    ok(&put_exceptions(&mut w, "r", &refs, json!({"Message": "m"})));
    w
}

#[test]
fn r_dre_01_describe_returns_each_exception_with_message_and_expiry() {
    let mut w = world_with_non_compliant("r", 2);
    let expiry = secs(T0) + 7200;
    ok(&put_exceptions(&mut w, "r", &["b01"], json!({"Message": "later", "ExpirationTime": expiry})));
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({"Message": "forever"})));
    let outcome = call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r"}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DRE-01")));
    assert_eq!(
        ok(&outcome),
        json!({"RemediationExceptions": [
            {"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b00", "Message": "forever"},
            {"ConfigRuleName": "r", "ResourceType": BUCKET, "ResourceId": "b01", "Message": "later", "ExpirationTime": expiry}
        ]})
    );
}

#[test]
fn r_dre_02_limit_and_next_token_page_the_exceptions() {
    let mut w = thirty_exceptions();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"ConfigRuleName": "r", "Limit": 7});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = describe(&mut w, body);
        pages += 1;
        let got = page_ids(&page);
        assert!(got.len() <= 7);
        seen.extend(got);
        match page.get("NextToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, ids(30), "pages must cover every exception once, in order");
}

#[test]
fn r_dre_03_resource_keys_ignore_limit_and_next_token() {
    let mut w = thirty_exceptions();
    let keys: Vec<Value> = ["b03", "b27", "b11", "b05", "zz"].iter().map(|i| exc_key(i)).collect();
    let outcome = call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": keys, "Limit": 1}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DRE-03")));
    let page = ok(&outcome);
    assert_eq!(page_ids(&page), vec!["b03", "b05", "b11", "b27"]);
    assert_eq!(page.get("NextToken"), None);
    // A token is not even looked at when keys are given.
    let page = describe(&mut w, json!({"ConfigRuleName": "r", "ResourceKeys": [exc_key("b00")], "NextToken": "not-a-token"}));
    assert_eq!(page_ids(&page), vec!["b00"]);
}

#[test]
fn r_dre_04_the_default_page_is_25_and_0_means_the_default() {
    let mut w = thirty_exceptions();
    for body in [json!({"ConfigRuleName": "r"}), json!({"ConfigRuleName": "r", "Limit": 0})] {
        let page = describe(&mut w, body);
        assert_eq!(page_ids(&page).len(), 25);
        assert!(page["NextToken"].is_string());
    }
    // Limit may go up to 100 (above the output list's declared 25, A-15).
    let page = describe(&mut w, json!({"ConfigRuleName": "r", "Limit": 100}));
    assert_eq!(page_ids(&page).len(), 30);
    assert_eq!(page.get("NextToken"), None);
    let page = describe(&mut w, json!({"ConfigRuleName": "r", "Limit": 1}));
    assert_eq!(page_ids(&page), vec!["b00"]);
}

#[test]
fn r_dre_08_a_limit_above_25_may_also_be_capped_at_the_declared_25() {
    let mut w = thirty_exceptions();
    let outcome = call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 30}));
    assert_eq!(outcome.alternatives.len(), 2, "Limit followed, or capped at 25");
    assert_eq!(page_ids(&ok(&outcome)).len(), 30);
    let capped = &outcome.alternatives[1];
    assert_eq!((capped.provenance, capped.basis), (Level::May, "A-15"));
    assert_eq!(capped.covers, vec!["R-DRE-08"], "only the capped answer checks the declared maximum");
    assert!(!outcome.clauses.contains(&reference_model::rule!("R-DRE-08")));
    let Reply::Success(page) = &capped.reply else { panic!("a success") };
    assert_eq!(page_ids(page), ids(25));
    // Its token resumes after the 25th, whatever Limit the next page asks for.
    let next = describe(&mut w, json!({"ConfigRuleName": "r", "Limit": 30, "NextToken": page["NextToken"]}));
    assert_eq!(page_ids(&next), vec!["b25", "b26", "b27", "b28", "b29"]);
    // Nothing to cap: one answer.
    let few = call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 26, "NextToken": page["NextToken"]}));
    assert_eq!(few.alternatives.len(), 1);
}

#[test]
fn r_dre_05_next_token_continues_and_the_last_page_has_none() {
    let mut w = thirty_exceptions();
    let first = describe(&mut w, json!({"ConfigRuleName": "r"}));
    let token = first["NextToken"].as_str().unwrap();
    let second = describe(&mut w, json!({"ConfigRuleName": "r", "NextToken": token}));
    assert_eq!(page_ids(&second), vec!["b25", "b26", "b27", "b28", "b29"]);
    assert_eq!(second.get("NextToken"), None);
    // The same token twice gives the same page.
    assert_eq!(describe(&mut w, json!({"ConfigRuleName": "r", "NextToken": token})), second);
    // A token of another rule, or one never issued, is refused.
    put_rule(&mut w, "other");
    for bad in [token, "bogus", ""] {
        let outcome = call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "other", "NextToken": bad}));
        assert_eq!(err(&outcome).code, ErrorCode::InvalidNextTokenException, "{bad}");
    }
}

#[test]
fn r_dre_07_only_the_rule_name_is_required() {
    let mut w = thirty_exceptions();
    assert_eq!(page_ids(&describe(&mut w, json!({"ConfigRuleName": "r"}))).len(), 25);
    // An unknown rule has no exceptions; NoSuchConfigRuleException is not modelled here (A-31).
    assert_eq!(describe(&mut w, json!({"ConfigRuleName": "nope"})), json!({"RemediationExceptions": []}));
    // A known rule has no such alternative.
    assert_eq!(call(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r"})).alternatives.len(), 1);
    let e = call_err(&mut w, Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": []}));
    assert_eq!(e.code, ErrorCode::ValidationException);
}

/// A-31: for an unknown rule, an empty list (preferred, as R-DRE-06 models no error) or
/// NoSuchConfigRuleException in the words the other operations use, with or without keys.
#[rstest]
#[case::all(json!({"ConfigRuleName": "nope"}))]
#[case::by_keys(json!({"ConfigRuleName": "nope", "ResourceKeys": [exc_key("b")]}))]
fn r_dre_06_an_unknown_rule_is_empty_or_no_such_config_rule(#[case] body: Value) {
    let mut w = world();
    let outcome = call(&mut w, Operation::DescribeRemediationExceptions, body);
    assert_eq!(ok(&outcome), json!({"RemediationExceptions": []}));
    assert_eq!(outcome.alternatives.len(), 2);
    let refusal = alternative(&outcome, "A-31", Some(ErrorCode::NoSuchConfigRuleException));
    assert_eq!((refusal.provenance, refusal.code_level, refusal.message_level), (Level::May, Level::Must, Level::Should));
    let Reply::Failure(e) = &refusal.reply else { unreachable!() };
    assert_eq!(e.message, "The ConfigRule 'nope' provided in the request is invalid. Please check the configRule name.");
    assert!(refusal.world.is_none());
}

// ------------------------------------------------------------------ DeleteRemediationExceptions

#[test]
fn r_delre_01_delete_removes_the_listed_keys_only() {
    let mut w = world_with_non_compliant("r", 3);
    ok(&put_exceptions(&mut w, "r", &["b00", "b01", "b02"], json!({})));
    let outcome = delete_exceptions(&mut w, "r", &["b00", "b02"]);
    assert_eq!(ok(&outcome), json!({"FailedBatches": []}));
    assert!(outcome.clauses.contains(&reference_model::rule!("R-DelRE-01")));
    assert_eq!(excepted_ids(&mut w, "r"), vec!["b01"]);
    assert!(has_exception(&w, "r", "b01"));
}

#[test]
fn r_delre_02_deleting_an_exception_that_does_not_exist() {
    let mut w = world_with_non_compliant("r", 1);
    let before = w.clone();
    let outcome = delete_exceptions(&mut w, "r", &["b00"]);
    assert!(exercised(&outcome, 0).contains(&"R-DelRE-02"));
    assert!(!exercised(&outcome, 1).contains(&"R-DelRE-02"));
    assert_eq!(err(&outcome).code, ErrorCode::NoSuchRemediationExceptionException);
    // Also acceptable (A-14): the key in FailedBatches.
    assert_eq!(
        outcome.alternatives[1].reply,
        Reply::Success(json!({"FailedBatches": [{"FailureMessage": NO_SUCH_EXCEPTION, "FailedItems": [exc_key("b00")]}]}))
    );
    assert_eq!(w, before);
}

#[test]
fn r_err_05_no_such_remediation_exception() {
    let mut w = world();
    let e = err(&delete_exceptions(&mut w, "ghost-rule", &["x"]));
    assert_eq!(e.code, ErrorCode::NoSuchRemediationExceptionException);
    assert!(e.message.contains("ghost-rule"), "{}", e.message);
    // After a delete, deleting again finds nothing.
    let mut w = world_with_non_compliant("r", 1);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    ok(&delete_exceptions(&mut w, "r", &["b00"]));
    assert_eq!(err(&delete_exceptions(&mut w, "r", &["b00"])).code, ErrorCode::NoSuchRemediationExceptionException);
}

#[test]
fn r_delre_03_keys_not_deleted_come_back_in_failed_batches() {
    let mut w = world_with_non_compliant("r", 2);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    let outcome = delete_exceptions(&mut w, "r", &["b00", "b01"]);
    // Each way of refusing exercises its own rule; neither answer is silent (A-14).
    assert_eq!(outcome.alternatives.len(), 2);
    assert!(outcome.alternatives.iter().all(|a| a.provenance == Level::May && a.basis == "A-14"));
    assert!(exercised(&outcome, 0).contains(&"R-DelRE-03") && exercised(&outcome, 0).contains(&"R-DelRE-01"));
    assert!(!exercised(&outcome, 1).contains(&"R-DelRE-03") && !exercised(&outcome, 1).contains(&"R-DelRE-01"));
    assert!(exercised(&outcome, 1).contains(&"R-DelRE-02"));
    // Preferred: the present one is deleted, the missing one listed.
    assert_eq!(
        ok(&outcome),
        json!({"FailedBatches": [{"FailureMessage": NO_SUCH_EXCEPTION, "FailedItems": [exc_key("b01")]}]})
    );
    assert!(!has_exception(&w, "r", "b00"));
    // Also acceptable: the whole request refused, nothing deleted.
    let alt = &outcome.alternatives[1];
    assert_eq!(alt.reply.error_code(), Some(ErrorCode::NoSuchRemediationExceptionException));
    assert!(has_exception(alt.world.as_ref().unwrap(), "r", "b00"));
}

#[test]
fn r_delre_04_keys_are_the_pascal_case_shape() {
    let mut w = world_with_non_compliant("r", 1);
    ok(&put_exceptions(&mut w, "r", &["b00"], json!({})));
    // Lower-camel keys are the execution shape: here they name nothing (unknown members are
    // ignored), so nothing is deleted.
    let outcome = call(&mut w, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [exec_key("b00")]}));
    assert_eq!(code(&outcome), Some(ErrorCode::NoSuchRemediationExceptionException));
    assert!(has_exception(&w, "r", "b00"));
    let e = call_err(&mut w, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": []}));
    assert_eq!(e.code, ErrorCode::ValidationException);
    let too_many: Vec<Value> = (0..101).map(|i| exc_key(&format!("x{i}"))).collect();
    let e = call_err(&mut w, Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": too_many}));
    assert!(e.message.ends_with("Member must have length less than or equal to 100"), "{}", e.message);
}

#[test]
fn r_pre_11_refused_keys_come_back_in_batches_of_at_most_25() {
    let mut w = world_with_rule("r");
    let keys: Vec<Value> = ids(30).iter().map(|id| exc_key(id)).collect();
    let answer = call_ok(&mut w, Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": keys}));
    let sizes: Vec<usize> = answer["FailedBatches"].as_array().unwrap().iter().map(|b| b["FailedItems"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![25, 5]);
}
