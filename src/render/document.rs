//! What every command hands the renderer: one document, and one trait that
//! each output format implements (as hyperfine's exporters do). A new
//! format is one file with a `Renderer` that covers every command: the
//! diagnosis report of `diagnose` and the topic doors, and the report of
//! each writing command through `WriteView`.

use super::json::Subject;
use super::view::{DoorView, Viewed};
use super::Printer;
use crate::error::{CliError, Status};
use crate::findings::fleet::Entry;
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

/// Which part of a diagnosis a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The findings, then the door's view.
    Diagnosis,
    /// What --fix did, and the state after.
    Remediation,
}

/// One run's result, as it is rendered.
pub enum Document<'a> {
    /// A diagnosis, and the door's view beside it.
    Report {
        report: &'a Report,
        view: Option<&'a DoorView>,
        part: Part,
    },
    /// A fleet: a report (or why there is none) per target.
    Fleet {
        command: &'a str,
        entries: &'a [Entry],
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
            Document::Report {
                report,
                view,
                part: Part::Diagnosis,
            } => printer.out(&super::table::diagnosis(report, *view)),
            Document::Report {
                report,
                part: Part::Remediation,
                ..
            } => printer.out(&super::table::remediation(report)),
            Document::Written { view, .. } => printer.out(&view.table(super::table_width())),
            Document::Fleet { entries, .. } => {
                printer.out(&super::fleet::table(entries, super::table_width()))
            }
        }
    }
}

/// The versioned JSON document (docs/json.md).
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(&self, doc: &Document<'_>, printer: &Printer) -> Result<(), CliError> {
        match doc {
            Document::Report { report, view, .. } => printer.out_json(&Viewed {
                report,
                view: *view,
            }),
            Document::Fleet { entries, .. } => {
                let list: Vec<_> = entries.iter().map(Entry::json).collect();
                printer.out_json(&list)
            }
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
            super::Format::Html => &super::html::HtmlRenderer,
            super::Format::Junit => &super::junit::JunitRenderer,
            super::Format::Nagios => &super::nagios::NagiosRenderer,
            super::Format::Prometheus => &super::textfile::PrometheusRenderer,
            super::Format::Markdown => &super::markdown::MarkdownRenderer,
        }
    }
}
