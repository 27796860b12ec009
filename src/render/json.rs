//! JSON output: pretty, stable key order, one document per run.

use serde::Serialize;

use crate::error::CliError;

pub fn render<T: Serialize>(value: &T) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot encode JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

#[derive(Serialize)]
pub struct Envelope<'a, T: Serialize> {
    schema_version: u32,
    tool: String,
    target: &'a str,
    /// One entry: the command's report under its name.
    #[serde(flatten)]
    report: std::collections::BTreeMap<&'a str, &'a T>,
}

/// The document of a command that reports one thing of its own (`flush`,
/// `warm`): the contract's envelope (schema_version, tool, target) and the
/// report under `key`, its fields in their declared order. For
/// `Printer::out_json`.
pub fn envelope<'a, T: Serialize>(key: &'a str, target: &'a str, report: &'a T) -> Envelope<'a, T> {
    Envelope {
        schema_version: crate::findings::report::SCHEMA_VERSION,
        tool: format!("cachectl {}", env!("CARGO_PKG_VERSION")),
        target,
        report: [(key, report)].into(),
    }
}
