//! Popups over a screen: PIN, a line of text, the limits form, the
//! before/after review, a confirmation, and help (from the keymap table).
//! Pure, like the screens: drawn from the app state and the view model.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{PinFor, Popup, Screen, TextFor};
use super::editor::{self, Form, FormKind, Review};
use super::filter::Place;
use super::keymap;
use super::render::Theme;
use super::view::ViewModel;

fn centered(frame: &Frame<'_>, width: u16, height: u16) -> Rect {
    let area = frame.area();
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn text_prompt(purpose: &TextFor) -> String {
    match purpose {
        TextFor::DenyReason(r) => format!("Why deny request #{r}? (they will see this)"),
        TextFor::AskAgainNote(r) => format!("Ask again for request #{r}: a note for your guardian"),
        TextFor::Filter => "Filter (empty: show everything)".into(),
        TextFor::ExportPath => "Export the ledger to (.csv, .json or .journal)".into(),
        TextFor::CustomCoins => "How many coins?".into(),
    }
}

fn form_lines(form: &Form, theme: Theme) -> Vec<Line<'static>> {
    let labels = form.kind.labels();
    let mark = |i: usize| if form.field == i { "▶ " } else { "  " };
    let mut lines: Vec<Line<'static>> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let cursor = if form.field == i { "▏" } else { "" };
            Line::from(format!("{}{label:<22} {}{cursor}", mark(i), form.fields[i]))
        })
        .collect();
    let chosen = form
        .kind
        .options()
        .get(form.option)
        .copied()
        .unwrap_or_default();
    lines.push(Line::from(match form.kind {
        FormKind::Limit { scope, .. } => format!(
            "  In {}; leave one empty for no such threshold.",
            if scope.counts_money() {
                "money"
            } else {
                "coins"
            }
        ),
        FormKind::Quiet => format!("{}During them: {chosen} (←/→)", mark(2)),
        FormKind::Member => format!("{}Role: {chosen} (←/→)", mark(2)),
    }));
    if form.kind == FormKind::Member {
        lines.push(Line::from(
            "  Guardians are added on the command line (they need a PIN).",
        ));
    }
    lines.push(Line::from(""));
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.bad())));
    }
    lines.push(Line::from("↑/↓ field · Enter review · Esc cancel"));
    lines
}

fn review_lines(review: &Review, theme: Theme) -> Vec<Line<'static>> {
    vec![
        Line::from(Span::styled(
            review.what.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from(format!("Before: {}", review.before)),
        Line::from(Span::styled(
            format!("After:  {}", review.after),
            theme.warn(),
        )),
        Line::from(""),
        Line::from("Enter: save (your PIN next) · Esc: cancel, nothing changes"),
    ]
}

pub fn render_popup(
    popup: &Popup,
    screen: Screen,
    place: Option<Place>,
    vm: &ViewModel,
    theme: Theme,
    frame: &mut Frame<'_>,
) {
    let (title, body, width, height): (String, Text<'static>, u16, u16) = match popup {
        Popup::Pin { purpose, typed } => {
            let what = match purpose {
                PinFor::SignIn(id) => format!(
                    "PIN for {}",
                    vm.members
                        .iter()
                        .find(|m| m.id == *id)
                        .map_or("", |m| m.name.as_str())
                ),
                PinFor::Approve(r) => format!("Guardian PIN to approve request #{r}"),
                PinFor::Deny(r, _) => format!("Guardian PIN to deny request #{r}"),
                PinFor::Policy(_) => "Guardian PIN to save this change".into(),
                PinFor::Acknowledge => "Guardian PIN to mark every open alert as seen".into(),
            };
            let mut lines = Vec::new();
            if let PinFor::Policy(review) = purpose {
                lines.push(Line::from(review.what.clone()));
                lines.push(Line::from(Span::styled(
                    format!("After: {}", review.after),
                    theme.warn(),
                )));
                lines.push(Line::from(""));
            }
            lines.push(Line::from("•".repeat(typed.chars().count())));
            lines.push(Line::from(""));
            lines.push(Line::from("Enter to confirm · Esc to cancel"));
            let height = lines.len() as u16 + 2;
            (what, Text::from(lines), 60, height)
        }
        Popup::Text { purpose, typed } => {
            let mut lines = vec![Line::from(format!("{typed}▏")), Line::from("")];
            // The filter says which words it takes where it is typed.
            if let (TextFor::Filter, Some(place)) = (purpose, place) {
                for part in super::render::words(&format!("Words here: {}", place.words()), 68) {
                    lines.push(Line::from(part));
                }
                lines.push(Line::from(""));
            }
            lines.push(Line::from("Enter to continue · Esc to cancel"));
            let height = lines.len() as u16 + 2;
            (text_prompt(purpose), Text::from(lines), 70, height)
        }
        Popup::Form(form) => {
            let lines = form_lines(form, theme);
            let height = lines.len() as u16 + 2;
            let what = match form.kind {
                FormKind::Limit { scope, window } => editor::label(&editor::RuleTarget::Limit {
                    scope,
                    window,
                    now: None,
                }),
                FormKind::Quiet => "quiet hours".into(),
                FormKind::Member => "a new member".into(),
            };
            let title = match &form.whose {
                Some((_, name)) => format!("{name} · {what}"),
                None => format!("Add {what}"),
            };
            (title, Text::from(lines), 70, height)
        }
        Popup::Choice(choice) => {
            let mut lines = vec![
                Line::from(format!(
                    "Gifts from {} to {}: now {}",
                    choice.member,
                    choice.creator,
                    choice.now_words()
                )),
                Line::from(""),
            ];
            for (i, (name, meaning)) in choice.rows().into_iter().enumerate() {
                let text = format!(
                    "{}{name:<16} {meaning}",
                    if i == choice.at { "▶ " } else { "  " }
                );
                lines.push(if i == choice.at {
                    Line::from(Span::styled(text, theme.warn()))
                } else {
                    Line::from(text)
                });
            }
            lines.push(Line::from(""));
            lines.push(Line::from(
                "↑/↓ choose · Enter review (PIN next) · Esc cancel",
            ));
            let height = lines.len() as u16 + 2;
            (
                format!("{} · gifts to {}", choice.member, choice.creator),
                Text::from(lines),
                76,
                height,
            )
        }
        Popup::Review(review) => {
            // Room for the before and after lines to wrap once each.
            let long = [&review.before, &review.after]
                .iter()
                .filter(|t| t.chars().count() > 64)
                .count() as u16;
            (
                "Check before saving".into(),
                Text::from(review_lines(review, theme)),
                76,
                8 + long,
            )
        }
        Popup::Confirm(confirm) => {
            let mut lines: Vec<Line<'static>> = confirm
                .lines
                .iter()
                .map(|l| Line::from(l.clone()))
                .collect();
            lines.push(Line::from(""));
            lines.push(Line::from("Enter to confirm · Esc to cancel"));
            let height = lines.len() as u16 + 4;
            (confirm.title.clone(), Text::from(lines), 70, height)
        }
        Popup::BuyCustom { coins, preview } => {
            let mut text = super::render::preview_text(preview, theme);
            text.lines.push(Line::from(""));
            text.lines.push(Line::from(
                if preview.verdict == super::view::Verdict::Refused {
                    "Esc to close: nothing is tried"
                } else {
                    "Enter to go ahead · Esc to cancel"
                },
            ));
            let height = text.lines.len() as u16 + 4;
            (
                format!("Buy {} coins?", crate::money::group_thousands(*coins)),
                text,
                70,
                height,
            )
        }
        Popup::Help => {
            let mut lines: Vec<Line<'static>> = keymap::for_screen(screen)
                .map(|b| Line::from(format!("{:<10} {}", b.keys, b.help)))
                .collect();
            // The filter words of this screen (of the audit view shown).
            if let Some(place) = place {
                lines.push(Line::from(""));
                let words = format!("/ filter words here: {}", place.words());
                lines.extend(super::render::words(&words, 68).into_iter().map(Line::from));
            }
            let height = lines.len() as u16 + 2;
            (
                format!("Keys on {}", screen.title()),
                Text::from(lines),
                70,
                height,
            )
        }
    };
    let area = centered(frame, width, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        area,
    );
}
