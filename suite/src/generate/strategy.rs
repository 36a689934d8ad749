//! What a generated step can be, and how steps are drawn: small pools of names so that steps
//! meet each other, valid requests mixed with ones that break exactly one limit or rule.

use crate::profile::Capability;
use proptest::prelude::*;
use proptest::strategy::Union;
use std::collections::BTreeSet;

pub(super) const RULES: [&str; 3] = ["a", "b", "c"];
pub(super) const RESOURCES: [&str; 4] = ["r1", "r2", "r3", "r4"];
pub(super) const RESOURCE_TYPE: &str = "AWS::S3::Bucket";

/// One generated step, before it becomes JSON. Kept apart from `reference_model::steps::Step`
/// (the property test's and the model_sequence fuzz target's vocabulary): this one renders
/// scenario JSON for any endpoint, with breakages and capabilities, where that one calls a
/// `World` directly.
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

pub(super) const BREAKAGES: [Breakage; 21] = [
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

