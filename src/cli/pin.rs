//! Reading a PIN: from a prompt that does not echo, or from standard input
//! with `--pin-stdin`. Never from arguments or the environment.

use std::io::{BufRead, IsTerminal, Write};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use super::CliError;
use crate::auth::Pin;

/// Reads one PIN. `confirm` asks twice at a prompt (when setting a PIN).
pub fn read_pin(prompt: &str, from_stdin: bool, confirm: bool) -> Result<Pin, CliError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            CliError::Other(format!("cannot read the PIN from standard input: {e}"))
        })?;
        if line.trim_end_matches(['\r', '\n']).is_empty() {
            return Err(CliError::BadInput(
                "no PIN on standard input: --pin-stdin reads the first line".into(),
            ));
        }
        return Pin::parse(&line).map_err(|e| CliError::BadInput(e.to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::BadInput(
            "a guardian PIN is needed: run this in a terminal to be asked for it, or pass it on standard input with --pin-stdin".into(),
        ));
    }
    let first = prompt_hidden(prompt)?;
    let pin = Pin::parse(&first).map_err(|e| CliError::BadInput(e.to_string()))?;
    if confirm {
        let again = prompt_hidden("Type it again: ")?;
        if again != first {
            return Err(CliError::BadInput(
                "the two PINs differ; nothing was changed".into(),
            ));
        }
    }
    Ok(pin)
}

/// Reads a PIN that may be left out: an empty line (or end of input with
/// `--pin-stdin`) means none.
pub fn read_optional_pin(prompt: &str, from_stdin: bool) -> Result<Option<Pin>, CliError> {
    let text = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            CliError::Other(format!("cannot read the PIN from standard input: {e}"))
        })?;
        line
    } else if std::io::stdin().is_terminal() {
        let first = prompt_hidden(prompt)?;
        if !first.is_empty() {
            let again = prompt_hidden("Type it again: ")?;
            if again != first {
                return Err(CliError::BadInput(
                    "the two PINs differ; nothing was changed".into(),
                ));
            }
        }
        first
    } else {
        String::new()
    };
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Ok(None);
    }
    Pin::parse(text)
        .map(Some)
        .map_err(|e| CliError::BadInput(e.to_string()))
}

/// Asks a yes/no question at the terminal; only "y" or "yes" is yes.
pub fn ask_yes(question: &str) -> Result<bool, CliError> {
    let io = |e: std::io::Error| CliError::Other(format!("cannot read from the terminal: {e}"));
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question}")
        .and_then(|()| stderr.flush())
        .map_err(io)?;
    drop(stderr);
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(io)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Reads a line at the terminal without echoing it.
fn prompt_hidden(prompt: &str) -> Result<String, CliError> {
    let io = |e: std::io::Error| CliError::Other(format!("cannot read from the terminal: {e}"));
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{prompt}")
        .and_then(|()| stderr.flush())
        .map_err(io)?;
    drop(stderr);
    terminal::enable_raw_mode().map_err(io)?;
    let mut text = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(CliError::BadInput("cancelled; nothing was changed".into()));
                }
                KeyCode::Char(c) => text.push(c),
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Esc => {
                    break Err(CliError::BadInput("cancelled; nothing was changed".into()));
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(io(e)),
        }
    };
    let _ = terminal::disable_raw_mode();
    super::output::note(format_args!(""));
    result.map(|()| text)
}
