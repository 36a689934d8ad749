#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| suite_testkit::fuzzing::model_sequence_long(data));
