//! `cachectl completions SHELL`: print a completion script.

use crate::cli::generate;
use crate::error::{CliError, Status};

pub fn run(shell: clap_complete::Shell) -> Result<Status, CliError> {
    let script = generate::completion(shell);
    crate::render::out(&String::from_utf8_lossy(&script));
    Ok(Status::Ok)
}
