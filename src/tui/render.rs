//! Rendering: a pure projection of the app state and the view model onto a
//! frame. No database, no clock, no I/O.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Gauge, List, ListItem, ListState, Paragraph, Wrap,
};

use super::app::{App, Hit, Screen, Tone};
use super::editor;
use super::text::{breakable, preview_text, words};
pub use super::theme::Theme;
use super::view::shown;
use super::view::{AuditView, HistoryLine, LogLine, RequestLine, ViewModel};
use crate::domain::RequestStatus;
use crate::domain::printable::plural;

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
    let [header, body, message, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(message_lines),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(app, header.width)), header);
    let scene = Scene { app, vm, theme };
    let mut hits = Hits::default();
    for (screen, x) in header_layout(app, header.width).1 {
        let width = screen.title().chars().count() as u16;
        hits.tabs
            .push((screen, Rect::new(header.x + x, header.y, width, 1)));
    }
    match app.screen {
        Screen::Pick => pick(scene, frame, body, &mut hits),
        Screen::Earnings => earnings(scene, frame, body, &mut hits),
        Screen::Wallet => wallet(vm, theme, frame, body),
        Screen::Shop => shop(scene, frame, body, &mut hits),
        Screen::Gifts => gifts(scene, frame, body, &mut hits),
        Screen::Requests => requests(
            app,
            vm.member
                .as_ref()
                .map(|m| m.requests.as_slice())
                .unwrap_or_default(),
            theme,
            frame,
            body,
            "Your requests · Enter opens one · r ask again · c cancel",
            &mut hits,
        ),
        Screen::History => history(scene, frame, body, &mut hits),
        Screen::Audit => audit(scene, frame, body, &mut hits),
        Screen::Limits => limits(scene, frame, body, &mut hits),
        Screen::Dashboard => dashboard(vm, theme, frame, body),
        Screen::Approvals => requests(
            app,
            vm.guardian
                .as_ref()
                .map(|g| g.pending.as_slice())
                .unwrap_or_default(),
            theme,
            frame,
            body,
            "Waiting for you: Enter opens one · a approve · d deny",
            &mut hits,
        ),
        Screen::Members => members(scene, frame, body, &mut hits),
    }
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
        Paragraph::new(super::keymap::footer_for(
            app.screen,
            usize::from(legend.width),
        ))
        .style(Style::default().add_modifier(Modifier::DIM)),
        legend,
    );
    if let Some(popup) = &app.popup {
        let place = super::app::filter_place(app);
        // Nothing under a popup takes clicks.
        hits = Hits::default();
        hits.popup_scroll = super::popup::render_popup(
            popup,
            app.screen,
            place,
            vm,
            theme,
            app.popup_scroll,
            frame,
        );
    }
    hits
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
    .find(|lead| lead.chars().count() + tabs <= usize::from(width))
    .unwrap_or_default();
    let mut x = lead.chars().count() as u16;
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

/// What a screen is drawn from: the app state, the view model, the colours.
#[derive(Clone, Copy)]
struct Scene<'a> {
    app: &'a App,
    vm: &'a ViewModel,
    theme: Theme,
}

/// Where things were drawn, for mouse clicks: the screen tabs and the rows
/// of the list on screen (index, area), as the last frame laid them out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    pub tabs: Vec<(Screen, Rect)>,
    pub rows: Vec<(usize, Rect)>,
    /// How far the popup's body is scrolled, kept within its length.
    pub popup_scroll: u16,
}

impl Hits {
    /// What is under a click: a tab, or a list row.
    pub fn at(&self, column: u16, row: u16) -> Option<Hit> {
        let inside = |r: &Rect| {
            column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
        };
        if let Some((screen, _)) = self.tabs.iter().find(|(_, r)| inside(r)) {
            return Some(Hit::Screen(*screen));
        }
        self.rows
            .iter()
            .find(|(_, r)| inside(r))
            .map(|(i, _)| Hit::Row(*i))
    }
}

fn list<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    theme: Theme,
    cursor: usize,
    frame: &mut Frame<'_>,
    area: Rect,
    hits: &mut Hits,
) {
    let heights: Vec<u16> = items.iter().map(|i| i.height() as u16).collect();
    let mut state = ListState::default().with_selected((!items.is_empty()).then_some(cursor));
    let block = Block::bordered().title(fit(title, usize::from(area.width).saturating_sub(2)));
    let inner = block.inner(area);
    let widget = List::new(items)
        .block(block)
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    frame.render_stateful_widget(widget, area, &mut state);
    // The rows as drawn, from the offset the list scrolled to.
    let mut y = inner.y;
    for (i, h) in heights.iter().enumerate().skip(state.offset()) {
        if y >= inner.y + inner.height {
            break;
        }
        let height = (*h).min(inner.y + inner.height - y);
        hits.rows
            .push((i, Rect::new(inner.x, y, inner.width, height)));
        y += h;
    }
}

/// A cell of a list row: its text, the width it is padded to (on the left
/// when `right`), and its rank: on a narrow terminal the highest ranks are
/// left out first, whole; rank 0 always shows.
pub(super) struct Cell {
    pub text: String,
    pub width: usize,
    pub right: bool,
    pub rank: u8,
}

impl Cell {
    pub fn left(text: impl Into<String>, width: usize, rank: u8) -> Cell {
        Cell {
            text: text.into(),
            width,
            right: false,
            rank,
        }
    }

    pub fn right(text: impl Into<String>, width: usize, rank: u8) -> Cell {
        Cell {
            right: true,
            ..Cell::left(text, width, rank)
        }
    }

    fn len(&self) -> usize {
        self.width.max(self.text.chars().count())
    }
}

fn cells_width(cells: &[Cell], gap: usize) -> usize {
    cells.iter().map(Cell::len).sum::<usize>() + gap * cells.len().saturating_sub(1)
}

/// A list's rows of cells laid out with one gap for all (two spaces if
/// every row fits whole with them, else one), so the columns line up; each
/// with the cells it left out.
pub(super) fn rows_of(rows: Vec<Vec<Cell>>, width: usize) -> Vec<(String, Vec<Cell>)> {
    let gap = if rows.iter().all(|cells| cells_width(cells, 2) <= width) {
        2
    } else {
        1
    };
    rows.into_iter()
        .map(|cells| fit_row(cells, gap, width))
        .collect()
}

/// A row of cells separated by `gap` spaces, fitted to `width` by leaving
/// out whole cells (highest rank first), never by cutting one: a narrow
/// terminal drops a column, it never cuts a number in the middle. Returns
/// the cells left out too (in their order), for a caller that shows them
/// on a line of their own rather than not at all.
pub(super) fn fit_row(cells: Vec<Cell>, gap: usize, width: usize) -> (String, Vec<Cell>) {
    let mut cells = cells;
    let mut dropped = Vec::new();
    while cells_width(&cells, gap) > width {
        let Some(drop) = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.rank > 0)
            .max_by_key(|(i, c)| (c.rank, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        dropped.push(cells.remove(drop));
    }
    dropped.reverse();
    (join_cells(&cells, gap, width), dropped)
}

fn join_cells(cells: &[Cell], gap: usize, width: usize) -> String {
    let last = cells.len().saturating_sub(1);
    let text = cells
        .iter()
        .enumerate()
        .map(|(i, c)| match (c.right, i == last) {
            (true, _) => format!("{:>w$}", c.text, w = c.width),
            // The last cell is not padded: no trailing spaces.
            (false, true) => c.text.clone(),
            (false, false) => format!("{:<w$}", c.text, w = c.width),
        })
        .collect::<Vec<_>>()
        .join(&" ".repeat(gap));
    fit(&text, width)
}

fn pick(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    // Below the list: who has no PIN means, and the demo's PIN.
    let mut notes = Vec::new();
    if vm.service {
        notes.push(Line::from(
            "The household service says whom this computer account may act as: they are listed here.",
        ));
    }
    if vm.members.iter().any(|m| !m.has_pin) {
        // Embedded, whoever runs the program acts as anyone; through the
        // service, only the OS accounts linked to that member do.
        notes.push(Line::from(if vm.service {
            "no PIN: any account linked to them can act as them (coinguard member pin NAME sets one)"
        } else {
            "no PIN: anyone here can act as them (coinguard member pin NAME sets one)"
        }));
    }
    if let Some(pin) = &vm.demo_pin {
        notes.push(Line::from(Span::styled(
            format!("This is the demo household: the guardians' PIN is \"{pin}\""),
            theme.warn(),
        )));
    }
    let notes: Vec<Line> = notes
        .iter()
        .flat_map(|l| super::text::wrap_line(l, usize::from(area.width)))
        .collect();
    let [list_area, notes_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(notes.len() as u16)]).areas(area);
    let width = text_width(list_area);
    let name_width = vm
        .members
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 20);
    let rows = vm
        .members
        .iter()
        .map(|m| {
            let age = m.age.map(|a| format!("{a}")).unwrap_or_else(|| "-".into());
            let pin = if m.has_pin { "PIN" } else { "no PIN" };
            vec![
                Cell::left(shown(&m.name), name_width, 0),
                Cell::left(m.role.to_string(), 8, 2),
                Cell::right(age, 3, 3),
                Cell::left(pin, 6, 0),
                Cell::left(m.holds.clone(), 0, 1),
            ]
        })
        .collect();
    let items = rows_of(rows, width)
        .into_iter()
        .map(|(text, _)| ListItem::new(text))
        .collect();
    list(
        items,
        "Who are you? (Enter)",
        theme,
        app.cursor,
        frame,
        list_area,
        hits,
    );
    frame.render_widget(Paragraph::new(notes), notes_area);
}

/// A creator's earnings: diamonds and what they pay out, the rates and the
/// minimum payout, what cashing out everything would do, the latest gifts.
fn earnings(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let (Some(c), Some(m)) = (&vm.creator, &vm.member) else {
        return;
    };
    let inner = usize::from(area.width).saturating_sub(2);
    let facts: Vec<Line> = [
        format!("Diamonds  {}", c.holds),
        format!(
            "A diamond pays {}; {}% of a gift's coins become your diamonds: {} per coin a fan spends.",
            c.per_diamond, c.share_percent, c.per_fan_coin
        ),
        format!("The least you can cash out at once: {}.", c.minimum),
    ]
    .iter()
    .flat_map(|l| super::text::wrap_line(&Line::from(l.clone()), inner))
    .collect();
    let preview: Vec<Line> = match &c.all_preview {
        Some(p) => preview_text(p, theme)
            .lines
            .iter()
            .flat_map(|l| super::text::wrap_line(l, inner))
            .collect(),
        None => vec![Line::from(
            "No diamonds yet: gifts from fans become diamonds here.",
        )],
    };
    // One box for the facts and what cashing out all would do, so the
    // gifts below keep room on a small terminal.
    let mut lines = facts;
    lines.push(Line::from(Span::styled(
        "Cashing out all of them (Enter: choose how many):",
        Style::default().add_modifier(Modifier::BOLD),
    )));
    lines.extend(preview);
    let [top, received] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!("{}'s earnings", shown(&m.me.name)))),
        top,
    );
    let title = if c.received.is_empty() {
        "No gifts received yet"
    } else {
        "Gifts received, newest first"
    };
    // One line a gift (two when narrow): when, from whom, what it brought.
    let width = text_width(received);
    let items = c
        .received
        .iter()
        .map(|h| {
            let (first, dropped) = fit_row(
                vec![
                    Cell::left(h.when.clone(), 16, 0),
                    Cell::left(format!("from {}", shown(&h.member)), 10, 0),
                    Cell::left(h.figures.clone(), 0, 1),
                ],
                1,
                width,
            );
            let mut lines = vec![Line::from(first)];
            if !dropped.is_empty() {
                lines.extend(wrapped(&h.figures, width, 2).into_iter().map(Line::from));
            }
            ListItem::new(Text::from(lines))
        })
        .collect();
    list(items, title, theme, app.cursor, frame, received, hits);
}

fn wallet(vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(m) = &vm.member else { return };
    let inner_width = usize::from(area.width).saturating_sub(2);
    let wrap = |text: &str, style: Style| -> Vec<Line<'static>> {
        super::text::wrap_line(
            &Line::from(Span::styled(text.to_string(), style)),
            inner_width,
        )
    };
    // What they hold, and what waiting requests hold of it.
    let mut held = wrap(&format!("Coins     {}", m.me.coins), Style::default());
    if !m.held.is_empty() {
        held.extend(wrap(&format!("          {}", m.held), theme.warn()));
    }
    held.extend(wrap(
        &format!("Diamonds  {}", m.me.diamonds),
        Style::default(),
    ));
    if !m.allowance.is_empty() {
        held.extend(wrap(
            &format!("Allowance {}", m.allowance),
            Style::default(),
        ));
    }
    // The age rules first: they come before any limit, and a member they
    // refuse would otherwise read "No limits" as "anything goes".
    let age: Vec<Line> = match &m.age_rules {
        Some(rules) => wrap(
            &rules.text,
            if rules.refuses {
                theme.bad()
            } else {
                Style::default()
            },
        ),
        None => Vec::new(),
    };
    // Each limit: its title, wrapped (never cut), its gauge, and what is
    // left before approval when that comes before the refusal.
    let limits: Vec<(Vec<Line>, Vec<Line>)> = m
        .limits
        .iter()
        .map(|l| {
            let after = l
                .before_approval
                .as_ref()
                .map(|b| {
                    wrap(
                        &format!("{b} left before a guardian must approve"),
                        theme.warn(),
                    )
                })
                .unwrap_or_default();
            (wrap(&l.title, Style::default()), after)
        })
        .collect();
    let rows = 2
        + age.len() as u16
        + u16::from(!age.is_empty() && !limits.is_empty())
        + limits
            .iter()
            .map(|(title, after)| (title.len() + 1 + after.len()) as u16)
            .sum::<u16>()
        + u16::from(limits.is_empty() && age.is_empty());
    let [top, gauges] = Layout::vertical([
        Constraint::Length(held.len() as u16 + 2),
        Constraint::Length(rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(held)
            .block(Block::bordered().title(format!("{}'s wallet", shown(&m.me.name)))),
        top,
    );
    let title = match (m.limits.is_empty(), m.age_rules.is_some()) {
        (true, true) => "Age rules · no limits set",
        (true, false) => "No limits",
        (false, true) => "Age rules and limits",
        (false, false) => "Limits",
    };
    let block = Block::bordered().title(title);
    let inner = block.inner(gauges);
    frame.render_widget(block, gauges);
    let mut constraints = vec![Constraint::Length(age.len() as u16)];
    if !age.is_empty() && !limits.is_empty() {
        constraints.push(Constraint::Length(1));
    }
    let first_limit = constraints.len();
    for (title, after) in &limits {
        constraints.push(Constraint::Length(title.len() as u16));
        constraints.push(Constraint::Length(1));
        constraints.push(Constraint::Length(after.len() as u16));
    }
    let slots = Layout::vertical(constraints).split(inner);
    frame.render_widget(Paragraph::new(age), slots[0]);
    for (i, (l, (title, after))) in m.limits.iter().zip(limits).enumerate() {
        let at = first_limit + i * 3;
        frame.render_widget(Paragraph::new(title), slots[at]);
        let label = format!("used {}, {} left", l.used, l.left);
        // A label wider than the gauge would be cut: the figures whole, or
        // what is left alone.
        let label = if label.chars().count() > usize::from(inner.width) {
            format!("{} left", l.left)
        } else {
            label
        };
        frame.render_widget(Gauge::default().ratio(l.ratio).label(label), slots[at + 1]);
        frame.render_widget(Paragraph::new(after), slots[at + 2]);
    }
}

fn shop(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let text = match m.pack_previews.get(app.cursor) {
        Some(p) => preview_text(p, theme),
        None => Text::from(format!(
            "Enter, then type how many coins. They cost {} each, the best pack rate, \
             rounded up to the cent; you see what the guard says before anything is bought.",
            m.custom_rate
        )),
    };
    let preview_lines = wrap_text(&text, area.width);
    let [packs, preview] = list_then_preview(area, m.packs.len() + 1, preview_lines.len());
    // Columns as wide as their widest figure; on a narrow terminal the price
    // per coin goes first, whole.
    let width = text_width(packs);
    let widest = |f: fn(&super::view::PackLine) -> &str, at_least: usize| {
        m.packs
            .iter()
            .map(|p| f(p).chars().count())
            .max()
            .unwrap_or(0)
            .max(at_least)
    };
    let (id_w, coins_w, price_w, per_w) = (
        widest(|p| &p.id, 10),
        widest(|p| &p.coins, 10),
        widest(|p| &p.price, 0),
        widest(|p| &p.per_coin, m.custom_rate.chars().count()),
    );
    let pack_row = |id: &str, coins: &str, price: &str, per: &str| {
        vec![
            Cell::left(id, id_w, 0),
            Cell::right(coins, coins_w, 0),
            Cell::right(price, price_w, 0),
            Cell::right(format!("{per:>per_w$} per coin"), 0, 1),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = m
        .packs
        .iter()
        .map(|p| pack_row(&p.id, &p.coins, &p.price, &p.per_coin))
        .collect();
    rows.push(pack_row("any number", "you choose", "", &m.custom_rate));
    let items: Vec<ListItem> = rows_of(rows, width)
        .into_iter()
        .map(|(text, _)| ListItem::new(text))
        .collect();
    list(
        items,
        "Coin packs (Enter to buy)",
        theme,
        app.cursor,
        frame,
        packs,
        hits,
    );
    frame.render_widget(
        Paragraph::new(preview_lines.clone()).block(Block::bordered().title(preview_title(
            "Before you buy",
            preview_lines.len(),
            preview,
        ))),
        preview,
    );
}

/// A preview's lines wrapped inside a bordered box `width` wide.
fn wrap_text(text: &Text<'_>, width: u16) -> Vec<Line<'static>> {
    let inner = usize::from(width).saturating_sub(2);
    text.lines
        .iter()
        .flat_map(|l| super::text::wrap_line(l, inner))
        .collect()
}

/// A list over the preview of its row: the preview gets the lines it needs
/// (the verdict and every reason), the list the rest (it scrolls, with the
/// row chosen always in sight), down to one row on a small terminal.
fn list_then_preview(area: Rect, rows: usize, preview_lines: usize) -> [Rect; 2] {
    let wanted_list = rows as u16 + 2;
    let wanted_preview = preview_lines as u16 + 2;
    let list = wanted_list
        .min(area.height.saturating_sub(wanted_preview))
        .max(wanted_list.min(3));
    Layout::vertical([Constraint::Length(list), Constraint::Min(0)]).areas(area)
}

/// A preview's box title: its name, and when the box cannot hold every
/// line, where the rest can be read.
fn preview_title(name: &str, lines: usize, area: Rect) -> String {
    if lines > usize::from(area.height.saturating_sub(2)) {
        format!("{name} (more than fits: Enter says why)")
    } else {
        name.to_string()
    }
}

fn gifts(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let preview_lines = m
        .gift_preview
        .as_ref()
        .map(|(_, p)| wrap_text(&preview_text(p, theme), area.width))
        .unwrap_or_default();
    let [choice, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let [gifts, preview] = list_then_preview(rest, m.gifts.len(), preview_lines.len());
    let creator = m
        .creators
        .get(app.selection.creator)
        .map(|c| shown(c))
        .unwrap_or_else(|| "(no creators)".into());
    frame.render_widget(
        Paragraph::new(format!(
            " To: ← {creator} →    How many: {} (+/-)",
            app.selection.count
        )),
        choice,
    );
    let items = m
        .gifts
        .iter()
        .map(|g| ListItem::new(format!("{:<16} {:>26}", g.name, g.price)))
        .collect();
    list(
        items,
        "Gifts (Enter to send)",
        theme,
        app.cursor,
        frame,
        gifts,
        hits,
    );
    if m.gift_preview.is_some() {
        frame.render_widget(
            Paragraph::new(preview_lines.clone()).block(Block::bordered().title(preview_title(
                "Before you send",
                preview_lines.len(),
                preview,
            ))),
            preview,
        );
    }
}

fn status_style(status: RequestStatus, theme: Theme) -> Style {
    match status {
        RequestStatus::Pending => theme.warn(),
        RequestStatus::Approved => theme.good(),
        RequestStatus::Denied | RequestStatus::Expired | RequestStatus::Refused => theme.bad(),
        RequestStatus::Cancelled => Style::default(),
    }
}

fn requests(
    app: &App,
    rows: &[RequestLine],
    theme: Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    hits: &mut Hits,
) {
    let width = text_width(area);
    let items = rows
        .iter()
        .map(|r| {
            // The status is padded and then always followed by a space, so
            // the longest one (CANCELLED) never runs into the summary.
            let status = format!("#{} {:<9} ", r.id, r.status.as_str().to_uppercase());
            let mut lines = Vec::new();
            for (i, part) in hanging(&r.summary, width, status.chars().count())
                .into_iter()
                .enumerate()
            {
                lines.push(if i == 0 {
                    Line::from(vec![
                        Span::styled(status.clone(), status_style(r.status, theme)),
                        Span::raw(part),
                    ])
                } else {
                    Line::from(part)
                });
            }
            let mut detail = |label: &str, text: &str| {
                let lead = format!("    {label}");
                for (i, part) in hanging(text, width, lead.chars().count())
                    .into_iter()
                    .enumerate()
                {
                    lines.push(Line::from(if i == 0 {
                        format!("{lead}{part}")
                    } else {
                        part
                    }));
                }
            };
            match r.status {
                RequestStatus::Pending => r.why.iter().for_each(|w| detail("why: ", w)),
                _ => detail("", &r.resolution),
            }
            // What approving it would do now (the rules may have changed).
            if let Some(now) = &r.approve_now {
                let words = match now.verdict {
                    super::view::Verdict::Allow => "goes through".to_string(),
                    super::view::Verdict::NeedsApproval => "still needs approval".to_string(),
                    super::view::Verdict::Deny => format!(
                        "refused: {}",
                        now.reasons
                            .iter()
                            .find(|(refused, _)| *refused)
                            .map_or(now.summary.as_str(), |(_, why)| why.as_str())
                    ),
                };
                detail("approved now: ", &words);
            }
            if !r.note.is_empty() {
                detail("note: ", &r.note);
            }
            ListItem::new(Text::from(lines))
        })
        .collect::<Vec<_>>();
    let title = if items.is_empty() {
        "No requests"
    } else {
        title
    };
    list(items, title, theme, app.cursor, frame, area, hits);
}

/// A list title with the filter in force and the keys that change it.
/// `paged`: whether there is a next page. Parts that do not fit the width
/// are left out whole, the later ones first; the filter in force always
/// shows when something is filtered, also when nothing matches.
fn list_title(
    what: &str,
    app: &App,
    width: u16,
    empty: bool,
    paged: bool,
    more: &[&str],
) -> String {
    let filter = &app.selection.filter;
    let page = app.selection.page;
    let mut parts = vec![what.to_string()];
    match (empty, filter.is_empty()) {
        (true, true) => parts.push("nothing to show".into()),
        // The filter first: it is why nothing shows.
        (true, false) => parts.push(format!("nothing matches: {}", shown(&filter.text))),
        _ => {}
    }
    if page > 1 || paged {
        parts.push(if paged {
            format!("page {page} · n next")
        } else {
            format!("page {page}, the last")
        });
    }
    parts.push(match (empty, filter.is_empty()) {
        (_, true) => "/ filter".into(),
        (true, false) => "/ to change".into(),
        (false, false) => format!("filter: {} (/ to change)", shown(&filter.text)),
    });
    parts.extend(more.iter().map(|m| m.to_string()));
    fit_parts(&parts, usize::from(width).saturating_sub(2))
}

/// Whether `word` is the unit of the figure before it: a currency code,
/// coins or diamonds (a closing bracket or punctuation may follow).
fn hanging(text: &str, width: usize, lead: usize) -> Vec<String> {
    let room = width.saturating_sub(lead).max(12);
    words(text, room)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                format!("{}{l}", " ".repeat(lead))
            }
        })
        .collect()
}

/// Word-wraps an indented detail to `width` columns, at most `most` lines
/// (the last cut with "…"), so a reason is read whole rather than cut at
/// the border.
fn wrapped(text: &str, width: usize, most: usize) -> Vec<String> {
    indented(text, width, "    ", most)
}

/// [`wrapped`] under any indent.
fn indented(text: &str, width: usize, indent: &str, most: usize) -> Vec<String> {
    let room = width.saturating_sub(indent.len()).max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in breakable(text) {
        let word = word.as_str();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > most {
        lines.truncate(most);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), room);
        }
    }
    lines
        .into_iter()
        .map(|l| format!("{indent}{}", fit(&l, room)))
        .collect()
}

/// Rows of a list inside `area` (borders and the "▶ " mark taken off).
fn text_width(area: Rect) -> usize {
    usize::from(area.width).saturating_sub(4)
}

/// History rows: when, kind, who, then the figures; on a narrow terminal
/// figures that do not fit go whole to a line of their own (and then, if
/// need be, who).
fn history_items(rows: &[HistoryLine], width: usize) -> Vec<ListItem<'static>> {
    rows.iter()
        .map(|h| {
            let (first, dropped) = fit_row(
                vec![
                    Cell::left(h.when.clone(), 16, 0),
                    Cell::left(h.kind.clone(), 9, 0),
                    Cell::left(shown(&h.member), 10, 1),
                    Cell::left(h.figures.clone(), 0, 2),
                ],
                1,
                width,
            );
            let mut lines = vec![Line::from(first)];
            if dropped.iter().any(|c| c.text == h.figures) {
                lines.extend(wrapped(&h.figures, width, 2).into_iter().map(Line::from));
            }
            lines.extend(wrapped(&h.detail, width, 2).into_iter().map(Line::from));
            ListItem::new(Text::from(lines))
        })
        .collect()
}

fn history(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let title = list_title(
        "History, newest first",
        app,
        area.width,
        m.history.is_empty(),
        m.history_next.is_some(),
        &[],
    );
    list(
        history_items(&m.history, text_width(area)),
        &title,
        theme,
        app.cursor,
        frame,
        area,
        hits,
    );
}

fn log_items(rows: &[LogLine], theme: Theme, width: usize) -> Vec<ListItem<'static>> {
    rows.iter()
        .map(|l| {
            let style = if l.refused {
                theme.bad()
            } else {
                Style::default()
            };
            // The text after who and what, wrapped under the line when it
            // does not fit beside them.
            let lead = format!("{} {:<10} {:<8} ", l.when, l.who, l.what);
            let room = width.saturating_sub(lead.chars().count());
            let text = words(&l.text, room.max(12));
            let beside = text.len() == 1 && room >= 12;
            let mut lines = vec![Line::from(vec![
                Span::raw(format!("{} {:<10} ", l.when, l.who)),
                Span::styled(format!("{:<8}", l.what), style),
                Span::raw(if beside {
                    format!(" {}", l.text)
                } else {
                    String::new()
                }),
            ])];
            if !beside && !l.text.is_empty() {
                lines.extend(wrapped(&l.text, width, 3).into_iter().map(Line::from));
            }
            lines.extend(
                wrapped(&l.detail, width, 3)
                    .into_iter()
                    .map(|d| Line::from(Span::styled(d, style))),
            );
            ListItem::new(Text::from(lines))
        })
        .collect()
}

/// The smallest of 1, 2 or 5 times a power of ten at or above `cents` (one
/// dollar, say, for nothing spent): the top of the chart's scale.
fn scale_top(cents: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for top in [step, step.saturating_mul(2), step.saturating_mul(5)] {
            if top >= cents.max(100) {
                return top;
            }
        }
        if step > u64::MAX / 10 {
            return u64::MAX;
        }
        step *= 10;
    }
}

/// Joins title parts with " · ", leaving out the later ones that do not fit
/// (a part is never cut in the middle, so no date or figure is).
fn fit_parts(parts: &[String], width: usize) -> String {
    let mut title = String::new();
    for part in parts {
        let joined = if title.is_empty() {
            part.clone()
        } else {
            format!("{title} · {part}")
        };
        if joined.chars().count() > width {
            if title.is_empty() {
                title = fit(part, width);
            }
            break;
        }
        title = joined;
    }
    title
}

/// Money spent on coins per day over 14 days, with the scale in money on
/// the left; `[` and `]` step the 14 days back and forth.
fn spend_chart(g: &super::view::GuardianView, vm: &ViewModel, frame: &mut Frame<'_>, area: Rect) {
    let mut parts = vec![
        format!("Spent on coins per day, {}", g.daily_period),
        "[ earlier · ] later".to_string(),
    ];
    parts.push(match &g.verify {
        Some(v) => v.clone(),
        None => "v verify · e export".into(),
    });
    let mut block =
        Block::bordered().title(fit_parts(&parts, usize::from(area.width).saturating_sub(2)));
    if let Some(flow) = &g.money_flow {
        let mut parts: Vec<String> = flow.split(" · ").map(str::to_string).collect();
        if let Some(first) = parts.first_mut() {
            *first = format!("Where the money went: {first}");
        }
        if fit_parts(&parts, usize::from(area.width).saturating_sub(2)).contains("unspent") {
            // Fits with its heading.
        } else if let Some(first) = parts.first_mut() {
            *first = first.replace("Where the money went: ", "");
        }
        block = block.title_bottom(fit_parts(&parts, usize::from(area.width).saturating_sub(2)));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let top = scale_top(g.daily.iter().map(|(_, c)| *c).max().unwrap_or(0));
    let money = |cents: u64| match &vm.economy {
        Some(e) => crate::money::Money::from_micros(
            e.currency,
            i64::try_from(cents.saturating_mul(10_000)).unwrap_or(i64::MAX),
        )
        .to_string(),
        None => format!("{cents} cents"),
    };
    let (high, low) = (format!("{} ┤", money(top)), format!("{} ┤", money(0)));
    let axis_width = high.chars().count().max(low.chars().count()) as u16;
    let [axis, bars_area] =
        Layout::horizontal([Constraint::Length(axis_width), Constraint::Min(0)]).areas(inner);
    // The scale: its top on the first row, zero on the last row of bars
    // (the row under them holds the days).
    let mut lines = vec![Line::from(format!(
        "{high:>w$}",
        w = usize::from(axis_width)
    ))];
    for _ in 2..axis.height.saturating_sub(1) {
        lines.push(Line::from(format!(
            "{:>w$}",
            "│",
            w = usize::from(axis_width)
        )));
    }
    if axis.height >= 3 {
        lines.push(Line::from(format!(
            "{low:>w$}",
            w = usize::from(axis_width)
        )));
    }
    frame.render_widget(Paragraph::new(lines), axis);
    let bars: Vec<Bar> = g
        .daily
        .iter()
        .map(|(label, cents)| {
            Bar::default()
                .value(*cents)
                .label(Line::from(label.clone()))
                .text_value(String::new())
        })
        .collect();
    // Every day shows: the bars narrow to fit the width there is.
    let per_day = (bars_area.width / g.daily.len().max(1) as u16).max(1);
    let (bar_width, bar_gap) = match per_day {
        0..=2 => (per_day.max(1), 0),
        3 => (2, 1),
        _ => (3, 1),
    };
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .max(top)
            .bar_width(bar_width)
            .bar_gap(bar_gap),
        bars_area,
    );
}

/// The audit screen: the spend-per-day chart, then the ledger, the guard's
/// decisions or the guardian actions (←/→), filtered with `/`.
fn audit(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(g) = &vm.guardian else { return };
    let [chart, rest] = Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(area);
    spend_chart(g, vm, frame, chart);
    let view = app.selection.audit;
    let items = match view {
        AuditView::Ledger => history_items(&g.history, text_width(rest)),
        _ => log_items(&g.log, theme, text_width(rest)),
    };
    let (paged, more): (bool, &[&str]) = match view {
        AuditView::Ledger => (g.history_next.is_some(), &["Enter reverses"]),
        AuditView::Alerts if !g.log.is_empty() => (false, &["o marks them all as seen"]),
        AuditView::Alerts => (false, &[]),
        AuditView::Decisions | AuditView::Actions => (g.log_next.is_some(), &[]),
    };
    let title = list_title(
        &format!("◀ {} ▶", view.title()),
        app,
        rest.width,
        items.is_empty(),
        paged,
        more,
    );
    list(items, &title, theme, app.cursor, frame, rest, hits);
}

/// The limits and rules editor: one member at a time (←/→), a row per
/// limit slot, quiet hours and creator; unset rows dimmed.
fn limits(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
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
        format!("{:<25} {first:<23} {second}", editor::label(target))
            .trim_end()
            .to_string()
    };
    let columns = rules
        .rows
        .iter()
        .all(|target| column_text(target).chars().count() <= width);
    let mut head = vec![Line::from(fit_parts(
        &[
            format!(" Rules for: ← {} →", shown(&rules.name)),
            "Enter change".into(),
            "x remove".into(),
        ],
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
                if one.chars().count() <= width {
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

/// Shortens a line to `width` characters, ending in "…" when something was
/// left out. It ends at a space, so a figure is shown whole or not at all;
/// only a single word longer than the line is cut inside.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let head: String = text.chars().take(room + 1).collect();
    let Some(at) = head.rfind(' ').filter(|at| *at > 0) else {
        return format!("{}…", text.chars().take(room).collect::<String>());
    };
    // Whole words only, and not ending on a figure whose unit was left out.
    let mut kept: Vec<&str> = head[..at].split(' ').collect();
    while kept.len() > 1
        && kept
            .last()
            .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()))
    {
        kept.pop();
    }
    format!("{}…", kept.join(" ").trim_end())
}

/// How many items each of the dashboard's sections gets: up to 3 waiting
/// requests, 2 limits (the nearest their caps), an alert and a refusal
/// first; then more limits, requests, alerts and refusals, in that order,
/// while lines are left. `wanted` is each section's items, each
/// the number of lines it takes (an item is shown whole or not at all).
fn dashboard_rows(rows: usize, wanted: [&[usize]; 4]) -> [usize; 4] {
    let mut give = [0; 4];
    let mut left = rows;
    // First passes: the small sections up to their caps, then the limits,
    // then whatever is left back to the small sections.
    for (slot, cap) in [
        (0, 3),
        (1, 2),
        (2, 1),
        (3, 1),
        (1, usize::MAX),
        (0, usize::MAX),
        (2, usize::MAX),
        (3, usize::MAX),
    ] {
        while give[slot] < cap.min(wanted[slot].len()) {
            let next = wanted[slot][give[slot]];
            if next > left {
                break;
            }
            left -= next;
            give[slot] += 1;
        }
    }
    give
}

/// The dashboard: requests waiting, the limits nearest their caps, alerts
/// and recent refusals, each whole (wrapped under itself when narrow, never
/// cut), so every section shows at 80x24 and at 60x20.
fn dashboard(vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(g) = &vm.guardian else { return };
    let block = Block::bordered().title("Dashboard");
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    // An item: its lines under an indent, whole (requests and limits,
    // whose figures are the point) or at most two (alerts and refusals,
    // read whole on the audit screen), never ending on a cut figure.
    let item = |text: &str, most: usize| indented(text, width, "  ", most);
    let pending: Vec<Vec<String>> = g
        .pending
        .iter()
        .map(|r| item(&format!("#{} {}", r.id, r.summary), usize::MAX))
        .collect();
    let mut limits: Vec<(f64, String)> = g
        .limits
        .iter()
        .flat_map(|(member, lines)| {
            lines.iter().map(move |l| {
                (
                    l.ratio,
                    format!(
                        "{}, {}: {}% used — {} of {}, {} left",
                        shown(member),
                        l.what,
                        (l.ratio * 100.0).floor(),
                        l.used,
                        l.cap,
                        l.left
                    ),
                )
            })
        })
        .collect();
    limits.sort_by(|a, b| b.0.total_cmp(&a.0));
    let limits: Vec<Vec<String>> = limits.iter().map(|(_, l)| item(l, usize::MAX)).collect();
    let alerts: Vec<Vec<String>> = g.alerts.iter().map(|a| item(a, 2)).collect();
    let refusals: Vec<Vec<String>> = g.refusals.iter().map(|r| item(r, 2)).collect();
    let heights = |items: &[Vec<String>]| items.iter().map(Vec::len).collect::<Vec<usize>>();
    let rows = dashboard_rows(
        usize::from(inner.height).saturating_sub(4),
        [
            &heights(&pending),
            &heights(&limits),
            &heights(&alerts),
            &heights(&refusals),
        ],
    );
    let more = |shown: usize, all: usize| {
        if all > shown {
            format!(" · {} more", all - shown)
        } else {
            String::new()
        }
    };
    let mut lines = Vec::new();
    let mut section = |title: String, style: Style, items: &[Vec<String>], shown: usize| {
        lines.push(Line::from(Span::styled(fit(&title, width), style)));
        for item in items.iter().take(shown) {
            for line in item {
                lines.push(Line::from(Span::styled(line.clone(), style)));
            }
        }
    };
    section(
        format!(
            "Waiting for you: {} · Tab to Approvals{}",
            plural(pending.len(), "request"),
            more(rows[0], pending.len())
        ),
        theme.warn(),
        &pending,
        rows[0],
    );
    section(
        format!(
            "Limits, nearest their cap first{}",
            more(rows[1], limits.len())
        ),
        Style::default().add_modifier(Modifier::BOLD),
        &limits,
        rows[1],
    );
    section(
        if alerts.is_empty() {
            "Alerts: none".to_string()
        } else {
            format!(
                "Alerts: {} · o marks them all as seen{}",
                alerts.len(),
                more(rows[2], alerts.len())
            )
        },
        theme.warn(),
        &alerts,
        rows[2],
    );
    section(
        if refusals.is_empty() {
            "Recently refused: none".to_string()
        } else {
            format!("Recently refused{}", more(rows[3], refusals.len()))
        },
        theme.bad(),
        &refusals,
        rows[3],
    );
    frame.render_widget(Paragraph::new(Text::from(lines)).block(block), area);
}

fn members(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let width = text_width(area);
    let name_width = vm
        .members
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    let rows = vm
        .members
        .iter()
        .map(|m| {
            vec![
                // What they hold goes first: it moves whole under the name.
                Cell::left(shown(&m.name), name_width, 0),
                Cell::left(m.role.to_string(), 8, 1),
                Cell::right(
                    m.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
                    3,
                    2,
                ),
                Cell::left(m.holds.clone(), 0, 3),
            ]
        })
        .collect();
    let items = rows_of(rows, width)
        .into_iter()
        .zip(&vm.members)
        .map(|((first, dropped), m)| {
            let mut lines = vec![Line::from(first)];
            // What they hold, whole, under the name when it does not fit.
            if dropped.iter().any(|c| c.text == m.holds) {
                lines.extend(wrapped(&m.holds, width, 2).into_iter().map(Line::from));
            }
            ListItem::new(Text::from(lines))
        })
        .collect();
    let title = fit_parts(
        &[
            "Members: coins (what they cost), diamonds (pay out)".into(),
            "Enter limits".into(),
            "m add".into(),
        ],
        usize::from(area.width).saturating_sub(2),
    );
    list(items, &title, theme, app.cursor, frame, area, hits);
}

#[cfg(test)]
pub(in crate::tui) mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use super::*;
    use crate::domain::MemberId;
    use crate::tui::app::{App, Popup, Screen};
    use crate::tui::view::sample;

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
                left: "0.06 USD".into(),
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
        for y in 0..buffer.area.height {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            if let Some(col) = row.find(text) {
                return Some((row[..col].chars().count() as u16, y));
            }
        }
        None
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
            "a approve (PIN) · d deny (reason, PIN) · Esc close",
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
            text.contains("↑/↓ more · Enter to go ahead · Esc to cancel"),
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
            text.contains("reason 12:") && text.contains("Enter to go ahead"),
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
