//! Target profiles: what a target can arrange besides the API itself.
//!
//! Some steps need a resource to be NON_COMPLIANT, a valid ResultToken, a clock that can be
//! advanced, or a clean account. The reference endpoint arranges all of these through its
//! control API; moto empties its state through its own `/moto-api/reset`. A step that needs a
//! capability its target lacks ends its scenario there, never passed.
//!
//! Besides the built-in profiles, a profile can be a TOML file (`--target my-emulator.toml`),
//! so an in-house emulator gets its own without a change of code:
//!
//! ```toml
//! name = "my-emulator"                # names the report and the default expectation file
//! capabilities = ["reset"]            # any of "reset", "control", "virtual-clock"
//! reset_path = "/_my/reset"           # POSTed (body {}) before each scenario; needed for reset
//! shared_account = false              # true: the endpoint may hold resources the suite did not make
//! expectations = "my-emulator.expectations.toml"   # relative to this file; optional
//! ```
//!
//! `control` and `virtual-clock` mean the endpoint serves the reference endpoint's control API
//! (`/_reference/control`, `/_reference/clock`, README).

use reference_model::Operation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Something a scenario may need from its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Arrange compliance, issue ResultTokens, mark rules service-linked, script SSM outcomes,
    /// remove the configuration recorder (the reference endpoint's `/_reference/control`).
    Control,
    /// Set and advance the target's clock, so times and execution states are exact.
    VirtualClock,
    /// Start each scenario from an empty account.
    Reset,
    /// The account a reset leaves is the model's starting account: Config set up with a
    /// recording configuration recorder and a delivery channel, both named `default` (A-40).
    /// A starting state is the target's own choice, so only a target that declares the model's
    /// is judged on it.
    StartingState,
}

impl Capability {
    pub const ALL: [Capability; 4] = [Capability::Control, Capability::VirtualClock, Capability::Reset, Capability::StartingState];
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Control => "control",
            Capability::VirtualClock => "virtual-clock",
            Capability::Reset => "reset",
            Capability::StartingState => "starting-state",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operations moto 5.2 has no handler for (`moto/config/responses.py` implements
/// PutConfigRule, DescribeConfigRules, DeleteConfigRule and PutEvaluations of ours).
const MOTO_LACKS: &[Operation] = &[
    Operation::PutRemediationConfigurations,
    Operation::DescribeRemediationConfigurations,
    Operation::DeleteRemediationConfiguration,
    Operation::PutRemediationExceptions,
    Operation::DescribeRemediationExceptions,
    Operation::DeleteRemediationExceptions,
    Operation::StartRemediationExecution,
    Operation::DescribeRemediationExecutionStatus,
    Operation::GetComplianceDetailsByConfigRule,
    Operation::DescribeComplianceByConfigRule,
    Operation::DescribeComplianceByResource,
    Operation::StartConfigRulesEvaluation,
    Operation::DeleteEvaluationResults,
];

/// The real service's regional endpoint, what `--target aws` talks to unless `--endpoint` (or
/// `AWS_ENDPOINT_URL_CONFIG_SERVICE`) says otherwise; never loopback, so `--allow-remote` is
/// needed.
pub fn aws_endpoint(region: &str) -> String {
    format!("https://config.{region}.amazonaws.com")
}

/// What the suite knows about a kind of target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetProfile {
    /// `reference`, `moto`, `localstack`, `aws` or `generic`; also names the expectation file.
    pub name: String,
    pub capabilities: BTreeSet<Capability>,
    /// Operations the target lacks and answers with HTTP 500 and an HTML page (moto). On any
    /// other operation such an answer is a crash: ERROR.
    #[serde(skip)]
    pub html_500_unimplemented: BTreeSet<Operation>,
    /// True when the endpoint may hold resources the suite did not create.
    pub shared_account: bool,
    /// The path POSTed (with `{}`) to empty the account, for the `reset` capability.
    pub reset_path: Option<String>,
    /// The expectation file a profile file names (relative paths are resolved against it).
    #[serde(skip)]
    pub expectations: Option<std::path::PathBuf>,
}

/// A profile file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{path}: cannot read the target profile: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not a target profile: {message}")]
    Format { path: String, message: String },
    #[error("{path}: the reset capability needs reset_path (the path that empties the account)")]
    ResetWithoutPath { path: String },
    #[error("{path}: name {name:?} is a built-in profile's; choose another")]
    BuiltinName { path: String, name: String },
    #[error("unknown target profile {name:?}; known: {}, or a profile file (*.toml)", TargetProfile::NAMES.join(", "))]
    Unknown { name: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    capabilities: Vec<Capability>,
    #[serde(default)]
    reset_path: Option<String>,
    #[serde(default)]
    shared_account: bool,
    #[serde(default)]
    expectations: Option<std::path::PathBuf>,
}

impl TargetProfile {
    pub const NAMES: [&'static str; 6] = ["reference", "moto", "localstack", "fakecloud", "aws", "generic"];

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<TargetProfile> {
        let profile = |caps: &[Capability], html: &[Operation], shared: bool| TargetProfile {
            name: name.to_owned(),
            capabilities: caps.iter().copied().collect(),
            html_500_unimplemented: html.iter().copied().collect(),
            shared_account: shared,
            reset_path: None,
            expectations: None,
        };
        match name {
            "reference" => Some(TargetProfile { reset_path: Some("/_reference/reset".into()), ..profile(&Capability::ALL, &[], false) }),
            // moto empties every backend on POST /moto-api/reset (moto/moto_api/_internal/responses.py).
            // LocalStack's community edition has no such route (4.14: /_localstack/state/* is 404).
            "moto" => Some(TargetProfile { reset_path: Some("/moto-api/reset".into()), ..profile(&[Capability::Reset], MOTO_LACKS, false) }),
            "localstack" => Some(profile(&[], &[], false)),
            // fakecloud 0.51 empties one service's state on POST /_fakecloud/reset/{service}
            // (fakecloud/src/main.rs); only Config's is touched, whatever else the instance holds.
            "fakecloud" => Some(TargetProfile { reset_path: Some("/_fakecloud/reset/config".into()), ..profile(&[Capability::Reset], &[], false) }),
            "aws" => Some(profile(&[], &[], true)),
            "generic" => Some(profile(&[], &[], true)),
            _ => None,
        }
    }

    /// What `--target` names: a built-in profile by name, or a profile file when
    /// `name_or_path` ends with `.toml`. The CLI resolves it once; the run gets the profile.
    pub fn resolve(name_or_path: &str) -> Result<TargetProfile, ProfileError> {
        if name_or_path.ends_with(".toml") {
            return TargetProfile::load(std::path::Path::new(name_or_path));
        }
        TargetProfile::builtin(name_or_path).ok_or_else(|| ProfileError::Unknown { name: name_or_path.to_owned() })
    }

    /// The profile of a run that names none: `generic` for a given endpoint, else `reference`
    /// (the in-process endpoint).
    pub fn default_for(endpoint_given: bool) -> TargetProfile {
        let name = if endpoint_given { "generic" } else { "reference" };
        TargetProfile::builtin(name).unwrap_or_else(|| unreachable!("{name} is a built-in profile"))
    }

    /// Reads a profile file (format in the module documentation).
    pub fn load(path: &std::path::Path) -> Result<TargetProfile, ProfileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read { path: shown.clone(), source })?;
        let file: ProfileFile = toml::from_str(&text).map_err(|e| ProfileError::Format { path: shown.clone(), message: e.to_string() })?;
        if TargetProfile::NAMES.contains(&file.name.as_str()) {
            return Err(ProfileError::BuiltinName { path: shown, name: file.name });
        }
        if file.capabilities.contains(&Capability::Reset) && file.reset_path.is_none() {
            return Err(ProfileError::ResetWithoutPath { path: shown });
        }
        let expectations = file.expectations.map(|e| path.parent().map_or(e.clone(), |dir| dir.join(&e)));
        Ok(TargetProfile {
            name: file.name,
            capabilities: file.capabilities.into_iter().collect(),
            html_500_unimplemented: BTreeSet::new(),
            shared_account: file.shared_account,
            reset_path: file.reset_path,
            expectations,
        })
    }

    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("profile-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("the file is written");
        path
    }

    #[test]
    fn a_profile_file_gives_capabilities_reset_and_expectations() {
        let path = write("mine", "name = \"mine\"\ncapabilities = [\"reset\"]\nreset_path = \"/_my/reset\"\nexpectations = \"mine.exp.toml\"\n");
        let profile = TargetProfile::resolve(path.to_str().unwrap()).expect("a valid profile");
        assert_eq!(profile.name, "mine");
        assert!(profile.has(Capability::Reset) && !profile.has(Capability::Control));
        assert_eq!(profile.reset_path.as_deref(), Some("/_my/reset"));
        assert_eq!(profile.expectations, Some(path.parent().unwrap().join("mine.exp.toml")));
    }

    #[test]
    fn bad_profile_files_are_refused_with_the_reason() {
        let cases = [
            ("no-path", "name = \"x\"\ncapabilities = [\"reset\"]\n", "needs reset_path"),
            ("unknown-cap", "name = \"x\"\ncapabilities = [\"teleport\"]\n", "unknown variant"),
            ("extra", "name = \"x\"\ncolour = \"red\"\n", "unknown field"),
            ("builtin", "name = \"moto\"\n", "built-in profile"),
        ];
        for (name, text, says) in cases {
            let err = TargetProfile::load(&write(name, text)).expect_err(name).to_string();
            assert!(err.contains(says) && err.contains(".toml"), "{name}: {err}");
        }
        let missing = TargetProfile::load(std::path::Path::new("/nonexistent/p.toml")).expect_err("missing").to_string();
        assert!(missing.contains("cannot read the target profile"), "{missing}");
    }

    #[test]
    fn the_aws_target_is_the_regional_endpoint() {
        assert_eq!(aws_endpoint("eu-west-3"), "https://config.eu-west-3.amazonaws.com");
        assert!(TargetProfile::builtin("aws").expect("built in").capabilities.is_empty());
    }

    #[test]
    fn moto_resets_through_its_own_route_and_localstack_cannot() {
        let moto = TargetProfile::builtin("moto").expect("built in");
        assert!(moto.has(Capability::Reset));
        assert_eq!(moto.reset_path.as_deref(), Some("/moto-api/reset"));
        assert!(!TargetProfile::builtin("localstack").expect("built in").has(Capability::Reset));
        assert_eq!(TargetProfile::builtin("reference").expect("built in").reset_path.as_deref(), Some("/_reference/reset"));
    }
}
