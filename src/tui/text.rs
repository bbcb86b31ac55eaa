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

/// Whether `word` is the unit of the figure before it: a currency code,
/// coins or diamonds (a closing bracket or punctuation may follow).
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
/// longer than a line is broken (only a word with no space can be), between
/// graphemes.
pub(super) fn words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in breakable(text) {
        let word = word.as_str();
        let len = columns(&line);
        if len > 0 && len + 1 + columns(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while columns(&line) > width {
            let cut = cut_at(&line, width);
            let rest = line.split_off(cut);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Where to break `text` so its first part fits `width` columns: after at
/// least one grapheme, so a wide character on a one-column line still
/// moves on (and overflows by one column) rather than never fitting.
fn cut_at(text: &str, width: usize) -> usize {
    match head(text, width) {
        ("", _) => text.graphemes(true).next().map_or(text.len(), str::len),
        (start, _) => start.len(),
    }
}

/// A grapheme and the style it is drawn in.
type Glyph<'a> = (&'a str, Style);

/// How many terminal columns `glyphs` take.
fn width_of(glyphs: &[Glyph<'_>]) -> usize {
    glyphs.iter().map(|(g, _)| columns(g)).sum()
}

/// How many of `glyphs` fit in `width` columns (at least one, as
/// [`cut_at`]).
fn fitting(glyphs: &[Glyph<'_>], width: usize) -> usize {
    let mut used = 0;
    let fit = glyphs
        .iter()
        .take_while(|(g, _)| {
            used += columns(g);
            used <= width
        })
        .count();
    fit.max(1).min(glyphs.len())
}

/// Wraps a line to `width` columns at spaces, keeping each character's
/// style; continuation lines keep the line's indent (and hang under a
/// leading "• " or "▶ "). Only a word longer than a whole line is broken,
/// and then between graphemes.
pub(super) fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let glyphs: Vec<Glyph<'_>> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.graphemes(true).map(move |g| (g, style))
        })
        .collect();
    let width = width.max(1);
    if width_of(&glyphs) <= width {
        return vec![spans_of(&glyphs)];
    }
    // A column of keys ("Esc        back (close, ...)"): the text after
    // the run of spaces wraps under itself, so the columns stay.
    if let Some(at) = text_column(&glyphs) {
        let column = width_of(&glyphs[..at]);
        if column <= width / 2 {
            let rest = Line::from(spans_of(&glyphs[at..]).spans);
            return wrap_line(&rest, width - column)
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let head = if i == 0 {
                        spans_of(&glyphs[..at])
                    } else {
                        Line::from(" ".repeat(column))
                    };
                    Line::from([head.spans, l.spans].concat())
                })
                .collect();
        }
    }
    let lead = glyphs.iter().take_while(|(g, _)| *g == " ").count();
    let bullet =
        matches!(glyphs.get(lead..lead + 2), Some([(b, _), (" ", _)]) if *b == "•" || *b == "▶");
    let indent = (lead + if bullet { 2 } else { 0 }).min(width / 2);
    let mut lines: Vec<Vec<Glyph<'_>>> = Vec::new();
    let mut current: Vec<Glyph<'_>> = glyphs[..lead].to_vec();
    let mut has_word = false;
    // A figure and its unit ("25.00 USD") stay on one line.
    let mut words: Vec<Vec<Glyph<'_>>> = Vec::new();
    for word in glyphs[lead..]
        .split(|(g, _)| *g == " ")
        .filter(|w| !w.is_empty())
    {
        let text: String = word.iter().map(|(g, _)| *g).collect();
        match words.last_mut() {
            Some(last)
                if is_unit(&text)
                    && last
                        .iter()
                        .any(|(g, _)| g.chars().any(|c| c.is_ascii_digit())) =>
            {
                last.push((" ", word[0].1));
                last.extend_from_slice(word);
            }
            _ => words.push(word.to_vec()),
        }
    }
    for word in &words {
        let word = word.as_slice();
        let gap = usize::from(has_word);
        if has_word && width_of(&current) + gap + width_of(word) > width {
            lines.push(std::mem::take(&mut current));
            current = vec![(" ", Style::default()); indent];
            has_word = false;
        }
        if has_word {
            current.push((" ", word[0].1));
        }
        let mut rest = word;
        // A word longer than the room left on an empty line is broken.
        while width_of(&current) + width_of(rest) > width {
            let room = width.saturating_sub(width_of(&current));
            let take = fitting(rest, room);
            current.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if rest.is_empty() {
                // A character wider than the whole line, the word's last.
                break;
            }
            lines.push(std::mem::take(&mut current));
            current = vec![(" ", Style::default()); indent];
        }
        current.extend_from_slice(rest);
        has_word = true;
    }
    if has_word || lines.is_empty() {
        lines.push(current);
    }
    lines.iter().map(|l| spans_of(l)).collect()
}

/// Where the text column of "word   text" starts, as an index into
/// `glyphs`: after a first word and a run of two or more spaces (None when
/// the line is not laid out so).
fn text_column(glyphs: &[Glyph<'_>]) -> Option<usize> {
    let word = glyphs.iter().take_while(|(g, _)| *g != " ").count();
    let gap = glyphs[word..].iter().take_while(|(g, _)| *g == " ").count();
    (word > 0 && gap >= 2 && word + gap < glyphs.len()).then_some(word + gap)
}

/// Graphemes back into spans, one per run of a style.
fn spans_of(glyphs: &[Glyph<'_>]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut style = glyphs.first().map(|(_, s)| *s).unwrap_or_default();
    for (g, s) in glyphs {
        if *s != style && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        style = *s;
        run.push_str(g);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::{columns, head, pad_end, pad_start, words, wrap_line};
    use ratatui::text::Line;

    #[test]
    fn lines_wrap_at_the_width_in_terminal_columns() {
        // (text, width, the lines)
        for (text, width, lines) in [
            // As characters "さくら asks" is 8 and would share a line.
            (
                "さくら asks for 700 coins",
                10,
                &["さくら", "asks for", "700 coins"][..],
            ),
            ("小明 sends 2 × Rose", 10, &["小明 sends", "2 × Rose"]),
            // A word longer than the line breaks between characters, and
            // never halves one: 5 columns hold two wide ones.
            (
                "さくらさくらさくら",
                5,
                &["さく", "らさ", "くら", "さく", "ら"],
            ),
            // The accent stays with its letter.
            (
                "Zoe\u{308}Zoe\u{308}Zoe\u{308}",
                4,
                &["Zoe\u{308}Z", "oe\u{308}Zo", "e\u{308}"],
            ),
            ("สมศักดิ์ asks", 9, &["สมศักดิ์", "asks"]),
            // A wide character on a one-column line still moves on.
            ("さく", 1, &["さ", "く"]),
        ] {
            let plain = words(text, width);
            assert_eq!(plain, lines, "words({text:?}, {width})");
            let styled: Vec<String> = wrap_line(&Line::from(text), width)
                .iter()
                .map(|l| l.to_string())
                .collect();
            assert_eq!(styled, lines, "wrap_line({text:?}, {width})");
        }
        // Under a bullet, the lines after the first hang under its text.
        let line = Line::from("• 小明 sends 1 × Rose to สมศักดิ์: 1 coin (≈0.01 USD)");
        let wrapped: Vec<String> = wrap_line(&line, 16).iter().map(|l| l.to_string()).collect();
        assert_eq!(
            wrapped,
            [
                "• 小明 sends 1 ×",
                "  Rose to สมศักดิ์:",
                "  1 coin",
                "  (≈0.01 USD)"
            ]
        );
        assert!(wrapped.iter().all(|l| columns(l) <= 16), "{wrapped:?}");
    }

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
