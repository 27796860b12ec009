//! CRC-64/Jones as Redis computes it over an RDB file (reflected, the
//! polynomial 0xad93d23594c935a9, initial value 0): the last eight bytes
//! of a dump, little-endian; 0 there means the server did not compute it.

/// The running checksum: crc-fast's CRC-64/REDIS, by carry-less multiply
/// where the CPU has it (tens of GB/s), else by tables.
#[derive(Clone)]
pub struct Crc64(crc_fast::Digest);

impl Default for Crc64 {
    fn default() -> Crc64 {
        Crc64::new()
    }
}

impl std::fmt::Debug for Crc64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crc64({:016x})", self.value())
    }
}

impl Crc64 {
    pub fn new() -> Crc64 {
        Crc64(crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Redis))
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn value(&self) -> u64 {
        self.0.finalize()
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
    fn long_runs_agree_with_one_byte_at_a_time() {
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
