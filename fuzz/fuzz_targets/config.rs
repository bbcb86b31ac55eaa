//! `cargo fuzz run config`: see FUZZING.md. The body lives in the library
//! (`coinguard::fuzz::config`) so a normal test replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coinguard::fuzz::config(data));
