//! The terminal interface: pick who you are, then the member screens (wallet,
//! shop, gifts, requests, history) or the guardian screens (dashboard,
//! approvals, members, audit).
//!
//! The loop: draw from the view model, read a key, `update` the pure app
//! state, run any effect through the services, reload the view model. The
//! view model is also reloaded when another process commits (PRAGMA
//! data_version, checked between keys), never queried per frame.

pub mod app;
pub mod keymap;
pub mod render;
pub mod view;

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use crate::auth::{self, Pin, Who};
use crate::domain::{Clock, Memo, Role};
use crate::ledger::{self, Store};
use crate::services::{self, GiftRequest, Mode, OutcomeKind, PurchaseRequest, ServiceError};
use app::{App, Effect, Screen, Tone};

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the terminal interface needs a terminal; use the commands instead (coinguard --help)")]
    NotATerminal,
    #[error("terminal error: {0}")]
    Terminal(#[from] std::io::Error),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

fn data_version(store: &Store) -> i64 {
    store
        .conn()
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Opens the interface on the household at `path` until the person quits.
pub fn run(path: &Path, clock: &dyn Clock) -> Result<(), TuiError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let mut store = Store::open(path).map_err(ServiceError::from)?;
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, &mut store, clock);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    store: &mut Store,
    clock: &dyn Clock,
) -> Result<(), TuiError> {
    let theme = render::Theme::from_env();
    let mut app = App::default();
    let mut vm = view::load(store, clock, None, app.gift)?;
    let mut seen = data_version(store);
    loop {
        terminal.draw(|frame| render::render(&app, &vm, theme, frame))?;
        if app.quit {
            return Ok(());
        }
        if !event::poll(Duration::from_millis(250))? {
            let now = data_version(store);
            if now != seen {
                seen = now;
                reload(&mut vm, &mut app, store, clock);
            }
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Ok(());
        }
        if app.typing() {
            match key.code {
                KeyCode::Char(c) => {
                    app.type_char(c);
                    continue;
                }
                KeyCode::Backspace => {
                    app.backspace();
                    continue;
                }
                _ => {}
            }
        }
        let Some(command) =
            keymap::command_for(&key.code, key.modifiers.contains(KeyModifiers::SHIFT))
        else {
            continue;
        };
        if let Some(effect) = app::update(&mut app, command, &vm) {
            apply(effect, &mut app, store, clock);
            reload(&mut vm, &mut app, store, clock);
            seen = data_version(store);
        }
    }
}

fn reload(vm: &mut view::ViewModel, app: &mut App, store: &mut Store, clock: &dyn Clock) {
    match view::load(store, clock, app.who.as_ref().map(|w| w.0), app.gift) {
        Ok(fresh) => {
            let verify = vm.guardian.as_ref().and_then(|g| g.verify.clone());
            *vm = fresh;
            if let Some(g) = vm.guardian.as_mut() {
                g.verify = verify;
            }
        }
        Err(e) => app.message = Some((format!("Could not refresh: {e}"), Tone::Bad)),
    }
}

fn said(outcome: Result<services::Outcome, ServiceError>) -> (String, Tone) {
    match outcome {
        Ok(o) => match o.kind {
            OutcomeKind::Committed | OutcomeKind::WouldCommit => {
                (format!("Done: {}", o.summary), Tone::Good)
            }
            OutcomeKind::Pending => (
                format!(
                    "Asked a guardian (request #{}): {}",
                    o.request.unwrap_or_default(),
                    o.reasons
                        .first()
                        .map(|r| r.message.as_str())
                        .unwrap_or_default()
                ),
                Tone::Warning,
            ),
            OutcomeKind::Denied => (
                format!(
                    "Refused: {}",
                    o.reasons
                        .first()
                        .map(|r| r.message.as_str())
                        .unwrap_or_default()
                ),
                Tone::Bad,
            ),
        },
        Err(e) => (e.to_string(), Tone::Bad),
    }
}

/// Runs one effect through the services and says how it went.
fn apply(effect: Effect, app: &mut App, store: &mut Store, clock: &dyn Clock) {
    let me = app.who.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let pin = |text: &str| Pin::parse(text).map_err(ServiceError::Auth);
    let message = match effect {
        Effect::Reload => None,
        Effect::SignOut => {
            *app = App::default();
            None
        }
        Effect::SignIn { member, pin: typed } => {
            let found = ledger::member_by_id(store.conn(), member).ok().flatten();
            match found {
                None => Some(("That member is gone; pick again".to_string(), Tone::Bad)),
                Some(m) => {
                    let checked = match typed {
                        Some(typed) => pin(&typed)
                            .and_then(|p| {
                                auth::authenticate(store, clock, Who::Member(m.name.as_str()), &p)
                                    .map_err(ServiceError::from)
                            })
                            .map(|_| ()),
                        None => Ok(()),
                    };
                    match checked {
                        Ok(()) => {
                            let guardian = m.role == Role::Guardian;
                            app.who = Some((m.id, m.name.to_string(), guardian));
                            app.screen = if guardian {
                                Screen::Dashboard
                            } else {
                                Screen::Wallet
                            };
                            app.cursor = 0;
                            None
                        }
                        Err(e) => Some((e.to_string(), Tone::Bad)),
                    }
                }
            }
        }
        Effect::Buy { pack } => Some(said(services::purchase(
            store,
            clock,
            Mode::Commit,
            &PurchaseRequest::Pack {
                member: &me,
                pack: &pack,
                key: None,
            },
        ))),
        Effect::Gift {
            creator,
            gift,
            count,
        } => {
            let gift_id = store
                .config()
                .ok()
                .and_then(|c| c.economy.gifts.get(gift).map(|g| g.id.clone()))
                .unwrap_or_default();
            Some(said(services::gift(
                store,
                clock,
                Mode::Commit,
                &GiftRequest {
                    member: &me,
                    creator: &creator,
                    gift: &gift_id,
                    count,
                    key: None,
                },
            )))
        }
        Effect::Approve {
            request,
            pin: typed,
        } => {
            let outcome = pin(&typed)
                .and_then(|p| {
                    auth::guardian_pass(store, clock, Some(&me), &p).map_err(ServiceError::from)
                })
                .and_then(|pass| services::approve(store, clock, pass, request));
            Some(said(outcome))
        }
        Effect::Deny {
            request,
            reason,
            pin: typed,
        } => {
            let outcome = pin(&typed)
                .and_then(|p| {
                    auth::guardian_pass(store, clock, Some(&me), &p).map_err(ServiceError::from)
                })
                .and_then(|pass| Ok((pass, Memo::parse(&reason)?)))
                .and_then(|(pass, reason)| services::deny(store, clock, pass, request, &reason));
            Some(match outcome {
                Ok(r) => (
                    format!(
                        "Denied request #{}: they will see \"{}\"",
                        r.id,
                        r.resolution.unwrap_or_default()
                    ),
                    Tone::Good,
                ),
                Err(e) => (e.to_string(), Tone::Bad),
            })
        }
        Effect::Verify => Some(match ledger::verify(store.conn()) {
            Ok(report) => match report.problem {
                None => (
                    format!(
                        "All good: checked {} transactions, {} decisions, {} guardian actions",
                        report.transactions, report.decisions, report.guardian_actions
                    ),
                    Tone::Good,
                ),
                Some(p) => (format!("PROBLEM: {}: {}", p.entry, p.message), Tone::Bad),
            },
            Err(e) => (e.to_string(), Tone::Bad),
        }),
    };
    if let Some(message) = message {
        app.message = Some(message);
    }
}
