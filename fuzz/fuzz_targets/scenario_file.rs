#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| remediation_suite::fuzzing::scenario_file(data));
