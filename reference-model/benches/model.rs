//! Throughput of the pure model (no HTTP): how many requests per second `handle` answers.
//! `cargo bench -p reference-model` prints one line per case. A plain harness keeps the
//! dependency tree small; each case runs for about two seconds after a warm-up.

use reference_model::ops::apply_put_exceptions;
use reference_model::wire::PutRemediationExceptionsRequest;
use reference_model::{handle, ComplianceType, Control, Operation, Outcome, Reply, Timestamp, World};
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn measure(name: &str, mut f: impl FnMut()) {
    for _ in 0..200 {
        f();
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    let per_second = n as f64 / started.elapsed().as_secs_f64();
    println!("{name:<60} {per_second:>12.0} requests/s  {:>8.2} µs each", 1e6 / per_second);
}

/// `handle`, checked to answer `expected` (HTTP status), so that a case measures the path it
/// names: a refused set-up would otherwise measure refusals.
fn call(world: &mut World, op: Operation, body: &str, now: Timestamp, expected: u16) -> Outcome {
    let outcome = handle(world, op, body.as_bytes(), now);
    assert_eq!(outcome.preferred().reply.status(), expected, "{op:?}: {:?}", outcome.preferred().reply);
    outcome
}

/// A rule `name` with `n` NON_COMPLIANT buckets `{prefix}{i}` and a manual remediation.
fn rule_with_non_compliant(world: &mut World, name: &str, prefix: &str, n: usize, now: Timestamp) {
    let rule = json!({"ConfigRule": {"ConfigRuleName": name, "Source": {"Owner": "CUSTOM_LAMBDA",
        "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:bench",
        "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}}});
    call(world, Operation::PutConfigRule, &rule.to_string(), now, 200);
    for i in 0..n {
        let set = Control::SetCompliance { rule: name.into(), resource_type: "AWS::S3::Bucket".into(), resource_id: format!("{prefix}{i}"), compliance: ComplianceType::NonCompliant, annotation: None };
        assert_eq!(world.control(&set, now).error, None);
    }
    let config = json!({"RemediationConfigurations": [{"ConfigRuleName": name, "TargetType": "SSM_DOCUMENT", "TargetId": "AWS-EnableS3BucketEncryption"}]});
    call(world, Operation::PutRemediationConfigurations, &config.to_string(), now, 200);
}

fn put_exceptions_body(rule: &str, prefix: &str, range: std::ops::Range<usize>) -> String {
    let keys: Vec<_> = range.map(|i| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": format!("{prefix}{i}")})).collect();
    json!({"ConfigRuleName": rule, "ResourceKeys": keys, "Message": "bench"}).to_string()
}

fn main() {
    let now = Timestamp::EPOCH_2026;
    let mut world = World::reference(now);
    rule_with_non_compliant(&mut world, "r", "b", 100, now);

    let describe = json!({"ConfigRuleNames": ["r"]}).to_string();
    measure("DescribeRemediationConfigurations", || {
        black_box(handle(&mut world, Operation::DescribeRemediationConfigurations, describe.as_bytes(), now));
    });
    let put = put_exceptions_body("r", "b", 0..100);
    let accepted = call(&mut world, Operation::PutRemediationExceptions, &put, now, 200);
    assert_eq!(accepted.preferred().reply, Reply::Success(json!({"FailedBatches": []})), "every key is excepted");
    // The operation itself (issue 13's ≤ 20 µs): state change and outcome, on a parsed request.
    let typed: PutRemediationExceptionsRequest = serde_json::from_str(&put).expect("a request");
    measure("PutRemediationExceptions, 100 keys (parsed request)", || {
        black_box(apply_put_exceptions(&mut world, &typed));
    });
    // The whole pipeline from bytes: JSON parse, validation, typed request, the operation.
    measure("PutRemediationExceptions, 100 keys (from bytes)", || {
        black_box(handle(&mut world, Operation::PutRemediationExceptions, put.as_bytes(), now));
    });
    // The same beside 100,000 exceptions of another rule: no request reads every row.
    let mut big = world.clone();
    rule_with_non_compliant(&mut big, "big", "x", 100_000, now);
    for start in (0..100_000).step_by(100) {
        call(&mut big, Operation::PutRemediationExceptions, &put_exceptions_body("big", "x", start..start + 100), now, 200);
    }
    assert_eq!(big.exceptions().count(), 100_100);
    measure("PutRemediationExceptions, 100 keys (parsed), 100,000 others held", || {
        black_box(apply_put_exceptions(&mut big, &typed));
    });
    measure("PutRemediationExceptions, 100 keys (from bytes), 100,000 others held", || {
        black_box(handle(&mut big, Operation::PutRemediationExceptions, put.as_bytes(), now));
    });
    drop(big);
    let list = json!({"ConfigRuleName": "r", "Limit": 100}).to_string();
    let listed = call(&mut world, Operation::DescribeRemediationExceptions, &list, now, 200);
    let Reply::Success(page) = &listed.preferred().reply else { unreachable!("checked 200") };
    assert_eq!(page["RemediationExceptions"].as_array().map(Vec::len), Some(100), "the page lists every exception");
    measure("DescribeRemediationExceptions, 100 exceptions", || {
        black_box(handle(&mut world, Operation::DescribeRemediationExceptions, list.as_bytes(), now));
    });
    let invalid = json!({"ConfigRuleName": "   ", "ResourceKeys": []}).to_string();
    call(&mut world, Operation::PutRemediationExceptions, &invalid, now, 400);
    measure("PutRemediationExceptions, refused by validation", || {
        black_box(handle(&mut world, Operation::PutRemediationExceptions, invalid.as_bytes(), now));
    });
}
