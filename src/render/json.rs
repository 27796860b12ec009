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
struct Envelope<'a, T: Serialize> {
    schema_version: u32,
    tool: String,
    target: &'a str,
    /// One entry: the command's report under its name.
    #[serde(flatten)]
    report: std::collections::BTreeMap<&'a str, &'a T>,
}

/// The document of a command that reports one thing of its own (`flush`,
/// `warm`): the contract's envelope (schema_version, tool, target) and the
/// report under `key`, its fields in their declared order.
pub fn envelope<T: Serialize>(key: &str, target: &str, report: &T) -> Result<String, CliError> {
    render(&Envelope {
        schema_version: crate::findings::report::SCHEMA_VERSION,
        tool: format!("cachectl {}", env!("CARGO_PKG_VERSION")),
        target,
        report: [(key, report)].into(),
    })
}
