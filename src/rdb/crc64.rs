//! CRC-64/Jones as Redis computes it over an RDB file (reflected, the
//! polynomial 0xad93d23594c935a9, initial value 0): the last eight bytes
//! of a dump, little-endian; 0 there means the server did not compute it.

const POLY: u64 = 0x95ac_9329_ac4b_c9b5; // 0xad93d23594c935a9 reflected

const fn table() -> [u64; 256] {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u64; 256] = table();

#[derive(Debug, Clone, Copy, Default)]
pub struct Crc64(u64);

impl Crc64 {
    pub fn new() -> Crc64 {
        Crc64(0)
    }

    pub fn update(&mut self, data: &[u8]) {
        let mut c = self.0;
        for b in data {
            c = TABLE[((c ^ u64::from(*b)) & 0xff) as usize] ^ (c >> 8);
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
}
