//! Rendering: a pure projection of the app state and the view model onto a
//! frame. No database, no clock, no I/O.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use super::screen::Screen;
use super::state::{App, Tone};
use super::text::{columns, words};
pub use super::theme::Theme;
use super::view::ViewModel;
use super::view::shown;
pub use super::widgets::Hits;
use super::widgets::Scene;

/// Draws one frame; returns where the tabs and list rows landed, so a mouse
/// click can be read against exactly what the person saw.
pub fn render(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>) -> Hits {
    // A long message takes the lines it needs (up to a third of the
    // screen) rather than being cut off.
    let message_lines = match &app.message {
        Some((text, _)) => {
            let most = (frame.area().height / 3).max(1);
            (words(text, usize::from(frame.area().width)).len() as u16).clamp(1, most)
        }
        None => 1,
    };
    let gauge_lines = u16::from(app.busy.is_some());
    let [header, body, gauge, message, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(gauge_lines),
        Constraint::Length(message_lines),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    if let Some(busy) = &app.busy {
        frame.render_widget(
            Gauge::default()
                .ratio(busy.ratio())
                .label(busy.words())
                .gauge_style(theme.fg(ratatui::style::Color::Cyan)),
            gauge,
        );
    }
    frame.render_widget(Paragraph::new(header_line(app, header.width)), header);
    let scene = Scene { app, vm, theme };
    let mut hits = Hits::default();
    for (screen, x) in header_layout(app, header.width).1 {
        let width = screen.title().chars().count() as u16;
        hits.tabs
            .push((screen, Rect::new(header.x + x, header.y, width, 1)));
    }
    (super::screens::of(app.screen).render)(scene, frame, body, &mut hits);
    if let Some((text, tone)) = &app.message {
        let style = match tone {
            Tone::Good => theme.good(),
            Tone::Warning => theme.warn(),
            Tone::Bad => theme.bad(),
        };
        let lines: Vec<Line> = words(text, usize::from(message.width))
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect();
        frame.render_widget(Paragraph::new(lines), message);
    }
    frame.render_widget(
        Paragraph::new(footer(app, usize::from(legend.width)))
            .style(Style::default().add_modifier(Modifier::DIM)),
        legend,
    );
    if let Some(popup) = &app.popup {
        let place = super::app::filter_place(app);
        // Nothing under a popup takes clicks.
        hits = Hits::default();
        hits.popup_scroll =
            super::popup::render_popup(popup, app, place, vm, theme, app.popup_scroll, frame);
    }
    hits
}

/// The footer: the live keys of the screen in front (none under a popup:
/// the popup's own keys are on its last line); while slow work runs, Esc
/// stops it (and does nothing else until it has).
fn footer(app: &App, width: usize) -> String {
    if app.popup.is_some() {
        return String::new();
    }
    let keys = super::keymap::footer_for(app, width);
    if app.busy.is_none() {
        return keys;
    }
    let stop = "Esc stop";
    if keys.contains("Esc back") {
        keys.replace("Esc back", stop)
    } else {
        let shorter = super::keymap::footer_for(app, width.saturating_sub(stop.len() + 3));
        format!("{stop} · {shorter}")
    }
}

const TAB_GAP: &str = " | ";

/// The header's lead-in and where each screen's tab starts (a column), for
/// drawing and for mouse clicks alike. On a narrow terminal the lead-in
/// shrinks so every tab stays visible.
pub fn header_layout(app: &App, width: u16) -> (String, Vec<(Screen, u16)>) {
    let Some((_, name, role)) = &app.who else {
        return ("coinguard · Who are you?".into(), Vec::new());
    };
    let guardian = &(*role == crate::domain::Role::Guardian);
    let screens = app.screens();
    let tabs: usize = screens
        .iter()
        .map(|s| s.title().chars().count())
        .sum::<usize>()
        + TAB_GAP.len() * screens.len().saturating_sub(1);
    let role = if *guardian { " (guardian)" } else { "" };
    let name = shown(name);
    let lead = [
        format!("coinguard · {name}{role} · "),
        format!("{name}{role} · "),
        format!("{name} · "),
        String::new(),
    ]
    .into_iter()
    .find(|lead| columns(lead) + tabs <= usize::from(width))
    .unwrap_or_default();
    // The tabs start after the lead as drawn: a wide name takes two
    // columns a character, and a click is read against those columns.
    let mut x = columns(&lead) as u16;
    let mut starts = Vec::new();
    for s in screens {
        starts.push((*s, x));
        x += (s.title().chars().count() + TAB_GAP.len()) as u16;
    }
    (lead, starts)
}

fn header_line(app: &App, width: u16) -> Line<'static> {
    let (lead, tabs) = header_layout(app, width);
    let mut spans = match lead.strip_prefix("coinguard") {
        Some(rest) => vec![
            Span::styled("coinguard", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(rest.to_string()),
        ],
        None => vec![Span::raw(lead)],
    };
    for (i, (s, _)) in tabs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(TAB_GAP));
        }
        let style = if *s == app.screen {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::default()
        };
        spans.push(Span::styled(s.title(), style));
    }
    Line::from(spans)
}

#[cfg(test)]
pub(in crate::tui) mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use super::*;
    use crate::domain::MemberId;
    use crate::domain::RequestStatus;
    use crate::tui::app::{App, Popup, Screen};
    use crate::tui::screens::dashboard_rows;
    use crate::tui::view::sample;
    #[allow(unused_imports)]
    use crate::tui::widgets::*;

    fn draw(app: &App, vm: &ViewModel) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| {
                render(app, vm, Theme { color: true }, f);
            })
            .unwrap();
        terminal
    }

    fn signed_in(screen: Screen, guardian: bool) -> App {
        let who = if guardian {
            (
                MemberId(1),
                "Maria".to_string(),
                crate::domain::Role::Guardian,
            )
        } else {
            (MemberId(2), "Sam".to_string(), crate::domain::Role::Teen)
        };
        App {
            who: Some(who),
            screen,
            ..App::default()
        }
    }

    /// Issue 16: `[` is answered by the next frame, before the audit's
    /// load (beside the screen) comes back: the chart's title names the
    /// period asked for and says "loading…" over the last figures.
    #[test]
    fn the_chart_names_the_period_asked_for_while_it_loads() {
        let vm = sample(true);
        let mut app = signed_in(Screen::Audit, true);
        let title = |app: &App| {
            let terminal = draw(app, &vm);
            let buffer = terminal.backend().buffer();
            (0..buffer.area.height)
                .map(|y| {
                    (0..buffer.area.width)
                        .map(|x| buffer[(x, y)].symbol())
                        .collect::<String>()
                })
                .find(|line| line.contains("Spent on coins per day"))
                .unwrap_or_default()
        };
        let shown = title(&app);
        assert!(
            shown.contains("2026-02-17 to 2026-03-02 · [ earlier"),
            "{shown}"
        );
        app.selection.chart_back = 1;
        app.loading = true;
        let shown = title(&app);
        assert!(
            shown.contains("Spent on coins per day, 2026-02-03 to 2026-02-16 · loading…"),
            "{shown}"
        );
    }

    #[test]
    fn every_screen_at_80_by_24() {
        let member = sample(false);
        let guardian = sample(true);
        insta::assert_snapshot!("pick", draw(&App::default(), &member).backend());
        // The demo household shows its guardians' PIN where it is needed.
        let mut demo = member.clone();
        demo.demo_pin = Some("demo passphrase".into());
        let terminal = draw(&App::default(), &demo);
        insta::assert_snapshot!("pick_demo", terminal.backend());
        assert!(flat(&terminal).contains("the guardians' PIN is \"demo passphrase\""));
        assert!(flat(&terminal).contains("Sam teen 15 no PIN"));
        assert!(flat(&terminal).contains("no PIN: anyone here can act as them"));
        // Through the household service only the accounts linked to a
        // member act as them: the note says so, not "anyone here".
        let mut served = member.clone();
        served.service = true;
        let terminal = draw(&App::default(), &served);
        assert!(
            flat(&terminal).contains("no PIN: any account linked to them can act as them"),
            "{}",
            flat(&terminal)
        );
        assert!(!flat(&terminal).contains("anyone here"));
        for screen in [
            Screen::Wallet,
            Screen::Shop,
            Screen::Gifts,
            Screen::Requests,
            Screen::History,
        ] {
            insta::assert_snapshot!(
                format!("member_{}", screen.title().to_lowercase()),
                draw(&signed_in(screen, false), &member).backend()
            );
        }
        for screen in [
            Screen::Dashboard,
            Screen::Approvals,
            Screen::Members,
            Screen::Audit,
        ] {
            insta::assert_snapshot!(
                format!("guardian_{}", screen.title().to_lowercase()),
                draw(&signed_in(screen, true), &guardian).backend()
            );
        }
        let mut pin = signed_in(Screen::Approvals, true);
        pin.popup = Some(Popup::Pin {
            purpose: crate::tui::app::PinFor::Approve(7),
            typed: "secret".into(),
        });
        insta::assert_snapshot!("guardian_pin_popup", draw(&pin, &guardian).backend());
        let creator = App {
            who: Some((MemberId(3), "Ana".into(), crate::domain::Role::Creator)),
            screen: Screen::Earnings,
            ..App::default()
        };
        insta::assert_snapshot!(
            "creator_earnings",
            draw(&creator, &crate::tui::view::sample_creator()).backend()
        );
        let mut help = signed_in(Screen::Wallet, false);
        help.popup = Some(Popup::Help);
        insta::assert_snapshot!("help", draw(&help, &member).backend());
        // Help lists the filter words of the screen, and of the audit view.
        let mut help = signed_in(Screen::History, false);
        help.popup = Some(Popup::Help);
        insta::assert_snapshot!("help_history", draw(&help, &member).backend());
        let mut help = signed_in(Screen::Audit, true);
        help.selection.audit = crate::tui::view::AuditView::Decisions;
        help.popup = Some(Popup::Help);
        insta::assert_snapshot!("help_audit_decisions", draw(&help, &guardian).backend());
    }

    /// The limits editor and its popups, driven through `update` as a
    /// guardian would: open row "gifts per day", change the refusal amount,
    /// read the before/after.
    #[test]
    fn the_limits_editor_at_80_by_24() {
        use crate::tui::app::update;
        use crate::tui::keymap::Command;
        let vm = sample(true);
        let mut app = signed_in(Screen::Limits, true);
        app.cursor = 8; // gifts per day
        insta::assert_snapshot!("guardian_limits", draw(&app, &vm).backend());
        update(&mut app, Command::Select, &vm);
        update(&mut app, Command::Down, &vm);
        app.backspace();
        app.backspace();
        app.backspace();
        for c in "500".chars() {
            app.type_char(c);
        }
        insta::assert_snapshot!("guardian_limit_form", draw(&app, &vm).backend());
        update(&mut app, Command::Select, &vm);
        insta::assert_snapshot!("guardian_limit_review", draw(&app, &vm).backend());
        // The PIN prompt shows the change it saves (and shows it again after
        // a wrong PIN: the change is kept).
        update(&mut app, Command::Select, &vm);
        insta::assert_snapshot!("guardian_limit_pin", draw(&app, &vm).backend());
        // A member under 13: the age rules say spending is refused, in red,
        // above limits that are all unset.
        let mut kim = vm.clone();
        if let Some(rules) = kim.guardian.as_mut().and_then(|g| g.rules.first_mut()) {
            rules.name = "Kim".into();
            rules.age_rules = crate::tui::editor::AgeRules {
                text: "Age rules: Kim is 12 (under 13): purchases refused, gifts refused, \
                       cashing out refused"
                    .into(),
                refuses: true,
            };
        }
        let terminal = draw(&signed_in(Screen::Limits, true), &kim);
        insta::assert_snapshot!("guardian_limits_under_13", terminal.backend());
        let (x, y) = find(&terminal, "Age rules: Kim is 12").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        // A creator's row: choose the state directly.
        let mut app = signed_in(Screen::Limits, true);
        app.cursor = 22;
        update(&mut app, Command::Select, &vm);
        update(&mut app, Command::Up, &vm);
        insta::assert_snapshot!("guardian_creator_choice", draw(&app, &vm).backend());
        let member = sample(false);
        let mut shop = signed_in(Screen::Shop, false);
        shop.cursor = 2;
        insta::assert_snapshot!("member_shop_any_number", draw(&shop, &member).backend());
        shop.popup = Some(Popup::BuyCustom {
            coins: 1_500,
            preview: member.member.as_ref().unwrap().pack_previews[1].clone(),
        });
        insta::assert_snapshot!("member_shop_custom_preview", draw(&shop, &member).backend());
        let mut app = signed_in(Screen::Members, true);
        update(&mut app, Command::AddMember, &vm);
        for c in "Kim".chars() {
            app.type_char(c);
        }
        update(&mut app, Command::Down, &vm);
        for c in "2030-01-01".chars() {
            app.type_char(c);
        }
        update(&mut app, Command::Select, &vm);
        insta::assert_snapshot!("guardian_member_form_error", draw(&app, &vm).backend());
    }

    /// At 60x20 a narrow terminal drops a column or wraps; it never cuts a
    /// figure: no digit (or an opening bracket) runs into a border or a "…".
    #[test]
    fn at_60_by_20_no_figure_is_cut() {
        let long = "10,268 coins (146.31 USD)";
        let mut member = sample(false);
        member.members[1].coins = long.into();
        member.members[1].holds = long.into();
        if let Some(m) = member.member.as_mut() {
            m.me.coins = long.into();
        }
        let mut guardian = sample(true);
        guardian.members[1].holds = format!("{long} · 2,150 diamonds (10.75 USD)");
        let screens = [
            (Screen::Pick, false),
            (Screen::Wallet, false),
            (Screen::Shop, false),
            (Screen::Gifts, false),
            (Screen::Requests, false),
            (Screen::History, false),
            (Screen::Dashboard, true),
            (Screen::Approvals, true),
            (Screen::Members, true),
            (Screen::Limits, true),
            (Screen::Audit, true),
        ];
        for (screen, is_guardian) in screens {
            let vm = if is_guardian { &guardian } else { &member };
            let mut app = if screen == Screen::Pick {
                App::default()
            } else {
                signed_in(screen, is_guardian)
            };
            app.cursor = usize::from(screen == Screen::Limits) * 2;
            let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
            terminal
                .draw(|f| {
                    render(&app, vm, Theme { color: true }, f);
                })
                .unwrap();
            let buffer = terminal.backend().buffer();
            for y in 0..buffer.area.height {
                let line: Vec<String> = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect();
                for pair in line.windows(2) {
                    let before = pair[0].chars().next().unwrap_or(' ');
                    let cut = (before.is_ascii_digit() || before == '(')
                        && (pair[1] == "│" || pair[1] == "…");
                    assert!(!cut, "{screen:?} row {y}: {}", line.concat());
                }
            }
            if matches!(
                screen,
                Screen::Pick | Screen::Shop | Screen::History | Screen::Members | Screen::Limits
            ) {
                insta::assert_snapshot!(
                    format!(
                        "narrow_{}",
                        screen.title().to_lowercase().replace([' ', '?'], "")
                    ),
                    terminal.backend()
                );
            }
        }
    }

    /// QA 15: at 60x20 the dashboard cut a limit's figures, the gift
    /// preview lost its last reason, the message line stopped after two
    /// lines, and an empty filtered log hid its filter (QA 22). Each is now
    /// read whole.
    #[test]
    fn at_60_by_20_limits_previews_and_messages_are_read_whole() {
        use crate::tui::view::{Preview, Verdict};
        let mut guardian = sample(true);
        if let Some(g) = guardian.guardian.as_mut() {
            g.limits[0].1[0] = crate::tui::view::LimitLine {
                what: "all this month".into(),
                cap: "60.00 USD".into(),
                title: String::new(),
                used: "59.94 USD".into(),
                left: "0.06 USD left".into(),
                before_approval: None,
                ratio: 0.999,
            };
        }
        let text = screen_text(&signed_in(Screen::Dashboard, true), &guardian, 60, 20);
        assert!(
            text.contains("Sam, all this month: 99% used — 59.94 USD of 60.00 USD, 0.06 USD left"),
            "{text}"
        );
        let mut member = sample(false);
        let reasons = vec![
            (true, "this needs 44,999 coins (≈636.41 USD) but only 420 coins (5.98 USD) are available; 44,579 coins (≈630.47 USD) short".to_string()),
            (true, "gifting today: 44,999 coins (≈636.41 USD), above the limit of 500 coins (≈7.07 USD)".to_string()),
            (false, "Sam is 15: from 13 to 17, gifts need a guardian's approval".to_string()),
        ];
        if let Some((_, p)) = member.member.as_mut().and_then(|m| m.gift_preview.as_mut()) {
            *p = Preview {
                verdict: Verdict::Deny,
                summary:
                    "Sam sends 1 × Universe to Ana: 44,999 coins; Ana receives 22,499 diamonds"
                        .into(),
                reasons,
            };
        }
        let text = screen_text(&signed_in(Screen::Gifts, false), &member, 60, 20);
        assert!(
            text.contains("Sam is 15: from 13 to 17, gifts need a guardian's approval"),
            "{text}"
        );
        let mut app = signed_in(Screen::Wallet, false);
        let long = "Refused: this needs 44,999 coins (≈636.41 USD) but only 9,478 coins (135.00 USD) are available; 35,521 coins (≈502.37 USD) short";
        app.message = Some((long.into(), Tone::Bad));
        let text = screen_text(&app, &member, 60, 20);
        assert!(text.contains(long), "{text}");
        let mut empty = sample(true);
        if let Some(g) = empty.guardian.as_mut() {
            g.log.clear();
        }
        let mut app = signed_in(Screen::Audit, true);
        app.selection.audit = crate::tui::view::AuditView::Decisions;
        app.selection.filter = crate::tui::filter::parse(
            "sam refused",
            crate::tui::filter::Place::Decisions,
            &["Sam"],
        )
        .unwrap();
        let text = screen_text(&app, &empty, 60, 20);
        assert!(
            text.contains("Guard decisions · nothing matches: sam refused"),
            "{text}"
        );
    }

    /// A terminal dragged very small, or very wide, draws without a panic.
    #[test]
    fn every_screen_and_popup_survives_any_size() {
        use crate::tui::app::{PinFor, update};
        use crate::tui::keymap::Command;
        let screens = [
            (Screen::Pick, false),
            (Screen::Wallet, false),
            (Screen::Shop, false),
            (Screen::Gifts, false),
            (Screen::Requests, false),
            (Screen::History, false),
            (Screen::Dashboard, true),
            (Screen::Approvals, true),
            (Screen::Members, true),
            (Screen::Limits, true),
            (Screen::Audit, true),
            (Screen::Earnings, false),
        ];
        for (width, height) in [(1, 1), (10, 3), (20, 5), (40, 12), (60, 20), (200, 60)] {
            for (screen, guardian) in screens {
                let vm = if screen == Screen::Earnings {
                    crate::tui::view::sample_creator()
                } else {
                    sample(guardian)
                };
                let mut app = signed_in(screen, guardian);
                let mut popups = vec![None, Some(Popup::Help), Some(Popup::Request(7))];
                popups.push(Some(Popup::Pin {
                    purpose: PinFor::Approve(7),
                    typed: "x".into(),
                }));
                popups.push(Some(Popup::Checking(PinFor::Approve(7))));
                popups.push(Some(Popup::Working(
                    "Sending 3 × finger-heart to Ana".into(),
                )));
                if screen == Screen::Limits {
                    update(&mut app, Command::Select, &vm);
                    popups.push(app.popup.clone());
                }
                for popup in popups {
                    app.popup = popup;
                    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                    terminal
                        .draw(|f| {
                            render(&app, &vm, Theme { color: true }, f);
                        })
                        .unwrap();
                }
            }
        }
    }

    fn hits_of(app: &App, vm: &ViewModel) -> Hits {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut hits = Hits::default();
        terminal
            .draw(|f| hits = render(app, vm, Theme { color: true }, f))
            .unwrap();
        hits
    }

    #[test]
    fn the_dashboard_shares_its_rows_so_every_section_shows() {
        // 16 rows: 3 waiting, an alert, a refusal, the limits the rest.
        let one = |n: usize| vec![1; n];
        assert_eq!(
            dashboard_rows(16, [&one(5), &one(40), &one(19), &one(5)]),
            [3, 11, 1, 1]
        );
        // Few limits: the rows they leave go to the other sections.
        assert_eq!(
            dashboard_rows(16, [&one(5), &one(1), &one(19), &one(5)]),
            [5, 1, 9, 1]
        );
        assert_eq!(
            dashboard_rows(2, [&one(5), &one(40), &one(19), &one(5)]),
            [2, 0, 0, 0]
        );
        // An item taking two lines is shown whole or not at all.
        assert_eq!(
            dashboard_rows(5, [&[2, 2], &[2, 2], &[], &[]]),
            [2, 0, 0, 0]
        );
        // The chart's scale tops at 1, 2 or 5 times a power of ten.
        assert_eq!(scale_top(0), 100, "one dollar when nothing was spent");
        assert_eq!(scale_top(481), 500);
        assert_eq!(scale_top(1234), 2000);
        assert_eq!(scale_top(100), 100);
        // A title drops whole parts that do not fit, never half a date.
        let parts = [
            "Spent, 2026-02-17 to 2026-03-02".to_string(),
            "[ earlier".to_string(),
        ];
        assert_eq!(fit_parts(&parts, 40), "Spent, 2026-02-17 to 2026-03-02");
        assert_eq!(
            fit_parts(&parts, 60),
            "Spent, 2026-02-17 to 2026-03-02 · [ earlier"
        );
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        // Reasons wrap at word boundaries under an indent, and stop at `most`.
        assert_eq!(
            wrapped("it is 21:30, inside quiet hours", 20, 3),
            ["    it is 21:30,", "    inside quiet", "    hours"]
        );
        assert_eq!(
            wrapped("one two three four five six seven", 16, 2),
            ["    one two", "    three four …"]
        );
        assert!(wrapped("", 40, 2).is_empty());
    }

    #[test]
    fn clicks_land_on_what_was_drawn() {
        use crate::tui::app::{Hit, click};
        let vm = sample(true);
        let mut app = signed_in(Screen::Limits, true);
        let hits = hits_of(&app, &vm);
        // "coinguard · Maria (guardian) · Dashboard | Approvals | Members | Limits | Audit"
        assert_eq!(hits.at(76, 0), Some(Hit::Screen(Screen::Audit)));
        assert_eq!(hits.at(31, 0), Some(Hit::Screen(Screen::Dashboard)));
        assert_eq!(hits.at(30, 0), None);
        // The rows start under the header lines (the member, their age rules
        // on two lines, the column names) and the list's border.
        assert_eq!(hits.at(10, 6), Some(Hit::Row(0)));
        assert_eq!(hits.at(10, 14), Some(Hit::Row(8)));
        assert_eq!(hits.at(0, 14), None, "the border is not a row");
        // First click selects, the second opens the row, as Enter does.
        assert_eq!(click(&mut app, &vm, Hit::Row(8)), None);
        assert_eq!(app.cursor, 8);
        click(&mut app, &vm, Hit::Row(8));
        assert!(matches!(app.popup, Some(Popup::Form(_))));
        assert_eq!(
            hits_of(&app, &vm),
            Hits::default(),
            "a popup takes no clicks behind it"
        );
        // Scrolled: the rows drawn are the ones the list scrolled to.
        app.popup = None;
        app.cursor = 22;
        let hits = hits_of(&app, &vm);
        let (first, _) = hits.rows[0];
        assert!(first > 0, "scrolled past the first row");
        assert!(hits.rows.iter().any(|(i, _)| *i == 22));
        assert_eq!(hits.at(10, 6), Some(Hit::Row(first)));
        // A click on a tab goes there.
        click(&mut app, &vm, Hit::Screen(Screen::Audit));
        assert_eq!((app.screen, app.cursor), (Screen::Audit, 0));
    }

    #[test]
    fn the_decision_log_shows_refusals_in_red() {
        use crate::tui::app::update;
        use crate::tui::keymap::Command;
        let vm = sample(true);
        let mut app = signed_in(Screen::Audit, true);
        update(&mut app, Command::Right, &vm);
        let terminal = draw(&app, &vm);
        insta::assert_snapshot!("guardian_audit_decisions", terminal.backend());
        let (x, y) = find(&terminal, "refused").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        let (x, y) = find(&terminal, "allowed").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Reset);
    }

    fn find(terminal: &Terminal<TestBackend>, text: &str) -> Option<(u16, u16)> {
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height).find_map(|y| find_in(terminal, y, text).map(|x| (x, y)))
    }

    /// The terminal column where `text` starts on row `y`: a cell, not a
    /// character, as a wide character takes two cells and a letter with
    /// its accent one. The cell a wide character covers is read as nothing
    /// (it holds a blank the terminal never shows).
    fn find_in(terminal: &Terminal<TestBackend>, y: u16, text: &str) -> Option<u16> {
        use ratatui::buffer::CellWidth;
        let buffer = terminal.backend().buffer();
        let mut row = String::new();
        let mut starts = Vec::new();
        let mut covered = 0;
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if covered > 0 {
                covered -= 1;
                continue;
            }
            starts.push((row.len(), x));
            row.push_str(cell.symbol());
            covered = cell.cell_width().saturating_sub(1);
        }
        let at = row.find(text)?;
        starts.iter().find(|(s, _)| *s == at).map(|(_, x)| *x)
    }

    /// Members named in wide and combining characters, spelled as the
    /// household's own validation stores them: it writes names in NFC, so
    /// "Zoe" and a combining diaeresis is kept as "Zoë", one character,
    /// while Thai keeps its marks (eight characters, five columns).
    fn wide_names(mut vm: ViewModel) -> ViewModel {
        let typed = ["Maria", "さくら", "小明", "Sam", "Zoe\u{308}", "สมศักดิ์"];
        let stored: Vec<String> = typed
            .iter()
            .map(|t| crate::domain::Name::parse(t).unwrap().to_string())
            .collect();
        assert_eq!(stored[4], "Zo\u{eb}");
        assert_eq!(stored[5], typed[5], "the Thai marks are kept");
        let teen = vm.members[1].clone();
        let creator = vm.members[2].clone();
        vm.members = vec![
            vm.members[0].clone(),
            teen.clone(),
            teen.clone(),
            teen.clone(),
            teen,
            creator,
        ];
        for (i, (m, name)) in vm.members.iter_mut().zip(stored).enumerate() {
            m.id = MemberId(i as i64 + 1);
            m.name = name;
        }
        vm
    }

    /// Asserts that on every member's row the role and what they hold
    /// start at the same terminal column, whatever the characters of the
    /// name before them.
    fn assert_members_line_up(terminal: &Terminal<TestBackend>, vm: &ViewModel) {
        let starts: Vec<(u16, u16)> = vm
            .members
            .iter()
            .map(|m| {
                // Below the header, which names whoever is signed in.
                let y = (1..terminal.backend().buffer().area.height)
                    .find(|y| find_in(terminal, *y, &m.name).is_some())
                    .unwrap_or_else(|| panic!("{} not shown", m.name));
                let at = |text: &str| {
                    find_in(terminal, y, text)
                        .unwrap_or_else(|| panic!("{text:?} not on {}'s row", m.name))
                };
                (at(&m.role.to_string()), at(&m.holds))
            })
            .collect();
        for (m, start) in vm.members.iter().zip(&starts) {
            assert_eq!(
                start,
                &starts[0],
                "{}'s row:\n{}",
                m.name,
                terminal.backend()
            );
        }
    }

    #[test]
    fn wide_and_combining_names_keep_the_columns_in_line() {
        let guardian = wide_names(sample(true));
        let terminal = draw(&signed_in(Screen::Members, true), &guardian);
        insta::assert_snapshot!("wide_names_members", terminal.backend());
        assert_members_line_up(&terminal, &guardian);
        let member = wide_names(sample(false));
        let terminal = draw(&App::default(), &member);
        insta::assert_snapshot!("wide_names_pick", terminal.backend());
        assert_members_line_up(&terminal, &member);
    }

    #[test]
    fn a_wide_name_in_the_decision_log_keeps_what_was_decided_in_its_column() {
        use crate::tui::app::update;
        use crate::tui::keymap::Command;
        let mut vm = sample(true);
        vm.guardian.as_mut().unwrap().log[0].who = "さくら".into();
        let mut app = signed_in(Screen::Audit, true);
        update(&mut app, Command::Right, &vm);
        let terminal = draw(&app, &vm);
        let (refused, _) = find(&terminal, "refused").unwrap();
        let (allowed, _) = find(&terminal, "allowed").unwrap();
        assert_eq!(refused, allowed, "\n{}", terminal.backend());
    }

    #[test]
    fn a_wide_gift_name_keeps_its_price_in_line() {
        let mut vm = sample(false);
        vm.member.as_mut().unwrap().gifts[0].name =
            crate::domain::Name::parse("桜の花束").unwrap().to_string();
        let terminal = draw(&signed_in(Screen::Gifts, false), &vm);
        // Where each price ends: right-aligned, the same column.
        let ends: Vec<u16> = vm
            .member
            .as_ref()
            .unwrap()
            .gifts
            .iter()
            .map(|g| {
                let (x, _) = find(&terminal, &g.price).unwrap();
                x + crate::tui::text::columns(&g.price) as u16
            })
            .collect();
        assert_eq!(ends[0], ends[1], "\n{}", terminal.backend());
    }

    #[test]
    fn a_click_on_a_tab_lands_on_it_after_a_wide_name() {
        use crate::tui::app::Hit;
        let mut app = signed_in(Screen::Wallet, false);
        app.who = Some((MemberId(2), "さくら".into(), crate::domain::Role::Teen));
        let vm = sample(false);
        let terminal = draw(&app, &vm);
        let hits = hits_of(&app, &vm);
        assert!(!hits.tabs.is_empty());
        for (screen, area) in &hits.tabs {
            // The tab's title is drawn where a click on it is read.
            assert_eq!(
                find_in(&terminal, area.y, screen.title()),
                Some(area.x),
                "{}",
                terminal.backend()
            );
            assert_eq!(hits.at(area.x, area.y), Some(Hit::Screen(*screen)));
        }
    }

    /// Enter on a request opens it whole: every reason (none cut, even
    /// long ones), when it expires, the coins it holds and their value, the
    /// note, and the keys to decide it.
    #[test]
    fn a_request_opens_whole() {
        let mut vm = sample(true);
        let reason = "this is 9.99 USD (≈706 coins), above the spending on coins approval \
                      threshold of 10.00 USD for this week: 4.99 USD already used, 5.01 USD left";
        if let Some(r) = vm.guardian.as_mut().map(|g| &mut g.pending[0]) {
            r.why.push(reason.into());
            r.holds = "90 coins (≈1.27 USD)".into();
            r.note = "it's for Ana's birthday stream".into();
        }
        let mut app = signed_in(Screen::Approvals, true);
        app.popup = Some(Popup::Request(7));
        let terminal = draw(&app, &vm);
        insta::assert_snapshot!("guardian_request_whole", terminal.backend());
        let text = flat(&terminal);
        for part in [
            reason,
            "Sam is 15: from 13 to 17, purchases need a guardian's approval",
            "expires 2026-03-04 15:10, in 47 hours",
            "Holds 90 coins (≈1.27 USD)",
            "Sam's note: \"it's for Ana's birthday stream\"",
            "a: approve (PIN) · d: deny (reason, PIN) · Esc: close",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    /// Buying a million coins can draw many reasons: the popup fits 80x24,
    /// keeps its keys on the last line, and scrolls to the rest.
    #[test]
    fn a_long_popup_fits_the_screen_keeps_its_keys_and_scrolls() {
        use crate::tui::app::update;
        use crate::tui::keymap::Command;
        use crate::tui::view::{Preview, Verdict};
        let vm = sample(false);
        let mut app = signed_in(Screen::Shop, false);
        let reasons = (1..=12)
            .map(|i| {
                (
                    false,
                    format!(
                        "reason {i}: this is 14,142.14 USD, above the approval threshold of \
                         10.00 USD for this week: 4.99 USD already used"
                    ),
                )
            })
            .collect();
        app.popup = Some(Popup::BuyCustom {
            coins: 1_000_000,
            preview: Preview {
                verdict: Verdict::NeedsApproval,
                summary: "Sam buys 1,000,000 coins for 14,142.14 USD".into(),
                reasons,
            },
        });
        let terminal = draw(&app, &vm);
        insta::assert_snapshot!("member_buy_long_preview", terminal.backend());
        let text = flat(&terminal);
        assert!(
            text.contains("↑/↓: more · Enter: go ahead · Esc: cancel"),
            "{text}"
        );
        assert!(
            text.contains("reason 1:") && !text.contains("reason 12:"),
            "{text}"
        );
        // Down scrolls; asking past the end stops at the last line.
        assert_eq!(update(&mut app, Command::Down, &vm), None);
        assert_eq!(app.popup_scroll, 1);
        app.popup_scroll = 500;
        let end = hits_of(&app, &vm).popup_scroll;
        assert!(end > 0 && end < 500, "{end}");
        app.popup_scroll = end;
        let text = flat(&draw(&app, &vm));
        assert!(
            text.contains("reason 12:") && text.contains("Enter: go ahead"),
            "{text}"
        );
        // Another popup starts at its top.
        update(&mut app, Command::Back, &vm);
        assert_eq!(app.popup_scroll, 0);
    }

    #[test]
    fn the_gift_confirmation_names_the_gift_the_count_the_coins_and_their_cost() {
        use crate::tui::app::update;
        use crate::tui::keymap::Command;
        use crate::tui::view::Verdict;
        let mut vm = sample(false);
        if let Some((_, preview)) = vm.member.as_mut().unwrap().gift_preview.as_mut() {
            preview.verdict = Verdict::NeedsApproval;
            preview.reasons.clear();
        }
        let mut app = signed_in(Screen::Gifts, false);
        update(&mut app, Command::Select, &vm);
        insta::assert_snapshot!("member_gift_confirm", draw(&app, &vm).backend());
    }

    /// What `app` and `vm` draw on a `width` x `height` terminal, as
    /// [`flat`] text.
    pub(in crate::tui) fn screen_text(
        app: &App,
        vm: &ViewModel,
        width: u16,
        height: u16,
    ) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| {
                render(app, vm, Theme { color: true }, f);
            })
            .unwrap();
        flat(&terminal)
    }

    /// The screen's text with borders, marks and runs of spaces taken out,
    /// so wrapped text reads as one line.
    fn flat(terminal: &Terminal<TestBackend>) -> String {
        let buffer = terminal.backend().buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push(' ');
        }
        text.replace(['│', '▶'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_request_status_is_set_apart_and_every_reason_is_read_whole() {
        let mut member = sample(false);
        let m = member.member.as_mut().unwrap();
        m.requests[1].status = RequestStatus::Cancelled;
        let screen = flat(&draw(&signed_in(Screen::Requests, false), &member));
        assert!(
            screen.contains("#6 CANCELLED Sam sends 1 × Galaxy"),
            "{screen}"
        );
        let mut guardian = sample(true);
        let reason = "this is 9.99 USD (≈706 coins), above the spending on coins approval \
                      threshold of 10.00 USD for this week: 4.99 USD already used, 5.01 USD left";
        guardian.guardian.as_mut().unwrap().pending[0]
            .why
            .push(reason.into());
        let screen = flat(&draw(&signed_in(Screen::Approvals, true), &guardian));
        assert!(screen.contains(reason), "{screen}");
        assert!(
            screen.contains("(pack coins-700, 0.0143 USD per coin)"),
            "{screen}"
        );
    }

    #[test]
    fn refusals_are_red_and_waiting_is_yellow() {
        let vm = sample(false);
        let mut app = signed_in(Screen::Shop, false);
        app.cursor = 1;
        let terminal = draw(&app, &vm);
        let (x, y) = find(&terminal, "Would be refused").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        let (x, y) = find(&terminal, "• it is 21:30").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        let terminal = draw(&signed_in(Screen::Requests, false), &vm);
        let (x, y) = find(&terminal, "#7 PENDING").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Yellow);
        let (x, y) = find(&terminal, "#6 DENIED").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
    }

    #[test]
    fn no_color_means_no_colour() {
        let vm = sample(false);
        let mut app = signed_in(Screen::Shop, false);
        app.cursor = 1;
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| {
                render(&app, &vm, Theme { color: false }, f);
            })
            .unwrap();
        let (x, y) = find(&terminal, "Would be refused").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Reset);
    }
}
