//! The TUI: one frame per screen on an 80x24 TestBackend with the view model
//! already loaded (target: well under 1 ms), and startup to the first frame on
//! the 1M-transaction household (open, load the member list, draw; target:
//! under 200 ms), plus the audit screen's reload for a signed-in guardian,
//! all through the household's API in this process (embedded).

use coinguard::client::Household;
use coinguard::domain::FixedClock;
use coinguard::ledger;
use coinguard::tui::app::{App, Screen};
use coinguard::tui::render::{Theme, render};
use coinguard::tui::view::{self, Selection, sample};
use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::history::{self, LARGE};

const SCREENS: [&str; 12] = [
    "pick",
    "wallet",
    "shop",
    "gifts",
    "requests",
    "history",
    "dashboard",
    "approvals",
    "members",
    "limits",
    "audit",
    "decisions",
];

fn screen(name: &str) -> (Screen, bool) {
    match name {
        "wallet" => (Screen::Wallet, false),
        "shop" => (Screen::Shop, false),
        "gifts" => (Screen::Gifts, false),
        "requests" => (Screen::Requests, false),
        "history" => (Screen::History, false),
        "dashboard" => (Screen::Dashboard, true),
        "approvals" => (Screen::Approvals, true),
        "members" => (Screen::Members, true),
        "limits" => (Screen::Limits, true),
        "audit" | "decisions" => (Screen::Audit, true),
        _ => (Screen::Pick, false),
    }
}

#[divan::bench(args = SCREENS)]
fn frame(bencher: Bencher, name: &str) {
    let (screen, guardian) = screen(name);
    let vm = sample(guardian);
    let who = (screen != Screen::Pick).then(|| {
        (
            coinguard::domain::MemberId(if guardian { 1 } else { 2 }),
            "x".to_string(),
            if guardian {
                coinguard::domain::Role::Guardian
            } else {
                coinguard::domain::Role::Teen
            },
        )
    });
    let mut app = App {
        who,
        screen,
        ..App::default()
    };
    if name == "decisions" {
        app.selection.audit = coinguard::tui::view::AuditView::Decisions;
    }
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let theme = Theme { color: true };
    bencher.bench_local(|| {
        terminal
            .draw(|f| {
                render(&app, &vm, theme, f);
            })
            .map(|_| ())
            .unwrap()
    });
}

/// Open the 1M household, load what the first screen shows, draw it.
#[divan::bench(sample_count = 20)]
fn startup_to_first_frame_1m(bencher: Bencher) {
    let (_dir, store) = history::open(LARGE);
    let path = store.path().to_path_buf();
    drop(store);
    let clock = FixedClock::new(history::end());
    bencher.bench_local(|| {
        let mut household = Household::open(&path, &clock).unwrap();
        let vm = view::load(&mut household, None, Screen::Pick, &Selection::default()).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| {
                render(&App::default(), &vm, Theme { color: true }, f);
            })
            .unwrap();
    });
}

/// What the audit screen reloads after an action or another process's
/// commit (the screen in front is all that loads): on the ledger or the
/// decision log, with and without a filter (the dense member's refusals;
/// their gifts in a month).
#[divan::bench(
    args = ["ledger", "decisions", "ledger-filtered", "decisions-filtered"],
    sample_count = 20
)]
fn guardian_reload_1m(bencher: Bencher, name: &str) {
    use coinguard::tui::{filter, view::AuditView};
    let (_dir, store) = history::open(LARGE);
    let clock = FixedClock::new(history::end());
    let guardian = ledger::find_member(store.conn(), "Guardian").unwrap();
    let path = store.path().to_path_buf();
    drop(store);
    let mut household = Household::open(&path, &clock).unwrap();
    let who = (guardian.id, guardian.name.to_string(), guardian.role);
    let mut selection = Selection::default();
    if name.starts_with("decisions") {
        selection.audit = AuditView::Decisions;
    }
    if name.ends_with("filtered") {
        let (words, place) = if name.starts_with("decisions") {
            ("dense refused", filter::Place::Decisions)
        } else {
            ("dense gift 2026-05", filter::Place::Ledger)
        };
        selection.filter = filter::parse(words, place, &[history::DENSE]).unwrap();
    }
    bencher
        .bench_local(|| view::load(&mut household, Some(&who), Screen::Audit, &selection).unwrap());
}
