//! Per-member rule attribution: a refused request names the rule of each member that broke a
//! constraint (`clauses::MEMBER_RULES`), and the operation's rule only where no modelled rule
//! states the member's limit or the JSON type was wrong.
//!
//! The completeness test walks the embedded service model from every operation's input: for
//! each constrained member and each kind of constraint it holds, it builds a body that breaks
//! that one constraint, and checks the outcome's clauses. So a member without an entry, an
//! entry for a member without a constraint, and a wrong attribution all fail here.

mod common;

use common::T0;
use reference_model::clauses::{MemberRule, RuleId, MEMBER_RULES};
use reference_model::service_model::{ServiceModel, Shape};
use reference_model::validate::{violations, ConstraintKind};
use reference_model::{handle_value, ErrorCode, Operation, World};
use rstest::rstest;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A valid request of each operation that sets every constrained member (one item per list,
/// one entry per map), so that each constraint can be broken alone.
fn base(op: Operation) -> Value {
    let ex_key = json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"});
    let key = json!({"resourceType": "AWS::S3::Bucket", "resourceId": "b"});
    match op {
        Operation::PutRemediationConfigurations => json!({"RemediationConfigurations": [{
            "ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption",
            "Parameters": {"P": {"ResourceValue": {"Value": "RESOURCE_ID"}, "StaticValue": {"Values": ["v"]}}},
            "Automatic": false,
            "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 10, "ErrorPercentage": 50}},
            "MaximumAutomaticAttempts": 5, "RetryAttemptSeconds": 60,
            "Arn": "arn:aws:config:us-east-1:123456789012:remediation-configuration/r/x", "CreatedByService": "s"
        }]}),
        Operation::DescribeRemediationConfigurations => json!({"ConfigRuleNames": ["r"]}),
        Operation::DeleteRemediationConfiguration => json!({"ConfigRuleName": "r"}),
        Operation::PutRemediationExceptions => json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key], "Message": "m"}),
        Operation::DescribeRemediationExceptions => json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key], "Limit": 10}),
        Operation::DeleteRemediationExceptions => json!({"ConfigRuleName": "r", "ResourceKeys": [ex_key]}),
        Operation::StartRemediationExecution => json!({"ConfigRuleName": "r", "ResourceKeys": [key]}),
        Operation::DescribeRemediationExecutionStatus => json!({"ConfigRuleName": "r", "ResourceKeys": [key], "Limit": 10}),
        Operation::PutEvaluations => json!({"Evaluations": [{
            "ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "NON_COMPLIANT",
            "Annotation": "a", "OrderingTimestamp": 1_767_225_600
        }], "ResultToken": "t", "TestMode": true}),
        Operation::PutConfigRule => json!({"ConfigRule": {
            "ConfigRuleName": "r", "ConfigRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abcdef",
            "ConfigRuleId": "config-rule-abcdef", "Description": "d",
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"], "TagKey": "k", "TagValue": "v",
                      "ComplianceResourceId": "b", "ServicePrincipals": ["config.amazonaws.com"]},
            "Source": {"Owner": "CUSTOM_POLICY", "SourceIdentifier": "s",
                       "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification",
                                          "MaximumExecutionFrequency": "One_Hour"}],
                       "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": "rule x {}"}},
            "InputParameters": "{}", "MaximumExecutionFrequency": "One_Hour", "ConfigRuleState": "ACTIVE", "CreatedBy": "c",
            "EvaluationModes": [{"Mode": "DETECTIVE"}], "RuleEvaluationVisibility": "EXTERNAL"
        }, "Tags": [{"Key": "k", "Value": "v"}]}),
        Operation::DeleteConfigRule => json!({"ConfigRuleName": "r"}),
        Operation::DescribeConfigRules => {
            json!({"ConfigRuleNames": ["r"], "Filters": {"EvaluationMode": "DETECTIVE", "RuleEvaluationVisibility": "EXTERNAL"}})
        }
        Operation::GetComplianceDetailsByConfigRule => json!({"ConfigRuleName": "r", "ComplianceTypes": ["COMPLIANT"], "Limit": 10}),
        Operation::DescribeComplianceByConfigRule => json!({"ConfigRuleNames": ["r"], "ComplianceTypes": ["COMPLIANT"]}),
        Operation::DescribeComplianceByResource => {
            json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": "b", "ComplianceTypes": ["COMPLIANT"], "Limit": 10})
        }
        Operation::PutConfigurationRecorder | Operation::DescribeConfigurationRecorders | Operation::DescribeConfigurationRecorderStatus | Operation::StartConfigurationRecorder | Operation::StopConfigurationRecorder | Operation::DeleteConfigurationRecorder | Operation::PutDeliveryChannel | Operation::DescribeDeliveryChannels | Operation::DeleteDeliveryChannel => common::account_setup_body(op),
        Operation::StartConfigRulesEvaluation => json!({"ConfigRuleNames": ["r"]}),
        Operation::DeleteEvaluationResults => json!({"ConfigRuleName": "r"}),
    }
}

/// One constraint of one member, found by walking the service model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Constrained {
    member: String,
    kind: ConstraintKind,
    /// The shape of the member (to build a value that breaks the constraint).
    shape: String,
}

fn walk(model: &ServiceModel, shape: &str, at: &str, out: &mut Vec<Constrained>, depth: usize) {
    assert!(depth < 12, "the input shapes are not recursive: {at}");
    fn add(out: &mut Vec<Constrained>, member: &str, kind: ConstraintKind, shape: &str) {
        out.push(Constrained { member: member.to_owned(), kind, shape: shape.to_owned() })
    }
    match model.shape(shape) {
        Shape::Structure { members, required } => {
            for (name, target) in members {
                let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
                if required.contains(name) {
                    add(out, &path, ConstraintKind::Required, target);
                }
                walk(model, target, &path, out, depth + 1);
            }
        }
        Shape::List { member, min, max } => {
            if min.is_some_and(|m| m > 0) || max.is_some() {
                add(out, at, ConstraintKind::Length, shape);
            }
            walk(model, member, &format!("{at}[]"), out, depth + 1);
        }
        Shape::Map { key, value, min, max } => {
            if min.is_some_and(|m| m > 0) || max.is_some() {
                add(out, at, ConstraintKind::Length, shape);
            }
            walk(model, key, &format!("{at}{{key}}"), out, depth + 1);
            walk(model, value, &format!("{at}{{value}}"), out, depth + 1);
        }
        Shape::String { min, max, pattern, enumeration } => {
            if min.is_some_and(|m| m > 0) || max.is_some() {
                add(out, at, ConstraintKind::Length, shape);
            }
            if pattern.is_some() {
                add(out, at, ConstraintKind::Pattern, shape);
            }
            if enumeration.is_some() {
                add(out, at, ConstraintKind::Enum, shape);
            }
        }
        Shape::Integer { min, max, .. } | Shape::Long { min, max, .. } => {
            if min.is_some() || max.is_some() {
                add(out, at, ConstraintKind::Range, shape);
            }
        }
        Shape::Boolean | Shape::Timestamp => {}
    }
}

/// Every constraint of every input member of `op`.
fn constrained_members(op: Operation) -> Vec<Constrained> {
    let mut out = Vec::new();
    walk(ServiceModel::get(), &op.input_shape(), "", &mut out, 0);
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Seg<'a> {
    Member(&'a str),
    Item,
    Key,
    Value,
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let end = part.find(['[', '{']).unwrap_or(part.len());
        out.push(Seg::Member(&part[..end]));
        let mut rest = &part[end..];
        while !rest.is_empty() {
            let (seg, r) = if let Some(r) = rest.strip_prefix("[]") {
                (Seg::Item, r)
            } else if let Some(r) = rest.strip_prefix("{key}") {
                (Seg::Key, r)
            } else if let Some(r) = rest.strip_prefix("{value}") {
                (Seg::Value, r)
            } else {
                panic!("bad path {path}")
            };
            out.push(seg);
            rest = r;
        }
    }
    out
}

/// What to do at the end of a path.
enum Edit {
    /// Replace the value (for `{key}`: rename the map's first key to this string).
    Set(Value),
    Remove,
    /// Replace the value by `f(current value)`.
    With(Box<dyn Fn(&Value) -> Value>),
}

/// Applies `edit` at `path` (first item of every list, first entry of every map).
fn edit_at(body: &mut Value, path: &str, edit: Edit) {
    let segs = segments(path);
    let mut node = body;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            Seg::Member(name) => {
                let object = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not an object at {name}"));
                if last {
                    match edit {
                        Edit::Set(v) => {
                            object.insert(name.to_owned(), v);
                        }
                        Edit::Remove => {
                            object.remove(name);
                        }
                        Edit::With(f) => {
                            let current = object.get(name).unwrap_or_else(|| panic!("{path}: no {name} in the base body"));
                            let v = f(current);
                            object.insert(name.to_owned(), v);
                        }
                    }
                    return;
                }
                node = object.get_mut(name).unwrap_or_else(|| panic!("{path}: no {name} in the base body"));
            }
            Seg::Item => {
                let list = node.as_array_mut().unwrap_or_else(|| panic!("{path}: not a list"));
                let first = list.first_mut().unwrap_or_else(|| panic!("{path}: an empty list in the base body"));
                if last {
                    match edit {
                        Edit::Set(v) => *first = v,
                        Edit::Remove => *first = Value::Null,
                        Edit::With(f) => *first = f(first),
                    }
                    return;
                }
                node = first;
            }
            Seg::Key => {
                let map = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not a map"));
                let (k, v) = map.iter().next().map(|(k, v)| (k.clone(), v.clone())).unwrap_or_else(|| panic!("{path}: an empty map"));
                let new_key = match edit {
                    Edit::Set(Value::String(s)) => s,
                    Edit::With(f) => f(&Value::String(k.clone())).as_str().unwrap_or_default().to_owned(),
                    _ => panic!("{path}: a map key can only be renamed"),
                };
                map.remove(&k);
                map.insert(new_key, v);
                return;
            }
            Seg::Value => {
                let map = node.as_object_mut().unwrap_or_else(|| panic!("{path}: not a map"));
                let first = map.values_mut().next().unwrap_or_else(|| panic!("{path}: an empty map"));
                if last {
                    match edit {
                        Edit::Set(v) => *first = v,
                        Edit::Remove => *first = Value::Null,
                        Edit::With(f) => *first = f(first),
                    }
                    return;
                }
                node = first;
            }
        }
    }
}

/// An edit that breaks exactly this constraint of the member's shape.
fn breaking_edit(c: &Constrained) -> Edit {
    let model = ServiceModel::get();
    match (c.kind, model.shape(&c.shape)) {
        (ConstraintKind::Required, _) => Edit::Remove,
        (ConstraintKind::Length, Shape::String { min, max, .. }) => match (min, max) {
            (_, Some(max)) => Edit::Set(Value::String("x".repeat(*max as usize + 1))),
            (Some(_), None) => Edit::Set(Value::String(String::new())),
            _ => unreachable!("{c:?}"),
        },
        (ConstraintKind::Length, Shape::List { max, .. }) => match max {
            Some(max) => {
                let n = *max as usize + 1;
                Edit::With(Box::new(move |current: &Value| {
                    let item = current.as_array().and_then(|a| a.first()).cloned().unwrap_or(Value::Null);
                    Value::Array(vec![item; n])
                }))
            }
            None => Edit::Set(json!([])),
        },
        (ConstraintKind::Length, Shape::Map { max, .. }) => match max {
            Some(max) => {
                let n = *max as usize + 1;
                Edit::With(Box::new(move |current: &Value| {
                    let value = current.as_object().and_then(|m| m.values().next()).cloned().unwrap_or(Value::Null);
                    Value::Object((1..=n).map(|i| (format!("P{i}"), value.clone())).collect::<Map<String, Value>>())
                }))
            }
            None => Edit::Set(json!({})),
        },
        // A blank value of a valid length: only the pattern is broken. Guard runtimes are
        // not blank-checked, so any other text breaks theirs.
        (ConstraintKind::Pattern, _) => Edit::Set(Value::String(if c.member.ends_with("PolicyRuntime") { "guard-1".into() } else { "   ".into() })),
        (ConstraintKind::Enum, _) => Edit::Set(json!("NOT_AN_ENUM_VALUE")),
        (ConstraintKind::Range, Shape::Integer { max: Some(max), .. } | Shape::Long { max: Some(max), .. }) => Edit::Set(json!(max + 1)),
        (ConstraintKind::Range, Shape::Integer { min: Some(min), .. } | Shape::Long { min: Some(min), .. }) => Edit::Set(json!(min - 1)),
        other => panic!("no edit breaks {c:?}: {other:?}"),
    }
}

/// The rule the pipeline names for a refused request of `op` when no member's rule applies
/// (found by sending a body that is not a JSON object).
fn fallback(op: Operation) -> RuleId {
    let outcome = handle_value(&mut World::reference(T0), op, &json!([]));
    assert_eq!(outcome.preferred().reply.error_code(), Some(ErrorCode::SerializationException));
    assert_eq!(outcome.clauses.len(), 1, "{op}: {:?}", outcome.clauses);
    outcome.clauses[0]
}

fn clauses_of(op: Operation, body: &Value) -> Vec<RuleId> {
    let mut world = World::reference(T0);
    let outcome = handle_value(&mut world, op, body);
    let code = outcome.preferred().reply.error_code();
    assert!(
        matches!(code, Some(ErrorCode::ValidationException | ErrorCode::SerializationException)),
        "{op}: {body} was not refused by validation but answered {code:?}"
    );
    assert_eq!(world, World::reference(T0), "{op}: a refused request changed the world");
    outcome.clauses
}

#[test]
fn every_constraint_of_every_input_member_is_attributed_to_its_rule() {
    let mut checked = 0;
    let mut used: BTreeSet<(Operation, &str)> = BTreeSet::new();
    for op in Operation::ALL {
        assert!(reference_model::validate::validate_request(*op, &base(*op)).is_ok(), "{op}: the base body is not valid");
        for c in constrained_members(*op) {
            let entry = MEMBER_RULES
                .iter()
                .find(|m| m.op == *op && m.member == c.member && m.kind.is_none_or(|k| k == c.kind))
                .unwrap_or_else(|| panic!("{op} {} ({:?}) has no entry in clauses::MEMBER_RULES", c.member, c.kind));
            used.insert((*op, entry.member));
            let mut body = base(*op);
            edit_at(&mut body, &c.member, breaking_edit(&c));
            let found = violations(*op, &body);
            assert!(!found.is_empty(), "{op} {} {:?}: the edit broke nothing: {body}", c.member, c.kind);
            // Only this member, and this kind (a Guard runtime over 64 characters cannot match
            // its pattern either: both kinds are one member's, with one rule).
            for v in &found {
                assert_eq!(v.member, c.member, "{op}: the edit broke another member: {v:?}");
            }
            assert!(found.iter().any(|v| v.kind == c.kind), "{op} {}: no {:?} violation in {found:?}", c.member, c.kind);
            let expected = match entry.rule {
                MemberRule::Stated(id) => id,
                MemberRule::Fallback(_) => fallback(*op),
            };
            let mut expected = vec![expected];
            // A ResultToken left out in test mode is refused all the same, which R-PE-05 states.
            if *op == Operation::PutEvaluations && c.member == "ResultToken" && body.get("TestMode") == Some(&Value::Bool(true)) {
                expected.push(reference_model::rule!("R-PE-05"));
            }
            assert_eq!(clauses_of(*op, &body), expected, "{op} {} {:?}", c.member, c.kind);
            checked += 1;
        }
    }
    let stale: Vec<String> = MEMBER_RULES
        .iter()
        .filter(|m| !used.contains(&(m.op, m.member)))
        .map(|m| format!("{} {}", m.op, m.member))
        .collect();
    assert!(stale.is_empty(), "entries for members without a constraint: {stale:?}");
    // 137 constraints of 96 members in botocore 1.44.8; a newer model may add some.
    assert!(checked >= 137, "only {checked} constraints found: the walk lost its way");
}

#[test]
fn the_nine_operations_keep_their_fallback_rules() {
    let expected = [
        (Operation::PutRemediationConfigurations, "R-PRC-11"),
        (Operation::DescribeRemediationConfigurations, "R-DRC-02"),
        (Operation::DeleteRemediationConfiguration, "R-DelRC-01"),
        (Operation::PutRemediationExceptions, "R-PRE-07"),
        (Operation::DescribeRemediationExceptions, "R-DRE-07"),
        (Operation::DeleteRemediationExceptions, "R-DelRE-04"),
        (Operation::StartRemediationExecution, "R-SRE-03"),
        (Operation::DescribeRemediationExecutionStatus, "R-DRES-05"),
        (Operation::PutEvaluations, "R-PE-02"),
    ];
    for (op, rule) in expected {
        assert_eq!(fallback(op), rule, "{op}");
    }
}

fn keys(n: usize) -> Value {
    Value::Array((1..=n).map(|i| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": format!("b{i}")})).collect())
}

fn exec_keys(n: usize) -> Value {
    Value::Array((1..=n).map(|i| json!({"resourceType": "AWS::S3::Bucket", "resourceId": format!("b{i}")})).collect())
}

fn evaluation(extra: Value) -> Value {
    let mut e = json!({"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b",
        "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1_767_225_600});
    e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    e
}

fn configuration(extra: Value) -> Value {
    let mut c = json!({"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"});
    c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    json!({"RemediationConfigurations": [c]})
}

/// The attributions the catalogue exists for, one request each, written out.
#[rstest]
// PutRemediationConfigurations
#[case::prc_26_configurations(Operation::PutRemediationConfigurations,
    json!({"RemediationConfigurations": vec![configuration(json!({}))["RemediationConfigurations"][0].clone(); 26]}), &["R-PRC-11"])]
#[case::prc_target_type_enum(Operation::PutRemediationConfigurations, configuration(json!({"TargetType": "LAMBDA"})), &["R-RC-01"])]
#[case::prc_target_id_falls_back(Operation::PutRemediationConfigurations, configuration(json!({"TargetId": ""})), &["R-PRC-11"])]
#[case::prc_resource_value_enum(Operation::PutRemediationConfigurations,
    configuration(json!({"Parameters": {"P": {"ResourceValue": {"Value": "ARN"}}}})), &["R-RC-11"])]
#[case::prc_static_value_item(Operation::PutRemediationConfigurations,
    configuration(json!({"Parameters": {"P": {"StaticValue": {"Values": [""]}}}})), &["R-RC-12"])]
#[case::prc_static_values_required(Operation::PutRemediationConfigurations,
    configuration(json!({"Parameters": {"P": {"StaticValue": {}}}})), &["R-RC-12"])]
#[case::prc_null_parameter_value_falls_back(Operation::PutRemediationConfigurations,
    configuration(json!({"Parameters": {"P": null}})), &["R-PRC-11"])]
#[case::prc_concurrency_101(Operation::PutRemediationConfigurations,
    configuration(json!({"ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 101}}})), &["R-RC-07"])]
#[case::prc_error_percentage_0(Operation::PutRemediationConfigurations,
    configuration(json!({"ExecutionControls": {"SsmControls": {"ErrorPercentage": 0}}})), &["R-RC-08"])]
#[case::prc_attempts_26(Operation::PutRemediationConfigurations, configuration(json!({"MaximumAutomaticAttempts": 26})), &["R-RC-05"])]
#[case::prc_retry_seconds_0(Operation::PutRemediationConfigurations, configuration(json!({"RetryAttemptSeconds": 0})), &["R-RC-06"])]
#[case::prc_arn_empty(Operation::PutRemediationConfigurations, configuration(json!({"Arn": ""})), &["R-RC-13"])]
#[case::prc_two_members_two_rules(Operation::PutRemediationConfigurations,
    configuration(json!({"MaximumAutomaticAttempts": 0, "RetryAttemptSeconds": 2_678_001})), &["R-RC-05", "R-RC-06"])]
// DescribeRemediationConfigurations, DeleteRemediationConfiguration
#[case::drc_26_names(Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": vec!["r"; 26]}), &["R-DRC-02"])]
#[case::drc_blank_name(Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": ["  "]}), &["R-DRC-02"])]
#[case::delrc_blank_name_falls_back(Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "  "}), &["R-DelRC-01"])]
// PutRemediationExceptions
#[case::pre_101_keys(Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": keys(101)}), &["R-PRE-07"])]
#[case::pre_null_key_item(Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [null]}), &["R-PRE-07"])]
#[case::pre_key_id_1025(Operation::PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "AWS::S3::Bucket", "ResourceId": "x".repeat(1025)}]}), &["M-01"])]
#[case::pre_message_1025(Operation::PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": keys(1), "Message": "m".repeat(1025)}), &["R-PRE-08"])]
#[case::pre_blank_name_falls_back(Operation::PutRemediationExceptions, json!({"ConfigRuleName": " ", "ResourceKeys": keys(1)}), &["R-PRE-07"])]
#[case::pre_in_declaration_order(Operation::PutRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": keys(101), "Message": ""}), &["R-PRE-07", "R-PRE-08"])]
#[case::pre_wrong_type_falls_back(Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "Message": 5}), &["R-PRE-07"])]
// DescribeRemediationExceptions, DeleteRemediationExceptions
#[case::dre_name_required(Operation::DescribeRemediationExceptions, json!({}), &["R-DRE-07"])]
#[case::dre_limit_101(Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 101}), &["R-DRE-04"])]
#[case::dre_0_keys(Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": []}), &["R-DRE-07"])]
#[case::delre_0_keys(Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": []}), &["R-DelRE-04"])]
#[case::delre_key_type_257(Operation::DeleteRemediationExceptions,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": "t".repeat(257)}]}), &["M-01"])]
// StartRemediationExecution, DescribeRemediationExecutionStatus
#[case::sre_101_keys(Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": exec_keys(101)}), &["R-SRE-03"])]
#[case::sre_resource_type_enum(Operation::StartRemediationExecution,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": "AWS::Nope::Thing", "resourceId": "b"}]}), &["R-SRE-03"])]
#[case::sre_blank_name_falls_back(Operation::StartRemediationExecution, json!({"ConfigRuleName": " ", "ResourceKeys": exec_keys(1)}), &["R-SRE-03"])]
#[case::dres_limit_negative(Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "Limit": -1}), &["R-DRES-03"])]
#[case::dres_101_keys(Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "ResourceKeys": exec_keys(101)}), &["R-DRES-05"])]
#[case::dres_key_id_empty(Operation::DescribeRemediationExecutionStatus,
    json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": "AWS::S3::Bucket", "resourceId": ""}]}), &["M-01"])]
// PutEvaluations
#[case::pe_101_evaluations(Operation::PutEvaluations,
    json!({"Evaluations": vec![evaluation(json!({})); 101], "ResultToken": "t"}), &["R-PE-02"])]
#[case::pe_compliance_type_enum(Operation::PutEvaluations,
    json!({"Evaluations": [evaluation(json!({"ComplianceType": "ERROR"}))], "ResultToken": "t"}), &["R-PE-06"])]
#[case::pe_annotation_257(Operation::PutEvaluations,
    json!({"Evaluations": [evaluation(json!({"Annotation": "a".repeat(257)}))], "ResultToken": "t"}), &["R-PE-08"])]
#[case::pe_resource_id_769(Operation::PutEvaluations,
    json!({"Evaluations": [evaluation(json!({"ComplianceResourceId": "b".repeat(769)}))], "ResultToken": "t"}), &["R-PE-09"])]
#[case::pe_ordering_timestamp_required(Operation::PutEvaluations,
    json!({"Evaluations": [{"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": "b", "ComplianceType": "COMPLIANT"}], "ResultToken": "t"}),
    &["R-PE-07"])]
#[case::pe_result_token_required(Operation::PutEvaluations, json!({"Evaluations": []}), &["R-PE-03"])]
#[case::pe_result_token_required_in_test_mode(Operation::PutEvaluations, json!({"Evaluations": [], "TestMode": true}), &["R-PE-03", "R-PE-05"])]
#[case::pe_two_members_two_rules(Operation::PutEvaluations,
    json!({"Evaluations": [evaluation(json!({"ComplianceType": "ERROR", "Annotation": ""}))], "ResultToken": "t"}), &["R-PE-06", "R-PE-08"])]
#[case::pe_wrong_type_falls_back(Operation::PutEvaluations, json!({"Evaluations": "x", "ResultToken": "t"}), &["R-PE-02"])]
// PutConfigRule: one member, two rules by the kind of constraint
#[case::pcr_owner_required(Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {}}}), &["R-PCR-27"])]
#[case::pcr_owner_enum(Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "ME"}}}), &["R-PCR-02"])]
fn a_refusal_names_the_rule_of_each_violated_member(#[case] op: Operation, #[case] body: Value, #[case] expected: &[&str]) {
    assert_eq!(clauses_of(op, &body), expected, "{op}: {body}");
}
