//! `record --target aws` (issue 10, item 3) without a real account: the `aws` path with its
//! endpoint overridden by a reference endpoint on this machine that verifies SigV4 with unique
//! credentials (so the run provably signed with them) and answers for an account id of its own.
//! Every file the run wrote, and everything it printed, is searched for the access key, the
//! secret key, the session token and the account id.

use reference_endpoint::{start_in_background, ServerConfig};
use suite_testkit::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_remediation-suite");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Credentials no other test uses: the pid and the time make them unique to this run.
fn unique(label: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{label}{}x{nanos}", std::process::id())
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn suite(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CONFIG_SERVICE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("CI");
    cmd
}

#[test]
fn no_credential_or_account_id_reaches_a_written_file() {
    let access_key = unique("AKIATEST");
    let secret_key = unique("secret/Key+");
    let session_token = unique("FwoGZXIvYXdzSESSION");
    let account = "987654321098";
    let server = start_in_background(ServerConfig {
        account_id: account.to_owned(),
        verify_signatures: Some((access_key.clone(), secret_key.clone())),
        ..ServerConfig::default()
    })
    .expect("the reference endpoint starts");
    let tmp = TempDir::new("snap-remote");
    let fixtures = repo().join("fixtures");
    let output = suite(tmp.path(), &["record", "--target", "aws", "--endpoint", &server.url, "--out", "recorded", "--filter", "configurations/", "--filter", "exceptions/"])
        .arg("--fixtures")
        .arg(&fixtures)
        .env("AWS_ACCESS_KEY_ID", &access_key)
        .env("AWS_SECRET_ACCESS_KEY", &secret_key)
        .env("AWS_SESSION_TOKEN", &session_token)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("the binary runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{printed}");
    let plan_at = printed.find("Recording plan").expect("a plan is printed");
    assert!(plan_at < printed.find("recorded into").expect("a summary"), "the plan comes first: {printed}");
    assert!(printed.contains("PutConfigRule") && printed.contains("cleanup"), "{printed}");

    let mut files = Vec::new();
    files_under(tmp.path(), &mut files);
    let recordings = files.iter().filter(|p| p.to_string_lossy().ends_with(".snap.new")).count();
    assert!(recordings > 20, "the run recorded scenarios: {files:?}");
    let mut with_account_placeholder = 0;
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).expect("readable")).into_owned();
        for (what, secret) in [("access key", &access_key), ("secret key", &secret_key), ("session token", &session_token), ("account id", &account.to_owned())] {
            assert!(!text.contains(secret.as_str()), "{} holds the {what}", file.display());
        }
        with_account_placeholder += usize::from(text.contains("<account:"));
    }
    assert!(with_account_placeholder > 0, "Arns were recorded, with the account redacted");
    for (what, secret) in [("access key", &access_key), ("secret key", &secret_key), ("session token", &session_token)] {
        assert!(!printed.contains(secret.as_str()), "the output holds the {what}");
    }
}

#[test]
fn the_aws_target_needs_credentials_and_allow_remote_and_plans_its_region() {
    let tmp = TempDir::new("snap-aws");
    let fixtures = repo().join("fixtures");
    let fixtures = fixtures.to_str().expect("utf-8");

    let plan = suite(tmp.path(), &["record", "--target", "aws", "--plan-only", "--fixtures", fixtures])
        .env("AWS_DEFAULT_REGION", "eu-west-3")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{text}");
    assert!(text.contains("https://config.eu-west-3.amazonaws.com") && text.contains("rsuite-"), "{text}");

    let no_credentials = suite(tmp.path(), &["record", "--target", "aws", "--allow-remote", "--fixtures", fixtures, "--filter", "rules/put"])
        .env("AWS_REGION", "eu-west-3")
        .output()
        .expect("runs");
    assert_eq!(no_credentials.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_credentials.stderr).contains("needs credentials"), "{}", String::from_utf8_lossy(&no_credentials.stderr));

    let not_allowed = suite(tmp.path(), &["record", "--target", "aws", "--fixtures", fixtures, "--filter", "rules/put"])
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "example")
        .output()
        .expect("runs");
    assert_eq!(not_allowed.status.code(), Some(2));
    let said = String::from_utf8_lossy(&not_allowed.stderr);
    assert!(said.contains("https://config.us-east-1.amazonaws.com") && said.contains("--allow-remote"), "{said}");
    let mut written = Vec::new();
    files_under(tmp.path(), &mut written);
    assert!(written.is_empty(), "refused runs write nothing: {written:?}");
}
