//! Official clients, unchanged, against the reference endpoint: boto3 exercising all nine
//! remediation operations and the rule calls (scripts/server/boto3_clients.py), and the AWS
//! CLI doing a signed put/describe/delete round trip (scripts/server/aws_cli_roundtrip.py).
//!
//! The clients live in a venv under `target/venv-clients`, created by this test when missing
//! (`python3 -m venv` + `pip install -r scripts/server/clients-requirements.txt`, about a minute
//! once) and reused after while it holds exactly the pinned versions.

use reference_endpoint::{start_in_background, ServerConfig};
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

/// The one place the client versions are written.
fn requirements() -> PathBuf {
    workspace().join("scripts/server/clients-requirements.txt")
}

/// The pins of the requirements file as `name==version` lines, lower-cased as pip prints them;
/// every line that is not a comment must pin an exact version.
fn pins() -> Vec<String> {
    let path = requirements();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let pins: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, version) = l.split_once("==").unwrap_or_else(|| panic!("{}: {l:?} is not pinned with ==", path.display()));
            assert!(
                !name.is_empty() && !version.is_empty() && version.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'),
                "{}: {l:?} is not an exact version",
                path.display()
            );
            format!("{}=={version}", name.trim().to_ascii_lowercase())
        })
        .collect();
    for client in ["boto3", "awscli"] {
        assert!(pins.iter().any(|p| p.starts_with(&format!("{client}=="))), "{} does not pin {client}", path.display());
    }
    pins
}

/// True when the venv at `bin` holds exactly the pinned versions and the `aws` command.
fn holds_pins(bin: &Path, pins: &[String]) -> bool {
    let Ok(freeze) = Command::new(bin.join("python")).args(["-m", "pip", "freeze", "--disable-pip-version-check"]).output() else {
        return false;
    };
    let installed: Vec<String> = String::from_utf8_lossy(&freeze.stdout).lines().map(|l| l.trim().to_ascii_lowercase()).collect();
    freeze.status.success() && pins.iter().all(|p| installed.contains(p)) && bin.join("aws").exists()
}

/// The venv's bin directory, with the pinned boto3 and awscli installed. Tests of this binary
/// share one venv, so its creation is serialised; a venv with other versions is rebuilt.
fn venv_bin() -> PathBuf {
    static CREATING: Mutex<()> = Mutex::new(());
    let _guard = CREATING.lock().unwrap_or_else(|p| p.into_inner());
    let pins = pins();
    let venv = target_dir().join("venv-clients");
    let bin = venv.join("bin");
    if holds_pins(&bin, &pins) {
        return bin;
    }
    assert_success("python3 -m venv --clear", &run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv)));
    assert_success(
        "pip install -r clients-requirements.txt",
        &run(Command::new(bin.join("pip")).args(["install", "--quiet", "--disable-pip-version-check", "-r"]).arg(requirements())),
    );
    assert!(holds_pins(&bin, &pins), "{} does not hold {pins:?} after installing them", venv.display());
    bin
}

/// Unpinned clients drift under the tests from one clone to the next; the pins are checked
/// without Python, so a loose line fails here even where the venv already exists.
#[test]
fn client_versions_are_pinned_exactly() {
    let pins = pins();
    assert!(pins.iter().any(|p| p.starts_with("boto3==1.")), "{pins:?}");
    assert!(pins.iter().any(|p| p.starts_with("awscli==1.")), "{pins:?}");
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
