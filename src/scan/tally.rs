//! Summing a keyspace scan up in bounded memory: one group per pattern (up
//! to a cap; the rest in one `<other patterns>` group, said so), heaps for
//! the largest keys, no per-key storage.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::Serialize;

use super::pattern;

/// One scanned key.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub key: Vec<u8>,
    pub kind: String,
    pub encoding: String,
    pub bytes: u64,
    /// Members, fields or elements; the length of a string.
    pub elements: u64,
    /// Seconds to live; -1 without a TTL.
    pub ttl: i64,
}

/// What counts as a big key (from the keyspace runbook's thresholds).
#[derive(Debug, Clone, Copy)]
pub struct BigKeys {
    pub string_bytes: u64,
    pub collection_members: u64,
    pub list_elements: u64,
}

impl BigKeys {
    fn is_big(&self, k: &KeyInfo) -> bool {
        match k.kind.as_str() {
            "string" => k.bytes > self.string_bytes,
            "list" => k.elements > self.list_elements,
            "hash" | "set" | "zset" | "stream" => k.elements > self.collection_members,
            _ => false,
        }
    }
}

/// TTL buckets: none, under a minute, an hour, a day, a week, longer.
pub const TTL_BUCKETS: [&str; 6] = ["none", "<1m", "<1h", "<1d", "<7d", ">=7d"];

fn ttl_bucket(ttl: i64) -> usize {
    match ttl {
        t if t < 0 => 0,
        t if t < 60 => 1,
        t if t < 3600 => 2,
        t if t < 86_400 => 3,
        t if t < 7 * 86_400 => 4,
        _ => 5,
    }
}

#[derive(Debug, Clone, Default)]
struct Group {
    keys: u64,
    bytes: u64,
    no_ttl: u64,
    types: BTreeMap<String, u64>,
    encodings: BTreeMap<String, u64>,
    ttl: [u64; 6],
    largest: Top,
}

/// The `n` largest by some measure; ties keep the first seen.
#[derive(Debug, Clone, Default)]
struct Top {
    n: usize,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, Reverse<u64>, Entry)>>,
}

/// A key in a heap, ordered by nothing but the heap's measure.
#[derive(Debug, Clone)]
struct Entry(KeyInfo);

impl PartialEq for Entry {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl Top {
    fn new(n: usize) -> Top {
        Top {
            n,
            ..Top::default()
        }
    }

    fn offer(&mut self, measure: u64, key: &KeyInfo) {
        if self.n == 0 {
            return;
        }
        self.seq += 1;
        if self.heap.len() < self.n {
            self.heap
                .push(Reverse((measure, Reverse(self.seq), Entry(key.clone()))));
        } else if let Some(Reverse((least, _, _))) = self.heap.peek() {
            if measure > *least {
                self.heap.pop();
                self.heap
                    .push(Reverse((measure, Reverse(self.seq), Entry(key.clone()))));
            }
        }
    }

    /// Largest first.
    fn sorted(&self) -> Vec<KeyInfo> {
        let mut all: Vec<_> = self.heap.iter().map(|Reverse(e)| e.clone()).collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        all.into_iter().map(|(_, _, Entry(k))| k).collect()
    }
}

/// The running sums of a scan.
#[derive(Debug)]
pub struct Tally {
    max_patterns: usize,
    big: BigKeys,
    groups: HashMap<Vec<u8>, Group>,
    /// Keys whose pattern came after the cap.
    other: Group,
    pub scanned: u64,
    pub bytes: u64,
    /// Sum of squared sizes, for the sampling error.
    bytes_sq: f64,
    pub no_ttl_keys: u64,
    no_ttl_bytes: u64,
    /// Keys gone between SCAN and their MEMORY USAGE.
    pub vanished: u64,
    by_type: BTreeMap<String, (u64, u64)>,
    largest: Top,
    most_elements: Top,
    big_keys: Top,
    big_count: u64,
    /// Keys asked OBJECT ENCODING, per pattern.
    encoding_asked: HashMap<Vec<u8>, u32>,
}

/// Keys per pattern whose encoding is asked.
pub const ENCODING_SAMPLE: u32 = 32;

const OTHER: &str = "<other patterns>";

/// Updates `map[key]`, allocating the key only the first time.
fn bump<V: Default>(map: &mut BTreeMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(v) => f(v),
        None => f(map.entry(key.to_string()).or_default()),
    }
}

impl Tally {
    pub fn new(top: usize, max_patterns: usize, big: BigKeys) -> Tally {
        Tally {
            max_patterns,
            big,
            groups: HashMap::new(),
            other: Group {
                largest: Top::new(3),
                ..Group::default()
            },
            scanned: 0,
            bytes: 0,
            bytes_sq: 0.0,
            no_ttl_keys: 0,
            no_ttl_bytes: 0,
            vanished: 0,
            by_type: BTreeMap::new(),
            largest: Top::new(top),
            most_elements: Top::new(top),
            big_keys: Top::new(top.max(20)),
            big_count: 0,
            encoding_asked: HashMap::new(),
        }
    }

    /// Whether a key's encoding is still wanted: the first few keys of each
    /// pattern are asked (encodings are a sample, keys and bytes are not).
    pub fn wants_encoding(&mut self, pat: &[u8]) -> bool {
        let full = self.encoding_asked.len() >= self.max_patterns;
        match self.encoding_asked.get_mut(pat) {
            Some(asked) if *asked < ENCODING_SAMPLE => {
                *asked += 1;
                true
            }
            Some(_) => false,
            None if full => false,
            None => {
                self.encoding_asked.insert(pat.to_vec(), 1);
                true
            }
        }
    }

    pub fn add(&mut self, k: &KeyInfo) {
        self.add_as(k, pattern::of(&k.key));
    }

    /// `add`, with the key's pattern already known.
    pub fn add_as(&mut self, k: &KeyInfo, pat: Vec<u8>) {
        self.scanned += 1;
        self.bytes += k.bytes;
        self.bytes_sq += (k.bytes as f64) * (k.bytes as f64);
        if k.ttl < 0 {
            self.no_ttl_keys += 1;
            self.no_ttl_bytes += k.bytes;
        }
        bump(&mut self.by_type, &k.kind, |t| {
            t.0 += 1;
            t.1 += k.bytes;
        });
        self.largest.offer(k.bytes, k);
        if k.kind != "string" {
            self.most_elements.offer(k.elements, k);
        }
        if self.big.is_big(k) {
            self.big_count += 1;
            self.big_keys.offer(k.bytes, k);
        }
        let group = if self.groups.contains_key(&pat) || self.groups.len() < self.max_patterns {
            self.groups.entry(pat).or_insert_with(|| Group {
                largest: Top::new(3),
                ..Group::default()
            })
        } else {
            &mut self.other
        };
        group.keys += 1;
        group.bytes += k.bytes;
        group.no_ttl += u64::from(k.ttl < 0);
        bump(&mut group.types, &k.kind, |n| *n += 1);
        if !k.encoding.is_empty() {
            bump(&mut group.encodings, &k.encoding, |n| *n += 1);
        }
        group.ttl[ttl_bucket(k.ttl)] += 1;
        group.largest.offer(k.bytes, k);
    }
}

/// A key as reported.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyView {
    /// The key, escaped as redis-cli shows it.
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub encoding: String,
    pub bytes: u64,
    pub elements: u64,
    pub ttl: i64,
}

impl From<&KeyInfo> for KeyView {
    fn from(k: &KeyInfo) -> KeyView {
        KeyView {
            key: pattern::escape(&k.key),
            kind: k.kind.clone(),
            encoding: k.encoding.clone(),
            bytes: k.bytes,
            elements: k.elements,
            ttl: k.ttl,
        }
    }
}

/// An estimate from a sample: the value and its 95% margin (±).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub margin: f64,
}

/// One pattern's share of the keyspace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatternView {
    pub pattern: String,
    pub keys: u64,
    pub bytes: u64,
    /// Share of the scanned bytes, 0-1.
    pub share: f64,
    pub no_ttl_keys: u64,
    pub types: BTreeMap<String, u64>,
    /// Encodings of up to 32 keys of the pattern (a sample: OBJECT ENCODING
    /// is not asked of every key).
    pub encodings: BTreeMap<String, u64>,
    /// Keys per TTL bucket: none, <1m, <1h, <1d, <7d, >=7d.
    pub ttl: BTreeMap<String, u64>,
    pub largest: Vec<KeyView>,
    /// With --sample: the estimated keys in the whole keyspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_keys: Option<Estimate>,
}

/// The keyspace part of a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyspaceReport {
    /// The nodes scanned, when more than one (a Cluster's primaries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// Keys in the database (DBSIZE).
    pub total_keys: u64,
    /// MEMORY USAGE summed over the scanned keys.
    pub total_bytes: u64,
    pub scanned_keys: u64,
    /// Interrupted (Ctrl-C, deadline) before the end: the figures are what
    /// was found so far.
    pub partial: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_because: Option<String>,
    /// --sample: a part of the keyspace; estimates carry a 95% margin.
    pub sampled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_total_bytes: Option<Estimate>,
    pub no_ttl_keys: u64,
    pub no_ttl_bytes: u64,
    /// Keys deleted or expired between SCAN and MEMORY USAGE (skipped).
    pub vanished_keys: u64,
    /// Patterns beyond --max-patterns, summed into `<other patterns>`.
    pub patterns_capped: bool,
    pub patterns: Vec<PatternView>,
    /// type -> keys and bytes.
    pub types: BTreeMap<String, TypeTotals>,
    pub largest: Vec<KeyView>,
    pub most_elements: Vec<KeyView>,
    pub big_key_count: u64,
    pub big_keys: Vec<KeyView>,
    pub scan_ms: f64,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct TypeTotals {
    pub keys: u64,
    pub bytes: u64,
}

impl Tally {
    /// The report; `total_keys` is DBSIZE, `sampled` says the scan stopped at
    /// --sample on purpose.
    pub fn report(&self, total_keys: u64, sampled: bool) -> KeyspaceReport {
        let n = self.scanned.max(1) as f64;
        let share = |b: u64| {
            if self.bytes == 0 {
                0.0
            } else {
                round4(b as f64 / self.bytes as f64)
            }
        };
        let view = |pat: String, g: &Group| PatternView {
            pattern: pat,
            keys: g.keys,
            bytes: g.bytes,
            share: share(g.bytes),
            no_ttl_keys: g.no_ttl,
            types: g.types.clone(),
            encodings: g.encodings.clone(),
            ttl: TTL_BUCKETS
                .iter()
                .zip(g.ttl)
                .filter(|(_, n)| *n > 0)
                .map(|(b, n)| (b.to_string(), n))
                .collect(),
            largest: g.largest.sorted().iter().map(KeyView::from).collect(),
            estimated_keys: sampled.then(|| {
                let p = g.keys as f64 / n;
                Estimate {
                    value: (p * total_keys as f64).round(),
                    margin: (1.96 * (p * (1.0 - p) / n).sqrt() * total_keys as f64).round(),
                }
            }),
        };
        let mut patterns: Vec<PatternView> = self
            .groups
            .iter()
            .map(|(p, g)| view(pattern::show(p), g))
            .collect();
        if self.other.keys > 0 {
            patterns.push(view(OTHER.to_string(), &self.other));
        }
        patterns.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.pattern.cmp(&b.pattern)));
        let mean = self.bytes as f64 / n;
        let variance = (self.bytes_sq / n - mean * mean).max(0.0);
        KeyspaceReport {
            nodes: Vec::new(),
            total_keys,
            total_bytes: self.bytes,
            scanned_keys: self.scanned,
            partial: false,
            stopped_because: None,
            sampled,
            estimated_total_bytes: sampled.then(|| Estimate {
                value: (mean * total_keys as f64).round(),
                margin: (1.96 * (variance / n).sqrt() * total_keys as f64).round(),
            }),
            no_ttl_keys: self.no_ttl_keys,
            no_ttl_bytes: self.no_ttl_bytes,
            vanished_keys: self.vanished,
            patterns_capped: self.other.keys > 0,
            patterns,
            types: self
                .by_type
                .iter()
                .map(|(t, (k, b))| {
                    (
                        t.clone(),
                        TypeTotals {
                            keys: *k,
                            bytes: *b,
                        },
                    )
                })
                .collect(),
            largest: self.largest.sorted().iter().map(KeyView::from).collect(),
            most_elements: self
                .most_elements
                .sorted()
                .iter()
                .map(KeyView::from)
                .collect(),
            big_key_count: self.big_count,
            big_keys: self.big_keys.sorted().iter().map(KeyView::from).collect(),
            scan_ms: 0.0,
        }
    }
}

impl KeyspaceReport {
    /// The `keyspace_scan` fact runbooks read.
    pub fn fact(&self) -> serde_json::Value {
        let no_ttl_share = if self.total_bytes == 0 {
            0.0
        } else {
            round4(self.no_ttl_bytes as f64 / self.total_bytes as f64)
        };
        serde_json::json!({
            "scanned_keys": self.scanned_keys,
            "total_keys": self.total_keys,
            "total_bytes": self.estimated_total_bytes.map_or(self.total_bytes, |e| e.value as u64),
            "partial": self.partial,
            "sampled": self.sampled,
            "no_ttl_keys": self.no_ttl_keys,
            "no_ttl_bytes_share": no_ttl_share,
            "big_key_count": self.big_key_count,
            "patterns": self.patterns.iter().take(50).map(|p| serde_json::json!({
                "pattern": p.pattern,
                "keys": p.keys,
                "bytes": p.bytes,
                "share": p.share,
                "no_ttl_keys": p.no_ttl_keys,
                "no_ttl_share": if p.keys == 0 { 0.0 } else { round4(p.no_ttl_keys as f64 / p.keys as f64) },
            })).collect::<Vec<_>>(),
            "big_keys": self.big_keys.iter().map(|k| serde_json::json!({
                "key": k.key, "type": k.kind, "bytes": k.bytes, "elements": k.elements, "ttl": k.ttl,
            })).collect::<Vec<_>>(),
        })
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str, kind: &str, bytes: u64, elements: u64, ttl: i64) -> KeyInfo {
        KeyInfo {
            key: k.as_bytes().to_vec(),
            kind: kind.into(),
            encoding: "raw".into(),
            bytes,
            elements,
            ttl,
        }
    }

    const BIG: BigKeys = BigKeys {
        string_bytes: 1000,
        collection_members: 10,
        list_elements: 20,
    };

    #[test]
    fn groups_tops_and_totals() {
        let mut t = Tally::new(2, 100, BIG);
        for i in 0..10 {
            t.add(&key(&format!("user:{i}:profile"), "hash", 100 + i, 5, -1));
        }
        t.add(&key("session:abc", "string", 5000, 5000, 30));
        t.add(&key("queue", "list", 10, 50, -1));
        let r = t.report(12, false);
        assert_eq!(
            (r.scanned_keys, r.total_bytes),
            (12, 10 * 100 + 45 + 5000 + 10)
        );
        assert_eq!(r.patterns[0].pattern, "session:abc");
        let users = r
            .patterns
            .iter()
            .find(|p| p.pattern == "user:*:profile")
            .unwrap();
        assert_eq!((users.keys, users.bytes, users.no_ttl_keys), (10, 1045, 10));
        assert_eq!(users.largest[0].key, "user:9:profile");
        assert_eq!(
            r.largest.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
            ["session:abc", "user:9:profile"]
        );
        assert_eq!(r.most_elements[0].key, "queue");
        assert_eq!(r.big_key_count, 2);
        assert_eq!(
            r.types["hash"],
            TypeTotals {
                keys: 10,
                bytes: 1045
            }
        );
        assert_eq!(r.no_ttl_keys, 11);
        assert_eq!(users.ttl["none"], 10);
    }

    #[test]
    fn patterns_past_the_cap_are_summed_and_said() {
        let mut t = Tally::new(1, 2, BIG);
        t.add(&key("a:1", "string", 1, 1, -1));
        t.add(&key("b:1", "string", 1, 1, -1));
        t.add(&key("c:1", "string", 1, 1, -1));
        t.add(&key("d:1", "string", 1, 1, -1));
        t.add(&key("a:2", "string", 1, 1, -1));
        let r = t.report(5, false);
        assert!(r.patterns_capped);
        let other = r.patterns.iter().find(|p| p.pattern == OTHER).unwrap();
        assert_eq!(other.keys, 2);
        assert_eq!(r.patterns.iter().map(|p| p.keys).sum::<u64>(), 5);
    }

    #[test]
    fn sample_estimates_carry_a_margin() {
        let mut t = Tally::new(1, 10, BIG);
        for i in 0..100 {
            let k = if i % 4 == 0 {
                format!("a:{i}")
            } else {
                format!("b:{i}")
            };
            t.add(&key(&k, "string", 100, 1, -1));
        }
        let r = t.report(10_000, true);
        let a = r.patterns.iter().find(|p| p.pattern == "a:*").unwrap();
        let est = a.estimated_keys.unwrap();
        assert_eq!(est.value, 2500.0);
        assert!(est.margin > 500.0 && est.margin < 1000.0, "{est:?}");
        let total = r.estimated_total_bytes.unwrap();
        assert_eq!((total.value, total.margin), (1_000_000.0, 0.0));
    }
}
