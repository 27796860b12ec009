//! JSON output: pretty, stable key order, one document per run.

use serde::Serialize;

use crate::error::CliError;

pub fn render<T: Serialize>(value: &T) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot encode JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}
