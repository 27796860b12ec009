//! Connecting to a target under timeouts, and telling apart every way it fails:
//! DNS, refused, connect timeout, accepted-but-unresponsive (hung, paused,
//! stopped), TLS, closed at once, wrong password, password required,
//! max clients reached, loading.

use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisError};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::bounded::BoundedReplies;
use super::{NodeAddr, TargetSpec, Timeouts, TlsOptions};

/// Name cachectl gives its connections, so they show in CLIENT LIST.
pub const CLIENT_NAME: &str = "cachectl";

/// Why a connection could not be used. Serialized names are what runbooks see
/// as `connection.error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens on the port (TCP RST).
    Refused,
    /// The TCP connection did not complete in time (host down, filtered).
    ConnectTimeout,
    /// TCP connected but the server did not answer: hung, paused or stopped.
    Unresponsive,
    /// TLS handshake or certificate failure (or TLS spoken to a plaintext port).
    Tls,
    /// The server closed the connection at once (e.g. redis:// to a TLS port).
    Closed,
    /// The password or user was refused (WRONGPASS).
    AuthFailed,
    /// The server requires a password and none was given (NOAUTH).
    AuthRequired,
    /// The server refused the connection: max number of clients reached.
    Maxclients,
    /// The server is loading its dataset into memory.
    Loading,
    /// A script or function has run past busy-reply-threshold (BUSY).
    Busy,
    /// Something answered that does not speak RESP (HTTP, TLS, other bytes).
    NotRedis,
    /// SELECT refused the database index: the target names a database the
    /// server does not have (a usage error, not an incident).
    NoSuchDb,
    /// Anything else; the detail says what.
    Other,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Dns => "dns",
            FailureKind::Refused => "refused",
            FailureKind::ConnectTimeout => "connect_timeout",
            FailureKind::Unresponsive => "unresponsive",
            FailureKind::Tls => "tls",
            FailureKind::Closed => "closed",
            FailureKind::AuthFailed => "auth_failed",
            FailureKind::AuthRequired => "auth_required",
            FailureKind::Maxclients => "maxclients",
            FailureKind::Loading => "loading",
            FailureKind::Busy => "busy",
            FailureKind::NotRedis => "not_redis",
            FailureKind::NoSuchDb => "no_such_db",
            FailureKind::Other => "other",
        }
    }
}

/// A failed attempt to connect, classified.
#[derive(Debug, Clone)]
pub struct ConnectFailure {
    pub kind: FailureKind,
    pub detail: String,
    pub elapsed: Duration,
    /// With `NotRedis`: what answered.
    pub peer: Option<Peer>,
}

/// Why one command could not give its fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandFailureKind {
    /// Refused by ACL.
    Noperm,
    /// Renamed or disabled (unknown command).
    Disabled,
    /// No reply within the command timeout.
    Timeout,
    /// The connection dropped.
    ConnectionLost,
    /// Any other error reply.
    Error,
    /// A reply that is not of the shape Redis gives for that command.
    Malformed,
    /// A reply over --max-reply, dropped as it arrived.
    TooLarge,
    /// Not sent: a write without consent for it (a bug, never a server's
    /// doing).
    Unconsented,
}

impl CommandFailureKind {
    /// As `unavailable` facts name it.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandFailureKind::Noperm => "noperm",
            CommandFailureKind::Disabled => "disabled",
            CommandFailureKind::Timeout => "timeout",
            CommandFailureKind::ConnectionLost => "connection_lost",
            CommandFailureKind::Error => "error",
            CommandFailureKind::Malformed => "malformed",
            CommandFailureKind::TooLarge => "too_large",
            CommandFailureKind::Unconsented => "unconsented",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CommandFailure {
    pub kind: CommandFailureKind,
    pub detail: String,
}

/// A connection that answered PING, with the round trip of that PING.
/// Clones share the one multiplexed connection.
///
/// It reads (`query`, `query_pipeline`: commands `floor::is_read` knows,
/// anything else refused before it is sent) and writes only with consent
/// (`write`): the connection itself is not handed out.
#[derive(Clone)]
pub struct Session {
    conn: MultiplexedConnection,
    /// The node it is connected to.
    pub addr: NodeAddr,
    pub connect_time: Duration,
    pub first_ping: Duration,
    pub command_timeout: Duration,
}

/// What a write must show: consent to send a verb to a node. Only
/// `mutate::Consent`, which only `mutate::Mutator` makes after a decision,
/// is one: the trait is sealed (`sealed::Sealed` is implemented in
/// `src/mutate/` alone; `tests/it/writes.rs` checks no other file does).
pub trait Consented: sealed::Sealed {
    /// Why `verb` (`floor::verb`) may not be sent to `node` under this
    /// consent, if it may not.
    fn refuses(&self, node: &NodeAddr, verb: &str) -> Option<String>;
}

/// The seal of `Consented`.
pub mod sealed {
    pub trait Sealed {}
}

/// The verb of a command (`floor::verb`), from its arguments.
fn verb_of(cmd: &redis::Cmd) -> String {
    let words: Vec<&[u8]> = cmd
        .args_iter()
        .take(2)
        .filter_map(|a| match a {
            redis::Arg::Simple(bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    crate::floor::verb(&words)
}

/// Refuses any command that is not a read: writes take the mutation path.
fn reads_only<'a>(cmds: impl Iterator<Item = &'a redis::Cmd>) -> Result<(), CommandFailure> {
    for cmd in cmds {
        let verb = verb_of(cmd);
        if !crate::floor::is_read(&verb) {
            return Err(CommandFailure {
                kind: CommandFailureKind::Unconsented,
                detail: format!(
                    "`{verb}` is not a read: cachectl sends it only through the mutation path, with consent"
                ),
            });
        }
    }
    Ok(())
}

/// Why a connection could not be opened: already classified (TCP, TLS), or
/// an error from the Redis handshake (AUTH, SELECT) to classify.
enum OpenError {
    Failure(ConnectFailure),
    Redis(RedisError),
}

/// The TLS client configuration: the CA file's certificates or the
/// system's, and the client certificate for mutual TLS.
fn tls_config(opts: &TlsOptions) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    match &opts.ca_file {
        Some(ca) => {
            for cert in CertificateDer::pem_file_iter(ca)
                .map_err(|e| format!("cannot read {}: {e}", ca.display()))?
                .flatten()
            {
                roots
                    .add(cert)
                    .map_err(|e| format!("bad CA certificate in {}: {e}", ca.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    match (&opts.cert_file, &opts.key_file) {
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .map_err(|e| format!("cannot read {}: {e}", cert.display()))?
                .flatten()
                .collect();
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("cannot read {}: {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("bad client certificate: {e}"))
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// Opens the byte stream to the node (TCP, unix socket, TLS over TCP),
/// bounds its replies, and runs the Redis handshake over it.
async fn open(
    spec: &TargetSpec,
    with_credentials: bool,
    timeouts: &Timeouts,
    start: Instant,
) -> Result<MultiplexedConnection, OpenError> {
    let stream = open_stream(spec, timeouts, start).await?;
    let stream = BoundedReplies::new(stream, spec.max_reply);
    let mut info = redis::RedisConnectionInfo::default()
        .set_db(if with_credentials { spec.db } else { 0 })
        .set_skip_set_lib_name();
    if with_credentials {
        if let Some(user) = &spec.username {
            info = info.set_username(user);
        }
        if let Some(pw) = &spec.password {
            info = info.set_password(pw.expose());
        }
    }
    let config = AsyncConnectionConfig::new().set_response_timeout(Some(timeouts.command));
    let (conn, driver) = MultiplexedConnection::new_with_config(&info, stream, config)
        .await
        .map_err(OpenError::Redis)?;
    tokio::spawn(driver);
    Ok(conn)
}

/// The byte stream to the node (TCP, unix socket, TLS over TCP), within
/// the connect timeout, before any Redis command.
async fn open_stream(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    start: Instant,
) -> Result<Box<dyn RawStream>, OpenError> {
    let fail = |kind: FailureKind, detail: String| {
        OpenError::Failure(failure(kind, detail, start.elapsed()))
    };
    let io_fail = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => {
            fail(FailureKind::Refused, format!("connection refused ({e})"))
        }
        std::io::ErrorKind::NotFound => fail(
            FailureKind::Refused,
            format!("no socket at {} ({e})", spec.addr),
        ),
        _ => fail(
            FailureKind::Other,
            format!("cannot connect to {}: {e}", spec.addr),
        ),
    };
    // Connecting, TCP or unix, within the connect timeout.
    fn within<T>(
        done: Result<std::io::Result<T>, tokio::time::error::Elapsed>,
        io_fail: &dyn Fn(std::io::Error) -> OpenError,
        limit: Duration,
        start: Instant,
    ) -> Result<T, OpenError> {
        match done {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(io_fail(e)),
            Err(_) => Err(OpenError::Failure(timed_out(
                FailureKind::ConnectTimeout,
                limit,
                start,
            ))),
        }
    }
    let limit = timeouts.connect;
    let stream: Box<dyn RawStream> = match &spec.addr {
        NodeAddr::Dump { path } => {
            return Err(fail(
                FailureKind::Other,
                format!("{} is a dump file, not a server", path.display()),
            ))
        }
        NodeAddr::Unix { path } => Box::new(within(
            timeout(limit, tokio::net::UnixStream::connect(path)).await,
            &io_fail,
            limit,
            start,
        )?),
        NodeAddr::Tcp { host, port } => {
            let tcp = within(
                timeout(limit, TcpStream::connect((host.as_str(), *port))).await,
                &io_fail,
                limit,
                start,
            )?;
            let _ = tcp.set_nodelay(true);
            if spec.tls {
                let config =
                    tls_config(&spec.tls_options).map_err(|e| fail(FailureKind::Tls, e))?;
                let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| {
                    fail(
                        FailureKind::Tls,
                        format!("`{host}` is no TLS server name: {e}"),
                    )
                })?;
                let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
                match timeout(
                    timeouts.connect + timeouts.command,
                    connector.connect(name, tcp),
                )
                .await
                {
                    Ok(Ok(tls)) => Box::new(tls),
                    Ok(Err(e)) => {
                        let detail = if speaks_plaintext(spec, timeouts.connect).await {
                            format!("TLS handshake failed ({e}), and the port answers plaintext Redis: use redis://{} instead of rediss://", spec.addr)
                        } else {
                            let what = e.to_string();
                            match crate::text::tls_hint(&what, "--tls-ca") {
                                Some(hint) => format!("TLS failed ({what}): {hint}"),
                                None => format!("TLS failed ({what}); a plaintext port reached with rediss://, or a certificate the CA does not sign, does this"),
                            }
                        };
                        return Err(fail(FailureKind::Tls, detail));
                    }
                    Err(_) => {
                        let limit = timeouts.connect + timeouts.command;
                        return Err(OpenError::Failure(
                            timed_out_probed(spec, timeouts, limit, start).await,
                        ));
                    }
                }
            } else {
                Box::new(tcp)
            }
        }
    };
    Ok(stream)
}

/// A connection read as raw bytes, for what is not a request and a
/// reply: MONITOR's feed of every command the server runs (`hotkeys
/// --sample`), and the dump a primary sends a replica (`memory
/// --rdb-from`). Opened on its own stream, with the session's credentials.
pub struct RawFeed {
    stream: tokio::io::BufReader<Box<dyn RawStream>>,
    /// Bytes read from the server so far, lines cut short included.
    pub read: u64,
}

impl RawFeed {
    /// Connects to `spec` and authenticates.
    pub async fn open(spec: &TargetSpec, timeouts: &Timeouts) -> Result<RawFeed, String> {
        let start = Instant::now();
        let limit = timeouts.connect + timeouts.command;
        let stream = match timeout(limit, open_stream(spec, timeouts, start)).await {
            Ok(Ok(s)) => s,
            Ok(Err(OpenError::Failure(f))) => return Err(f.detail),
            Ok(Err(OpenError::Redis(e))) => return Err(crate::secret::scrub(&e.to_string())),
            Err(_) => return Err(format!("no connection within {} ms", limit.as_millis())),
        };
        let mut feed = RawFeed {
            stream: tokio::io::BufReader::new(stream),
            read: 0,
        };
        if let Some(pw) = &spec.password {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = &spec.username {
                auth.arg(user);
            }
            auth.arg(pw.expose());
            feed.command("AUTH", &auth, timeouts.command).await?;
        }
        Ok(feed)
    }

    /// A connection in MONITOR mode: every command the server runs, a
    /// line each. The server's refusal (ACL, a renamed command, a managed
    /// service) is the error.
    pub async fn monitor(spec: &TargetSpec, timeouts: &Timeouts) -> Result<RawFeed, String> {
        let mut feed = RawFeed::open(spec, timeouts).await?;
        feed.command("MONITOR", &redis::cmd("MONITOR"), timeouts.command)
            .await?;
        Ok(feed)
    }

    /// Sends `cmd` and reads its one-line answer, which must be `+...`
    /// (the error says the server's refusal, secrets scrubbed).
    pub async fn command(
        &mut self,
        name: &str,
        cmd: &redis::Cmd,
        limit: Duration,
    ) -> Result<Vec<u8>, String> {
        use tokio::io::AsyncWriteExt as _;
        let packed = cmd.get_packed_command();
        let answer = async {
            self.stream.get_mut().write_all(&packed).await?;
            self.line(4096).await
        };
        match timeout(limit, answer).await {
            Ok(Ok(Some(line))) if line.starts_with(b"+") => Ok(line),
            Ok(Ok(Some(line))) => {
                let text =
                    String::from_utf8_lossy(line.strip_prefix(b"-").unwrap_or(&line)).into_owned();
                Err(format!(
                    "{name} was refused: {}",
                    crate::secret::scrub(&crate::text::clean(&text))
                ))
            }
            Ok(Ok(None)) => Err(format!("the server closed the connection at {name}")),
            Ok(Err(e)) => Err(format!("{name} failed: {e}")),
            Err(_) => Err(format!(
                "no answer to {name} within {} ms",
                limit.as_millis()
            )),
        }
    }

    /// Sends `cmd` without waiting for an answer.
    pub async fn send(&mut self, cmd: &redis::Cmd) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt as _;
        self.stream
            .get_mut()
            .write_all(&cmd.get_packed_command())
            .await
    }

    /// Up to `buf.len()` bytes, as they arrive (0 at the end).
    pub async fn read_some(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use tokio::io::AsyncReadExt as _;
        let n = self.stream.read(buf).await?;
        self.read += n as u64;
        Ok(n)
    }

    /// The next line without its CRLF, cut at `max` bytes (the rest of a
    /// longer one is read and dropped); `None` at the end of the stream.
    pub async fn line(&mut self, max: usize) -> std::io::Result<Option<Vec<u8>>> {
        use tokio::io::AsyncBufReadExt as _;
        let mut out = Vec::new();
        let mut seen = false;
        loop {
            let buf = self.stream.fill_buf().await?;
            if buf.is_empty() {
                return Ok(seen.then_some(out));
            }
            seen = true;
            let (take, done) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = max.saturating_sub(out.len());
            out.extend_from_slice(&buf[..take.min(room)]);
            self.stream.consume(take);
            self.read += take as u64;
            if done {
                while matches!(out.last(), Some(b'\n' | b'\r')) {
                    out.pop();
                }
                return Ok(Some(out));
            }
        }
    }
}

fn failure(kind: FailureKind, detail: impl AsRef<str>, elapsed: Duration) -> ConnectFailure {
    ConnectFailure {
        kind,
        detail: crate::secret::scrub(detail.as_ref()),
        elapsed,
        peer: None,
    }
}

/// Resolves the host under the connect timeout; literal IPs and unix
/// sockets skip DNS.
async fn check_dns(spec: &TargetSpec, limit: Duration) -> Result<(), ConnectFailure> {
    let NodeAddr::Tcp { host, port } = &spec.addr else {
        return Ok(());
    };
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let start = Instant::now();
    match timeout(limit, tokio::net::lookup_host((host.as_str(), *port))).await {
        Ok(Ok(mut addrs)) => match addrs.next() {
            Some(_) => Ok(()),
            None => Err(failure(
                FailureKind::Dns,
                format!("{host} resolved to no address"),
                start.elapsed(),
            )),
        },
        Ok(Err(e)) => Err(failure(
            FailureKind::Dns,
            format!("cannot resolve {host}: {e}"),
            start.elapsed(),
        )),
        Err(_) => Err(failure(
            FailureKind::Dns,
            format!(
                "DNS lookup of {host} took longer than {} ms",
                limit.as_millis()
            ),
            start.elapsed(),
        )),
    }
}

/// A raw byte stream to the node, TCP or unix socket, for probes that must
/// see what answers before any RESP parser does.
trait RawStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> RawStream for T {}

async fn raw_connect(addr: &NodeAddr) -> std::io::Result<Box<dyn RawStream>> {
    Ok(match addr {
        NodeAddr::Tcp { host, port } => Box::new(TcpStream::connect((host.as_str(), *port)).await?),
        NodeAddr::Unix { path } => Box::new(tokio::net::UnixStream::connect(path).await?),
        NodeAddr::Dump { path } => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is a dump file, not a server", path.display()),
            ))
        }
    })
}

/// After a timeout or a drop: does the node accept connections at all?
/// Tells a hung server from a filtered or dead host, and a crash from a
/// restart.
pub async fn probe(addr: &NodeAddr, limit: Duration) -> FailureKind {
    match timeout(limit, raw_connect(addr)).await {
        Ok(Ok(_)) => FailureKind::Unresponsive,
        Ok(Err(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
            ) =>
        {
            FailureKind::Refused
        }
        Ok(Err(_)) => FailureKind::Other,
        Err(_) => FailureKind::ConnectTimeout,
    }
}

/// What answered on the node's port, from the first bytes it sent back to
/// an inline `PING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// redis, http, tls, other, or silent (nothing within the limit).
    pub kind: &'static str,
    /// Up to 48 bytes it sent, escaped for display.
    pub first_bytes: String,
}

/// Sends an inline `PING` over a raw connection and reads what comes back.
pub async fn identify(addr: &NodeAddr, limit: Duration) -> Option<Peer> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let probe = async {
        let mut stream = raw_connect(addr).await.ok()?;
        // The blank line completes an HTTP request for servers that wait for
        // headers; Redis ignores it.
        stream.write_all(b"PING\r\n\r\n").await.ok()?;
        let mut buf = [0u8; 48];
        let n = stream.read(&mut buf).await.ok()?;
        Some(buf[..n].to_vec())
    };
    let bytes = timeout(limit, probe).await.ok()??;
    Some(classify_peer(&bytes))
}

/// Names what sent `bytes`: RESP starts with one of `+-:$*` (or RESP3's
/// `_,#!=(%~>|`), HTTP with `HTTP/`, a TLS record with 0x15/0x16 0x03.
pub fn classify_peer(bytes: &[u8]) -> Peer {
    let kind = match bytes {
        [] => "silent",
        [b'+' | b'-' | b':' | b'$' | b'*' | b'%' | b'_' | b'#' | b',' | b'=' | b'(' | b'~'
        | b'>' | b'|' | b'!', ..]
            if bytes.ends_with(b"\r\n") || bytes.len() >= 48 =>
        {
            "redis"
        }
        _ if bytes.starts_with(b"HTTP/") => "http",
        [0x15 | 0x16, 0x03, ..] => "tls",
        _ => "other",
    };
    Peer {
        kind,
        first_bytes: escape_bytes(bytes),
    }
}

/// Bytes as text a terminal and a JSON reader can show: printable ASCII as
/// is, `\r`, `\n`, `\t`, and `\xNN` for anything else.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// For a rediss:// target that timed out: does the port answer plaintext
/// RESP? A plaintext Redis leaves a TLS ClientHello unanswered, which would
/// otherwise look like a hung server.
async fn speaks_plaintext(spec: &TargetSpec, limit: Duration) -> bool {
    matches!(identify(&spec.addr, limit).await, Some(p) if p.kind == "redis")
}

/// Classifies an error from connecting or from the first command.
fn classify(err: &RedisError, tls: bool) -> FailureKind {
    let text = err.to_string().to_ascii_lowercase();
    let code = err.code().unwrap_or("");
    if text.contains("max number of clients") {
        FailureKind::Maxclients
    } else if text.contains("db index is out of range") || text.contains("invalid db index") {
        FailureKind::NoSuchDb
    } else if code == "WRONGPASS"
        || err.kind() == redis::ErrorKind::AuthenticationFailed
        || text.contains("wrongpass")
        || text.contains("invalid password")
        || text.contains("invalid username-password")
    {
        FailureKind::AuthFailed
    } else if code == "NOAUTH"
        || text.contains("noauth")
        || text.contains("authentication required")
    {
        FailureKind::AuthRequired
    } else if code == "LOADING" || text.contains("loading") {
        FailureKind::Loading
    } else if code == "BUSY" || text.starts_with("busy") || text.contains("busy running a script") {
        FailureKind::Busy
    } else if err.is_connection_refusal() && !tls {
        FailureKind::Refused
    } else if text.contains("certificate")
        || text.contains("tls")
        || text.contains("handshake")
        || text.contains("corrupt message")
        || text.contains("invalidcontenttype")
        || text.contains("unknownissuer")
    {
        FailureKind::Tls
    } else if err.is_connection_refusal() {
        FailureKind::Refused
    } else if err.is_timeout() {
        FailureKind::Unresponsive
    } else if err.is_connection_dropped() || text.contains("broken pipe") || text.contains("reset")
    {
        if tls {
            FailureKind::Tls
        } else {
            FailureKind::Closed
        }
    } else {
        FailureKind::Other
    }
}

/// Connects with the target's credentials and checks the server answers PING.
pub async fn connect(spec: &TargetSpec, timeouts: &Timeouts) -> Result<Session, ConnectFailure> {
    let start = Instant::now();
    check_dns(spec, timeouts.connect).await?;
    // The outer timeout is a backstop: connect plus handshake must end in time.
    let limit = timeouts.connect + timeouts.command;
    let mut conn = match timeout(limit, open(spec, true, timeouts, start)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(OpenError::Failure(f))) => return Err(f),
        Ok(Err(OpenError::Redis(e))) => return Err(connect_error(spec, &e, timeouts, start).await),
        Err(_) => return Err(timed_out_probed(spec, timeouts, limit, start).await),
    };
    let connect_time = start.elapsed();
    // The connection is named in the same write as the first PING, one
    // round trip for both; a refusal (ACL) is harmless. The PING's reply
    // comes first, so its round trip is its own.
    let mut naming = conn.clone();
    let name = async {
        let _ = timeout(
            timeouts.command,
            redis::cmd("CLIENT")
                .arg("SETNAME")
                .arg(CLIENT_NAME)
                .query_async::<()>(&mut naming),
        )
        .await;
    };
    let ping = async {
        let ping_start = Instant::now();
        let ping = timeout(
            timeouts.command,
            redis::cmd("PING").query_async::<String>(&mut conn),
        )
        .await;
        (ping, ping_start.elapsed())
    };
    let ((ping, first_ping), ()) = tokio::join!(ping, name);
    match ping {
        Ok(Ok(_)) => {}
        // Any other error reply (MISCONF refuses even PING) still means the
        // server is up and talking: go on and collect what it will give.
        Ok(Err(e)) if answered(&e) => {}
        Ok(Err(e)) => return Err(connect_error(spec, &e, timeouts, start).await),
        Err(_) => {
            return Err(timed_out(
                FailureKind::Unresponsive,
                timeouts.command,
                start,
            ))
        }
    }
    Ok(Session {
        conn,
        addr: spec.addr.clone(),
        connect_time,
        first_ping,
        command_timeout: timeouts.command,
    })
}

/// A timeout, explained: plaintext port under rediss://, hung server, or no TCP.
async fn timed_out_probed(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    limit: Duration,
    start: Instant,
) -> ConnectFailure {
    if spec.tls && speaks_plaintext(spec, timeouts.connect).await {
        return failure(
            FailureKind::Tls,
            format!(
                "TLS handshake got no answer, and the port answers plaintext Redis: use redis://{} instead of rediss://",
                spec.addr
            ),
            start.elapsed(),
        );
    }
    let kind = probe(&spec.addr, timeouts.connect).await;
    if kind == FailureKind::Unresponsive && !spec.tls {
        // Accepted but silent to RESP: is it something that answers a
        // line-based request (HTTP waiting for headers)?
        let peer = identify(&spec.addr, Duration::from_millis(250)).await;
        if let Some(f) = peer.and_then(|p| not_redis(spec, p, start)) {
            return f;
        }
    }
    timed_out(kind, limit, start)
}

/// An error reply that is not about connecting at all.
fn answered(err: &RedisError) -> bool {
    matches!(
        err.kind(),
        redis::ErrorKind::Server(_) | redis::ErrorKind::Extension
    ) && classify(err, false) == FailureKind::Other
}

fn timed_out(kind: FailureKind, limit: Duration, start: Instant) -> ConnectFailure {
    let detail = match kind {
        FailureKind::Unresponsive => format!(
            "TCP connected but the server sent no reply within {} ms (hung, paused, stopped, or busy in a long command)",
            limit.as_millis()
        ),
        FailureKind::ConnectTimeout => format!(
            "TCP connect did not complete within {} ms (host down, or packets dropped by a firewall)",
            limit.as_millis()
        ),
        FailureKind::Refused => "connection refused on retry".to_string(),
        _ => format!("no answer within {} ms", limit.as_millis()),
    };
    failure(kind, detail, start.elapsed())
}

async fn connect_error(
    spec: &TargetSpec,
    err: &RedisError,
    timeouts: &Timeouts,
    start: Instant,
) -> ConnectFailure {
    let kind = classify(err, spec.tls);
    if !spec.tls
        && (matches!(kind, FailureKind::Other | FailureKind::Closed)
            || err.kind() == redis::ErrorKind::Parse)
    {
        if let Some(f) = not_redis_or_gone(spec, timeouts, err, start).await {
            return f;
        }
    }
    if kind == FailureKind::Unresponsive {
        let limit = timeouts.connect.max(timeouts.command);
        return timed_out_probed(spec, timeouts, limit, start).await;
    }
    let detail = match kind {
        FailureKind::Closed => format!(
            "the server closed the connection at once ({err}); a TLS-only port reached with redis:// does this"
        ),
        FailureKind::Tls if !spec.tls => format!("{err}"),
        FailureKind::Tls => format!(
            "TLS failed ({err}); a plaintext port reached with rediss://, or a certificate the CA does not sign, does this"
        ),
        _ => err.to_string(),
    };
    failure(kind, detail, start.elapsed())
}

/// A reply the client could not parse, or a connection closed at once:
/// look at what is on the port. Something that is not Redis is named with
/// its first bytes; a port that now refuses means the server went away
/// while we connected.
async fn not_redis_or_gone(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    err: &RedisError,
    start: Instant,
) -> Option<ConnectFailure> {
    let limit = timeouts.connect.min(Duration::from_secs(1));
    match identify(&spec.addr, limit).await {
        // Redis refusing at once (max clients) writes its error and closes
        // before our first command is read: the probe reads it.
        Some(peer) if peer.kind == "redis" && peer.first_bytes.starts_with('-') => {
            let text = peer.first_bytes.trim_end_matches("\\r\\n").to_string();
            let lower = text.to_ascii_lowercase();
            let kind = if lower.contains("max number of clients") {
                FailureKind::Maxclients
            } else if lower.starts_with("-loading") {
                FailureKind::Loading
            } else if lower.starts_with("-busy") {
                FailureKind::Busy
            } else {
                return None;
            };
            Some(failure(kind, &text[1..], start.elapsed()))
        }
        Some(peer) => not_redis(spec, peer, start),
        None => match probe(&spec.addr, limit).await {
            FailureKind::Refused => Some(failure(
                FailureKind::Refused,
                format!(
                    "the server dropped the connection ({err}) and now refuses new ones: it stopped or crashed while cachectl connected"
                ),
                start.elapsed(),
            )),
            _ => None,
        },
    }
}

/// What answered, as a failure when it is not Redis; `None` when it is
/// Redis or silent.
fn not_redis(spec: &TargetSpec, peer: Peer, start: Instant) -> Option<ConnectFailure> {
    let what = match peer.kind {
        "http" => "an HTTP server",
        "tls" => "a TLS server (use rediss:// if it is Redis behind TLS)",
        "other" => "something that does not speak the Redis protocol",
        _ => return None,
    };
    let mut f = failure(
        FailureKind::NotRedis,
        format!(
            "{what} answered on {}, not Redis; its first bytes: \"{}\"",
            spec.addr, peer.first_bytes
        ),
        start.elapsed(),
    );
    f.peer = Some(peer);
    Some(f)
}

/// Checks whether a client without credentials may run commands.
/// `Some(true)`: anonymous PING answered; `Some(false)`: refused (NOAUTH);
/// `None`: could not tell (timeout, error).
pub async fn anonymous_access(spec: &TargetSpec, timeouts: &Timeouts) -> Option<bool> {
    let limit = timeouts.connect + timeouts.command;
    let mut conn = match timeout(limit, open(spec, false, timeouts, Instant::now())).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(OpenError::Redis(e))) if classify(&e, spec.tls) == FailureKind::AuthRequired => {
            return Some(false)
        }
        _ => return None,
    };
    match timeout(
        timeouts.command,
        redis::cmd("PING").query_async::<String>(&mut conn),
    )
    .await
    {
        Ok(Ok(_)) => Some(true),
        Ok(Err(e)) if classify(&e, spec.tls) == FailureKind::AuthRequired => Some(false),
        _ => None,
    }
}

impl Session {
    /// Runs one command that reads under the command timeout, classifying
    /// any failure. A command that is not a read is not sent.
    pub async fn query<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
    ) -> Result<T, CommandFailure> {
        reads_only(std::iter::once(cmd))?;
        let mut conn = self.conn.clone();
        self.bounded(cmd.query_async::<T>(&mut conn)).await
    }

    /// Runs a pipeline of reads under the command timeout (one round trip).
    pub async fn query_pipeline<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, CommandFailure> {
        reads_only(pipe.cmd_iter())?;
        let mut conn = self.conn.clone();
        self.bounded(pipe.query_async::<T>(&mut conn)).await
    }

    /// Sends a pipeline that writes, under the command timeout: only when
    /// `consent` covers this node and every command's verb. Nothing is
    /// sent otherwise.
    pub async fn write<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
        consent: &impl Consented,
    ) -> Result<T, CommandFailure> {
        for cmd in pipe.cmd_iter() {
            if let Some(why) = consent.refuses(&self.addr, &verb_of(cmd)) {
                return Err(CommandFailure {
                    kind: CommandFailureKind::Unconsented,
                    detail: why,
                });
            }
        }
        let mut conn = self.conn.clone();
        self.bounded(pipe.query_async::<T>(&mut conn)).await
    }

    async fn bounded<T>(
        &self,
        fut: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, CommandFailure> {
        match timeout(self.command_timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(command_failure(&e)),
            Err(_) => Err(CommandFailure {
                kind: CommandFailureKind::Timeout,
                detail: format!("no reply within {} ms", self.command_timeout.as_millis()),
            }),
        }
    }
}

fn command_failure(err: &RedisError) -> CommandFailure {
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    let kind = if text.contains(super::bounded::TOO_LARGE) {
        CommandFailureKind::TooLarge
    } else if err.code() == Some("NOPERM") || lower.contains("noperm") {
        CommandFailureKind::Noperm
    } else if lower.contains("unknown command") || lower.contains("unknown subcommand") {
        CommandFailureKind::Disabled
    } else if err.is_timeout() {
        CommandFailureKind::Timeout
    } else if err.is_io_error() || err.is_connection_dropped() {
        CommandFailureKind::ConnectionLost
    } else {
        CommandFailureKind::Error
    };
    CommandFailure {
        kind,
        detail: crate::secret::scrub(&condensed(&text)),
    }
}

/// redis-rs names every failed command of a pipeline; a server that
/// refuses one command refuses it for each key: the count and the first.
fn condensed(text: &str) -> String {
    let Some(list) = text.strip_prefix("Pipeline failures: [") else {
        return text.to_string();
    };
    let failed = list.matches("(Index ").count();
    let first = list
        .split("), (Index ")
        .next()
        .unwrap_or(list)
        .trim_start_matches("(Index ")
        .trim_end_matches(")]");
    let first = first.split_once(", error: ").map_or(first, |(_, e)| e);
    if failed <= 1 {
        return first.to_string();
    }
    format!("{failed} commands of a pipeline failed; the first: {first}")
}

#[cfg(test)]
mod read_tests {
    #[test]
    fn a_pipeline_failing_for_every_key_is_said_once() {
        let text = "Pipeline failures: [(Index 1, error: ResponseError: unknown command), (Index 2, error: ResponseError: unknown command)]";
        assert_eq!(
            super::condensed(text),
            "2 commands of a pipeline failed; the first: ResponseError: unknown command"
        );
        assert_eq!(
            super::condensed("Pipeline failures: [(Index 4, error: NOPERM x)]"),
            "NOPERM x"
        );
        assert_eq!(super::condensed("ERR other"), "ERR other");
    }

    use super::*;

    #[test]
    fn the_read_path_refuses_anything_that_is_not_a_read() {
        for (args, read) in [
            (&["INFO", "all"][..], true),
            (&["CONFIG", "GET", "maxmemory"], true),
            (&["client", "list"], true),
            (&["SCAN", "0"], true),
            (&["CONFIG", "SET", "maxmemory", "1"], false),
            (&["CONFIG", "RESETSTAT"], false),
            (&["SLOWLOG", "RESET"], false),
            (&["FLUSHALL"], false),
            (&["SET", "k", "v"], false),
            (&["CLIENT", "KILL", "ID", "5"], false),
        ] {
            let mut cmd = redis::cmd(args[0]);
            for a in &args[1..] {
                cmd.arg(*a);
            }
            let got = reads_only(std::iter::once(&cmd));
            assert_eq!(got.is_ok(), read, "{args:?}");
            if let Err(e) = got {
                assert_eq!(e.kind, CommandFailureKind::Unconsented);
            }
        }
    }
}
