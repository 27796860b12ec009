//! The lab's helper processes, started by `lab up` and stopped by `lab
//! down`: a pool of idle clients (`lab hold`), and a small application
//! serving the seeds' endpoints (`lab serve-app`) that falls back to its
//! database when Redis does not answer.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Holds `n` idle connections to 127.0.0.1:`port`, each named `name`,
/// until killed.
pub fn hold(port: u16, n: usize, name: &str) -> Result<(), String> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        let mut c = super::connection(port)?;
        redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg(name)
            .query::<()>(&mut c)
            .map_err(|e| e.to_string())?;
        held.push(c);
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Serves the seeds' endpoints on 127.0.0.1:`port` until killed: Redis on
/// `redis_port` answering or not, each request to the application a cache
/// lookup (a hit, a miss, or an error while Redis is down: then the
/// database answers and the application stays ready).
pub fn serve(port: u16, redis_port: u16) -> Result<(), String> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    let started = Instant::now();
    let (mut hits, mut misses, mut errors) = (0u64, 0u64, 0u64);
    for stream in listener.incoming().flatten() {
        // The application's own traffic since the last request, as its
        // users would have made it: ten lookups a second.
        let up = super::connection(redis_port)
            .and_then(|mut c| {
                redis::cmd("PING")
                    .query::<String>(&mut c)
                    .map_err(|e| e.to_string())
            })
            .is_ok();
        let lookups = (started.elapsed().as_secs_f64() * 10.0) as u64;
        let done = hits + misses + errors;
        if lookups > done {
            if up {
                hits += (lookups - done) * 8 / 10;
                misses = lookups - hits - errors;
            } else {
                errors += lookups - done;
            }
        }
        let _ = answer(stream, up, hits, misses, errors);
    }
    Ok(())
}

fn answer(mut s: TcpStream, up: bool, hits: u64, misses: u64, errors: u64) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let redis = if up { "ok" } else { "down" };
    let (status, kind, body) = match path {
        "/health/ready" => (
            200,
            "application/json",
            format!(
                "{{\"status\":\"ok\",\"redis\":{{\"status\":\"{redis}\",\"connected\":{up}}},\"checks\":{{\"redis\":\"{}\",\"database\":\"ok\"}},\"fallback\":{}}}",
                if up { "ok" } else { "fail" },
                !up
            ),
        ),
        "/health/live" => (200, "application/json", "{\"status\":\"ok\"}".into()),
        "/metrics" => (
            200,
            "text/plain; version=0.0.4",
            format!(
                "# HELP cache_hits_total Cache lookups that hit.\n# TYPE cache_hits_total counter\ncache_hits_total {hits}\n\
                 # HELP cache_misses_total Cache lookups that missed.\n# TYPE cache_misses_total counter\ncache_misses_total {misses}\n\
                 # HELP cache_errors_total Cache lookups that failed (served from the database).\n# TYPE cache_errors_total counter\ncache_errors_total {errors}\n"
            ),
        ),
        "/internal/cache/status" => (
            200,
            "application/json",
            format!("{{\"redis\":{{\"status\":\"{redis}\"}},\"fallback\":{}}}", !up),
        ),
        _ => (404, "text/plain", "not found\n".into()),
    };
    let reason = if status == 200 { "OK" } else { "Not Found" };
    write!(
        s,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    s.flush()
}
