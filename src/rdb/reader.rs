//! The byte level of an RDB file: a reader that counts its offset and
//! keeps the CRC64 of what it read, RDB lengths and strings (integer-encoded
//! and LZF-compressed), and skipping what need not be held.

use std::io::Read;

use super::crc64::Crc64;
use super::lzf;

/// What went wrong, and where (the offset of the byte that could not be
/// read or made sense of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub offset: u64,
    pub message: String,
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

pub type Result<T> = std::result::Result<T, RdbError>;

/// The longest string held in memory whole (a key, a listpack): longer
/// ones are measured as they pass, not kept.
pub const HOLD_MAX: u64 = 64 << 20;

/// A length, or one of the special string encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Plain(u64),
    Int8,
    Int16,
    Int32,
    Lzf,
}

/// A reader of RDB bytes, with a buffer of its own: the checksum runs over
/// what was consumed in long runs (eight bytes a step), and what is passed
/// over is never copied.
pub struct Reader<R> {
    inner: R,
    /// The offset of the buffer's first byte in the input.
    base: u64,
    crc: Crc64,
    buf: Vec<u8>,
    /// The next byte to consume, the end of what was read, and where the
    /// checksum has got to.
    pos: usize,
    end: usize,
    summed: usize,
}

const BUFFER: usize = 256 << 10;

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            base: 0,
            crc: Crc64::new(),
            buf: vec![0; BUFFER],
            pos: 0,
            end: 0,
            summed: 0,
        }
    }

    /// The offset of the next byte in the input.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(RdbError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    /// The checksum of every byte consumed so far.
    pub fn crc(&mut self) -> u64 {
        self.sum();
        self.crc.value()
    }

    fn sum(&mut self) {
        self.crc.update(&self.buf[self.summed..self.pos]);
        self.summed = self.pos;
    }

    /// Reads more into the buffer, everything in it consumed; false at
    /// the end of the input.
    fn fill(&mut self) -> Result<bool> {
        self.sum();
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.base += self.end as u64;
                    (self.pos, self.end, self.summed) = (0, n, 0);
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return self.error(format!("cannot read: {e}")),
            }
        }
    }

    fn short(&self, missing: usize) -> RdbError {
        RdbError {
            offset: self.offset(),
            message: format!(
                "the file ends here, {missing} byte{} short of what it announced (truncated)",
                if missing == 1 { "" } else { "s" }
            ),
        }
    }

    /// Fills `out` whole, or says the file ended.
    pub fn exact(&mut self, out: &mut [u8]) -> Result<()> {
        let mut at = 0;
        while at < out.len() {
            if self.pos == self.end && !self.fill()? {
                return Err(self.short(out.len() - at));
            }
            let n = (out.len() - at).min(self.end - self.pos);
            out[at..at + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            at += n;
        }
        Ok(())
    }

    pub fn byte(&mut self) -> Result<u8> {
        if self.pos == self.end && !self.fill()? {
            return Err(self.short(1));
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    pub fn bytes(&mut self, n: usize) -> Result<Vec<u8>> {
        // Most strings are in the buffer whole: copied once, not zeroed
        // first.
        if n <= self.end - self.pos {
            let v = self.buf[self.pos..self.pos + n].to_vec();
            self.pos += n;
            return Ok(v);
        }
        let mut v = vec![0u8; n];
        self.exact(&mut v)?;
        Ok(v)
    }

    pub fn u32_le(&mut self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    pub fn u64_le(&mut self) -> Result<u64> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Passes over `n` bytes (checksummed), holding nothing.
    pub fn skip(&mut self, mut n: u64) -> Result<()> {
        while n > 0 {
            if self.pos == self.end && !self.fill()? {
                return Err(self.short(usize::try_from(n).unwrap_or(usize::MAX)));
            }
            let step = n.min((self.end - self.pos) as u64) as usize;
            self.pos += step;
            n -= step as u64;
        }
        Ok(())
    }

    /// An RDB length, or a string's special encoding.
    pub fn len_or_encoding(&mut self) -> Result<Len> {
        // Most lengths are one byte under 64.
        if let Some(&first) = self.buf[..self.end].get(self.pos) {
            if first < 0x40 {
                self.pos += 1;
                return Ok(Len::Plain(u64::from(first)));
            }
        }
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => Len::Plain(u64::from(first & 0x3f)),
            1 => Len::Plain((u64::from(first & 0x3f) << 8) | u64::from(self.byte()?)),
            2 => match first {
                0x80 => {
                    let mut b = [0u8; 4];
                    self.exact(&mut b)?;
                    Len::Plain(u64::from(u32::from_be_bytes(b)))
                }
                0x81 => {
                    let mut b = [0u8; 8];
                    self.exact(&mut b)?;
                    Len::Plain(u64::from_be_bytes(b))
                }
                other => return self.error(format!("unknown length encoding 0x{other:02x}")),
            },
            _ => match first & 0x3f {
                0 => Len::Int8,
                1 => Len::Int16,
                2 => Len::Int32,
                3 => Len::Lzf,
                other => return self.error(format!("unknown string encoding {other}")),
            },
        })
    }

    /// An RDB length (a count, a number).
    pub fn length(&mut self) -> Result<u64> {
        match self.len_or_encoding()? {
            Len::Plain(n) => Ok(n),
            other => self.error(format!("a length was expected, not a {other:?} string")),
        }
    }

    /// A string, whole (keys, small values, the blobs of compact encodings).
    pub fn string(&mut self) -> Result<Vec<u8>> {
        let mut v = Vec::new();
        self.string_into(&mut v)?;
        Ok(v)
    }

    /// A string, whole, into `out` (its allocation kept from one key to
    /// the next).
    pub fn string_into(&mut self, out: &mut Vec<u8>) -> Result<()> {
        out.clear();
        match self.len_or_encoding()? {
            Len::Plain(n) if n > HOLD_MAX => {
                return self.error(format!(
                    "a string of {n} bytes where a short one was expected"
                ));
            }
            Len::Plain(n) => {
                let n = n as usize;
                if n <= self.end - self.pos {
                    out.extend_from_slice(&self.buf[self.pos..self.pos + n]);
                    self.pos += n;
                } else {
                    out.resize(n, 0);
                    self.exact(out)?;
                }
            }
            Len::Int8 => *out = (self.byte()? as i8).to_string().into_bytes(),
            Len::Int16 => {
                let b = self.bytes(2)?;
                *out = i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes();
            }
            Len::Int32 => *out = (self.u32_le()? as i32).to_string().into_bytes(),
            Len::Lzf => {
                let compressed = self.length()?;
                let size = self.length()?;
                if compressed > HOLD_MAX || size > HOLD_MAX {
                    return self.error(format!(
                        "a compressed string of {size} bytes where a short one was expected"
                    ));
                }
                let at = self.offset();
                let data = self.bytes(compressed as usize)?;
                *out = lzf::decompress(&data, size as usize).map_err(|why| RdbError {
                    offset: at,
                    message: format!("an LZF string does not decompress: {why}"),
                })?;
            }
        }
        Ok(())
    }

    /// A string passed over: its length as stored (`len`), and whether it
    /// was an integer (0 bytes of its own in memory).
    pub fn skip_string(&mut self) -> Result<Skipped> {
        Ok(match self.len_or_encoding()? {
            Len::Plain(n) => {
                self.skip(n)?;
                Skipped { len: n, int: false }
            }
            Len::Int8 => Skipped::int(i64::from(self.byte()? as i8)),
            Len::Int16 => {
                let b = self.bytes(2)?;
                Skipped::int(i64::from(i16::from_le_bytes([b[0], b[1]])))
            }
            Len::Int32 => Skipped::int(i64::from(self.u32_le()? as i32)),
            Len::Lzf => {
                let compressed = self.length()?;
                let size = self.length()?;
                self.skip(compressed)?;
                Skipped {
                    len: size,
                    int: false,
                }
            }
        })
    }

    /// A string that is held only when short (under `HOLD_MAX`): the
    /// compact encodings' blobs, which are small by the server's limits.
    pub fn blob(&mut self) -> Result<Vec<u8>> {
        self.string()
    }

    /// A double as ZSET (type 3) stores it: a length byte, then text.
    pub fn text_double(&mut self) -> Result<()> {
        let n = self.byte()?;
        if n < 253 {
            self.skip(u64::from(n))?;
        }
        Ok(())
    }
}

/// What a skipped string was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    /// Its length once read (decompressed; an integer's decimal digits).
    pub len: u64,
    /// An integer-encoded string.
    pub int: bool,
}

impl Skipped {
    fn int(v: i64) -> Skipped {
        let digits = v.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1);
        Skipped {
            len: u64::from(digits) + u64::from(v < 0),
            int: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_strings_of_every_encoding() {
        let data: Vec<u8> = [
            &[0x05][..],                        // 5
            &[0x41, 0x02],                      // 14-bit: 0x102
            &[0x80, 0, 0, 0x01, 0x00],          // 32-bit: 256
            &[0x81, 0, 0, 0, 0, 0, 0, 0x01, 0], // 64-bit: 256
            &[0x03, b'a', b'b', b'c'],          // "abc"
            &[0xc0, 0xfe],                      // int8 -2
            &[0xc1, 0x39, 0x30],                // int16 12345
            &[0xc2, 0x15, 0xcd, 0x5b, 0x07],    // int32 123456789
        ]
        .concat();
        let mut r = Reader::new(&data[..]);
        assert_eq!(r.length().unwrap(), 5);
        assert_eq!(r.length().unwrap(), 0x102);
        assert_eq!(r.length().unwrap(), 256);
        assert_eq!(r.length().unwrap(), 256);
        assert_eq!(r.string().unwrap(), b"abc");
        assert_eq!(r.string().unwrap(), b"-2");
        assert_eq!(r.string().unwrap(), b"12345");
        assert_eq!(r.string().unwrap(), b"123456789");
        let e = r.byte().unwrap_err();
        assert_eq!(e.offset, data.len() as u64);
        assert!(e.message.contains("truncated"), "{e}");
    }
}
