//! Loading the screen in front again: here, on the UI thread, or, for a
//! screen whose load can take longer than a frame on a large household
//! (`ScreenDef::loads_beside`: the audit, where 14 new days' money went,
//! about 100 ms at 1M), on another connection beside the screens, with the
//! last view model kept on screen until the new one arrives. Owns which
//! load is the newest; never draws, never writes.

use std::sync::mpsc;

use super::app::{App, Screen, Tone};
use super::model::{Selection, ViewModel, Who};
use super::view;
use crate::api::ApiError;
use crate::client::Household;

/// One load asked of the thread beside the screens.
struct Ask {
    seq: u64,
    who: Option<Who>,
    screen: Screen,
    selection: Selection,
}

/// The thread that loads beside the screens, on its own connection.
struct Beside {
    asks: mpsc::Sender<Ask>,
    answers: mpsc::Receiver<(u64, Result<ViewModel, ApiError>)>,
}

/// Loads of the screen in front, and which is the newest.
#[derive(Default)]
pub(super) struct Loads {
    beside: Option<Beside>,
    /// The last load asked for, here or beside: the answer to an older one
    /// is dropped (the screen or the selection moved on since).
    asked: u64,
}

impl Loads {
    /// Loads the screen in front again: beside the screens when its load
    /// may be slow (the answer comes to [`Loads::take`]; meanwhile
    /// `app.loading` is set and the last view model stays), else here.
    pub(super) fn reload<'scope, 'c: 'scope>(
        &mut self,
        vm: &mut ViewModel,
        app: &mut App,
        h: &mut Household<'c>,
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) {
        self.asked += 1;
        if super::screens::of(app.screen).loads_beside {
            if self.beside.is_none() {
                // No second connection: loaded here, as before.
                self.beside = start(h, scope).ok();
            }
            if let Some(beside) = &self.beside {
                let ask = Ask {
                    seq: self.asked,
                    who: app.who.clone(),
                    screen: app.screen,
                    selection: app.selection.clone(),
                };
                if beside.asks.send(ask).is_ok() {
                    app.loading = true;
                    return;
                }
                self.beside = None;
            }
        }
        app.loading = false;
        let fresh = view::load(h, app.who.as_ref(), app.screen, &app.selection);
        take_in(vm, app, fresh);
    }

    /// Takes in a load answered beside the screens, if the newest has
    /// come: true when the view model changed.
    pub(super) fn take(&mut self, vm: &mut ViewModel, app: &mut App) -> bool {
        let Some(beside) = &self.beside else {
            return false;
        };
        let mut newest = None;
        loop {
            match beside.answers.try_recv() {
                Ok((seq, answer)) if seq == self.asked => newest = Some(answer),
                Ok(_older) => {}
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.beside = None;
                    if app.loading {
                        app.loading = false;
                        app.message = Some(("Could not refresh: try again".into(), Tone::Bad));
                        return true;
                    }
                    break;
                }
            }
        }
        match newest {
            Some(fresh) => {
                app.loading = false;
                take_in(vm, app, fresh);
                true
            }
            None => false,
        }
    }
}

/// The loading thread, on another connection to the household; it ends
/// when its [`Loads`] is dropped (after the load it is on, if any).
fn start<'scope, 'c: 'scope>(
    h: &Household<'c>,
    scope: &'scope std::thread::Scope<'scope, '_>,
) -> Result<Beside, ApiError> {
    let mut worker = h.another()?;
    let (asks, asked) = mpsc::channel::<Ask>();
    let (tell, answers) = mpsc::channel();
    scope.spawn(move || {
        while let Ok(mut ask) = asked.recv() {
            // Only the newest matters: those asked meanwhile are skipped.
            while let Ok(newer) = asked.try_recv() {
                ask = newer;
            }
            let answer = view::load(&mut worker, ask.who.as_ref(), ask.screen, &ask.selection);
            if tell.send((ask.seq, answer)).is_err() {
                break;
            }
        }
    });
    Ok(Beside { asks, answers })
}

/// A fresh view model in place of the last (the verify's result, which is
/// not reloaded, is kept); a failure is said.
fn take_in(vm: &mut ViewModel, app: &mut App, fresh: Result<ViewModel, ApiError>) {
    match fresh {
        Ok(fresh) => {
            let verify = vm.guardian.as_ref().and_then(|g| g.verify.clone());
            *vm = fresh;
            if let Some(g) = vm.guardian.as_mut() {
                g.verify = verify;
            }
        }
        Err(e) => {
            app.message = Some((
                format!("Could not refresh: {}", view::shown(&e.message)),
                Tone::Bad,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::tui::effects::tests::{clock, household, signed_in};
    use std::time::{Duration, Instant};

    /// Waits (up to 10 s) for the newest load beside the screens.
    fn arrives(loads: &mut Loads, vm: &mut ViewModel, app: &mut App) {
        let start = Instant::now();
        while !loads.take(vm, app) {
            assert!(start.elapsed() < Duration::from_secs(10), "no answer");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Issue 16: the audit screen loads beside the screens: the key that
    /// pages its chart gets its frame at once (the last figures, marked
    /// loading), the new figures apply when they arrive, an answer
    /// overtaken by a newer ask is dropped, and a screen loaded here
    /// meanwhile is never replaced by an audit answer that comes late.
    #[test]
    fn the_audit_loads_beside_the_screen_and_only_the_newest_load_applies() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Audit);
        assert!(super::super::screens::of(Screen::Audit).loads_beside);
        let mut vm = ViewModel::default();
        std::thread::scope(|scope| {
            let mut loads = Loads::default();
            loads.reload(&mut vm, &mut app, &mut h, scope);
            assert!(app.loading, "asked beside, not loaded here");
            assert_eq!(vm, ViewModel::default(), "the last view model stays");
            arrives(&mut loads, &mut vm, &mut app);
            assert!(!app.loading);
            let period = |vm: &ViewModel| vm.guardian.as_ref().unwrap().daily_period.clone();
            assert_eq!(period(&vm), "2026-02-17 to 2026-03-02");
            // Two pages back, asked one after the other: the first
            // answer, if it comes, is overtaken.
            let shown = vm.clone();
            for _ in 0..2 {
                app.selection.chart_back += 1;
                loads.reload(&mut vm, &mut app, &mut h, scope);
                assert_eq!(vm, shown, "nothing waits for the load");
            }
            arrives(&mut loads, &mut vm, &mut app);
            assert_eq!(period(&vm), "2026-01-20 to 2026-02-02");
            // Asked beside, then Tab to a screen loaded here: the late
            // audit answer does not replace it.
            app.selection.chart_back = 0;
            loads.reload(&mut vm, &mut app, &mut h, scope);
            app.screen = Screen::Members;
            loads.reload(&mut vm, &mut app, &mut h, scope);
            assert!(!app.loading);
            let members = vm.clone();
            std::thread::sleep(Duration::from_millis(300));
            assert!(!loads.take(&mut vm, &mut app));
            assert_eq!(vm, members);
        });
    }
}
