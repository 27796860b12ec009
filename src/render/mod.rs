//! Output: results as tables or JSON, written through the `Printer` (the
//! only writer of stdout and stderr). Colour only on a terminal, never with
//! NO_COLOR or in pipes. Every string passes the secret scrubber on its way
//! out.

pub mod json;
pub mod printer;
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
