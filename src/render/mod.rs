//! The only layer that writes to stdout: results (tables, JSON). Diagnostics
//! go to stderr. Colour only on a terminal, never with NO_COLOR or in pipes.
//! Every string passes the secret scrubber on its way out.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod json;
pub mod table;

use std::io::Write;

use crate::cli::ColorChoice;
use crate::error::CliError;
use crate::secret::scrub;

/// Sets the process-wide colour choice (anstream strips escapes otherwise).
pub fn init_color(choice: ColorChoice) {
    let choice = match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Writes a result to stdout. A closed pipe (`| head`) is not an error.
pub fn out(text: &str) {
    let mut stdout = anstream::stdout().lock();
    let _ = stdout.write_all(scrub(text).as_bytes());
    let _ = stdout.flush();
}

/// Writes a diagnostic line to stderr.
pub fn diag(text: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{}", scrub(text));
}

/// Prints an error and its cause chain to stderr.
pub fn error(err: &CliError) {
    let mut text = format!("cachectl: error: {err}");
    if let CliError::Other(e) = err {
        for cause in e.chain().skip(1) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    diag(&text);
}

/// Width to lay tables out in: `COLUMNS` when the shell exports it, else
/// 120, a width that reads well in terminals, pagers and incident channels.
pub fn table_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(120)
}
