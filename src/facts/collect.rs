//! Collecting the facts of one node: connect, a short PING burst, then every
//! command at once on one multiplexed connection, each under the command
//! timeout and all under the run's deadline.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redis::Value;
use serde::Serialize;
use serde_json::json;
use tokio::time::timeout_at;

use super::catalog::{self, Source, CONFIG_PARAMS};
use super::derive::{derive, Counters};
use super::Facts;
use super::{clients, memory};
use crate::redis::{client_list, info, latency, reply, role, slowlog};
use crate::target::connect::{self, CommandFailure, CommandFailureKind, FailureKind, Session};
use crate::target::{Role, TargetSpec, Timeouts};

/// PINGs in the round-trip burst: enough for a p99 of a few samples, short
/// enough (well under a millisecond each on a LAN) to keep the run fast.
pub const PING_SAMPLES: usize = 20;

#[derive(Serialize)]
struct ConnectionFact<'a> {
    host: &'a str,
    port: u16,
    user: &'a str,
    ok: bool,
    error: &'a str,
    detail: &'a str,
    connect_ms: f64,
    tls: bool,
    authenticated: bool,
    /// What answered when it was not Redis: http, tls, other; else empty.
    answered: &'a str,
    /// The first bytes it sent, escaped.
    first_bytes: &'a str,
    /// The connection dropped after connecting, during the run.
    lost: bool,
    /// After a loss: refused (the server is down: crashed or killed),
    /// accepting (it is up again: restarted, or it dropped only us), or
    /// timeout; empty when nothing was lost.
    after_loss: &'a str,
    /// Roots that arrived before the loss, and those that did not.
    arrived: Vec<String>,
    missing: Vec<String>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

impl ConnectionFact<'_> {
    fn failed<'a>(
        spec: &'a TargetSpec,
        host: &'a str,
        error: &'a str,
        detail: &'a str,
    ) -> ConnectionFact<'a> {
        ConnectionFact {
            host,
            port: spec.addr.port(),
            user: spec.username.as_deref().unwrap_or("default"),
            ok: false,
            error,
            detail,
            connect_ms: 0.0,
            tls: spec.tls,
            authenticated: spec.password.is_some(),
            answered: "",
            first_bytes: "",
            lost: false,
            after_loss: "",
            arrived: Vec::new(),
            missing: Vec::new(),
        }
    }
}

/// Collects all facts of the node `spec` names. Never fails: what cannot be
/// had is recorded in `Facts::unavailable`.
pub async fn collect(spec: &TargetSpec, timeouts: &Timeouts) -> Facts {
    let deadline = tokio::time::Instant::now() + timeouts.overall;
    collect_until(spec, timeouts, deadline, None).await
}

/// `collect`, under a deadline the caller sets (the run's); with a
/// `baseline`, counters are measured over the window since it.
pub async fn collect_until(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: tokio::time::Instant,
    baseline: Option<Counters>,
) -> Facts {
    collect_scoped(spec, timeouts, deadline, baseline, Scope::Full).await
}

/// How much of a node to collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every root of the catalogue.
    Full,
    /// What says whether the node is reachable, authenticated and Redis,
    /// and what it is (role, version, Cluster): the connection, INFO, ROLE
    /// and CONFIG GET in one round trip. The other roots are not asked for
    /// (neither collected nor unavailable). For a command that reads or
    /// writes a node of its own accord (flush, warm, clients kill,
    /// failover) before it does.
    Gate,
    /// Every root but two, on a connection kept between refreshes
    /// (`cachectl watch`): no round-trip burst (`ping`) and no second
    /// connection to ask whether anonymous clients are refused (`access`);
    /// CLIENT LIST (`clients`) only when `clients` says so. The caller
    /// fills what is not asked (`watch`).
    Again { clients: bool },
}

impl Scope {
    /// Whether every command of the catalogue is sent, not only the gate's.
    fn all_commands(self) -> bool {
        self != Scope::Gate
    }

    /// Whether the round trips are sampled and anonymous access is probed.
    fn probes(self) -> bool {
        self == Scope::Full
    }

    /// Whether CLIENT LIST is asked for.
    fn clients(self) -> bool {
        match self {
            Scope::Full => true,
            Scope::Gate => false,
            Scope::Again { clients } => clients,
        }
    }
}

/// `collect_until` of `scope`.
pub async fn collect_scoped(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: tokio::time::Instant,
    baseline: Option<Counters>,
    scope: Scope,
) -> Facts {
    collect_with(None, spec, timeouts, deadline, baseline, scope)
        .await
        .0
}

/// `collect_scoped` on `session` when there is one, else on a new
/// connection. The session is handed back under `Scope::Again` while it
/// is up (the other scopes close it before parsing, to free its read
/// buffer).
pub async fn collect_with(
    session: Option<Session>,
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: tokio::time::Instant,
    baseline: Option<Counters>,
    scope: Scope,
) -> (Facts, Option<Session>) {
    let mut facts = facts_of(spec);
    let host = spec.addr.host();
    let connected = match session {
        Some(session) => Ok(Ok(session)),
        None => timeout_at(deadline, connect::connect(spec, timeouts)).await,
    };
    let session = match connected {
        Ok(Ok(session)) => session,
        Ok(Err(failure)) => {
            let peer = failure.peer.clone();
            let mut fact =
                ConnectionFact::failed(spec, &host, failure.kind.as_str(), &failure.detail);
            fact.connect_ms = ms(failure.elapsed);
            if let Some(peer) = &peer {
                fact.answered = peer.kind;
                fact.first_bytes = &peer.first_bytes;
            }
            facts.set("connection", fact);
            mark_not_connected(&mut facts, failure.kind.as_str());
            return (facts, None);
        }
        Err(_) => {
            let mut fact = ConnectionFact::failed(
                spec,
                &host,
                "unresponsive",
                "the run's deadline passed while connecting",
            );
            fact.connect_ms = ms(timeouts.overall);
            facts.set("connection", fact);
            mark_not_connected(&mut facts, "unresponsive");
            return (facts, None);
        }
    };
    // The reading's future is big (every command's at once): on the heap,
    // so that whatever awaits this one stays small.
    Box::pin(collect_on(
        session, spec, timeouts, deadline, baseline, scope,
    ))
    .await
}

/// A node's facts before any is known: its address and how redis-cli
/// reaches it.
fn facts_of(spec: &TargetSpec) -> Facts {
    let mut facts = Facts::new(spec.addr.clone());
    facts.reach = Some(spec.cli_reach());
    facts
}

/// The facts of `scope`, read on an open session.
async fn collect_on(
    session: Session,
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: tokio::time::Instant,
    baseline: Option<Counters>,
    scope: Scope,
) -> (Facts, Option<Session>) {
    let all = scope.all_commands();
    let probes = scope.probes();
    let mut facts = facts_of(spec);
    let host = spec.addr.host();
    let anonymous = async {
        if probes {
            anonymous_access(spec, timeouts, deadline).await
        } else {
            None
        }
    };
    let info_cmd = redis::cmd("INFO").arg("all").clone();
    let role_cmd = redis::cmd("ROLE");
    let slowlog_cmd = redis::cmd("SLOWLOG").arg("GET").arg(128).clone();
    let clients_cmd = redis::cmd("CLIENT").arg("LIST").clone();
    let latency_cmd = redis::cmd("LATENCY").arg("LATEST").clone();
    let stats_cmd = redis::cmd("MEMORY").arg("STATS").clone();
    let doctor_cmd = redis::cmd("MEMORY").arg("DOCTOR").clone();
    // The round trips first, alone: nothing else (a TLS handshake of the
    // anonymous probe, parsing a big reply) may hold the one thread while
    // a PING's reply waits, or the figure is cachectl's, not the network's.
    let ping = if probes {
        Some(timeout_at(deadline, ping_burst(&session, PING_SAMPLES)).await)
    } else {
        None
    };
    let commands = async {
        let (info, config, role, slowlog, clients, latency, stats, doctor) = tokio::join!(
            guarded(deadline, session.query::<String>(&info_cmd)),
            guarded(deadline, config_get(&session)),
            guarded(deadline, session.query::<Value>(&role_cmd)),
            only(all, guarded(deadline, session.query::<Value>(&slowlog_cmd))),
            only(
                scope.clients(),
                guarded(deadline, session.query::<String>(&clients_cmd))
            ),
            only(all, guarded(deadline, session.query::<Value>(&latency_cmd))),
            only(all, guarded(deadline, session.query::<Value>(&stats_cmd))),
            only(all, guarded(deadline, session.query::<Value>(&doctor_cmd))),
        );
        (info, config, role, slowlog, clients, latency, stats, doctor)
    };
    let (anonymous, (info, config, role, slowlog, clients, latency, stats, doctor)) =
        tokio::join!(anonymous, commands);
    // Every reply is in: the connection goes now, with its read buffer
    // (as big as the biggest reply, a 30 MB CLIENT LIST at 100,000 clients),
    // before the replies are parsed; unless it is kept for the next time.
    let connect_time = session.connect_time;
    let kept = if matches!(scope, Scope::Again { .. }) {
        Some(session)
    } else {
        drop(session);
        // The connection's task sees it is no longer wanted and ends,
        // freeing its buffer, when it next runs: now.
        tokio::task::yield_now().await;
        None
    };
    // A server can answer RESP and still not be Redis (a proxy that says +OK
    // to everything): replies of the wrong shape are no facts.
    let info = info.and_then(|t| {
        shaped(t, "INFO", |t| {
            t.contains("redis_version:") || t.contains("valkey_version:")
        })
    });
    let role = role.and_then(|v| shaped(v, "ROLE", |v| matches!(v, Value::Array(items) if items.first().and_then(reply::text).is_some_and(|r| matches!(r.as_str(), "master" | "slave" | "replica" | "sentinel")))));
    let slowlog =
        slowlog.map(|r| r.and_then(|v| shaped(v, "SLOWLOG GET", |v| matches!(v, Value::Array(_)))));
    let latency = latency
        .map(|r| r.and_then(|v| shaped(v, "LATENCY LATEST", |v| matches!(v, Value::Array(_)))));
    // CLIENT LIST always lists at least cachectl's own connection.
    let clients =
        clients.map(|r| r.and_then(|t| shaped(t, "CLIENT LIST", |t| t.starts_with("id="))));

    match anonymous {
        Some(anonymous) => facts.set("access", json!({ "anonymous": anonymous })),
        None if probes => facts.set_unavailable(
            "access",
            Source::Anonymous.command(),
            "error",
            "could not tell whether unauthenticated clients are refused",
        ),
        None => {}
    }
    match ping {
        // The connection's first PING is left out: it pays for setting the
        // connection up (a TLS session ticket, say), not the round trip.
        Some(Ok(samples)) => facts.set("ping", ping_stats(&samples)),
        Some(Err(_)) => {
            facts.set_unavailable("ping", "PING", "timeout", "the run's deadline passed");
        }
        None => {}
    }
    let config = match config {
        Ok(map) => {
            facts.set("config", &map);
            Some(map)
        }
        Err(e) => {
            unavailable(&mut facts, Source::Config, &e);
            None
        }
    };
    let clients = match clients {
        None => None,
        Some(Ok(text)) => {
            let list = client_list::parse(&text);
            let summary = clients::summarize(&list);
            facts.set("clients", &summary);
            facts.client_list = Some(list);
            Some(summary)
        }
        Some(Err(e)) => {
            unavailable(&mut facts, Source::ClientList, &e);
            None
        }
    };
    match info {
        Ok(text) => {
            let info = info::parse(&text);
            let client_mem = clients.as_ref().map(|c| c.total_mem);
            facts.set(
                "derived",
                derive(&info, config.as_ref(), client_mem, baseline),
            );
            facts.counters = Some(Counters::of(&info));
            facts.set("keyspace", &info.keyspace);
            facts.set("commandstats", &info.commandstats);
            facts.set("errorstats", &info.errorstats);
            facts.set("replicas", &info.replicas);
            if let Some(role) = info.fields.get("role").and_then(|r| r.as_str()) {
                facts.node.role = Role::from_redis(role);
            }
            facts.set("info", &info.fields);
        }
        Err(e) => unavailable(&mut facts, Source::Info, &e),
    }
    match role {
        Ok(v) => {
            let parsed = role::parse(&v);
            facts.node.role = Role::from_redis(&parsed.role);
            facts.set("role", parsed);
        }
        Err(e) => unavailable(&mut facts, Source::Role, &e),
    }
    match slowlog {
        None => {}
        Some(Ok(v)) => {
            let entries = slowlog::parse(&v);
            let slowest = entries.iter().max_by_key(|e| e.duration_us);
            facts.set(
                "slowlog",
                json!({
                    "count": entries.len(),
                    "max_duration_us": slowest.map_or(0, |e| e.duration_us),
                    "slowest_command": slowest.map(|e| e.command.clone()).unwrap_or_default(),
                    "entries": entries,
                }),
            );
        }
        Some(Err(e)) => unavailable(&mut facts, Source::Slowlog, &e),
    }
    match latency {
        None => {}
        Some(Ok(v)) => {
            let events = latency::parse(&v);
            facts.set(
                "latency",
                json!({
                    "max_ms": events.iter().map(|e| e.max_ms).max().unwrap_or(0),
                    "events": events,
                }),
            );
        }
        Some(Err(e)) => unavailable(&mut facts, Source::Latency, &e),
    }

    match stats.map(|r| {
        r.and_then(|v| {
            shaped(
                memory::stats(&v),
                "MEMORY STATS",
                std::option::Option::is_some,
            )
        })
    }) {
        Some(Ok(Some(s))) => facts.set("memory", s),
        Some(Ok(None)) | None => {}
        Some(Err(e)) => unavailable(&mut facts, Source::MemoryStats, &e),
    }
    match doctor.map(|r| {
        r.and_then(|v| {
            shaped(
                reply::text(&v),
                "MEMORY DOCTOR",
                std::option::Option::is_some,
            )
        })
    }) {
        Some(Ok(text)) => facts.set("memory_doctor", json!({ "text": text.unwrap_or_default() })),
        Some(Err(e)) => unavailable(&mut facts, Source::MemoryDoctor, &e),
        None => {}
    }

    let mut fact = ConnectionFact::failed(spec, &host, "", "");
    fact.ok = true;
    fact.connect_ms = ms(connect_time);
    let missing: Vec<String> = facts
        .unavailable
        .values()
        .filter(|u| u.kind == "connection_lost")
        .map(|u| u.fact.clone())
        .collect();
    if !missing.is_empty() {
        // Which is it: the server went away (refuses now), or only our
        // connection dropped (it accepts again)?
        fact.lost = true;
        fact.after_loss = match connect::probe(&spec.addr, timeouts.connect).await {
            FailureKind::Refused => "refused",
            FailureKind::Unresponsive => "accepting",
            _ => "timeout",
        };
        fact.arrived = catalog::node_roots()
            .iter()
            .filter(|r| r.source.needs_connection())
            .map(|r| r.field.name.to_string())
            .filter(|name| facts.values.contains_key(name))
            .collect();
        fact.missing = missing;
    }
    let lost = fact.lost;
    facts.set("connection", fact);
    (facts, kept.filter(|_| !lost))
}

/// Every root that needs a connection is unavailable: no connection.
/// The facts of a node that could not even be named (no Sentinel said
/// which is the primary): a failed connection saying why.
pub fn unlocated(spec: &TargetSpec, detail: &str) -> Facts {
    let mut facts = facts_of(spec);
    let host = spec.addr.host();
    facts.set(
        "connection",
        ConnectionFact::failed(spec, &host, "other", detail),
    );
    mark_not_connected(&mut facts, "other");
    facts
}

fn mark_not_connected(facts: &mut Facts, why: &str) {
    for root in catalog::node_roots() {
        if root.source.needs_connection() {
            facts.set_unavailable(
                &root.field.name,
                root.source.command(),
                "not_connected",
                &format!("no connection ({why})"),
            );
        }
    }
}

/// Every root `source` fills is unavailable, for the same reason.
fn unavailable(facts: &mut Facts, source: Source, e: &CommandFailure) {
    for root in catalog::roots_of(source) {
        facts.set_unavailable(
            &root.field.name,
            source.command(),
            e.kind.as_str(),
            &e.detail,
        );
    }
}

/// The reply if `ok` says it has the shape Redis gives, else a `malformed`
/// failure quoting its first bytes.
fn shaped<T: std::fmt::Debug>(
    reply: T,
    command: &str,
    ok: impl Fn(&T) -> bool,
) -> Result<T, CommandFailure> {
    if ok(&reply) {
        return Ok(reply);
    }
    let shown: String = format!("{reply:?}").chars().take(80).collect();
    Err(CommandFailure {
        kind: CommandFailureKind::Malformed,
        detail: crate::secret::scrub(&format!(
            "the {command} reply does not have the shape Redis gives: {shown}"
        )),
    })
}

/// `fut`'s output when `on`; `None` (nothing sent) otherwise.
async fn only<T>(on: bool, fut: impl std::future::Future<Output = T>) -> Option<T> {
    if on {
        Some(fut.await)
    } else {
        None
    }
}

/// Runs a query, turning the run's deadline into a timeout failure.
async fn guarded<T>(
    deadline: tokio::time::Instant,
    fut: impl std::future::Future<Output = Result<T, CommandFailure>>,
) -> Result<T, CommandFailure> {
    match timeout_at(deadline, fut).await {
        Ok(r) => r,
        Err(_) => Err(CommandFailure {
            kind: CommandFailureKind::Timeout,
            detail: "the run's deadline passed".to_string(),
        }),
    }
}

/// Whether a client without credentials gets in (a second connection,
/// when the target has credentials); `None` when that could not be told.
pub async fn anonymous_access(
    spec: &TargetSpec,
    timeouts: &Timeouts,
    deadline: tokio::time::Instant,
) -> Option<bool> {
    if spec.password.is_some() {
        timeout_at(deadline, connect::anonymous_access(spec, timeouts))
            .await
            .ok()
            .flatten()
    } else {
        // We got in without a password: so can anyone.
        Some(true)
    }
}

/// `count` PINGs one after another, each timed; fewer when one fails.
pub async fn ping_burst(session: &Session, count: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(count);
    let cmd = redis::cmd("PING");
    for _ in 0..count {
        let start = Instant::now();
        if session.query::<String>(&cmd).await.is_err() {
            break;
        }
        samples.push(start.elapsed());
    }
    samples
}

/// Min, mean, p90, p99 (nearest rank), max and the percentile judged
/// (`latency::Figures::tail`) of the samples, in ms.
pub fn ping_stats(samples: &[Duration]) -> serde_json::Value {
    match crate::latency::Figures::of(samples) {
        Some(f) => f.ping_fact(),
        None => json!({"samples": 0, "min_ms": 0.0, "avg_ms": 0.0, "p90_ms": 0.0,
                       "p99_ms": 0.0, "max_ms": 0.0, "tail": "p90", "tail_ms": 0.0}),
    }
}

/// CONFIG GET of the catalogue's parameters: one call on Redis 7+, one per
/// parameter (concurrently) on older servers that take a single pattern.
async fn config_get(session: &Session) -> Result<BTreeMap<String, String>, CommandFailure> {
    let mut all = redis::cmd("CONFIG");
    all.arg("GET");
    for p in CONFIG_PARAMS {
        all.arg(*p);
    }
    match session.query::<Value>(&all).await {
        Ok(v) => config_pairs_checked(&v),
        // Redis < 7 takes one parameter per CONFIG GET, and says so as
        // "Unknown subcommand or wrong number of arguments".
        Err(e) if e.detail.contains("wrong number of arguments") => {
            // Redis < 7 takes one parameter per CONFIG GET: pipeline them.
            let mut pipe = redis::pipe();
            for p in CONFIG_PARAMS {
                pipe.cmd("CONFIG").arg("GET").arg(*p);
            }
            let replies = session.query_pipeline::<Vec<Value>>(&pipe).await?;
            Ok(replies.iter().flat_map(config_pairs).collect())
        }
        Err(e) => Err(e),
    }
}

/// CONFIG GET replies are a flat array (RESP2) or a map (RESP3). Only
/// catalogue parameters are kept, so a secret can never slip through.
fn config_pairs(v: &Value) -> BTreeMap<String, String> {
    config_pairs_checked(v).unwrap_or_default()
}

/// `config_pairs`, or why the reply is not a CONFIG GET reply.
fn config_pairs_checked(v: &Value) -> Result<BTreeMap<String, String>, CommandFailure> {
    match v {
        Value::Array(items) if items.len() % 2 == 0 => {}
        Value::Map(_) => {}
        other => {
            return shaped(other, "CONFIG GET", |_| false).map(|_| BTreeMap::new());
        }
    }
    Ok(config_pairs_unchecked(v))
}

fn config_pairs_unchecked(v: &Value) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut keep = |k: Option<String>, v: Option<String>| {
        if let (Some(k), Some(v)) = (k, v) {
            if CONFIG_PARAMS.contains(&k.as_str()) {
                map.insert(k, v);
            }
        }
    };
    match v {
        Value::Array(items) => {
            for pair in items.chunks(2) {
                if let [k, v] = pair {
                    keep(reply::text(k), reply::text(v));
                }
            }
        }
        Value::Map(pairs) => {
            for (k, v) in pairs {
                keep(reply::text(k), reply::text(v));
            }
        }
        _ => {}
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_stats_percentiles() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = ping_stats(&samples);
        assert_eq!(s["samples"], 100);
        assert_eq!(s["min_ms"], 1.0);
        assert_eq!(s["p99_ms"], 99.0);
        assert_eq!(s["max_ms"], 100.0);
        assert_eq!(s["avg_ms"], 50.5);
    }

    #[test]
    fn config_pairs_keep_only_catalogue_params() {
        let b = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let v = Value::Array(vec![
            b("maxmemory"),
            b("100"),
            b("requirepass"),
            b("secret"),
        ]);
        let m = config_pairs(&v);
        assert_eq!(m.get("maxmemory").map(String::as_str), Some("100"));
        assert!(!m.contains_key("requirepass"));
    }
}
