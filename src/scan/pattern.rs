//! Key patterns: `user:123:profile` and `user:9:profile` are one
//! `user:*:profile`; 80,000 `session:<uuid>` keys are one `session:*`.
//! Segments between delimiters that look like ids (numbers, UUIDs, hex
//! hashes, IPs, dates, long random tokens, bytes that are not text) become
//! `*`. Keys are bytes: nothing is lost or mangled, and a literal glob
//! character in a key is escaped (`\*`), so a pattern is also a valid SCAN
//! MATCH pattern.

/// Bytes that separate the parts of a key.
pub(crate) const DELIMITERS: &[u8] = b":/|;,#{}=@ ";

/// Bytes that separate the words of one part (`page-17`, `v2_cache`).
pub(crate) const SUB_DELIMITERS: &[u8] = b".-_";

/// What each byte is, for the one pass over a key (this runs for every
/// byte of every key a scan or a dump reads).
const DELIM: u8 = 1;
const SUB: u8 = 2;
const DIGIT: u8 = 4;
const ALPHA: u8 = 8;
const HEX: u8 = 16;
const GLOB: u8 = 32;
/// Allowed in a token: letters, digits and `-_+=`.
const TOKEN: u8 = 64;
/// Printable ASCII, no space.
const GRAPHIC: u8 = 128;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut k = 0;
        if c.is_ascii_digit() {
            k |= DIGIT | HEX;
        }
        if c.is_ascii_alphabetic() {
            k |= ALPHA;
        }
        if c.is_ascii_hexdigit() {
            k |= HEX;
        }
        if c.is_ascii_graphic() {
            k |= GRAPHIC;
        }
        if c.is_ascii_alphanumeric() {
            k |= TOKEN;
        }
        t[b] = k;
        b += 1;
    }
    t = mark(t, DELIMITERS, DELIM);
    t = mark(t, SUB_DELIMITERS, SUB);
    t = mark(t, b"*?[]\\", GLOB);
    mark(t, b"-_+=", TOKEN)
};

/// `table` with `class` added to each of `bytes`.
const fn mark(mut table: [u8; 256], bytes: &[u8], class: u8) -> [u8; 256] {
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] |= class;
        i += 1;
    }
    table
}

fn is(b: u8, class: u8) -> bool {
    CLASS[b as usize] & class != 0
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Four numbers of 0 to 255, dotted.
fn is_ipv4(s: &[u8]) -> bool {
    let mut parts = 0;
    for p in s.split(|b| *b == b'.') {
        parts += 1;
        if parts > 4 || p.is_empty() || p.len() > 3 {
            return false;
        }
        let n = p.iter().try_fold(0u16, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
        });
        if n.is_none_or(|n| n > 255) {
            return false;
        }
    }
    parts == 4
}

/// `2024-01-31`, `2024-01-31T10`, `20240131` (all digits anyway).
fn is_date(s: &[u8]) -> bool {
    s.len() >= 10
        && s[..4].iter().all(u8::is_ascii_digit)
        && s[4] == b'-'
        && s[5..7].iter().all(u8::is_ascii_digit)
        && s[7] == b'-'
        && s[8..10].iter().all(u8::is_ascii_digit)
}

/// What one pass over a part found: its digits and letters, and the
/// classes every byte has and any byte has.
#[derive(Clone, Copy)]
struct Summary {
    digits: usize,
    letters: usize,
    all: u8,
    any: u8,
}

impl Summary {
    const EMPTY: Summary = Summary {
        digits: 0,
        letters: 0,
        all: u8::MAX,
        any: 0,
    };

    fn of(s: &[u8]) -> Summary {
        let mut m = Summary::EMPTY;
        for &b in s {
            m.add(b);
        }
        m
    }

    fn add(&mut self, b: u8) {
        let c = CLASS[b as usize];
        self.all &= c;
        self.any |= c;
        self.digits += usize::from(c & DIGIT != 0);
        self.letters += usize::from(c & ALPHA != 0);
    }
}

/// A whole part that is an id of some kind, from its summary.
fn is_id(s: &[u8], m: Summary) -> bool {
    !s.is_empty()
        // Not printable ASCII (not text, control bytes): no name a
        // person gave it.
        && (m.all & GRAPHIC == 0
            || m.digits == s.len()
            || (m.digits > 0 && s.len() >= 8 && m.all & HEX != 0)
            // Session tokens, base64 ids: long, letters and digits mixed.
            || (s.len() >= 16 && m.digits > 0 && m.letters > 0 && m.all & TOKEN != 0)
            || (s.len() == 36 && is_uuid(s))
            || (m.digits >= 4 && is_ipv4(s))
            || (m.digits >= 8 && is_date(s)))
}

/// Appends `part`, escaping glob characters.
fn push_literal(out: &mut Vec<u8>, part: &[u8]) {
    for &b in part {
        if is(b, GLOB) {
            out.push(b'\\');
        }
        out.push(b);
    }
}

/// The wildcard of a number glued to a word: a digit, then anything.
pub(crate) const DIGITS: &[u8] = b"[0-9]*";

/// A pattern being built, with the span of the key each `*` stands for.
struct Builder<'k> {
    key: &'k [u8],
    out: &'k mut Vec<u8>,
    slots: &'k mut Vec<(usize, usize)>,
}

impl Builder<'_> {
    /// A `*` for `key[from..to]`; adjacent ones are one.
    fn star(&mut self, from: usize, to: usize) {
        if self.out.last() == Some(&b'*') && !self.out.ends_with(b"\\*") {
            if let Some(last) = self.slots.last_mut() {
                last.1 = to;
                return;
            }
        }
        self.out.push(b'*');
        self.slots.push((from, to));
    }

    /// One part between delimiters, at `from`: `*` when it is an id, else
    /// its words (`page-17` -> `page-*`, `user1234` -> `user*`).
    /// `m`: the part's summary.
    fn part(&mut self, from: usize, to: usize, m: Summary) {
        let part = &self.key[from..to];
        if is_id(part, m) {
            self.star(from, to);
            return;
        }
        if m.any & SUB == 0 {
            self.word(from, to, m);
            return;
        }
        let mut start = from;
        for i in from..to {
            let b = self.key[i];
            if is(b, SUB) {
                self.word(start, i, Summary::of(&self.key[start..i]));
                self.out.push(b);
                start = i + 1;
            }
        }
        self.word(start, to, Summary::of(&self.key[start..to]));
    }

    /// `m`: the word's summary.
    fn word(&mut self, from: usize, to: usize, m: Summary) {
        let word = &self.key[from..to];
        let digits = m.digits;
        if word.is_empty() || digits == 0 {
            if m.any & GLOB == 0 {
                self.out.extend_from_slice(word);
            } else {
                push_literal(self.out, word);
            }
            return;
        }
        if digits == word.len() || (word.len() >= 8 && is_id(word, m)) {
            self.star(from, to);
            return;
        }
        // A short hex id (`9f3a`, `d7d09`, `aab12`): hex digits, some letters.
        if word.len() >= 4 && digits < word.len() && m.all & HEX != 0 {
            self.star(from, to);
            return;
        }
        // An id glued to a word: letters, then digits (`user1234`, `k7`,
        // `v2`, `shard3`): the word stays, the number is a `*`. Kept
        // literal in the report where every key has the same one.
        // `[0-9]*`, not `*`: as a SCAN MATCH pattern `user[0-9]*` leaves
        // `user:7:profile` alone.
        let letters = word.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if letters > 0 && word[letters..].iter().all(u8::is_ascii_digit) {
            push_literal(self.out, &word[..letters]);
            self.out.extend_from_slice(DIGITS);
            self.slots.push((from + letters, to));
            return;
        }
        // Short hex and base-36 ids (`9f3a`, `x7k2p`): letters and digits
        // mixed, no vowel-led word.
        if word.len() >= 4 && m.digits + m.letters == word.len() {
            self.star(from, to);
            return;
        }
        push_literal(self.out, word);
    }
}

/// The pattern of a key.
pub fn of(key: &[u8]) -> Vec<u8> {
    captures(key).0
}

/// The pattern of a key, and the span of the key each of its `*` stands
/// for, in order.
pub fn captures(key: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut out = (Vec::with_capacity(key.len()), Vec::new());
    captures_into(key, &mut out);
    out
}

/// `captures`, into buffers kept from one key to the next (no allocation
/// a key once they have grown).
pub fn captures_into(key: &[u8], (out, slots): &mut (Vec<u8>, Vec<(usize, usize)>)) {
    out.clear();
    slots.clear();
    let mut b = Builder { key, out, slots };
    // One pass: each part's summary is made as its end is looked for (in
    // locals, not the summary itself: they stay in registers).
    let (mut start, mut digits, mut letters, mut all, mut any) = (0, 0, 0, u8::MAX, 0);
    for (i, &c) in key.iter().enumerate() {
        let class = CLASS[c as usize];
        if class & DELIM != 0 {
            let m = Summary {
                digits,
                letters,
                all,
                any,
            };
            b.part(start, i, m);
            b.out.push(c);
            (start, digits, letters, all, any) = (i + 1, 0, 0, u8::MAX, 0);
        } else {
            all &= class;
            any |= class;
            digits += usize::from(class & DIGIT != 0);
            letters += usize::from(class & ALPHA != 0);
        }
    }
    let m = Summary {
        digits,
        letters,
        all,
        any,
    };
    b.part(start, key.len(), m);
}

/// A key's pattern and the spans of its `*`s, kept from one key to the
/// next. Most keys of a keyspace differ from another of their pattern in
/// the digits of an id alone (`user:9113:cart`, `user:2071:cart`), and a
/// pattern is made from what kind each byte is, not its value, but for an
/// IPv4 address (dotted, whose numbers must be 0 to 255). So a key of the
/// last built key's length that differs from it only where both have a
/// digit, with no `.` in it, has that key's pattern and spans, and is not
/// built again: the tally's work per key, a third less on such keys.
#[derive(Debug, Default)]
pub struct Captures {
    built: (Vec<u8>, Vec<(usize, usize)>),
    /// The key they were built from, whether it has a `.`, and which of
    /// its bytes a `*` stands for (1, else 0).
    from: Vec<u8>,
    dotted: bool,
    starred: Vec<u8>,
}

impl Captures {
    /// Takes `key`'s pattern and spans, building them if need be; whether
    /// they were the last key's.
    pub fn take(&mut self, key: &[u8]) -> bool {
        if self.hold_for(key) {
            return true;
        }
        captures_into(key, &mut self.built);
        self.from.clear();
        self.from.extend_from_slice(key);
        self.dotted = key.contains(&b'.');
        self.starred.clear();
        self.starred.resize(key.len(), 0);
        for &(from, to) in &self.built.1 {
            self.starred[from..to].fill(1);
        }
        false
    }

    /// Whether `key` is the key they were built from but for digits a `*`
    /// stands for (a digit of a word kept as it is, `k1x`, is the
    /// pattern's own).
    fn hold_for(&self, key: &[u8]) -> bool {
        if self.dotted || self.from.len() != key.len() {
            return false;
        }
        // In bytes of 0 and 1, without a branch: the compiler runs it in
        // vectors.
        let digit = |b: u8| u8::from(b.wrapping_sub(b'0') < 10);
        self.from
            .iter()
            .zip(key)
            .zip(&self.starred)
            .fold(1, |same, ((&a, &b), &starred)| {
                same & (u8::from(a == b) | (digit(a) & digit(b) & starred))
            })
            == 1
    }

    pub fn pattern(&self) -> &[u8] {
        &self.built.0
    }

    pub fn spans(&self) -> &[(usize, usize)] {
        &self.built.1
    }
}

/// `pattern` with each `*` whose value was the same in every key (`Some`
/// in `constant`, in order) written back as that literal value: `v*`
/// read `v2` when every key said `v2`.
pub fn restore(pattern: &[u8], constant: &[Option<&[u8]>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut slot = 0;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => {
                out.extend_from_slice(&pattern[i..i + 2]);
                i += 2;
                continue;
            }
            b'[' if pattern[i..].starts_with(DIGITS) => {
                match constant.get(slot).copied().flatten() {
                    Some(value) => push_literal(&mut out, value),
                    None => out.extend_from_slice(DIGITS),
                }
                slot += 1;
                i += DIGITS.len();
                continue;
            }
            b'*' => {
                match constant.get(slot).copied().flatten() {
                    Some(value) => push_literal(&mut out, value),
                    None => out.push(b'*'),
                }
                slot += 1;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A pattern for display: as `escape`, but its backslashes are the glob
/// escapes `of` wrote (`\*` is a literal star), so they stay single.
pub fn show(pattern: &[u8]) -> String {
    escape(pattern).replace("\\\\", "\\")
}

/// Bytes as redis-cli shows them (its `sdscatrepr`, without the quotes):
/// printable ASCII as is, `\n`, `\r`, `\t`, `\"`, `\\`, and `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kept patterns are the patterns built afresh: on keys that differ
    /// from the last in digits (ids, dates, IPs whose numbers pass 255, ids
    /// glued to words, hex, digits of a word kept as it is), and on keys of
    /// every other kind.
    #[test]
    fn kept_captures_are_the_captures_built_afresh() {
        let mut next = crate::scan::draws(0x2545_f491_4f6c_dd1d_u64);
        let shapes: [&[u8]; 16] = [
            b"user:0000:cart",
            b"id:0000000000000000000000000000000000000000000000000000000000000",
            b"id:00000000000000000000000000000000000000000000000000000000000000",
            b"k0x:000",
            b"shard1:v2:0000",
            b"ip:10.0.0.1:hits",
            b"ip:10.0.0.199:hits",
            b"day:2024-01-31:views",
            b"user0000:x",
            b"h:9f3a0",
            b"v2:feed:00000000",
            b"tok:ab00cd00ef00gh00",
            b"0000",
            b"a:b:c",
            b"k\x00",
            b"",
        ];
        let mut kept = Captures::default();
        for _ in 0..20_000 {
            let mut key = shapes[next(shapes.len() as u64) as usize].to_vec();
            for b in &mut key {
                if b.is_ascii_digit() && next(2) == 0 {
                    *b = b'0' + next(10) as u8;
                }
            }
            if next(50) == 0 {
                key.push(b'0' + next(10) as u8);
            }
            let _ = kept.take(&key);
            let (pattern, spans) = captures(&key);
            assert_eq!(
                (kept.pattern(), kept.spans()),
                (pattern.as_slice(), spans.as_slice()),
                "{}",
                String::from_utf8_lossy(&key)
            );
        }
    }

    fn p(key: &[u8]) -> String {
        String::from_utf8_lossy(&of(key)).into_owned()
    }

    #[test]
    fn ids_collapse_names_stay() {
        assert_eq!(p(b"user:123:profile"), "user:*:profile");
        assert_eq!(p(b"user:9:profile"), "user:*:profile");
        assert_eq!(
            p(b"session:6f1c1b2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"),
            "session:*"
        );
        assert_eq!(p(b"cache:page-17"), "cache:page-*");
        assert_eq!(p(b"avatar:d41d8cd98f00b204e9800998ecf8427e"), "avatar:*");
        assert_eq!(p(b"rate:10.1.2.3"), "rate:*");
        for not_ip in [
            &b"256.1.2.3"[..],
            b"1.2.3",
            b"1.2.3.4.5",
            b"1..2.3",
            b"1234.1.2.3",
        ] {
            assert!(!is_ipv4(not_ip), "{}", escape(not_ip));
        }
        assert!(is_ipv4(b"255.0.10.199"));
        assert_eq!(p(b"report:2024-01-31:daily"), "report:*:daily");
        assert_eq!(p(b"token:aB3dE5fG7hJ9kL1mN"), "token:*");
        assert_eq!(p(b"config"), "config");
        // A version is a `*` per key; the report writes it back where
        // every key has the same (`restore`).
        assert_eq!(p(b"feature_flags:v2"), "feature_flags:v[0-9]*");
        assert_eq!(p(b"tenant:{42}:orders:7"), "tenant:{*}:orders:*");
    }

    #[test]
    fn ids_glued_to_words_and_short_ids_collapse() {
        assert_eq!(p(b"k123"), "k[0-9]*");
        assert_eq!(p(b"user1234"), "user[0-9]*");
        assert_eq!(p(b"cart42:items"), "cart[0-9]*:items");
        assert_eq!(p(b"item_9f3a"), "item_*");
        assert_eq!(p(b"shard7:queue"), "shard[0-9]*:queue");
        assert_eq!(p(b"obj:x7k2p9"), "obj:*");
        assert_eq!(p(b"h2o"), "h2o");
        assert_eq!(p(b"cache:home"), "cache:home");
        let (pat, spans) = captures(b"cache:v2:user1234:cart");
        assert_eq!(pat, b"cache:v[0-9]*:user[0-9]*:cart");
        assert_eq!(spans, [(7, 8), (13, 17)]);
    }

    #[test]
    fn constant_wildcards_are_written_back() {
        let pat = of(b"api:v2:user:17");
        assert_eq!(
            restore(&pat, &[Some(b"2".as_slice()), None]),
            b"api:v2:user:*"
        );
        // An escaped literal star is no wildcard.
        let pat = of(b"glob*:v3:9");
        assert_eq!(
            restore(&pat, &[Some(b"3".as_slice()), None]),
            b"glob\\*:v3:*"
        );
    }

    #[test]
    fn bytes_and_globs_are_kept_apart() {
        assert_eq!(p(b"bin:\xff\xfe:x"), "bin:*:x");
        assert_eq!(p(b"glob:a*b?[c]"), "glob:a\\*b\\?\\[c\\]");
        assert_eq!(p(b"spaced key:1"), "spaced key:*");
        assert_eq!(escape(b"a b\n\"q\"\xff\\"), "a b\\n\\\"q\\\"\\xff\\\\");
        assert_eq!(show(&of(b"glob:a*b")), "glob:a\\*b");
    }
}

/// Whether `key` matches the glob `pattern` as SCAN MATCH and KEYS read it
/// (Redis's `stringmatchlen`): `*`, `?`, `[abc]`, `[^a-z]`, `\` escaping.
pub fn glob_matches(pattern: &[u8], key: &[u8]) -> bool {
    // Backtracking to the last `*` only: linear in practice, and never
    // exponential.
    let (mut p, mut k) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while k < key.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, k));
                p += 1;
                continue;
            }
            Some(b'?') => Some(p + 1),
            Some(b'[') => class(pattern, p, key[k]),
            Some(b'\\') if p + 1 < pattern.len() => (pattern[p + 1] == key[k]).then_some(p + 2),
            Some(&c) => (c == key[k]).then_some(p + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                p = next;
                k += 1;
            }
            (None, Some((sp, sk))) => {
                star = Some((sp, sk + 1));
                p = sp + 1;
                k = sk + 1;
            }
            (None, None) => return false,
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// A `[...]` class at `at` against `c`: where the pattern goes on if it
/// matches.
fn class(pattern: &[u8], at: usize, c: u8) -> Option<usize> {
    let mut i = at + 1;
    let not = pattern.get(i) == Some(&b'^');
    if not {
        i += 1;
    }
    let mut hit = false;
    loop {
        match pattern.get(i) {
            // An unclosed class ends with the pattern, as in Redis.
            None => break,
            Some(b']') => {
                i += 1;
                break;
            }
            Some(b'\\') if i + 1 < pattern.len() => {
                hit |= pattern[i + 1] == c;
                i += 2;
            }
            Some(&lo) if pattern.get(i + 1) == Some(&b'-') && i + 2 < pattern.len() => {
                let hi = pattern[i + 2];
                let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
                hit |= (lo..=hi).contains(&c);
                i += 3;
            }
            Some(&x) => {
                hit |= x == c;
                i += 1;
            }
        }
    }
    (hit != not).then_some(i)
}

#[cfg(test)]
mod glob_tests {
    use super::glob_matches;

    #[test]
    fn globs_match_as_redis_reads_them() {
        let m = |p: &str, k: &str| glob_matches(p.as_bytes(), k.as_bytes());
        assert!(m("*", ""));
        assert!(m("user:*", "user:42"));
        assert!(!m("user:*", "users:42"));
        assert!(m("cart[0-9]*:items", "cart42:items"));
        assert!(!m("cart[0-9]*:items", "cartx:items"));
        assert!(m("h?llo", "hello") && !m("h?llo", "hllo"));
        assert!(m("h[^e]llo", "hallo") && !m("h[^e]llo", "hello"));
        assert!(m("a\\*b", "a*b") && !m("a\\*b", "axb"));
        assert!(m("*:*:end", "a:b:c:end"));
        assert!(m("a*b*c", "aXbYbZc") && !m("a*b*c", "aXbYbZ"));
        assert!(m("[z-a]", "m"));
    }
}
