//! JSON output: pretty, stable key order, one document per run.

use serde::Serialize;

use crate::error::{CliError, Status};
use crate::facts::server::ServerId;
use crate::findings::Finding;
use crate::target::Node;

pub fn render<T: Serialize>(value: &T) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot encode JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The document of a writing command (docs/json.md): the fields every
/// document has, and the command's own report under its key.
#[derive(Serialize)]
pub struct Envelope<'a, T: Serialize> {
    schema_version: u32,
    tool: String,
    command: &'a str,
    status: Status,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<&'a ServerId>,
    nodes: &'a [Node],
    /// One entry: the command's report under its key.
    #[serde(flatten)]
    report: std::collections::BTreeMap<&'a str, &'a T>,
    findings: &'a [Finding],
}

/// Who a document is about: the command, the target (redacted), the
/// server and the nodes it read.
pub struct Subject<'a> {
    pub command: &'a str,
    pub target: &'a str,
    pub server: Option<&'a ServerId>,
    pub nodes: &'a [Node],
}

/// The envelope of `report`, under `key`, with its status and findings.
pub fn envelope<'a, T: Serialize>(
    subject: &Subject<'a>,
    key: &'a str,
    report: &'a T,
    status: Status,
    findings: &'a [Finding],
) -> Envelope<'a, T> {
    Envelope {
        schema_version: crate::findings::report::SCHEMA_VERSION,
        tool: format!("cachectl {}", env!("CARGO_PKG_VERSION")),
        command: subject.command,
        status,
        target: subject.target,
        server: subject.server,
        nodes: subject.nodes,
        report: [(key, report)].into(),
        findings,
    }
}

/// Streams `report`'s document: for `WriteView::json`.
pub fn write_document<T: Serialize>(
    report: &T,
    key: &str,
    subject: &Subject<'_>,
    status: Status,
    printer: &super::Printer,
) -> Result<(), CliError> {
    printer.out_json(&envelope(subject, key, report, status, &[]))
}

/// Pins a writing command's report: its table and its JSON document
/// (`fixed_document`), named after the calling test.
#[cfg(test)]
macro_rules! pin_report {
    ($report:expr, $table:expr, $command:literal, $key:literal) => {{
        let report = &$report;
        insta::assert_snapshot!($table);
        let status = report.outcome.status();
        insta::assert_snapshot!($crate::render::json::fixed_document(
            $command, $key, report, status
        ));
    }};
}
#[cfg(test)]
pub(crate) use pin_report;

/// For the writing commands' snapshot tests: `report`'s document about a
/// fixed node (10.0.0.5:6379, Redis 7.0.15), the version left out.
#[cfg(test)]
pub fn fixed_document<T: Serialize>(
    command: &str,
    key: &str,
    report: &T,
    status: Status,
) -> String {
    let addr = crate::target::NodeAddr::tcp("10.0.0.5", 6379);
    let server = ServerId {
        flavour: "redis",
        version: "7.0.15".into(),
    };
    let nodes = [Node {
        addr,
        role: crate::target::Role::Primary,
    }];
    let subject = Subject {
        command,
        target: "redis://:***@10.0.0.5:6379/0",
        server: Some(&server),
        nodes: &nodes,
    };
    render(&envelope(&subject, key, report, status, &[]))
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}
