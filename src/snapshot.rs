//! `cachectl snapshot`: the evidence of an incident, for the postmortem.
//! What each node said (INFO with its commandstats, CONFIG GET * with its
//! secrets masked, the slow log, CLIENT LIST, MEMORY STATS and DOCTOR,
//! LATENCY LATEST and each event's HISTORY, CLUSTER INFO and NODES), the
//! Sentinels' view and the application's endpoints, each taken twice
//! `--interval` apart so rates can be read; then the diagnosis (JSON,
//! Markdown, and its facts, which `diagnose --from-snapshot` judges again
//! without a server) and a manifest of times, versions and checksums.
//! Every file passes the secret scrubber on its way out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use redis::Value;
use serde_json::json;

use crate::target::connect::Session;

/// Configuration parameters whose values are secrets: masked. Besides
/// these, every parameter whose name says `pass` or ends in `auth` (Valkey
/// calls masterauth `primaryauth`; a new server may add its own).
const SECRET_PARAMS: &[&str] = &[
    "requirepass",
    "masterauth",
    "primaryauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// What a masked value reads.
pub const MASKED: &str = "(masked)";

/// The files of a bundle: path (`/` separated) and contents, in order.
#[derive(Debug, Default)]
pub struct Bundle {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Bundle {
    /// Adds a file, its text scrubbed of every secret cachectl knows.
    pub fn add(&mut self, path: impl Into<String>, text: &str) {
        self.files
            .push((path.into(), crate::secret::scrub(text).into_bytes()));
    }

    pub fn add_json(&mut self, path: impl Into<String>, value: &serde_json::Value) {
        let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
        self.add(path, &text);
    }

    /// The manifest: each file's size and SHA-256, and `about` (times,
    /// versions).
    pub fn manifest(&self, mut about: serde_json::Value) -> serde_json::Value {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|(path, bytes)| {
                let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
                let hex = digest.as_ref().iter().fold(String::new(), |mut h, b| {
                    let _ = write!(h, "{b:02x}");
                    h
                });
                json!({"path": path, "bytes": bytes.len(), "sha256": hex})
            })
            .collect();
        about["files"] = files.into();
        about
    }
}

/// A reply as JSON: arrays, maps, text (lossy), numbers.
pub fn reply_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Int(i) => (*i).into(),
        Value::Double(d) => json!(d),
        Value::Boolean(b) => (*b).into(),
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned().into(),
        Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => s.clone().into(),
        Value::Okay => "OK".into(),
        Value::Array(items) | Value::Set(items) => items.iter().map(reply_json).collect(),
        Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| {
                (
                    crate::redis::reply::text(k).unwrap_or_default(),
                    reply_json(v),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Value::ServerError(e) => json!({"error": e.to_string()}),
        other => format!("{other:?}").into(),
    }
}

/// CONFIG GET * as a map, every secret parameter's value masked.
fn masked_config(v: &Value) -> serde_json::Value {
    let mut map = BTreeMap::new();
    let mut put = |k: String, v: String| {
        let secret =
            SECRET_PARAMS.contains(&k.as_str()) || k.contains("pass") || k.ends_with("auth");
        let v = if secret && !v.is_empty() {
            MASKED.to_string()
        } else {
            v
        };
        map.insert(k, v);
    };
    match v {
        Value::Array(items) => {
            for pair in items.chunks(2) {
                if let [k, v] = pair {
                    put(
                        crate::redis::reply::text(k).unwrap_or_default(),
                        crate::redis::reply::text(v).unwrap_or_default(),
                    );
                }
            }
        }
        Value::Map(pairs) => {
            for (k, v) in pairs {
                put(
                    crate::redis::reply::text(k).unwrap_or_default(),
                    crate::redis::reply::text(v).unwrap_or_default(),
                );
            }
        }
        _ => {}
    }
    serde_json::to_value(map).unwrap_or_default()
}

/// What one node says now, into `bundle` under `dir`: a file a command;
/// a command that fails is a file saying why (`.error`).
pub async fn node(session: &Session, cluster: bool, dir: &str, bundle: &mut Bundle) {
    let text_of = |r: Result<Value, _>| {
        r.map(|v| crate::redis::reply::text(&v).unwrap_or_else(|| format!("{v:?}")))
    };
    let info = session
        .query::<Value>(&redis::cmd("INFO").arg("all").clone())
        .await;
    let config = session
        .query::<Value>(&redis::cmd("CONFIG").arg("GET").arg("*").clone())
        .await;
    let slowlog = session
        .query::<Value>(&redis::cmd("SLOWLOG").arg("GET").arg(128).clone())
        .await;
    let clients = session
        .query::<Value>(&redis::cmd("CLIENT").arg("LIST").clone())
        .await;
    let stats = session
        .query::<Value>(&redis::cmd("MEMORY").arg("STATS").clone())
        .await;
    let doctor = session
        .query::<Value>(&redis::cmd("MEMORY").arg("DOCTOR").clone())
        .await;
    let latest = session
        .query::<Value>(&redis::cmd("LATENCY").arg("LATEST").clone())
        .await;
    let mut put_text =
        |name: &str, r: Result<String, crate::target::connect::CommandFailure>| match r {
            Ok(t) => bundle.add(format!("{dir}/{name}.txt"), &t),
            Err(e) => bundle.add(format!("{dir}/{name}.error"), &e.detail),
        };
    put_text("info", text_of(info));
    put_text("client-list", text_of(clients));
    put_text("memory-doctor", text_of(doctor));
    let mut put_json =
        |name: &str, r: Result<serde_json::Value, crate::target::connect::CommandFailure>| match r {
            Ok(v) => bundle.add_json(format!("{dir}/{name}.json"), &v),
            Err(e) => bundle.add(format!("{dir}/{name}.error"), &e.detail),
        };
    put_json("config", config.map(|v| masked_config(&v)));
    // Parsed, so each entry's arguments have their secrets elided (AUTH,
    // CONFIG SET requirepass, ACL SETUSER ... >password).
    put_json(
        "slowlog",
        slowlog.map(|v| serde_json::to_value(crate::redis::slowlog::parse(&v)).unwrap_or_default()),
    );
    put_json("memory-stats", stats.map(|v| reply_json(&v)));
    let events: Vec<String> = match &latest {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|e| match e {
                Value::Array(parts) => parts.first().and_then(crate::redis::reply::text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    put_json("latency-latest", latest.map(|v| reply_json(&v)));
    let mut history = serde_json::Map::new();
    for event in events {
        let h = session
            .query::<Value>(&redis::cmd("LATENCY").arg("HISTORY").arg(&event).clone())
            .await;
        history.insert(
            event,
            h.map_or_else(|e| json!({"error": e.detail}), |v| reply_json(&v)),
        );
    }
    bundle.add_json(format!("{dir}/latency-history.json"), &history.into());
    if cluster {
        let info = session
            .query::<Value>(&redis::cmd("CLUSTER").arg("INFO").clone())
            .await;
        let nodes = session
            .query::<Value>(&redis::cmd("CLUSTER").arg("NODES").clone())
            .await;
        let mut put_text =
            |name: &str, r: Result<Value, crate::target::connect::CommandFailure>| match r {
                Ok(v) => bundle.add(
                    format!("{dir}/{name}.txt"),
                    &crate::redis::reply::text(&v).unwrap_or_default(),
                ),
                Err(e) => bundle.add(format!("{dir}/{name}.error"), &e.detail),
            };
        put_text("cluster-info", info);
        put_text("cluster-nodes", nodes);
    }
}

/// A directory name for a node: `10.0.0.5_6379`.
pub fn node_dir(addr: &crate::target::NodeAddr) -> String {
    addr.to_string()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The bundle as files under `root` (a directory, made), or as one
/// `.tar.gz` archive when `root` ends so. Never over what is there.
pub fn write(bundle: &Bundle, root: &std::path::Path) -> std::io::Result<()> {
    let name = root.to_string_lossy();
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        let mut archive = Vec::new();
        {
            let gz = flate2::write::GzEncoder::new(&mut archive, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            let base = root.file_name().map_or_else(
                || "snapshot".into(),
                |n| {
                    n.to_string_lossy()
                        .trim_end_matches(".tar.gz")
                        .trim_end_matches(".tgz")
                        .to_string()
                },
            );
            for (path, bytes) in &bundle.files {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o600);
                header.set_mtime(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs()),
                );
                header.set_cksum();
                tar.append_data(&mut header, format!("{base}/{path}"), bytes.as_slice())?;
            }
            tar.into_inner()?.finish()?;
        }
        if root.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it exists: a snapshot never replaces one",
            ));
        }
        return crate::files::write_atomically(root, &archive);
    }
    std::fs::create_dir(root)?;
    for (path, bytes) in &bundle.files {
        let p = root.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, bytes)?;
    }
    Ok(())
}

/// A bundle's files read back: a directory, or a `.tar.gz` archive.
pub fn read(root: &std::path::Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    if root.is_dir() {
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d)? {
                let p = e?.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p
                        .strip_prefix(root)
                        .unwrap_or(&p)
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.insert(rel, std::fs::read(&p)?);
                }
            }
        }
        return Ok(out);
    }
    let file = std::fs::File::open(root)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        // Below the archive's one top directory.
        let rel = path
            .split_once('/')
            .map_or(path.clone(), |(_, r)| r.to_string());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes)?;
        out.insert(rel, bytes);
    }
    Ok(out)
}

/// The Markdown summary of a bundle's files, for its README.
pub fn readme(target: &str, interval_s: f64, files: &[(String, Vec<u8>)]) -> String {
    let mut out = format!(
        "# cachectl snapshot of {target}\n\nTaken twice, {interval_s} s apart (t0/, t1/); the diagnosis after (report.json, report.md), its facts (facts.json: `cachectl diagnose --from-snapshot` judges them again), and manifest.json (times, versions, SHA-256 of each file). Secrets are masked.\n\n"
    );
    for (path, bytes) in files {
        let _ = writeln!(out, "- `{path}` ({} bytes)", bytes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use redis::Value;

    #[test]
    fn every_password_parameter_is_masked_whatever_the_server_calls_it() {
        let b = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let reply = Value::Array(vec![
            b("primaryauth"),
            b("s1"),
            b("masterauth"),
            b("s2"),
            b("requirepass"),
            b("s3"),
            b("tls-key-file-pass"),
            b("s4"),
            b("some-future-password"),
            b("s5"),
            b("maxmemory-policy"),
            b("noeviction"),
            b("masteruser"),
            b("replicator"),
        ]);
        let m = super::masked_config(&reply);
        for k in [
            "primaryauth",
            "masterauth",
            "requirepass",
            "tls-key-file-pass",
            "some-future-password",
        ] {
            assert_eq!(m[k], super::MASKED, "{k}");
        }
        assert_eq!(m["maxmemory-policy"], "noeviction");
        assert_eq!(m["masteruser"], "replicator");
    }
}
