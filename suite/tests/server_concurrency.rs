//! Many clients putting and deleting remediation exceptions at once: the final state must be
//! one that some serial order of all the requests explains (no lost or torn writes).
//!
//! Exceptions of different resources are independent in the model (no automatic remediation
//! is configured here), so a serial order is explained key by key:
//! * a key only one client touches ends as that client's last request on it left it;
//! * a shared key ends as the last request on it of *some* client left it (whichever client
//!   went last), with that request's own Message, never a mixture.

mod support;

use reference_endpoint::{start_in_background, ServerConfig};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use support::*;

const CLIENTS: usize = 16;
const OWN_KEYS: usize = 6;
const SHARED_KEYS: usize = 4;
const REQUESTS_PER_CLIENT: usize = 40;
const RULE: &str = "concurrency-rule";

/// What one request does to one key: `Some(message)` for a put, `None` for a delete.
type Effect = Option<String>;

/// One planned request: put (with a message) or delete, on a few keys.
#[derive(Clone, Debug)]
struct Planned {
    put: bool,
    keys: Vec<String>,
    message: String,
}

/// splitmix64, so every run plans the same requests.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn own_key(client: usize, k: usize) -> String {
    format!("c{client:02}-k{k}")
}
fn shared_key(k: usize) -> String {
    format!("shared-{k}")
}

/// The requests of one client: each touches 1..3 of its own keys and, one time in three, a shared key.
fn plan(client: usize) -> Vec<Planned> {
    let mut state = 0xc0ffee + client as u64;
    (0..REQUESTS_PER_CLIENT)
        .map(|n| {
            let mut keys: Vec<String> = (0..1 + next(&mut state) % 3).map(|_| own_key(client, (next(&mut state) % OWN_KEYS as u64) as usize)).collect();
            if next(&mut state) % 3 == 0 {
                keys.push(shared_key((next(&mut state) % SHARED_KEYS as u64) as usize));
            }
            keys.sort();
            keys.dedup();
            Planned { put: next(&mut state) % 2 == 0, keys, message: format!("client {client} request {n}") }
        })
        .collect()
}

/// The effect of a client's last request on each key it touched.
fn last_effects(plan: &[Planned]) -> BTreeMap<String, Effect> {
    let mut last = BTreeMap::new();
    for request in plan {
        for key in &request.keys {
            last.insert(key.clone(), request.put.then(|| request.message.clone()));
        }
    }
    last
}

async fn run_client(url: String, plan: Vec<Planned>) {
    let client = client();
    for request in plan {
        let keys = exception_keys(&request.keys);
        if request.put {
            let body = json!({"ConfigRuleName": RULE, "ResourceKeys": keys, "Message": request.message});
            let answer = call(&client, &url, "PutRemediationExceptions", &body).await;
            assert_eq!(answer.status, 200, "{body}: {}", answer.text());
            assert_eq!(answer.json(), json!({"FailedBatches": []}), "every key is NON_COMPLIANT");
        } else {
            let body = json!({"ConfigRuleName": RULE, "ResourceKeys": keys});
            let answer = call(&client, &url, "DeleteRemediationExceptions", &body).await;
            // Keys without an exception are refused (partially or as a whole): either way,
            // afterwards none of these keys has an exception.
            match answer.status {
                200 => assert!(answer.json()["FailedBatches"].is_array(), "{}", answer.text()),
                400 => assert_eq!(answer.error_type(), "NoSuchRemediationExceptionException", "{}", answer.text()),
                other => panic!("{body}: unexpected {other}: {}", answer.text()),
            }
        }
    }
}

/// Every exception of the rule, key → message, following NextToken.
async fn all_exceptions(client: &reqwest::Client, url: &str) -> BTreeMap<String, Option<String>> {
    let mut found = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": RULE, "Limit": 100});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = ok(client, url, "DescribeRemediationExceptions", &body).await;
        for e in page["RemediationExceptions"].as_array().expect("a list") {
            let key = e["ResourceId"].as_str().expect("ResourceId").to_owned();
            let message = e["Message"].as_str().map(str::to_owned);
            assert!(found.insert(key.clone(), message).is_none(), "{key} listed twice");
        }
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return found,
        }
    }
}

#[test]
fn concurrent_puts_and_deletes_end_in_a_serial_state() {
    let server = start_in_background(ServerConfig::default()).expect("the endpoint starts");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let plans: Vec<Vec<Planned>> = (0..CLIENTS).map(plan).collect();
    let url = server.url.clone();

    let actual = runtime.block_on(async {
        let client = client();
        let mut buckets: Vec<String> = (0..CLIENTS).flat_map(|c| (0..OWN_KEYS).map(move |k| own_key(c, k))).collect();
        buckets.extend((0..SHARED_KEYS).map(shared_key));
        rule_with_non_compliant(&client, &url, RULE, &buckets).await;

        let mut tasks = tokio::task::JoinSet::new();
        for plan in plans.clone() {
            tasks.spawn(run_client(url.clone(), plan));
        }
        while let Some(result) = tasks.join_next().await {
            result.expect("a client task failed");
        }
        all_exceptions(&client, &url).await
    });

    let lasts: Vec<BTreeMap<String, Effect>> = plans.iter().map(|p| last_effects(p)).collect();
    // Keys of one client: exactly its last request's effect.
    for (c, last) in lasts.iter().enumerate() {
        for k in 0..OWN_KEYS {
            let key = own_key(c, k);
            let expected = last.get(&key).cloned().flatten();
            assert_eq!(actual.get(&key).cloned().flatten(), expected, "{key}");
            assert_eq!(actual.contains_key(&key), expected.is_some(), "{key}");
        }
    }
    // Shared keys: the last effect of some client that touched it.
    let mut shared_touched = 0;
    for k in 0..SHARED_KEYS {
        let key = shared_key(k);
        let allowed: BTreeSet<Effect> = lasts.iter().filter_map(|l| l.get(&key).cloned()).collect();
        if allowed.is_empty() {
            assert!(!actual.contains_key(&key), "{key} was never put");
            continue;
        }
        shared_touched += 1;
        let state: Effect = actual.get(&key).cloned().flatten();
        assert!(allowed.contains(&state), "{key} ended as {state:?}, which no serial order explains; allowed: {allowed:?}");
    }
    assert!(shared_touched >= 2, "the plan should contend on shared keys");
    // Nothing else appeared.
    let known: BTreeSet<String> =
        (0..CLIENTS).flat_map(|c| (0..OWN_KEYS).map(move |k| own_key(c, k))).chain((0..SHARED_KEYS).map(shared_key)).collect();
    let extra: Vec<&String> = actual.keys().filter(|k| !known.contains(*k)).collect();
    assert!(extra.is_empty(), "unexpected exceptions: {extra:?}");
    assert!(actual.len() > 10, "the plan should leave exceptions behind: {actual:?}");
    drop(server);
}

/// The same check with plain threads, each on its own runtime and connection pool, against
/// shared keys only: the most contended case.
#[test]
fn threads_contending_on_one_key_leave_one_writers_state() {
    let server = start_in_background(ServerConfig::default()).expect("the endpoint starts");
    let url = server.url.clone();
    let setup = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    setup.block_on(rule_with_non_compliant(&client(), &url, RULE, &[shared_key(0)]));

    let threads: Vec<_> = (0..8)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    let client = client();
                    let mut last: Effect = None;
                    for n in 0..25 {
                        let put = (t + n) % 3 != 0;
                        let message = format!("thread {t} request {n}");
                        let keys = exception_keys(&[shared_key(0)]);
                        let (operation, body) = if put {
                            ("PutRemediationExceptions", json!({"ConfigRuleName": RULE, "ResourceKeys": keys, "Message": message}))
                        } else {
                            ("DeleteRemediationExceptions", json!({"ConfigRuleName": RULE, "ResourceKeys": keys}))
                        };
                        let answer = call(&client, &url, operation, &body).await;
                        assert!(answer.status == 200 || answer.error_type() == "NoSuchRemediationExceptionException", "{}", answer.text());
                        last = put.then_some(message);
                    }
                    last
                })
            })
        })
        .collect();
    let allowed: BTreeSet<Effect> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    let actual = setup.block_on(all_exceptions(&client(), &url));
    let state: Effect = actual.get(&shared_key(0)).cloned().flatten();
    assert!(allowed.contains(&state), "ended as {state:?}; allowed: {allowed:?}");
}
