//! A target that is not ours to reset: the reference endpoint, already holding rules,
//! remediation configurations and exceptions the suite did not make, judged as `generic` (no
//! reset, no control, no shared clock), as a user does with `serve` and `run --endpoint`.
//!
//! Two full runs with the same seed, one interrupted by SIGINT and one by SIGTERM: each
//! conformant (or exit 2 when interrupted), the resources the suite did not make unchanged
//! (compared through Describe calls before and after), and no `rsuite-*` rule left.

mod support;

use reference_endpoint::{start_in_background, BackgroundServer, ClockMode, ServerConfig, DEFAULT_MAX_BODY_BYTES};
use suite_testkit::TempDir;
use serde_json::{json, Value};
use std::process::{Child, Command};
use std::time::Duration;

/// Longest a whole run may take here (debug build, 2 cores, wall-clock executions).
const DEADLINE: Duration = Duration::from_secs(240);

fn endpoint() -> BackgroundServer {
    start_in_background(ServerConfig {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        // Executions end by themselves (A-08: seconds), as on a real account.
        clock: ClockMode::Wall,
        verify_signatures: None,
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    })
    .expect("the reference endpoint starts")
}

const THEIRS: [&str; 2] = ["payments-encryption", "team-b-versioning"];

/// What another team keeps in the account: two rules, a remediation configuration and an
/// exception on a NON_COMPLIANT bucket.
async fn preload(url: &str) {
    let client = support::client();
    support::rule_with_non_compliant(&client, url, THEIRS[0], &["their-bucket".to_owned()]).await;
    support::ok(&client, url, "PutConfigRule", &support::rule_body(THEIRS[1])).await;
    support::ok(&client, url, "PutRemediationConfigurations", &support::remediation_body(THEIRS[0])).await;
    let exception = json!({"ConfigRuleName": THEIRS[0], "ResourceKeys": support::exception_keys(&["their-bucket".to_owned()]), "Message": "theirs"});
    let answer = support::ok(&client, url, "PutRemediationExceptions", &exception).await;
    assert_eq!(answer["FailedBatches"], json!([]), "the exception was placed: {answer}");
}

/// The account as the Describe calls show it: every rule (all pages), and the configurations
/// and exceptions of the rules the suite did not make.
async fn account(url: &str) -> (Vec<Value>, Value, Value) {
    let client = support::client();
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let body = token.as_ref().map_or(json!({}), |t| json!({"NextToken": t}));
        let page = support::ok(&client, url, "DescribeConfigRules", &body).await;
        rules.extend(page["ConfigRules"].as_array().cloned().unwrap_or_default());
        token = page["NextToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let configurations = support::ok(&client, url, "DescribeRemediationConfigurations", &json!({"ConfigRuleNames": THEIRS})).await;
    let exceptions = support::ok(&client, url, "DescribeRemediationExceptions", &json!({"ConfigRuleName": THEIRS[0]})).await;
    (rules, configurations, exceptions)
}

fn names(rules: &[Value]) -> Vec<String> {
    rules.iter().filter_map(|r| r["ConfigRuleName"].as_str().map(str::to_owned)).collect()
}

fn spawn(url: &str, out: &TempDir, extra: &[&str]) -> Child {
    let out_arg = out.path().to_str().expect("a UTF-8 path").to_owned();
    let mut args = vec!["run", "--endpoint", url, "--target", "generic", "--seed", "42", "--out", &out_arg];
    args.extend_from_slice(extra);
    support::binary::spawn(out.path(), &args)
}

/// Waits for the child; returns its exit code and what it printed.
fn finish(child: Child) -> (Option<i32>, String) {
    let finished = support::binary::finish(child, DEADLINE);
    (finished.code, finished.printed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_on_an_account_that_is_not_empty_change_nothing_of_others_and_leave_nothing() {
    let server = endpoint();
    preload(&server.url).await;
    let before = account(&server.url).await;
    assert_eq!(names(&before.0), THEIRS.map(str::to_owned).to_vec());

    // Two whole runs with the same seed: the second must not meet the first's names.
    for run in 1..=2 {
        let out = TempDir::new("foreign-account");
        let url = server.url.clone();
        let (code, printed) = tokio::task::spawn_blocking(move || finish(spawn(&url, &out, &["--sequences", "30"])))
            .await
            .expect("the run is waited for");
        assert_eq!(code, Some(0), "run {run} is conformant:\n{printed}");
        assert_eq!(account(&server.url).await, before, "run {run} left the account as it found it");
    }

    // Interrupted runs stop with exit 2 and still leave nothing of theirs behind.
    for signal in ["-INT", "-TERM"] {
        let out = TempDir::new("foreign-account-signal");
        let url = server.url.clone();
        let (code, printed) = tokio::task::spawn_blocking(move || {
            let child = spawn(&url, &out, &["--sequences", "0"]);
            // Long enough to be inside the scenarios, with rules of its own in the account.
            std::thread::sleep(Duration::from_millis(1500));
            let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill runs");
            assert!(sent.success());
            finish(child)
        })
        .await
        .expect("the run is waited for");
        assert_eq!(code, Some(2), "interrupted by SIG{}:\n{printed}", &signal[1..]);
        assert!(printed.contains("interrupted in scenario"), "{printed}");
        assert!(printed.contains("what the run created was deleted"), "{printed}");
        assert_eq!(account(&server.url).await, before, "SIG{} left the account as it found it", &signal[1..]);
    }
}
