//! Output: results as tables or JSON, written through the `Printer` (the
//! only writer of stdout and stderr). Colour only on a terminal, never with
//! NO_COLOR or in pipes. Every string passes the secret scrubber on its way
//! out.

pub mod document;
mod dump;
pub mod fleet;
pub mod hotkeys;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod nagios;
pub mod printer;
pub mod progress;
pub mod runbooks;
#[cfg(test)]
mod snapshots;
pub mod table;
pub mod terminal;
pub mod textfile;
pub mod view;
pub mod watch;

pub use printer::Printer;

/// How a result is written: the CLI's `--output` turned into the renderer's
/// own choice (the renderer does not know the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for people (colour on a terminal).
    Table,
    /// The versioned JSON document.
    Json,
    /// One self-contained HTML page.
    Html,
    /// A JUnit XML test report: a suite per node, a case per check.
    Junit,
    /// A Nagios plugin's status line with perfdata.
    Nagios,
    /// Prometheus' text format, for node_exporter's textfile collector.
    Prometheus,
    /// Markdown, for an incident channel or a postmortem.
    Markdown,
}

/// Width to lay output out in: the terminal's own when stdout is one;
/// otherwise `COLUMNS` when the shell exports it, else 100 (pipes, files,
/// CI logs). Below `table::COMPACT_BELOW` findings print as blocks.
pub fn table_width() -> u16 {
    width_of(&std::io::stdout())
}

/// `table_width` for what goes to stderr (the walk of fixes, prompts).
pub fn status_width() -> u16 {
    width_of(&std::io::stderr())
}

fn width_of(stream: &(impl std::io::IsTerminal + std::os::fd::AsFd)) -> u16 {
    if stream.is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(stream) {
            if w > 0 {
                return w.max(40);
            }
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
        .map_or(100, |w| w.max(40))
}

/// Whether charts may draw with Unicode blocks: the locale says UTF-8
/// (LC_ALL, else LC_CTYPE, else LANG). Otherwise they are ASCII (`#`).
/// Tests always draw with blocks.
pub fn unicode() -> bool {
    if cfg!(test) {
        return true;
    }
    static UNICODE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *UNICODE.get_or_init(|| {
        ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("utf-8") || l.contains("utf8")
            })
    })
}

/// A table's text without its colours (for a file or a page).
pub fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// Text from a server or an application, made safe for a terminal
/// (`text::clean`).
pub use crate::text::clean;

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
