//! The terminal interface: pick who you are, then the member screens (wallet,
//! shop, gifts, requests, history; a creator's earnings first), or the
//! guardian screens (dashboard, approvals, members, limits, audit).
//!
//! It reaches the household only through the household's one API
//! ([`Household`]: in this process with `--db`, or the household service
//! over its socket), the same calls either way, so nothing here knows which
//! mode it runs in, and nothing here reads the database or the clock.
//!
//! Modules: `app` (state and the pure update), `keymap` (one table for keys,
//! footer and help), `model` (the view model of the screen in front) and
//! `view` (loading it through the API), `screens` (each screen's keys,
//! load and drawing), `render` and `popup` (pure drawing), `editor` and
//! `filter` (pure decisions for the rules editor and the `/` filter),
//! `effects` (running an effect as a call to the household).
//!
//! The loop: draw from the view model, read a key, `update` the pure app
//! state, run any effect as a call, reload the screen in front. The
//! household's version (one cheap call, about twice a second between keys)
//! says when anything changed anywhere; only then is the screen reloaded,
//! never queried per frame. SIGTERM, SIGHUP and SIGINT only set a flag the
//! loop checks, so every way out restores the terminal and closes the
//! household the same way.

pub mod app;
mod command;
pub mod editor;
mod effects;
pub mod filter;
pub mod keymap;
mod loads;
mod making;
mod model;
pub mod popup;
pub mod render;
pub mod screen;
mod screens;
mod state;
mod text;
pub mod theme;
pub mod view;
mod widgets;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers, MouseButton, MouseEventKind,
};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::api::{ApiError, Call};
use crate::client::Household;
use app::{App, Tone};

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the terminal interface needs a terminal; use the commands instead (coinguard --help)")]
    NotATerminal,
    #[error("terminal error: {0}")]
    Terminal(#[from] std::io::Error),
    /// The household (in this process or the service) refused or failed;
    /// named as the command line already matches it.
    #[error(transparent)]
    Service(#[from] ApiError),
}

/// The interface needs a terminal on both ends: said before anything is
/// opened.
pub fn ensure_terminal() -> Result<(), TuiError> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(TuiError::NotATerminal)
    }
}

/// How often the household's version is asked for between keys.
const VERSION_EVERY: Duration = Duration::from_millis(500);

/// The household's version: it moves whenever anything changes anywhere.
fn version(h: &mut Household<'_>) -> Option<u64> {
    match h.call(Call::Version) {
        Ok(crate::api::Reply::Version { version }) => Some(version),
        _ => None,
    }
}

/// Opens the interface on `household` (embedded or through the service)
/// until the person quits, or a SIGTERM, SIGHUP or SIGINT asks it to stop:
/// either way it leaves the same way, the terminal restored and the
/// household closed.
pub fn run(household: Household<'_>) -> Result<(), TuiError> {
    ensure_terminal()?;
    let mut household = household;
    watched(|stop| {
        in_terminal(|terminal| {
            // Slow work (verify, export) runs on threads of this scope;
            // leaving tells it to stop, and the scope waits the moment
            // that takes.
            let leaving = AtomicBool::new(false);
            std::thread::scope(|scope| {
                let result = event_loop(terminal, &mut household, stop, (scope, &leaving));
                leaving.store(true, Ordering::SeqCst);
                result
            })
        })
    })
}

/// What became of a household made under the interface (see [`run_after`]).
pub enum Made<T, E> {
    /// Made (the work's answer), then opened until the person quit.
    Opened(T),
    /// Stopped before it was made, as asked (q, Esc, a signal, the
    /// terminal gone): the work left nothing behind.
    Stopped,
    /// The work failed (its error), before the interface had a household.
    Failed(E),
}

/// Opens the interface at once on a household still being made (the
/// demo's first run): `work` makes it on a thread beside the screen,
/// telling its progress (`done` of `total` steps) and asking after each
/// step whether to go on; the screen shows a gauge with counts, and q or
/// Esc stops it (the work then removes what it had made). When it is
/// made, `open` opens it and the interface goes on as [`run`] does, on the
/// pick screen.
pub fn run_after<'c, T: Send, E: Send>(
    what: &'static str,
    total: u64,
    work: impl FnOnce(&mut dyn FnMut(u64) -> bool) -> Result<Option<T>, E> + Send,
    open: impl FnOnce() -> Result<Household<'c>, ApiError>,
) -> Result<Made<T, E>, TuiError> {
    ensure_terminal()?;
    watched(|stop| {
        in_terminal(|terminal| {
            let leaving = AtomicBool::new(false);
            let mut making = making::Making::new(what, total);
            let made = std::thread::scope(|scope| make(terminal, scope, &mut making, work, stop))?;
            match made {
                Ok(Some(made)) => {
                    let mut household = open()?;
                    std::thread::scope(|scope| {
                        let result = event_loop(terminal, &mut household, stop, (scope, &leaving));
                        leaving.store(true, Ordering::SeqCst);
                        result
                    })?;
                    Ok(Made::Opened(made))
                }
                Ok(None) => Ok(Made::Stopped),
                Err(e) => Ok(Made::Failed(e)),
            }
        })
    })
}

/// Shows `making` while `work` runs on a thread of `scope`; its answer.
/// Keys meanwhile only stop it (see [`making::update`]); a signal, Ctrl-C
/// or the terminal going away stops it too. Either way it waits for the
/// work to end (it stops at its next step), so nothing is left half made.
fn make<'scope, T: Send + 'scope, E: Send + 'scope>(
    terminal: &mut ratatui::DefaultTerminal,
    scope: &'scope std::thread::Scope<'scope, '_>,
    making: &mut making::Making,
    work: impl FnOnce(&mut dyn FnMut(u64) -> bool) -> Result<Option<T>, E> + Send + 'scope,
    stop: &AtomicBool,
) -> Result<Result<Option<T>, E>, TuiError> {
    let theme = render::Theme::from_env();
    let (tx, steps) = mpsc::channel();
    let asked = Arc::new(AtomicBool::new(false));
    let stopping = Arc::clone(&asked);
    let worker = scope.spawn(move || {
        work(&mut |done| {
            let _ = tx.send(done);
            !stopping.load(Ordering::SeqCst)
        })
    });
    let mut gone = false;
    loop {
        while let Ok(done) = steps.try_recv() {
            making.done = done;
        }
        if stop.load(Ordering::SeqCst) {
            making.stopping = true;
        }
        if making.stopping {
            asked.store(true, Ordering::SeqCst);
        }
        if !gone {
            terminal.draw(|frame| making::render(making, theme, frame))?;
        }
        if worker.is_finished() {
            let answer = worker.join().map_err(|_| {
                std::io::Error::other(format!("{} stopped unexpectedly", making.what))
            })?;
            // Keys typed while it was made never land on what comes next.
            while !gone && event::poll(Duration::ZERO)? {
                let _typed_while_it_was_made = event::read()?;
            }
            // Stopped while its last step ran: leaving was asked for.
            return Ok(match answer {
                Ok(Some(_)) if making.stopping => Ok(None),
                answer => answer,
            });
        }
        if gone {
            std::thread::sleep(BUSY_FRAME);
            continue;
        }
        if let Terminal::Gone = wait_for_terminal(BUSY_FRAME) {
            gone = true;
            making.stopping = true;
            continue;
        }
        while event::poll(Duration::ZERO)? {
            if let Event::Key(key) = event::read()?
                && key.kind != KeyEventKind::Release
            {
                let ctrl_c =
                    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                let command =
                    keymap::command_for(&key.code, key.modifiers.contains(KeyModifiers::SHIFT));
                if ctrl_c || command.is_some_and(|c| making::update(making, c)) {
                    making.stopping = true;
                }
            }
        }
    }
}

/// Runs `body` with SIGTERM, SIGHUP and SIGINT only setting the flag it
/// is given (see [`run`]), and a watchdog for a loop that cannot come
/// round to see it.
fn watched<R>(body: impl FnOnce(&AtomicBool) -> Result<R, TuiError>) -> Result<R, TuiError> {
    // A signal only sets this flag; the event loop sees it within one poll
    // and returns, so nothing exits from inside a handler.
    let stop = Arc::new(AtomicBool::new(false));
    let mut handlers = Vec::new();
    for signal in [SIGTERM, SIGHUP, SIGINT] {
        handlers.push(signal_hook::flag::register(signal, Arc::clone(&stop))?);
    }
    // The last resort: if a signal asked us to stop and the loop has not
    // come round within STUCK (it is inside crossterm, reading a terminal
    // that is gone), the process ends here. No write is in flight then (the
    // loop only waits for a key), and SQLite keeps every commit either way.
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (stop, done) = (Arc::clone(&stop), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut asked: Option<Instant> = None;
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
                if stop.load(Ordering::SeqCst) {
                    let since = *asked.get_or_insert_with(Instant::now);
                    if since.elapsed() > STUCK && !done.load(Ordering::SeqCst) {
                        std::process::exit(0);
                    }
                }
            }
        })
    };
    let result = body(&stop);
    done.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    for handler in handlers {
        signal_hook::low_level::unregister(handler);
    }
    result
}

/// How long the event loop may take to notice a stop signal before the
/// process ends without it.
const STUCK: Duration = Duration::from_secs(2);

/// The terminal taken over for `body` (raw mode, the alternate screen,
/// the mouse) and given back on every way out.
fn in_terminal<R>(
    body: impl FnOnce(&mut ratatui::DefaultTerminal) -> Result<R, TuiError>,
) -> Result<R, TuiError> {
    let mut terminal = ratatui::try_init()?;
    // Mouse reporting is switched off again on every way out, a panic
    // included (ratatui's own hook then restores the rest of the terminal).
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        restore_hook(info);
    }));
    let result = crossterm::execute!(std::io::stdout(), EnableMouseCapture)
        .map_err(TuiError::from)
        .and_then(|()| body(&mut terminal));
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// News from slow work running beside the screens.
enum News {
    Step(effects::Step),
    Done(effects::Done),
}

/// Slow work running: where its news arrives, and how to stop it.
struct Job {
    news: mpsc::Receiver<News>,
    stop: Arc<AtomicBool>,
    /// It checks a PIN (a popup says so; no gauge).
    pin: bool,
}

/// How often the screen is drawn again while slow work runs (its gauge).
const BUSY_FRAME: Duration = Duration::from_millis(50);

/// How often a load beside the screens is looked for while it is awaited
/// (its answer is drawn within this of arriving).
const LOADING_FRAME: Duration = Duration::from_millis(3);

/// Starts slow work on another connection to the household, on a thread
/// of `scope`; its progress and its answer come back as [`News`].
fn start<'scope, 'c: 'scope>(
    slow: effects::Slow,
    h: &Household<'c>,
    (scope, leaving): (&'scope std::thread::Scope<'scope, '_>, &'scope AtomicBool),
    app: &mut App,
) -> Option<Job> {
    let mut worker = match h.another() {
        Ok(worker) => worker,
        Err(e) => {
            app.message = Some((view::shown(&e.message), Tone::Bad));
            return None;
        }
    };
    let (tx, news) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let pin = slow.checks_pin();
    slow.begin(app);
    let stopped = Arc::clone(&stop);
    scope.spawn(move || {
        let mut progress = |step: effects::Step| {
            let _ = tx.send(News::Step(step));
            !stopped.load(Ordering::SeqCst) && !leaving.load(Ordering::SeqCst)
        };
        let _ = tx.send(News::Done(slow.run(&mut worker, &mut progress)));
    });
    Some(Job { news, stop, pin })
}

/// An allowance this process could not pay is said on the message line
/// while it lasts (the command line says it on stderr), unless something
/// the person did is being said there; once paid, the line is cleared if
/// it still says so. `shown` is what this put on the line.
fn unpaid_said(app: &mut App, unpaid: Option<String>, shown: &mut Option<String>) {
    match (unpaid, &app.message) {
        (Some(why), None) => {
            let text = model::shown(&why);
            app.message = Some((text.clone(), Tone::Bad));
            *shown = Some(text);
        }
        (None, Some((said, _))) if shown.as_ref() == Some(said) => {
            app.message = None;
            *shown = None;
        }
        _ => {}
    }
}

fn event_loop<'scope, 'c: 'scope>(
    terminal: &mut ratatui::DefaultTerminal,
    h: &mut Household<'c>,
    stop: &AtomicBool,
    beside: (&'scope std::thread::Scope<'scope, '_>, &'scope AtomicBool),
) -> Result<(), TuiError> {
    // Slow work beside the screens: a verify or an export, and apart
    // from it a PIN being checked (so a PIN never waits for a verify).
    let mut job: Option<Job> = None;
    let mut checking: Option<Job> = None;
    let theme = render::Theme::from_env();
    let mut app = App::default();
    let mut seen = version(h);
    let mut vm = view::load(h, None, app.screen, &app.selection)?;
    let mut asked_at = Instant::now();
    let mut hits = render::Hits::default();
    // Guarded prompts (a PIN, signing out): keys typed before one opened
    // never land in it. Those already read are dropped when it opens, and so
    // are those read within GUARD of it, sooner than anyone can read it.
    let mut opens_seen = app.guarded_opens;
    let mut guard_until: Option<Instant> = None;
    // The screen in front, loaded again after a change: here, or beside
    // the screens for one whose load may be slow.
    let mut loads = loads::Loads::default();
    let mut unpaid_shown: Option<String> = None;
    loop {
        unpaid_said(&mut app, h.unpaid(), &mut unpaid_shown);
        terminal.draw(|frame| hits = render::render(&app, &vm, theme, frame))?;
        // A popup scrolled past its end comes back to its last line.
        app.popup_scroll = hits.popup_scroll;
        if app.quit || stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Wait for the terminal ourselves: crossterm reads a terminal that
        // went away (its window closed, tmux killed) as "no key yet" in a
        // loop it never leaves. A hang-up or a signal ends the wait here.
        // Keys crossterm already read (a burst of typing arrives in one
        // read) come first, without waiting.
        if let Terminal::Gone = wait_for_terminal(Duration::ZERO) {
            return Ok(());
        }
        let mut finished = false;
        for slot in [&mut job, &mut checking] {
            if let Some(running) = slot.as_ref()
                && hear(running, &mut app)
            {
                *slot = None;
                finished = true;
            }
        }
        if finished {
            // Its answer may have signed someone in, or asked for the PIN
            // again: that frame is drawn first, and keys typed while it
            // ran never land in a prompt it opened.
            seen = version(h);
            loads.reload(&mut vm, &mut app, h, beside.0);
            guard_new_prompt(&app, &mut opens_seen, &mut guard_until)?;
            continue;
        }
        // A load beside the screens has come: drawn at once.
        if loads.take(&mut vm, &mut app) {
            continue;
        }
        let mut ready = event::poll(Duration::ZERO)?;
        if !ready {
            let wait = if app.loading {
                LOADING_FRAME
            } else if job.is_some() || checking.is_some() {
                BUSY_FRAME
            } else {
                Duration::from_millis(250)
            };
            if let Terminal::Gone = wait_for_terminal(wait) {
                return Ok(());
            }
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            // A key, or a resize crossterm learned of from SIGWINCH.
            ready = event::poll(Duration::ZERO)?;
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        if !ready {
            if asked_at.elapsed() >= VERSION_EVERY {
                asked_at = Instant::now();
                let now = version(h);
                if now != seen {
                    seen = now;
                    loads.reload(&mut vm, &mut app, h, beside.0);
                }
            }
            continue;
        }
        // The popup before the key: a PIN typed there is kept if what it
        // asks for cannot start yet.
        let prompt = app.popup.clone();
        // A resize needs nothing but the redraw at the top of the loop.
        let effect = match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    return Ok(());
                }
                if guard_until.is_some_and(|until| Instant::now() < until) {
                    continue;
                }
                // Esc stops slow work first (it only reads: nothing is
                // left half done); with a popup open it closes the popup.
                if let (Some(running), KeyCode::Esc, None) = (&job, key.code, &app.popup) {
                    running.stop.store(true, Ordering::SeqCst);
                    if let Some(busy) = app.busy.as_mut() {
                        busy.stopping = true;
                    }
                    continue;
                }
                on_key(&mut app, &vm, key)
            }
            Event::Mouse(mouse) => match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => hits
                    .at(mouse.column, mouse.row)
                    .and_then(|hit| app::click(&mut app, &vm, hit)),
                MouseEventKind::ScrollDown => app::update(&mut app, keymap::Command::Down, &vm),
                MouseEventKind::ScrollUp => app::update(&mut app, keymap::Command::Up, &vm),
                _ => None,
            },
            _ => None,
        };
        let effect = effect.and_then(|effect| {
            match effects::route(effect, &mut app, prompt, job.is_some(), checking.is_some()) {
                effects::Route::Here(effect) => Some(effect),
                effects::Route::Check(slow) => {
                    checking = start(slow, h, beside, &mut app);
                    None
                }
                effects::Route::Work(slow) => {
                    job = start(slow, h, beside, &mut app);
                    None
                }
                effects::Route::Refused => None,
            }
        });
        if let Some(effect) = effect {
            let before = app.popup.as_ref().map(std::mem::discriminant);
            effects::apply(effect, &mut app, h);
            app.settle_scroll(before);
            seen = version(h);
            loads.reload(&mut vm, &mut app, h, beside.0);
            asked_at = Instant::now();
        }
        guard_new_prompt(&app, &mut opens_seen, &mut guard_until)?;
    }
}

/// When a guarded prompt (a PIN, signing out) has opened since
/// `opens_seen`: the keys already read are dropped, and those read within
/// GUARD of it.
fn guard_new_prompt(
    app: &App,
    opens_seen: &mut u64,
    guard_until: &mut Option<Instant>,
) -> Result<(), TuiError> {
    if app.guarded_opens != *opens_seen {
        *opens_seen = app.guarded_opens;
        while event::poll(Duration::ZERO)? {
            let _typed_before_it_opened = event::read()?;
        }
        *guard_until = Some(Instant::now() + GUARD);
    }
    Ok(())
}

/// Takes in what slow work has said; true when it has finished (its
/// answer is then the message).
fn hear(job: &Job, app: &mut App) -> bool {
    loop {
        match job.news.try_recv() {
            Ok(News::Step(step)) => {
                if let Some(busy) = app.busy.as_mut() {
                    busy.stage = step.stage;
                    busy.done = step.done;
                    busy.total = step.total;
                }
            }
            Ok(News::Done(done)) => {
                if !job.pin {
                    app.busy = None;
                }
                done.take_in(app);
                return true;
            }
            Err(mpsc::TryRecvError::Empty) => return false,
            Err(mpsc::TryRecvError::Disconnected) => {
                if !job.pin {
                    app.busy = None;
                } else if let Some(popup @ (app::Popup::Checking(_) | app::Popup::Working(_))) =
                    &app.popup
                {
                    // No answer: a write may or may not have gone ahead.
                    let said = match popup {
                        app::Popup::Checking(app::PinFor::SignIn(_)) => {
                            "The PIN could not be checked: try again"
                        }
                        _ => "No answer came: look at the record before trying again",
                    };
                    app.popup = None;
                    app.message = Some((said.into(), Tone::Bad));
                }
                return true;
            }
        }
    }
}

/// What the terminal (standard input) is doing.
enum Terminal {
    /// A key or more is waiting.
    Ready,
    /// Nothing yet: the wait ran out, or a signal (a resize, a stop) came.
    Quiet,
    /// Its other end is closed: no key can ever arrive again.
    Gone,
}

/// Waits up to `timeout` for a key on standard input.
fn wait_for_terminal(timeout: Duration) -> Terminal {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
    let wait = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::ZERO);
    match poll(&mut fds, wait) {
        Ok(0) | Err(_) => Terminal::Quiet,
        Ok(_) => match fds[0].revents() {
            Some(r)
                if r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) =>
            {
                Terminal::Gone
            }
            Some(r) if r.contains(PollFlags::POLLIN) => Terminal::Ready,
            _ => Terminal::Quiet,
        },
    }
}

/// How long after a guarded prompt opens its keys are still taken as typed
/// before it: shorter than anyone reads a prompt and starts typing.
const GUARD: Duration = Duration::from_millis(150);

/// A key: typed into the open text field, or a command from the keymap.
fn on_key(app: &mut App, vm: &view::ViewModel, key: KeyEvent) -> Option<app::Effect> {
    // While a PIN is checked (or a write that carries one is made) only
    // Esc is for its popup (it stops waiting): nothing typed meanwhile
    // reaches this prompt or the next.
    if matches!(
        app.popup,
        Some(app::Popup::Checking(_) | app::Popup::Working(_))
    ) && key.code != KeyCode::Esc
    {
        return None;
    }
    if app.typing() {
        match key.code {
            KeyCode::Char(c) => {
                app.type_char(c);
                return None;
            }
            KeyCode::Backspace => {
                app.backspace();
                return None;
            }
            _ => {}
        }
    }
    let command = keymap::command_for(&key.code, key.modifiers.contains(KeyModifiers::SHIFT))?;
    app::update(app, command, vm)
}
