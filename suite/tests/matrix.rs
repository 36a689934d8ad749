//! The conformance matrix as a person sees it: `remediation-suite matrix` over two real runs of
//! the binary, one of them with a planted FAIL, rendered by headless Chromium. The test reads
//! the rendered page's cells and counts the FAIL colour in a screenshot; the unplanted matrix
//! shows it only in the legend.
//!
//! Chromium is Debian's `chromium` package (`.ci/run` installs it); set `CHROMIUM` to use
//! another binary. Without it this test fails with that advice: it does not skip.

use suite_testkit::TempDir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod support;
use support::binary;

/// The FAIL cells' background (`td.fail` in `report::matrix`).
const FAIL_RGB: [u8; 3] = [230, 80, 80];
/// The PASS cells' background.
const PASS_RGB: [u8; 3] = [120, 200, 120];

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: install Debian's chromium package (apt-get install chromium) or set CHROMIUM",
        path.display()
    );
    path
}

/// Headless Chromium with the flags this sandboxed, offline machine needs.
fn browser(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1400,900",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The page's DOM after Chromium rendered it.
fn rendered_dom(page: &Path, profile: &Path) -> String {
    let out = browser(profile).arg("--dump-dom").arg(format!("file://{}", page.display())).output().expect("chromium runs");
    assert!(out.status.success(), "chromium --dump-dom failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// Pixels of the screenshot with exactly this colour.
fn pixels_of(page: &Path, profile: &Path, shot: &Path, rgb: [u8; 3]) -> usize {
    let out = browser(profile)
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium --screenshot failed: {}", String::from_utf8_lossy(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(shot).expect("the screenshot exists")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a buffer size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "an RGB screenshot, got {:?}", info.color_type);
    buf[..info.buffer_size()].chunks(channels).filter(|px| px[..3] == rgb).count()
}

/// The text of the element with this id in a dumped DOM.
fn cell<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element {id} in the page"));
    let open = start + dom[start..].find('>').expect("the tag closes") + 1;
    let close = open + dom[open..].find("</td>").expect("the cell closes");
    &dom[open..close]
}

fn run_reference(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("a directory");
    let out = dir.display().to_string();
    let done = binary::run(dir, &["run", "--filter", "configurations/", "--sequences", "0", "--out", &out], Duration::from_secs(120));
    assert_eq!(done.code, Some(0), "the reference run conforms: {done:?}");
    dir.join("report.json")
}

#[test]
fn a_planted_fail_is_red_in_the_browser_and_links_to_its_step() {
    let tmp = TempDir::new("matrix");
    let clean = run_reference(&tmp.path().join("clean"));

    // The planted column: the same run, with the step that exercises R-PRC-02 turned FAIL.
    let planted_dir = tmp.path().join("planted");
    std::fs::create_dir_all(&planted_dir).expect("a directory");
    let mut report: Value = serde_json::from_str(&std::fs::read_to_string(&clean).expect("report.json")).expect("JSON");
    let mut planted_step = None;
    for s in report["scenarios"].as_array_mut().expect("scenarios") {
        let id = s["id"].as_str().expect("an id").to_owned();
        for step in s["steps"].as_array_mut().expect("steps") {
            let exercises = step["clauses"].as_array().is_some_and(|c| c.iter().any(|r| r == "R-PRC-02"));
            if exercises && planted_step.is_none() {
                step["verdict"] = "FAIL".into();
                planted_step = Some((id.clone(), step["index"].as_u64().expect("an index")));
            }
        }
    }
    let (scenario, step) = planted_step.expect("a step of configurations/ exercises R-PRC-02");
    std::fs::write(planted_dir.join("report.json"), report.to_string()).expect("written");
    std::fs::copy(clean.with_file_name("report.html"), planted_dir.join("report.html")).expect("copied");

    let readme = tmp.write("README.md", "# x\n\n<!-- matrix:start -->\nold table\n<!-- matrix:end -->\n\nafter\n");
    let out_dir = tmp.path().join("matrix");
    let (clean_arg, planted_arg) =
        (format!("clean run={}", clean.display()), format!("planted run={}", planted_dir.join("report.json").display()));
    let done = binary::run(
        tmp.path(),
        &["matrix", &clean_arg, &planted_arg, "--out", &out_dir.display().to_string(), "--readme", &readme.display().to_string()],
        Duration::from_secs(30),
    );
    assert_eq!(done.code, Some(0), "{done:?}");

    // What the browser shows: the clean cell PASS, the planted one FAIL, linked to its step.
    let page = out_dir.join("matrix.html");
    let profile = tmp.path().join("chromium-profile");
    let dom = rendered_dom(&page, &profile);
    assert!(cell(&dom, "cell-R-PRC-02-0").starts_with("PASS "), "clean cell: {}", cell(&dom, "cell-R-PRC-02-0"));
    let planted_cell = cell(&dom, "cell-R-PRC-02-1");
    assert!(planted_cell.contains(">FAIL 1 of "), "planted cell: {planted_cell}");
    let anchor = format!("s-{}-{step}", scenario.replace('/', "-"));
    assert!(planted_cell.contains(&format!("report.html#{anchor}")), "the cell links to the step: {planted_cell}");
    let target_html = std::fs::read_to_string(planted_dir.join("report.html")).expect("report.html");
    assert!(target_html.contains(&format!("id=\"{anchor}\"")), "report.html has the anchor {anchor}");
    assert!(dom.contains("clean run") && dom.contains("planted run"), "both columns are labelled");

    let shot = tmp.path().join("planted.png");
    let red = pixels_of(&page, &profile, &shot, FAIL_RGB);
    let green = pixels_of(&page, &profile, &shot, PASS_RGB);
    assert!(green > red, "PASS cells are green on screen ({green} pixels)");

    // The same page without the planted column shows no red at all.
    let clean_only = tmp.path().join("clean-only");
    let done = binary::run(tmp.path(), &["matrix", &clean_arg, "--out", &clean_only.display().to_string()], Duration::from_secs(30));
    assert_eq!(done.code, Some(0), "{done:?}");
    let legend_only = pixels_of(&clean_only.join("matrix.html"), &profile, &tmp.path().join("clean.png"), FAIL_RGB);
    assert!(legend_only < 1_000, "without a FAIL only the legend is red ({legend_only} pixels)");
    assert!(red > legend_only + 2_000, "the planted cell adds a cell's worth of red ({red} vs {legend_only})");

    // The README block was replaced by the Markdown table, the rest kept.
    let text = std::fs::read_to_string(&readme).expect("README");
    assert!(!text.contains("old table") && text.ends_with("<!-- matrix:end -->\n\nafter\n"), "{text}");
    assert!(text.contains("**FAIL 1 of ") && text.contains(&format!("(`{scenario}` step {step})")), "{text}");
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let tmp = TempDir::new("matrix-bad");
    let not_report = tmp.write("x.json", "{\"not\": \"a report\"}");
    let no_markers = tmp.write("README.md", "# no markers here\n");
    let clean = run_reference(&tmp.path().join("run"));
    let out = tmp.path().join("out").display().to_string();
    let cases: [(Vec<String>, &str); 3] = [
        (vec![not_report.display().to_string()], "not a report.json of this suite"),
        (vec![tmp.path().join("missing.json").display().to_string()], "missing.json"),
        (vec![clean.display().to_string(), "--readme".into(), no_markers.display().to_string()], "no `<!-- matrix:start -->`"),
    ];
    for (args, said) in cases {
        let mut all = vec!["matrix".to_owned()];
        all.extend(args);
        all.extend(["--out".to_owned(), out.clone()]);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let done = binary::run(tmp.path(), &refs, Duration::from_secs(30));
        assert_eq!(done.code, Some(2), "{done:?}");
        assert!(done.stderr.contains(said), "says {said:?}: {done:?}");
    }
    let readme = std::fs::read_to_string(&no_markers).expect("README");
    assert_eq!(readme, "# no markers here\n", "a README without markers is left as it was");
}
