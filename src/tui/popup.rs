//! Popups over a screen: PIN, a line of text, the limits form, the
//! before/after review, a confirmation, and help (from the keymap table).
//! Pure, like the screens: drawn from the app state and the view model.
//!
//! Every popup fits the terminal: its text is wrapped to the popup's width,
//! its key hints keep the last line, and a body taller than the room left
//! scrolls with ↑/↓ instead of being cut.
//!
//! Like a screen, a popup has its commands ([`commands`]): what works in
//! it as it stands, with words for what each does there. Dispatch, its
//! hint line and the footer all read that list, so a key shown is a key
//! that works, and a key that works is shown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::command::{Command, keys_of};
use super::editor::{self, Form, FormKind, Review};
use super::filter::Place;
use super::keymap;
use super::state::{App, PinFor, Popup, TextFor};
use super::text::{preview_text, wrap_line};
use super::theme::Theme;
use super::view::{ViewModel, shown};
use crate::domain::RequestStatus;

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
        TextFor::AskAgainNote(r, _) => {
            format!("Ask again for request #{r}: a note for your guardian")
        }
        TextFor::ReverseReason(tx) => {
            format!("Why reverse transaction {tx}? (it is kept in the record)")
        }
        TextFor::Filter => "Filter (empty: show everything)".into(),
        TextFor::ExportPath(_) => "Export to a file (.csv, .json or .journal)".into(),
        TextFor::CustomCoins => "How many coins?".into(),
        TextFor::RedeemDiamonds => "How many diamonds to cash out?".into(),
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
            scope.unit().word()
        ),
        FormKind::Quiet => format!("{}During them: {chosen} (←/→)", mark(2)),
        FormKind::Member => format!("{}Role: {chosen} (←/→)", mark(2)),
    }));
    if form.kind == FormKind::Member {
        lines.push(Line::from(
            "  Guardians are added on the command line (they need a PIN).",
        ));
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(error.clone(), theme.bad())));
    }
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
    ]
}

/// A command that works in a popup, and what it does there in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Does {
    pub command: Command,
    pub words: &'static str,
}

const fn does(command: Command, words: &'static str) -> Does {
    Does { command, words }
}

/// ↑/↓ scroll a popup whose body is taller than the room it has.
const SCROLL: [Does; 2] = [does(Command::Up, "more"), does(Command::Down, "more")];

/// What works in `popup` as it stands (for whom, on what verdict): the one
/// list dispatch, the hint line and the footer read.
pub fn commands(popup: &Popup, app: &App, vm: &ViewModel) -> Vec<Does> {
    use Command::{
        Approve, AskAgain, Back, CancelRequest, Deny, Down, Help, Left, Right, Select, Up,
    };
    let go_or_not = |preview: &super::view::Preview| {
        if preview.verdict == super::view::Verdict::Deny {
            vec![
                does(Select, "why not"),
                does(Back, "close (nothing is tried)"),
            ]
        } else {
            vec![does(Select, "go ahead"), does(Back, "cancel")]
        }
    };
    let own = match popup {
        Popup::Pin { .. } => vec![does(Select, "confirm"), does(Back, "cancel")],
        // Leaving a sign-in's check signs nobody in; a write that carries
        // a PIN goes ahead or not all the same (its answer is said).
        Popup::Checking(PinFor::SignIn(_)) => vec![does(Back, "stop waiting")],
        Popup::Checking(_) | Popup::Working(_) => {
            vec![does(Back, "close (it still goes ahead)")]
        }
        Popup::Text { purpose, .. } => match purpose {
            TextFor::AskAgainNote(..) => vec![does(Select, "ask again"), does(Back, "leave it")],
            TextFor::ReverseReason(_) => {
                vec![
                    does(Select, "the PIN next"),
                    does(Back, "leave it as it is"),
                ]
            }
            _ => vec![does(Select, "continue"), does(Back, "cancel")],
        },
        Popup::Form(form) => {
            let mut list = vec![does(Up, "field"), does(Down, "field")];
            if !form.kind.options().is_empty() {
                list.extend([does(Left, "choose"), does(Right, "choose")]);
            }
            list.extend([does(Select, "review"), does(Back, "cancel")]);
            return list;
        }
        Popup::Choice(_) => {
            return vec![
                does(Up, "choose"),
                does(Down, "choose"),
                does(Left, "choose"),
                does(Right, "choose"),
                does(Select, "review (PIN next)"),
                does(Back, "cancel"),
                does(Help, "help"),
            ];
        }
        Popup::Request(id) => {
            let shown = match (&vm.guardian, &vm.member) {
                (Some(g), _) if app.is_guardian() => g.pending.iter().find(|r| r.id == *id),
                (_, Some(m)) if !app.is_guardian() => m.requests.iter().find(|r| r.id == *id),
                _ => None,
            };
            match shown.map(|r| (app.is_guardian(), r.status)) {
                Some((true, _)) => vec![
                    does(Approve, "approve (PIN)"),
                    does(Deny, "deny (reason, PIN)"),
                    does(Back, "close"),
                ],
                Some((false, RequestStatus::Pending)) => {
                    vec![does(CancelRequest, "cancel it"), does(Back, "close")]
                }
                Some((false, RequestStatus::Approved)) | None => vec![does(Back, "close")],
                Some((false, _)) => {
                    vec![
                        does(AskAgain, "ask again, with a note"),
                        does(Back, "close"),
                    ]
                }
            }
        }
        Popup::Reversal(_) => vec![
            does(Select, "give a reason (your PIN next)"),
            does(Back, "leave it as it is"),
        ],
        Popup::Review(_) => vec![
            does(Select, "save (your PIN next)"),
            does(Back, "cancel, nothing changes"),
        ],
        Popup::Confirm(confirm) => vec![does(Select, confirm.yes), does(Back, confirm.no)],
        Popup::BuyCustom { preview, .. } | Popup::Redeem { preview, .. } => go_or_not(preview),
        Popup::Help => vec![does(Back, "close"), does(Help, "close")],
        Popup::HelpFor(_) => vec![does(Back, "back"), does(Help, "back")],
    };
    // `?` lists the keys of a popup that takes no text (where a text is
    // typed, `?` is a character of it).
    let help = match popup {
        Popup::Request(_)
        | Popup::Review(_)
        | Popup::Confirm(_)
        | Popup::BuyCustom { .. }
        | Popup::Redeem { .. }
        | Popup::Reversal(_) => Some(does(Help, "help")),
        _ => None,
    };
    SCROLL.into_iter().chain(own).chain(help).collect()
}

/// A command's key in a popup: its first key ("↑" of "↑/k": letters are
/// typed into the popups that take text).
pub fn key_of(command: Command) -> &'static str {
    let keys = keys_of(command);
    keys.split('/')
        .next()
        .filter(|k| !k.is_empty())
        .unwrap_or(keys)
}

/// The hint line of `commands` ("Enter: confirm · Esc: cancel"); commands
/// side by side with the same words share them ("↑/↓: field"). ↑/↓ "more"
/// only when the body `overflows`.
pub fn hint_line(commands: &[Does], overflows: bool) -> String {
    let mut groups: Vec<(String, &str)> = Vec::new();
    for d in commands {
        if !overflows && d.words == "more" {
            continue;
        }
        match groups.last_mut() {
            Some((keys, words)) if *words == d.words => {
                keys.push('/');
                keys.push_str(key_of(d.command));
            }
            _ => groups.push((key_of(d.command).to_string(), d.words)),
        }
    }
    groups
        .iter()
        .map(|(keys, words)| format!("{keys}: {words}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A popup's parts: a title, a body that wraps and scrolls (its key hints,
/// from its commands, always show under it).
struct Sheet {
    title: String,
    body: Vec<Line<'static>>,
    /// The width it asks for (less on a narrower terminal).
    width: u16,
}

/// What a PIN prompt asks for.
fn pin_title(purpose: &PinFor, vm: &ViewModel) -> String {
    match purpose {
        PinFor::SignIn(id) => format!(
            "PIN for {}",
            vm.members
                .iter()
                .find(|m| m.id == *id)
                .map_or(String::new(), |m| shown(&m.name))
        ),
        PinFor::Reverse(tx, _) => format!("Guardian PIN to reverse transaction {tx}"),
        PinFor::Approve(r) => format!("Guardian PIN to approve request #{r}"),
        PinFor::Deny(r, _) => format!("Guardian PIN to deny request #{r}"),
        PinFor::Policy(_) => "Guardian PIN to save this change".into(),
        PinFor::Acknowledge => "Guardian PIN to mark every open alert as seen".into(),
        PinFor::Redeem(diamonds) => format!(
            "Your PIN to cash out {} diamonds",
            crate::money::group_thousands(*diamonds)
        ),
    }
}

/// The sheet each popup shows.
fn sheet(popup: &Popup, app: &App, place: Option<Place>, vm: &ViewModel, theme: Theme) -> Sheet {
    match popup {
        Popup::Pin { purpose, typed } => {
            let title = pin_title(purpose, vm);
            let mut body = Vec::new();
            if let PinFor::Policy(review) = purpose {
                body.push(Line::from(review.what.clone()));
                body.push(Line::from(Span::styled(
                    format!("After: {}", review.after),
                    theme.warn(),
                )));
                body.push(Line::from(""));
            }
            body.push(Line::from("•".repeat(typed.chars().count())));
            Sheet {
                title,
                body,
                width: 60,
            }
        }
        Popup::Checking(purpose) => Sheet {
            title: pin_title(purpose, vm),
            body: vec![Line::from("checking…")],
            width: 60,
        },
        Popup::Working(what) => Sheet {
            title: what.clone(),
            body: vec![Line::from("working…")],
            width: 60,
        },
        Popup::Text { purpose, typed } => {
            let mut body = Vec::new();
            // Asking again: what it would do now, above the note.
            if let TextFor::AskAgainNote(_, preview) = purpose {
                body.extend(preview_text(preview, theme).lines);
                body.push(Line::from(""));
                body.push(Line::from("A note for your guardian (may be empty):"));
            }
            body.push(Line::from(format!("{}▏", shown(typed))));
            // The filter says which words it takes where it is typed.
            if let (TextFor::Filter, Some(place)) = (purpose, place) {
                body.push(Line::from(""));
                body.push(Line::from(format!("Words here: {}", place.words())));
            }
            // An export says which rows it holds and where it goes.
            if let TextFor::ExportPath(what) = purpose {
                body.push(Line::from(""));
                body.extend(what.iter().map(|l| Line::from(l.clone())));
            }
            Sheet {
                title: text_prompt(purpose),
                body,
                width: 70,
            }
        }
        Popup::Form(form) => {
            let what = match form.kind {
                FormKind::Limit { scope, window } => editor::label(&editor::RuleTarget::Limit {
                    scope,
                    window,
                    now: None,
                }),
                FormKind::Quiet => "quiet hours".into(),
                FormKind::Member => "a new member".into(),
            };
            Sheet {
                title: match &form.whose {
                    Some((_, name)) => format!("{name} · {what}"),
                    None => format!("Add {what}"),
                },
                body: form_lines(form, theme),
                width: 70,
            }
        }
        Popup::Choice(choice) => {
            let mut body = vec![
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
                body.push(if i == choice.at {
                    Line::from(Span::styled(text, theme.warn()))
                } else {
                    Line::from(text)
                });
            }
            Sheet {
                title: format!("{} · gifts to {}", choice.member, choice.creator),
                body,
                width: 76,
            }
        }
        Popup::Request(id) => request_sheet(*id, vm, theme),
        Popup::Reversal(r) => {
            let mut body = vec![
                Line::from(Span::styled(
                    r.what.clone(),
                    Style::default().add_modifier(Modifier::BOLD),
                )),
                Line::from(""),
                Line::from(format!("Reversing it gives back: {}", r.gives_back)),
            ];
            if !r.warnings.is_empty() {
                body.push(Line::from(""));
                body.extend(
                    r.warnings
                        .iter()
                        .map(|w| Line::from(Span::styled(format!("• {w}"), theme.warn()))),
                );
            }
            Sheet {
                title: format!("Reverse transaction {}?", r.tx),
                body,
                width: 76,
            }
        }
        Popup::Review(review) => Sheet {
            title: "Check before saving".into(),
            body: review_lines(review, theme),
            width: 76,
        },
        Popup::Confirm(confirm) => Sheet {
            title: confirm.title.clone(),
            body: confirm
                .lines
                .iter()
                .map(|l| Line::from(l.clone()))
                .collect(),
            width: 70,
        },
        Popup::BuyCustom { coins, preview } => Sheet {
            title: format!("Buy {} coins?", crate::money::group_thousands(*coins)),
            body: preview_text(preview, theme).lines,
            width: 70,
        },
        Popup::Redeem { diamonds, preview } => Sheet {
            title: format!(
                "Cash out {} diamonds?",
                crate::money::group_thousands(*diamonds)
            ),
            body: preview_text(preview, theme).lines,
            width: 70,
        },
        Popup::HelpFor(under) => {
            // Its own list, in its own words; ↑/↓ "more" only scroll.
            let mut body: Vec<Line<'static>> = commands(under, app, vm)
                .iter()
                .filter(|d| d.command != Command::Help && d.words != "more")
                .map(|d| Line::from(format!("{:<10} {}", keys_of(d.command), d.words)))
                .collect();
            body.push(Line::from(format!(
                "{:<10} more, where it does not all fit",
                "↑/↓"
            )));
            Sheet {
                title: format!("Keys: {}", sheet(under, app, place, vm, theme).title),
                body,
                width: 70,
            }
        }
        Popup::Help => {
            let mut body: Vec<Line<'static>> = keymap::for_screen(app)
                .map(|b| Line::from(format!("{:<10} {}", b.keys, b.help)))
                .collect();
            // The filter words of this screen (of the audit view shown).
            if let Some(place) = place {
                body.push(Line::from(""));
                body.push(Line::from(format!(
                    "/ filter words here: {}",
                    place.words()
                )));
            }
            Sheet {
                title: format!("Keys on {}", app.screen.title()),
                body,
                width: 70,
            }
        }
    }
}

/// One request, whole: what was asked, when, when it expires, the coins it
/// holds, every reason, the note, and what can be done with it.
fn request_sheet(id: i64, vm: &ViewModel, theme: Theme) -> Sheet {
    let guardian = vm
        .guardian
        .as_ref()
        .and_then(|g| g.pending.iter().find(|r| r.id == id));
    let own = vm
        .member
        .as_ref()
        .and_then(|m| m.requests.iter().find(|r| r.id == id));
    let Some(r) = guardian.or(own) else {
        return Sheet {
            title: format!("Request #{id}"),
            body: vec![Line::from(format!(
                "Request #{id} is no longer waiting: another guardian answered it, or it expired."
            ))],
            width: 70,
        };
    };
    let mut body = vec![
        Line::from(Span::styled(
            r.summary.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from(format!(
            "Asked by {} on {}; {}",
            shown(&r.member),
            r.asked,
            r.expires
        )),
    ];
    if !r.holds.is_empty() {
        body.push(Line::from(format!(
            "Holds {} until it is answered: they cannot be spent twice",
            r.holds
        )));
    }
    if !r.why.is_empty() {
        body.push(Line::from(""));
        body.push(Line::from(if guardian.is_some() {
            "Why it needed a guardian when it was asked:"
        } else {
            "Why it needs a guardian:"
        }));
        body.extend(
            r.why
                .iter()
                .map(|w| Line::from(Span::styled(format!("• {w}"), theme.warn()))),
        );
    }
    // What approving it would do now: the rules may have changed since.
    if let (Some(_), Some(now)) = (guardian, &r.approve_now) {
        body.push(Line::from(""));
        body.push(Line::from(Span::styled(
            "If you approve it now:",
            Style::default().add_modifier(Modifier::BOLD),
        )));
        body.extend(approval_text(now, &r.summary, theme));
    }
    body.push(Line::from(""));
    body.push(Line::from(if r.note.is_empty() {
        format!("No note from {}.", shown(&r.member))
    } else {
        format!("{}'s note: \"{}\"", shown(&r.member), r.note)
    }));
    if !r.resolution.is_empty() {
        body.push(Line::from(format!("Answer: {}", r.resolution)));
    }
    Sheet {
        title: format!("Request #{} · {}", r.id, r.status.as_str()),
        body,
        width: 76,
    }
}

/// What approving a request now would do, in the words of a preview, but
/// as a guardian reads it: approval overrides what only needed approval.
pub(super) fn approval_text(
    p: &super::view::Preview,
    asked: &str,
    theme: Theme,
) -> Vec<Line<'static>> {
    use super::view::Verdict;
    let (word, style) = match p.verdict {
        Verdict::Allow => ("It goes through", theme.good()),
        Verdict::NeedsApproval => ("It still needs approval", theme.warn()),
        Verdict::Deny => (
            "The guard would refuse it (approving cannot override this)",
            theme.bad(),
        ),
    };
    let mut lines = vec![Line::from(Span::styled(word, style))];
    // The summary only when it differs from what was asked (prices move).
    if p.summary != asked {
        lines.push(Line::from(p.summary.clone()));
    }
    for (refused, reason) in &p.reasons {
        let style = if *refused { theme.bad() } else { theme.warn() };
        lines.push(Line::from(Span::styled(format!("• {reason}"), style)));
    }
    lines
}

/// Draws the popup centred, fitted to the terminal; returns the scroll
/// offset used (the one asked for, kept within the body), which the event
/// loop keeps so ↑/↓ never scroll past the end.
pub fn render_popup(
    popup: &Popup,
    app: &App,
    place: Option<Place>,
    vm: &ViewModel,
    theme: Theme,
    scroll: u16,
    frame: &mut Frame<'_>,
) -> u16 {
    let sheet = sheet(popup, app, place, vm, theme);
    let commands = &commands(popup, app, vm);
    let screen_area = frame.area();
    if screen_area.width < 3 || screen_area.height < 3 {
        return 0;
    }
    let width = sheet.width.min(screen_area.width);
    let inner = usize::from(width - 2);
    let body: Vec<Line<'static>> = sheet
        .body
        .iter()
        .flat_map(|l| wrap_line(l, inner))
        .collect();
    let room = usize::from(screen_area.height - 2);
    let hints_plain = wrap_line(&Line::from(hint_line(commands, false)), inner);
    // A blank line between the body and the hints when there is room for it.
    let spaced = body.len() + 1 + hints_plain.len() <= room;
    let fits = body.len() + hints_plain.len() <= room;
    let hints = if fits {
        hints_plain
    } else {
        wrap_line(&Line::from(hint_line(commands, true)), inner)
    };
    let hint_rows = hints.len().min(room);
    let body_rows = room - hint_rows - usize::from(spaced);
    let max_scroll = body.len().saturating_sub(body_rows);
    let scroll = usize::from(scroll).min(max_scroll);
    let mut lines: Vec<Line<'static>> = body.into_iter().skip(scroll).take(body_rows).collect();
    if spaced {
        lines.push(Line::from(""));
    }
    lines.extend(hints.into_iter().take(hint_rows));
    let height = lines.len() as u16 + 2;
    let area = centered(frame, width, height);
    let title = if max_scroll > 0 {
        format!("{} ({}/{})", sheet.title, scroll + 1, max_scroll + 1)
    } else {
        sheet.title
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(Block::bordered().title(title)),
        area,
    );
    u16::try_from(scroll).unwrap_or(u16::MAX)
}
