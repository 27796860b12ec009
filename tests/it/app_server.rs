//! A real HTTP/1.1 server for tests of the application side: routes answer
//! with a status, a body, a delay, a truncated or oversized body, and can
//! change with every request (counters that rise between scrapes).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a route sends.
#[derive(Clone, Default)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Announce the full length but send only this many bytes, then close.
    pub truncate_to: Option<usize>,
    /// Send no Content-Length; the body ends when the connection closes.
    pub no_length: bool,
    /// More response headers (Location, ...).
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: content_type.to_string(),
            body: body.into(),
            ..Reply::default()
        }
    }

    pub(crate) fn json(status: u16, body: &str) -> Reply {
        Reply::new(status, "application/json", body)
    }

    pub(crate) fn metrics(body: &str) -> Reply {
        Reply::new(200, "text/plain; version=0.0.4", body)
    }

    pub(crate) fn redirect(status: u16, location: &str) -> Reply {
        let mut r = Reply::new(status, "text/plain", "moved");
        r.headers.push(("Location".into(), location.into()));
        r
    }

    pub(crate) fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Handler = Arc<dyn Fn(usize) -> Reply + Send + Sync>;
/// Handlers by path, each with how many times it was asked.
type Routes = Arc<Mutex<HashMap<String, (Handler, Arc<AtomicUsize>)>>>;

/// The server; stops accepting when dropped.
pub(crate) struct AppServer {
    pub port: u16,
    routes: Routes,
    /// Request heads received, for header assertions.
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl AppServer {
    pub(crate) fn start() -> AppServer {
        Self::start_with(None)
    }

    /// An HTTPS server with this certificate chain and key (PEM files).
    pub(crate) fn start_tls(cert: &Path, key: &Path) -> AppServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Self::start_with(Some(Arc::new(config)))
    }

    fn start_with(tls: Option<Arc<rustls::ServerConfig>>) -> AppServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Routes = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, q, s) = (routes.clone(), requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (r, q, tls) = (r.clone(), q.clone(), tls.clone());
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(session) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(session, conn), r, q);
                    }
                    None => serve(conn, r, q),
                });
            }
        });
        AppServer {
            port,
            routes,
            requests,
            stop,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received for `method path`, each head and body.
    pub(crate) fn received(&self, method: &str, path: &str) -> Vec<String> {
        let start = format!("{method} {path} ");
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.starts_with(&start))
            .cloned()
            .collect()
    }

    /// A route answering the same every time.
    pub(crate) fn route(&self, path: &str, reply: Reply) -> &Self {
        self.route_fn(path, move |_| reply.clone())
    }

    /// A route whose answer depends on how many times it was asked (0, 1, ...).
    pub(crate) fn route_fn(
        &self,
        path: &str,
        f: impl Fn(usize) -> Reply + Send + Sync + 'static,
    ) -> &Self {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            (Arc::new(f), Arc::new(AtomicUsize::new(0))),
        );
        self
    }
}

impl Drop for AppServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads one request head: bytes up to the blank line. A TLS handshake on
/// a plaintext server gets a 400 and a closed connection, as from nginx.
fn read_head(conn: &mut (impl Read + Write)) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
        // A TLS ClientHello, or a first line that is no request line (Redis
        // protocol, say): a 400 at once, as real servers answer.
        let bad_line = head.ends_with(b"\r\n")
            && !head.contains(&b' ')
            && !head[..head.len() - 2].contains(&b'\n');
        if head == [0x16] || bad_line {
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            return None;
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

fn serve(mut conn: impl Read + Write, routes: Routes, requests: Arc<Mutex<Vec<String>>>) {
    // Keep-alive: one request after another until the client closes.
    while let Some(head) = read_head(&mut conn) {
        let method = head.split_whitespace().next().unwrap_or("GET").to_string();
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        // The body, by Content-Length, recorded after the head.
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if conn.read_exact(&mut body).is_err() {
            return;
        }
        requests
            .lock()
            .unwrap()
            .push(format!("{head}{}", String::from_utf8_lossy(&body)));
        // A route for "METHOD /path" answers that method only; one for
        // "/path" any method. A path served for other methods answers 405
        // with Allow (and OPTIONS 204 with Allow), as real frameworks do.
        let found = {
            let table = routes.lock().unwrap();
            if let Some(found) = table
                .get(&format!("{method} {path}"))
                .or_else(|| table.get(&path))
            {
                Ok(found.clone())
            } else {
                let allowed: Vec<String> = table
                    .keys()
                    .filter_map(|k| k.split_once(' '))
                    .filter(|(_, p)| *p == path)
                    .map(|(m, _)| m.to_string())
                    .collect();
                Err(allowed)
            }
        };
        let reply = match found {
            Ok((handler, count)) => handler(count.fetch_add(1, Ordering::SeqCst)),
            Err(allowed) if allowed.is_empty() => Reply::new(404, "text/plain", "not found"),
            Err(allowed) => {
                let status = if method == "OPTIONS" { 204 } else { 405 };
                let mut r = Reply::new(status, "text/plain", "");
                r.headers
                    .push(("Allow".into(), format!("{}, OPTIONS", allowed.join(", "))));
                r
            }
        };
        std::thread::sleep(reply.delay);
        let mut out = format!(
            "HTTP/1.1 {} X\r\nContent-Type: {}\r\n",
            reply.status, reply.content_type
        );
        for (name, value) in &reply.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if reply.no_length {
            out.push_str("Connection: close\r\n");
        } else {
            out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
        }
        out.push_str("\r\n");
        if conn.write_all(out.as_bytes()).is_err() {
            return;
        }
        // A HEAD answer has the headers of a GET and no body (RFC 9110).
        let body = match reply.truncate_to {
            _ if method == "HEAD" => &reply.body[..0],
            Some(n) => &reply.body[..n.min(reply.body.len())],
            None => &reply.body[..],
        };
        for chunk in body.chunks(64 * 1024) {
            if conn.write_all(chunk).is_err() {
                return;
            }
        }
        let _ = conn.flush();
        if reply.truncate_to.is_some() || reply.no_length {
            return; // dropping the stream closes the connection
        }
    }
}
