//! Splitting a fix's command line into arguments: words separated by spaces,
//! with "double" and 'single' quotes, and backslash escapes inside double quotes.

/// Splits `line` into arguments.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    args.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e) => cur.push(e),
                            None => return Err(format!("unterminated `\"` in `{line}`")),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err(format!("unterminated `\"` in `{line}`")),
                    }
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err(format!("unterminated `'` in `{line}`")),
                    }
                }
            }
            ch => {
                in_word = true;
                cur.push(ch);
            }
        }
    }
    if in_word {
        args.push(cur);
    }
    if args.is_empty() {
        return Err("empty command".into());
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_quotes() {
        assert_eq!(
            split("CONFIG SET maxmemory-policy allkeys-lru").unwrap(),
            vec!["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]
        );
        assert_eq!(
            split("CONFIG SET save \"900 1 300 10\"").unwrap(),
            vec!["CONFIG", "SET", "save", "900 1 300 10"]
        );
        assert_eq!(
            split("CONFIG SET save \"\"").unwrap(),
            vec!["CONFIG", "SET", "save", ""]
        );
        assert_eq!(
            split("SET 'a b' \"q\\\"x\"").unwrap(),
            vec!["SET", "a b", "q\"x"]
        );
        assert!(split("SET \"open").is_err());
        assert!(split("   ").is_err());
    }
}
