//! Targets: where the Redis under diagnosis is and how to reach it.
//!
//! `TargetSpec` is resolved from flags and the environment without any I/O
//! beyond reading a password from stdin; `connect` turns it into a live
//! connection and classifies every way that can fail.

pub mod bounded;
pub mod cluster;
pub mod connect;
pub mod node;
pub mod replica;
pub mod sentinel;
pub mod topology;

pub use node::{Node, NodeAddr, Role};

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::{Secret, REDACTED};

/// TLS material for `rediss://` targets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsOptions {
    /// PEM file with the CA certificate(s) to trust instead of the system roots.
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate for mutual TLS.
    pub cert_file: Option<PathBuf>,
    /// PEM private key of the client certificate.
    pub key_file: Option<PathBuf>,
}

impl TlsOptions {
    /// Reads the files now: a missing, unreadable or empty file is a bad
    /// argument (exit 3), not a TLS failure of the server.
    pub fn check(&self) -> Result<(), String> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let read = |flag: &str, path: &std::path::Path| {
            std::fs::read(path).map_err(|e| format!("{flag}: cannot read {}: {e}", path.display()))
        };
        for (flag, path) in [("--tls-ca", &self.ca_file), ("--tls-cert", &self.cert_file)] {
            if let Some(path) = path {
                let pem = read(flag, path)?;
                let certs = CertificateDer::pem_slice_iter(&pem).flatten().count();
                if certs == 0 {
                    return Err(format!(
                        "{flag}: {} holds no PEM certificate",
                        path.display()
                    ));
                }
            }
        }
        if let Some(path) = &self.key_file {
            let pem = read("--tls-key", path)?;
            if PrivateKeyDer::from_pem_slice(&pem).is_err() {
                return Err(format!(
                    "--tls-key: {} holds no PEM private key",
                    path.display()
                ));
            }
        }
        Ok(())
    }
}

/// The node a run starts from, fully resolved: its address, credentials,
/// database and TLS material.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub tls: bool,
    pub addr: NodeAddr,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls_options: TlsOptions,
    /// Largest reply read from the node (`--max-reply`).
    pub max_reply: u64,
    /// How the nodes are found: the node named, its Sentinels, a Cluster.
    pub via: Via,
}

/// How a target's nodes are found.
#[derive(Debug, Clone, Default)]
pub enum Via {
    /// The node named (a Cluster is recognised from it).
    #[default]
    Direct,
    /// The primary the Sentinels name for a master; `addr` is set to it
    /// once they have been asked.
    Sentinel(SentinelTarget),
    /// A Cluster, reached through the node named (`--cluster`).
    Cluster,
}

/// The Sentinels of a master, and how to authenticate to them (their own
/// credentials: CACHECTL_SENTINEL_USER / CACHECTL_SENTINEL_PASSWORD).
#[derive(Debug, Clone)]
pub struct SentinelTarget {
    pub sentinels: Vec<NodeAddr>,
    pub master: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

impl TargetSpec {
    /// The same credentials, TLS and limits for another node of the target.
    pub fn at(&self, addr: NodeAddr) -> TargetSpec {
        TargetSpec {
            addr,
            via: Via::Direct,
            ..self.clone()
        }
    }

    /// How to reach Sentinel `addr`: its own credentials, no database.
    pub fn sentinel(&self, s: &SentinelTarget, addr: NodeAddr) -> TargetSpec {
        TargetSpec {
            addr,
            db: 0,
            username: s.username.clone(),
            password: s.password.clone(),
            via: Via::Direct,
            ..self.clone()
        }
    }
}

/// How redis-cli in the operator's shell reaches a node the way cachectl
/// did: TLS and its files, the user, the database, and whether a password
/// is needed (never the password: redis-cli reads it from REDISCLI_AUTH).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CliReach {
    pub tls: bool,
    pub tls_options: TlsOptions,
    /// The user, when not `default`.
    pub user: Option<String>,
    pub db: i64,
    pub password: bool,
    /// The node is not known (a dump's report): the commands name none,
    /// for the operator to add theirs.
    pub unplaced: bool,
}

impl TargetSpec {
    /// How redis-cli reaches this target's nodes.
    pub fn cli_reach(&self) -> CliReach {
        CliReach {
            tls: self.tls,
            tls_options: self.tls_options.clone(),
            user: self.username.clone().filter(|u| u != "default"),
            db: self.db,
            password: self.password.is_some(),
            unplaced: false,
        }
    }
}

/// Time limits for every network step.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// DNS lookup plus TCP (and TLS) connect.
    pub connect: Duration,
    /// Each command's reply.
    pub command: Duration,
    /// The whole run.
    pub overall: Duration,
}

impl TargetSpec {
    /// The URL with any password replaced by `***`: safe to print anywhere.
    pub fn redacted_url(&self) -> String {
        let auth = match (&self.username, &self.password) {
            (Some(u), Some(_)) => format!("{u}:{REDACTED}@"),
            (None, Some(_)) => format!(":{REDACTED}@"),
            (Some(u), None) => format!("{u}@"),
            (None, None) => String::new(),
        };
        if let Via::Sentinel(s) = &self.via {
            let scheme = if self.tls {
                "rediss+sentinel"
            } else {
                "redis+sentinel"
            };
            let hosts: Vec<String> = s
                .sentinels
                .iter()
                .map(std::string::ToString::to_string)
                .collect();
            return format!(
                "{scheme}://{auth}{}/{}/{}",
                hosts.join(","),
                s.master,
                self.db
            );
        }
        match &self.addr {
            NodeAddr::Unix { path } => {
                format!("unix://{auth}{}?db={}", path.display(), self.db)
            }
            dump @ NodeAddr::Dump { .. } => dump.to_string(),
            tcp @ NodeAddr::Tcp { .. } => {
                let scheme = if self.tls { "rediss" } else { "redis" };
                format!("{scheme}://{auth}{tcp}/{}", self.db)
            }
        }
    }
}

/// Where the target came from, for messages ("from REDIS_URL").
fn describe_source(name: &str) -> String {
    match name {
        "--url" | "--socket" => name.to_string(),
        other => format!("the {other} environment variables"),
    }
}

/// Raw target inputs, before resolution: flags plus a lookup for env vars.
pub struct TargetInputs<'a> {
    pub url: Option<&'a str>,
    /// `--socket PATH`: a unix socket instead of a URL.
    pub socket: Option<PathBuf>,
    pub password_from_stdin: Option<String>,
    /// A context's password (`cli::context`): after the environment's.
    pub context_password: Option<Secret>,
    pub tls_options: TlsOptions,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Resolves the target: `--url`, then `CACHECTL_URL`, `REDIS_URL`, then
/// `REDIS_HOST`/`REDIS_PORT`/`REDIS_DB`, then the default. The password comes
/// from `--password-stdin`, the URL, `REDISCLI_AUTH`, `REDIS_PASSWORD`, then
/// a context's source.
pub fn resolve(inputs: TargetInputs<'_>) -> Result<TargetSpec, String> {
    let env = inputs.env;
    let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let (url, source) = if let Some(path) = &inputs.socket {
        let url = url::Url::from_file_path(path)
            .map_err(|()| format!("--socket: `{}` is not an absolute path", path.display()))?;
        (format!("unix://{}", url.path()), "--socket")
    } else if let Some(url) = inputs.url {
        (url.to_string(), "--url")
    } else if let Some(url) = non_empty("CACHECTL_URL") {
        (url, "CACHECTL_URL")
    } else if let Some(url) = non_empty("REDIS_URL") {
        (url, "REDIS_URL")
    } else {
        // The seeds' variables, each defaulting like redis-cli:
        // redis://127.0.0.1:6379/0.
        let host = non_empty("REDIS_HOST").unwrap_or_else(|| "127.0.0.1".into());
        let port = non_empty("REDIS_PORT").unwrap_or_else(|| "6379".into());
        let db = non_empty("REDIS_DB").unwrap_or_else(|| "0".into());
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host
        };
        (
            format!("redis://{host}:{port}/{db}"),
            "REDIS_HOST/REDIS_PORT/REDIS_DB",
        )
    };
    let mut spec =
        parse_url(&url).map_err(|e| format!("{e} (from {})", describe_source(source)))?;
    if let Some(pw) = inputs.password_from_stdin {
        spec.password = Some(Secret::new(pw));
    } else if spec.password.is_none() {
        if let Some(pw) = env("REDISCLI_AUTH").or_else(|| env("REDIS_PASSWORD")) {
            if !pw.is_empty() {
                spec.password = Some(Secret::new(pw));
            }
        }
        if spec.password.is_none() {
            spec.password = inputs.context_password;
        }
    }
    spec.tls_options = inputs.tls_options;
    let uses_tls_files = spec.tls_options.ca_file.is_some() || spec.tls_options.cert_file.is_some();
    if uses_tls_files && !spec.tls {
        return Err(
            "TLS options were given but the URL is redis://; use rediss:// for TLS".to_string(),
        );
    }
    if spec.tls_options.cert_file.is_some() != spec.tls_options.key_file.is_some() {
        return Err("--tls-cert and --tls-key must be given together".to_string());
    }
    spec.tls_options.check()?;
    Ok(spec)
}

fn parse_db(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|db| *db >= 0)
        .ok_or_else(|| format!("database `{text}` is not a non-negative number"))
}

/// Parses `redis://[user:pass@]host[:port][/db]` or `rediss://...`.
pub fn parse_url(raw: &str) -> Result<TargetSpec, String> {
    let shown = crate::secret::redact_url(raw);
    if let Some((scheme, _)) = raw.split_once("://") {
        if scheme.ends_with("+sentinel") {
            return parse_sentinel_url(raw, &shown);
        }
    }
    let url = url::Url::parse(raw).map_err(|e| format!("invalid Redis URL `{shown}`: {e}"))?;
    let tls = match url.scheme() {
        "redis" => false,
        "rediss" => true,
        "unix" | "redis+unix" => return parse_unix_url(&url, &shown),
        "redis+sentinel" | "rediss+sentinel" => return parse_sentinel_url(raw, &shown),
        other => {
            return Err(format!(
                "invalid Redis URL `{shown}`: scheme `{other}` is not supported (use redis://, rediss://, unix:// or redis+unix://)"
            ))
        }
    };
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(format!("invalid Redis URL `{shown}`: no host")),
    };
    let port = url.port().unwrap_or(6379);
    let path = url.path().trim_start_matches('/');
    let db = if path.is_empty() {
        0
    } else {
        parse_db(path).map_err(|e| format!("invalid Redis URL `{shown}`: {e}"))?
    };
    let decode = |s: &str| {
        percent_decode(s).map_err(|()| format!("invalid Redis URL `{shown}`: bad percent-encoding"))
    };
    let username = if url.username().is_empty() {
        None
    } else {
        Some(decode(url.username())?)
    };
    let password = match url.password() {
        Some(p) if !p.is_empty() => Some(Secret::new(decode(p)?)),
        _ => None,
    };
    Ok(TargetSpec {
        tls,
        addr: NodeAddr::tcp(host, port),
        db,
        username,
        password,
        tls_options: TlsOptions::default(),
        max_reply: bounded::DEFAULT_LIMIT,
        via: Via::Direct,
    })
}

/// `redis+sentinel://[user:pass@]host:port[,host:port...]/MASTER[/DB]`
/// (`rediss+sentinel://` for TLS), as redis-py and redis-rs write it: the
/// Sentinels, the master's name, and the credentials of the data nodes.
fn parse_sentinel_url(raw: &str, shown: &str) -> Result<TargetSpec, String> {
    let bad = |why: &str| format!("invalid Sentinel URL `{shown}`: {why}");
    let (scheme, rest) = raw.split_once("://").ok_or_else(|| bad("no ://"))?;
    let tls = match scheme {
        "redis+sentinel" => false,
        "rediss+sentinel" => true,
        _ => return Err(bad("use redis+sentinel:// or rediss+sentinel://")),
    };
    let (auth, rest) = match rest.rsplit_once('@') {
        Some((auth, rest)) => (Some(auth), rest),
        None => (None, rest),
    };
    let (hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
    let sentinels = parse_sentinels(hosts).map_err(|e| bad(&e))?;
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let master = parts
        .next()
        .ok_or_else(|| bad("no master name (…/MASTER[/DB])"))?;
    let master = percent_decode(master).map_err(|()| bad("bad percent-encoding"))?;
    let db = match parts.next() {
        Some(db) => parse_db(db).map_err(|e| bad(&e))?,
        None => 0,
    };
    let decode = |s: &str| percent_decode(s).map_err(|()| bad("bad percent-encoding"));
    let (username, password) = match auth.map(|a| a.split_once(':').unwrap_or((a, ""))) {
        Some((user, pass)) => (
            (!user.is_empty()).then(|| decode(user)).transpose()?,
            (!pass.is_empty())
                .then(|| decode(pass).map(Secret::new))
                .transpose()?,
        ),
        None => (None, None),
    };
    Ok(TargetSpec {
        tls,
        addr: sentinels[0].clone(),
        db,
        username,
        password,
        tls_options: TlsOptions::default(),
        max_reply: bounded::DEFAULT_LIMIT,
        via: Via::Sentinel(SentinelTarget {
            sentinels,
            master,
            username: None,
            password: None,
        }),
    })
}

/// `host:port[,host:port...]` (port 26379 when omitted).
pub fn parse_sentinels(text: &str) -> Result<Vec<NodeAddr>, String> {
    let list: Vec<NodeAddr> = text
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| match h.rsplit_once(':') {
            Some((_, p)) if p.parse::<u16>().is_ok() => NodeAddr::parse(h),
            _ => NodeAddr::parse(&format!("{h}:26379")),
        })
        .collect::<Result<_, _>>()?;
    if list.is_empty() {
        return Err("no Sentinel address (HOST:PORT[,HOST:PORT...])".into());
    }
    Ok(list)
}

/// `unix:///path/to/redis.sock?db=N` (also `redis+unix://`), the way
/// redis-py and redis-rs write socket targets, with `user` and `password`
/// (or `pass`) as query values.
fn parse_unix_url(url: &url::Url, shown: &str) -> Result<TargetSpec, String> {
    let path = url.path();
    if path.is_empty() || path == "/" {
        return Err(format!(
            "invalid Redis URL `{shown}`: no socket path (write unix:///path/to/redis.sock)"
        ));
    }
    let decode = |s: &str| {
        percent_decode(s).map_err(|()| format!("invalid Redis URL `{shown}`: bad percent-encoding"))
    };
    let mut db = 0;
    let mut username = (!url.username().is_empty())
        .then(|| decode(url.username()))
        .transpose()?;
    let mut password = url
        .password()
        .filter(|p| !p.is_empty())
        .map(decode)
        .transpose()?;
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "db" => db = parse_db(&v).map_err(|e| format!("invalid Redis URL `{shown}`: {e}"))?,
            "user" | "username" => username = Some(v.into_owned()),
            "password" | "pass" => password = Some(v.into_owned()),
            other => {
                return Err(format!(
                    "invalid Redis URL `{shown}`: unknown query parameter `{other}` (db, user, password)"
                ))
            }
        }
    }
    Ok(TargetSpec {
        tls: false,
        addr: NodeAddr::Unix {
            path: decode(path)?.into(),
        },
        db,
        username,
        password: password.filter(|p| !p.is_empty()).map(Secret::new),
        tls_options: TlsOptions::default(),
        max_reply: bounded::DEFAULT_LIMIT,
        via: Via::Direct,
    })
}

fn percent_decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or(())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn inputs<'a>(
        url: Option<&'a str>,
        env: &'a dyn Fn(&str) -> Option<String>,
    ) -> TargetInputs<'a> {
        TargetInputs {
            url,
            socket: None,
            password_from_stdin: None,
            context_password: None,
            tls_options: TlsOptions::default(),
            env,
        }
    }

    #[test]
    fn parses_full_url() {
        let t = parse_url("rediss://alice:p%40ss@cache.example:6380/3").unwrap();
        assert!(t.tls);
        assert_eq!(t.addr, NodeAddr::tcp("cache.example", 6380));
        assert_eq!(t.db, 3);
        assert_eq!(t.username.as_deref(), Some("alice"));
        assert_eq!(t.password.as_ref().unwrap().expose(), "p@ss");
        assert_eq!(t.redacted_url(), "rediss://alice:***@cache.example:6380/3");
    }

    #[test]
    fn parses_password_only_and_ipv6() {
        let t = parse_url("redis://:pw-only@[::1]").unwrap();
        assert_eq!(t.addr, NodeAddr::tcp("::1", 6379));
        assert!(t.username.is_none());
        assert_eq!(t.redacted_url(), "redis://:***@[::1]:6379/0");
    }

    #[test]
    fn bad_url_errors_never_echo_the_password() {
        let err = parse_url("redis://u:topsecretpw@host:notaport").unwrap_err();
        assert!(!err.contains("topsecretpw"), "{err}");
        let err = parse_url("http://u:topsecretpw@host").unwrap_err();
        assert!(!err.contains("topsecretpw"), "{err}");
        assert!(err.contains("scheme `http`"), "{err}");
        let err = parse_url("redis://:topsecretpw@host/x").unwrap_err();
        assert!(!err.contains("topsecretpw"), "{err}");
    }

    #[test]
    fn env_fallbacks_in_order() {
        let env = |k: &str| match k {
            "REDIS_URL" => Some("redis://from-redis-url:1".to_string()),
            "CACHECTL_URL" => Some("redis://from-cachectl-url:2".to_string()),
            _ => None,
        };
        assert_eq!(
            resolve(inputs(None, &env)).unwrap().addr.host(),
            "from-cachectl-url"
        );
        assert_eq!(
            resolve(inputs(Some("redis://flag:3"), &env))
                .unwrap()
                .addr
                .host(),
            "flag"
        );
        let env = |k: &str| match k {
            "REDIS_HOST" => Some("seedhost".to_string()),
            "REDIS_PORT" => Some("7000".to_string()),
            "REDIS_DB" => Some("2".to_string()),
            "REDIS_PASSWORD" => Some("seed-password".to_string()),
            _ => None,
        };
        let t = resolve(inputs(None, &env)).unwrap();
        assert_eq!((t.addr.to_string(), t.db), ("seedhost:7000".into(), 2));
        assert_eq!(t.password.unwrap().expose(), "seed-password");
        let t = resolve(inputs(None, &no_env)).unwrap();
        assert_eq!((t.addr.to_string().as_str(), t.db), ("127.0.0.1:6379", 0));
        let db_only = |k: &str| (k == "REDIS_DB").then(|| "4".to_string());
        let t = resolve(inputs(None, &db_only)).unwrap();
        assert_eq!((t.addr.to_string().as_str(), t.db), ("127.0.0.1:6379", 4));
        let bad_db = |k: &str| (k == "REDIS_DB").then(|| "four".to_string());
        let err = resolve(inputs(None, &bad_db)).unwrap_err();
        assert!(
            err.contains("`four`") && err.contains("REDIS_DB environment variables"),
            "{err}"
        );
    }

    #[test]
    fn password_precedence() {
        let env = |k: &str| match k {
            "REDISCLI_AUTH" => Some("cli-auth".to_string()),
            "REDIS_PASSWORD" => Some("redis-password".to_string()),
            _ => None,
        };
        let t = resolve(inputs(Some("redis://:in-url@h"), &env)).unwrap();
        assert_eq!(t.password.unwrap().expose(), "in-url");
        let t = resolve(inputs(Some("redis://h"), &env)).unwrap();
        assert_eq!(t.password.unwrap().expose(), "cli-auth");
        let mut i = inputs(Some("redis://:in-url@h"), &env);
        i.password_from_stdin = Some("from-stdin".into());
        assert_eq!(resolve(i).unwrap().password.unwrap().expose(), "from-stdin");
    }

    #[test]
    fn parses_unix_socket_urls() {
        for raw in [
            "unix:///run/redis/redis.sock?db=2",
            "redis+unix:///run/redis/redis.sock?db=2",
        ] {
            let t = parse_url(raw).unwrap();
            assert_eq!(
                t.addr,
                NodeAddr::Unix {
                    path: "/run/redis/redis.sock".into()
                }
            );
            assert_eq!(t.db, 2);
            assert!(!t.tls);
        }
        let t = parse_url("redis+unix:///tmp/r.sock?pass=s3cret").unwrap();
        assert_eq!(t.password.unwrap().expose(), "s3cret");
        let t = parse_url("unix:///tmp/r.sock?password=s3cret&user=bob").unwrap();
        assert_eq!(t.username.as_deref(), Some("bob"));
        assert_eq!(t.redacted_url(), "unix://bob:***@/tmp/r.sock?db=0");
        assert!(parse_url("unix:///tmp/r.sock?color=red").is_err());
        assert!(parse_url("unix://").is_err());
    }

    #[test]
    fn tls_flags_need_rediss() {
        let mut i = inputs(Some("redis://h"), &no_env);
        i.tls_options.ca_file = Some("ca.pem".into());
        assert!(resolve(i).unwrap_err().contains("rediss://"));
    }
}
