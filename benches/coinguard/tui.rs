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

use crate::history::{self, LARGE, MEDIUM, Shape};

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
    reload_embedded(bencher, LARGE, name);
}

/// The same on the 100k household (1M takes ten minutes to generate).
#[divan::bench(
    args = ["ledger", "decisions", "ledger-filtered", "decisions-filtered"],
    sample_count = 20
)]
fn guardian_reload_100k(bencher: Bencher, name: &str) {
    reload_embedded(bencher, MEDIUM, name);
}

/// The audit screen's reload right after a purchase and a gift were
/// committed (by another process, as the TUI sees it when the ledger
/// moves): what a guardian's screen costs while the household is busy.
/// The commit is outside the timing; the reload inside it. The "ledger"
/// reload of [`guardian_reload_1m`] with the ledger moving under it.
#[divan::bench(args = ["ledger"], sample_count = 20)]
fn guardian_reload_after_a_commit_1m(bencher: Bencher, name: &str) {
    reload_embedded(bencher, LARGE, &format!("{name}-moving"));
}

/// The same through the household service.
#[divan::bench(args = ["ledger"], sample_count = 20)]
fn guardian_reload_after_a_commit_1m_service(bencher: Bencher, name: &str) {
    reload_served(bencher, LARGE, &format!("{name}-moving"));
}

/// The audit screen's chart paged back (14 days earlier) per reload: each
/// page's days are new to the cache, so this is the cold read of "where
/// the money went" for 14 days of purchases (about 10,000 at 1M).
#[divan::bench(args = ["ledger"], sample_count = 20)]
fn guardian_chart_page_back_1m(bencher: Bencher, name: &str) {
    reload_embedded(bencher, LARGE, &format!("{name}-scrolling"));
}

/// The same on the 100k household.
#[divan::bench(args = ["ledger"], sample_count = 20)]
fn guardian_reload_after_a_commit_100k(bencher: Bencher, name: &str) {
    reload_embedded(bencher, MEDIUM, &format!("{name}-moving"));
}

fn reload_embedded(bencher: Bencher, shape: Shape, name: &str) {
    let (_dir, store) = history::open(shape);
    let clock = FixedClock::new(history::end());
    let path = store.path().to_path_buf();
    drop(store);
    let household = Household::open(&path, &clock).unwrap();
    reload(bencher, household, &path, name);
}

/// The same reloads with the household service answering over its Unix
/// socket (the real `serve` loop on a thread of this process, the real
/// socket client): what a member's screen costs in the household-service
/// mode. Target (issue 14): under 20 ms.
#[divan::bench(
    args = ["ledger", "decisions", "ledger-filtered", "decisions-filtered"],
    sample_count = 20
)]
fn guardian_reload_1m_service(bencher: Bencher, name: &str) {
    reload_served(bencher, LARGE, name);
}

/// The same through the service on the 100k household.
#[divan::bench(
    args = ["ledger", "decisions", "ledger-filtered", "decisions-filtered"],
    sample_count = 20
)]
fn guardian_reload_100k_service(bencher: Bencher, name: &str) {
    reload_served(bencher, MEDIUM, name);
}

fn reload_served(bencher: Bencher, shape: Shape, name: &str) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (dir, store) = history::open(shape);
    let path = store.path().to_path_buf();
    drop(store);
    let clock: &'static FixedClock = Box::leak(Box::new(FixedClock::new(history::end())));
    let socket = dir.path().join("coinguard.sock");
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let options = coinguard::service::ServeOptions {
            db: path.clone(),
            socket: socket.clone(),
            max_connections: 4,
            message_deadline: std::time::Duration::from_secs(10),
        };
        let stop = &stop;
        scope.spawn(move || coinguard::service::serve_until(&options, clock, stop).unwrap());
        let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let household = loop {
            match Household::connect(&socket) {
                Ok(h) => break h,
                Err(e) if std::time::Instant::now() > until => panic!("{e}"),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        reload(bencher, household, &path, name);
        stop.store(true, Ordering::SeqCst);
    });
}

fn reload(bencher: Bencher, mut household: Household, path: &std::path::Path, name: &str) {
    use coinguard::tui::{filter, view::AuditView};
    let guardian = {
        let store = ledger::Store::open(path).unwrap();
        ledger::find_member(store.conn(), "Guardian").unwrap()
    };
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
    if name.ends_with("scrolling") {
        // The chart paged back 14 days per reload, as a guardian pressing
        // the key that pages it back does.
        bencher.bench_local(|| {
            selection.chart_back += 1;
            view::load(&mut household, Some(&who), Screen::Audit, &selection).unwrap()
        });
        return;
    }
    if name.ends_with("moving") {
        // Another writer on the same file: a purchase and a gift of the
        // dense member, ten milliseconds apart, before each reload.
        let mut writer = ledger::Store::open(path).unwrap();
        let clock = FixedClock::new(history::end());
        bencher
            .with_inputs(|| {
                use coinguard::services::{self, GiftRequest, Mode, PurchaseRequest};
                clock.advance(chrono::TimeDelta::milliseconds(10));
                let buy = PurchaseRequest::Pack {
                    member: history::DENSE,
                    pack: "coins-70",
                    key: None,
                };
                let bought = services::purchase(&mut writer, &clock, Mode::Commit, &buy).unwrap();
                assert!(bought.tx.is_some(), "{}", bought.summary);
                let gift = GiftRequest {
                    member: history::DENSE,
                    creator: "creator",
                    gift: "rose",
                    count: 1,
                    key: None,
                };
                let gave = services::gift(&mut writer, &clock, Mode::Commit, &gift).unwrap();
                assert!(gave.tx.is_some(), "{}", gave.summary);
            })
            .bench_local_values(|()| {
                view::load(&mut household, Some(&who), Screen::Audit, &selection).unwrap()
            });
        return;
    }
    bencher
        .bench_local(|| view::load(&mut household, Some(&who), Screen::Audit, &selection).unwrap());
}
