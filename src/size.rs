//! Byte sizes on the command line: `512`, `512k`, `64MiB`, `1g`.

/// Parses a size; k/m/g (and KiB/MiB/GiB, KB/MB/GB) are powers of 1024.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 512k, 64MiB, 1g)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(format!("`{other}` is not a size unit (k, m, g)")),
    };
    n.checked_mul(1 << shift)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("`{text}` is not a size between 1 byte and 16 EiB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("512").unwrap(), 512);
        assert_eq!(parse("512k").unwrap(), 512 * 1024);
        assert_eq!(parse("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse("1g").unwrap(), 1 << 30);
        for bad in ["", "0", "-1", "12q", "1.5m", "99999999999999999999g"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
