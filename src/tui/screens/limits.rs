//! The limits and rules editor, one member at a time.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};

use crate::api::reply::RulesView;
use crate::api::{ApiError, Call};
use crate::config::Economy;
use crate::tui::command::Command;
use crate::tui::editor;
use crate::tui::editor::Opened;
use crate::tui::model::{Loading, ViewModel, rules_of, shown};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, Popup, Tone};
use crate::tui::text::{self, pad_end};
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Limits,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::Select,
        Command::Back,
        Command::Remove,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "change")],
    idle: super::always,
    rows,
    update,
    moved: super::stays,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// ←/→ choose the member; Enter changes the row under the cursor, `x`
/// removes it (each reviewed, then saved with a PIN).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::Left | Command::Right => {
            let members = vm.guardian.as_ref().map_or(0, |g| g.rules.len());
            app.selection.rules_member = super::step(command, app.selection.rules_member, members);
            app.cursor = 0;
            None
        }
        Command::Select => {
            let (rules, economy) = editing(app, vm)?;
            app.popup = Some(match editor::open(rules, app.cursor, economy)? {
                Opened::Form(form) => Popup::Form(form),
                Opened::Choice(choice) => Popup::Choice(choice),
            });
            None
        }
        Command::Remove => {
            let (rules, economy) = editing(app, vm)?;
            match editor::remove(rules, app.cursor, economy) {
                Ok(review) => app.popup = Some(Popup::Review(review)),
                Err(why) => app.say(why, Tone::Warning),
            }
            None
        }
        _ => super::not_now(app, command),
    }
}

/// The rules of the member the editor shows, with the prices.
fn editing<'v>(app: &App, vm: &'v ViewModel) -> Option<(&'v editor::MemberRules, &'v Economy)> {
    let rules = vm
        .guardian
        .as_ref()?
        .rules
        .get(app.selection.rules_member)?;
    Some((rules, vm.economy.as_ref()?))
}

/// The rules of every member who is not a guardian, for the editor.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let others = super::others(vm);
    let Some(g) = vm.guardian.as_mut() else {
        return Ok(());
    };
    for (id, name) in &others {
        let rules: RulesView = l.h.ask(Call::Rules {
            member: name.clone(),
        })?;
        g.rules.push(rules_of(*id, &rules)?);
    }
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.guardian
        .as_ref()
        .and_then(|g| g.rules.get(app.selection.rules_member))
        .map_or(0, |r| r.rows.len())
}

/// The limits and rules editor: one member at a time (←/→), a row per
/// limit slot, quiet hours and creator; unset rows dimmed.
fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let (Some(g), Some(economy)) = (&vm.guardian, &vm.economy) else {
        return;
    };
    let Some(rules) = g.rules.get(app.selection.rules_member) else {
        frame.render_widget(
            Paragraph::new("No one to set limits for yet: add a member on the command line (coinguard member add).")
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title("Limits and rules")),
            area,
        );
        return;
    };
    // The age rules first: they come before any limit, and a member they
    // refuse would otherwise show only empty limits.
    let age_style = if rules.age_rules.refuses {
        theme.bad()
    } else {
        Style::default()
    };
    let age: Vec<Line> = hanging(
        &rules.age_rules.text,
        usize::from(area.width).saturating_sub(1),
        1,
    )
    .into_iter()
    .map(|l| Line::from(Span::styled(format!(" {}", l.trim_start()), age_style)))
    .collect();
    let [choice, rows] =
        Layout::vertical([Constraint::Length(age.len() as u16 + 2), Constraint::Min(0)])
            .areas(area);
    let width = text_width(rows);
    // The rows in columns under their names when every row fits that way;
    // else each row names its amounts (a column with no name over it reads
    // as "— —").
    let column_text = |target: &editor::RuleTarget| {
        let (first, second) = editor::cells(target, economy);
        // The label may hold a creator's name: padded in terminal columns.
        format!(
            "{} {} {second}",
            pad_end(&editor::label(target), 25),
            pad_end(&first, 23)
        )
        .trim_end()
        .to_string()
    };
    let columns = rules
        .rows
        .iter()
        .all(|target| text::columns(&column_text(target)) <= width);
    let mut head = vec![Line::from(fit_parts(
        &[format!(" Rules for: ← {} →", shown(&rules.name))],
        usize::from(area.width),
    ))];
    head.extend(age);
    frame.render_widget(
        Paragraph::new(
            head.into_iter()
                .chain([Line::from(Span::styled(
                    // The column names only where the rows have columns.
                    if columns {
                        format!(
                            "   {:<25} {:<23} {}",
                            "", "ask a guardian above", "refused above"
                        )
                    } else {
                        String::new()
                    },
                    Style::default().add_modifier(Modifier::BOLD),
                ))])
                .collect::<Vec<_>>(),
        ),
        choice,
    );
    let items = rules
        .rows
        .iter()
        .map(|target| {
            let label = editor::label(target);
            let lines: Vec<Line> = if columns {
                vec![Line::from(column_text(target))]
            } else {
                // The amounts named, under the row's name when they do not
                // fit beside it.
                let words = match target {
                    editor::RuleTarget::Limit { now: Some(l), .. } => {
                        let mut parts = Vec::new();
                        if let Some(soft) = l.soft {
                            parts.push(format!(
                                "ask a guardian above {}",
                                editor::show_amount(soft, economy)
                            ));
                        }
                        if let Some(hard) = l.hard {
                            parts.push(format!(
                                "refused above {}",
                                editor::show_amount(hard, economy)
                            ));
                        }
                        parts.join(" · ")
                    }
                    editor::RuleTarget::Limit { now: None, .. } => "no limit".into(),
                    other => editor::cells(other, economy).0,
                };
                let one = format!("{label}: {words}");
                if text::columns(&one) <= width {
                    vec![Line::from(one)]
                } else {
                    let mut lines = vec![Line::from(format!("{label}:"))];
                    lines.extend(wrapped(&words, width, 3).into_iter().map(Line::from));
                    lines
                }
            };
            let style = if editor::current(target, economy).is_some() {
                Style::default()
            } else {
                Style::default().add_modifier(Modifier::DIM)
            };
            ListItem::new(Text::from(lines)).style(style)
        })
        .collect();
    let title = format!("{}'s limits and rules", shown(&rules.name));
    list(items, &title, theme, app.cursor, frame, rows, hits);
}
