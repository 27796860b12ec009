//! Summing a keyspace scan up in bounded memory: one group per pattern (up
//! to a cap; the rest in one `<other patterns>` group, said so), heaps for
//! the largest keys, no per-key storage.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use super::pattern;

/// One scanned key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeyInfo {
    pub key: Vec<u8>,
    /// Names the server gives (a dump's are its reader's constants: no
    /// allocation a key).
    pub kind: Cow<'static, str>,
    pub encoding: Cow<'static, str>,
    pub bytes: u64,
    /// Members, fields or elements; the length of a string.
    pub elements: u64,
    /// Seconds to live; -1 without a TTL.
    pub ttl: i64,
    /// OBJECT FREQ (asked under an LFU policy).
    #[serde(default)]
    pub freq: Option<u64>,
    /// Seconds since the key was last touched (a dump's LRU idle field).
    #[serde(default)]
    pub idle: Option<u64>,
}

/// What counts as a big key (from the keyspace runbook's thresholds).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct BigKeys {
    pub string_bytes: u64,
    pub collection_members: u64,
    pub list_elements: u64,
}

impl BigKeys {
    fn is_big(&self, k: &KeyInfo) -> bool {
        // As bytes: matched in place, with no call to compare.
        match k.kind.as_bytes() {
            b"string" => k.bytes > self.string_bytes,
            b"list" => k.elements > self.list_elements,
            b"hash" | b"set" | b"zset" | b"stream" | b"path-hash" => {
                k.elements > self.collection_members
            }
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Group {
    keys: u64,
    bytes: u64,
    no_ttl: u64,
    types: Counts<u64>,
    encodings: Counts<u64>,
    ttl: [u64; 6],
    largest: Top,
    /// What each `*` of the pattern stood for: its first value, and
    /// whether another key's differed (then it stays `*`).
    slots: Vec<Slot>,
    /// Every slot varies: no need to look at another key's values.
    settled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Slot {
    first: Vec<u8>,
    varies: bool,
}

impl Group {
    /// Takes in the values `key`'s wildcards stood for.
    /// `spans`: where the key's wildcards are, when already known.
    fn observe(&mut self, key: &[u8], spans: Option<&[(usize, usize)]>) {
        if self.settled {
            return;
        }
        let found;
        let spans = if let Some(s) = spans {
            s
        } else {
            found = pattern::captures(key).1;
            &found
        };
        for (i, &(from, to)) in spans.iter().enumerate() {
            let value = &key[from..to];
            match self.slots.get_mut(i) {
                Some(slot) => slot.varies |= slot.first != value,
                None => self.slots.push(Slot {
                    first: value.to_vec(),
                    varies: false,
                }),
            }
        }
        self.settled = !self.slots.is_empty() && self.slots.iter().all(|s| s.varies);
    }

    /// Takes in another group's keys (merged under a wider pattern).
    fn absorb(&mut self, other: &Group) {
        self.keys += other.keys;
        self.bytes += other.bytes;
        self.no_ttl += other.no_ttl;
        for (k, n) in other.types.iter() {
            self.types.bump(k, |m| *m += n);
        }
        for (k, n) in other.encodings.iter() {
            self.encodings.bump(k, |m| *m += n);
        }
        for (a, b) in self.ttl.iter_mut().zip(other.ttl) {
            *a += b;
        }
        for k in other.largest.sorted() {
            self.largest.offer(k.bytes, &k);
        }
        // A merged group's wildcards vary by construction.
        self.settled = true;
    }

    /// The pattern as reported: a `*` whose value never varied is that
    /// value (`v*` read `v2` when every key said `v2`).
    fn shown(&self, pattern: &[u8]) -> Vec<u8> {
        if self.settled || self.slots.is_empty() {
            return pattern.to_vec();
        }
        // One key proves no value constant: then only a short one (a
        // version, a shard's number) is written back, never an id.
        let constant: Vec<Option<&[u8]>> = self
            .slots
            .iter()
            .map(|s| {
                let short = s.first.len() <= 3 && s.first.iter().all(u8::is_ascii_alphanumeric);
                (!s.varies && (self.keys > 1 || short)).then_some(s.first.as_slice())
            })
            .collect();
        pattern::restore(pattern, &constant)
    }
}

/// The `n` largest by some measure; ties keep the first seen.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Top {
    n: usize,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, Reverse<u64>, Entry)>>,
}

/// A key in a heap, ordered by nothing but the heap's measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// The running sums of a scan (kept in a resume file between runs).
#[derive(Debug, Serialize, Deserialize)]
pub struct Tally {
    max_patterns: usize,
    big: BigKeys,
    groups: Groups,
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
    by_type: Counts<(u64, u64)>,
    largest: Top,
    most_elements: Top,
    big_keys: Top,
    big_count: u64,
    /// The keys with the highest OBJECT FREQ (under an LFU policy).
    #[serde(default)]
    hottest: Top,
    /// The keys idle longest (a dump's LRU idle field).
    #[serde(default)]
    coldest: Top,
    /// Keys asked OBJECT ENCODING, per pattern.
    #[serde(with = "byte_map")]
    encoding_asked: HashMap<Vec<u8>, u32>,
    /// Groups made under each stem, and the stems that took over: once a
    /// stem has had `PROMOTE_AT` groups under it, its new ones are it.
    #[serde(with = "byte_map")]
    children: HashMap<Vec<u8>, u32>,
    promoted: std::collections::HashSet<Vec<u8>>,
    /// The last key's pattern and its wildcards' spans, kept from one key
    /// to the next.
    #[serde(skip)]
    captures: pattern::Captures,
    /// Where the last key counted went, while the next has its pattern.
    #[serde(skip)]
    last: Option<Place>,
}

/// Patterns to their groups: a fast seeded hash, the pattern of every key
/// is looked up once.
type ByteMap<V> = HashMap<Vec<u8>, V, foldhash::fast::RandomState>;

/// The pattern groups, in the order they were made, and where each is by
/// its pattern. Kept (and shown in a resume file) as pairs.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(from = "Vec<(Vec<u8>, Group)>", into = "Vec<(Vec<u8>, Group)>")]
struct Groups {
    index: ByteMap<usize>,
    all: Vec<(Vec<u8>, Group)>,
}

impl Groups {
    fn find(&self, pattern: &[u8]) -> Option<usize> {
        self.index.get(pattern).copied()
    }

    fn get(&self, pattern: &[u8]) -> Option<&Group> {
        self.find(pattern).map(|i| &self.all[i].1)
    }

    /// Where `pattern`'s group is, made if need be.
    fn place(&mut self, pattern: Vec<u8>) -> usize {
        if let Some(i) = self.find(&pattern) {
            return i;
        }
        self.index.insert(pattern.clone(), self.all.len());
        self.all.push((
            pattern,
            Group {
                largest: Top::new(3),
                ..Group::default()
            },
        ));
        self.all.len() - 1
    }

    fn len(&self) -> usize {
        self.all.len()
    }

    fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Group)> {
        self.all.iter().map(|(p, g)| (p, g))
    }
}

impl Clone for Groups {
    fn clone(&self) -> Groups {
        Groups::from(self.all.clone())
    }
}

impl From<Vec<(Vec<u8>, Group)>> for Groups {
    fn from(all: Vec<(Vec<u8>, Group)>) -> Groups {
        let index = all
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (p.clone(), i))
            .collect();
        Groups { index, all }
    }
}

impl From<Groups> for Vec<(Vec<u8>, Group)> {
    fn from(g: Groups) -> Vec<(Vec<u8>, Group)> {
        g.all
    }
}

/// Where a key was counted: a pattern's group, or the other patterns'.
#[derive(Debug, Clone, Copy)]
enum Place {
    Group(usize),
    Other,
}

/// A map keyed by bytes, as a list of pairs (JSON keys are text).
mod byte_map {
    use std::collections::HashMap;
    use std::hash::BuildHasher;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer, V: Serialize, H>(
        map: &HashMap<Vec<u8>, V, H>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, D, V, H>(d: D) -> Result<HashMap<Vec<u8>, V, H>, D::Error>
    where
        D: Deserializer<'de>,
        V: Deserialize<'de>,
        H: BuildHasher + Default,
    {
        Ok(Vec::<(Vec<u8>, V)>::deserialize(d)?.into_iter().collect())
    }
}

/// Keys per pattern whose encoding is asked.
pub const ENCODING_SAMPLE: u32 = 32;

const OTHER: &str = "<other patterns>";

/// A pattern's stem: its last part (after the last delimiter) a `*`, or
/// all of it a `*`-ended prefix when it has none (`feed:abcdef` ->
/// `feed:*`, `k7x` -> `k*`).
fn stem(pattern: &[u8]) -> Vec<u8> {
    let cut = last_part(pattern).unwrap_or_else(|| pattern.len().min(1));
    let mut s = pattern[..cut].to_vec();
    // A trailing backslash would escape the star.
    if s.last() == Some(&b'\\') {
        s.pop();
    }
    s.push(b'*');
    s
}

/// Where a pattern's last part starts: after its last delimiter, or
/// sub-delimiter, outside an escape or a `[0-9]` class; `None` without one.
fn last_part(pattern: &[u8]) -> Option<usize> {
    let mut cut = None;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b'[' => {
                while i < pattern.len() && pattern[i] != b']' {
                    i += 1;
                }
            }
            b if pattern::DELIMITERS.contains(&b) || pattern::SUB_DELIMITERS.contains(&b) => {
                cut = Some(i + 1);
            }
            _ => {}
        }
        i += 1;
    }
    cut
}

/// Groups are merged into their stem when at least this many of them, of
/// at most `FEW` keys each, share it: names that are ids nothing marks as
/// such (`feed:kqzvxw`, a base-36 id of letters only).
const MERGE_AT: usize = 10;
/// Groups under one stem after which its new patterns are the stem's.
const PROMOTE_AT: u32 = 64;
const FEW: u64 = 2;

/// Whether a pattern's last part is a short glued id (`k*`, `qc*`): the
/// start of a random id (base 36), not a word, when many such siblings
/// share a stem.
fn glued_tail(pattern: &[u8]) -> bool {
    let tail = &pattern[last_part(pattern).unwrap_or(0)..];
    let head = tail
        .strip_suffix(pattern::DIGITS)
        .or_else(|| tail.strip_suffix(b"*"))
        .unwrap_or(b"");
    (1..=3).contains(&head.len()) && head.iter().all(u8::is_ascii_alphabetic)
}

/// Merges into their stem the groups of few keys, or of a short glued id,
/// that share it with many others.
fn merge_singletons(groups: &Groups) -> Vec<(Vec<u8>, Group)> {
    let mut by_stem: HashMap<Vec<u8>, Vec<&Vec<u8>>> = HashMap::new();
    for (p, g) in groups.iter() {
        if g.keys <= FEW || glued_tail(p) {
            by_stem.entry(stem(p)).or_default().push(p);
        }
    }
    let mut merged: HashMap<Vec<u8>, Group> = HashMap::new();
    let mut gone: std::collections::HashSet<&Vec<u8>> = std::collections::HashSet::new();
    for (stem, members) in by_stem {
        if members.len() < MERGE_AT {
            continue;
        }
        let into = merged.entry(stem.clone()).or_insert_with(|| {
            groups.get(&stem).cloned().unwrap_or_else(|| Group {
                largest: Top::new(3),
                ..Group::default()
            })
        });
        for p in members {
            if *p != stem {
                into.absorb(groups.get(p).expect("a member is a group"));
                gone.insert(p);
            }
        }
    }
    let mut out: Vec<(Vec<u8>, Group)> = groups
        .iter()
        .filter(|(p, _)| !gone.contains(p) && !merged.contains_key(*p))
        .map(|(p, g)| (p.clone(), g.clone()))
        .collect();
    out.extend(merged);
    out
}

/// Updates `map[key]`, allocating the key only the first time.
/// Counts by the names a server gives types and encodings: a handful of
/// names, looked up for every key, the last one found first (a dump's
/// names are constants: the same address is the same name). Kept and
/// shown sorted by name, as a map.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(
    from = "BTreeMap<String, V>",
    into = "BTreeMap<String, V>",
    bound = "V: Clone + Serialize + serde::de::DeserializeOwned"
)]
struct Counts<V> {
    by: Vec<(Cow<'static, str>, V)>,
    #[serde(skip)]
    last: usize,
}

impl<V: Default> Counts<V> {
    // A `Cow`, not a `str`: a constant name is kept as it is, no copy.
    #[allow(clippy::ptr_arg)]
    fn bump(&mut self, name: &Cow<'static, str>, f: impl FnOnce(&mut V)) {
        let same = |n: &str| (n.as_ptr() == name.as_ptr() && n.len() == name.len()) || n == name;
        if !self.by.get(self.last).is_some_and(|(n, _)| same(n)) {
            self.last = self
                .by
                .iter()
                .position(|(n, _)| same(n))
                .unwrap_or_else(|| {
                    self.by.push((name.clone(), V::default()));
                    self.by.len() - 1
                });
        }
        f(&mut self.by[self.last].1);
    }

    fn iter(&self) -> impl Iterator<Item = (&Cow<'static, str>, &V)> {
        self.by.iter().map(|(n, v)| (n, v))
    }
}

impl<V> From<BTreeMap<String, V>> for Counts<V> {
    fn from(map: BTreeMap<String, V>) -> Counts<V> {
        Counts {
            by: map.into_iter().map(|(n, v)| (Cow::Owned(n), v)).collect(),
            last: 0,
        }
    }
}

impl<V> From<Counts<V>> for BTreeMap<String, V> {
    fn from(c: Counts<V>) -> BTreeMap<String, V> {
        c.by.into_iter().map(|(n, v)| (n.into_owned(), v)).collect()
    }
}

impl Tally {
    pub fn new(top: usize, max_patterns: usize, big: BigKeys) -> Tally {
        Tally {
            max_patterns,
            big,
            groups: Groups::default(),
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
            by_type: Counts::default(),
            largest: Top::new(top),
            most_elements: Top::new(top),
            big_keys: Top::new(top.max(20)),
            big_count: 0,
            hottest: Top::new(top),
            coldest: Top::new(top),
            encoding_asked: HashMap::new(),
            children: HashMap::new(),
            promoted: std::collections::HashSet::new(),
            captures: pattern::Captures::default(),
            last: None,
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
        let mut captures = std::mem::take(&mut self.captures);
        // A key of the last key's pattern goes where it went.
        let known = if captures.take(&k.key) {
            self.last
        } else {
            None
        };
        self.add_with(k, captures.pattern(), Some(captures.spans()), known);
        self.captures = captures;
    }

    /// The keys with the highest OBJECT FREQ, hottest first.
    pub fn hottest(&self) -> Vec<KeyView> {
        self.hottest.sorted().iter().map(KeyView::from).collect()
    }

    /// The keys idle longest, coldest first.
    pub fn coldest(&self) -> Vec<KeyView> {
        self.coldest.sorted().iter().map(KeyView::from).collect()
    }

    /// `add`, with the key's pattern already known.
    pub fn add_as(&mut self, k: &KeyInfo, pat: &[u8]) {
        self.add_with(k, pat, None, None);
        // Not the pattern `add` kept.
        self.last = None;
    }

    /// Counts `k` in, its pattern `pat` (`known`: where the last key of
    /// that pattern went).
    fn add_with(
        &mut self,
        k: &KeyInfo,
        pat: &[u8],
        spans: Option<&[(usize, usize)]>,
        known: Option<Place>,
    ) {
        self.scanned += 1;
        self.bytes += k.bytes;
        self.bytes_sq += (k.bytes as f64) * (k.bytes as f64);
        if k.ttl < 0 {
            self.no_ttl_keys += 1;
            self.no_ttl_bytes += k.bytes;
        }
        self.by_type.bump(&k.kind, |t| {
            t.0 += 1;
            t.1 += k.bytes;
        });
        self.largest.offer(k.bytes, k);
        if !matches!(k.kind.as_bytes(), b"string") {
            self.most_elements.offer(k.elements, k);
        }
        if self.big.is_big(k) {
            self.big_count += 1;
            self.big_keys.offer(k.bytes, k);
        }
        if let Some(f) = k.freq {
            self.hottest.offer(f, k);
        }
        if let Some(idle) = k.idle {
            self.coldest.offer(idle, k);
        }
        let place = known.unwrap_or_else(|| self.place(pat));
        self.last = Some(place);
        let group = match place {
            Place::Group(i) => {
                let group = &mut self.groups.all[i].1;
                group.observe(&k.key, spans);
                group
            }
            Place::Other => &mut self.other,
        };
        group.count(k);
    }

    /// Where a key of pattern `pat` is counted: its pattern's group, when
    /// it has one (most keys). A new pattern under a stem that has had many
    /// (ids nothing marks as such: `feed:kqzvx1`) is its stem's. Past the
    /// cap, a new pattern joins its stem's group, made while a tenth more
    /// groups fit; only then the rest.
    fn place(&mut self, pat: &[u8]) -> Place {
        if let Some(i) = self.groups.find(pat) {
            return Place::Group(i);
        }
        let pat = if self.groups.len() < self.max_patterns {
            let st = stem(pat);
            if self.promoted.contains(&st) {
                Some(st)
            } else {
                let n = self.children.entry(st.clone()).or_default();
                *n += 1;
                if *n >= PROMOTE_AT {
                    self.promoted.insert(st);
                }
                Some(pat.to_vec())
            }
        } else {
            let stem = stem(pat);
            (self.groups.find(&stem).is_some()
                || self.groups.len() < self.max_patterns + self.max_patterns / 10)
                .then_some(stem)
        };
        pat.map_or(Place::Other, |pat| Place::Group(self.groups.place(pat)))
    }
}

impl Group {
    /// Counts a key in.
    fn count(&mut self, k: &KeyInfo) {
        let group = self;
        group.keys += 1;
        group.bytes += k.bytes;
        group.no_ttl += u64::from(k.ttl < 0);
        group.types.bump(&k.kind, |n| *n += 1);
        if !k.encoding.is_empty() {
            group.encodings.bump(&k.encoding, |n| *n += 1);
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
    /// OBJECT FREQ: the LFU policy's access counter (0-255, logarithmic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freq: Option<u64>,
    /// Seconds since last touched, from a dump's LRU idle field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle: Option<u64>,
}

impl From<&KeyInfo> for KeyView {
    fn from(k: &KeyInfo) -> KeyView {
        KeyView {
            key: pattern::escape(&k.key),
            kind: k.kind.to_string(),
            encoding: k.encoding.to_string(),
            bytes: k.bytes,
            elements: k.elements,
            ttl: k.ttl,
            freq: k.freq,
            idle: k.idle,
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
    /// Under an LFU policy: the keys with the highest OBJECT FREQ (the
    /// policy's access counter), hottest first; absent otherwise
    /// (`cachectl hotkeys --sample` measures them then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hot_keys: Option<Vec<KeyView>>,
    /// From a dump with LRU idle times: the keys idle longest, coldest
    /// first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_keys: Option<Vec<KeyView>>,
    /// Where the figures come from: `scan` (a live keyspace) or `rdb` (a
    /// dump, its keys' memory estimated: `dump` says how).
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dump: Option<Box<crate::scan::dump::DumpInfo>>,
    pub scan_ms: f64,
    /// `--resume FILE`: whether this run went on from an earlier one. A
    /// resumed SCAN may return a key twice if the keyspace changed
    /// between the runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<super::resume::ResumeNote>,
}

/// Where a keyspace report's figures come from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// SCAN and MEMORY USAGE on the live server.
    Scan,
    /// An RDB dump, read offline.
    Rdb,
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
            types: g.types.clone().into(),
            encodings: g.encodings.clone().into(),
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
        let mut patterns: Vec<PatternView> = merge_singletons(&self.groups)
            .iter()
            .map(|(p, g)| view(pattern::show(&g.shown(p)), g))
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
                        t.to_string(),
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
            hot_keys: None,
            cold_keys: None,
            source: Source::Scan,
            dump: None,
            scan_ms: 0.0,
            resume: None,
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
            "stopped_because": self.stopped_because.as_deref().unwrap_or_default(),
            "source": self.source,
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
            kind: kind.to_string().into(),
            encoding: "raw".into(),
            bytes,
            elements,
            ttl,
            freq: None,
            idle: None,
        }
    }

    /// A small deterministic generator (xorshift64*), for key names.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
            (0..n)
                .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
                .collect()
        }
    }

    const HEX: &[u8] = b"0123456789abcdef";
    const B36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    const B62: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// Twenty ways real applications name their keys, each its own
    /// generator; `n` keys from each.
    ///  1 `session:<uuid>`              11 `token:<20 base-62>`
    ///  2 `user:<id>:profile`           12 `avatar:<md5 hex>`
    ///  3 `user<id>` (glued)            13 `queue:shard<0-15>:job:<id>`
    ///  4 `k<id>` (redis-benchmark)     14 `tenant:{<id>}:orders:<id>`
    ///  5 `cart<id>:items`              15 `img/<year>/<month>/<hex8>.jpg`
    ///  6 `item_<hex 4-6>`              16 `lock:order:<id>`
    ///  7 `product:<id>:v2` (one version) 17 `feed:<6 base-36>` (some all letters)
    ///  8 `api:v<1-3>:users:<id>`       18 `counter:<yyyymmdd>`
    ///  9 `rate:<ipv4>`                 19 `geo:<lat>,<lon>`
    /// 10 `report:<date>:daily`         20 `cache:v3:page-<n>`
    fn generate(which: usize, i: u64, r: &mut Rng) -> String {
        match which {
            0 => format!(
                "session:{}-{}-{}-{}-{}",
                r.chars(HEX, 8),
                r.chars(HEX, 4),
                r.chars(HEX, 4),
                r.chars(HEX, 4),
                r.chars(HEX, 12)
            ),
            1 => format!("user:{i}:profile"),
            2 => format!("user{}", 1000 + i),
            3 => format!("k{i}"),
            4 => format!("cart{i}:items"),
            5 => {
                let n = 4 + r.below(3) as usize;
                format!("item_{}", r.chars(HEX, n))
            }
            6 => format!("product:{i}:v2"),
            7 => format!("api:v{}:users:{i}", 1 + r.below(3)),
            8 => format!("rate:10.{}.{}.{}", r.below(256), r.below(256), r.below(256)),
            9 => format!(
                "report:2026-{:02}-{:02}:daily",
                1 + r.below(12),
                1 + r.below(28)
            ),
            10 => format!("token:{}", r.chars(B62, 20)),
            11 => format!("avatar:{}", r.chars(HEX, 32)),
            12 => format!("queue:shard{}:job:{i}", r.below(16)),
            13 => format!("tenant:{{{}}}:orders:{i}", r.below(500)),
            14 => format!(
                "img/20{}/{:02}/{}.jpg",
                10 + r.below(16),
                1 + r.below(12),
                r.chars(HEX, 8)
            ),
            15 => format!("lock:order:{i}"),
            16 => format!("feed:{}", r.chars(B36, 6)),
            17 => format!("counter:2026{:02}{:02}", 1 + r.below(12), 1 + r.below(28)),
            18 => format!(
                "geo:{}.{},{}.{}",
                r.below(90),
                r.below(100),
                r.below(180),
                r.below(100)
            ),
            _ => format!("cache:v3:page-{}", r.below(5000)),
        }
    }

    /// 1M keys, 50,000 from each of twenty generators of real-world names:
    /// every generator's keys land in one or two patterns, and no pattern
    /// holds keys of two generators.
    #[test]
    fn a_million_real_world_names_group_by_their_generator() {
        let per = 50_000;
        let mut tally = Tally::new(3, 10_000, BIG);
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut of_pattern: HashMap<String, std::collections::BTreeSet<usize>> = HashMap::new();
        for which in 0..20 {
            for i in 0..per {
                let name = generate(which, i, &mut r);
                tally.add(&key(&name, "string", 100, 1, -1));
            }
        }
        let report = tally.report(20 * per, false);
        assert!(
            report.patterns.iter().all(|p| p.pattern != OTHER),
            "keys spilled into {OTHER}"
        );
        // Which generator each reported pattern's keys came from: every
        // generator's keys again, matched against the reported patterns.
        let patterns: Vec<String> = report.patterns.iter().map(|p| p.pattern.clone()).collect();
        let matcher = |pat: &str, name: &str| glob(pat.as_bytes(), name.as_bytes());
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut per_generator: Vec<std::collections::BTreeSet<String>> =
            vec![std::collections::BTreeSet::new(); 20];
        for (which, seen) in per_generator.iter_mut().enumerate() {
            for i in 0..per {
                let name = generate(which, i, &mut r);
                if i % 97 != 0 {
                    continue;
                }
                let hit: Vec<&String> = patterns.iter().filter(|p| matcher(p, &name)).collect();
                assert!(
                    !hit.is_empty(),
                    "{name} matches no pattern of {patterns:#?}"
                );
                for h in hit {
                    seen.insert(h.clone());
                    of_pattern.entry(h.clone()).or_default().insert(which);
                }
            }
        }
        for (which, pats) in per_generator.iter().enumerate() {
            assert!(
                pats.len() <= 2,
                "generator {} ({}) spread over {pats:?}",
                which + 1,
                generate(which, 7, &mut Rng(1))
            );
        }
        for (pat, gens) in &of_pattern {
            assert_eq!(gens.len(), 1, "{pat} mixes generators {gens:?}");
        }
        // Constant parts stay literal, varying ones do not.
        assert!(
            patterns.contains(&"product:*:v2".to_string()),
            "{patterns:#?}"
        );
        assert!(
            patterns.contains(&"api:v[0-9]*:users:*".to_string()),
            "{patterns:#?}"
        );
        assert!(
            patterns.contains(&"cache:v3:page-*".to_string()),
            "{patterns:#?}"
        );
        assert!(patterns.contains(&"k[0-9]*".to_string()), "{patterns:#?}");
    }

    /// Redis's glob, as SCAN MATCH reads a pattern (`*`, `?`, `\x`).
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|i| glob(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && glob(&p[1..], &s[1..]),
            Some(b'[') if p.starts_with(b"[0-9]") => {
                s.first().is_some_and(u8::is_ascii_digit) && glob(&p[5..], &s[1..])
            }
            Some(b'\\') if p.len() > 1 => s.first() == Some(&p[1]) && glob(&p[2..], &s[1..]),
            Some(c) => s.first() == Some(c) && glob(&p[1..], &s[1..]),
        }
    }

    const BIG: BigKeys = BigKeys {
        string_bytes: 1000,
        collection_members: 10,
        list_elements: 20,
    };

    /// A key whose pattern is kept from the last goes where that key
    /// went: the report is the one each key's pattern built afresh makes,
    /// through promotion to stems, the cap and the other patterns.
    #[test]
    fn kept_patterns_count_as_patterns_built_afresh() {
        let mut next = crate::scan::draws(0x9e37_79b9_7f4a_7c15_u64);
        let (mut kept, mut afresh) = (Tally::new(5, 40, BIG), Tally::new(5, 40, BIG));
        for i in 0..20_000 {
            let letter = |n: u64| char::from(b'a' + n as u8);
            let name = match next(8) {
                0 | 1 => format!("user:{}:cart", next(100_000)),
                // Many under one stem (promoted to it), and many stems
                // (past the cap: their stems, then the other patterns).
                2 => format!("feed:{}{}", letter(next(26)), letter(next(26))),
                3 => format!("{}{}:{}", letter(next(26)), letter(next(26)), next(9)),
                4 => format!("k{}x:{}", next(90), next(1000)),
                5 => format!("ip:10.0.0.{}", next(400)),
                _ => format!("s{i}:t{}", next(3)),
            };
            let k = key(&name, "string", 10 + next(100), 5, -1);
            kept.add(&k);
            afresh.add_as(&k, &pattern::of(k.key.as_slice()));
        }
        let (a, b) = (kept.report(20_000, false), afresh.report(20_000, false));
        for (x, y) in a.patterns.iter().zip(&b.patterns) {
            assert_eq!(
                serde_json::to_value(x).unwrap(),
                serde_json::to_value(y).unwrap()
            );
        }
        assert_eq!(a.patterns.len(), b.patterns.len());
        assert!(a.patterns.iter().any(|p| p.pattern == OTHER));
    }

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
