//! The thin edge: parse arguments, pick the clock, hand over to the CLI.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match coinguard::cli::Args::try_parse() {
        Ok(args) => args,
        Err(error) => return ExitCode::from(coinguard::cli::usage_failed(error)),
    };
    #[cfg(feature = "cheap-pins")]
    if std::env::var_os("COINGUARD_CHEAP_PINS").is_some() {
        coinguard::auth::hash_pins_cheaply_for_tests();
    }
    let clock = clock();
    match coinguard::cli::run(&args, clock.as_ref()) {
        Ok(code) => ExitCode::from(code),
        // The reader of our output went away (`| head -1`): end quietly.
        Err(coinguard::cli::CliError::OutputClosed) => ExitCode::SUCCESS,
        Err(error) => {
            coinguard::cli::report_error(&args, &error);
            ExitCode::from(error.exit_code())
        }
    }
}

/// The system clock, or with the `fake-clock` feature, `COINGUARD_NOW`.
fn clock() -> Box<dyn coinguard::domain::Clock> {
    #[cfg(feature = "fake-clock")]
    if let Ok(text) = std::env::var("COINGUARD_NOW") {
        match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(at) => {
                return Box::new(coinguard::domain::FixedClock::new(
                    at.with_timezone(&chrono::Utc),
                ));
            }
            Err(e) => eprintln!("coinguard: ignoring COINGUARD_NOW={text:?}: {e}"),
        }
    }
    Box::new(coinguard::domain::SystemClock)
}
