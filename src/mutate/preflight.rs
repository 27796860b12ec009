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
        Some(Value::Array(items)) | Some(Value::Set(items)) => {
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
) -> Result<Cleared, String> {
    let mut notes = Vec::new();
    let mut floor = Safety::Safe;
    for argv in commands {
        let name = argv[0].to_ascii_lowercase();
        match session
            .query::<Value>(redis::cmd("COMMAND").arg("INFO").arg(&name))
            .await
        {
            Ok(Value::Array(items)) => match items.first() {
                None | Some(Value::Nil) => {
                    return Err(format!(
                        "`{}` is renamed or disabled on this server",
                        argv[0]
                    ))
                }
                Some(Value::Array(info)) => {
                    let entry = entry_for(info, argv);
                    let flags = texts(entry.get(2));
                    floor = floor.max(crate::floor::from_server(&flags, &texts(entry.get(6))));
                    let writes = flags.iter().any(|f| f == "write");
                    if writes && node.is_replica {
                        return Err(format!(
                            "`{}` writes, and this node is a replica: run it on the primary",
                            argv.join(" ")
                        ));
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
            let this = node
                .server
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| "a server whose version is unknown".into());
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
                    return Err(format!(
                        "ACL does not let `{}` run `{}`: {why}",
                        node.user,
                        argv.join(" ")
                    ));
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
