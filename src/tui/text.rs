//! Text shared by the screens and the popups: how many terminal columns a
//! text takes, padding and cutting it by those columns, wrapping a line to a
//! width (a figure and its unit stay together), and a preview of what the
//! guard will say. Pure.
//!
//! Widths here are terminal columns, never `char`s or bytes: "さくら" is three
//! characters and six columns, "Zoe\u{308}" four characters and three
//! columns. A table measured in characters puts every column after a wide
//! name too far right.

use ratatui::buffer::CellWidth;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use unicode_segmentation::UnicodeSegmentation;

/// `text`'s graphemes (a letter with its combining marks, an emoji with its
/// joiners) with the columns each takes, measured the way ratatui's buffer
/// measures what it draws, so text padded here ends where ratatui's next
/// cell begins. A grapheme holding a control character counts as nothing:
/// ratatui draws nothing for it (text from the household reaches the
/// screen through `clean`, which escapes them, so this is only a guard).
pub(crate) fn glyphs(text: &str) -> impl Iterator<Item = (&str, usize)> {
    text.graphemes(true).map(|g| {
        let columns = if g.contains(char::is_control) {
            0
        } else {
            usize::from(g.cell_width())
        };
        (g, columns)
    })
}

/// How many terminal columns `text` takes.
pub(crate) fn columns(text: &str) -> usize {
    glyphs(text).map(|(_, w)| w).sum()
}

/// The longest start of `text` that fits in `width` columns, and the
/// columns it takes. It ends between graphemes, so a wide character is
/// never cut in half and an accent never parted from its letter; it is one
/// column short of `width` when the next character is a wide one.
pub(crate) fn head(text: &str, width: usize) -> (&str, usize) {
    let (mut end, mut used) = (0, 0);
    for (g, w) in glyphs(text) {
        if used + w > width {
            break;
        }
        end += g.len();
        used += w;
    }
    (&text[..end], used)
}

/// `text` followed by spaces up to `width` columns (as it is when wider).
pub(crate) fn pad_end(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(columns(text))))
}

/// `text` after spaces up to `width` columns (as it is when wider): a
/// figure right-aligned under the others.
pub(crate) fn pad_start(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(columns(text))))
}

use super::model::{Preview, Verdict};
use super::theme::Theme;

pub(super) fn preview_text(p: &Preview, theme: Theme) -> Text<'static> {
    let (word, style) = match p.verdict {
        Verdict::Allow => ("Would go through", theme.good()),
        Verdict::NeedsApproval => ("Needs a guardian's approval", theme.warn()),
        Verdict::Deny => ("Would be refused", theme.bad()),
    };
    let mut lines = vec![
        Line::from(Span::styled(word, style)),
        Line::from(p.summary.clone()),
    ];
    for (refused, reason) in &p.reasons {
        let style = if *refused { theme.bad() } else { theme.warn() };
        lines.push(Line::from(Span::styled(format!("• {reason}"), style)));
    }
    Text::from(lines)
}

pub(super) fn is_unit(word: &str) -> bool {
    let bare = word.trim_end_matches([')', ',', ';', ':', '.']);
    matches!(bare, "coin" | "coins" | "diamond" | "diamonds")
        || (bare.len() == 3 && bare.chars().all(|c| c.is_ascii_uppercase()))
}

/// The places a line may break: at spaces, except between a figure and its
/// unit ("25.00 USD", "500 coins"), which stay on one line.
pub(super) fn breakable(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match out.last_mut() {
            Some(last) if is_unit(word) && last.chars().any(|c| c.is_ascii_digit()) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}

/// Splits `text` into lines of at most `width` columns at spaces; a word
/// longer than a line is broken (only a word with no space can be).
pub(super) fn words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in breakable(text) {
        let word = word.as_str();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps `text` to follow a lead of `lead` columns on a `width`-column
/// row: the first part goes after the lead, the rest are indented under it.
/// Wraps a line to `width` columns at spaces, keeping each character's
/// style; continuation lines keep the line's indent (and hang under a
/// leading "• " or "▶ "). Only a word longer than a whole line is broken.
pub(super) fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .collect();
    let width = width.max(1);
    if chars.len() <= width {
        return vec![spans_of(&chars)];
    }
    // A column of keys ("Esc        back (close, ...)"): the text after
    // the run of spaces wraps under itself, so the columns stay.
    if let Some(column) = text_column(&chars).filter(|c| *c <= width / 2) {
        let rest = Line::from(spans_of(&chars[column..]).spans);
        return wrap_line(&rest, width - column)
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let head = if i == 0 {
                    spans_of(&chars[..column])
                } else {
                    Line::from(" ".repeat(column))
                };
                Line::from([head.spans, l.spans].concat())
            })
            .collect();
    }
    let lead = chars.iter().take_while(|(c, _)| *c == ' ').count();
    let bullet =
        matches!(chars.get(lead..lead + 2), Some([(b, _), (' ', _)]) if *b == '•' || *b == '▶');
    let indent = (lead + if bullet { 2 } else { 0 }).min(width / 2);
    let mut lines: Vec<Vec<(char, Style)>> = Vec::new();
    let mut current: Vec<(char, Style)> = chars[..lead].to_vec();
    let mut has_word = false;
    // A figure and its unit ("25.00 USD") stay on one line.
    let mut words: Vec<Vec<(char, Style)>> = Vec::new();
    for word in chars[lead..]
        .split(|(c, _)| *c == ' ')
        .filter(|w| !w.is_empty())
    {
        let text: String = word.iter().map(|(c, _)| *c).collect();
        match words.last_mut() {
            Some(last) if is_unit(&text) && last.iter().any(|(c, _)| c.is_ascii_digit()) => {
                last.push((' ', word[0].1));
                last.extend_from_slice(word);
            }
            _ => words.push(word.to_vec()),
        }
    }
    for word in &words {
        let word = word.as_slice();
        let gap = usize::from(has_word);
        if has_word && current.len() + gap + word.len() > width {
            lines.push(std::mem::take(&mut current));
            current = vec![(' ', Style::default()); indent];
            has_word = false;
        }
        if has_word {
            current.push((' ', word[0].1));
        }
        let mut rest = word;
        // A word longer than the room left on an empty line is broken.
        while current.len() + rest.len() > width {
            let room = width.saturating_sub(current.len()).max(1);
            current.extend_from_slice(&rest[..room.min(rest.len())]);
            rest = &rest[room.min(rest.len())..];
            lines.push(std::mem::take(&mut current));
            current = vec![(' ', Style::default()); indent];
        }
        current.extend_from_slice(rest);
        has_word = true;
    }
    if has_word || lines.is_empty() {
        lines.push(current);
    }
    lines.iter().map(|l| spans_of(l)).collect()
}

/// Where the text column of "word   text" starts: after a first word and a
/// run of two or more spaces (None when the line is not laid out so).
fn text_column(chars: &[(char, Style)]) -> Option<usize> {
    let word = chars.iter().take_while(|(c, _)| *c != ' ').count();
    let gap = chars[word..].iter().take_while(|(c, _)| *c == ' ').count();
    (word > 0 && gap >= 2 && word + gap < chars.len()).then_some(word + gap)
}

/// Characters back into spans, one per run of a style.
fn spans_of(chars: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut style = chars.first().map(|(_, s)| *s).unwrap_or_default();
    for (c, s) in chars {
        if *s != style && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        style = *s;
        run.push(*c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::{columns, head, pad_end, pad_start};

    #[test]
    fn text_is_measured_and_cut_in_terminal_columns() {
        // (text, columns, what fits in 3 columns and its columns)
        for (text, wide, (start, used)) in [
            ("Sam", 3, ("Sam", 3)),
            ("さくら", 6, ("さ", 2)),
            ("小明", 4, ("小", 2)),
            ("Zoe\u{308}", 3, ("Zoe\u{308}", 3)),
            ("สมศักดิ์", 5, ("สมศั", 3)),
            ("Ana \u{1F469}\u{200D}\u{1F467}", 6, ("Ana", 3)),
            ("", 0, ("", 0)),
        ] {
            assert_eq!(columns(text), wide, "{text:?}");
            assert_eq!(head(text, 3), (start, used), "{text:?}");
            assert_eq!(columns(&pad_end(text, 8)), wide.max(8), "{text:?}");
            assert!(pad_end(text, 8).starts_with(text));
            assert_eq!(columns(&pad_start(text, 8)), wide.max(8), "{text:?}");
            assert!(pad_start(text, 8).ends_with(text));
        }
    }

    #[test]
    fn a_column_of_keys_wraps_under_its_text() {
        let line = ratatui::text::Line::from(
            "Esc        back (close, cancel, or sign out to pick someone else)",
        );
        let lines: Vec<String> = super::wrap_line(&line, 40)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "Esc        back (close, cancel, or sign",
                "           out to pick someone else)"
            ]
        );
    }
}
