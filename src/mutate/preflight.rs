//! Before asking: can this fix run at all? The command exists (not renamed
//! or disabled), the node is a primary when the command writes, and the
//! user's ACL allows it (ACL DRYRUN, Redis 7+).

use redis::Value;

use crate::redis::reply;
use crate::target::connect::{CommandFailureKind, Session};

/// What is known about the node for the checks.
pub struct NodeState<'a> {
    pub user: &'a str,
    pub is_replica: bool,
    /// ACL DRYRUN exists from Redis 7.0.
    pub has_acl_dryrun: bool,
}

/// Why a fix cannot run, or `Ok(notes)` with what could not be checked.
pub async fn check(
    session: &Session,
    node: &NodeState<'_>,
    commands: &[Vec<String>],
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
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
                    let writes = match info.get(2) {
                        Some(Value::Array(flags)) | Some(Value::Set(flags)) => {
                            flags.iter().filter_map(reply::text).any(|f| f == "write")
                        }
                        _ => false,
                    };
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
        if node.has_acl_dryrun {
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
    Ok(notes)
}
