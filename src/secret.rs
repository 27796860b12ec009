//! Secrets (passwords) that must never reach any output: a wrapper type whose
//! `Debug`/`Display` are redacted; URL redaction by structure, for URLs
//! well-formed or not; and a scrubber for the text that comes from outside
//! (error messages, replies, response bodies), applied to those values where
//! they enter, never to a whole rendered report (where it would turn a
//! password like `true` or `100` into broken JSON, or give it away in
//! `***://`).

use std::fmt;
use std::sync::{Mutex, OnceLock};

/// What a secret is shown as, everywhere.
pub const REDACTED: &str = "***";

/// A secret value. Its contents are reachable only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret and registers it with the output scrubber.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The secret itself, for handing to a connection; never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

fn registry() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Remembers a secret so that [`scrub`] removes it from any text.
/// Values shorter than 3 characters are not registered (they would mangle
/// ordinary text); they are still redacted structurally.
pub fn register(value: &str) {
    if value.len() < 3 {
        return;
    }
    let mut secrets = registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
    }
}

/// Hides the credentials of anything that looks like a URL, parsed or not:
/// everything between the scheme (`x:` or `x://`) and the last `@` of the
/// authority, and every query value. `redis:/:s3cret@host` and
/// `http://u:p@h/?api_key=k` both come out without their secrets.
pub fn redact_url(text: &str) -> String {
    let Some(colon) = text.find(':') else {
        return text.to_string();
    };
    let scheme = &text[..colon];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return text.to_string();
    }
    let rest = &text[colon + 1..];
    let slashes = rest.len() - rest.trim_start_matches('/').len();
    let after = &rest[slashes..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    let mut out = format!("{scheme}:{}", &rest[..slashes]);
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(REDACTED);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let tail = &after[authority_end..];
    match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            out.push_str(path);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) => format!("{k}={REDACTED}"),
                    None => pair.to_string(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
        }
        None => out.push_str(tail),
    }
    out
}

/// Replaces every registered secret in `text` with [`REDACTED`].
pub fn scrub(text: &str) -> String {
    let secrets = registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = text.to_string();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_lose_their_credentials_parsed_or_not() {
        for (raw, shown) in [
            ("redis://:s3cret@host:6379/0", "redis://***@host:6379/0"),
            ("redis:/:s3cret@host:6379", "redis:/***@host:6379"),
            ("redis:s3cret@host", "redis:***@host"),
            ("rediss://alice:p@ss@h:1", "rediss://***@h:1"),
            (
                "http://u:p@h/x?api_key=k1&x=2#f",
                "http://***@h/x?api_key=***&x=***#f",
            ),
            ("http://h/metrics", "http://h/metrics"),
            ("no url here", "no url here"),
        ] {
            assert_eq!(super::redact_url(raw), shown, "{raw}");
        }
    }

    use super::*;

    #[test]
    fn secret_is_redacted_in_debug_and_display() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn scrub_removes_registered_secrets() {
        let _s = Secret::new("s3cr3t-scrub-test");
        assert_eq!(
            scrub("auth s3cr3t-scrub-test failed, s3cr3t-scrub-test"),
            "auth *** failed, ***"
        );
    }
}
