//! Text from the household made safe to print on a terminal. Names, notes,
//! memos, reasons and summaries are typed by people; a character that acts
//! on a terminal or hides text (an escape, a carriage return, a
//! right-to-left override, a zero-width space) is shown as `\u{..}` instead,
//! so what a guardian reads is what was stored. The command line and the
//! terminal interface escape with this one function, the same way.

use std::borrow::Cow;

/// `text` with every character that would act on a terminal or hide text
/// written as `\u{..}`; borrowed when there is none.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// "1 request", "3 requests", "1,204 transactions": a count and its noun,
/// in the plural when it is not one.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", crate::money::group_thousands(count as u64))
    }
}

/// Characters that act on a terminal or hide text instead of showing.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' // zero-width spaces and joiners, LRM/RLM
                | '\u{202a}'..='\u{202e}' // bidirectional embeddings and overrides
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}' // bidirectional isolates
                | '\u{feff}' // zero-width no-break space
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_takes_its_noun_in_the_right_number() {
        assert_eq!(plural(1, "request"), "1 request");
        assert_eq!(plural(3, "request"), "3 requests");
        assert_eq!(plural(0, "alert"), "0 alerts");
        assert_eq!(plural(1_200, "transaction"), "1,200 transactions");
    }

    #[test]
    fn invisible_and_bidirectional_characters_are_shown_escaped() {
        for (raw, shown) in [
            (
                "please \u{202e}evil\u{200b} mum",
                "please \\u{202e}evil\\u{200b} mum",
            ),
            ("\u{1b}[31mred", "\\u{1b}[31mred"),
            ("a\rb\u{2066}c\u{feff}", "a\\u{d}b\\u{2066}c\\u{feff}"),
            ("Zoë 🎁 مرحبا", "Zoë 🎁 مرحبا"),
        ] {
            assert_eq!(clean(raw), shown, "{raw:?}");
        }
        assert!(matches!(clean("plain"), Cow::Borrowed("plain")));
    }
}
