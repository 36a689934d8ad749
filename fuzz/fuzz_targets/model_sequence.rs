#![no_main]
libfuzzer_sys::fuzz_target!(init: suite_testkit::fuzzing::model_sequence_init(), |data: &[u8]| suite_testkit::fuzzing::model_sequence(data));
