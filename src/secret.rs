//! Secrets (passwords) that must never reach any output: a wrapper type whose
//! `Debug`/`Display` are redacted, and a process-wide scrubber the render layer
//! applies to every string it prints, as a second line of defence.

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
    let mut secrets = registry().lock().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == value) {
        secrets.push(value.to_string());
    }
}

/// Replaces every registered secret in `text` with [`REDACTED`].
pub fn scrub(text: &str) -> String {
    let secrets = registry().lock().unwrap_or_else(|e| e.into_inner());
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
