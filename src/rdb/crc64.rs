//! CRC-64/Jones as Redis computes it over an RDB file (reflected, the
//! polynomial 0xad93d23594c935a9, initial value 0): the last eight bytes
//! of a dump, little-endian; 0 there means the server did not compute it.

const POLY: u64 = 0x95ac_9329_ac4b_c9b5; // 0xad93d23594c935a9 reflected

/// The byte table, and seven more for eight bytes a step (slicing-by-8:
/// `TABLES[k][i]` is the CRC of byte `i` followed by `k` zero bytes).
const fn tables() -> [[u64; 256]; 8] {
    let mut t = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static TABLES: [[u64; 256]; 8] = tables();

#[derive(Debug, Clone, Copy, Default)]
pub struct Crc64(u64);

impl Crc64 {
    pub fn new() -> Crc64 {
        Crc64(0)
    }

    pub fn update(&mut self, data: &[u8]) {
        let t = &TABLES;
        let mut c = self.0;
        let mut chunks = data.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let v = c ^ u64::from_le_bytes(word);
            c = t[7][(v & 0xff) as usize]
                ^ t[6][((v >> 8) & 0xff) as usize]
                ^ t[5][((v >> 16) & 0xff) as usize]
                ^ t[4][((v >> 24) & 0xff) as usize]
                ^ t[3][((v >> 32) & 0xff) as usize]
                ^ t[2][((v >> 40) & 0xff) as usize]
                ^ t[1][((v >> 48) & 0xff) as usize]
                ^ t[0][(v >> 56) as usize];
        }
        for b in chunks.remainder() {
            c = t[0][((c ^ u64::from(*b)) & 0xff) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }

    pub fn value(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_check_value_of_redis_crc64() {
        // Redis's own test (src/crc64.c): "123456789" -> e9c6d914c4b8d9ca.
        let mut c = super::Crc64::new();
        c.update(b"123456789");
        assert_eq!(c.value(), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn eight_bytes_a_step_agree_with_one_at_a_time() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 3) as u8).collect();
        let mut whole = super::Crc64::new();
        whole.update(&data);
        let mut bytes = super::Crc64::new();
        for b in &data {
            bytes.update(std::slice::from_ref(b));
        }
        assert_eq!(whole.value(), bytes.value());
    }
}
