//! Parser for the Prometheus text exposition format (0.0.4, and the
//! OpenMetrics text that common client libraries also serve): HELP and TYPE
//! lines, comments, labels with escaped quotes, backslashes and newlines,
//! names with colons, +Inf/-Inf/NaN, timestamps, histograms and summaries.
//!
//! A malformed line is reported with its line number and skipped; the rest of
//! the scrape is kept. Queries select series by name and label matchers and
//! sum across them; two scrapes give per-second rates with counter resets
//! handled as Prometheus's `rate()` does.

use std::collections::BTreeMap;

use serde::Serialize;

/// Metric type from a `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Untyped,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    /// Labels in the order written.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
}

/// What `# HELP` and `# TYPE` said about a metric family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Family {
    pub help: Option<String>,
    pub kind: Option<MetricType>,
}

/// A line that could not be parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParseIssue {
    pub line: usize,
    pub message: String,
}

/// A parsed scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scrape {
    pub samples: Vec<Sample>,
    pub families: BTreeMap<String, Family>,
    pub issues: Vec<ParseIssue>,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn is_label_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a float as Prometheus does: also `+Inf`, `-Inf`, `Inf`, `NaN`.
pub fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => {
            let ok = text
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            if ok {
                text.parse().ok()
            } else {
                None
            }
        }
    }
}

/// A cursor over one line.
struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            chars: text.char_indices().peekable(),
            text,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    fn pos(&mut self) -> usize {
        self.chars.peek().map_or(self.text.len(), |(i, _)| *i)
    }

    fn skip_blanks(&mut self) -> bool {
        let mut any = false;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.chars.next();
            any = true;
        }
        any
    }

    fn take_while(&mut self, first: fn(char) -> bool, rest: fn(char) -> bool) -> Option<&'a str> {
        let start = self.pos();
        match self.peek() {
            Some(c) if first(c) => {
                self.chars.next();
            }
            _ => return None,
        }
        while matches!(self.peek(), Some(c) if rest(c)) {
            self.chars.next();
        }
        Some(&self.text[start..self.pos()])
    }

    fn token(&mut self) -> &'a str {
        let start = self.pos();
        while matches!(self.peek(), Some(c) if c != ' ' && c != '\t') {
            self.chars.next();
        }
        &self.text[start..self.pos()]
    }

    /// A double-quoted label value with `\\`, `\"` and `\n` escapes.
    fn quoted(&mut self) -> Result<String, String> {
        if self.peek() != Some('"') {
            return Err("expected `\"` to open a label value".into());
        }
        self.chars.next();
        let mut out = String::new();
        loop {
            match self.chars.next() {
                None => return Err("unterminated label value".into()),
                Some((_, '"')) => return Ok(out),
                Some((_, '\\')) => match self.chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, c)) => return Err(format!("invalid escape `\\{c}` in label value")),
                    None => return Err("unterminated label value".into()),
                },
                Some((_, c)) => out.push(c),
            }
        }
    }
}

fn parse_labels(cur: &mut Cursor<'_>) -> Result<Vec<(String, String)>, String> {
    // Called after `{`.
    let mut labels = Vec::new();
    loop {
        cur.skip_blanks();
        if cur.peek() == Some('}') {
            cur.chars.next();
            return Ok(labels);
        }
        let name = cur
            .take_while(is_label_start, is_label_char)
            .ok_or("expected a label name")?
            .to_string();
        cur.skip_blanks();
        if cur.peek() != Some('=') {
            return Err(format!("expected `=` after label `{name}`"));
        }
        cur.chars.next();
        cur.skip_blanks();
        let value = cur.quoted()?;
        if labels.iter().any(|(n, _)| *n == name) {
            return Err(format!("label `{name}` appears twice"));
        }
        labels.push((name, value));
        cur.skip_blanks();
        match cur.peek() {
            Some(',') => {
                cur.chars.next();
            }
            Some('}') => {}
            _ => return Err("expected `,` or `}` after a label".into()),
        }
    }
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let mut cur = Cursor::new(line);
    let name = cur
        .take_while(is_name_start, is_name_char)
        .ok_or("expected a metric name")?
        .to_string();
    let spaced = cur.skip_blanks();
    let labels = if cur.peek() == Some('{') {
        cur.chars.next();
        parse_labels(&mut cur)?
    } else if spaced {
        Vec::new()
    } else {
        return Err(format!("expected a space and a value after `{name}`"));
    };
    cur.skip_blanks();
    let value_text = cur.token();
    if value_text.is_empty() {
        return Err(format!("`{name}` has no value"));
    }
    let value = parse_value(value_text).ok_or_else(|| format!("`{value_text}` is not a number"))?;
    cur.skip_blanks();
    let ts_text = cur.token();
    let timestamp_ms = if ts_text.is_empty() {
        None
    } else {
        // Prometheus text: integer ms; OpenMetrics: float seconds.
        match ts_text.parse::<i64>() {
            Ok(ts) => Some(ts),
            Err(_) => match ts_text.parse::<f64>() {
                Ok(s) if s.is_finite() => Some((s * 1000.0) as i64),
                _ => return Err(format!("`{ts_text}` is not a timestamp")),
            },
        }
    };
    cur.skip_blanks();
    if cur.peek().is_some() {
        return Err(format!(
            "unexpected `{}` after the sample",
            &line[cur.pos()..]
        ));
    }
    Ok(Sample {
        name,
        labels,
        value,
        timestamp_ms,
    })
}

fn unescape_help(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Where parsed lines go: a whole `Scrape`, or a consumer that keeps only
/// the series it needs (so a large exposition is read in bounded memory).
pub trait Sink {
    fn sample(&mut self, sample: Sample);
    fn family(&mut self, name: &str, help: Option<String>, kind: Option<MetricType>);
    fn issue(&mut self, issue: ParseIssue);
}

impl Sink for Scrape {
    fn sample(&mut self, sample: Sample) {
        self.samples.push(sample);
    }
    fn family(&mut self, name: &str, help: Option<String>, kind: Option<MetricType>) {
        let f = self.families.entry(name.to_string()).or_default();
        if help.is_some() {
            f.help = help;
        }
        if kind.is_some() {
            f.kind = kind;
        }
    }
    fn issue(&mut self, issue: ParseIssue) {
        self.issues.push(issue);
    }
}

/// Parses one line (without its newline) into `sink`.
pub fn parse_line(line_no: usize, raw: &str, sink: &mut impl Sink) {
    let line = raw
        .strip_suffix('\r')
        .unwrap_or(raw)
        .trim_start_matches([' ', '\t']);
    if line.trim().is_empty() {
        return;
    }
    if let Some(rest) = line.strip_prefix('#') {
        let rest = rest.trim_start_matches([' ', '\t']);
        let mut words = rest.splitn(3, [' ', '\t']);
        match (words.next(), words.next(), words.next()) {
            (Some("HELP"), Some(name), help) => {
                sink.family(
                    name,
                    Some(unescape_help(help.unwrap_or("").trim_end())),
                    None,
                );
            }
            (Some("TYPE"), Some(name), Some(kind)) => {
                let kind = match kind.trim() {
                    "counter" => MetricType::Counter,
                    "gauge" => MetricType::Gauge,
                    "histogram" | "gaugehistogram" => MetricType::Histogram,
                    "summary" => MetricType::Summary,
                    "untyped" | "unknown" | "info" | "stateset" => MetricType::Untyped,
                    other => {
                        sink.issue(ParseIssue {
                            line: line_no,
                            message: format!("unknown metric type `{other}`"),
                        });
                        return;
                    }
                };
                sink.family(name, None, Some(kind));
            }
            // Any other comment, including OpenMetrics' `# EOF`.
            _ => {}
        }
        return;
    }
    match parse_sample(line) {
        Ok(sample) => sink.sample(sample),
        Err(message) => sink.issue(ParseIssue {
            line: line_no,
            message,
        }),
    }
}

/// Parses a whole exposition. Never fails: bad lines become `issues`.
pub fn parse(text: &str) -> Scrape {
    let mut scrape = Scrape::default();
    for (i, raw) in text.split('\n').enumerate() {
        parse_line(i + 1, raw, &mut scrape);
    }
    scrape
}

/// Longest line kept; a longer one is an issue, not a buffer without end.
pub const MAX_LINE: usize = 64 * 1024;

/// Splits a body into lines as its chunks arrive, keeping at most one
/// partial line (up to `MAX_LINE` bytes) between chunks.
#[derive(Debug, Default)]
pub struct LineReader {
    partial: Vec<u8>,
    overlong: bool,
    line_no: usize,
}

impl LineReader {
    pub fn feed(&mut self, mut chunk: &[u8], sink: &mut impl Sink) {
        while let Some(nl) = chunk.iter().position(|b| *b == b'\n') {
            self.push(&chunk[..nl]);
            self.emit(sink);
            chunk = &chunk[nl + 1..];
        }
        self.push(chunk);
    }

    /// The last line, if the body did not end with a newline.
    pub fn finish(&mut self, sink: &mut impl Sink) {
        if !self.partial.is_empty() || self.overlong {
            self.emit(sink);
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.partial.len() + bytes.len() > MAX_LINE {
            self.overlong = true;
            self.partial.clear();
        } else if !self.overlong {
            self.partial.extend_from_slice(bytes);
        }
    }

    fn emit(&mut self, sink: &mut impl Sink) {
        self.line_no += 1;
        if self.overlong {
            sink.issue(ParseIssue {
                line: self.line_no,
                message: format!("line longer than {MAX_LINE} bytes; skipped"),
            });
        } else {
            parse_line(self.line_no, &String::from_utf8_lossy(&self.partial), sink);
        }
        self.partial.clear();
        self.overlong = false;
    }
}

impl Scrape {
    /// The type of the family a sample name belongs to, looking through the
    /// `_bucket`, `_sum`, `_count`, `_total` and `_created` suffixes.
    pub fn kind_of(&self, sample_name: &str) -> MetricType {
        let family = |n: &str| self.families.get(n).and_then(|f| f.kind);
        if let Some(k) = family(sample_name) {
            return k;
        }
        for suffix in ["_bucket", "_sum", "_count", "_total", "_created"] {
            if let Some(base) = sample_name.strip_suffix(suffix) {
                if let Some(k) = family(base) {
                    return k;
                }
            }
        }
        MetricType::Untyped
    }

    /// Samples the selector matches.
    pub fn select<'a>(&'a self, sel: &'a Selector) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| sel.matches(s))
    }

    /// Sum and number of the matching series.
    pub fn sum(&self, sel: &Selector) -> (f64, usize) {
        self.select(sel)
            .fold((0.0, 0), |(sum, n), s| (sum + s.value, n + 1))
    }
}

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    pub label: String,
    pub op: MatchOp,
    pub value: String,
}

/// `name{label="value", other!="x"}`: a metric name and label matchers, as
/// in PromQL (equality and inequality). A missing label matches as "".
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub name: String,
    pub matchers: Vec<Matcher>,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut cur = Cursor::new(text.trim());
        let name = cur
            .take_while(is_name_start, is_name_char)
            .ok_or_else(|| format!("`{text}`: expected a metric name"))?
            .to_string();
        cur.skip_blanks();
        let mut matchers = Vec::new();
        if cur.peek() == Some('{') {
            cur.chars.next();
            loop {
                cur.skip_blanks();
                if cur.peek() == Some('}') {
                    cur.chars.next();
                    break;
                }
                let label = cur
                    .take_while(is_label_start, is_label_char)
                    .ok_or_else(|| format!("`{text}`: expected a label name"))?
                    .to_string();
                cur.skip_blanks();
                let op = match (cur.chars.next().map(|(_, c)| c), cur.peek()) {
                    (Some('='), _) => MatchOp::Eq,
                    (Some('!'), Some('=')) => {
                        cur.chars.next();
                        MatchOp::Ne
                    }
                    _ => return Err(format!("`{text}`: expected `=` or `!=` after `{label}` (regex matchers are not supported)")),
                };
                if cur.peek() == Some('~') {
                    return Err(format!("`{text}`: regex matchers are not supported"));
                }
                cur.skip_blanks();
                let value = cur.quoted().map_err(|e| format!("`{text}`: {e}"))?;
                matchers.push(Matcher { label, op, value });
                cur.skip_blanks();
                match cur.peek() {
                    Some(',') => {
                        cur.chars.next();
                    }
                    Some('}') => {}
                    _ => return Err(format!("`{text}`: expected `,` or `}}`")),
                }
            }
        }
        cur.skip_blanks();
        if cur.peek().is_some() {
            return Err(format!("`{text}`: unexpected text after the selector"));
        }
        Ok(Selector { name, matchers })
    }

    pub fn matches(&self, s: &Sample) -> bool {
        s.name == self.name && self.matches_labels(s)
    }

    /// The label matchers alone, for a sample whose name is known to match.
    pub fn matches_labels(&self, s: &Sample) -> bool {
        self.matchers.iter().all(|m| {
            let v = s
                .labels
                .iter()
                .find(|(n, _)| *n == m.label)
                .map_or("", |(_, v)| v.as_str());
            (v == m.value) == (m.op == MatchOp::Eq)
        })
    }
}

/// Increase of the matching series between two scrapes, summed: each series'
/// delta, where a drop means the counter was reset and restarted from zero
/// (so its delta is its new value), as Prometheus's `rate()` treats resets.
/// Series only in the second scrape count from zero; vanished series not at all.
pub fn increase(before: &Scrape, after: &Scrape, sel: &Selector) -> f64 {
    let previous: SeriesValues = before
        .select(sel)
        .map(|s| (series_key(s), s.value))
        .collect();
    let now: SeriesValues = after
        .select(sel)
        .map(|s| (series_key(s), s.value))
        .collect();
    increase_of(&previous, &now)
}

/// A series' identity: a 64-bit hash of its name and its labels in a fixed
/// order. Keeping hashes, not names, holds 100,000 series in a few MiB;
/// two series colliding is about as likely as 1 in 10^9 at that count.
pub type SeriesKey = u64;

/// Hashes a `SeriesKey`, which is a hash already, by passing it through.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by series identity, without hashing the hash again.
pub type SeriesMap<V> =
    std::collections::HashMap<SeriesKey, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// The value of every series a selector matched, by identity.
pub type SeriesValues = SeriesMap<f64>;

pub fn series_key(s: &Sample) -> SeriesKey {
    use std::hash::{Hash, Hasher};
    let mut labels: Vec<&(String, String)> = s.labels.iter().collect();
    labels.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.name.hash(&mut h);
    labels.hash(&mut h);
    h.finish()
}

/// `increase` over series already keyed: one hash look-up per series, so
/// pairing 100,000 series takes linear time.
pub fn increase_of(before: &SeriesValues, after: &SeriesValues) -> f64 {
    after
        .iter()
        .map(|(k, v2)| counted(before.get(k).copied(), *v2))
        .filter(|d| d.is_finite())
        .sum()
}

/// What one counter series counted since `before`: the difference, or,
/// when it dropped (a reset) or is new, its whole value.
pub fn counted(before: Option<f64>, now: f64) -> f64 {
    match before {
        Some(then) if now >= then => now - then,
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the Python client library serves, abridged.
    const PYTHON_CLIENT: &str = r#"# HELP python_gc_objects_collected_total Objects collected during gc
# TYPE python_gc_objects_collected_total counter
python_gc_objects_collected_total{generation="0"} 3151.0
python_gc_objects_collected_total{generation="1"} 348.0
# HELP cache_hits_total Cache hits
# TYPE cache_hits_total counter
cache_hits_total{cache="redis",service="api"} 9500.0
cache_hits_total{cache="local",service="api"} 500.0
# HELP cache_hits_created Cache hits
# TYPE cache_hits_created gauge
cache_hits_created{cache="redis",service="api"} 1.7000000000e+09
# HELP cache_misses_total Cache misses
# TYPE cache_misses_total counter
cache_misses_total{cache="redis",service="api"} 500.0
# HELP http_request_duration_seconds Request latency
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.005",path="/users"} 24054.0
http_request_duration_seconds_bucket{le="0.01",path="/users"} 33444.0
http_request_duration_seconds_bucket{le="+Inf",path="/users"} 144320.0
http_request_duration_seconds_sum{path="/users"} 53423.0
http_request_duration_seconds_count{path="/users"} 144320.0
# HELP rpc_duration_seconds A summary
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4.773e-05
rpc_duration_seconds{quantile="0.99"} NaN
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
"#;

    #[test]
    fn parses_client_library_output() {
        let s = parse(PYTHON_CLIENT);
        assert!(s.issues.is_empty(), "{:?}", s.issues);
        assert_eq!(s.samples.len(), 15);
        assert_eq!(
            s.families["cache_hits_total"].kind,
            Some(MetricType::Counter)
        );
        assert_eq!(
            s.families["cache_hits_total"].help.as_deref(),
            Some("Cache hits")
        );
        assert_eq!(
            s.kind_of("http_request_duration_seconds_bucket"),
            MetricType::Histogram
        );
        assert_eq!(s.kind_of("rpc_duration_seconds_count"), MetricType::Summary);
        assert_eq!(s.kind_of("nope"), MetricType::Untyped);
        let inf = s
            .samples
            .iter()
            .find(|x| x.labels.contains(&("le".into(), "+Inf".into())))
            .unwrap();
        assert_eq!(inf.value, 144320.0);
        let nan = s
            .samples
            .iter()
            .find(|x| x.labels.contains(&("quantile".into(), "0.99".into())))
            .unwrap();
        assert!(nan.value.is_nan());
        assert_eq!(
            s.sum(&Selector::parse("cache_hits_total").unwrap()),
            (10000.0, 2)
        );
        assert_eq!(
            s.sum(&Selector::parse(r#"cache_hits_total{cache="redis"}"#).unwrap()),
            (9500.0, 1)
        );
        assert_eq!(
            s.sum(&Selector::parse(r#"cache_hits_total{cache!="redis"}"#).unwrap()),
            (500.0, 1)
        );
    }

    #[test]
    fn escapes_in_labels_and_help() {
        let s = parse("# HELP m Line one\\nline two \\\\ end\nm{path=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",nl=\"a\\nb\"} 1\n");
        assert!(s.issues.is_empty(), "{:?}", s.issues);
        assert_eq!(
            s.families["m"].help.as_deref(),
            Some("Line one\nline two \\ end")
        );
        let l = &s.samples[0].labels;
        assert_eq!(l[0], ("path".into(), "C:\\dir".into()));
        assert_eq!(l[1], ("q".into(), "say \"hi\"".into()));
        assert_eq!(l[2], ("nl".into(), "a\nb".into()));
    }

    #[test]
    fn names_with_colons_untyped_infinities_and_timestamps() {
        let s = parse("job:cache_hits:rate5m 12.5 1700000000000\nuntyped_thing -Inf\nneg +Inf -5\nspaced{a=\"1\" , b = \"2\",}   7\nopenmetrics_ts 1 1700000000.5\n");
        assert!(s.issues.is_empty(), "{:?}", s.issues);
        assert_eq!(s.samples[0].name, "job:cache_hits:rate5m");
        assert_eq!(s.samples[0].value, 12.5);
        assert_eq!(s.samples[0].timestamp_ms, Some(1_700_000_000_000));
        assert_eq!(s.samples[1].value, f64::NEG_INFINITY);
        assert_eq!(s.samples[2].timestamp_ms, Some(-5));
        assert_eq!(s.samples[3].labels.len(), 2);
        assert_eq!(s.samples[3].value, 7.0);
        assert_eq!(s.samples[4].timestamp_ms, Some(1_700_000_000_500));
        assert_eq!(s.kind_of("untyped_thing"), MetricType::Untyped);
    }

    #[test]
    fn comments_blank_lines_crlf_and_eof() {
        let s = parse("# just a comment\r\n\r\n   \nm 1\r\n# EOF\n");
        assert!(s.issues.is_empty(), "{:?}", s.issues);
        assert_eq!(s.samples.len(), 1);
    }

    #[test]
    fn malformed_lines_are_reported_and_the_rest_kept() {
        let text = "good 1\nbad{a=\"unterminated} 2\nno_value\n9starts_with_digit 3\nx{a=\"1\"} notanumber\ny{a=\"\\q\"} 1\nz 1 2 3\nw{a=\"1\",a=\"2\"} 1\n# TYPE t sometype\nalso_good 2\n";
        let s = parse(text);
        assert_eq!(
            s.samples
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>(),
            vec!["good", "also_good"]
        );
        let lines: Vec<usize> = s.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(
            s.issues[0].message.contains("unterminated"),
            "{:?}",
            s.issues[0]
        );
        assert!(
            s.issues[4].message.contains("invalid escape"),
            "{:?}",
            s.issues[4]
        );
        assert!(
            s.issues[6].message.contains("appears twice"),
            "{:?}",
            s.issues[6]
        );
    }

    #[test]
    fn selector_parsing() {
        let sel = Selector::parse(r#"cache_errors_total{cache="redis", kind!="timeout"}"#).unwrap();
        assert_eq!(sel.name, "cache_errors_total");
        assert_eq!(sel.matchers.len(), 2);
        assert_eq!(sel.matchers[1].op, MatchOp::Ne);
        assert!(Selector::parse("").is_err());
        assert!(Selector::parse(r#"m{a=~"x.*"}"#)
            .unwrap_err()
            .contains("regex"));
        assert!(Selector::parse(r#"m{a="x""#).is_err());
        assert!(Selector::parse("m extra").is_err());
        // A missing label matches "" like PromQL.
        let s = parse("m{a=\"1\"} 1\nm 2\n");
        assert_eq!(s.sum(&Selector::parse(r#"m{b=""}"#).unwrap()), (3.0, 2));
    }

    #[test]
    fn increase_handles_resets_new_and_vanished_series() {
        let before = parse("c{p=\"a\"} 100\nc{p=\"b\"} 50\nc{p=\"gone\"} 7\n");
        let after = parse("c{p=\"a\"} 130\nc{p=\"b\"} 5\nc{p=\"new\"} 4\n");
        let sel = Selector::parse("c").unwrap();
        // a: +30; b: reset, counts 5; new: 4; gone: ignored.
        assert_eq!(increase(&before, &after, &sel), 39.0);
        let sel = Selector::parse(r#"c{p="a"}"#).unwrap();
        assert_eq!(increase(&before, &after, &sel), 30.0);
    }

    #[test]
    fn label_order_does_not_matter_for_increase() {
        let before = parse("c{a=\"1\",b=\"2\"} 10\n");
        let after = parse("c{b=\"2\",a=\"1\"} 15\n");
        assert_eq!(
            increase(&before, &after, &Selector::parse("c").unwrap()),
            5.0
        );
    }
}
