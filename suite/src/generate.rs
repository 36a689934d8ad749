//! Model-driven generated request sequences, shrunk to the smallest failing one.
//!
//! A sequence is a list of [`GenStep`]s over small pools of names (three rules, four
//! resources), so that random steps meet each other: an exception lands on a resource a
//! previous step made NON_COMPLIANT, an execution on a configured rule. Steps mix valid
//! requests with requests that break exactly one limit or one rule ([`Breakage`]), weighted so
//! that every operation and every error path is reached.
//!
//! Every subsequence of a sequence is still a meaningful test (the model answers any request
//! in any state), so plain proptest `Vec` shrinking (dropping and simplifying steps) finds the
//! smallest failing sequence without state-machine preconditions. Each sequence becomes an
//! ordinary [`Scenario`] and is judged by the same runner; the shrunk failure is written out
//! as a scenario file that `replay` runs and that can be committed as a regression case.
//! With the target's expectation file ([`run_generated_with`]), a deviating sequence that a
//! `generated` entry lists (by operation, verdict and error code) is recorded and generation
//! goes on; the first unlisted one is shrunk and ends it.

use crate::expect::{DeviationPoint, ExpectationFile, NonStrictPolicy};
use crate::profile::Capability;
use crate::report::ScenarioResult;
use crate::runner::{run_scenario, RunSettings};
use crate::scenario::Scenario;
use crate::target::Target;
use crate::verdict::Verdict;
use reference_model::clauses::RuleId;
use proptest::prelude::*;
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const RULES: [&str; 3] = ["a", "b", "c"];
const RESOURCES: [&str; 4] = ["r1", "r2", "r3", "r4"];
const RESOURCE_TYPE: &str = "AWS::S3::Bucket";

/// One generated step, before it becomes JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum GenStep {
    PutRule { rule: usize },
    DeleteRule { rule: usize },
    SetCompliance { rule: usize, resource: usize, compliance: &'static str },
    PutEvaluations { rule: usize, resource: usize, compliance: &'static str, token: TokenKind },
    PutConfiguration { rule: usize, automatic: bool, attempts: Option<i32>, retry_seconds: Option<i64>, concurrency: Option<i32>, errors: Option<i32> },
    DescribeConfigurations { rules: Vec<usize> },
    DeleteConfiguration { rule: usize },
    PutExceptions { rule: usize, resources: Vec<usize>, message: bool, expires_in: Option<u32> },
    DescribeExceptions { rule: usize, resources: Option<Vec<usize>>, limit: u8, continue_paging: bool },
    DeleteExceptions { rule: usize, resources: Vec<usize> },
    StartExecution { rule: usize, resources: Vec<usize> },
    DescribeExecutions { rule: usize, resources: Option<Vec<usize>>, limit: u8 },
    ScriptSsm { rule: usize, resource: usize, failures: u8 },
    Advance { seconds: u32 },
    Invalid { breakage: Breakage, rule: usize },
}

/// How a ResultToken is chosen for PutEvaluations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Issued for the rule just before (needs the control capability).
    Valid,
    Bogus,
    TestMode,
}

/// One limit or rule broken on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakage {
    RuleNameTooLong,
    RuleNameBlank,
    RuleNameWithNewline,
    NoResourceKeys,
    TooManyExceptionKeys,
    TooManyExecutionKeys,
    ExecutionResourceIdTooLong,
    UnknownResourceType,
    MessageTooLong,
    LimitTooLarge,
    AttemptsOutOfRange,
    RetrySecondsOutOfRange,
    PercentageOutOfRange,
    UnknownTargetType,
    MissingTargetId,
    TooManyConfigurations,
    WrongMemberType,
    MalformedJson,
    InsufficientDataEvaluation,
    BothParameterValues,
    AutomaticWithoutRole,
}

const BREAKAGES: [Breakage; 21] = [
    Breakage::RuleNameTooLong,
    Breakage::RuleNameBlank,
    Breakage::RuleNameWithNewline,
    Breakage::NoResourceKeys,
    Breakage::TooManyExceptionKeys,
    Breakage::TooManyExecutionKeys,
    Breakage::ExecutionResourceIdTooLong,
    Breakage::UnknownResourceType,
    Breakage::MessageTooLong,
    Breakage::LimitTooLarge,
    Breakage::AttemptsOutOfRange,
    Breakage::RetrySecondsOutOfRange,
    Breakage::PercentageOutOfRange,
    Breakage::UnknownTargetType,
    Breakage::MissingTargetId,
    Breakage::TooManyConfigurations,
    Breakage::WrongMemberType,
    Breakage::MalformedJson,
    Breakage::InsufficientDataEvaluation,
    Breakage::BothParameterValues,
    Breakage::AutomaticWithoutRole,
];

fn rule() -> impl Strategy<Value = usize> {
    0..RULES.len()
}
fn resource() -> impl Strategy<Value = usize> {
    0..RESOURCES.len()
}
fn resources() -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..RESOURCES.len()).collect::<Vec<_>>(), 1..=RESOURCES.len())
}
fn compliance() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just("NON_COMPLIANT"), 2 => Just("COMPLIANT"), 1 => Just("NOT_APPLICABLE")]
}

/// The strategy of one step, for a target with these capabilities.
pub fn step_strategy(capabilities: &BTreeSet<Capability>) -> BoxedStrategy<GenStep> {
    let control = capabilities.contains(&Capability::Control);
    let clock = capabilities.contains(&Capability::VirtualClock);
    let mut arms: Vec<(u32, BoxedStrategy<GenStep>)> = vec![
        (4, rule().prop_map(|rule| GenStep::PutRule { rule }).boxed()),
        (1, rule().prop_map(|rule| GenStep::DeleteRule { rule }).boxed()),
        (
            4,
            (rule(), any::<bool>(), proptest::option::of(1..=6i32), proptest::option::of(1..=120i64), proptest::option::of(1..=100i32), proptest::option::of(1..=100i32))
                .prop_map(|(rule, automatic, attempts, retry_seconds, concurrency, errors)| GenStep::PutConfiguration {
                    rule,
                    automatic,
                    attempts,
                    retry_seconds,
                    concurrency,
                    errors,
                })
                .boxed(),
        ),
        (2, proptest::collection::vec(rule(), 1..=3).prop_map(|rules| GenStep::DescribeConfigurations { rules }).boxed()),
        (1, rule().prop_map(|rule| GenStep::DeleteConfiguration { rule }).boxed()),
        (
            4,
            (rule(), resources(), any::<bool>(), proptest::option::of(1..=120u32))
                .prop_map(|(rule, resources, message, expires_in)| GenStep::PutExceptions { rule, resources, message, expires_in })
                .boxed(),
        ),
        (
            3,
            (rule(), proptest::option::of(resources()), 0..=3u8, any::<bool>())
                .prop_map(|(rule, resources, limit, continue_paging)| GenStep::DescribeExceptions { rule, resources, limit, continue_paging })
                .boxed(),
        ),
        (2, (rule(), resources()).prop_map(|(rule, resources)| GenStep::DeleteExceptions { rule, resources }).boxed()),
        (3, (rule(), resources()).prop_map(|(rule, resources)| GenStep::StartExecution { rule, resources }).boxed()),
        (
            3,
            (rule(), proptest::option::of(resources()), 0..=3u8)
                .prop_map(|(rule, resources, limit)| GenStep::DescribeExecutions { rule, resources, limit })
                .boxed(),
        ),
        (
            2,
            (rule(), resource(), compliance(), prop_oneof![Just(TokenKind::Bogus), Just(TokenKind::TestMode)])
                .prop_map(|(rule, resource, compliance, token)| GenStep::PutEvaluations { rule, resource, compliance, token })
                .boxed(),
        ),
        (5, (rule(), proptest::sample::select(BREAKAGES.to_vec())).prop_map(|(rule, breakage)| GenStep::Invalid { breakage, rule }).boxed()),
    ];
    if control {
        arms.push((
            6,
            (rule(), resource(), compliance())
                .prop_map(|(rule, resource, compliance)| GenStep::SetCompliance { rule, resource, compliance })
                .boxed(),
        ));
        arms.push((
            3,
            (rule(), resource(), compliance())
                .prop_map(|(rule, resource, compliance)| GenStep::PutEvaluations { rule, resource, compliance, token: TokenKind::Valid })
                .boxed(),
        ));
        arms.push((2, (rule(), resource(), 1..=6u8).prop_map(|(rule, resource, failures)| GenStep::ScriptSsm { rule, resource, failures }).boxed()));
    }
    if clock {
        arms.push((5, prop_oneof![3 => 1..=4u32, 1 => 5..=130u32].prop_map(|seconds| GenStep::Advance { seconds }).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

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

/// Bounds of a generated run.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub seed: u64,
    pub sequences: u32,
    pub max_steps: usize,
    /// Stop generating new sequences after this long.
    pub time_limit: Option<std::time::Duration>,
}

/// What the generated sequences did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneratedSummary {
    pub seed: u64,
    pub sequences: u32,
    /// The verdict of each sequence, in the order they ran (shrinking runs not included).
    #[serde(default)]
    pub outcomes: Vec<Verdict>,
    /// Every deviating sequence: the listed ones, then the first unlisted one (which ends the
    /// generation and is shrunk into `failure`).
    #[serde(default)]
    pub deviations: Vec<GeneratedDeviation>,
    pub steps: usize,
    pub seconds: f64,
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Operations called, with counts.
    pub operations: BTreeMap<String, usize>,
    /// Error codes answered by the target, with counts.
    pub error_codes: BTreeMap<String, usize>,
    /// Rule IDs the model exercised.
    pub rules: BTreeSet<RuleId>,
    /// The smallest failing sequence, when one failed unlisted.
    pub failure: Option<GeneratedFailure>,
    /// What sequences created and their cleanup could not delete yet (retried by the session).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leftovers: Vec<crate::teardown::Leftover>,
}

/// One deviating generated sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedDeviation {
    /// Which sequence (1-based).
    pub sequence: u32,
    pub steps: usize,
    /// Its deciding step, before any shrinking.
    pub point: DeviationPoint,
    /// The reason of the expectation entry that lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedFailure {
    pub verdict: Verdict,
    /// The deciding step of the shrunk sequence.
    pub point: DeviationPoint,
    /// Steps of the original failing sequence and of the shrunk one.
    pub original_steps: usize,
    pub shrunk_steps: usize,
    pub scenario: Value,
    pub result: ScenarioResult,
}

/// Most sequences run while shrinking one failure.
const MAX_SHRINK_RUNS: usize = 2000;

/// A generated sequence deviates on FAIL or ERROR, and on NON-STRICT when the target has an
/// expectation file (which must list it). UNIMPLEMENTED is left to the scenarios and the
/// expectation file: an emulator without the operation is not a finding worth shrinking.
fn deviation(result: &ScenarioResult, policy: NonStrictPolicy) -> Option<DeviationPoint> {
    match result.verdict {
        Verdict::Unimplemented => None,
        _ => DeviationPoint::of(result, policy),
    }
}

/// Runs a scenario's future to completion (a runtime handle's `block_on`).
pub type BlockOn<'c> = dyn for<'a> Fn(std::pin::Pin<Box<dyn std::future::Future<Output = ScenarioResult> + 'a>>) -> ScenarioResult + 'c;

/// Runs generated sequences against a target from inside a blocking context, stopping at the
/// first deviating one (shrunk).
pub fn run_generated<T: Target>(
    target: &T,
    settings: &RunSettings,
    options: &GenerateOptions,
    block_on: &BlockOn<'_>,
) -> GeneratedSummary {
    run_generated_with(target, settings, options, block_on, None)
}

/// [`run_generated`] with the target's expectation file: a deviating sequence that a
/// `generated` entry lists is recorded and generation goes on; the first unlisted one is shrunk
/// (keeping only candidates that still deviate unlisted, with the same verdict) and ends it.
pub fn run_generated_with<T: Target>(
    target: &T,
    settings: &RunSettings,
    options: &GenerateOptions,
    block_on: &BlockOn<'_>,
    expectations: Option<&ExpectationFile>,
) -> GeneratedSummary {
    let policy = if expectations.is_some() { NonStrictPolicy::MustBeListed } else { NonStrictPolicy::Conforms };
    let listed = |point: &DeviationPoint| expectations.and_then(|f| f.generated_entry(point)).map(|d| d.reason.clone());
    let started = std::time::Instant::now();
    let mut summary = GeneratedSummary { seed: options.seed, ..Default::default() };
    let strategy = proptest::collection::vec(step_strategy(&target.profile().capabilities), 1..=options.max_steps.max(1));
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&options.seed.to_le_bytes());
    let config = Config { cases: options.sequences, max_shrink_iters: 2000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    // Every sequence and every shrinking attempt gets names of its own (the scenario id derives
    // the prefix): on a target without reset, one must never meet what another left running.
    let attempts = std::cell::Cell::new(0u64);
    let run = |steps: &[GenStep], summary: &mut GeneratedSummary| -> ScenarioResult {
        let attempt = attempts.get();
        attempts.set(attempt + 1);
        let scenario = to_scenario(&format!("generated/sequence-{attempt}"), steps);
        let mut result = block_on(Box::pin(run_scenario(target, &scenario, settings)));
        summary.leftovers.append(&mut result.leftovers);
        for step in &result.steps {
            summary.steps += 1;
            if let Some(op) = &step.operation {
                *summary.operations.entry(op.name().to_owned()).or_default() += 1;
            }
            if let Some(crate::judge::ActualReply::Failure { code, .. }) = &step.actual {
                *summary.error_codes.entry(code.clone()).or_default() += 1;
            }
            summary.rules.extend(step.clauses.iter().cloned());
        }
        result
    };
    for sequence in 1..=options.sequences {
        if options.time_limit.is_some_and(|limit| started.elapsed() >= limit) || crate::runner::interrupted() {
            break;
        }
        let Ok(mut tree) = strategy.new_tree(&mut runner) else { break };
        let steps = tree.current();
        let result = run(&steps, &mut summary);
        if crate::runner::interrupted() {
            break;
        }
        summary.sequences += 1;
        summary.outcomes.push(result.verdict);
        *summary.verdicts.entry(result.verdict).or_default() += 1;
        let Some(point) = deviation(&result, policy) else { continue };
        let reason = listed(&point);
        summary.deviations.push(GeneratedDeviation { sequence, steps: steps.len(), point: point.clone(), listed: reason.clone() });
        if reason.is_some() {
            continue;
        }
        // Shrink as proptest does: simplify while the candidate still fails the same way, step
        // back (complicate) when it no longer does.
        let verdict = result.verdict;
        let original_steps = steps.len();
        let mut best = (steps, result, point);
        let mut current_fails = true;
        for _ in 0..MAX_SHRINK_RUNS {
            if crate::runner::interrupted() {
                break;
            }
            let moved = if current_fails { tree.simplify() } else { tree.complicate() };
            if !moved {
                break;
            }
            let candidate = tree.current();
            let r = run(&candidate, &mut summary);
            let still = if r.verdict == verdict { deviation(&r, policy).filter(|p| listed(p).is_none()) } else { None };
            current_fails = still.is_some();
            if let Some(p) = still {
                best = (candidate, r, p);
            }
        }
        let (steps, result, point) = best;
        summary.failure = Some(GeneratedFailure {
            verdict,
            point,
            original_steps,
            shrunk_steps: steps.len(),
            scenario: to_scenario_json(&format!("regressions/generated-{:016x}", options.seed), &steps),
            result,
        });
        break;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_breakage_and_step_kind_makes_a_parsable_scenario() {
        let mut steps: Vec<GenStep> = BREAKAGES.iter().map(|b| GenStep::Invalid { breakage: *b, rule: 0 }).collect();
        steps.extend([
            GenStep::PutRule { rule: 0 },
            GenStep::SetCompliance { rule: 0, resource: 0, compliance: "NON_COMPLIANT" },
            GenStep::PutEvaluations { rule: 0, resource: 1, compliance: "NON_COMPLIANT", token: TokenKind::Valid },
            GenStep::PutConfiguration { rule: 0, automatic: true, attempts: Some(2), retry_seconds: Some(50), concurrency: Some(50), errors: Some(40) },
            GenStep::DescribeExceptions { rule: 0, resources: None, limit: 1, continue_paging: false },
            GenStep::DescribeExceptions { rule: 0, resources: None, limit: 1, continue_paging: true },
            GenStep::ScriptSsm { rule: 0, resource: 0, failures: 2 },
            GenStep::Advance { seconds: 3 },
        ]);
        let scenario = to_scenario("t", &steps);
        assert!(scenario.steps.len() > steps.len());
    }

    #[test]
    fn paging_token_is_used_only_after_it_is_bound() {
        let steps = [GenStep::DescribeExceptions { rule: 0, resources: None, limit: 0, continue_paging: true }];
        let json = to_scenario_json("t", &steps);
        assert!(!json.to_string().contains("${bind:page}"));
    }
}
