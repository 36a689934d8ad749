//! Throughput of the pure model (no HTTP): how many requests per second `handle` answers.
//! `cargo bench -p reference-model` prints one line per case. A plain harness keeps the
//! dependency tree small; each case runs for about two seconds after a warm-up.

use reference_model::{handle, ComplianceType, Control, Operation, Timestamp, World};
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

fn main() {
    let now = Timestamp::EPOCH_2026;
    let mut world = World::reference(now);
    let rule = json!({"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "AWS", "SourceIdentifier": "X"}}});
    handle(&mut world, Operation::PutConfigRule, rule.to_string().as_bytes(), now);
    for i in 0..100 {
        world.control(
            &Control::SetCompliance { rule: "r".into(), resource_type: "AWS::S3::Bucket".into(), resource_id: format!("b{i}"), compliance: ComplianceType::NonCompliant, annotation: None },
            now,
        );
    }
    let config = json!({"RemediationConfigurations": [{"ConfigRuleName": "r", "TargetType": "SSM_DOCUMENT", "TargetId": "doc"}]});
    handle(&mut world, Operation::PutRemediationConfigurations, config.to_string().as_bytes(), now);

    let describe = json!({"ConfigRuleNames": ["r"]}).to_string();
    measure("DescribeRemediationConfigurations", || {
        black_box(handle(&mut world, Operation::DescribeRemediationConfigurations, describe.as_bytes(), now));
    });
    let keys: Vec<_> = (0..100).map(|i| json!({"ResourceType": "AWS::S3::Bucket", "ResourceId": format!("b{i}")})).collect();
    let put = json!({"ConfigRuleName": "r", "ResourceKeys": keys, "Message": "bench"}).to_string();
    measure("PutRemediationExceptions, 100 keys", || {
        black_box(handle(&mut world, Operation::PutRemediationExceptions, put.as_bytes(), now));
    });
    let list = json!({"ConfigRuleName": "r", "Limit": 100}).to_string();
    measure("DescribeRemediationExceptions, 100 exceptions", || {
        black_box(handle(&mut world, Operation::DescribeRemediationExceptions, list.as_bytes(), now));
    });
    let invalid = json!({"ConfigRuleName": "   ", "ResourceKeys": []}).to_string();
    measure("PutRemediationExceptions, refused by validation", || {
        black_box(handle(&mut world, Operation::PutRemediationExceptions, invalid.as_bytes(), now));
    });
}
