//! LZF decompression (liblzf's format, as Redis writes strings over 20
//! bytes): literal runs and back references, checked against the size the
//! dump announces.

pub fn decompress(input: &[u8], size: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(size);
    let mut i = 0;
    while i < input.len() {
        let ctrl = usize::from(input[i]);
        i += 1;
        if ctrl < 32 {
            // A literal run of ctrl + 1 bytes.
            let n = ctrl + 1;
            let run = input
                .get(i..i + n)
                .ok_or("a literal run passes the end of the input")?;
            out.extend_from_slice(run);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(i).ok_or("a back reference is cut short")?);
                i += 1;
            }
            let low = usize::from(*input.get(i).ok_or("a back reference is cut short")?);
            i += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let from = out
                .len()
                .checked_sub(back)
                .ok_or("a back reference points before the start")?;
            for k in 0..len + 2 {
                let b = out[from + k];
                out.push(b);
            }
        }
        if out.len() > size {
            return Err(format!("it grows past the {size} bytes announced"));
        }
    }
    if out.len() != size {
        return Err(format!("{} bytes, where {size} were announced", out.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn literals_and_back_references() {
        // "aaaaaaaaaa": a literal 'a', then a reference of length 9 one back.
        let input = [0x00, b'a', 0xe0, 0x00, 0x00];
        assert_eq!(super::decompress(&input, 10).unwrap(), b"aaaaaaaaaa");
        assert!(super::decompress(&input, 9).is_err());
        assert!(super::decompress(&[0x05, b'a'], 6).is_err());
    }
}
