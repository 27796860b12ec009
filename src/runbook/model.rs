//! The runbook file format, as deserialized from YAML. Unknown fields are
//! errors. See docs/runbooks.md for the reference.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::model::{FixKind, Safety, Severity};

/// A runbook file. Its checks are `CheckDef`s, or for a built-in runbook's
/// JSON the checks' raw text (`RawValue`), read as far as judging needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "C: Deserialize<'de>"))]
pub struct RunbookFile<C = CheckDef> {
    /// Unique id, lower-case with dashes (`out-of-memory`).
    pub id: Spanned<String>,
    pub title: String,
    /// The seed runbook(s) this automates: file and section.
    pub source: String,
    #[serde(default)]
    pub description: String,
    /// What the on-call engineer sees when this is the incident.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// Named numbers checks compare against, each citing where it comes from.
    #[serde(default)]
    pub thresholds: BTreeMap<String, ThresholdDef>,
    /// What the runbook is about (`memory`, `clients`, ...): the commands
    /// other than `diagnose` run the runbooks of their topic.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Requests to the application (`--app`); responses become `http.<id>`.
    #[serde(default)]
    pub http: Vec<HttpStepDef>,
    pub checks: Vec<C>,
}

/// How to read a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// Kept as text; parsed as JSON too when it is JSON.
    #[default]
    Text,
    /// Must be JSON; anything else is the `not_json` error.
    Json,
    /// Prometheus text exposition.
    Prometheus,
}

/// A header whose value comes from the environment (never from the file,
/// never printed).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderDef {
    pub env: String,
    #[serde(default)]
    pub prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpStepDef {
    pub id: Spanned<String>,
    /// GET (default), HEAD or POST.
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    /// Path below the --app base URL, e.g. /health/ready.
    pub path: Spanned<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderDef>,
    /// Limit for this request (e.g. 2s); default --command-timeout.
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// Statuses that count as success; default any 2xx.
    #[serde(default)]
    pub expect_status: Vec<u16>,
    #[serde(default)]
    pub format: BodyFormat,
    /// Largest body read; more is the `too_large` error. Default
    /// `--max-body` (64 MiB); JSON and text bodies at most 1 MiB.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// JSONPath (RFC 9535) selections from a JSON body: `http.<id>.values.<name>`.
    #[serde(default)]
    pub values: BTreeMap<String, Spanned<String>>,
    /// Prometheus series selectors, summed: `http.<id>.series.<name>`.
    #[serde(default)]
    pub series: BTreeMap<String, Spanned<String>>,
    /// Scrape twice, --interval apart, for per-second rates.
    #[serde(default)]
    pub rates: bool,
    /// Read the application's cache counters (hits, misses, errors, gets)
    /// in whichever dialect /metrics speaks: `http.<id>.cache`.
    #[serde(default)]
    pub cache: bool,
    /// A 404 means the application does not serve this endpoint: checks that
    /// read it are skipped rather than fired.
    #[serde(default)]
    pub optional: bool,
}

/// A request to the application that changes it: one of the actions it
/// exposes (`POST /internal/cache/gc`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFixDef {
    /// POST (default), PUT, PATCH or DELETE.
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    /// Below the --app base URL.
    pub path: Spanned<String>,
    /// Sent as JSON (`Content-Type: application/json`).
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// Statuses that count as done; default any 2xx.
    #[serde(default)]
    pub expect_status: Vec<u16>,
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDef {
    pub value: f64,
    /// Where the default comes from (a seed and section).
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub id: Spanned<String>,
    pub title: String,
    /// CEL condition over facts; the check fires when it is true.
    pub when: Spanned<String>,
    pub severity: Severity,
    /// 0-100: how much this matters now.
    pub score: Spanned<u8>,
    /// Named CEL expressions whose values are shown, and can be used as
    /// `{name}` in the message and fix commands.
    #[serde(default)]
    pub evidence: BTreeMap<String, Spanned<String>>,
    /// What is wrong, with `{evidence}` placeholders.
    pub message: Spanned<String>,
    #[serde(default)]
    pub fixes: Vec<FixDef>,
    /// The Redis version the check needs (`"7.0"`): on an older server it
    /// is skipped, saying so. Valkey counts as Redis 7.2.
    #[serde(default)]
    pub requires_redis: Option<Spanned<String>>,
    /// What must hold for a check that does not fire to count as passed
    /// (enough lookups to judge a rate): otherwise it is not run, for want
    /// of data, with `reason`.
    #[serde(default)]
    pub needs: Option<NeedsDef>,
}

/// The part of a `CheckDef` that judging the check needs, read from a
/// built-in check's JSON: what the check says and offers when it fires
/// (its evidence's expressions, message and fixes) is read on first use.
#[derive(Debug, Deserialize)]
pub struct CheckHead {
    pub id: Spanned<String>,
    pub title: String,
    pub when: Spanned<String>,
    pub severity: Severity,
    pub score: Spanned<u8>,
    /// The names of the evidence entries (which templates may name).
    #[serde(default, deserialize_with = "keys")]
    pub evidence: BTreeSet<String>,
    #[serde(default)]
    pub requires_redis: Option<Spanned<String>>,
    #[serde(default)]
    pub needs: Option<NeedsDef>,
}

impl CheckDef {
    /// The part judging needs.
    pub fn head(&self) -> CheckHead {
        CheckHead {
            id: self.id.clone(),
            title: self.title.clone(),
            when: self.when.clone(),
            severity: self.severity,
            score: self.score.clone(),
            evidence: self.evidence.keys().cloned().collect(),
            requires_redis: self.requires_redis.clone(),
            needs: self.needs.clone(),
        }
    }
}

/// A map's keys, its values skipped.
fn keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = BTreeSet<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut keys = BTreeSet::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<serde::de::IgnoredAny>()?;
                keys.insert(key);
            }
            Ok(keys)
        }
    }
    d.deserialize_map(Keys)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsDef {
    /// CEL condition.
    pub when: Spanned<String>,
    /// Why the check could not judge, with `{evidence}` placeholders.
    pub reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixDef {
    pub id: String,
    pub title: String,
    pub safety: Spanned<Safety>,
    /// `redis`: commands cachectl can run; `manual`: steps for the
    /// operator; `http`: a request to the application (`request`).
    #[serde(default)]
    pub kind: FixKind,
    /// Exact commands, with `{evidence}` placeholders (redis and manual).
    #[serde(default)]
    pub commands: Vec<Spanned<String>>,
    /// The request an `http` fix makes.
    #[serde(default)]
    pub request: Option<HttpFixDef>,
    /// CEL condition that holds once the fix worked.
    #[serde(default)]
    pub verify: Option<Spanned<String>>,
}
