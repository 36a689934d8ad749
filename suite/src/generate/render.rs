//! A generated sequence as scenario JSON: each step's request, and the requests that break
//! one limit or rule ([`Breakage`]).

use super::strategy::{Breakage, GenStep, TokenKind, RESOURCES, RESOURCE_TYPE, RULES};
use crate::scenario::Scenario;
use serde_json::{json, Value};
use std::path::Path;

fn name(rule: usize) -> String {
    format!("${{rule:{}}}", RULES[rule])
}

fn exception_keys(resources: &[usize]) -> Value {
    Value::Array(resources.iter().map(|r| json!({"ResourceType": RESOURCE_TYPE, "ResourceId": RESOURCES[*r]})).collect())
}

fn execution_keys(resources: &[usize]) -> Value {
    Value::Array(resources.iter().map(|r| json!({"resourceType": RESOURCE_TYPE, "resourceId": RESOURCES[*r]})).collect())
}

fn call(op: &str, body: Value) -> Value {
    json!({"op": op, "body": body})
}

fn configuration(rule: usize, automatic: bool) -> Value {
    let mut c = json!({
        "ConfigRuleName": name(rule), "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-DisableS3BucketPublicReadWrite",
        "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/remediation"]}},
                       "BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}}}
    });
    if automatic {
        c["Automatic"] = json!(true);
    }
    c
}

/// The scenario steps (JSON) of one generated step.
fn step_json(step: &GenStep, paging_bound: &mut bool) -> Vec<Value> {
    match step {
        GenStep::PutRule { rule } => vec![call(
            "PutConfigRule",
            json!({"ConfigRule": {"ConfigRuleName": name(*rule), "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"}}}),
        )],
        GenStep::DeleteRule { rule } => vec![call("DeleteConfigRule", json!({"ConfigRuleName": name(*rule)}))],
        GenStep::SetCompliance { rule, resource, compliance } => vec![json!({"control": {
            "action": "set_compliance", "rule": name(*rule), "resource_type": RESOURCE_TYPE, "resource_id": RESOURCES[*resource], "compliance": compliance}})],
        GenStep::PutEvaluations { rule, resource, compliance, token } => {
            let evaluation = json!({"ComplianceResourceType": RESOURCE_TYPE, "ComplianceResourceId": RESOURCES[*resource],
                                    "ComplianceType": compliance, "OrderingTimestamp": {"$now": 0}});
            match token {
                TokenKind::Valid => vec![
                    json!({"control": {"action": "issue_result_token", "rule": name(*rule)}, "bind": {"token": "ResultToken"}}),
                    call("PutEvaluations", json!({"Evaluations": [evaluation], "ResultToken": "${bind:token}"})),
                ],
                TokenKind::Bogus => vec![call("PutEvaluations", json!({"Evaluations": [evaluation], "ResultToken": "not-a-token"}))],
                TokenKind::TestMode => vec![call("PutEvaluations", json!({"Evaluations": [evaluation], "ResultToken": "any", "TestMode": true}))],
            }
        }
        GenStep::PutConfiguration { rule, automatic, attempts, retry_seconds, concurrency, errors } => {
            let mut c = configuration(*rule, *automatic);
            if let Some(a) = attempts {
                c["MaximumAutomaticAttempts"] = json!(a);
            }
            if let Some(r) = retry_seconds {
                c["RetryAttemptSeconds"] = json!(r);
            }
            if concurrency.is_some() || errors.is_some() {
                let mut ssm = json!({});
                if let Some(p) = concurrency {
                    ssm["ConcurrentExecutionRatePercentage"] = json!(p);
                }
                if let Some(p) = errors {
                    ssm["ErrorPercentage"] = json!(p);
                }
                c["ExecutionControls"] = json!({"SsmControls": ssm});
            }
            vec![call("PutRemediationConfigurations", json!({"RemediationConfigurations": [c]}))]
        }
        GenStep::DescribeConfigurations { rules } => {
            vec![call("DescribeRemediationConfigurations", json!({"ConfigRuleNames": rules.iter().map(|r| name(*r)).collect::<Vec<_>>()}))]
        }
        GenStep::DeleteConfiguration { rule } => vec![call("DeleteRemediationConfiguration", json!({"ConfigRuleName": name(*rule)}))],
        GenStep::PutExceptions { rule, resources, message, expires_in } => {
            let mut body = json!({"ConfigRuleName": name(*rule), "ResourceKeys": exception_keys(resources)});
            if *message {
                body["Message"] = json!("generated");
            }
            if let Some(s) = expires_in {
                body["ExpirationTime"] = json!({"$now": s});
            }
            vec![call("PutRemediationExceptions", body)]
        }
        GenStep::DescribeExceptions { rule, resources, limit, continue_paging } => {
            let mut body = json!({"ConfigRuleName": name(*rule)});
            if let Some(r) = resources {
                body["ResourceKeys"] = exception_keys(r);
            }
            if *limit > 0 {
                body["Limit"] = json!(limit);
            }
            if *continue_paging && *paging_bound && resources.is_none() {
                body["NextToken"] = json!("${bind:page}");
            }
            let mut step = call("DescribeRemediationExceptions", body);
            if resources.is_none() && *limit > 0 {
                step["bind"] = json!({"page": "NextToken"});
                *paging_bound = true;
            }
            vec![step]
        }
        GenStep::DeleteExceptions { rule, resources } => {
            vec![call("DeleteRemediationExceptions", json!({"ConfigRuleName": name(*rule), "ResourceKeys": exception_keys(resources)}))]
        }
        GenStep::StartExecution { rule, resources } => {
            vec![call("StartRemediationExecution", json!({"ConfigRuleName": name(*rule), "ResourceKeys": execution_keys(resources)}))]
        }
        GenStep::DescribeExecutions { rule, resources, limit } => {
            let mut body = json!({"ConfigRuleName": name(*rule)});
            if let Some(r) = resources {
                body["ResourceKeys"] = execution_keys(r);
            }
            if *limit > 0 {
                body["Limit"] = json!(limit);
            }
            vec![call("DescribeRemediationExecutionStatus", body)]
        }
        GenStep::ScriptSsm { rule, resource, failures } => vec![json!({"control": {
            "action": "script_ssm", "rule": name(*rule), "resource_type": RESOURCE_TYPE, "resource_id": RESOURCES[*resource],
            "outcomes": (0..*failures).map(|_| json!({"result": "fail"})).collect::<Vec<_>>()}})],
        GenStep::Advance { seconds } => vec![json!({"advance": seconds})],
        GenStep::Invalid { breakage, rule } => vec![broken(*breakage, *rule)],
    }
}

/// A request that breaks exactly one limit or rule.
fn broken(breakage: Breakage, rule: usize) -> Value {
    let keys = |n: usize| json!({"$repeat": n, "item": {"ResourceType": RESOURCE_TYPE, "ResourceId": "k${i}"}});
    let exec_keys = |n: usize| json!({"$repeat": n, "item": {"resourceType": RESOURCE_TYPE, "resourceId": "k${i}"}});
    let put_config = |c: Value| call("PutRemediationConfigurations", json!({"RemediationConfigurations": [c]}));
    let with = |mut c: Value, key: &str, v: Value| {
        c[key] = v;
        c
    };
    match breakage {
        Breakage::RuleNameTooLong => call("DeleteRemediationConfiguration", json!({"ConfigRuleName": {"$string": 129}})),
        Breakage::RuleNameBlank => call("PutRemediationExceptions", json!({"ConfigRuleName": "   ", "ResourceKeys": keys(1)})),
        Breakage::RuleNameWithNewline => call("StartRemediationExecution", json!({"ConfigRuleName": "a\nb", "ResourceKeys": exec_keys(1)})),
        Breakage::NoResourceKeys => call("DeleteRemediationExceptions", json!({"ConfigRuleName": name(rule), "ResourceKeys": []})),
        Breakage::TooManyExceptionKeys => call("PutRemediationExceptions", json!({"ConfigRuleName": name(rule), "ResourceKeys": keys(101)})),
        Breakage::TooManyExecutionKeys => call("StartRemediationExecution", json!({"ConfigRuleName": name(rule), "ResourceKeys": exec_keys(101)})),
        Breakage::ExecutionResourceIdTooLong => call(
            "DescribeRemediationExecutionStatus",
            json!({"ConfigRuleName": name(rule), "ResourceKeys": [{"resourceType": RESOURCE_TYPE, "resourceId": {"$string": 769}}]}),
        ),
        Breakage::UnknownResourceType => call(
            "StartRemediationExecution",
            json!({"ConfigRuleName": name(rule), "ResourceKeys": [{"resourceType": "AWS::Nope::Thing", "resourceId": "x"}]}),
        ),
        Breakage::MessageTooLong => call(
            "PutRemediationExceptions",
            json!({"ConfigRuleName": name(rule), "ResourceKeys": keys(1), "Message": {"$string": 1025}}),
        ),
        Breakage::LimitTooLarge => call("DescribeRemediationExceptions", json!({"ConfigRuleName": name(rule), "Limit": 101})),
        Breakage::AttemptsOutOfRange => put_config(with(configuration(rule, false), "MaximumAutomaticAttempts", json!(26))),
        Breakage::RetrySecondsOutOfRange => put_config(with(configuration(rule, false), "RetryAttemptSeconds", json!(2_678_001))),
        Breakage::PercentageOutOfRange => put_config(with(
            configuration(rule, false),
            "ExecutionControls",
            json!({"SsmControls": {"ConcurrentExecutionRatePercentage": 0}}),
        )),
        Breakage::UnknownTargetType => put_config(with(configuration(rule, false), "TargetType", json!("LAMBDA"))),
        Breakage::MissingTargetId => {
            let mut c = configuration(rule, false);
            c.as_object_mut().map(|o| o.remove("TargetId"));
            put_config(c)
        }
        Breakage::TooManyConfigurations => call(
            "PutRemediationConfigurations",
            json!({"RemediationConfigurations": {"$repeat": 26, "item": configuration(rule, false)}}),
        ),
        Breakage::WrongMemberType => call("DescribeRemediationExceptions", json!({"ConfigRuleName": name(rule), "Limit": "ten"})),
        Breakage::MalformedJson => json!({"op": "PutRemediationExceptions", "raw_body": "{\"ConfigRuleName\": "}),
        Breakage::InsufficientDataEvaluation => call(
            "PutEvaluations",
            json!({"ResultToken": "any", "Evaluations": [{"ComplianceResourceType": RESOURCE_TYPE, "ComplianceResourceId": "r1",
                   "ComplianceType": "INSUFFICIENT_DATA", "OrderingTimestamp": {"$now": 0}}]}),
        ),
        Breakage::BothParameterValues => put_config(with(
            configuration(rule, false),
            "Parameters",
            json!({"BucketName": {"ResourceValue": {"Value": "RESOURCE_ID"}, "StaticValue": {"Values": ["x"]}}}),
        )),
        Breakage::AutomaticWithoutRole => {
            let mut c = configuration(rule, true);
            c["Parameters"].as_object_mut().map(|p| p.remove("AutomationAssumeRole"));
            put_config(c)
        }
    }
}

/// The rule ID a scenario made of generated steps checks (the runner records the rest).
const GENERATED_RULE: &str = "R-PRE-01";

/// A generated sequence as scenario JSON.
pub fn to_scenario_json(id: &str, steps: &[GenStep]) -> Value {
    let mut paging_bound = false;
    let json_steps: Vec<Value> = steps.iter().flat_map(|s| step_json(s, &mut paging_bound)).collect();
    json!({
        "id": id,
        "title": format!("generated sequence of {} steps", steps.len()),
        "rules": [GENERATED_RULE],
        "steps": json_steps,
    })
}

/// A generated sequence as a scenario.
pub fn to_scenario(id: &str, steps: &[GenStep]) -> Scenario {
    let text = serde_json::to_string_pretty(&to_scenario_json(id, steps)).expect("JSON");
    Scenario::parse(&text, Path::new(&format!("generated/{id}.json"))).unwrap_or_else(|e| panic!("generated scenario does not parse: {e}\n{text}"))
}

