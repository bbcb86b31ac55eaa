//! Printing: text lines, or one JSON document for `--json`, on standard
//! output. Every write is checked: when the reader goes away early
//! (`coinguard request list | head -1`) the write fails with `BrokenPipe`,
//! which becomes [`CliError::OutputClosed`] and ends the command quietly,
//! as other Unix tools do, instead of a panic. Nothing here decides what to
//! print; it only prints safely.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use serde_json::{Value, json};

use super::CliError;

/// Prints one line of text on standard output: `say!("{} coins", n)?`.
macro_rules! say {
    () => {
        $crate::cli::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// An error writing to standard output: a closed pipe ends quietly; anything
/// else is reported.
pub fn write_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::OutputClosed
    } else {
        CliError::Other(format!("cannot write to standard output: {e}"))
    }
}

/// One line on standard output (the `say!` macro's body).
pub fn line(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{args}").map_err(write_error)
}

/// One JSON document on standard output.
pub fn json(value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(format!("cannot print JSON: {e}")))?;
    line(format_args!("{text}"))
}

/// Standard output for a long stream (an export), buffered. The export
/// code turns write errors into its own error type, so this remembers
/// whether the reader went away, to end quietly then too.
pub struct Stream {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Stream {
    pub fn new() -> Stream {
        Stream {
            out: std::io::BufWriter::new(std::io::stdout().lock()),
            closed: false,
        }
    }

    /// The stream's result: flushed, or [`CliError::OutputClosed`] if the
    /// reader went away at any point (whatever error the writer reported).
    pub fn finish<T, E: Into<CliError>>(mut self, result: Result<T, E>) -> Result<T, CliError> {
        let flushed = self.flush();
        if self.closed {
            return Err(CliError::OutputClosed);
        }
        let value = result.map_err(Into::into)?;
        flushed.map_err(write_error)?;
        Ok(value)
    }

    fn watch<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed = true;
        }
        result
    }
}

impl Default for Stream {
    fn default() -> Stream {
        Stream::new()
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.out.write(buf);
        self.watch(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.out.flush();
        self.watch(result)
    }
}

/// A note for the person at the terminal, on standard error. A closed
/// standard error is no reason to fail a command, so failures are ignored.
pub fn note(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// Text from the database made harmless for a terminal: control characters
/// (escape sequences, carriage returns, bidirectional overrides, zero-width
/// characters) are shown as `\u{..}` instead of acting on the terminal.
/// Every database-sourced string in text output goes through here: names,
/// memos, reasons, summaries, subjects, notes. JSON needs none of this (its
/// encoder escapes control characters).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters that act on a terminal or hide text instead of showing.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' // zero-width spaces and joiners, LRM/RLM
                | '\u{202a}'..='\u{202e}' // bidirectional embeddings and overrides
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}' // bidirectional isolates
                | '\u{feff}' // zero-width no-break space
        )
}

/// Money in JSON, one shape everywhere: the exact amount as a decimal string
/// (the stored micro-units, trailing zeros dropped) and the currency.
pub fn money(micros: i64, currency: crate::money::Currency) -> Value {
    let amount = crate::money::Money::from_micros(currency, micros).amount();
    json!({"amount": amount.normalize().to_string(), "currency": currency.code()})
}

/// A money figure that is a decimal rather than stored micro-units (a rate
/// per coin, a config value): exact when it fits in micro-units (0.005,
/// 0.99); a rate with no exact decimal (0.99 / 70) is given to the
/// micro-unit, the scale money is stored at.
pub fn decimal_money(amount: rust_decimal::Decimal, currency: crate::money::Currency) -> Value {
    let shown = amount
        .round_dp_with_strategy(
            crate::money::MICRO_SCALE,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        )
        .normalize();
    json!({"amount": shown.to_string(), "currency": currency.code()})
}

/// A limit's amount in JSON: money for a scope counted in money, a whole
/// number of coins otherwise.
pub fn limit_amount(
    amount: i64,
    scope: crate::domain::Scope,
    currency: crate::money::Currency,
) -> Value {
    if scope.counts_money() {
        money(amount, currency)
    } else {
        Value::from(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_shown_not_obeyed() {
        let cases = [
            ("Sam", "Sam"),
            ("Zoë \"Z\", Jr.", "Zoë \"Z\", Jr."),
            ("\u{1b}[2J\u{1b}[31mevil", "\\u{1b}[2J\\u{1b}[31mevil"),
            ("two\nlines\r", "two\\u{a}lines\\u{d}"),
            ("Ana\u{200b}", "Ana\\u{200b}"),
            ("\u{202e}txt.exe", "\\u{202e}txt.exe"),
            ("bell\u{7}", "bell\\u{7}"),
            ("\u{9b}31m", "\\u{9b}31m"),
        ];
        for (given, shown) in cases {
            assert_eq!(clean(given), shown, "{given:?}");
        }
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn money_has_one_json_shape_with_the_exact_amount() {
        let usd = crate::money::Currency::USD;
        assert_eq!(
            money(4_990_000, usd),
            json!({"amount": "4.99", "currency": "USD"})
        );
        assert_eq!(
            money(14_143, usd),
            json!({"amount": "0.014143", "currency": "USD"})
        );
        assert_eq!(money(0, usd), json!({"amount": "0", "currency": "USD"}));
        assert_eq!(
            money(-855_428, usd),
            json!({"amount": "-0.855428", "currency": "USD"})
        );
        let rate = rust_decimal::Decimal::new(99, 2) / rust_decimal::Decimal::from(70);
        assert_eq!(
            decimal_money(rate, usd),
            json!({"amount": "0.014143", "currency": "USD"})
        );
        assert_eq!(
            decimal_money(rust_decimal::Decimal::new(5, 3), usd),
            json!({"amount": "0.005", "currency": "USD"})
        );
    }
}
