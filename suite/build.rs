//! Indexes where each rule ID appears in the workspace's Rust sources, for `explain`: the model
//! code that implements a rule, the suite code that judges it, and the tests that check it.
//! An installed binary has no sources to search, so the index is made when it is built.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One mention of a rule ID.
struct Mention {
    id: String,
    path: String,
    line: usize,
    /// Inside a test: a file under `tests/`, or after `#[cfg(test)]` in a source file.
    test: bool,
    /// The test function declared on this line, when the line declares one.
    function: Option<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The rule IDs on a line: `R-<SECTION>-<NN>` and `M-<NN>`, at word boundaries.
fn ids(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    for (i, _) in line.match_indices(['R', 'M']) {
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'-') {
            continue;
        }
        let rest = &line[i..];
        let Some(after) = rest.get(2..).filter(|_| rest.as_bytes().get(1) == Some(&b'-')) else { continue };
        let (section, tail) = if rest.starts_with('R') {
            let len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
            match after[len..].strip_prefix('-') {
                Some(tail) if len > 0 => (&after[..len], tail),
                _ => continue,
            }
        } else {
            ("", after)
        };
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let next = tail.as_bytes().get(digits);
        if digits != 2 || next.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            continue;
        }
        let id = if section.is_empty() { format!("M-{}", &tail[..2]) } else { format!("R-{section}-{}", &tail[..2]) };
        if !found.contains(&id) {
            found.push(id);
        }
    }
    found
}

/// `fn r_pre_04_…(` declares a test named after a rule.
fn test_function(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("fn ").or_else(|| line.trim_start().strip_prefix("async fn "))?;
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (name.starts_with("r_") || name.starts_with("m_")).then_some(name)
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("the suite sits in the workspace").to_path_buf();
    let dirs = [
        "reference-model/src",
        "reference-model/tests",
        "reference-endpoint/src",
        "reference-endpoint/tests",
        "suite/src",
        "suite/tests",
        "suite-testkit/src",
        "suite-testkit/tests",
    ];
    let mut mentions = Vec::new();
    for dir in dirs {
        // A path that does not exist makes cargo run this script, and rebuild the suite and all
        // that depends on it, at every build: watch the nearest folder above it that exists instead.
        let path = root.join(dir);
        let watched = path.ancestors().find(|p| p.exists()).unwrap_or(&root).to_path_buf();
        println!("cargo::rerun-if-changed={}", watched.display());
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let path = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
            let mut test = dir.ends_with("tests");
            let mut pending_function: Option<(String, usize)> = None;
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("#[cfg(test)]") {
                    test = true;
                }
                // The catalogue lists every ID, and explain.rs's own tests name some: those lines
                // say nothing about where a rule is used.
                if (path == "reference-model/src/clauses.rs" && !test) || path == "suite/src/explain.rs" {
                    continue;
                }
                if let Some(name) = test_function(line).filter(|_| test) {
                    pending_function = Some((name, n + 1));
                }
                let ids = ids(line);
                for id in ids {
                    mentions.push(Mention { id, path: path.clone(), line: n + 1, test, function: None });
                }
                if let Some((name, at)) = pending_function.take() {
                    // A test named for its rule: `r_pre_04_…` checks R-PRE-04.
                    let upper = name.to_ascii_uppercase();
                    let mut parts = upper.split('_');
                    let id = match (parts.next(), parts.next(), parts.next()) {
                        (Some("R"), Some(section), Some(nn)) => Some(format!("R-{section}-{nn}")),
                        (Some("M"), Some(nn), _) => Some(format!("M-{nn}")),
                        _ => None,
                    };
                    if let Some(id) = id {
                        mentions.push(Mention { id, path: path.clone(), line: at, test: true, function: Some(name) });
                    }
                }
            }
        }
    }
    let mut out = String::from("/// Generated by build.rs: (rule ID, file, line, in a test, test function named for it).\n");
    out.push_str("pub static MENTIONS: &[(&str, &str, u32, bool, Option<&str>)] = &[\n");
    for m in &mentions {
        let function = m.function.as_ref().map_or("None".to_owned(), |f| format!("Some({f:?})"));
        let _ = writeln!(out, "    ({:?}, {:?}, {}, {}, {function}),", m.id, m.path, m.line, m.test);
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_index.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
