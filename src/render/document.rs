//! What every command hands the renderer: one document, and one trait that
//! each output format implements (as hyperfine's exporters do). A new
//! format is one file with a `Renderer` that covers every command: the
//! diagnosis report of `diagnose` and the topic doors, and the report of
//! each writing command through `WriteView`.

use super::json::Subject;
use super::Printer;
use crate::error::{CliError, Status};
use crate::findings::Report;

/// A writing command's report (flush, warm, clients kill, failover), as
/// every renderer needs it.
pub trait WriteView {
    /// The table, `width` columns wide.
    fn table(&self, width: u16) -> String;
    /// Streams the JSON document (`json::envelope` around the report).
    fn json(
        &self,
        subject: &Subject<'_>,
        status: Status,
        printer: &Printer,
    ) -> Result<(), CliError>;
}

/// Implements `WriteView` for a writing command's report: the key its
/// document sits under (`flush`, `warm`, `kill`, `failover`), and its
/// table as `table(report, width)`.
macro_rules! write_view {
    ($report:ty, $key:literal, $table:expr) => {
        impl $crate::render::document::WriteView for $report {
            fn table(&self, width: u16) -> String {
                ($table)(self, width)
            }

            fn json(
                &self,
                subject: &$crate::render::json::Subject<'_>,
                status: $crate::error::Status,
                printer: &$crate::render::Printer,
            ) -> Result<(), $crate::error::CliError> {
                $crate::render::json::write_document(self, $key, subject, status, printer)
            }
        }
    };
}
pub(crate) use write_view;

/// One run's result, as it is rendered.
pub enum Document<'a> {
    /// A diagnosis (with the door's view in it), and the door's table.
    Report {
        report: &'a Report,
        table: fn(&Report) -> String,
    },
    /// A writing command's report.
    Written {
        subject: Subject<'a>,
        status: Status,
        view: &'a dyn WriteView,
    },
}

/// An output format.
pub trait Renderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError>;
}

/// Tables for people.
pub struct TableRenderer;

impl Renderer for TableRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        match doc {
            Document::Report { report, table } => printer.out(&table(report)),
            Document::Written { view, .. } => printer.out(&view.table(super::table_width())),
        }
    }
}

/// The versioned JSON document (docs/json.md).
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        match doc {
            Document::Report { report, .. } => printer.out_json(report),
            Document::Written {
                subject,
                status,
                view,
            } => view.json(subject, *status, printer),
        }
    }
}

impl super::Format {
    /// The renderer of this format.
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            super::Format::Table => &TableRenderer,
            super::Format::Json => &JsonRenderer,
        }
    }
}
