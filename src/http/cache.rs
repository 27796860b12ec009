//! The application's cache counters, whatever its framework calls them.
//!
//! The seeds' applications export `cache_hits_total`, `cache_misses_total`
//! and `cache_errors_total`; django-prometheus exports
//! `django_cache_get_{hits,misses,fail}_total` beside `django_cache_get_total`;
//! Micrometer (Spring Boot) one `cache_gets_total` with a `result="hit"|"miss"`
//! label; others one counter with a `status` (or `result`) label. Each is a
//! *dialect*: a selector per role (hits, misses, errors, gets). A scrape is
//! tallied against every dialect as it streams in; the one whose counters
//! are there is chosen and named in the report, and `--app-metric
//! ROLE=SELECTOR` maps names no dialect knows. Series keep the cache they
//! count for (their `cache`, `backend` or `name` label), so the hit rate is
//! known per cache as well as in total.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::prometheus::{self, Sample, Selector, SeriesKey, SeriesMap};

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Hits,
    Misses,
    Errors,
    Gets,
}

pub const ROLES: [Role; 4] = [Role::Hits, Role::Misses, Role::Errors, Role::Gets];

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Hits => "hits",
            Role::Misses => "misses",
            Role::Errors => "errors",
            Role::Gets => "gets",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    pub fn parse(text: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.name() == text)
    }
}

/// Labels that name the cache a series counts for, in order of preference.
pub const CACHE_LABELS: [&str; 3] = ["cache", "backend", "name"];

/// Most distinct caches told apart; series of any further cache are
/// counted under one "(other caches)" entry.
const MAX_CACHES: usize = 1000;

/// Caches listed in the fact, by lookups.
const LISTED_CACHES: usize = 20;

/// Generic status-label counters tracked at once.
const MAX_GENERIC: usize = 8;

/// Role selectors the operator gave (`--app-metric hits=NAME{label="v"}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    roles: [Option<(String, Selector)>; 4],
}

impl Mapping {
    /// Parses one `ROLE=SELECTOR`.
    pub fn add(&mut self, text: &str) -> Result<(), String> {
        let (role, selector) = text.split_once('=').ok_or_else(|| {
            format!("`{text}`: expected ROLE=METRIC, e.g. hits=myapp_cache_hit_total")
        })?;
        let role = Role::parse(role.trim()).ok_or_else(|| {
            format!(
                "`{text}`: unknown role `{}`; expected hits, misses, errors or gets",
                role.trim()
            )
        })?;
        let parsed = Selector::parse(selector)?;
        self.roles[role.index()] = Some((selector.trim().to_string(), parsed));
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.roles.iter().all(Option::is_none)
    }
}

/// One named set of role selectors.
#[derive(Debug, Clone)]
struct Dialect {
    name: String,
    roles: [Option<(String, Selector)>; 4],
}

/// A role a dialect has (beside the `None` of those it has not).
#[allow(clippy::unnecessary_wraps)]
fn sel(text: &str) -> Option<(String, Selector)> {
    Some((
        text.to_string(),
        Selector::parse(text).expect("built-in selector"),
    ))
}

/// The dialects cachectl knows, in order of preference.
fn builtins() -> &'static [Dialect] {
    static ALL: std::sync::OnceLock<Vec<Dialect>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            Dialect {
                name: "seeds".into(),
                roles: [
                    sel("cache_hits_total"),
                    sel("cache_misses_total"),
                    sel("cache_errors_total"),
                    None,
                ],
            },
            Dialect {
                name: "django-prometheus".into(),
                roles: [
                    sel("django_cache_get_hits_total"),
                    sel("django_cache_get_misses_total"),
                    sel("django_cache_get_fail_total"),
                    sel("django_cache_get_total"),
                ],
            },
            Dialect {
                name: "micrometer".into(),
                roles: [
                    sel(r#"cache_gets_total{result="hit"}"#),
                    sel(r#"cache_gets_total{result="miss"}"#),
                    None,
                    None,
                ],
            },
        ]
    })
}

/// What the built-in dialects look for, for messages.
pub fn known_names() -> String {
    let mut out: Vec<String> = builtins()
        .iter()
        .map(|d| {
            let names: Vec<&str> = d.roles.iter().flatten().map(|(t, _)| t.as_str()).collect();
            format!("{} ({})", d.name, names.join(", "))
        })
        .collect();
    out.push("a counter with \"cache\" in its name and a status=\"hit\"|\"miss\" label".into());
    out.join("; ")
}

/// The role a status-label value stands for.
fn status_role(value: &str) -> Option<Role> {
    match value.to_ascii_lowercase().as_str() {
        "hit" | "hits" => Some(Role::Hits),
        "miss" | "misses" => Some(Role::Misses),
        "error" | "errors" | "fail" | "failed" | "failure" => Some(Role::Errors),
        _ => None,
    }
}

/// Labels a generic counter may carry its outcome in.
const STATUS_LABELS: [&str; 2] = ["status", "result"];

/// One role's series in one scrape: value and cache, by series identity.
#[derive(Debug, Clone, Default)]
pub struct CacheTally {
    series: SeriesMap<(f64, u32)>,
    /// A `# TYPE`/`# HELP` line declared the family: no series is a zero.
    declared: bool,
}

impl CacheTally {
    fn present(&self) -> bool {
        self.declared || !self.series.is_empty()
    }
}

/// One dialect's tallies in one scrape.
#[derive(Debug, Clone)]
struct Candidate {
    dialect: Dialect,
    tallies: [CacheTally; 4],
}

impl Candidate {
    fn new(dialect: Dialect) -> Candidate {
        Candidate {
            dialect,
            tallies: Default::default(),
        }
    }

    fn has_lookups(&self) -> bool {
        self.tallies[Role::Hits.index()].present() || self.tallies[Role::Misses.index()].present()
    }

    fn samples(&self) -> usize {
        self.tallies.iter().map(|t| t.series.len()).sum()
    }
}

/// A scrape's cache counters, tallied as it streams in.
#[derive(Debug, Clone)]
pub struct CacheScrape {
    candidates: Vec<Candidate>,
    /// Generic status-label counters: (metric name, label) of each.
    generic: Vec<(String, String, Candidate)>,
    custom: Option<Candidate>,
    caches: Vec<String>,
    cache_index: HashMap<String, u32>,
    /// The last cache looked up: (label, value, index).
    last_cache: Option<(String, String, u32)>,
    /// The last metric name seen, the (candidate, role) pairs whose
    /// selector names it (the operator's mapping is candidate
    /// `candidates.len()`), and whether it is about caches.
    memo_name: String,
    memo: Vec<(usize, usize)>,
    memo_cache: bool,
}

impl CacheScrape {
    pub fn new(mapping: &Mapping) -> CacheScrape {
        CacheScrape {
            candidates: builtins().iter().cloned().map(Candidate::new).collect(),
            generic: Vec::new(),
            custom: (!mapping.is_empty()).then(|| {
                Candidate::new(Dialect {
                    name: "custom".into(),
                    roles: mapping.roles.clone(),
                })
            }),
            caches: Vec::new(),
            cache_index: HashMap::new(),
            last_cache: None,
            // No metric name is empty: the first sample works it out.
            memo_name: String::new(),
            memo: Vec::new(),
            memo_cache: false,
        }
    }

    fn cache_of(&mut self, s: &Sample) -> u32 {
        // The most preferred of the cache labels the sample carries.
        let mut best: Option<(usize, &str, &str)> = None;
        for (n, v) in &s.labels {
            let Some(rank) = CACHE_LABELS.iter().position(|c| same(c, n)) else {
                continue;
            };
            if best.is_none_or(|(r, _, _)| rank < r) {
                best = Some((rank, n.as_str(), v.as_str()));
            }
        }
        let (label, value) = best.map_or(("", ""), |(_, n, v)| (n, v));
        if let Some((l, v, i)) = &self.last_cache {
            if same(l, label) && same(v, value) {
                return *i;
            }
        }
        let name = if label.is_empty() {
            String::new()
        } else {
            format!("{label}={value}")
        };
        let i = self.intern(name);
        self.last_cache = Some((label.to_string(), value.to_string(), i));
        i
    }

    fn intern(&mut self, name: String) -> u32 {
        if let Some(i) = self.cache_index.get(&name) {
            return *i;
        }
        let name = if self.caches.len() >= MAX_CACHES {
            "(other caches)".to_string()
        } else {
            name
        };
        let i = *self
            .cache_index
            .entry(name.clone())
            .or_insert(self.caches.len() as u32);
        if i as usize == self.caches.len() {
            self.caches.push(name);
        }
        i
    }

    /// Works out, once per metric name (samples of a family come
    /// together), which selectors name it.
    fn named(&mut self, name: &str) {
        if same(&self.memo_name, name) {
            return;
        }
        self.memo_name.clear();
        self.memo_name.push_str(name);
        self.memo.clear();
        for (ci, c) in self.candidates.iter().chain(self.custom.iter()).enumerate() {
            for (ri, role) in c.dialect.roles.iter().enumerate() {
                if role.as_ref().is_some_and(|(_, sel)| sel.name == name) {
                    self.memo.push((ci, ri));
                }
            }
        }
        self.memo_cache = name
            .as_bytes()
            .windows(5)
            .any(|w| w.eq_ignore_ascii_case(b"cache"))
            && !name.ends_with("_created")
            && !name.ends_with("_bucket");
    }

    fn candidate(&self, ci: usize) -> &Candidate {
        match self.candidates.get(ci) {
            Some(c) => c,
            None => self.custom.as_ref().expect("the custom candidate"),
        }
    }

    fn candidate_mut(&mut self, ci: usize) -> &mut Candidate {
        let n = self.candidates.len();
        if ci < n {
            &mut self.candidates[ci]
        } else {
            self.custom.as_mut().expect("the custom candidate")
        }
    }

    /// Tallies one sample against every dialect.
    pub fn sample(&mut self, s: &Sample) {
        self.named(&s.name);
        let hits: Vec<(usize, usize)> = self
            .memo
            .iter()
            .copied()
            .filter(|&(ci, ri)| {
                self.candidate(ci).dialect.roles[ri]
                    .as_ref()
                    .is_some_and(|(_, sel)| sel.matches_labels(s))
            })
            .collect();
        let generic = if self.memo_cache {
            self.generic_role(s)
        } else {
            None
        };
        if hits.is_empty() && generic.is_none() {
            return;
        }
        let cache = self.cache_of(s);
        let key = prometheus::series_key(s);
        for (ci, ri) in hits {
            add(&mut self.candidate_mut(ci).tallies[ri], key, s.value, cache);
        }
        if let Some((gi, role)) = generic {
            add(
                &mut self.generic[gi].2.tallies[role.index()],
                key,
                s.value,
                cache,
            );
        }
    }

    /// A generic counter this sample belongs to: a name about caches, an
    /// outcome label saying hit, miss or error.
    fn generic_role(&mut self, s: &Sample) -> Option<(usize, Role)> {
        let (label, role) = s.labels.iter().find_map(|(n, v)| {
            STATUS_LABELS
                .iter()
                .any(|l| same(l, n))
                .then(|| status_role(v).map(|r| (n.clone(), r)))
                .flatten()
        })?;
        if let Some(i) = self
            .generic
            .iter()
            .position(|(name, l, _)| *name == s.name && *l == label)
        {
            return Some((i, role));
        }
        if self.generic.len() >= MAX_GENERIC {
            return None;
        }
        let roles = [Role::Hits, Role::Misses, Role::Errors, Role::Gets].map(|r| {
            let value = match r {
                Role::Hits => "hit",
                Role::Misses => "miss",
                Role::Errors => "error",
                Role::Gets => return None,
            };
            sel(&format!("{}{{{label}=\"{value}\"}}", s.name))
        });
        let dialect = Dialect {
            name: "status-label".into(),
            roles,
        };
        self.generic
            .push((s.name.clone(), label, Candidate::new(dialect)));
        Some((self.generic.len() - 1, role))
    }

    /// A `# TYPE` or `# HELP` line: the family exists, even without series.
    pub fn family(&mut self, name: &str) {
        let declares = |sel: &Selector| sel.name == name || sel.name == format!("{name}_total");
        let all = self
            .candidates
            .iter_mut()
            .chain(self.custom.iter_mut())
            .chain(self.generic.iter_mut().map(|(_, _, c)| c));
        for c in all {
            for (ri, role) in c.dialect.roles.iter().enumerate() {
                if role.as_ref().is_some_and(|(_, sel)| declares(sel)) {
                    c.tallies[ri].declared = true;
                }
            }
        }
    }

    /// The dialect whose counters this scrape holds: the first built-in
    /// with hits or misses, else the generic counter with most series.
    fn detected(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.has_lookups())
            .or_else(|| {
                self.generic
                    .iter()
                    .map(|(_, _, c)| c)
                    .filter(|c| c.has_lookups())
                    .max_by_key(|c| c.samples())
            })
    }

    /// Per role, the tally and selector used: the operator's mapping
    /// first, then the detected dialect's.
    fn resolved(&self) -> (String, [Option<(&str, &CacheTally)>; 4]) {
        let detected = self.detected();
        // The operator's mapping of a role first, then the detected dialect's.
        let out = std::array::from_fn(|i| {
            let mapped = self
                .custom
                .as_ref()
                .filter(|c| c.dialect.roles[i].is_some());
            mapped.or(detected).and_then(|c| {
                c.dialect.roles[i]
                    .as_ref()
                    .map(|(t, _)| (t.as_str(), &c.tallies[i]))
            })
        });
        let name = match (self.custom.is_some(), detected) {
            (true, Some(d)) => format!("custom (--app-metric) over {}", d.dialect.name),
            (true, None) => "custom (--app-metric)".to_string(),
            (false, Some(d)) => d.dialect.name.clone(),
            (false, None) => String::new(),
        };
        (name, out)
    }

    /// The tally of `role` in the dialect named by `dialect`'s roles in
    /// this scrape (the first scrape of a pair is read with the second's
    /// choice).
    fn tally_for(&self, selector: &str, role: Role) -> Option<&CacheTally> {
        let i = role.index();
        self.custom
            .iter()
            .chain(self.candidates.iter())
            .chain(self.generic.iter().map(|(_, _, c)| c))
            .find(|c| {
                c.dialect.roles[i]
                    .as_ref()
                    .is_some_and(|(t, _)| t == selector)
            })
            .map(|c| &c.tallies[i])
    }
}

/// String equality without libc's memcmp. Label names are compared with
/// constants several times per sample, and memcmp's masked loads stalled
/// on them here: two scrapes of 200,000 series took 240 ms, 148 ms so.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

fn add(t: &mut CacheTally, key: SeriesKey, value: f64, cache: u32) {
    if value.is_finite() {
        let e = t.series.entry(key).or_insert((0.0, cache));
        e.0 += value;
    }
}

/// `x` when finite, else 0; never -0 (an empty f64 sum is -0).
fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x + 0.0
    } else {
        0.0
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What `now` counted over the window, in total and into `per_cache`:
/// each series' increase since `before` (resets handled as `rate()` does;
/// a series new since then counts from zero), or its value with one
/// scrape. Marks the caches it has series for in `seen`.
fn window_of(
    now: &CacheTally,
    before: Option<&CacheTally>,
    per_cache: &mut [[f64; 4]],
    seen: &mut [bool],
    role: usize,
) -> f64 {
    let mut total = 0.0;
    for (k, (v2, cache)) in &now.series {
        seen[*cache as usize] = true;
        let counted = match before {
            Some(prev) => prometheus::counted(prev.series.get(k).map(|(v1, _)| *v1), *v2),
            None => *v2,
        };
        if counted.is_finite() {
            total += counted;
            per_cache[*cache as usize][role] += counted;
        }
    }
    total
}

/// One role's counter over a scrape or two, as the fact shows it.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
struct Counted {
    value: f64,
    count: usize,
    increase: f64,
    rate: f64,
    window: f64,
    present: bool,
}

impl std::ops::Add for Counted {
    type Output = Counted;
    fn add(self, o: Counted) -> Counted {
        Counted {
            value: self.value + o.value,
            count: self.count + o.count,
            increase: self.increase + o.increase,
            rate: round3(self.rate + o.rate),
            window: self.window + o.window,
            present: self.present || o.present,
        }
    }
}

/// The `http.<step>.cache` fact of one scrape, or of two `seconds` apart.
pub fn fact(last: &CacheScrape, first: Option<(&CacheScrape, f64)>) -> Value {
    let (dialect, roles) = last.resolved();
    let mut per_cache: Vec<[f64; 4]> = vec![[0.0; 4]; last.caches.len()];
    let mut seen = vec![false; last.caches.len()];
    let mut counted = [Counted::default(); 4];
    let mut metrics = serde_json::Map::new();
    for role in ROLES {
        let i = role.index();
        let Some((selector, tally)) = roles[i] else {
            metrics.insert(role.name().into(), "".into());
            continue;
        };
        metrics.insert(role.name().into(), selector.into());
        let before = first.and_then(|(f, _)| f.tally_for(selector, role));
        let window = finite(window_of(tally, before, &mut per_cache, &mut seen, i));
        let (increase, rate) = match first {
            Some((_, secs)) if secs > 0.0 => (window, round3(window / secs)),
            Some(_) => (window, 0.0),
            None => (0.0, 0.0),
        };
        counted[i] = Counted {
            value: finite(tally.series.values().map(|(v, _)| v).sum()),
            count: tally.series.len(),
            increase,
            rate,
            window,
            present: tally.present(),
        };
    }
    // Without a gets counter, every lookup is a hit or a miss.
    let (hits, misses, gets) = (Role::Hits.index(), Role::Misses.index(), Role::Gets.index());
    if roles[gets].is_none() && (counted[hits].present || counted[misses].present) {
        counted[gets] = counted[hits] + counted[misses];
        metrics.insert("gets".into(), "hits + misses".into());
        for v in &mut per_cache {
            v[gets] = v[hits] + v[misses];
        }
    }
    let mut out = json!({"dialect": dialect, "metrics": metrics});
    for role in ROLES {
        out[role.name()] = json!(counted[role.index()]);
    }
    // Only caches the counters read name (another dialect's are not).
    let mut caches: Vec<(String, [f64; 4])> = per_cache
        .into_iter()
        .enumerate()
        .filter(|(i, _)| seen[*i])
        .map(|(i, v)| (last.caches[i].clone(), v))
        .collect();
    caches.sort_by(|a, b| {
        (b.1[0] + b.1[1])
            .total_cmp(&(a.1[0] + a.1[1]))
            .then(a.0.cmp(&b.0))
    });
    let listed: Vec<Value> = caches
        .iter()
        .take(LISTED_CACHES)
        .map(|(name, v)| {
            let (label, value) = name.split_once('=').unwrap_or(("", name.as_str()));
            let lookups = v[0] + v[1];
            let hit_percent = if lookups > 0.0 {
                (1000.0 * v[0] / lookups).round() / 10.0
            } else {
                0.0
            };
            json!({
                "label": label, "name": value, "hits": v[0], "misses": v[1], "errors": v[2],
                "gets": v[3], "lookups": lookups, "hit_percent": hit_percent,
            })
        })
        .collect();
    out["caches"] = listed.into();
    out["cache_count"] = caches.len().into();
    out
}

/// Why the cache counters of a scrape cannot answer for `role`, if they
/// cannot: said with what was looked for.
pub fn missing(fact: &Value, role: &str) -> Option<String> {
    if fact[role]["present"] == true {
        return None;
    }
    let dialect = fact["dialect"].as_str().unwrap_or_default();
    if dialect.is_empty() {
        return Some(format!(
            "no cache counters recognised on the metrics endpoint (looked for {}); name yours with --app-metric hits=NAME --app-metric misses=NAME",
            known_names()
        ));
    }
    match fact["metrics"][role].as_str().filter(|m| !m.is_empty()) {
        Some(metric) => Some(format!(
            "no {role} counter: {metric} ({dialect}) is not on the metrics endpoint"
        )),
        None => Some(format!(
            "the {dialect} dialect has no {role} counter; map one with --app-metric {role}=NAME"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prometheus::{MetricType, ParseIssue};

    struct Into<'a>(&'a mut CacheScrape);

    impl prometheus::Sink for Into<'_> {
        fn sample(&mut self, s: Sample) {
            self.0.sample(&s);
        }
        fn family(&mut self, name: &str, _: Option<String>, _: Option<MetricType>) {
            self.0.family(name);
        }
        fn issue(&mut self, issue: ParseIssue) {
            panic!("line {}: {}", issue.line, issue.message);
        }
    }

    fn scrape_with(text: &str, mapping: &Mapping) -> CacheScrape {
        let mut c = CacheScrape::new(mapping);
        for (i, line) in text.lines().enumerate() {
            prometheus::parse_line(i + 1, line, &mut Into(&mut c));
        }
        c
    }

    fn scrape(text: &str) -> CacheScrape {
        scrape_with(text, &Mapping::default())
    }

    fn window(f: &Value, role: &str) -> f64 {
        f[role]["window"].as_f64().unwrap()
    }

    /// What django-prometheus 2.5 serves (prometheus_client text format):
    /// the fail counter declared, with no series yet.
    const DJANGO: &str = r#"# HELP django_cache_get_total Total get requests on cache
# TYPE django_cache_get_total counter
django_cache_get_total{backend="redis"} 400.0
# HELP django_cache_get_created Total get requests on cache
# TYPE django_cache_get_created gauge
django_cache_get_created{backend="redis"} 1.7e+09
# HELP django_cache_get_hits_total Total hits on cache
# TYPE django_cache_get_hits_total counter
django_cache_get_hits_total{backend="redis"} 10.0
# HELP django_cache_get_misses_total Total misses on cache
# TYPE django_cache_get_misses_total counter
django_cache_get_misses_total{backend="redis"} 390.0
# HELP django_cache_get_fail_total Total get request failures by cache
# TYPE django_cache_get_fail_total counter
"#;

    #[test]
    fn django_prometheus_is_recognised_with_its_fail_counter_declared() {
        let f = fact(&scrape(DJANGO), None);
        assert_eq!(f["dialect"], "django-prometheus");
        assert_eq!(window(&f, "hits"), 10.0);
        assert_eq!(window(&f, "misses"), 390.0);
        assert_eq!(window(&f, "gets"), 400.0);
        // Declared, no series: a known zero, not a missing counter.
        assert_eq!(f["errors"]["present"], true);
        assert_eq!(window(&f, "errors"), 0.0);
        assert!(missing(&f, "errors").is_none());
        assert_eq!(f["caches"][0]["label"], "backend");
        assert_eq!(f["caches"][0]["name"], "redis");
        assert_eq!(f["caches"][0]["hit_percent"], 2.5);
        assert_eq!(f["metrics"]["gets"], "django_cache_get_total");
    }

    /// Micrometer through the old simpleclient: a trailing comma in the
    /// labels, `cache` and `name` both naming the cache, a pending result.
    const MICROMETER: &str = r#"# HELP cache_gets_total the number of times cache lookup methods have returned a cached (hit) or uncached (newly loaded or null) value (miss).
# TYPE cache_gets_total counter
cache_gets_total{cache="books",cache_manager="cacheManager",name="books",result="hit",} 0.0
cache_gets_total{cache="books",cache_manager="cacheManager",name="books",result="miss",} 300.0
cache_gets_total{cache="books",cache_manager="cacheManager",name="books",result="pending",} 2.0
cache_gets_total{cache="authors",cache_manager="cacheManager",name="authors",result="hit",} 30.0
cache_gets_total{cache="authors",cache_manager="cacheManager",name="authors",result="miss",} 70.0
# HELP cache_puts_total The number of entries added to the cache
# TYPE cache_puts_total counter
cache_puts_total{cache="books",cache_manager="cacheManager",name="books",} 300.0
# HELP cache_evictions_total cache evictions
# TYPE cache_evictions_total counter
cache_evictions_total{cache="books",cache_manager="cacheManager",name="books",} 0.0
# HELP cache_size The number of entries in this cache.
# TYPE cache_size gauge
cache_size{cache="books",cache_manager="cacheManager",name="books",} 300.0
"#;

    #[test]
    fn micrometer_result_label_per_cache() {
        let f = fact(&scrape(MICROMETER), None);
        assert_eq!(f["dialect"], "micrometer");
        assert_eq!(window(&f, "hits"), 30.0);
        assert_eq!(window(&f, "misses"), 370.0);
        // No gets counter: hits + misses (pending is neither).
        assert_eq!(window(&f, "gets"), 400.0);
        assert_eq!(f["errors"]["present"], false);
        assert!(missing(&f, "errors")
            .unwrap()
            .contains("--app-metric errors="));
        assert_eq!(f["cache_count"], 2);
        assert_eq!(f["caches"][0]["name"], "books");
        assert_eq!(f["caches"][0]["label"], "cache");
        assert_eq!(f["caches"][0]["hit_percent"], 0.0);
        assert_eq!(f["caches"][0]["lookups"], 300.0);
        assert_eq!(f["caches"][1]["name"], "authors");
        assert_eq!(f["caches"][1]["hit_percent"], 30.0);
    }

    #[test]
    fn micrometer_openmetrics_families_are_named_without_total() {
        // Micrometer 1.13+ serving OpenMetrics: the family is `cache_gets`,
        // its samples `cache_gets_total`; a family with no samples yet is
        // a known zero.
        let text = "# TYPE cache_gets counter\n# HELP cache_gets The number of times cache lookup methods have returned a cached value.\n\
cache_gets_total{cache=\"books\",cache_manager=\"cacheManager\",name=\"books\",result=\"miss\"} 12.0\n# EOF\n";
        let f = fact(&scrape(text), None);
        assert_eq!(f["dialect"], "micrometer");
        assert_eq!(f["hits"]["present"], true);
        assert_eq!(window(&f, "hits"), 0.0);
        assert_eq!(window(&f, "misses"), 12.0);
    }

    #[test]
    fn one_counter_with_a_status_label() {
        let text = r#"# TYPE app_cache_requests_total counter
app_cache_requests_total{cache="users",status="hit"} 900
app_cache_requests_total{cache="users",status="miss"} 100
app_cache_requests_total{cache="users",status="error"} 25
app_http_requests_total{status="200"} 5000
"#;
        let f = fact(&scrape(text), None);
        assert_eq!(f["dialect"], "status-label");
        assert_eq!(window(&f, "hits"), 900.0);
        assert_eq!(window(&f, "misses"), 100.0);
        assert_eq!(window(&f, "errors"), 25.0);
        assert_eq!(
            f["metrics"]["hits"],
            r#"app_cache_requests_total{status="hit"}"#
        );
        assert_eq!(f["caches"][0]["hit_percent"], 90.0);
    }

    #[test]
    fn the_seeds_names_come_first_and_unknown_names_are_said() {
        let text = "cache_hits_total{cache=\"redis\"} 5\ncache_misses_total{cache=\"redis\"} 5\n";
        assert_eq!(fact(&scrape(text), None)["dialect"], "seeds");
        let f = fact(
            &scrape("myapp_cache_hit_total 3\nhttp_requests_total 9\n"),
            None,
        );
        assert_eq!(f["dialect"], "");
        let why = missing(&f, "hits").unwrap();
        assert!(
            why.contains("django_cache_get_hits_total") && why.contains("--app-metric"),
            "{why}"
        );
    }

    #[test]
    fn an_operator_mapping_wins_role_by_role() {
        let mut m = Mapping::default();
        m.add("hits=myapp_cache_total{outcome=\"hit\"}").unwrap();
        m.add("misses=myapp_cache_total{outcome=\"miss\"}").unwrap();
        let text = "myapp_cache_total{outcome=\"hit\"} 80\nmyapp_cache_total{outcome=\"miss\"} 20\ncache_errors_total 4\n";
        let f = fact(&scrape_with(text, &m), None);
        assert_eq!(window(&f, "hits"), 80.0);
        assert_eq!(window(&f, "misses"), 20.0);
        // The rest from the detected dialect: none here has hits or misses,
        // so errors stay unmapped.
        assert_eq!(f["dialect"], "custom (--app-metric)");
        assert_eq!(f["errors"]["present"], false);
        assert!(Mapping::default()
            .add("hit=x")
            .unwrap_err()
            .contains("unknown role `hit`"));
        assert!(Mapping::default()
            .add("hits")
            .unwrap_err()
            .contains("ROLE=METRIC"));
        assert!(Mapping::default().add("hits=x{a=~\"b\"}").is_err());
    }

    #[test]
    fn two_scrapes_count_the_window_with_resets_and_new_caches() {
        let first = scrape(
            "cache_gets_total{cache=\"a\",result=\"hit\"} 100\ncache_gets_total{cache=\"a\",result=\"miss\"} 50\n",
        );
        // a's hits were reset (restart) and b appeared.
        let second = scrape(
            "cache_gets_total{cache=\"a\",result=\"hit\"} 10\ncache_gets_total{cache=\"a\",result=\"miss\"} 60\ncache_gets_total{cache=\"b\",result=\"miss\"} 5\n",
        );
        let f = fact(&second, Some((&first, 2.0)));
        assert_eq!(window(&f, "hits"), 10.0);
        assert_eq!(window(&f, "misses"), 15.0);
        assert_eq!(f["misses"]["rate"], 7.5);
        assert_eq!(f["misses"]["value"], 65.0);
        let b = f["caches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "b")
            .unwrap();
        assert_eq!(b["misses"], 5.0);
    }
}
