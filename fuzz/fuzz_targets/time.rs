//! `cargo fuzz run time`: see FUZZING.md. The body lives in the library
//! (`coinguard::fuzz::time`) so a normal test replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coinguard::fuzz::time(data));
