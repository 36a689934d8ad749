//! `cargo xtask wheel`: the Python wheel that ships the `remediation-suite` binary (maturin's
//! `bin` bindings, configured in pyproject.toml), and the check CI runs on it: install the wheel
//! into a fresh venv and run the suite from there.
//!
//! maturin runs `cargo rustc --release` on the suite in `target/`, without a target triple or
//! extra flags for the dependencies: the same artefacts as `cargo build --release -p
//! remediation-suite`, so the benchmarks and the wheel share one release build.

use crate::{root, run};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pinned so that a new maturin cannot change the wheel under CI's feet.
const MATURIN: &str = "maturin==1.16.0";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// Where the scenarios go inside the wheel: `<prefix>/share/remediation-suite/fixtures` once
/// installed (the wheel's `.data/data` lands in the venv's or user's prefix, next to `bin/`).
const SHARE: &str = "share/remediation-suite";

/// maturin in its own venv under target/ (created on first use; PyPI ships binary wheels).
fn maturin() -> Result<PathBuf, String> {
    let venv = target_dir().join("venv-maturin");
    let bin = venv.join("bin").join("maturin");
    if !bin.is_file() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin").join("pip")).args(["install", "--quiet", "--disable-pip-version-check", MATURIN]))?;
    }
    Ok(bin)
}

/// Copies fixtures/ into the directory pyproject.toml names as the wheel's data, so that the
/// installed command has its scenarios without a checkout.
fn stage_fixtures() -> Result<(), String> {
    let data = target_dir().join("wheel-data");
    let _ = std::fs::remove_dir_all(&data);
    let dest = data.join("data").join(SHARE).join("fixtures");
    copy_tree(&root().join("fixtures"), &dest).map_err(|e| format!("cannot stage the fixtures into {}: {e}", dest.display()))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Builds the wheel into target/wheels and returns its path.
pub fn build() -> Result<PathBuf, String> {
    let maturin = maturin()?;
    stage_fixtures()?;
    let out = target_dir().join("wheels");
    let _ = std::fs::remove_dir_all(&out);
    run(Command::new(maturin).args(["build", "--release", "--out"]).arg(&out))?;
    let wheels: Vec<PathBuf> = std::fs::read_dir(&out)
        .map_err(|e| format!("maturin wrote no {}: {e}", out.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    match wheels.as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!("expected one wheel in {}, found {other:?}", out.display())),
    }
}

/// Installs `wheel` into a fresh venv and runs the suite from it, away from the checkout: a
/// conformance run against the embedded endpoint (exit 0), then `serve` answering one JSON 1.1
/// request sent with python's urllib (no boto3 in that venv).
pub fn check(wheel: &Path) -> Result<(), String> {
    let scratch = target_dir().join("tmp").join("wheel-check");
    let _ = std::fs::remove_dir_all(&scratch);
    let venv = scratch.join("venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args(["install", "--quiet", "--disable-pip-version-check", "--no-index"]).arg(wheel))?;
    let exe = venv.join("bin").join("remediation-suite");
    let fixtures = venv.join(SHARE).join("fixtures");
    if !fixtures.join("scenarios").is_dir() {
        return Err(format!("the wheel installed no scenarios at {}", fixtures.display()));
    }
    // A working directory without fixtures/, and no --fixtures: the installed command must find
    // the scenarios the wheel put beside it, as a user's `remediation-suite run` does.
    let work = scratch.join("work");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let status = Command::new(&exe)
        .args(["run", "--quiet", "--seed", "1", "--out", "report"])
        .current_dir(&work)
        .status()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    if !status.success() {
        return Err(format!("`remediation-suite run` from the wheel did not end conformant ({status})"));
    }
    // The scenarios it ran are the installed ones, not this checkout's (which the binary also
    // knows, as the place it was built from).
    let report = std::fs::read_to_string(work.join("report").join("report.json")).map_err(|e| format!("no report.json from the wheel's run: {e}"))?;
    let installed = format!("{}/scenarios/", fixtures.display());
    if !report.contains(&installed) {
        return Err(format!("the wheel's `remediation-suite run` did not read the scenarios it installed ({installed})"));
    }
    serve_answers(&exe, &venv.join("bin").join("python"))?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// Starts `serve --port 0`, reads the URL it prints first, sends DescribeConfigRules with
/// urllib and expects 200 with a `ConfigRules` list; the server is stopped in every case.
fn serve_answers(exe: &Path, python: &Path) -> Result<(), String> {
    eprintln!("+ {} serve --port 0", exe.display());
    let mut child = Command::new(exe)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {} serve: {e}", exe.display()))?;
    let result = (|| {
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut url = String::new();
        BufReader::new(stdout).read_line(&mut url).map_err(|e| e.to_string())?;
        let url = url.trim();
        if !url.starts_with("http://127.0.0.1:") {
            return Err(format!("`serve` printed {url:?} instead of its URL"));
        }
        const CLIENT: &str = r#"
import json, sys, time, urllib.request
request = urllib.request.Request(sys.argv[1] + "/", data=b"{}", method="POST", headers={
    "X-Amz-Target": "StarlingDoveService.DescribeConfigRules",
    "Content-Type": "application/x-amz-json-1.1",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDWHEEL/20260101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00",
})
deadline = time.time() + 10
while True:
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            body = json.load(answer)
            break
    except ConnectionError:
        if time.time() > deadline:
            raise
        time.sleep(0.1)
assert answer.status == 200, answer.status
assert body.get("ConfigRules") == [], body
print("serve answered DescribeConfigRules:", body)
"#;
        let started = Instant::now();
        let status = Command::new(python).arg("-c").arg(CLIENT).arg(url).status().map_err(|e| e.to_string())?;
        if !status.success() || started.elapsed() > Duration::from_secs(30) {
            return Err(format!("`serve` from the wheel did not answer DescribeConfigRules ({status})"));
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}
