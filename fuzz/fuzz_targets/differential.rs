#![no_main]
// REMEDIATION_FUZZ_ENDPOINT=http://127.0.0.1:PORT (and REMEDIATION_FUZZ_PROFILE) compare another
// endpoint with the model; unset, the reference endpoint runs in-process.
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_testkit::fuzzing::differential(data));
