//! Shell completions and man pages, generated from the clap definitions.
//! The committed copies in completions/ and man/ are checked by a test.

use clap_complete::Shell;

/// The shells whose completions are committed, with their file names.
pub const COMMITTED_SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "cachectl.bash"),
    (Shell::Zsh, "_cachectl"),
    (Shell::Fish, "cachectl.fish"),
];

/// A completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = super::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cachectl", &mut out);
    out
}

/// Man pages: one for cachectl and one per subcommand (`cachectl-diagnose.1`, ...).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let cmd = super::command();
    collect_pages(&cmd, "cachectl", &mut pages);
    pages
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let cmd = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    let mut out = Vec::new();
    if clap_mangen::Man::new(cmd.clone()).render(&mut out).is_ok() {
        pages.push((format!("{name}.1"), out));
    }
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}
