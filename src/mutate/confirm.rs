//! The only place that reads the operator's answers: prompts on stderr,
//! answers from the terminal. Never used without a terminal.

use std::io::IsTerminal;

use dialoguer::theme::SimpleTheme;
use dialoguer::Input;

/// What the operator chose for one fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Apply,
    Skip,
    Quit,
}

/// Whether prompts can be shown and answered.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn term() -> dialoguer::console::Term {
    dialoguer::console::Term::stderr()
}

/// Asks whether to apply a fix: y(es), n(o) to skip, q(uit) to stop the walk.
pub fn ask(question: &str) -> Result<Choice, String> {
    let answer: String = Input::with_theme(&SimpleTheme)
        .with_prompt(format!(
            "{} [y]es / [n]o, skip / [q]uit",
            crate::text::clean(question)
        ))
        // The answer is the report's to say: the prompt goes once answered.
        .report(false)
        .validate_with(|a: &String| -> Result<(), &str> {
            match a.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" | "n" | "no" | "s" | "skip" | "q" | "quit" => Ok(()),
                _ => Err("answer y, n or q"),
            }
        })
        .interact_text_on(&term())
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Choice::Apply,
        "q" | "quit" => Choice::Quit,
        _ => Choice::Skip,
    })
}

/// Asks the operator to type `expected` (the node, or the node and db
/// where the database matters; for a forced Cluster failover the mode and
/// the replica) to confirm a destructive write, and returns the answer. An
/// empty answer is asked again; Ctrl-D ends the walk.
pub fn typed(expected: &str) -> Result<String, String> {
    let what = if expected.contains(' ') {
        "it"
    } else {
        "the node"
    };
    Input::with_theme(&SimpleTheme)
        .with_prompt(format!(
            "This is destructive. Type {what} ({}) to confirm",
            crate::text::clean(expected)
        ))
        .report(false)
        .interact_text_on(&term())
        .map_err(|e| format!("cannot read the answer: {e}"))
}
