//! `remediation-suite serve`: prints its URL, serves, stops on SIGTERM; refuses a port in use
//! and missing credentials with exit code 2 and a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_remediation-suite");

#[test]
fn serve_prints_its_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--region", "eu-west-1", "--account-id", "111122223333"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let url = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(line) => line.trim().to_owned(),
        Err(_) => {
            let _ = child.kill();
            panic!("serve printed no URL within 30 s");
        }
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let rule_arn = runtime.block_on(async {
        let client = reqwest::Client::new();
        let health = client.get(format!("{url}/_reference/health")).send().await.expect("health answers");
        assert_eq!(health.status().as_u16(), 200);
        let put = r#"{"ConfigRule": {"ConfigRuleName": "r", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:eu-west-1:111122223333:function:f"}}}"#;
        let answer = client.post(format!("{url}/")).header("x-amz-target", "StarlingDoveService.PutConfigRule").body(put).send().await.expect("answered");
        assert_eq!(answer.status().as_u16(), 200);
        let answer = client.post(format!("{url}/")).header("x-amz-target", "StarlingDoveService.DescribeConfigRules").body("{}").send().await.expect("answered");
        let body: serde_json::Value = serde_json::from_slice(&answer.bytes().await.expect("body")).expect("JSON");
        body["ConfigRules"][0]["ConfigRuleArn"].as_str().unwrap_or_default().to_owned()
    });
    assert!(rule_arn.starts_with("arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-"), "{rule_arn}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("serve exits");
    assert!(status.success(), "serve exited with {status} after SIGTERM");
}

#[test]
fn serve_refuses_a_port_in_use_with_exit_code_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("addr").port();
    let output = Command::new(BIN).args(["serve", "--port", &port.to_string()]).output().expect("serve runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already in use") && stderr.contains(&port.to_string()), "{stderr}");
    assert!(output.stdout.is_empty(), "no URL for a server that did not start");
}

#[test]
fn verify_signatures_without_credentials_is_refused() {
    let output = Command::new(BIN)
        .args(["serve", "--port", "0", "--verify-signatures"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .expect("serve runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
}
