//! Reading a MONITOR feed: each line's arguments (as the server quotes
//! them), which of them are keys (the server's own command table), and
//! whether the command reads or writes.

use std::collections::HashMap;

use redis::Value;

use crate::redis::reply;

/// Where a command's keys are, and what it does with them (COMMAND).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub first: i64,
    pub last: i64,
    pub step: i64,
    pub access: Access,
    /// EVAL-like: the key count is an argument (`numkeys`).
    pub numkeys: bool,
}

/// A command's effect on its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The server's command table: by command name, in lower case.
#[derive(Debug, Default)]
pub struct Specs(HashMap<String, Spec>);

impl Specs {
    /// From the reply to COMMAND: commands with keys that read or write.
    pub fn from_reply(reply: &Value) -> Specs {
        let mut out = HashMap::new();
        let Value::Array(commands) = reply else {
            return Specs(out);
        };
        for c in commands {
            let Value::Array(f) = c else { continue };
            let (Some(name), Some(flags)) = (f.first().and_then(reply::text), f.get(2)) else {
                continue;
            };
            let flags: Vec<String> = match flags {
                Value::Array(items) | Value::Set(items) => {
                    items.iter().filter_map(reply::text).collect()
                }
                _ => Vec::new(),
            };
            let has = |flag: &str| flags.iter().any(|f| f.eq_ignore_ascii_case(flag));
            let access = if has("write") {
                Access::Write
            } else if has("readonly") {
                Access::Read
            } else {
                continue;
            };
            let num = |i: usize| f.get(i).and_then(reply::int).unwrap_or(0);
            let name = name.to_ascii_lowercase();
            let numkeys = matches!(
                name.as_str(),
                "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
            );
            let spec = Spec {
                first: num(3),
                last: num(4),
                step: num(5),
                access,
                numkeys,
            };
            if spec.first > 0 || numkeys {
                out.insert(name, spec);
            }
        }
        Specs(out)
    }

    /// The keys of a command line and whether it reads or writes them;
    /// `None` for a command without keys (PING, INFO, CONFIG).
    pub fn keys<'a>(&self, args: &'a [Vec<u8>]) -> Option<(Access, Vec<&'a [u8]>)> {
        let name = String::from_utf8_lossy(args.first()?).to_ascii_lowercase();
        let spec = self.0.get(&name)?;
        if spec.numkeys {
            let n: usize = String::from_utf8_lossy(args.get(2)?).parse().ok()?;
            let keys = args.get(3..3 + n)?.iter().map(Vec::as_slice).collect();
            return Some((spec.access, keys));
        }
        let len = args.len() as i64;
        let last = if spec.last < 0 {
            len + spec.last
        } else {
            spec.last
        };
        let step = spec.step.max(1);
        let mut keys = Vec::new();
        let mut i = spec.first;
        while i <= last && i < len {
            keys.push(args[i as usize].as_slice());
            i += step;
        }
        (!keys.is_empty()).then_some((spec.access, keys))
    }
}

/// The arguments of a MONITOR line (`+1700000000.123456 [0 127.0.0.1:5000]
/// "GET" "key"`), unquoted as the server quoted them (`\"`, `\\`, `\n`,
/// `\r`, `\t`, `\a`, `\b`, `\xHH`); `None` for a line of another shape.
pub fn parse_line(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = line.strip_prefix(b"+").unwrap_or(line);
    let close = line.iter().position(|b| *b == b']')?;
    let mut rest = &line[close + 1..];
    let mut args = Vec::new();
    loop {
        while let [b' ', tail @ ..] = rest {
            rest = tail;
        }
        let Some(tail) = rest.strip_prefix(b"\"") else {
            break;
        };
        let mut arg = Vec::new();
        let mut i = 0;
        loop {
            match tail.get(i)? {
                b'"' => break,
                b'\\' => {
                    let c = *tail.get(i + 1)?;
                    i += 2;
                    match c {
                        b'n' => arg.push(b'\n'),
                        b'r' => arg.push(b'\r'),
                        b't' => arg.push(b'\t'),
                        b'a' => arg.push(7),
                        b'b' => arg.push(8),
                        b'x' => {
                            let hex = std::str::from_utf8(tail.get(i..i + 2)?).ok()?;
                            arg.push(u8::from_str_radix(hex, 16).ok()?);
                            i += 2;
                        }
                        other => arg.push(other),
                    }
                }
                b => {
                    arg.push(*b);
                    i += 1;
                }
            }
        }
        args.push(arg);
        rest = &tail[i + 1..];
    }
    (!args.is_empty()).then_some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, flags: &[&str], first: i64, last: i64, step: i64) -> Value {
        Value::Array(vec![
            Value::BulkString(name.as_bytes().to_vec()),
            Value::Int(-2),
            Value::Array(
                flags
                    .iter()
                    .map(|f| Value::SimpleString((*f).into()))
                    .collect(),
            ),
            Value::Int(first),
            Value::Int(last),
            Value::Int(step),
        ])
    }

    #[test]
    fn lines_unquote_as_the_server_quoted() {
        let args =
            parse_line(br#"+1700000000.123456 [0 127.0.0.1:5000] "SET" "a \"b\"\\\n\xff" "v""#)
                .unwrap();
        assert_eq!(
            args,
            vec![b"SET".to_vec(), b"a \"b\"\\\n\xff".to_vec(), b"v".to_vec()]
        );
        let args = parse_line(br#"1700000000.1 [0 lua] "get" "k""#).unwrap();
        assert_eq!(args, vec![b"get".to_vec(), b"k".to_vec()]);
        assert_eq!(parse_line(b"+OK"), None);
        assert_eq!(parse_line(br#"+1.0 [0 unix:/s] "GET" "cut"#), None);
    }

    #[test]
    fn keys_come_from_the_command_table() {
        let table = Value::Array(vec![
            command("get", &["readonly", "fast"], 1, 1, 1),
            command("mset", &["write", "denyoom"], 1, -1, 2),
            command("mget", &["readonly"], 1, -1, 1),
            command("eval", &["noscript", "movablekeys", "write"], 0, 0, 0),
            command("ping", &["fast"], 0, 0, 0),
            command("config", &["admin"], 0, 0, 0),
        ]);
        let specs = Specs::from_reply(&table);
        let args = |s: &[&str]| s.iter().map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
        let a = args(&["GET", "k"]);
        assert_eq!(specs.keys(&a), Some((Access::Read, vec![&b"k"[..]])));
        let a = args(&["MSET", "a", "1", "b", "2"]);
        assert_eq!(specs.keys(&a), Some((Access::Write, vec![&b"a"[..], b"b"])));
        let a = args(&["mget", "a", "b", "c"]);
        assert_eq!(specs.keys(&a).unwrap().1.len(), 3);
        let a = args(&["EVAL", "return 1", "2", "x", "y", "arg"]);
        assert_eq!(specs.keys(&a), Some((Access::Write, vec![&b"x"[..], b"y"])));
        assert_eq!(specs.keys(&args(&["PING"])), None);
        assert_eq!(specs.keys(&args(&["CONFIG", "GET", "x"])), None);
    }
}
