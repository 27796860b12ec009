//! Text from servers, applications and files, made safe to print. Depends
//! on nothing of ours, so every module (a node's address included) can
//! escape what it shows.

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
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}
