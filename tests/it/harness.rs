//! Test harness: real redis-server processes on free loopback ports, and a
//! builder that runs the real cachectl binary. Servers are killed when their
//! handle drops, so a failing (panicking) test cleans up too.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Everything but ASCII letters and digits as %XX, for userinfo in URLs.
pub(crate) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The server binary every test runs: `CACHECTL_REDIS_SERVER` (a path),
/// or Debian's `redis-server`. `scripts/servers` installs the others.
pub(crate) fn server_binary() -> String {
    std::env::var("CACHECTL_REDIS_SERVER")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "redis-server".to_string())
}

/// What the server binary is.
#[derive(Debug, Clone)]
pub(crate) struct ServerBuild {
    /// `redis` or `valkey`.
    pub flavour: &'static str,
    pub version: (u32, u32, u32),
    /// Built with TLS support.
    pub tls: bool,
}

impl ServerBuild {
    /// The Redis version whose features it has: Valkey forked from 7.2.
    pub(crate) fn redis_compatible(&self) -> (u32, u32) {
        match self.flavour {
            "valkey" => (7, 2),
            _ => (self.version.0, self.version.1),
        }
    }

    pub(crate) fn describe(&self) -> String {
        let (a, b, c) = self.version;
        let name = if self.flavour == "valkey" {
            "Valkey"
        } else {
            "Redis"
        };
        format!("{name} {a}.{b}.{c}")
    }
}

/// The server binary's flavour, version and TLS support, asked once.
pub(crate) fn server_build() -> &'static ServerBuild {
    static BUILD: std::sync::OnceLock<ServerBuild> = std::sync::OnceLock::new();
    BUILD.get_or_init(|| {
        let bin = server_binary();
        let out = Command::new(&bin)
            .arg("--version")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run {bin}: {e} (install redis-server, or set CACHECTL_REDIS_SERVER)")
            });
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let flavour = if text.to_ascii_lowercase().contains("valkey") {
            "valkey"
        } else {
            "redis"
        };
        let v = text
            .split_whitespace()
            .find_map(|w| w.strip_prefix("v="))
            .unwrap_or("0.0.0");
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let version = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        // A build without TLS refuses tls-port at once; one with TLS
        // complains about the missing files instead.
        let probe = Command::new(&bin)
            .args(["--port", "0", "--tls-port", &free_port().to_string()])
            .args([
                "--tls-cert-file",
                "/nonexistent",
                "--tls-key-file",
                "/nonexistent",
            ])
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
            })
            .unwrap_or_default();
        let tls = !(probe.contains("Bad directive")
            || probe.contains("Failed finding TLS support")
            || probe.contains("Missing implement of connection type tls"));
        ServerBuild {
            flavour,
            version,
            tls,
        }
    })
}

/// Whether the server has what a test needs; if not, says why the test is
/// skipped (on stderr, shown by `cargo test`) and returns false.
#[allow(clippy::print_stderr)]
pub(crate) fn server_has(min_redis: (u32, u32), what: &str) -> bool {
    let build = server_build();
    if build.redis_compatible() >= min_redis {
        return true;
    }
    eprintln!(
        "skipped: {what} needs Redis {}.{}; this is {}",
        min_redis.0,
        min_redis.1,
        build.describe()
    );
    false
}

/// Whether the server was built with TLS; if not, says why the test is skipped.
#[allow(clippy::print_stderr)]
pub(crate) fn server_has_tls() -> bool {
    let build = server_build();
    if !build.tls {
        eprintln!("skipped: {} was built without TLS", build.describe());
    }
    build.tls
}

/// A port nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// A running redis-server, killed on drop.
pub(crate) struct RedisServer {
    pub port: u16,
    child: Option<Child>,
    pub dir: TempDir,
    pub password: Option<String>,
}

/// How to start a server: extra arguments and config-file lines.
#[derive(Default, Clone)]
pub(crate) struct ServerOptions {
    pub args: Vec<String>,
    /// Lines only a config file can hold (rename-command).
    pub config_lines: Vec<String>,
    pub password: Option<String>,
    /// Listen on TLS only: (cert, key, ca) files.
    pub tls: Option<(PathBuf, PathBuf, PathBuf)>,
    /// An RDB file to load at start; the server is handed over as soon as it
    /// listens, still loading.
    pub load_rdb: Option<PathBuf>,
    /// Also listen on a unix socket, `redis.sock` in the server's directory.
    pub unix_socket: bool,
}

impl ServerOptions {
    pub(crate) fn arg(mut self, a: &str) -> Self {
        self.args.extend(a.split_whitespace().map(str::to_string));
        self
    }

    pub(crate) fn config(mut self, line: &str) -> Self {
        self.config_lines.push(line.to_string());
        self
    }

    pub(crate) fn password(mut self, pw: &str) -> Self {
        self.password = Some(pw.to_string());
        self
    }
}

impl RedisServer {
    pub(crate) fn start() -> RedisServer {
        Self::with(ServerOptions::default())
    }

    pub(crate) fn with(opts: ServerOptions) -> RedisServer {
        for _ in 0..5 {
            if let Some(server) = Self::try_start(&opts) {
                return server;
            }
        }
        panic!("redis-server did not start after 5 attempts (is it installed?)");
    }

    fn try_start(opts: &ServerOptions) -> Option<RedisServer> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut port = free_port();
        // A Cluster node's bus listens on port + 10000: keep it in range.
        if opts.config_lines.iter().any(|l| l == "cluster-enabled yes") {
            while port > 55000 {
                port = free_port();
            }
        }
        let conf = dir.path().join("redis.conf");
        if let Some(rdb) = &opts.load_rdb {
            std::fs::copy(rdb, dir.path().join("dump.rdb")).ok()?;
        }
        let mut text = String::new();
        text.push_str(&format!("bind 127.0.0.1\ndir {}\n", dir.path().display()));
        text.push_str("save \"\"\nappendonly no\nlogfile redis.log\n");
        // A replica syncs at once, not after the 5 s diskless default.
        text.push_str("repl-diskless-sync-delay 0\n");
        if server_build().redis_compatible() >= (7, 0) {
            // DEBUG is refused by default from 7.0 on; older servers allow it.
            text.push_str("enable-debug-command yes\n");
        }
        if let Some((cert, key, ca)) = &opts.tls {
            text.push_str(&format!(
                "port 0\ntls-port {port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients yes\n",
                cert.display(),
                key.display(),
                ca.display()
            ));
        } else {
            text.push_str(&format!("port {port}\n"));
        }
        if let Some(pw) = &opts.password {
            let quoted = pw.replace('\\', "\\\\").replace('"', "\\\"");
            text.push_str(&format!("requirepass \"{quoted}\"\n"));
        }
        if opts.unix_socket {
            text.push_str(&format!(
                "unixsocket {}\nunixsocketperm 700\n",
                dir.path().join("redis.sock").display()
            ));
        }
        for l in &opts.config_lines {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(&conf, text).ok()?;
        let child = Command::new(server_binary())
            .arg(&conf)
            .args(&opts.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run redis-server: install redis-server (Debian package)");
        let mut server = RedisServer {
            port,
            child: Some(child),
            dir,
            password: opts.password.clone(),
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Some(child) = server.child.as_mut() {
                if let Ok(Some(_)) = child.try_wait() {
                    return None; // exited: port taken, retry elsewhere
                }
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok()
                && (opts.tls.is_some() || opts.load_rdb.is_some() || server.ping_ok())
            {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    fn ping_ok(&self) -> bool {
        self.client_opt()
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c).ok())
            .is_some()
    }

    /// The unix socket (with `ServerOptions::unix_socket`).
    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// redis:// URL with the server's password, if any.
    pub(crate) fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("redis://:{}@127.0.0.1:{}", percent_encode(pw), self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// URL without credentials.
    pub(crate) fn bare_url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A connection, or none if the server does not take one within 2 s.
    pub(crate) fn client_opt(&self) -> Option<redis::Connection> {
        let client = redis::Client::open(self.url()).ok()?;
        client
            .get_connection_with_timeout(Duration::from_secs(2))
            .ok()
    }

    /// A synchronous admin connection.
    pub(crate) fn client(&self) -> redis::Connection {
        let c = self.client_opt().expect("connect to test redis");
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        c
    }

    /// Runs a command, panicking on error.
    pub(crate) fn cmd(&self, args: &[&str]) -> redis::Value {
        let mut c = self.client();
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        cmd.query(&mut c)
            .unwrap_or_else(|e| panic!("{args:?} failed: {e}"))
    }

    /// A CONFIG GET value (or any reply's last element) as text.
    pub(crate) fn cmd_text(&self, args: &[&str]) -> String {
        match self.cmd(args) {
            redis::Value::Array(items) => match items.last() {
                Some(redis::Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
                other => format!("{other:?}"),
            },
            redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
            other => format!("{other:?}"),
        }
    }

    pub(crate) fn info_field(&self, field: &str) -> String {
        let text: String = redis::cmd("INFO")
            .arg("everything")
            .query(&mut self.client())
            .unwrap();
        text.lines()
            .find_map(|l| {
                l.strip_prefix(&format!("{field}:"))
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_default()
    }

    /// Sends a command on a raw socket without waiting for the reply (for
    /// DEBUG SLEEP); the socket is returned to keep it open.
    pub(crate) fn send_raw(&self, line: &str) -> TcpStream {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        if let Some(pw) = &self.password {
            s.write_all(format!("AUTH {pw}\r\n").as_bytes()).unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut l = String::new();
            r.read_line(&mut l).unwrap();
        }
        s.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        s
    }

    /// Sends SIGSTOP or SIGCONT to the server.
    pub(crate) fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{sig} failed");
    }

    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again after `kill`: its port, its config, its
    /// directory and whatever it persisted there.
    pub(crate) fn restart(&mut self) {
        assert!(self.child.is_none(), "restart after kill");
        let child = Command::new(server_binary())
            .arg(self.dir.path().join("redis.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run redis-server");
        self.child = Some(child);
        wait_until("the restarted server answers", || self.ping_ok());
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_ref() {
            // A stopped process must be continued to die cleanly.
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(child.id().to_string())
                .status();
        }
        self.kill();
    }
}

/// A cache full under noeviction: SETs of 1 KiB values until one fails with
/// OOM (panics if none does).
pub(crate) fn oom_server(opts: ServerOptions) -> RedisServer {
    let server = RedisServer::with(
        opts.config("maxmemory 3mb")
            .config("maxmemory-policy noeviction"),
    );
    let mut c = server.client();
    let value = "v".repeat(1024);
    for i in 0..10_000 {
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("k:{i}"))
            .arg(&value)
            .query(&mut c);
        if let Err(e) = r {
            assert!(e.to_string().contains("OOM"), "{e}");
            return server;
        }
    }
    panic!("writes never failed with OOM");
}

/// A cache that has just evicted thousands of keys: 20 MB written into a
/// 2 MB allkeys-lru instance.
pub(crate) fn evicting_server() -> RedisServer {
    let server = RedisServer::with(
        ServerOptions::default()
            .config("maxmemory 2mb")
            .config("maxmemory-policy allkeys-lru"),
    );
    let mut c = server.client();
    let value = "v".repeat(1024);
    let mut pipe = redis::pipe();
    for i in 0..20_000 {
        pipe.cmd("SET").arg(format!("k:{i}")).arg(&value).ignore();
    }
    let _: () = pipe.query(&mut c).unwrap();
    server
}

/// `cachectl runbook validate` of `text` saved as rb.yaml.
pub(crate) fn validate(text: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rb.yaml");
    std::fs::write(&path, text).unwrap();
    Cachectl::new()
        .args(["runbook", "validate"])
        .arg(&path)
        .run()
}

/// Asserts each runbook text is rejected (exit 3) with an error naming
/// rb.yaml and containing the expected `:line:column: message` part.
#[track_caller]
pub(crate) fn expect_rejected(cases: &[(String, &str)]) {
    for (text, expected) in cases {
        let run = validate(text);
        assert_eq!(run.code(), 3, "{text}");
        let err = run.stderr();
        assert!(
            err.contains("rb.yaml") && err.contains(expected),
            "expected `{expected}` in:\n{err}"
        );
    }
}

/// Polls `done` every 20 ms for up to 10 s; panics naming `what` if it
/// never holds.
#[track_caller]
/// The records of an audit log (JSON Lines), in order.
pub(crate) fn audit_records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("audit log {}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A report table's header: its lines before the first blank one (the
/// status, health and target, wrapped to the width), as one line.
pub(crate) fn header(table: &str) -> String {
    table
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: not within 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A replica of `primary`, started with `opts` and synced.
pub(crate) fn replica_of(primary: &RedisServer, opts: ServerOptions) -> RedisServer {
    let replica = RedisServer::with(opts.config(&format!("replicaof 127.0.0.1 {}", primary.port)));
    wait_until("replica sync", || {
        replica.info_field("master_link_status") == "up"
    });
    // The primary lists it as online only after its first REPLCONF ACK.
    let listed = format!("port={},state=online", replica.port);
    wait_until("the primary lists the replica online", || {
        primary.cmd_text(&["INFO", "replication"]).contains(&listed)
    });
    replica
}

/// A primary, its replicas and the Sentinels that watch it as `mymaster`
/// (quorum 2, down-after 1 s), every Sentinel aware of the others and of
/// every replica before it is handed over.
pub(crate) struct SentinelSet {
    pub primary: RedisServer,
    pub replicas: Vec<RedisServer>,
    pub sentinels: Vec<RedisServer>,
}

pub(crate) const MASTER_NAME: &str = "mymaster";

impl SentinelSet {
    pub(crate) fn start(replicas: usize, sentinels: usize) -> SentinelSet {
        Self::start_with(replicas, sentinels, None)
    }

    /// With `password` required by the Sentinels (requirepass, and
    /// sentinel-pass between them).
    pub(crate) fn start_with(
        replicas: usize,
        sentinels: usize,
        password: Option<&str>,
    ) -> SentinelSet {
        let primary = RedisServer::start();
        let replicas: Vec<RedisServer> = (0..replicas)
            .map(|_| replica_of(&primary, ServerOptions::default()))
            .collect();
        // Told of the replicas and of the Sentinels before them, so that
        // discovery takes one hello period (2 s), not INFO's 10 s.
        let mut started: Vec<(RedisServer, String)> = Vec::new();
        for i in 0..sentinels {
            let myid = format!("{:040x}", 0xca5e_0000_u64 + i as u64);
            let mut opts = ServerOptions::default()
                .config(&format!(
                    "sentinel monitor {MASTER_NAME} 127.0.0.1 {} 2",
                    primary.port
                ))
                .config(&format!(
                    "sentinel down-after-milliseconds {MASTER_NAME} 1000"
                ))
                .config(&format!("sentinel failover-timeout {MASTER_NAME} 10000"))
                .config(&format!("sentinel myid {myid}"));
            if let Some(pw) = password {
                opts = opts
                    .password(pw)
                    .config(&format!("sentinel sentinel-pass {pw}"));
            }
            for r in &replicas {
                opts = opts.config(&format!(
                    "sentinel known-replica {MASTER_NAME} 127.0.0.1 {}",
                    r.port
                ));
            }
            for (other, id) in &started {
                opts = opts.config(&format!(
                    "sentinel known-sentinel {MASTER_NAME} 127.0.0.1 {} {id}",
                    other.port
                ));
            }
            started.push((RedisServer::with(opts.arg("--sentinel")), myid));
        }
        let sentinels: Vec<RedisServer> = started.into_iter().map(|(s, _)| s).collect();
        let set = SentinelSet {
            primary,
            replicas,
            sentinels,
        };
        for s in &set.sentinels {
            wait_until("every Sentinel knows the others and the replicas", || {
                let mut c = s.client();
                let others: Vec<redis::Value> = redis::cmd("SENTINEL")
                    .arg("SENTINELS")
                    .arg(MASTER_NAME)
                    .query(&mut c)
                    .unwrap_or_default();
                let known: Vec<redis::Value> = redis::cmd("SENTINEL")
                    .arg("REPLICAS")
                    .arg(MASTER_NAME)
                    .query(&mut c)
                    .unwrap_or_default();
                others.len() + 1 == set.sentinels.len() && known.len() == set.replicas.len()
            });
        }
        set
    }

    /// Stops two Sentinels and waits until the one left sees no quorum
    /// (after down-after-milliseconds).
    pub(crate) fn lose_quorum(&mut self) {
        self.sentinels[0].kill();
        self.sentinels[1].kill();
        wait_until("the last Sentinel sees no quorum", || {
            redis::cmd("SENTINEL")
                .arg("CKQUORUM")
                .arg(MASTER_NAME)
                .query::<String>(&mut self.sentinels[2].client())
                .is_err()
        });
    }

    /// `--sentinel` for cachectl: every Sentinel, comma-separated.
    pub(crate) fn addrs(&self) -> String {
        self.sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A Redis Cluster of `primaries` shards with `replicas` each, made by
/// `redis-cli --cluster create`, every slot covered and the state ok.
pub(crate) struct Cluster {
    pub nodes: Vec<RedisServer>,
}

impl Cluster {
    pub(crate) fn start(primaries: usize, replicas: usize) -> Cluster {
        let nodes: Vec<RedisServer> = (0..primaries * (1 + replicas))
            .map(|_| {
                RedisServer::with(
                    ServerOptions::default()
                        .config("cluster-enabled yes")
                        .config("cluster-config-file nodes.conf")
                        .config("cluster-node-timeout 2000"),
                )
            })
            .collect();
        let mut cmd = Command::new("redis-cli");
        cmd.arg("--cluster").arg("create");
        for n in &nodes {
            cmd.arg(format!("127.0.0.1:{}", n.port));
        }
        let out = cmd
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            out.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = Cluster { nodes };
        for n in &cluster.nodes {
            wait_until("every node sees the whole cluster, state ok", || {
                let nodes = n.cmd_text(&["CLUSTER", "NODES"]);
                let count = |role: &str| {
                    nodes
                        .lines()
                        .filter(|l| {
                            l.split(' ')
                                .nth(2)
                                .is_some_and(|f| f.split(',').any(|x| x == role))
                        })
                        .count()
                };
                count("master") == primaries
                    && count("slave") == primaries * replicas
                    && n.cmd_text(&["CLUSTER", "INFO"])
                        .contains("cluster_state:ok")
            });
        }
        for n in &cluster.nodes {
            if n.info_field("role") == "slave" {
                wait_until("every replica of the cluster is in sync", || {
                    n.info_field("master_link_status") == "up"
                });
            }
        }
        cluster
    }

    /// Writes `key = value` pairs, each to the primary serving its slot
    /// (CLUSTER KEYSLOT, CLUSTER SLOTS), pipelined per node.
    pub(crate) fn set_all(&self, pairs: &[(String, String)]) {
        let mut c = self.nodes[0].client();
        let mut pipe = redis::pipe();
        for (k, _) in pairs {
            pipe.cmd("CLUSTER").arg("KEYSLOT").arg(k);
        }
        let slots: Vec<u16> = pipe.query(&mut c).unwrap();
        let ranges: Vec<(u16, u16, u16)> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query::<Vec<redis::Value>>(&mut c)
            .unwrap()
            .into_iter()
            .map(|r| {
                let redis::Value::Array(f) = r else {
                    panic!("CLUSTER SLOTS")
                };
                let int = |v: &redis::Value| match v {
                    redis::Value::Int(i) => *i as u16,
                    other => panic!("CLUSTER SLOTS: {other:?}"),
                };
                let redis::Value::Array(owner) = &f[2] else {
                    panic!("CLUSTER SLOTS owner")
                };
                (int(&f[0]), int(&f[1]), int(&owner[1]))
            })
            .collect();
        for n in &self.nodes {
            let mut pipe = redis::pipe();
            let mut any = false;
            for ((k, v), slot) in pairs.iter().zip(&slots) {
                let owner = ranges
                    .iter()
                    .find(|(a, b, _)| a <= slot && slot <= b)
                    .map(|r| r.2);
                if owner == Some(n.port) {
                    pipe.cmd("SET").arg(k).arg(v).ignore();
                    any = true;
                }
            }
            if any {
                pipe.query::<()>(&mut n.client()).unwrap();
            }
        }
    }

    /// The nodes of `role` ("master" or "slave") as CLUSTER NODES says.
    pub(crate) fn with_role(&self, role: &str) -> Vec<&RedisServer> {
        let text = self.nodes[0].cmd_text(&["CLUSTER", "NODES"]);
        self.nodes
            .iter()
            .filter(|n| {
                text.lines().any(|l| {
                    let parts: Vec<&str> = l.split(' ').collect();
                    parts[1].starts_with(&format!("127.0.0.1:{}@", n.port))
                        && parts[2].split(',').any(|f| f == role)
                })
            })
            .collect()
    }
}

/// Output of one cachectl run.
pub(crate) struct Run {
    pub output: Output,
    pub elapsed: Duration,
}

impl Run {
    /// Asserts the run ended within `secs` seconds: nothing hung.
    #[track_caller]
    pub(crate) fn assert_within(&self, secs: u64) {
        assert!(
            self.elapsed < Duration::from_secs(secs),
            "took {:?}, more than {secs} s",
            self.elapsed
        );
    }

    pub(crate) fn code(&self) -> i32 {
        self.output.status.code().expect("exited normally")
    }

    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }

    /// Everything the run printed.
    pub(crate) fn all_output(&self) -> String {
        format!("{}{}", self.stdout(), self.stderr())
    }
}

/// Builds and runs a cachectl invocation with a clean environment.
pub(crate) struct Cachectl {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// Environment variables that would leak the developer's setup into a test.
const ENV_VARS: &[&str] = &[
    "CACHECTL_URL",
    "REDIS_URL",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "REDIS_DB",
    "REDISCLI_AUTH",
    "CACHECTL_RUNBOOKS",
    "NO_COLOR",
    "COLUMNS",
];

impl Cachectl {
    pub(crate) fn new() -> Cachectl {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachectl"));
        for v in ENV_VARS {
            cmd.env_remove(v);
        }
        Cachectl { cmd, stdin: None }
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub(crate) fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(a);
        self
    }

    pub(crate) fn current_dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub(crate) fn env(mut self, k: &str, v: &str) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub(crate) fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    pub(crate) fn stdin_bytes(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Some(bytes);
        self
    }

    /// Runs under a pseudo-terminal (util-linux `script`), typing `input`.
    /// The exit code is cachectl's; stdout holds everything the terminal showed.
    pub(crate) fn run_in_pty(self, input: &str) -> Run {
        let program = self.cmd.get_program().to_string_lossy().into_owned();
        let quoted: Vec<String> = std::iter::once(program)
            .chain(
                self.cmd
                    .get_args()
                    .map(|a| a.to_string_lossy().into_owned()),
            )
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        let mut script = Command::new("script");
        script.args(["-qec", &quoted.join(" "), "/dev/null"]);
        for (k, v) in self.cmd.get_envs() {
            match v {
                Some(v) => script.env(k, v),
                None => script.env_remove(k),
            };
        }
        Cachectl {
            cmd: script,
            stdin: Some(input.as_bytes().to_vec()),
        }
        .run()
    }

    /// Starts it under a pseudo-terminal of `cols` x `rows` (util-linux
    /// `script`), to be typed at while it runs and read frame by frame.
    pub(crate) fn spawn_in_pty(self, cols: u16, rows: u16) -> Pty {
        Pty::spawn(self.cmd, cols, rows)
    }

    /// Runs with stdout going to `out` (a full disk, a closed pipe).
    pub(crate) fn run_with_stdout(mut self, out: impl Into<Stdio>) -> Run {
        let start = Instant::now();
        self.cmd
            .stdout(out)
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let output = self.cmd.output().expect("run cachectl");
        Run {
            output,
            elapsed: start.elapsed(),
        }
    }

    /// Runs it, and `after` this long does `act` with its pid (interrupt
    /// it, kill its server) while it works; then waits for it.
    pub(crate) fn run_while(mut self, after: Duration, act: impl FnOnce(u32)) -> Run {
        let start = Instant::now();
        self.cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let child = self.cmd.spawn().expect("run cachectl");
        std::thread::sleep(after);
        act(child.id());
        let output = child.wait_with_output().expect("wait for cachectl");
        Run {
            output,
            elapsed: start.elapsed(),
        }
    }

    pub(crate) fn run(mut self) -> Run {
        let start = Instant::now();
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.cmd.spawn().expect("run cachectl");
        if let Some(text) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(&text).unwrap();
        }
        let output = child.wait_with_output().expect("wait for cachectl");
        Run {
            output,
            elapsed: start.elapsed(),
        }
    }
}

/// Sends SIGINT (Ctrl-C) to a process.
pub(crate) fn interrupt(pid: u32) {
    let ok = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -INT {pid} failed");
}

/// `flush --pattern` on `url` with --yes and consent for `node`, audited
/// in `dir`, as JSON; to add to.
pub(crate) fn flush_consented(url: &str, pattern: &str, node: &str, dir: &Path) -> Cachectl {
    Cachectl::new()
        .args([
            "flush",
            "-o",
            "json",
            "--url",
            url,
            "--pattern",
            pattern,
            "--yes",
        ])
        .args(["--confirm-destructive", node, "--audit-log"])
        .arg(dir.join("audit.jsonl"))
}

/// `cachectl diagnose -o json --url URL` plus extra args, to add to.
pub(crate) fn diagnose_cmd(url: &str, extra: &[&str]) -> Cachectl {
    Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", url])
        .args(extra)
}

/// `cachectl diagnose -o json --url URL --app APP --interval I --only O`,
/// to add to.
pub(crate) fn diagnose_app(url: &str, app: &str, interval: &str, only: &str) -> Cachectl {
    diagnose_cmd(url, &["--app", app, "--interval", interval, "--only", only])
}

/// `cachectl diagnose -o json --url URL` plus extra args, run.
pub(crate) fn diagnose(url: &str, extra: &[&str]) -> Run {
    diagnose_cmd(url, extra).run()
}

/// The findings of a JSON report, by id.
pub(crate) fn finding<'a>(
    report: &'a serde_json::Value,
    id: &str,
) -> Option<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .find(|f| f["id"] == id)
}

/// Ids of the findings at or above warning.
pub(crate) fn problems(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The checks of the gate runbook (`redis-unreachable`), which every run
/// evaluates whatever `--only` says: against a server that answers, each
/// of them passes.
pub(crate) fn gate_checks() -> u64 {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks/redis-unreachable.yaml"),
    )
    .unwrap();
    text.lines().filter(|l| l.starts_with("  - id: ")).count() as u64
}

/// Asserts a finding with this id and severity exists and returns it.
#[track_caller]
pub(crate) fn expect_finding(
    report: &serde_json::Value,
    id: &str,
    severity: &str,
) -> serde_json::Value {
    let f = finding(report, id).unwrap_or_else(|| {
        panic!(
            "no finding `{id}`; findings: {:?}\nreport: {report:#}",
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} ({})", f["id"], f["severity"]))
                .collect::<Vec<_>>()
        )
    });
    assert_eq!(f["severity"], severity, "severity of {id}: {f:#}");
    f.clone()
}

/// Creates a CA, a server certificate for 127.0.0.1/localhost and a client
/// certificate with openssl, in `dir`. Returns (ca, server cert, server key,
/// client cert, client key).
pub(crate) fn make_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=cachectl test CA",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    for name in ["server", "client"] {
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ]);
    }
    (
        dir.join("ca.crt"),
        dir.join("server.crt"),
        dir.join("server.key"),
        dir.join("client.crt"),
        dir.join("client.key"),
    )
}

/// A RESP server that answers every command with `reply`.
pub(crate) fn answers_everything_with(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line.starts_with('*') || line.trim().eq_ignore_ascii_case("PING") {
                        let _ = writer.write_all(reply);
                    }
                    line.clear();
                }
            });
        }
    });
    port
}

/// A RESP server of the test's own: each command (its arguments) is
/// recorded and answered by `reply`. For peers that must misbehave in ways
/// a real server cannot (a rogue Sentinel, a 100,000-line CLIENT LIST, a
/// SCAN that never ends), and to see what cachectl sends them.
pub(crate) struct FakeResp {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<Vec<Vec<u8>>>>>,
}

/// A bulk string reply.
pub(crate) fn bulk(text: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", text.len()).into_bytes();
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
    out
}

/// An array of bulk strings.
pub(crate) fn bulk_array(items: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for i in items {
        out.extend(bulk(i));
    }
    out
}

impl FakeResp {
    pub(crate) fn start(reply: impl Fn(&[Vec<u8>]) -> Vec<u8> + Send + Sync + 'static) -> FakeResp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reply = std::sync::Arc::new(reply);
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (reply, log) = (reply.clone(), log.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).map_or(true, |n| n == 0) {
                            return;
                        }
                        let Some(n) = line
                            .trim()
                            .strip_prefix('*')
                            .and_then(|n| n.parse::<usize>().ok())
                        else {
                            continue;
                        };
                        let mut args = Vec::with_capacity(n);
                        for _ in 0..n {
                            let mut head = String::new();
                            if reader.read_line(&mut head).is_err() {
                                return;
                            }
                            let len: usize =
                                head.trim().trim_start_matches('$').parse().unwrap_or(0);
                            let mut arg = vec![0u8; len + 2];
                            if std::io::Read::read_exact(&mut reader, &mut arg).is_err() {
                                return;
                            }
                            arg.truncate(len);
                            args.push(arg);
                        }
                        log.lock().unwrap().push(args.clone());
                        if writer.write_all(&reply(&args)).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        FakeResp { port, received }
    }

    /// The commands received, each as its words (lossy text).
    pub(crate) fn commands(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|a| {
                a.iter()
                    .map(|w| String::from_utf8_lossy(w).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
}

/// Replies of a plausible Redis 7.0 primary to what every cachectl run
/// asks (PING, INFO, ROLE, CONFIG GET, CLIENT SETNAME/ID...), for a fake
/// server to fall back on; `None` for what a test answers itself.
/// A command's name and first argument, upper-cased ("" when absent): what
/// a fake server matches on.
pub(crate) fn command_words(args: &[Vec<u8>]) -> (String, String) {
    let word = |i: usize| {
        args.get(i)
            .map(|w| String::from_utf8_lossy(w).to_ascii_uppercase())
            .unwrap_or_default()
    };
    (word(0), word(1))
}

pub(crate) fn redis_like(args: &[Vec<u8>]) -> Vec<u8> {
    let (verb, sub) = command_words(args);
    match (verb.as_str(), sub.as_str()) {
        ("PING", _) => b"+PONG\r\n".to_vec(),
        ("AUTH" | "SELECT", _) => b"+OK\r\n".to_vec(),
        ("INFO", _) => bulk(
            b"# Server\r\nredis_version:7.0.15\r\nprocess_id:1\r\nuptime_in_seconds:1000\r\n# Clients\r\nconnected_clients:1\r\nmaxclients:10000\r\n# Memory\r\nused_memory:1000000\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n# Cluster\r\ncluster_enabled:0\r\n# Keyspace\r\n",
        ),
        ("ROLE", _) => b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n".to_vec(),
        ("CONFIG", "GET") => bulk_array(&[b"maxmemory", b"0"]),
        ("CLIENT", "ID" | "KILL") => b":1\r\n".to_vec(),
        ("CLIENT", _) => b"+OK\r\n".to_vec(),
        ("ACL", "DRYRUN") => b"+OK\r\n".to_vec(),
        ("DBSIZE", _) => b":10\r\n".to_vec(),
        ("SLOWLOG" | "LATENCY", _) => b"*0\r\n".to_vec(),
        // COMMAND INFO <name>: every command is known, an admin one (7.0's
        // shape: name, arity, flags, first, last, step, ACL categories).
        ("COMMAND", "INFO") => {
            let name = args.get(2).cloned().unwrap_or_default();
            let mut out = b"*1\r\n*7\r\n".to_vec();
            out.extend(bulk(&name));
            out.extend_from_slice(b":-2\r\n*1\r\n+admin\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@admin\r\n");
            out
        }
        ("COMMAND", _) => b"*0\r\n".to_vec(),
        _ => b"-ERR unknown command\r\n".to_vec(),
    }
}

/// Runs cachectl with `args`, sampling its peak RSS (VmHWM, KiB) from /proc
/// while it runs: its JSON output and the peak. A run that ended before it
/// could be sampled is a failed measurement, not a small one.
#[track_caller]
pub(crate) fn run_measuring_rss(args: &[&str]) -> (serde_json::Value, u64) {
    run_measuring_rss_env(args, &[])
}

#[track_caller]
pub(crate) fn run_measuring_rss_env(
    args: &[&str],
    env: &[(&str, &str)],
) -> (serde_json::Value, u64) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachectl"));
    for v in [
        "REDISCLI_AUTH",
        "REDIS_PASSWORD",
        "REDIS_URL",
        "CACHECTL_URL",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let mut samples = 0;
    // The output is read as it comes (a big report must not block on a
    // full pipe while it is sampled).
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
        out
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        // A run that never ends is a failure, not a hung test suite.
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cachectl {args:?} ran for over 120 s and was killed");
        }
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
                samples += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = reader.join().unwrap();
    assert!(
        samples > 0,
        "the run ended before its memory could be sampled"
    );
    (
        serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out))),
        peak,
    )
}

/// A command running under a pseudo-terminal: what it drew so far, keys
/// typed to it, and whether the terminal was left as it was found.
pub(crate) struct Pty {
    child: std::process::Child,
    input: Option<std::process::ChildStdin>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

/// What the wrapper prints after the command when the terminal's settings
/// (`stty -g`) are what they were before it.
pub(crate) const TERMINAL_RESTORED: &str = "TERMINAL-RESTORED";

impl Pty {
    fn spawn(cmd: Command, cols: u16, rows: u16) -> Pty {
        let quoted: Vec<String> = std::iter::once(cmd.get_program().to_string_lossy().into_owned())
            .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        let shell = format!(
            "stty cols {cols} rows {rows}; before=$(stty -g); {}; rc=$?; \
             [ \"$(stty -g)\" = \"$before\" ] && echo {TERMINAL_RESTORED}; exit $rc",
            quoted.join(" ")
        );
        let mut script = Command::new("script");
        script.args(["-qefc", &shell, "/dev/null"]);
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => script.env(k, v),
                None => script.env_remove(k),
            };
        }
        let mut child = script
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run script");
        let mut out = child.stdout.take().expect("stdout");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let into = seen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match std::io::Read::read(&mut out, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
                }
            }
        });
        Pty {
            input: child.stdin.take(),
            child,
            seen,
            reader: Some(reader),
        }
    }

    /// Everything the terminal was sent so far.
    pub(crate) fn raw(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    /// The frames drawn so far (each between a synchronised update's
    /// begin and end), as the lines they showed, escapes removed.
    pub(crate) fn frames(&self) -> Vec<Vec<String>> {
        frames_of(&self.raw())
    }

    /// Waits until a frame satisfies `ok` (at most `secs`), returning it.
    pub(crate) fn wait_for_frame(
        &self,
        what: &str,
        secs: u64,
        ok: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(f) = self.frames().into_iter().rev().find(|f| ok(f)) {
                return f;
            }
            assert!(
                Instant::now() < end,
                "no frame {what} within {secs}s; the last: {:#?}",
                self.frames().last()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` at the terminal.
    pub(crate) fn type_keys(&mut self, keys: &str) {
        let input = self.input.as_mut().expect("typing after the end");
        input.write_all(keys.as_bytes()).expect("type");
        input.flush().expect("flush");
    }

    /// Waits (at most `secs`) for it to end: its exit code and all it drew.
    pub(crate) fn wait(mut self, secs: u64) -> (i32, String) {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                drop(self.input.take());
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return (status.code().unwrap_or(-1), self.raw());
            }
            if Instant::now() >= end {
                let _ = self.child.kill();
                panic!("still running after {secs}s; it drew: {}", self.raw());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The frames of a terminal transcript: the text between each synchronised
/// update's begin (CSI ?2026h) and end (CSI ?2026l), a next-line move
/// (CSI 1E) a new line, every other escape removed.
pub(crate) fn frames_of(raw: &str) -> Vec<Vec<String>> {
    let mut frames = Vec::new();
    for part in raw.split("\u{1b}[?2026h").skip(1) {
        let Some((frame, _)) = part.split_once("\u{1b}[?2026l") else {
            continue;
        };
        let text = strip_escapes(&frame.replace("\u{1b}[1E", "\n"));
        let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        frames.push(lines);
    }
    frames
}

/// `text` without CSI sequences (colours, cursor moves, clears).
pub(crate) fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A venv of PyPI packages, made once per requirements file
/// (tests/NAME/requirements.txt, into target/test-venvs/NAME) and again when
/// the file changes; a failure to make it fails the test, saying why.
pub(crate) fn python_venv(name: &'static str) -> &'static Path {
    static VENVS: std::sync::Mutex<Vec<(&'static str, &'static Path)>> =
        std::sync::Mutex::new(Vec::new());
    let mut made = VENVS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, p)) = made.iter().find(|(n, _)| *n == name) {
        return p;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let requirements = root.join(format!("tests/{name}/requirements.txt"));
    let venv = root.join(format!("target/test-venvs/{name}"));
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    let marker = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        let run = |cmd: &mut Command, what: &str| {
            let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(
                out.status.success(),
                "{what} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let _ = std::fs::remove_dir_all(&venv);
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (install python3-venv)",
        );
        run(
            Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
            &format!("pip install -r tests/{name}/requirements.txt"),
        );
        std::fs::write(&marker, wanted).unwrap();
    }
    let leaked: &'static Path = Box::leak(venv.into_boxed_path());
    made.push((name, leaked));
    leaked
}

/// Runs `script` in the consumers' venv (tests/consumers) with `input` on
/// its stdin; what it prints is JSON.
pub(crate) fn consume(script: &str, input: &str) -> serde_json::Value {
    let python = python_venv("consumers").join("bin/python");
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the consumer");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the consumer failed: {}\non input:\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "consumer printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
