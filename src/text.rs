//! Text from servers, applications and files, made safe to print. Depends
//! on nothing of ours, so every module (a node's address included) can
//! escape what it shows.

/// What to do about a TLS failure `detail` names, when it is one people
/// meet: a certificate signed by a CA the trust roots lack (`ca_flag`
/// gives it), or one of X.509 v1/v2, which rustls refuses.
pub fn tls_hint(detail: &str, ca_flag: &str) -> Option<String> {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("unsupportedcertversion") {
        Some("the certificate is X.509 v1 or v2 (no extensions), which is refused: reissue it as v3 (openssl x509 -req ... -extfile with a subjectAltName)".into())
    } else if lower.contains("badsignature") {
        Some(format!("the certificate is not signed by the CA trusted (another CA of the same name?): give the one that signed it with {ca_flag} FILE"))
    } else if lower.contains("unknownissuer") {
        Some(format!(
            "the certificate's CA is not among the trusted roots: give it with {ca_flag} FILE"
        ))
    } else {
        None
    }
}

/// Text from a server or an application, made safe for a terminal: control
/// characters (escape sequences, carriage returns, newlines, C1 controls)
/// and bidirectional overrides are shown as `\xNN` / `\u{NNNN}` escapes
/// instead of being obeyed. JSON output needs none of this: serde escapes
/// control characters itself.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    /// The TLS failures people meet say what to do, naming the flag of
    /// the side they are on.
    #[test]
    fn tls_failures_say_what_to_do() {
        let hint = |d: &str, f: &str| super::tls_hint(d, f).unwrap_or_default();
        assert!(hint(
            "invalid peer certificate: UnsupportedCertVersion",
            "--tls-ca"
        )
        .contains("reissue it as v3"));
        assert!(hint("invalid peer certificate: UnknownIssuer", "--app-ca")
            .ends_with("give it with --app-ca FILE"));
        assert!(hint("invalid peer certificate: BadSignature", "--tls-ca")
            .ends_with("with --tls-ca FILE"));
        assert_eq!(super::tls_hint("connection reset", "--tls-ca"), None);
    }
}
