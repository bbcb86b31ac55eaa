//! `cargo fuzz run filter`: see FUZZING.md. The body lives in the library
//! (`coinguard::fuzz::filter`) so a normal test replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coinguard::fuzz::filter(data));
