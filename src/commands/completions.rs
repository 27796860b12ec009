//! `cachectl completions SHELL`: print a completion script.

use crate::cli::generate;
use crate::error::{CliError, Status};
use crate::render::Printer;

pub fn run(shell: clap_complete::Shell, printer: &Printer) -> Result<Status, CliError> {
    let script = generate::completion(shell);
    printer.out(&String::from_utf8_lossy(&script))?;
    Ok(Status::Ok)
}
