//! Generated sequences per second against the embedded reference endpoint, over real HTTP on
//! loopback, and the wall time of the whole scenario corpus. `cargo bench -p remediation-suite`.

use remediation_suite::generate::{run_generated, GenerateOptions};
use remediation_suite::runner::RunSettings;
use remediation_suite::session::{self, RunOptions};
use std::time::{Duration, Instant};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let options = RunOptions::embedded(1);
    let started = Instant::now();
    let report = runtime.block_on(session::run(&options)).expect("scenario run");
    println!(
        "scenario corpus: {} scenarios, {} steps in {:.2} s ({:.0} steps/s)",
        report.scenarios.len(),
        report.step_counts.total(),
        started.elapsed().as_secs_f64(),
        report.step_counts.total() as f64 / started.elapsed().as_secs_f64()
    );
    let prepared = runtime.block_on(session::prepare_target(&options)).expect("endpoint");
    let settings = RunSettings::new(1);
    let handle = runtime.handle().clone();
    for max_steps in [10, 25] {
        let generate = GenerateOptions { seed: 7, sequences: 2000, max_steps, time_limit: Some(Duration::from_secs(10)) };
        let summary = run_generated(&prepared.target, &settings, &generate, &|future| handle.block_on(future));
        assert!(summary.failure.is_none(), "the reference endpoint must pass every generated sequence");
        println!(
            "generated sequences (up to {max_steps} steps): {} sequences, {} steps in {:.2} s: {:.0} sequences/s, {:.0} steps/s",
            summary.sequences,
            summary.steps,
            summary.seconds,
            summary.sequences as f64 / summary.seconds,
            summary.steps as f64 / summary.seconds
        );
    }
}
