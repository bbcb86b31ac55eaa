//! Drawing pieces the screens share: the scene a screen is drawn from,
//! where things landed (for the mouse), lists, rows of cells that drop
//! whole columns when narrow, wrapping and titles. Pure: no household, no
//! clock; nothing here knows which screen it is on.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, List, ListItem, ListState};

use crate::domain::RequestStatus;
use crate::tui::model::shown;
use crate::tui::model::{HistoryLine, LogLine, RequestLine, ViewModel};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Hit};
use crate::tui::text::{columns, head, pad_end, pad_start, words};
use crate::tui::theme::Theme;

/// What a screen is drawn from: the app state, the view model, the colours.
#[derive(Clone, Copy)]
pub(crate) struct Scene<'a> {
    pub app: &'a App,
    pub vm: &'a ViewModel,
    pub theme: Theme,
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

pub(crate) fn list<'a>(
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

/// A cell of a list row: its text, the width in terminal columns it is
/// padded to (on the left when `right`), and its rank: on a narrow terminal
/// the highest ranks are left out first, whole; rank 0 always shows.
pub(crate) struct Cell {
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

    /// Columns it takes: its width, or its text's when that is wider (a
    /// cell is never cut; the row drops it whole instead).
    fn len(&self) -> usize {
        self.width.max(columns(&self.text))
    }
}

pub(crate) fn cells_width(cells: &[Cell], gap: usize) -> usize {
    cells.iter().map(Cell::len).sum::<usize>() + gap * cells.len().saturating_sub(1)
}

/// A list's rows of cells laid out with one gap for all (two spaces if
/// every row fits whole with them, else one), so the columns line up; each
/// with the cells it left out.
pub(crate) fn rows_of(rows: Vec<Vec<Cell>>, width: usize) -> Vec<(String, Vec<Cell>)> {
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
pub(crate) fn fit_row(cells: Vec<Cell>, gap: usize, width: usize) -> (String, Vec<Cell>) {
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

pub(crate) fn join_cells(cells: &[Cell], gap: usize, width: usize) -> String {
    let last = cells.len().saturating_sub(1);
    let text = cells
        .iter()
        .enumerate()
        .map(|(i, c)| match (c.right, i == last) {
            (true, _) => pad_start(&c.text, c.width),
            // The last cell is not padded: no trailing spaces.
            (false, true) => c.text.clone(),
            (false, false) => pad_end(&c.text, c.width),
        })
        .collect::<Vec<_>>()
        .join(&" ".repeat(gap));
    fit(&text, width)
}

/// A preview's lines wrapped inside a bordered box `width` wide.
pub(crate) fn wrap_text(text: &Text<'_>, width: u16) -> Vec<Line<'static>> {
    let inner = usize::from(width).saturating_sub(2);
    text.lines
        .iter()
        .flat_map(|l| crate::tui::text::wrap_line(l, inner))
        .collect()
}

/// A list over the preview of its row: the preview gets the lines it needs
/// (the verdict and every reason), the list the rest (it scrolls, with the
/// row chosen always in sight), down to one row on a small terminal.
pub(crate) fn list_then_preview(area: Rect, rows: usize, preview_lines: usize) -> [Rect; 2] {
    let wanted_list = rows as u16 + 2;
    let wanted_preview = preview_lines as u16 + 2;
    let list = wanted_list
        .min(area.height.saturating_sub(wanted_preview))
        .max(wanted_list.min(3));
    Layout::vertical([Constraint::Length(list), Constraint::Min(0)]).areas(area)
}

/// A preview's box title: its name, and when the box cannot hold every
/// line, where the rest can be read.
pub(crate) fn preview_title(name: &str, lines: usize, area: Rect) -> String {
    if lines > usize::from(area.height.saturating_sub(2)) {
        format!("{name} (more than fits: Enter says why)")
    } else {
        name.to_string()
    }
}

pub(crate) fn status_style(status: RequestStatus, theme: Theme) -> Style {
    match status {
        RequestStatus::Pending => theme.warn(),
        RequestStatus::Approved => theme.good(),
        RequestStatus::Denied | RequestStatus::Expired | RequestStatus::Refused => theme.bad(),
        RequestStatus::Cancelled => Style::default(),
    }
}

pub(crate) fn request_list(
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
            for (i, part) in hanging(&r.summary, width, columns(&status))
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
                for (i, part) in hanging(text, width, columns(&lead)).into_iter().enumerate() {
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
                    crate::tui::model::Verdict::Allow => "goes through".to_string(),
                    crate::tui::model::Verdict::NeedsApproval => "still needs approval".to_string(),
                    crate::tui::model::Verdict::Deny => format!(
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

/// A list title with its page and the filter in force (the keys that
/// change them are in the footer, from the screen's commands).
/// `paged`: whether there is a next page. Parts that do not fit the width
/// are left out whole, the later ones first; the filter in force always
/// shows when something is filtered, also when nothing matches.
pub(crate) fn list_title(what: &str, app: &App, width: u16, empty: bool, paged: bool) -> String {
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
            format!("page {page}")
        } else {
            format!("page {page}, the last")
        });
    }
    if !empty && !filter.is_empty() {
        parts.push(format!("filter: {}", shown(&filter.text)));
    }
    fit_parts(&parts, usize::from(width).saturating_sub(2))
}

/// Wraps `text` to follow a lead of `lead` columns on a `width`-column
/// row: the first part goes after the lead, the rest are indented under it.
pub(crate) fn hanging(text: &str, width: usize, lead: usize) -> Vec<String> {
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
pub(crate) fn wrapped(text: &str, width: usize, most: usize) -> Vec<String> {
    indented(text, width, "    ", most)
}

/// [`wrapped`] under any indent.
pub(crate) fn indented(text: &str, width: usize, indent: &str, most: usize) -> Vec<String> {
    let room = width.saturating_sub(columns(indent)).max(10);
    let mut lines = if text.trim().is_empty() {
        Vec::new()
    } else {
        words(text, room)
    };
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
pub(crate) fn text_width(area: Rect) -> usize {
    usize::from(area.width).saturating_sub(4)
}

/// History rows: when, kind, who, then the figures; on a narrow terminal
/// figures that do not fit go whole to a line of their own (and then, if
/// need be, who).
pub(crate) fn history_items(rows: &[HistoryLine], width: usize) -> Vec<ListItem<'static>> {
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

pub(crate) fn log_items(rows: &[LogLine], theme: Theme, width: usize) -> Vec<ListItem<'static>> {
    rows.iter()
        .map(|l| {
            let style = if l.refused {
                theme.bad()
            } else {
                Style::default()
            };
            // The text after who and what, wrapped under the line when it
            // does not fit beside them.
            let who = pad_end(&l.who, 10);
            let lead = format!("{} {who} {} ", l.when, pad_end(&l.what, 8));
            let room = width.saturating_sub(columns(&lead));
            let text = words(&l.text, room.max(12));
            let beside = text.len() == 1 && room >= 12;
            let mut lines = vec![Line::from(vec![
                Span::raw(format!("{} {who} ", l.when)),
                Span::styled(pad_end(&l.what, 8), style),
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
pub(crate) fn scale_top(cents: u64) -> u64 {
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
pub(crate) fn fit_parts(parts: &[String], width: usize) -> String {
    let mut title = String::new();
    for part in parts {
        let joined = if title.is_empty() {
            part.clone()
        } else {
            format!("{title} · {part}")
        };
        if columns(&joined) > width {
            if title.is_empty() {
                title = fit(part, width);
            }
            break;
        }
        title = joined;
    }
    title
}

/// Shortens a line to `width` terminal columns, ending in "…" (one column)
/// when something was left out. It ends at a space, so a figure is shown
/// whole or not at all; only a single word longer than the line is cut
/// inside, between graphemes, and then fills the line exactly: where a wide
/// character would have straddled the edge, a space follows the "…".
pub(crate) fn fit(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_string();
    }
    let Some(room) = width.checked_sub(1) else {
        return String::new();
    };
    let (start, _) = head(text, room + 1);
    let Some(at) = start.rfind(' ').filter(|at| *at > 0) else {
        let (kept, used) = head(text, room);
        return format!("{kept}…{}", " ".repeat(room - used));
    };
    // Whole words only, and not ending on a figure whose unit was left out.
    let mut kept: Vec<&str> = start[..at].split(' ').collect();
    while kept.len() > 1
        && kept
            .last()
            .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()))
    {
        kept.pop();
    }
    format!("{}…", kept.join(" ").trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names a household may hold, as wide as they look rather than as
    /// long as they are: "さくら" and "小明" take two columns a character,
    /// "Zoe\u{308}" (an e and a combining diaeresis) and "สมศักดิ์" (Thai, three
    /// of its eight characters are marks) one column less than they have
    /// characters.
    const NAMES: [&str; 5] = ["Sam", "さくら", "小明", "Zoe\u{308}", "สมศักดิ์"];

    /// The terminal column at which `word` starts in `row`.
    fn column_of(row: &str, word: &str) -> usize {
        columns(&row[..row.find(word).unwrap_or(row.len())])
    }

    #[test]
    fn a_cell_takes_its_width_in_terminal_columns_whatever_its_characters() {
        for name in NAMES {
            for cell in [Cell::left(name, 10, 0), Cell::right(name, 10, 0)] {
                let right = cell.right;
                let row = join_cells(&[cell, Cell::left("|", 0, 0)], 1, 80);
                assert_eq!(column_of(&row, "|"), 11, "{row:?} (right: {right})");
                assert_eq!(columns(&row), 12, "{row:?}");
            }
        }
    }

    #[test]
    fn the_columns_after_a_name_start_where_they_do_after_an_ascii_one() {
        let row = |name: &str| {
            let cells = vec![
                Cell::left(name, 8, 0),
                Cell::left("teen", 8, 1),
                Cell::right("15", 3, 2),
                Cell::left("420 coins (5.98 USD)", 0, 3),
            ];
            fit_row(cells, 2, 76).0
        };
        let ascii = row("Sam");
        for name in NAMES {
            let shown = row(name);
            for word in ["teen", "15", "420 coins"] {
                assert_eq!(
                    column_of(&shown, word),
                    column_of(&ascii, word),
                    "{word:?} in\n{shown:?}\n{ascii:?}"
                );
            }
            assert_eq!(columns(&shown), columns(&ascii), "{shown:?}");
        }
    }

    #[test]
    fn a_row_drops_a_column_when_its_wide_name_leaves_no_room() {
        // 3 characters but 6 columns: with the figures that is 17 columns,
        // more than 16 (as characters it would seem to fit in 15).
        let cells = vec![Cell::left("さくら", 4, 0), Cell::left("420 coins", 0, 1)];
        let (row, dropped) = fit_row(cells, 2, 16);
        assert_eq!(row, "さくら");
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].text, "420 coins");
        // The gap every row is laid out with is the one they all fit with
        // (here one space: two would make "さくら" and "teen" 12 columns).
        let rows = rows_of(
            vec![
                vec![Cell::left("さくら", 6, 0), Cell::left("teen", 0, 0)],
                vec![Cell::left("Sam", 6, 0), Cell::left("teen", 0, 0)],
            ],
            11,
        );
        let texts: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["さくら teen", "Sam    teen"]);
        assert_eq!(column_of(texts[0], "teen"), column_of(texts[1], "teen"));
    }

    #[test]
    fn fit_cuts_by_columns_and_never_through_a_character() {
        for (text, width, fitted) in [
            // As characters "さくら" fits in 4; on the terminal it is 6.
            ("さくら", 4, "さ… "),
            ("さくらさくら", 7, "さくら…"),
            // The wide "ら" would straddle the edge: a space takes its place.
            ("さくらさくら", 6, "さく… "),
            ("小明 and Sam", 6, "小明…"),
            // The accent stays with its letter.
            ("Zoe\u{308}Zoe\u{308}", 4, "Zoe\u{308}…"),
            ("Zoe\u{308} 420 coins", 8, "Zoe\u{308}…"),
            ("Zoe\u{308}", 3, "Zoe\u{308}"),
            ("abcdef", 4, "abc…"),
            ("さ", 1, "…"),
            ("さくら", 0, ""),
        ] {
            let got = fit(text, width);
            assert_eq!(got, fitted, "{text:?} in {width}");
            assert!(columns(&got) <= width, "{got:?} wider than {width}");
        }
        // A cut inside a word fills the line exactly.
        for width in 1..12 {
            let got = fit("さくらさくらさくら", width);
            assert_eq!(columns(&got), width, "{got:?}");
        }
    }

    #[test]
    fn a_title_leaves_out_the_parts_its_wide_characters_push_over() {
        let parts = ["Rules for: 小明さくら".to_string(), "page 2".to_string()];
        // 16 characters and 9 more for " · page 2", 25 in all; but the
        // first part takes 21 columns, and both 30.
        assert_eq!(fit_parts(&parts, 26), "Rules for: 小明さくら");
        assert_eq!(fit_parts(&parts, 29), "Rules for: 小明さくら");
        assert_eq!(fit_parts(&parts, 30), "Rules for: 小明さくら · page 2");
    }
}
