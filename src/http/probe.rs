//! Probing the application: one HTTP request per step under a timeout, with
//! a bounded body read, and every way it can fail told apart. Responses
//! become the `http.<step>` facts.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http::cache::{self, CacheScrape, Mapping};
use crate::prometheus::{self, SeriesValues};
use crate::runbook::model::{BodyFormat, HeaderDef};
use crate::runbook::step::{HttpStep, MAX_BYTES};

/// Characters of the body kept in facts.
const BODY_EXCERPT: usize = 1024;

/// The application under diagnosis, with the one HTTP client every probe uses.
#[derive(Debug, Clone)]
pub struct App {
    pub base: reqwest::Url,
    pub request_timeout: Duration,
    /// Time between the two scrapes of steps that want rates; zero: one scrape.
    pub interval: Duration,
    /// Largest body read from a step without a `max_bytes` of its own.
    pub max_body: u64,
    /// Cache counter names the operator mapped (--app-metric).
    pub metrics: Mapping,
    /// Headers sent with every request (--app-header), values from the
    /// environment; a step's or an action's own header of a name wins.
    pub headers: Vec<(String, HeaderDef)>,
    client: reqwest::Client,
}

impl App {
    /// Builds the client: rustls on the ring provider, `ca_pem` (PEM CA
    /// certificates) instead of the system roots when given, no proxies from
    /// the environment, a short redirect limit.
    pub fn new(
        base: reqwest::Url,
        connect_timeout: Duration,
        request_timeout: Duration,
        interval: Duration,
        max_body: u64,
        follow_redirects: bool,
        ca_pem: Option<&[u8]>,
    ) -> Result<App, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // A redirect is an answer, not an instruction: by default none is
        // followed (the fact says where it pointed). With
        // --app-follow-redirects, only within the origin (scheme, host,
        // port), so a runbook's headers never reach another server.
        let policy = if follow_redirects {
            reqwest::redirect::Policy::custom(|attempt| {
                let same_origin = attempt
                    .previous()
                    .last()
                    .is_some_and(|prev| prev.origin() == attempt.url().origin());
                if attempt.previous().len() > 3 {
                    attempt.error("more than 3 redirects")
                } else if same_origin {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            })
        } else {
            reqwest::redirect::Policy::none()
        };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .user_agent(concat!("cachectl/", env!("CARGO_PKG_VERSION")))
            .redirect(policy)
            .no_proxy();
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or("--app-ca holds no PEM certificate")?;
            builder = builder.tls_certs_only(certs);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(App {
            base,
            request_timeout,
            interval,
            max_body,
            metrics: Mapping::default(),
            headers: Vec::new(),
            client,
        })
    }

    /// Parses the base URL (`--app`).
    pub fn parse_base(text: &str) -> Result<reqwest::Url, String> {
        let shown = crate::secret::redact_url(text);
        let url =
            reqwest::Url::parse(text).map_err(|e| format!("invalid --app URL `{shown}`: {e}"))?;
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(format!(
                    "invalid --app URL `{shown}`: scheme `{other}` (use http:// or https://)"
                ))
            }
        }
        // The user name, the password and query values (`?api_key=`) are
        // credentials: scrub them from any error text that quotes the URL.
        if let Some(pw) = url.password() {
            crate::secret::register(pw);
        }
        crate::secret::register(url.username());
        for (_, v) in url.query_pairs() {
            crate::secret::register(&v);
        }
        Ok(url)
    }

    /// The base URL with its user name, password and query values hidden.
    pub fn redacted(&self) -> String {
        crate::secret::redact_url(self.base.as_str())
    }

    /// `path` below the base URL (which may itself have a path).
    pub fn join(&self, path: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}{path}"));
        url
    }
}

impl App {
    /// Requests `url` to warm the cache behind it: the status, once the
    /// whole body (up to `--max-body`) has arrived, so the application has
    /// done its work. Failures are (kind, detail) without the URL.
    pub async fn warm(&self, method: reqwest::Method, url: reqwest::Url) -> Result<u16, String> {
        // --app-header goes to the application only, never to another
        // origin an absolute URL names.
        let home = url.origin() == self.base.origin();
        let request = self
            .client
            .request(method, url)
            .timeout(self.request_timeout);
        let mut response = with_headers(request, self.headers.iter().filter(|_| home))?
            .send()
            .await
            .map_err(|e| classify(&e).0.to_string())?;
        let status = response.status().as_u16();
        let mut bytes = 0u64;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    bytes += chunk.len() as u64;
                    if bytes > self.max_body {
                        break; // answered; the rest is not needed
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(format!("{} (body cut after {bytes} bytes)", classify(&e).0)),
            }
        }
        Ok(status)
    }
}

/// A Prometheus exposition read as it streamed in: only the series the
/// step selects are kept, so memory does not grow with the body.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub samples: usize,
    pub issues: usize,
    pub first_issue: Option<prometheus::ParseIssue>,
    /// Per series selector of the step, the matching series' values.
    pub series: Vec<SeriesValues>,
    /// Per series selector: a `# TYPE` or `# HELP` line declared its
    /// family, so no series means zero rather than nothing known.
    pub declared: Vec<bool>,
    /// Steps that read the cache counters: every dialect's tallies.
    pub cache: Option<Box<CacheScrape>>,
}

struct MetricsSink<'a> {
    step: &'a HttpStep,
    metrics: Metrics,
}

impl prometheus::Sink for MetricsSink<'_> {
    fn sample(&mut self, sample: prometheus::Sample) {
        self.metrics.samples += 1;
        for (i, (_, _, sel)) in self.step.series.iter().enumerate() {
            if sel.matches(&sample) {
                *self.metrics.series[i]
                    .entry(prometheus::series_key(&sample))
                    .or_default() += sample.value;
            }
        }
        if let Some(cache) = &mut self.metrics.cache {
            cache.sample(&sample);
        }
    }
    fn family(&mut self, name: &str, _: Option<String>, _: Option<prometheus::MetricType>) {
        for (i, (_, _, sel)) in self.step.series.iter().enumerate() {
            if sel.name == name || sel.name == format!("{name}_total") {
                self.metrics.declared[i] = true;
            }
        }
        if let Some(cache) = &mut self.metrics.cache {
            cache.family(name);
        }
    }
    fn issue(&mut self, issue: prometheus::ParseIssue) {
        self.metrics.issues += 1;
        self.metrics.first_issue.get_or_insert(issue);
    }
}

/// One response, or why there was none.
#[derive(Debug, Clone)]
pub enum Fetched {
    Response {
        status: u16,
        /// The body (JSON and text steps), or its first bytes (metrics).
        body: Vec<u8>,
        /// Bytes read in all.
        bytes: u64,
        /// Metrics steps: what the exposition held.
        metrics: Option<Metrics>,
        /// A redirect not followed: where it pointed (credentials redacted).
        location: Option<String>,
        latency: Duration,
        /// Set when the body was cut or could not be read whole.
        body_error: Option<(String, String)>,
    },
    Failed {
        kind: String,
        detail: String,
        latency: Duration,
    },
}

fn classify(err: &reqwest::Error) -> (&'static str, String) {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        chain.push(e.to_string());
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return ("refused", "connection refused".to_string());
            }
        }
        source = e.source();
    }
    let detail = crate::secret::scrub(&chain.join(": "));
    let lower = detail.to_ascii_lowercase();
    let kind = if err.is_timeout() {
        "timeout"
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "dns"
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
        || lower.contains("unknownissuer")
    {
        "tls"
    } else if lower.contains("connection refused") {
        "refused"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "truncated"
    } else {
        "other"
    };
    let detail = match (kind, crate::text::tls_hint(&detail, "--app-ca")) {
        ("tls", Some(hint)) => format!("{detail}: {hint}"),
        _ => detail,
    };
    (kind, detail)
}

/// `request` with `headers`, each value read from its environment variable
/// (and registered as a secret); an unset one is the error.
fn with_headers<'a>(
    mut request: reqwest::RequestBuilder,
    headers: impl Iterator<Item = &'a (String, HeaderDef)>,
) -> Result<reqwest::RequestBuilder, String> {
    for (name, def) in headers {
        match std::env::var(&def.env) {
            Ok(v) if !v.is_empty() => {
                crate::secret::register(&v);
                request = request.header(name.as_str(), format!("{}{v}", def.prefix));
            }
            _ => {
                return Err(format!(
                    "header `{name}` takes its value from ${}, which is not set",
                    def.env
                ))
            }
        }
    }
    Ok(request)
}

/// A request error as one line: its kind and the chain of causes.
pub fn describe(err: &reqwest::Error) -> String {
    let (kind, detail) = classify(err);
    format!("{kind}: {detail}")
}

impl App {
    /// A request to `path` below the base URL, under `limit`, with
    /// `headers` whose values come from the environment (registered as
    /// secrets; an unset one is the error). One Authorization source at a
    /// time: a request's own Authorization header wins, and the --app
    /// URL's user:password is then not sent.
    pub(crate) fn build(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(String, HeaderDef)],
        limit: Duration,
    ) -> Result<reqwest::RequestBuilder, String> {
        let mut url = self.join(path);
        let own = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let everywhere = self.headers.iter().filter(|(name, _)| !own(name));
        let headers: Vec<&(String, HeaderDef)> = headers.iter().chain(everywhere).collect();
        if headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        let request = self.client.request(method, url).timeout(limit);
        with_headers(request, headers.into_iter())
    }
}

/// Sends one step's request and reads at most `max_bytes` of the body.
pub async fn fetch(app: &App, step: &HttpStep) -> Fetched {
    let start = Instant::now();
    let failed = |kind: &str, detail: String| Fetched::Failed {
        kind: kind.to_string(),
        detail,
        latency: start.elapsed(),
    };
    let method =
        reqwest::Method::from_bytes(step.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let limit = step.timeout.unwrap_or(app.request_timeout);
    let request = match app.build(method, &step.path, &step.headers, limit) {
        Ok(r) => r,
        Err(why) => return failed("config", why),
    };
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let (kind, detail) = classify(&e);
            return failed(kind, detail);
        }
    };
    let status = response.status().as_u16();
    let location = response
        .status()
        .is_redirection()
        .then(|| response.headers().get(reqwest::header::LOCATION))
        .flatten()
        .map(|l| crate::secret::redact_url(&String::from_utf8_lossy(l.as_bytes())));
    let streamed = step.format == BodyFormat::Prometheus;
    // Metrics stream through the parser, so only --max-body bounds them; a
    // JSON or text body is held whole, so it also stays under 1 MiB.
    let max_bytes = step.max_bytes.unwrap_or(if streamed {
        app.max_body
    } else {
        app.max_body.min(MAX_BYTES)
    });
    let mut sink = streamed.then(|| MetricsSink {
        step,
        metrics: Metrics {
            series: vec![SeriesValues::default(); step.series.len()],
            declared: vec![false; step.series.len()],
            cache: step.cache.then(|| Box::new(CacheScrape::new(&app.metrics))),
            ..Metrics::default()
        },
    });
    let mut lines = prometheus::LineReader::default();
    let mut body = Vec::new();
    let mut bytes: u64 = 0;
    let mut body_error = None;
    let declared = response.content_length();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                bytes += chunk.len() as u64;
                if bytes > max_bytes {
                    let size = match declared {
                        Some(len) => format!("Content-Length {len}"),
                        None => format!("over {max_bytes} bytes"),
                    };
                    body_error = Some((
                        "too_large".to_string(),
                        format!(
                            "body is {size}, past the {max_bytes} byte limit (--max-body, or the step's max_bytes); stopped reading after {bytes} bytes"
                        ),
                    ));
                    break;
                }
                match &mut sink {
                    Some(sink) => {
                        lines.feed(&chunk, sink);
                        let room = BODY_EXCERPT.saturating_sub(body.len());
                        body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    }
                    None => body.extend_from_slice(&chunk),
                }
            }
            Ok(None) => break,
            Err(e) => {
                let (kind, detail) = classify(&e);
                let kind = if kind == "timeout" {
                    "timeout"
                } else {
                    "truncated"
                };
                body_error = Some((
                    kind.to_string(),
                    format!("body cut after {bytes} bytes: {detail}"),
                ));
                break;
            }
        }
    }
    let metrics = sink.map(|mut sink| {
        lines.finish(&mut sink);
        sink.metrics
    });
    Fetched::Response {
        status,
        body,
        bytes,
        metrics,
        location,
        latency: start.elapsed(),
        body_error,
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Turns one or two fetches of a step into its fact.
pub fn fact(step: &HttpStep, first: &Fetched, second: Option<(&Fetched, Duration)>) -> Value {
    let last = second.map_or(first, |(f, _)| f);
    let mut out = json!({
        "path": step.path, "ok": false, "error": "", "detail": "", "status": 0, "latency_ms": 0.0, "bytes": 0,
        "body": "", "json": null, "absent": false, "rated": false, "interval_s": 0.0, "location": "",
        "parse_issues": 0,
        "values": step.values.iter().map(|(n, _, _)| (n.clone(), Value::Null)).collect::<serde_json::Map<_, _>>(),
        "series": step.series.iter().map(|(n, t, _)| (n.clone(), json!({"value": 0.0, "count": 0, "increase": 0.0, "rate": 0.0, "window": 0.0, "present": false, "metric": t}))).collect::<serde_json::Map<_, _>>(),
    });
    if step.cache {
        out["cache"] = cache::fact(&CacheScrape::new(&Mapping::default()), None);
    }
    let (status, body, latency, body_error) = match last {
        Fetched::Failed {
            kind,
            detail,
            latency,
        } => {
            out["error"] = kind.as_str().into();
            out["detail"] = crate::secret::scrub(detail).into();
            out["latency_ms"] = ms(*latency).into();
            return out;
        }
        Fetched::Response {
            status,
            body,
            bytes,
            latency,
            body_error,
            location,
            ..
        } => {
            if let Some(to) = location {
                out["location"] = to.as_str().into();
            }
            (*status, body, *latency, (body_error, *bytes))
        }
    };
    let (body_error, bytes) = body_error;
    out["status"] = status.into();
    out["latency_ms"] = ms(latency).into();
    out["bytes"] = bytes.into();
    let text = String::from_utf8_lossy(body);
    out["body"] = crate::secret::scrub(&text.chars().take(BODY_EXCERPT).collect::<String>()).into();
    let mut error: Option<(String, String)> = body_error.clone();
    if error.is_none() && !step.status_ok(status) {
        let kind = match status {
            404 => "not_found",
            300..=399 => "redirect",
            500..=599 => "server_error",
            _ => "bad_status",
        };
        let detail = match out["location"].as_str() {
            Some(to) if kind == "redirect" => {
                format!("HTTP {status} from {} to {to}; redirects are not followed (see --app-follow-redirects)", step.path)
            }
            _ => format!("HTTP {status} from {}", step.path),
        };
        error = Some((kind.into(), detail));
    }
    if step.optional && status == 404 {
        // Not served: checks reading this step do not apply.
        out["absent"] = true.into();
        out["error"] = "absent".into();
        out["detail"] = format!("{} is not served (404)", step.path).into();
        return out;
    }
    if body_error.is_none() {
        match step.format {
            BodyFormat::Text | BodyFormat::Json => {
                let parsed: Result<Value, _> = serde_json::from_slice(body);
                match parsed {
                    Ok(v) => {
                        for (name, _, path) in &step.values {
                            out["values"][name] =
                                path.query(&v).first().cloned().unwrap_or(Value::Null);
                        }
                        out["json"] = v;
                    }
                    Err(e) if step.format == BodyFormat::Json && error.is_none() => {
                        error = Some(("not_json".into(), format!("body is not JSON: {e}")));
                    }
                    Err(_) => {}
                }
            }
            BodyFormat::Prometheus => {
                let none = Metrics::default();
                let metrics = metrics_of(last).unwrap_or(&none);
                out["parse_issues"] = metrics.issues.into();
                if metrics.samples == 0 && error.is_none() {
                    let why = metrics.first_issue.as_ref().map_or_else(
                        || "no samples".into(),
                        |i| format!("line {}: {}", i.line, i.message),
                    );
                    error = Some((
                        "bad_metrics".into(),
                        format!("no metrics could be read ({why})"),
                    ));
                }
                let before = second.and_then(|(_, dt)| {
                    metrics_of(first)
                        .filter(|_| first.complete())
                        .map(|m| (m, dt))
                });
                fill_series(&mut out, step, metrics, before);
                if let Some(scrape) = &metrics.cache {
                    let first = before
                        .and_then(|(m, dt)| m.cache.as_deref().map(|c| (c, dt.as_secs_f64())));
                    out["cache"] = cache::fact(scrape, first);
                }
            }
        }
    }
    match error {
        Some((kind, detail)) => {
            out["error"] = kind.into();
            out["detail"] = crate::secret::scrub(&detail).into();
        }
        None => out["ok"] = true.into(),
    }
    out
}

fn metrics_of(f: &Fetched) -> Option<&Metrics> {
    match f {
        Fetched::Response { metrics, .. } => metrics.as_ref(),
        Fetched::Failed { .. } => None,
    }
}

impl Fetched {
    /// A response whose body was read whole.
    fn complete(&self) -> bool {
        matches!(
            self,
            Fetched::Response {
                body_error: None,
                ..
            }
        )
    }
}

fn fill_series(
    out: &mut Value,
    step: &HttpStep,
    metrics: &Metrics,
    before: Option<(&Metrics, Duration)>,
) {
    if let Some((_, dt)) = before {
        out["rated"] = true.into();
        out["interval_s"] = ((dt.as_secs_f64() * 1000.0).round() / 1000.0).into();
    }
    for (i, (name, text, _)) in step.series.iter().enumerate() {
        let values = &metrics.series[i];
        let value = finite(values.values().filter(|v| v.is_finite()).sum());
        let present = !values.is_empty() || metrics.declared.get(i).copied().unwrap_or(false);
        let mut series = json!({"value": value, "count": values.len(), "increase": 0.0, "rate": 0.0, "window": value, "present": present, "metric": text});
        if let Some((prev, dt)) = before {
            let inc = finite(prometheus::increase_of(&prev.series[i], values));
            series["increase"] = inc.into();
            series["window"] = inc.into();
            let secs = dt.as_secs_f64();
            if secs > 0.0 {
                series["rate"] = finite(((inc / secs) * 1000.0).round() / 1000.0).into();
            }
        }
        out["series"][name] = series;
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x + 0.0
    } else {
        0.0
    }
}
