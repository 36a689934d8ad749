//! Regression snapshots: the reference endpoint's normalised transcript of every scenario
//! (`snapshots/reference/*.snap`). The runner already judges every answer against the model;
//! these catch any change of what the endpoint actually sends (a reworded message, a member
//! that appears or goes, a different order) so that it is reviewed (`cargo insta review`)
//! rather than slipped in. The endpoint runs on its virtual clock, so times are exact.

use remediation_suite::session::{self, RunOptions};
use remediation_suite::transcript::{file_stem, transcript};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_matches_its_reference_transcript() {
    let options = RunOptions::embedded(0);
    let report = session::run(&options).await.expect("the scenarios run");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots/reference"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for result in &report.scenarios {
            insta::assert_json_snapshot!(file_stem(&result.id), transcript(result, &result.prefix, true));
        }
    });
}
