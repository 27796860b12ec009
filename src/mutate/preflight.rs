//! Before asking: can this fix run at all? The command exists (not renamed
//! or disabled), the node is a primary when the command writes, and the
//! user's ACL allows it (ACL DRYRUN, Redis 7+).

use redis::Value;

use crate::model::Safety;
use crate::redis::reply;
use crate::target::connect::{CommandFailureKind, Session};

/// What is known about the node for the checks.
pub struct NodeState<'a> {
    pub user: &'a str,
    pub is_replica: bool,
    /// What the node runs; ACL DRYRUN exists from Redis 7.0.
    pub server: Option<crate::facts::server::ServerId>,
    /// The server process's open-file limit, when it could be read (a
    /// server on this host: /proc/PID/limits); `Err` says why not.
    pub fd_limit: Result<u64, String>,
}

impl<'a> NodeState<'a> {
    /// What the preflight needs of the node behind `session`, asked of it
    /// (INFO server and replication, one round trip): a node the caller
    /// knows nothing else about (a Sentinel, a Cluster's other primaries,
    /// the replicas a failover repoints). Unknown when INFO is refused:
    /// the checks then say what they could not check.
    pub async fn of(session: &Session, user: &'a str) -> NodeState<'a> {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        pipe.cmd("INFO").arg("server");
        pipe.cmd("INFO").arg("replication");
        let replies: Vec<Value> = session.query_pipeline(&pipe).await.unwrap_or_default();
        let mut fields = serde_json::Map::new();
        for r in &replies {
            if let Some(text) = reply::text(r) {
                for (k, v) in crate::redis::info::parse(&text).fields {
                    fields.insert(k, serde_json::to_value(v).unwrap_or_default());
                }
            }
        }
        let info = serde_json::Value::Object(fields);
        NodeState {
            user,
            is_replica: info["role"] == "slave",
            server: crate::facts::server::ServerId::from_info(&info),
            fd_limit: Err("not read for this node".into()),
        }
    }
}

/// Files Redis keeps for itself besides clients (its CONFIG_MIN_RESERVED_FDS).
const RESERVED_FDS: u64 = 32;

/// The open-file limit of process `pid` on this host, from /proc.
pub fn fd_limit_of(pid: i64) -> Result<u64, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .map_err(|e| format!("cannot read /proc/{pid}/limits ({e})"))?;
    text.lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<u64>().ok())
        .ok_or_else(|| format!("no open-file limit in /proc/{pid}/limits"))
}

/// Before `CONFIG SET maxclients N`: does the server process have the file
/// descriptors for N clients? Redis refuses what it cannot back.
fn maxclients_headroom(argv: &[String], node: &NodeState<'_>) -> Result<Option<String>, Refusal> {
    let lower: Vec<String> = argv.iter().map(|a| a.to_ascii_lowercase()).collect();
    let Some(pos) = lower.iter().position(|a| a == "maxclients") else {
        return Ok(None);
    };
    if lower.first().map(String::as_str) != Some("config")
        || lower.get(1).map(String::as_str) != Some("set")
    {
        return Ok(None);
    }
    let Some(wanted) = argv.get(pos + 1).and_then(|v| v.parse::<u64>().ok()) else {
        return Ok(None);
    };
    match &node.fd_limit {
        Ok(limit) if wanted + RESERVED_FDS > *limit => Err(Refusal::FileLimit {
            wanted,
            needs: wanted + RESERVED_FDS,
            limit: *limit,
        }),
        Ok(limit) => Ok(Some(format!(
            "file descriptors: maxclients {wanted} fits the server's limit of {limit}"
        ))),
        Err(why) => Ok(Some(format!(
            "the server's file-descriptor limit could not be checked ({why}); Redis refuses a maxclients it cannot back"
        ))),
    }
}

/// Why a command cannot run on a node: what callers branch on (a renamed
/// FLUSHDB has a SCAN + UNLINK way round; an ACL refusal does not).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The command is renamed or disabled (managed services do it).
    #[error("`{0}` is renamed or disabled on this server")]
    Unavailable(String),
    /// A write on a replica.
    #[error("`{0}` writes, and this node is a replica: run it on the primary")]
    Replica(String),
    /// ACL DRYRUN says the user may not run it.
    #[error("ACL does not let `{user}` run `{command}`: {why}")]
    Acl {
        user: String,
        command: String,
        why: String,
    },
    /// Raising maxclients past what the process may open.
    #[error("maxclients {wanted} needs {needs} file descriptors and the server process may open {limit}: raise its limit (LimitNOFILE, ulimit -n) first")]
    FileLimit { wanted: u64, needs: u64, limit: u64 },
}

/// What pre-flight found: notes on what could not be checked, and the
/// safety the server itself gives the commands.
pub struct Cleared {
    pub notes: Vec<String>,
    pub floor: Safety,
}

/// Texts of an array reply's elements (flags, ACL categories).
fn texts(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items) | Value::Set(items)) => {
            items.iter().filter_map(reply::text).collect()
        }
        _ => Vec::new(),
    }
}

/// The COMMAND INFO entry for `argv`: the subcommand's own entry (index 9 of
/// a container command, Redis 7+) when there is one.
fn entry_for<'a>(info: &'a [Value], argv: &[String]) -> &'a [Value] {
    let Some(sub) = argv.get(1) else {
        return info;
    };
    let wanted = format!("{}|{}", argv[0], sub).to_ascii_lowercase();
    if let Some(Value::Array(subs)) = info.get(9) {
        for s in subs {
            if let Value::Array(e) = s {
                if e.first()
                    .and_then(reply::text)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                {
                    return e;
                }
            }
        }
    }
    info
}

/// Why a fix cannot run, or what pre-flight cleared.
pub async fn check(
    session: &Session,
    node: &NodeState<'_>,
    commands: &[Vec<String>],
) -> Result<Cleared, Refusal> {
    let mut notes = Vec::new();
    let mut floor = Safety::Safe;
    for argv in commands {
        if let Some(note) = maxclients_headroom(argv, node)? {
            notes.push(note);
        }
        let name = argv[0].to_ascii_lowercase();
        match session
            .query::<Value>(redis::cmd("COMMAND").arg("INFO").arg(&name))
            .await
        {
            Ok(Value::Array(items)) => match items.first() {
                None | Some(Value::Nil) => return Err(Refusal::Unavailable(argv[0].clone())),
                Some(Value::Array(info)) => {
                    let entry = entry_for(info, argv);
                    let flags = texts(entry.get(2));
                    floor = floor.max(crate::floor::from_server(&flags, &texts(entry.get(6))));
                    let writes = flags.iter().any(|f| f == "write");
                    if writes && node.is_replica {
                        return Err(Refusal::Replica(argv.join(" ")));
                    }
                }
                Some(_) => {}
            },
            Ok(_) => {}
            Err(e) => notes.push(format!(
                "could not look `{}` up (COMMAND INFO: {})",
                argv[0], e.detail
            )),
        }
        let has_acl_dryrun = node.server.as_ref().is_some_and(|s| s.has("7.0"));
        if !has_acl_dryrun {
            let this = node.server.as_ref().map_or_else(
                || "a server whose version is unknown".into(),
                std::string::ToString::to_string,
            );
            notes.push(format!(
                "ACL DRYRUN needs Redis 7.0; this is {this}: whether the user may run it was not checked"
            ));
        }
        if has_acl_dryrun {
            let mut dry = redis::cmd("ACL");
            dry.arg("DRYRUN").arg(node.user);
            for a in argv {
                dry.arg(a);
            }
            match session.query::<Value>(&dry).await {
                Ok(Value::Okay) => {}
                Ok(Value::SimpleString(s)) if s == "OK" => {}
                Ok(other) => {
                    let why = reply::text(&other).unwrap_or_else(|| format!("{other:?}"));
                    return Err(Refusal::Acl {
                        user: node.user.to_string(),
                        command: argv.join(" "),
                        why,
                    });
                }
                Err(e) if e.kind == CommandFailureKind::Noperm => notes
                    .push("ACL could not be checked (ACL DRYRUN is refused to this user)".into()),
                Err(e) => notes.push(format!("ACL could not be checked: {}", e.detail)),
            }
        }
    }
    notes.dedup();
    Ok(Cleared { notes, floor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(limit: Result<u64, String>) -> NodeState<'static> {
        NodeState {
            user: "default",
            is_replica: false,
            server: None,
            fd_limit: limit,
        }
    }

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn maxclients_needs_file_descriptors() {
        let set = argv("CONFIG SET maxclients 10000");
        let err = maxclients_headroom(&set, &node(Ok(4096))).unwrap_err();
        assert_eq!(
            err,
            Refusal::FileLimit {
                wanted: 10000,
                needs: 10032,
                limit: 4096
            }
        );
        assert!(err.to_string().contains("may open 4096"), "{err}");
        let ok = maxclients_headroom(&set, &node(Ok(65536)))
            .unwrap()
            .unwrap();
        assert!(ok.contains("fits"), "{ok}");
        let unknown = maxclients_headroom(&set, &node(Err("the server is on another host".into())))
            .unwrap()
            .unwrap();
        assert!(
            unknown.contains("could not be checked (the server is on another host)"),
            "{unknown}"
        );
        assert_eq!(
            maxclients_headroom(&argv("CONFIG SET timeout 300"), &node(Ok(1))),
            Ok(None)
        );
    }
}
