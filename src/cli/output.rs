//! Printing: text lines, or one JSON document for `--json`, on standard
//! output. Every write is checked: when the reader goes away early
//! (`coinguard request list | head -1`) the write fails with `BrokenPipe`,
//! which becomes [`CliError::OutputClosed`] and ends the command quietly,
//! as other Unix tools do, instead of a panic. Nothing here decides what to
//! print; it only prints safely.

use std::fmt;
use std::io::Write;

use unicode_width::UnicodeWidthStr;

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

/// One JSON document on standard output: a reply's view, or a shape of
/// this module that wraps one.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
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

/// Text from the household made harmless for a terminal (see
/// [`crate::domain::printable`]): every database-sourced string in text
/// output goes through it. JSON needs none of this (its encoder escapes
/// control characters).
pub use crate::domain::printable::clean;

/// A reply's view with what happened said first, for `--json`:
/// `{"outcome": "changed", "by": ..., "what": ..., ...}`.
#[derive(serde::Serialize)]
pub struct Tagged<'a, T: serde::Serialize> {
    pub outcome: &'static str,
    #[serde(flatten)]
    pub view: &'a T,
}

/// Prints `view` under `--json` with its outcome word.
pub fn tagged<T: serde::Serialize>(outcome: &'static str, view: &T) -> Result<(), CliError> {
    json(&Tagged { outcome, view })
}

/// How many columns `text` takes on a terminal: wide characters (CJK,
/// most emoji) take two, combining marks none.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `columns` on a terminal.
pub fn left(text: &str, columns: usize) -> String {
    let pad = columns.saturating_sub(width(text));
    format!("{text}{}", " ".repeat(pad))
}

/// `text` after spaces up to `columns` on a terminal.
pub fn right(text: &str, columns: usize) -> String {
    let pad = columns.saturating_sub(width(text));
    format!("{}{text}", " ".repeat(pad))
}

/// Lines of cells laid out in columns as wide as their widest cell (at
/// least the given minimum), measured in terminal columns, so names with
/// wide or combining characters line up.
pub struct Table {
    /// For each column: right-aligned (figures), and its least width.
    columns: Vec<(bool, usize)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns`: for each, whether it is right-aligned and its least width.
    pub fn new(columns: &[(bool, usize)]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The lines, cells separated by `gap`, trailing spaces trimmed.
    pub fn lines(&self, indent: &str, gap: &str) -> Vec<String> {
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, least))| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| width(c))
                    .max()
                    .unwrap_or(0)
                    .max(*least)
            })
            .collect();
        self.rows
            .iter()
            .map(|cells| {
                let laid: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let w = widths.get(i).copied().unwrap_or(0);
                        match self.columns.get(i) {
                            Some((true, _)) => right(cell, w),
                            _ => left(cell, w),
                        }
                    })
                    .collect();
                format!("{indent}{}", laid.join(gap)).trim_end().to_string()
            })
            .collect()
    }
}

/// `1 transaction`, `3 transactions`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        crate::money::group_thousands(n),
        if n == 1 { one } else { many }
    )
}

/// A value as a shell word: as it is when it is plain, else in single
/// quotes (for commands shown to be run again).
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '#' | '+'));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
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
        assert!(matches!(clean("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn columns_are_measured_on_the_terminal_not_in_characters() {
        assert_eq!(width("Sam"), 3);
        assert_eq!(width("美咲"), 4);
        assert_eq!(width("Zoe\u{301}"), 3);
        let mut table = Table::new(&[(false, 0), (true, 5)]);
        table.row(vec!["美咲".into(), "1".into()]);
        table.row(vec!["Zoe\u{301}".into(), "22".into()]);
        table.row(vec!["Sam".into(), "333".into()]);
        assert_eq!(
            table.lines("", " "),
            ["美咲     1", "Zoe\u{301}     22", "Sam    333"]
        );
    }

    #[test]
    fn counts_and_shell_words_read_right() {
        assert_eq!(count(1, "transaction", "transactions"), "1 transaction");
        assert_eq!(count(0, "transaction", "transactions"), "0 transactions");
        assert_eq!(count(1500, "request", "requests"), "1,500 requests");
        assert_eq!(shell_word("Sam"), "Sam");
        assert_eq!(shell_word("2026-03-01"), "2026-03-01");
        assert_eq!(shell_word("Zoë Z"), "'Zoë Z'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}

/// One line of progress on stderr, rewritten in place (a dependency such
/// as indicatif would do it too; one line needs twenty lines of code).
#[derive(Default)]
pub struct ProgressLine {
    width: usize,
}

impl ProgressLine {
    /// Whether a progress line is shown at all: only at a terminal, and
    /// never with `--json` (piped, nothing extra is printed).
    pub fn wanted(json: bool) -> bool {
        !json && std::io::IsTerminal::is_terminal(&std::io::stderr())
    }

    pub fn show(&mut self, text: &str) {
        use std::io::Write;
        let pad = self.width.saturating_sub(text.chars().count());
        self.width = text.chars().count();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{text}{}", " ".repeat(pad));
        let _ = err.flush();
    }

    pub fn clear(&mut self) {
        use std::io::Write;
        if self.width > 0 {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(self.width));
            let _ = err.flush();
        }
    }
}
