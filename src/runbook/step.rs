//! HTTP steps: requests runbooks make to the application, compiled when the
//! runbook loads (JSONPath and metric selectors included), and the shape of
//! the facts their responses become.

use std::time::Duration;

use serde_json_path::JsonPath;

use crate::facts::catalog::{Field, Shape};
use crate::prometheus::Selector;
use crate::runbook::model::{BodyFormat, HeaderDef, HttpFixDef, HttpStepDef};

/// Largest JSON or text body held whole, unless the step says otherwise.
pub const MAX_BYTES: u64 = 1 << 20;

/// A validated HTTP step.
#[derive(Debug, Clone)]
pub struct HttpStep {
    pub id: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, HeaderDef)>,
    pub timeout: Option<Duration>,
    pub expect_status: Vec<u16>,
    pub format: BodyFormat,
    /// The step's own body limit; without one, `--max-body`.
    pub max_bytes: Option<u64>,
    /// (name, JSONPath text, compiled path).
    pub values: Vec<(String, String, JsonPath)>,
    /// (name, selector text, parsed selector).
    pub series: Vec<(String, String, Selector)>,
    pub rates: bool,
    /// Read the cache counters through the metric dialects.
    pub cache: bool,
    pub optional: bool,
}

impl HttpStep {
    /// Whether two steps with one id describe the same request and reading.
    pub fn same_definition(&self, other: &HttpStep) -> bool {
        let texts = |s: &HttpStep| {
            (
                s.values
                    .iter()
                    .map(|(n, t, _)| (n.clone(), t.clone()))
                    .collect::<Vec<_>>(),
                s.series
                    .iter()
                    .map(|(n, t, _)| (n.clone(), t.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        self.id == other.id
            && self.method == other.method
            && self.path == other.path
            && self.headers == other.headers
            && self.timeout == other.timeout
            && self.expect_status == other.expect_status
            && self.format == other.format
            && self.max_bytes == other.max_bytes
            && self.rates == other.rates
            && self.cache == other.cache
            && self.optional == other.optional
            && texts(self) == texts(other)
    }

    /// Whether a status counts as success.
    pub fn status_ok(&self, status: u16) -> bool {
        status_ok(&self.expect_status, status)
    }

    /// The fact shape of this step's response.
    pub fn shape(&self) -> Shape {
        let s = |name: &'static str, ty: &'static str, doc: &'static str| {
            Field::new(name, doc, Shape::Scalar(ty))
        };
        let series_fields = || {
            Shape::Record(vec![
                s("value", "double", "sum of the matching series in the (last) scrape"),
                s("count", "int", "number of matching series"),
                s("increase", "double", "increase between the two scrapes, resets handled; 0 with one scrape"),
                s("rate", "double", "increase per second; 0 with one scrape"),
                s("window", "double", "the increase when scraped twice, else the value: counts over the measured window"),
                s("present", "bool", "the metric is on the endpoint (a series, or its # TYPE line)"),
            ])
        };
        let selected = || {
            let Shape::Record(mut fields) = series_fields() else {
                unreachable!()
            };
            fields.push(s(
                "metric",
                "string",
                "the selector, as the runbook wrote it",
            ));
            Shape::Record(fields)
        };
        let role = |name: &'static str, doc: &'static str| Field::new(name, doc, series_fields());
        let mut fields = vec![
            s("path", "string", "the path requested"),
            s("ok", "bool", "a response came with an expected status and a readable body"),
            s("error", "string", "refused, timeout, dns, tls, connect, server_error, bad_status, not_found, redirect, not_json, truncated, too_large, bad_metrics, config, absent, other; empty when ok"),
            s("location", "string", "a redirect that was not followed: where it pointed (credentials redacted); empty otherwise"),
            s("detail", "string", "the error as reported"),
            s("status", "int", "HTTP status; 0 without a response"),
            s("latency_ms", "double", "time to the full body, ms"),
            s("bytes", "int", "body bytes read"),
            s("body", "string", "the body's first 1024 characters"),
            s("json", "any", "the body as JSON; null when it is not JSON"),
            s("absent", "bool", "an optional endpoint answered 404"),
            s("rated", "bool", "scraped twice, so increases and rates are known"),
            s("interval_s", "double", "seconds between the two scrapes"),
            s("parse_issues", "int", "malformed lines in a Prometheus scrape"),
            Field::new(
                "values",
                "JSONPath selections (first match; null when none)",
                Shape::Record(
                    self.values
                        .iter()
                        .map(|(n, _, _)| Field::new(n.clone(), "", Shape::Scalar("any")))
                        .collect(),
                ),
            ),
            Field::new(
                "series",
                "Prometheus series, summed",
                Shape::Record(
                    self.series
                        .iter()
                        .map(|(n, _, _)| Field::new(n.clone(), "", selected()))
                        .collect(),
                ),
            ),
        ];
        if self.cache {
            let per_cache = Shape::Record(vec![
                s(
                    "label",
                    "string",
                    "the label naming the cache (cache, backend, name); empty when none",
                ),
                s("name", "string", "the cache"),
                s("hits", "double", "hits over the window"),
                s("misses", "double", "misses over the window"),
                s("errors", "double", "errors over the window"),
                s(
                    "gets",
                    "double",
                    "lookups over the window (the gets counter, or hits + misses)",
                ),
                s("lookups", "double", "hits + misses over the window"),
                s(
                    "hit_percent",
                    "double",
                    "100 * hits / lookups; 0 without lookups",
                ),
            ]);
            fields.push(Field::new(
                "cache",
                "the cache counters, read through the metric dialect /metrics speaks",
                Shape::Record(vec![
                    s("dialect", "string", "seeds, django-prometheus, micrometer, status-label, custom (--app-metric) ...; empty when none was recognised"),
                    Field::new(
                        "metrics",
                        "the metric (selector) read for each role",
                        Shape::Record(
                            ["hits", "misses", "errors", "gets"]
                                .into_iter()
                                .map(|r| Field::new(r, "", Shape::Scalar("string")))
                                .collect(),
                        ),
                    ),
                    role("hits", "cache hits"),
                    role("misses", "cache misses"),
                    role("errors", "failed cache operations"),
                    role("gets", "lookups: the gets counter, or hits + misses"),
                    Field::new(
                        "caches",
                        "per cache (by its cache, backend or name label), most lookups first; at most 20",
                        Shape::List(Box::new(per_cache)),
                    ),
                    s("cache_count", "int", "how many caches the counters name"),
                ]),
            ));
        }
        Shape::Record(fields)
    }
}

/// What was wrong with a step definition, and which spanned field it was.
pub struct StepError<'a> {
    pub at: &'a serde_saphyr::Spanned<String>,
    pub message: String,
}

fn valid_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Validates and compiles a step definition.
pub fn compile(def: &HttpStepDef) -> Result<HttpStep, StepError<'_>> {
    let err = |at, message: String| StepError { at, message };
    if !valid_name(&def.id.value) {
        return Err(err(
            &def.id,
            format!(
                "HTTP step id `{}` must be letters, digits and underscores (it is used as http.{})",
                def.id.value, def.id.value
            ),
        ));
    }
    // A step reads: it is sent on every diagnose, without consent. A write
    // to the application is an `http` fix, through the mutation path.
    let method = method_of(
        def.method.as_ref(),
        "GET",
        &["GET", "HEAD"],
        "would write to the application on every run: a step reads (GET or HEAD); a write is a fix of kind http, sent with consent",
    )?;
    check_request(&def.path, &def.id, &def.expect_status, &def.headers)?;
    let timeout = match &def.timeout {
        None => None,
        Some(t) => Some(crate::duration::parse(&t.value).map_err(|e| err(t, e))?),
    };
    let mut values = Vec::new();
    for (name, path) in &def.values {
        if def.format == BodyFormat::Prometheus {
            return Err(err(
                path,
                "values (JSONPath) need a json or text body, not prometheus".into(),
            ));
        }
        if !valid_name(name) {
            return Err(err(
                path,
                format!("value name `{name}` must be letters, digits and underscores"),
            ));
        }
        let compiled = JsonPath::parse(&path.value)
            .map_err(|e| err(path, format!("bad JSONPath `{}`: {e}", path.value)))?;
        values.push((name.clone(), path.value.clone(), compiled));
    }
    let mut series = Vec::new();
    for (name, sel) in &def.series {
        if def.format != BodyFormat::Prometheus {
            return Err(err(sel, "series need `format: prometheus`".into()));
        }
        if !valid_name(name) {
            return Err(err(
                sel,
                format!("series name `{name}` must be letters, digits and underscores"),
            ));
        }
        let parsed = Selector::parse(&sel.value)
            .map_err(|e| err(sel, format!("bad series selector {e}")))?;
        series.push((name.clone(), sel.value.clone(), parsed));
    }
    if def.rates && def.format != BodyFormat::Prometheus {
        return Err(err(&def.id, "rates need `format: prometheus`".into()));
    }
    if def.cache && def.format != BodyFormat::Prometheus {
        return Err(err(
            &def.id,
            "cache counters need `format: prometheus`".into(),
        ));
    }
    let max_bytes = def.max_bytes;
    Ok(HttpStep {
        id: def.id.value.clone(),
        method,
        path: def.path.value.clone(),
        headers: def
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        timeout,
        expect_status: def.expect_status.clone(),
        format: def.format,
        max_bytes,
        values,
        series,
        rates: def.rates,
        cache: def.cache,
        optional: def.optional,
    })
}

/// The request of an `http` fix, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// Sent as JSON.
    pub body: Option<serde_json::Value>,
    pub expect_status: Vec<u16>,
    pub headers: Vec<(String, HeaderDef)>,
}

impl HttpRequest {
    /// How it is shown: `POST /internal/cache/apply-preset {"preset":"conservative"}`.
    pub fn display(&self) -> String {
        match &self.body {
            Some(body) => format!("{} {} {body}", self.method, self.path),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// Whether a status means the application did it.
    pub fn status_ok(&self, status: u16) -> bool {
        status_ok(&self.expect_status, status)
    }
}

/// Validates an `http` fix's request.
pub fn compile_request(def: &HttpFixDef) -> Result<HttpRequest, StepError<'_>> {
    let method = method_of(
        def.method.as_ref(),
        "POST",
        &["POST", "PUT", "PATCH", "DELETE"],
        "is not an action; expected POST, PUT, PATCH or DELETE (a GET belongs in an HTTP step)",
    )?;
    check_request(&def.path, &def.path, &def.expect_status, &def.headers)?;
    Ok(HttpRequest {
        method,
        path: def.path.value.clone(),
        body: def.body.clone(),
        expect_status: def.expect_status.clone(),
        headers: def
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// A method from `allowed` (upper-cased), `default` when none is given.
fn method_of<'a>(
    given: Option<&'a serde_saphyr::Spanned<String>>,
    default: &str,
    allowed: &[&str],
    hint: &str,
) -> Result<String, StepError<'a>> {
    match given {
        None => Ok(default.to_string()),
        Some(m) => {
            let upper = m.value.to_ascii_uppercase();
            if allowed.contains(&upper.as_str()) {
                Ok(upper)
            } else {
                Err(StepError {
                    at: m,
                    message: format!("method `{upper}` {hint}"),
                })
            }
        }
    }
}

/// The checks a step and an action share: a path below --app, statuses
/// that are statuses, header names that are header names.
fn check_request<'a>(
    path: &'a serde_saphyr::Spanned<String>,
    at: &'a serde_saphyr::Spanned<String>,
    expect_status: &[u16],
    headers: &std::collections::BTreeMap<String, HeaderDef>,
) -> Result<(), StepError<'a>> {
    let err = |at, message: String| StepError { at, message };
    if !path.value.starts_with('/') {
        return Err(err(
            path,
            format!(
                "path `{}` must start with `/` (it is joined to --app)",
                path.value
            ),
        ));
    }
    if let Some(code) = expect_status.iter().find(|c| !(100..600).contains(*c)) {
        return Err(err(
            at,
            format!("expect_status {code} is not an HTTP status"),
        ));
    }
    for name in headers.keys() {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(err(at, format!("`{name}` is not a valid header name")));
        }
    }
    Ok(())
}

/// Whether `status` counts as success: one of `expected`, or any 2xx.
fn status_ok(expected: &[u16], status: u16) -> bool {
    if expected.is_empty() {
        (200..300).contains(&status)
    } else {
        expected.contains(&status)
    }
}
