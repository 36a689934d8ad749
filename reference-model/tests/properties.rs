//! Property tests: no input panics the model, and arbitrary sequences of requests, control
//! actions and clock moves keep the model's invariants (no lost exception, no exception for a
//! resource that was not NON_COMPLIANT, Arns stable, execution states only move forward, the
//! clock never goes back, every alternative world is a real, different state).

mod common;

use common::{BUCKET, ROLE, T0};
use proptest::prelude::*;
use proptest::sample::Index;
use reference_model::service_model::{ServiceModel, Shape};
use reference_model::validate::validate_request;
use reference_model::invariants::{self, Cause, Invariants};
use reference_model::steps::{self, Depth, Pools, Step};
use reference_model::{handle, handle_value, ComplianceType, Control, ErrorCode, Millis, Operation, Outcome, Reply, Timestamp, World};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// 256 cases by default, so the suite stays fast; `PROPTEST_CASES` asks for a deeper search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ------------------------------------------------------------------ a world with something in it

/// Rule `r` (manual configuration; `b0..b3` NON_COMPLIANT, `c` COMPLIANT; an exception on `b1`;
/// `b0` running), rule `linked` (service-linked, with a configuration), and a ResultToken for `r`.
fn prepared() -> &'static (World, String) {
    static PREPARED: OnceLock<(World, String)> = OnceLock::new();
    PREPARED.get_or_init(|| {
        let mut w = World::reference(T0);
        for rule in ["r", "linked"] {
            let body = json!({"ConfigRule": {"ConfigRuleName": rule, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
            assert_eq!(handle_value(&mut w, Operation::PutConfigRule, &body).preferred().reply, Reply::Success(Value::Null));
        }
        for (id, c) in [("b0", ComplianceType::NonCompliant), ("b1", ComplianceType::NonCompliant), ("b2", ComplianceType::NonCompliant), ("b3", ComplianceType::NonCompliant), ("c", ComplianceType::Compliant)] {
            w.control(&Control::SetCompliance { rule: "r".into(), resource_type: BUCKET.into(), resource_id: id.into(), compliance: c, annotation: None }, T0);
        }
        let configs = json!({"RemediationConfigurations": [
            {"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"},
            {"ConfigRuleName": "linked", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"}
        ]});
        assert_eq!(handle_value(&mut w, Operation::PutRemediationConfigurations, &configs).preferred().reply.error_code(), None);
        w.control(&Control::MarkServiceLinked { rule: "linked".into(), service: "securityhub.amazonaws.com".into() }, T0);
        let exc = json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": BUCKET, "ResourceId": "b1"}]});
        assert_eq!(handle_value(&mut w, Operation::PutRemediationExceptions, &exc).preferred().reply.error_code(), None);
        let start = json!({"ConfigRuleName": "r", "ResourceKeys": [{"resourceType": BUCKET, "resourceId": "b0"}]});
        assert_eq!(handle_value(&mut w, Operation::StartRemediationExecution, &start).preferred().reply.error_code(), None);
        let token = w.control(&Control::IssueResultToken { rule: "r".into() }, T0).result_token.unwrap();
        (w, token)
    })
}

/// A valid request of every operation, against the prepared world.
fn valid_bodies(token: &str) -> Vec<(Operation, Value)> {
    let ek = json!({"ResourceType": BUCKET, "ResourceId": "b2"});
    let xk = json!({"resourceType": BUCKET, "resourceId": "b2"});
    vec![
        (Operation::PutRemediationConfigurations, json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc",
            "Automatic": true, "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": [ROLE]}}, "Id": {"ResourceValue": {"Value": "RESOURCE_ID"}}},
            "MaximumAutomaticAttempts": 2, "RetryAttemptSeconds": 30, "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 50, "ErrorPercentage": 40}}}]})),
        (Operation::DescribeRemediationConfigurations, json!({"ConfigRuleNames": ["r", "linked"]})),
        (Operation::DeleteRemediationConfiguration, json!({"ConfigRuleName": "r"})),
        (Operation::PutRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [ek, {"ResourceType": BUCKET, "ResourceId": "c"}], "Message": "m", "ExpirationTime": 1_767_225_660})),
        (Operation::DescribeRemediationExceptions, json!({"ConfigRuleName": "r", "Limit": 1})),
        (Operation::DeleteRemediationExceptions, json!({"ConfigRuleName": "r", "ResourceKeys": [{"ResourceType": BUCKET, "ResourceId": "b1"}, ek]})),
        (Operation::StartRemediationExecution, json!({"ConfigRuleName": "r", "ResourceKeys": [xk, {"resourceType": BUCKET, "resourceId": "b0"}, {"resourceType": BUCKET, "resourceId": "new"}]})),
        (Operation::DescribeRemediationExecutionStatus, json!({"ConfigRuleName": "r", "ResourceKeys": [xk], "Limit": 1})),
        (Operation::PutEvaluations, json!({"Evaluations": [{"ComplianceResourceType": BUCKET, "ComplianceResourceId": "b9", "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": 1_767_225_600}], "ResultToken": token})),
        (Operation::PutConfigRule, json!({"ConfigRule": {"ConfigRuleName": "n", "Source": {"Owner": "CUSTOM_POLICY", "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": ""}}}, "Tags": [{"Key": "k"}]})),
        (Operation::DeleteConfigRule, json!({"ConfigRuleName": "r"})),
        (Operation::DescribeConfigRules, json!({"ConfigRuleNames": ["r"], "Filters": {"EvaluationMode": "DETECTIVE"}})),
        (Operation::GetComplianceDetailsByConfigRule, json!({"ConfigRuleName": "r", "ComplianceTypes": ["NON_COMPLIANT"], "Limit": 2})),
        (Operation::DescribeComplianceByConfigRule, json!({"ConfigRuleNames": ["r"], "ComplianceTypes": ["NON_COMPLIANT"]})),
        (Operation::DescribeComplianceByResource, json!({"ResourceType": BUCKET, "Limit": 1})),
        (Operation::PutConfigurationRecorder, json!({"ConfigurationRecorder": {"name": "default", "roleARN": ROLE, "recordingGroup": {"allSupported": true}}})),
        (Operation::DescribeConfigurationRecorders, json!({"ConfigurationRecorderNames": ["default"]})),
        (Operation::DescribeConfigurationRecorderStatus, json!({})),
        (Operation::StartConfigurationRecorder, json!({"ConfigurationRecorderName": "default"})),
        (Operation::StopConfigurationRecorder, json!({"ConfigurationRecorderName": "default"})),
        (Operation::DeleteConfigurationRecorder, json!({"ConfigurationRecorderName": "default"})),
        (Operation::PutDeliveryChannel, json!({"DeliveryChannel": {"s3BucketName": "b"}})),
        (Operation::DescribeDeliveryChannels, json!({})),
        (Operation::DeleteDeliveryChannel, json!({"DeliveryChannelName": "default"})),
        (Operation::StartConfigRulesEvaluation, json!({"ConfigRuleNames": ["r", "linked"]})),
        (Operation::DeleteEvaluationResults, json!({"ConfigRuleName": "r"})),
    ]
}

// ------------------------------------------------------------------ arbitrary JSON

fn member_names() -> Vec<String> {
    let mut names: Vec<String> = ServiceModel::get()
        .shapes
        .values()
        .flat_map(|s| match s {
            Shape::Structure { members, .. } => members.iter().map(|(m, _)| m.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn interesting_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "r", "b0", "b1", "c", "linked", "", " ", "\n", "AWS::S3::Bucket", "SSM_DOCUMENT", "RESOURCE_ID", "NON_COMPLIANT", "COMPLIANT",
            "NOT_APPLICABLE", "INSUFFICIENT_DATA", "AutomationAssumeRole", "guard-2.x.x", "AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY", "DETECTIVE",
            "ScheduledNotification", "One_Hour", "😀",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,12}",
        (0usize..300).prop_map(|n| "a".repeat(n)),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-3i64..130).prop_map(Value::from),
        (1_767_225_500i64..1_767_226_000).prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        interesting_string().prop_map(Value::String),
    ];
    let keys = prop_oneof![3 => prop::sample::select(member_names()), 1 => "[a-zA-Z]{1,6}"];
    leaf.prop_recursive(5, 80, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn arb_op() -> impl Strategy<Value = Operation> {
    prop::sample::select(Operation::ALL.to_vec())
}

/// Where a mutation lands: a path of member names and list indices.
#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Item(usize),
}

fn paths(v: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(PathStep::Key(k.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(PathStep::Item(i));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Replace(Value),
    Remove,
    Duplicate(usize),
    Null,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => arb_json().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => (1usize..120).prop_map(Mutation::Duplicate),
        1 => Just(Mutation::Null),
    ]
}

fn mutate(body: &mut Value, at: Index, m: &Mutation) {
    let mut all = Vec::new();
    paths(body, &mut Vec::new(), &mut all);
    let path = at.get(&all).clone();
    let Some((last, parent_path)) = path.split_last() else {
        if let Mutation::Replace(v) = m {
            *body = v.clone();
        }
        return;
    };
    let mut parent = &mut *body;
    for step in parent_path {
        parent = match step {
            PathStep::Key(k) => parent.get_mut(k.as_str()).unwrap(),
            PathStep::Item(i) => parent.get_mut(*i).unwrap(),
        };
    }
    match (parent, last, m) {
        (Value::Object(o), PathStep::Key(k), Mutation::Remove) => {
            o.remove(k);
        }
        (Value::Array(a), PathStep::Item(i), Mutation::Remove) => {
            a.remove(*i);
        }
        (Value::Array(a), PathStep::Item(i), Mutation::Duplicate(n)) => {
            let item = a[*i].clone();
            a.extend(std::iter::repeat_n(item, *n));
        }
        (parent, last, m) => {
            let slot = match last {
                PathStep::Key(k) => parent.get_mut(k.as_str()).unwrap(),
                PathStep::Item(i) => parent.get_mut(*i).unwrap(),
            };
            *slot = match m {
                Mutation::Replace(v) => v.clone(),
                Mutation::Null | Mutation::Remove => Value::Null,
                Mutation::Duplicate(n) => Value::String("x".repeat(*n * 10)),
            };
        }
    }
}

/// The pipeline on one body: never empty, consistent with the validator, and a refused
/// request changes nothing.
fn check_body(op: Operation, body: &Value) -> Result<(), TestCaseError> {
    let (prepared, _) = prepared();
    let mut w = prepared.clone();
    let outcome = handle_value(&mut w, op, body);
    prop_assert!(!outcome.alternatives.is_empty());
    match validate_request(op, body) {
        Err(e) => {
            prop_assert!(matches!(e.code, ErrorCode::ValidationException | ErrorCode::SerializationException));
            prop_assert_eq!(&outcome.preferred().reply, &Reply::Failure(e));
            prop_assert_eq!(outcome.alternatives.len(), 1);
            prop_assert!(&w == prepared, "a refused request changed the world");
        }
        Ok(()) => {
            let code = outcome.preferred().reply.error_code();
            prop_assert!(!matches!(code, Some(ErrorCode::ValidationException | ErrorCode::SerializationException)), "{:?}", code);
        }
    }
    check_alternatives(&outcome, &w)?;
    // The same body as bytes, later on the clock.
    let mut w2 = prepared.clone();
    let outcome = handle(&mut w2, op, body.to_string().as_bytes(), T0 + Millis(5_000));
    prop_assert!(!outcome.alternatives.is_empty());
    prop_assert_eq!(w2.now(), T0 + Millis(5_000));
    Ok(())
}

/// The shared checker's view of an outcome's alternatives ([`invariants::check_alternatives`]).
fn check_alternatives(outcome: &Outcome, preferred_world: &World) -> Result<(), TestCaseError> {
    invariants::check_alternatives(outcome, preferred_world).map_err(|v| TestCaseError::fail(v.to_string()))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_json_bodies_never_panic(op in arb_op(), body in arb_json()) {
        check_body(op, &body)?;
    }

    #[test]
    fn arbitrary_objects_of_model_members_never_panic(op in arb_op(), members in prop::collection::vec((prop::sample::select(member_names()), arb_json()), 0..6)) {
        let body = Value::Object(members.into_iter().collect());
        check_body(op, &body)?;
    }

    #[test]
    fn mutated_valid_bodies_never_panic(which in any::<Index>(), mutations in prop::collection::vec((any::<Index>(), mutation()), 1..4)) {
        let (_, token) = prepared();
        let bodies = valid_bodies(token);
        let (op, mut body) = which.get(&bodies).clone();
        for (at, m) in &mutations {
            mutate(&mut body, *at, m);
        }
        check_body(op, &body)?;
    }

    #[test]
    fn random_bytes_never_panic(op in arb_op(), bytes in prop::collection::vec(any::<u8>(), 0..256), dt in -10_000i64..10_000) {
        let (prepared, _) = prepared();
        let mut w = prepared.clone();
        let outcome = handle(&mut w, op, &bytes, T0 + Millis(dt));
        prop_assert!(!outcome.alternatives.is_empty());
        prop_assert!(w.now() >= T0);
    }
}

#[test]
fn every_valid_body_is_valid() {
    let (prepared, token) = prepared();
    let bodies = valid_bodies(token);
    assert_eq!(bodies.len(), Operation::ALL.len());
    for (op, body) in bodies {
        assert_eq!(validate_request(op, &body), Ok(()), "{op}");
        let mut w = prepared.clone();
        let outcome = handle_value(&mut w, op, &body);
        assert!(!outcome.alternatives.is_empty());
    }
}

// ------------------------------------------------------------------ sequences and invariants

const RULES: [&str; 3] = ["r0", "r1", "r2"];
const RESOURCES: [&str; 4] = ["b0", "b1", "b2", "b3"];
const POOLS: Pools = Pools { rules: &RULES, resources: &RESOURCES, resource_type: BUCKET, role: ROLE };

/// The shared step vocabulary ([`reference_model::steps::Step`], also the model_sequence fuzz
/// target's), drawn with this test's ranges and weights: valid values mostly, so that
/// exceptions, executions and their interplay come up often.
fn action() -> impl Strategy<Value = Step> {
    let rule = 0..RULES.len() as u8;
    let res = 0..RESOURCES.len() as u8;
    let resources = prop::collection::vec(0..RESOURCES.len() as u8, 1..4);
    // Indices into the steps' compliance list: COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA.
    let compliance = prop::sample::select(vec![1u8, 1, 1, 0, 2, 3]);
    prop_oneof![
        3 => rule.clone().prop_map(Step::PutRule),
        1 => rule.clone().prop_map(Step::DeleteRule),
        6 => (rule.clone(), res.clone(), compliance).prop_map(|(rule, resource, compliance)| Step::SetCompliance { rule, resource, compliance }),
        3 => (rule.clone(), res.clone(), 0u8..4, any::<bool>(), 0u8..5, prop::bool::weighted(0.9))
            .prop_map(|(rule, resource, compliance, test_mode, ordering, valid_token)| Step::Evaluate { rule, resource, compliance, test_mode: test_mode && ordering == 0, valid_token, ordering }),
        4 => (rule.clone(), any::<bool>(), prop::option::of(1u8..4), prop::option::of(1u16..20), prop::option::of(1u8..101), prop::option::of(1u8..101), prop::bool::weighted(0.1))
            .prop_map(|(rule, automatic, attempts, window, concurrency, errors, ambiguous)| Step::PutConfiguration { rule, automatic, attempts, window, concurrency, errors, controls: true, ambiguous }),
        1 => rule.clone().prop_map(Step::DeleteConfiguration),
        4 => (rule.clone(), resources.clone(), prop::option::of(-5i32..30)).prop_map(|(rule, resources, expires_in)| Step::PutExceptions { rule, resources, message: true, expires_in }),
        2 => (rule.clone(), resources.clone()).prop_map(|(rule, resources)| Step::DeleteExceptions { rule, resources }),
        1 => (rule.clone(), 0u8..4, prop::option::of("[a-z0-9]{0,8}")).prop_map(|(rule, limit, token)| Step::DescribeExceptions { rule, limit, token }),
        3 => (rule.clone(), resources).prop_map(|(rule, resources)| Step::Start { rule, resources }),
        2 => (rule.clone(), res, prop::collection::vec(any::<bool>(), 1..6)).prop_map(|(rule, resource, fails)| Step::ScriptSsm { rule, resource, fails }),
        1 => any::<bool>().prop_map(|fail| Step::DefaultSsm { fail }),
        1 => rule.clone().prop_map(Step::MarkServiceLinked),
        6 => prop_oneof![
            (0u16..4_000).prop_map(|ms| Step::Advance { ms, minutes: None }),
            (4_000u16..40_000).prop_map(|ms| Step::Advance { ms, minutes: None }),
            Just(Step::Advance { ms: 0, minutes: Some(10) }),
        ],
        1 => (1u32..100_000).prop_map(Step::RequestInThePast),
        1 => (rule.clone(), prop::option::of(0u8..4)).prop_map(|(rule, limit)| Step::DescribeExecutions { rule, limit }),
        1 => (any::<u8>(), prop_oneof![Just(String::new()), Just(" ".to_owned()), "\\PC{0,12}"]).prop_map(|(op, text)| Step::Raw(op, text)),
    ]
}

/// Where every sequence starts: the three rules exist, every bucket is NON_COMPLIANT under `r0`
/// and `r1`, `r0` has a manual configuration and `r1` an automatic one (so that exceptions,
/// executions and their interplay come up often).
fn seeded() -> World {
    let mut w = World::reference(T0);
    for rule in RULES {
        let body = json!({"ConfigRule": {"ConfigRuleName": rule, "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}});
        handle_value(&mut w, Operation::PutConfigRule, &body);
    }
    for rule in &RULES[..2] {
        for id in RESOURCES {
            let c = Control::SetCompliance { rule: (*rule).into(), resource_type: BUCKET.into(), resource_id: id.into(), compliance: ComplianceType::NonCompliant, annotation: None };
            w.control(&c, T0);
        }
    }
    let configs = json!({"RemediationConfigurations": [
        {"ConfigRuleName": "r0", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"},
        {"ConfigRuleName": "r1", "TargetType": "SSM_DOCUMENT", "TargetId": "doc", "Automatic": true, "MaximumAutomaticAttempts": 3,
         "Parameters": {"AutomationAssumeRole": {"StaticValue": {"Values": [ROLE]}}}}
    ]});
    assert_eq!(handle_value(&mut w, Operation::PutRemediationConfigurations, &configs).preferred().reply.error_code(), None);
    w
}

/// A step as the steps it is observed in: a clock move of up to 40 s is watched every 500 ms.
fn observed_steps(a: &Step) -> Vec<Step> {
    match a {
        Step::Advance { ms, minutes: None } if *ms <= 40_000 => {
            let mut steps: Vec<Step> = (0..ms / 500).map(|_| Step::Advance { ms: 500, minutes: None }).collect();
            steps.push(Step::Advance { ms: ms % 500, minutes: None });
            steps
        }
        other => vec![other.clone()],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: config().cases * 3 / 4, ..config() })]

    #[test]
    fn sequences_keep_the_invariants(actions in prop::collection::vec(action(), 1..40)) {
        let mut w = seeded();
        let mut invariants = Invariants::new(&w);
        let mut tokens = Vec::new();
        for a in actions.iter().flat_map(observed_steps) {
            steps::run(&mut w, &mut invariants, &a, &POOLS, &mut tokens, Depth::Alternatives).map_err(|v| TestCaseError::fail(format!("{v} (step {a:?})")))?;
        }
        // The clock, finally: nothing is left running a day later, and the invariants still hold.
        w.advance_to(w.now() + Millis::seconds(86_400));
        invariants.check(&w, &Cause::Clock).map_err(|v| TestCaseError::fail(format!("{v} (a day later)")))?;
    }
}

#[test]
fn time_given_to_a_request_never_moves_the_clock_back() {
    let (prepared, _) = prepared();
    let mut w = prepared.clone();
    w.advance_to(T0 + Millis(10_000));
    let earlier: Timestamp = T0 + Millis(1_000);
    handle(&mut w, Operation::DescribeConfigRules, b"{}", earlier);
    assert_eq!(w.now(), T0 + Millis(10_000));
    w.control(&Control::SetDefaultSsm { outcome: reference_model::auto::SsmRun::Succeed }, earlier);
    assert_eq!(w.now(), T0 + Millis(10_000));
}
