//! Parsing of human durations for every duration flag and runbook step:
//! what people type (`90s`, `10m`, `1h`, `1d`, `1h30m`, `500ms`), through
//! `humantime`; a bare number is seconds, and a fraction of one unit
//! (`2.5s`, `1.5h`) is taken too.

use std::time::Duration;

/// The shortest and longest durations a flag takes.
pub const MIN: Duration = Duration::from_millis(1);
pub const MAX: Duration = Duration::from_secs(24 * 3600);

const EXAMPLES: &str = "examples: 10, 2.5s, 500ms, 10m, 1h30m, 1d";

/// Parses a duration; a bare number is seconds.
pub fn parse(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let secs = match humantime::parse_duration(t) {
        Ok(d) => d.as_secs_f64(),
        Err(_) => fraction(t).ok_or_else(|| format!("`{text}` is not a duration ({EXAMPLES})"))?,
    };
    if !secs.is_finite() || secs <= 0.0 || t.starts_with('-') {
        return Err(format!("`{text}` must be a positive duration"));
    }
    if secs < MIN.as_secs_f64() {
        return Err(format!(
            "`{text}` is shorter than 1ms, too short to connect or wait for anything"
        ));
    }
    if secs > MAX.as_secs_f64() {
        return Err(format!("`{text}` is longer than the 24h limit"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A bare number (seconds), or a number with one unit that humantime
/// takes only whole (`2.5s`, `1.5h`); in seconds.
fn fraction(t: &str) -> Option<f64> {
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return None,
    };
    let value: f64 = number.trim().parse().ok()?;
    Some(value * scale)
}

/// Like [`parse`], but `0` (or `0s`) is allowed and means "none".
pub fn parse_or_zero(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if matches!(t, "0" | "0s" | "0ms") {
        return Ok(Duration::ZERO);
    }
    parse(t)
}

/// A duration as the flags take it back: `800ms`, `2.5s`, `10s`, `30m`, `2h`.
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0..=999 => format!("{ms}ms"),
        _ if !ms.is_multiple_of(1000) => format!("{}s", d.as_secs_f64()),
        _ if ms.is_multiple_of(3_600_000) => format!("{}h", ms / 3_600_000),
        _ if ms.is_multiple_of(60_000) => format!("{}m", ms / 60_000),
        _ => format!("{}s", ms / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_durations_parse_back() {
        for text in ["800ms", "2.5s", "10s", "30m", "90s", "1ms", "2h", "90m"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
        assert_eq!(format(Duration::from_secs(3600)), "1h");
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert!(parse("1e-12").unwrap_err().contains("shorter than 1ms"));
        assert!(parse("1e30").unwrap_err().contains("24h"));
        assert!(parse("inf").is_err());
        assert!(parse("NaN").is_err());
        assert!(parse("25h").unwrap_err().contains("24h"));
        assert_eq!(parse("24h").unwrap(), MAX);
        assert_eq!(parse("86400").unwrap(), MAX);
        assert_eq!(parse("1ms").unwrap(), MIN);
    }

    #[test]
    fn parses_units() {
        assert_eq!(parse("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse("2.5s").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse("1.5h").unwrap(), Duration::from_secs(5400));
    }

    #[test]
    fn takes_what_people_type() {
        assert_eq!(parse("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse("1d").unwrap(), MAX);
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse("1h 30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("2min").unwrap(), Duration::from_secs(120));
        assert_eq!(parse(" 45 ").unwrap(), Duration::from_secs(45));
        assert!(parse("2d").unwrap_err().contains("24h"));
        assert!(parse("1h30").is_err());
        assert!(parse("ten minutes").unwrap_err().contains("1h30m"));
    }

    #[test]
    fn rejects_garbage_and_zero() {
        assert!(parse("soon").is_err());
        assert!(parse("0").is_err());
        assert!(parse("-1s").is_err());
        assert_eq!(parse_or_zero("0").unwrap(), Duration::ZERO);
        assert!(parse_or_zero("-1").is_err());
    }
}
