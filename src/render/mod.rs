//! Output: results as tables or JSON, written through the `Printer` (the
//! only writer of stdout and stderr). Colour only on a terminal, never with
//! NO_COLOR or in pipes. Every string passes the secret scrubber on its way
//! out.

pub mod json;
pub mod printer;
pub mod progress;
#[cfg(test)]
mod snapshots;
pub mod table;

pub use printer::Printer;

/// Width to lay tables out in: `COLUMNS` when the shell exports it, else
/// 120, a width that reads well in terminals, pagers and incident channels.
pub fn table_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(120)
}

/// Text from a server or an application, made safe for a terminal: control
/// characters (escape sequences, carriage returns, newlines, C1 controls)
/// and bidirectional overrides are shown as `\xNN` / `\u{NNNN}` escapes
/// instead of being obeyed. JSON output needs none of this: serde escapes
/// control characters itself.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clean_escapes_what_a_terminal_would_obey() {
        assert_eq!(super::clean("plain text: 100%"), "plain text: 100%");
        assert_eq!(
            super::clean("\u{1b}]0;owned\u{7}\u{1b}[2J\r\nnext\u{9b}\u{202e}"),
            "\\x1b]0;owned\\x07\\x1b[2J\\r\\nnext\\x9b\\u{202e}"
        );
    }
}
