//! Key patterns: `user:123:profile` and `user:9:profile` are one
//! `user:*:profile`; 80,000 `session:<uuid>` keys are one `session:*`.
//! Segments between delimiters that look like ids (numbers, UUIDs, hex
//! hashes, IPs, dates, long random tokens, bytes that are not text) become
//! `*`. Keys are bytes: nothing is lost or mangled, and a literal glob
//! character in a key is escaped (`\*`), so a pattern is also a valid SCAN
//! MATCH pattern.

/// Bytes that separate the parts of a key.
const DELIMITERS: &[u8] = b":/|;,#{}=@ ";

/// Bytes that separate the words of one part (`page-17`, `v2_cache`).
const SUB_DELIMITERS: &[u8] = b".-_";

fn all(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.iter().all(|b| f(*b))
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn is_ipv4(s: &[u8]) -> bool {
    let parts: Vec<&[u8]> = s.split(|b| *b == b'.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            all(p, |b| b.is_ascii_digit())
                && p.len() <= 3
                && std::str::from_utf8(p)
                    .ok()
                    .and_then(|t| t.parse::<u16>().ok())
                    .is_some_and(|n| n <= 255)
        })
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

/// A whole part that is an id of some kind.
fn is_id(s: &[u8]) -> bool {
    if s.is_empty() {
        return false;
    }
    // Not text, or not printable: no name a person gave it.
    if std::str::from_utf8(s).is_err() || s.iter().any(|b| !b.is_ascii_graphic()) {
        return true;
    }
    let digits = s.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = s.iter().filter(|b| b.is_ascii_alphabetic()).count();
    all(s, |b| b.is_ascii_digit())
        || is_uuid(s)
        || is_ipv4(s)
        || is_date(s)
        || (s.len() >= 8 && digits > 0 && all(s, |b| b.is_ascii_hexdigit()))
        // Session tokens, base64 ids: long, letters and digits mixed.
        || (s.len() >= 16 && digits > 0 && letters > 0 && all(s, |b| b.is_ascii_alphanumeric() || b"-_+=".contains(&b)))
}

/// Appends `part`, escaping glob characters.
fn push_literal(out: &mut Vec<u8>, part: &[u8]) {
    for &b in part {
        if b"*?[]\\".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
}

/// One part between delimiters: `*` when it is an id, else its words with
/// numeric ones collapsed (`page-17` -> `page-*`).
fn push_part(out: &mut Vec<u8>, part: &[u8]) {
    if is_id(part) {
        out.push(b'*');
        return;
    }
    let mut start = 0;
    for (i, b) in part.iter().enumerate() {
        if SUB_DELIMITERS.contains(b) {
            push_word(out, &part[start..i]);
            out.push(*b);
            start = i + 1;
        }
    }
    push_word(out, &part[start..]);
}

fn push_word(out: &mut Vec<u8>, word: &[u8]) {
    if all(word, |b| b.is_ascii_digit()) || (word.len() >= 8 && is_id(word)) {
        out.push(b'*');
    } else {
        push_literal(out, word);
    }
}

/// The pattern of a key.
pub fn of(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len());
    let mut start = 0;
    for (i, b) in key.iter().enumerate() {
        if DELIMITERS.contains(b) {
            push_part(&mut out, &key[start..i]);
            out.push(*b);
            start = i + 1;
        }
    }
    push_part(&mut out, &key[start..]);
    // `**` after collapsing adjacent ids reads as one.
    out.dedup_by(|a, b| *a == b'*' && *b == b'*');
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
        assert_eq!(p(b"report:2024-01-31:daily"), "report:*:daily");
        assert_eq!(p(b"token:aB3dE5fG7hJ9kL1mN"), "token:*");
        assert_eq!(p(b"config"), "config");
        assert_eq!(p(b"feature_flags:v2"), "feature_flags:v2");
        assert_eq!(p(b"tenant:{42}:orders:7"), "tenant:{*}:orders:*");
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
