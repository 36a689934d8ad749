//! Official clients, unchanged, against the reference endpoint: boto3 exercising all nine
//! remediation operations and the rule calls (scripts/server/boto3_clients.py), and the AWS
//! CLI doing a signed put/describe/delete round trip (scripts/server/aws_cli_roundtrip.py).
//!
//! The clients live in a venv under `target/venv-clients`, created by this test when missing
//! (`python3 -m venv` + `pip install boto3 awscli`, about a minute once) and reused after.

use remediation_suite::server::{start_in_background, ServerConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the suite sits in the workspace").to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from)
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The venv's bin directory, with boto3 and awscli installed. Tests of this binary share one
/// venv, so its creation is serialised.
fn venv_bin() -> PathBuf {
    static CREATING: Mutex<()> = Mutex::new(());
    let _guard = CREATING.lock().unwrap_or_else(|p| p.into_inner());
    let venv = target_dir().join("venv-clients");
    let bin = venv.join("bin");
    let ready = |bin: &Path| {
        Command::new(bin.join("python"))
            .args(["-c", "import boto3, awscli"])
            .output()
            .is_ok_and(|o| o.status.success())
            && bin.join("aws").exists()
    };
    if ready(&bin) {
        return bin;
    }
    assert_success("python3 -m venv", &run(Command::new("python3").arg("-m").arg("venv").arg(&venv)));
    assert_success(
        "pip install boto3 awscli",
        &run(Command::new(bin.join("pip")).args(["install", "--quiet", "--disable-pip-version-check", "boto3", "awscli"])),
    );
    assert!(ready(&bin), "boto3 and awscli are still not importable from {}", venv.display());
    bin
}

fn script(name: &str) -> PathBuf {
    workspace().join("scripts/server").join(name)
}

#[test]
fn boto3_exercises_every_operation() {
    let bin = venv_bin();
    let server = start_in_background(ServerConfig::default()).expect("the endpoint starts");
    let output = run(Command::new(bin.join("python")).arg(script("boto3_clients.py")).arg(&server.url));
    drop(server);
    assert_success("boto3_clients.py", &output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Every one of the nine remediation operations and the four rule calls was checked.
    for needle in [
        "ok: PutRemediationConfigurations succeeds",
        "ok: DescribeRemediationConfigurations returns it with an Arn",
        "ok: DeleteRemediationConfiguration succeeds",
        "ok: PutRemediationExceptions succeeds",
        "ok: DescribeRemediationExceptions returns it",
        "ok: DeleteRemediationExceptions succeeds",
        "ok: StartRemediationExecution succeeds with no FailedItems",
        "ok: the execution SUCCEEDED",
        "ok: PutEvaluations accepts the token",
        "ok: PutConfigRule succeeds",
        "ok: DeleteConfigRule succeeds",
        "ok: DescribeConfigRules returns the rule",
        "ok: GetComplianceDetailsByConfigRule lists b1, b2, b3",
        "ok: DeleteRemediationConfiguration of an unknown rule raises NoSuchRemediationConfigurationException",
        "ok: an over-long name is a ValidationException",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert_eq!(summary, "boto3: 36 checks passed", "{stdout}");
}

#[test]
fn aws_cli_round_trip_with_signatures_checked() {
    let bin = venv_bin();
    let (key, secret) = ("AKIDCLIROUNDTRIP", "cli-roundtrip-secret");
    let config = ServerConfig { verify_signatures: Some((key.to_owned(), secret.to_owned())), ..ServerConfig::default() };
    let server = start_in_background(config).expect("the endpoint starts");
    let output = run(Command::new(bin.join("python"))
        .arg(script("aws_cli_roundtrip.py"))
        .arg(&server.url)
        .arg(bin.join("aws"))
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret));
    drop(server);
    assert_success("aws_cli_roundtrip.py", &output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "ok: put-remediation-exceptions",
        "ok: describe-remediation-exceptions",
        "ok: delete-remediation-exceptions",
        "ok: a wrong secret fails with InvalidSignatureException",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    assert_eq!(stdout.lines().last().unwrap_or_default(), "aws cli: 9 checks passed", "{stdout}");
}
