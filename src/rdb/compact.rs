//! The compact encodings a dump stores as one blob: how many entries each
//! holds (its header says, or it is walked when the count overflowed), and
//! each entry's bytes where a caller needs them (a hash's field TTLs).

/// Entries of a ziplist: its header's count, or a walk when that is
/// 65535 (too many to say).
pub fn ziplist_len(zl: &[u8]) -> Result<u64, String> {
    if zl.len() < 11 {
        return Err("a ziplist shorter than its header".into());
    }
    let count = u16::from_le_bytes([zl[8], zl[9]]);
    if count < u16::MAX {
        return Ok(u64::from(count));
    }
    let mut at = 10;
    let mut n = 0;
    while at < zl.len() && zl[at] != 0xff {
        // prevlen: 1 byte, or 0xfe and 4 more.
        at += if zl[at] == 0xfe { 5 } else { 1 };
        let enc = *zl.get(at).ok_or("a ziplist entry is cut short")?;
        let (header, data) = match enc >> 6 {
            0 => (1, usize::from(enc & 0x3f)),
            1 => (
                2,
                (usize::from(enc & 0x3f) << 8) | usize::from(*zl.get(at + 1).ok_or("cut short")?),
            ),
            2 => {
                let b = zl.get(at + 1..at + 5).ok_or("cut short")?;
                (5, u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            }
            _ => match enc {
                0xc0 => (1, 2),
                0xd0 => (1, 4),
                0xe0 => (1, 8),
                0xf0 => (1, 3),
                0xfe => (1, 1),
                0xf1..=0xfd => (1, 0),
                _ => return Err(format!("unknown ziplist entry encoding 0x{enc:02x}")),
            },
        };
        at += header + data;
        n += 1;
    }
    Ok(n)
}

/// The entries of a listpack, each as its bytes (integers as their
/// decimal text).
pub fn listpack_entries(lp: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if lp.len() < 7 {
        return Err("a listpack shorter than its header".into());
    }
    let mut at = 6;
    let mut out = Vec::new();
    let cut = || "a listpack entry is cut short".to_string();
    while at < lp.len() && lp[at] != 0xff {
        let b = lp[at];
        let (value, len): (Vec<u8>, usize) = if b & 0x80 == 0 {
            ((b & 0x7f).to_string().into_bytes(), 1)
        } else if b & 0xc0 == 0x80 {
            let n = usize::from(b & 0x3f);
            (lp.get(at + 1..at + 1 + n).ok_or_else(cut)?.to_vec(), 1 + n)
        } else if b & 0xe0 == 0xc0 {
            let v = (i64::from(b & 0x1f) << 8) | i64::from(*lp.get(at + 1).ok_or_else(cut)?);
            let v = if v >= 1 << 12 { v - (1 << 13) } else { v };
            (v.to_string().into_bytes(), 2)
        } else if b & 0xf0 == 0xe0 {
            let n = (usize::from(b & 0x0f) << 8) | usize::from(*lp.get(at + 1).ok_or_else(cut)?);
            (lp.get(at + 2..at + 2 + n).ok_or_else(cut)?.to_vec(), 2 + n)
        } else {
            match b {
                0xf0 => {
                    let h = lp.get(at + 1..at + 5).ok_or_else(cut)?;
                    let n = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
                    (lp.get(at + 5..at + 5 + n).ok_or_else(cut)?.to_vec(), 5 + n)
                }
                0xf1..=0xf4 => {
                    let width = match b {
                        0xf1 => 2,
                        0xf2 => 3,
                        0xf3 => 4,
                        _ => 8,
                    };
                    let raw = lp.get(at + 1..at + 1 + width).ok_or_else(cut)?;
                    let mut buf = [0u8; 8];
                    buf[..width].copy_from_slice(raw);
                    let bits = width * 8;
                    let u = u64::from_le_bytes(buf);
                    let v = if bits < 64 && u >= 1 << (bits - 1) {
                        u as i64 - (1i64 << bits)
                    } else {
                        u as i64
                    };
                    (v.to_string().into_bytes(), 1 + width)
                }
                _ => return Err(format!("unknown listpack entry encoding 0x{b:02x}")),
            }
        };
        out.push(value);
        at += len;
        // The back-length: 1 byte per 7 bits of the entry's length.
        at += match len {
            0..=127 => 1,
            128..=16_383 => 2,
            16_384..=2_097_151 => 3,
            2_097_152..=268_435_455 => 4,
            _ => 5,
        };
    }
    if at >= lp.len() {
        return Err("a listpack without its end byte".into());
    }
    Ok(out)
}

/// Entries of a listpack: its header's count, or a walk.
pub fn listpack_len(lp: &[u8]) -> Result<u64, String> {
    if lp.len() < 7 {
        return Err("a listpack shorter than its header".into());
    }
    let count = u16::from_le_bytes([lp[4], lp[5]]);
    if count < u16::MAX {
        return Ok(u64::from(count));
    }
    Ok(listpack_entries(lp)?.len() as u64)
}

/// Members of an intset.
pub fn intset_len(is: &[u8]) -> Result<u64, String> {
    let h = is.get(..8).ok_or("an intset shorter than its header")?;
    let width = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
    let n = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    if !matches!(width, 2 | 4 | 8) || is.len() < 8 + (width * n) as usize {
        return Err(format!(
            "an intset of {n} members of {width} bytes does not fit its {} bytes",
            is.len()
        ));
    }
    Ok(u64::from(n))
}

/// Pairs of a zipmap (RDB before 4: hashes).
pub fn zipmap_len(zm: &[u8]) -> Result<u64, String> {
    let first = *zm.first().ok_or("an empty zipmap")?;
    if first < 254 {
        return Ok(u64::from(first));
    }
    let mut at = 1;
    let mut n = 0;
    let cut = || "a zipmap entry is cut short".to_string();
    let len = |at: &mut usize| -> Result<usize, String> {
        let b = *zm.get(*at).ok_or_else(cut)?;
        if b < 254 {
            *at += 1;
            Ok(usize::from(b))
        } else {
            let h = zm.get(*at + 1..*at + 5).ok_or_else(cut)?;
            *at += 5;
            Ok(u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize)
        }
    };
    while zm.get(at).copied().ok_or_else(cut)? != 0xff {
        let k = len(&mut at)?;
        at += k;
        let v = len(&mut at)?;
        let free = usize::from(*zm.get(at).ok_or_else(cut)?);
        at += 1 + v + free;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listpack_entries_of_each_encoding() {
        // A listpack of "a", 7, -1 (13-bit), "xyz".
        let mut lp = vec![0, 0, 0, 0, 4, 0];
        lp.extend([0x81, b'a', 2]); // 6-bit string "a", backlen 2
        lp.extend([0x07, 1]); // 7-bit uint 7
        lp.extend([0xdf, 0xff, 2]); // 13-bit int -1
        lp.extend([0x83, b'x', b'y', b'z', 4]);
        lp.push(0xff);
        let total = lp.len() as u32;
        lp[..4].copy_from_slice(&total.to_le_bytes());
        let e = listpack_entries(&lp).unwrap();
        assert_eq!(
            e,
            vec![
                b"a".to_vec(),
                b"7".to_vec(),
                b"-1".to_vec(),
                b"xyz".to_vec()
            ]
        );
        assert_eq!(listpack_len(&lp).unwrap(), 4);
        lp[4] = 0xff;
        lp[5] = 0xff;
        assert_eq!(
            listpack_len(&lp).unwrap(),
            4,
            "walked when the count overflowed"
        );
    }

    #[test]
    fn intsets_and_their_bounds() {
        let mut is = vec![2, 0, 0, 0, 3, 0, 0, 0];
        is.extend([1, 0, 2, 0, 3, 0]);
        assert_eq!(intset_len(&is).unwrap(), 3);
        assert!(intset_len(&is[..10]).is_err());
    }
}
