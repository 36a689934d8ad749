#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| remediation_suite::fuzzing::judge_answer(data));
