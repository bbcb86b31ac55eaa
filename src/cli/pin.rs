//! Reading a PIN: from a prompt that does not echo, or from standard input
//! with `--pin-stdin`. Never from arguments or the environment.
//!
//! A PIN to be checked is read as typed and sent to the household, which
//! checks it (a PIN too short to be anyone's is a wrong PIN there, counted
//! like any other). A new PIN is checked here first, so the person hears at
//! once that it is too short, before typing it twice.

use std::io::{BufRead, IsTerminal, Write};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use super::CliError;
use crate::auth::Pin;

/// The first line of standard input, as typed (`--pin-stdin`).
pub fn from_stdin() -> Result<String, CliError> {
    let line = stdin_line()?;
    if line.is_empty() {
        return Err(CliError::BadInput(
            "no PIN on standard input: --pin-stdin reads the first line".into(),
        ));
    }
    Ok(line)
}

fn stdin_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Other(format!("cannot read the PIN from standard input: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Fails with a way forward when no terminal can ask for a PIN: `needed`
/// says whose ("a guardian PIN is needed", "Ana's own PIN is needed").
pub fn need_terminal(needed: &str) -> Result<(), CliError> {
    if std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CliError::BadInput(format!(
            "{needed}: run this in a terminal to be asked for it, or pass it on standard input with --pin-stdin"
        )))
    }
}

/// Asks for a PIN at the terminal; nothing typed is no answer, not a wrong PIN.
pub fn prompt(prompt: &str) -> Result<String, CliError> {
    let typed = prompt_hidden(prompt)?;
    if typed.is_empty() {
        return Err(CliError::BadInput(
            "no PIN was typed; nothing was done".into(),
        ));
    }
    Ok(typed)
}

/// Reads a new PIN, checked for length and characters; at a prompt it is
/// typed twice.
pub fn read_new(prompt: &str, from_stdin: bool) -> Result<String, CliError> {
    let typed = if from_stdin {
        from_stdin_line_or_none()?.ok_or_else(|| {
            CliError::BadInput("no PIN on standard input: --pin-stdin reads the first line".into())
        })?
    } else {
        need_terminal("a new PIN is needed")?;
        prompt_hidden(prompt)?
    };
    Pin::parse(&typed)?;
    if !from_stdin {
        confirm(&typed)?;
    }
    Ok(typed)
}

/// Reads a new PIN that may be left out: an empty line (or the end of
/// standard input, or no terminal to ask at) means none.
pub fn read_optional_new(prompt: &str, from_stdin: bool) -> Result<Option<String>, CliError> {
    let typed = if from_stdin {
        from_stdin_line_or_none()?
    } else if std::io::stdin().is_terminal() {
        Some(prompt_hidden(prompt)?).filter(|t| !t.is_empty())
    } else {
        None
    };
    let Some(typed) = typed else {
        return Ok(None);
    };
    Pin::parse(&typed)?;
    if !from_stdin {
        confirm(&typed)?;
    }
    Ok(Some(typed))
}

fn from_stdin_line_or_none() -> Result<Option<String>, CliError> {
    Ok(Some(stdin_line()?).filter(|l| !l.is_empty()))
}

fn confirm(first: &str) -> Result<(), CliError> {
    if prompt_hidden("Type it again: ")? != first {
        return Err(CliError::BadInput(
            "the two PINs differ; nothing was changed".into(),
        ));
    }
    Ok(())
}

/// A warning when a new PIN is easy to guess from a copy of the database.
pub fn weakness(pin: &str) -> Option<&'static str> {
    Pin::parse(pin).ok().and_then(|p| p.weakness())
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
