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

/// One page: clap_mangen's sections, then EXIT STATUS and EXAMPLES of our
/// own (the help's exit-code table, `after_help`, is not repeated as a
/// reflowed EXTRA section).
fn page(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = roff::Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, name, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([roff::bold(format!("{code} ({name})"))]);
        roff.text([roff::roman(*meaning)]);
    }
    let examples = examples(name);
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (what, line) in examples {
            roff.control("TP", []);
            roff.text([roff::roman(*what)]);
            // A command line as typed: not filled or justified.
            roff.control("nf", []);
            for part in continued(line, 60) {
                roff.text([roff::bold(part)]);
            }
            roff.control("fi", []);
        }
    }
    roff.to_writer(&mut out)?;
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// A shell command line broken before its options into lines of about
/// `width`, each but the last ending in ` \\` (as it would be typed).
fn continued(line: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in line.split(' ') {
        let current = lines.last_mut().expect("one line at least");
        if !current.trim().is_empty() && word.starts_with('-') && current.len() + word.len() > width
        {
            current.push_str(" \\");
            lines.push(format!("    {word}"));
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    lines
}

/// The exit codes, the same for every command (the README's table).
const EXIT_STATUS: &[(u8, &str, &str)] = &[
    (0, "OK", "No warning or critical finding; a write done, or planned by --dry-run."),
    (1, "WARNING", "At least one warning finding and nothing critical; a warm done with errors it names."),
    (2, "CRITICAL", "At least one critical finding (an unreachable or hung Redis is critical); a write the target refused, or whose result could not be verified."),
    (3, "UNKNOWN", "Could not assess: bad arguments, a bad runbook, failed authentication, an internal error; a write skipped, blocked, stopped, incomplete or failed."),
];

/// Examples for the page `name` (`cachectl`, `cachectl-flush`, ...): what
/// each does, and the command line. A test parses every one.
pub fn examples(name: &str) -> &'static [(&'static str, &'static str)] {
    match name {
        "cachectl" => &[
            ("Diagnose the Redis on this host, with scored findings and fixes:", "cachectl diagnose"),
            ("Where the memory went, key pattern by pattern:", "cachectl memory --keys --url redis://cache-01:6379"),
            ("Delete stale sessions, showing first what would go:", "cachectl flush --pattern 'session:*' --no-ttl --idle 1h --dry-run"),
        ],
        "cachectl-diagnose" => &[
            ("Diagnose the Redis on this host:", "cachectl diagnose"),
            ("A node and the application that uses it, as JSON for a script:", "cachectl diagnose --url redis://cache-01:6379 --app http://app-01:8000 -o json"),
            ("Every node of a Cluster, from one seed:", "cachectl diagnose --cluster --url redis://10.0.0.5:7000"),
            ("Apply the fixes, each asked for:", "cachectl diagnose --fix"),
            ("Print what --fix would do, and change nothing:", "cachectl diagnose --fix --dry-run"),
            ("Every cache of the config files at once, a row each:", "cachectl diagnose --all-contexts"),
        ],
        "cachectl-memory" => &[
            ("Usage, MEMORY STATS and the memory findings:", "cachectl memory"),
            ("The hashes of one key pattern, by pattern:", "cachectl memory --keys --pattern 'session:*' --type hash"),
        ],
        "cachectl-clients" => &[
            ("Who is connected, grouped:", "cachectl clients --url redis://cache-01:6379"),
            ("The clients idle an hour or more that would be killed:", "cachectl clients kill --idle 1h --dry-run"),
        ],
        "cachectl-clients-kill" => &[
            ("Show which idle clients of a leaky pool would go:", "cachectl clients kill --idle 30m --name leaky-pool --dry-run"),
            ("Kill them without a prompt (cron, CI):", "cachectl clients kill --idle 30m --name leaky-pool --yes --confirm-destructive cache-01:6379"),
        ],
        "cachectl-slowlog" => &[("The slow log grouped, with advice:", "cachectl slowlog --url redis://cache-01:6379")],
        "cachectl-latency" => &[
            ("Sample round trips for 30 seconds, a line each 5:", "cachectl latency --duration 30s --every 5s"),
        ],
        "cachectl-hotkeys" => &[
            ("Under an LFU policy, at once (OBJECT FREQ of every key):", "cachectl hotkeys --url redis://cache-01:6379"),
            ("Sample ten seconds of commands (HOTKEYS on Redis 8.6+, else MONITOR):", "cachectl hotkeys --url redis://cache-01:6379 --sample 10s"),
            ("Every primary of a Cluster at once, as JSON:", "cachectl hotkeys --cluster --url redis://10.0.0.5:7000 --sample 10s -o json"),
        ],
        "cachectl-watch" => &[
            ("Keep the findings and figures of a cache on screen (q quits):", "cachectl watch --url redis://cache-01:6379"),
            ("Every node of a Cluster, every 5 seconds:", "cachectl watch --cluster --url redis://10.0.0.5:7000 --every 5s"),
            ("A JSON document a line for ten minutes, for a log:", "cachectl watch -o json --timeout 10m > watch.jsonl"),
            ("One frame for a script, its exit code the verdict:", "cachectl watch --once -o json"),
        ],
        "cachectl-flush" => &[
            ("What a flush of stale sessions would delete:", "cachectl flush --pattern 'session:*' --no-ttl --idle 1h --dry-run"),
            ("Delete them without a prompt, naming the node and db:", "cachectl flush --pattern 'session:*' --no-ttl --idle 1h --yes --confirm-destructive cache-01:6379/0"),
        ],
        "cachectl-warm" => &[
            ("Read and check a file of records, writing nothing:", "cachectl warm --file sessions.jsonl --dry-run"),
            ("Warm from it, resumable after an interruption:", "cachectl warm --file sessions.jsonl --yes --resume warm.checkpoint"),
            ("Copy the session keys of another server:", "cachectl warm --from redis://old-cache:6379 --pattern 'session:*' --yes"),
        ],
        "cachectl-failover" => &[
            ("Check a failover through the Sentinels, changing nothing:", "cachectl failover --sentinel 10.0.0.1:26379 --master mymaster --dry-run"),
        ],
        "cachectl-runbook-list" => &[("The runbooks, built-in and your own:", "cachectl runbook list --runbooks ./runbooks")],
        "cachectl-runbook-show" => &[("One runbook's checks and fixes:", "cachectl runbook show out-of-memory")],
        "cachectl-runbook-validate" => &[("Check a runbook file before using it:", "cachectl runbook validate runbooks/sessions.yaml")],
        "cachectl-runbook" => &[
            ("The runbooks, built-in and your own:", "cachectl runbook list --runbooks ./runbooks"),
            ("Check a runbook file before using it:", "cachectl runbook validate runbooks/sessions.yaml"),
        ],
        "cachectl-runbook-facts" => &[("The facts a check's expressions can read:", "cachectl runbook facts")],
        "cachectl-context" | "cachectl-context-list" => &[
            ("The contexts of ~/.config/cachectl/config.yaml and .cachectl.yaml:", "cachectl context list"),
            ("Diagnose one of them:", "cachectl diagnose --context prod-sessions"),
        ],
        "cachectl-snapshot" => &[
            ("Keep the evidence of an incident, as one archive:", "cachectl snapshot -u redis://cache-01 --out incident-42.tar.gz"),
            ("Judge it again later, with no server:", "cachectl diagnose --from-snapshot incident-42.tar.gz"),
        ],
        "cachectl-lab" | "cachectl-lab-up" => &[
            ("A cache out of memory to diagnose, then gone:", "cachectl lab up oom"),
            ("Its target for a script:", "cachectl lab up cluster -o json"),
        ],
        "cachectl-lab-list" => &[("The scenarios and the seed each follows:", "cachectl lab list")],
        "cachectl-lab-down" => &[("Stop everything the lab started:", "cachectl lab down")],
        "cachectl-context-show" => &[("What a context sets, secrets never shown:", "cachectl context show prod-sessions")],
        "cachectl-completions" => &[("Bash completion for this user:", "cachectl completions bash > ~/.local/share/bash-completion/completions/cachectl")],
        _ => &[],
    }
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let cmd = cmd
        .clone()
        .name(name.to_string())
        .bin_name(name.replace('-', " "));
    if let Ok(out) = page(&cmd, name) {
        pages.push((format!("{name}.1"), out));
    }
    for sub in cmd.get_subcommands() {
        // The lab's helper processes are no one's to run by hand.
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

#[cfg(test)]
mod tests {
    /// Completion offers the built-in runbook ids where a flag takes one
    /// (--only, --skip, `runbook show`), in every committed shell.
    #[test]
    fn completion_offers_runbook_ids() {
        for (shell, _) in super::COMMITTED_SHELLS {
            let script = String::from_utf8(super::completion(*shell)).unwrap();
            for (file, _) in crate::runbook::builtin::FILES {
                let id = file.trim_end_matches(".yaml");
                assert!(script.contains(id), "{shell:?} does not offer {id}");
            }
        }
    }

    /// docs/operating.md: every YAML block reads as YAML, and every
    /// cachectl command line in it parses (shell variables as values).
    #[test]
    fn every_command_and_yaml_of_the_operating_docs_holds() {
        let text = include_str!("../../docs/operating.md");
        let mut blocks = 0;
        for (i, block) in text.split("```").enumerate().filter(|(i, _)| i % 2 == 1) {
            let (lang, body) = block.split_once('\n').unwrap();
            if lang == "yaml" {
                blocks += 1;
                serde_saphyr::from_str::<serde_json::Value>(body)
                    .unwrap_or_else(|e| panic!("block {i} is not YAML: {e}"));
            }
        }
        assert!(blocks >= 3);
        // The command lines of the code blocks, however quoted or folded.
        let code: String = text
            .split("```")
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .join("\n");
        let flat = code.replace("\n                  ", " ").replace('"', " ");
        let mut lines = 0;
        for at in flat.match_indices("cachectl diagnose").map(|(i, _)| i) {
            let line = flat[at..].split(['\n', ';']).next().unwrap();
            let line = line.split(" >").next().unwrap();
            let argv: Vec<String> = line
                .split_whitespace()
                .map(|w| {
                    w.trim_matches('\'')
                        .replace("$STAGING_REDIS_URL", "redis://staging:6379")
                })
                .collect();
            if let Err(e) = super::super::command().try_get_matches_from(&argv) {
                panic!("docs/operating.md: `{line}` does not parse: {e}");
            }
            lines += 1;
        }
        assert!(lines >= 5, "{lines}");
    }

    /// Every example of every man page parses as the command line it is,
    /// and every page has its exit status and the run commands examples.
    #[test]
    fn every_example_parses_and_every_page_says_its_exit_status() {
        let pages = super::man_pages();
        for (file, bytes) in &pages {
            let name = file.trim_end_matches(".1");
            let text = String::from_utf8_lossy(bytes);
            assert!(text.contains(".SH \"EXIT STATUS\""), "{file}");
            assert!(!text.contains(".SH EXTRA"), "{file}");
            let examples = super::examples(name);
            assert!(!examples.is_empty(), "{file} has no EXAMPLES");
            assert!(text.contains(".SH EXAMPLES"), "{file}");
            for (_, line) in examples {
                let line = line.split(" > ").next().unwrap();
                let argv: Vec<String> = line
                    .split_whitespace()
                    .map(|w| w.trim_matches('\'').to_string())
                    .collect();
                if let Err(e) = super::super::command().try_get_matches_from(&argv) {
                    panic!("{file}: `{line}` does not parse: {e}");
                }
            }
        }
    }
}
