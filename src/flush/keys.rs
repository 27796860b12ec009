//! The keys a flush matched, held in bounded memory: the first
//! `MEMORY_BUDGET` bytes of names in memory, the rest spilled to an
//! anonymous temporary file (unlinked at once: nothing is left behind,
//! even when cachectl is killed), read back in batches as often as needed.
//! A keyspace of 100M matching keys costs disk, not RAM.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

/// Bytes of key names (and their bookkeeping) kept in memory.
pub const MEMORY_BUDGET: usize = 64 << 20;

/// Keys shown in a preview.
const SAMPLE: usize = 10;

/// What one key costs in memory: its bytes and its Vec.
fn cost(key: &[u8]) -> usize {
    key.len() + std::mem::size_of::<Vec<u8>>()
}

/// A list of key names, in the order they were added.
#[derive(Debug)]
pub struct KeyList {
    memory: Vec<Vec<u8>>,
    held: usize,
    budget: usize,
    /// Length-prefixed (u32, big-endian) names past the budget.
    spill: Option<(io::BufWriter<File>, u64)>,
    len: u64,
    sample: Vec<Vec<u8>>,
}

impl Default for KeyList {
    fn default() -> KeyList {
        KeyList::with_budget(MEMORY_BUDGET)
    }
}

impl KeyList {
    pub fn with_budget(budget: usize) -> KeyList {
        KeyList {
            memory: Vec::new(),
            held: 0,
            budget,
            spill: None,
            len: 0,
            sample: Vec::new(),
        }
    }

    pub fn push(&mut self, key: Vec<u8>) -> io::Result<()> {
        self.len += 1;
        if self.sample.len() < SAMPLE {
            self.sample.push(key.clone());
        }
        if self.spill.is_none() && self.held + cost(&key) <= self.budget {
            self.held += cost(&key);
            self.memory.push(key);
            return Ok(());
        }
        if self.spill.is_none() {
            self.spill = Some((io::BufWriter::new(tempfile::tempfile()?), 0));
        }
        let (file, written) = self.spill.as_mut().expect("spill file");
        let len =
            u32::try_from(key.len()).map_err(|_| io::Error::other("a key name over 4 GiB"))?;
        file.write_all(&len.to_be_bytes())?;
        file.write_all(&key)?;
        *written += 4 + u64::from(len);
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first keys added.
    pub fn sample(&self) -> &[Vec<u8>] {
        &self.sample
    }

    /// Bytes of names written to disk (0 while it all fits in memory).
    pub fn spilled_bytes(&self) -> u64 {
        self.spill.as_ref().map_or(0, |(_, n)| *n)
    }

    /// Every key, `size` at a time, from the first; may be called again.
    pub fn batches(&mut self, size: usize) -> io::Result<Batches<'_>> {
        let file = match self.spill.as_mut() {
            Some((w, n)) => {
                w.flush()?;
                Some((w.get_ref(), *n))
            }
            None => None,
        };
        Ok(Batches {
            memory: &self.memory,
            at: 0,
            file,
            offset: 0,
            size: size.max(1),
        })
    }
}

/// `KeyList::batches`.
pub struct Batches<'a> {
    memory: &'a [Vec<u8>],
    at: usize,
    file: Option<(&'a File, u64)>,
    offset: u64,
    size: usize,
}

impl Iterator for Batches<'_> {
    type Item = io::Result<Vec<Vec<u8>>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at < self.memory.len() {
            let end = (self.at + self.size).min(self.memory.len());
            let batch = self.memory[self.at..end].to_vec();
            self.at = end;
            return Some(Ok(batch));
        }
        let (file, end) = self.file?;
        if self.offset >= end {
            return None;
        }
        let mut batch = Vec::with_capacity(self.size);
        while batch.len() < self.size && self.offset < end {
            let mut len = [0u8; 4];
            if let Err(e) = file.read_exact_at(&mut len, self.offset) {
                return Some(Err(e));
            }
            let mut key = vec![0u8; u32::from_be_bytes(len) as usize];
            if let Err(e) = file.read_exact_at(&mut key, self.offset + 4) {
                return Some(Err(e));
            }
            self.offset += 4 + key.len() as u64;
            batch.push(key);
        }
        Some(Ok(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_budget_keys_go_to_disk_and_come_back_in_order() {
        // Room for about three keys in memory.
        let mut list = KeyList::with_budget(3 * cost(b"key:000000"));
        let keys: Vec<Vec<u8>> = (0..1000)
            .map(|i| format!("key:{i:06}").into_bytes())
            .chain(std::iter::once(b"bin\x00\xff\n".to_vec()))
            .collect();
        for k in &keys {
            list.push(k.clone()).unwrap();
        }
        assert_eq!(list.len(), 1001);
        assert!(list.spilled_bytes() > 0);
        assert_eq!(list.sample().len(), 10);
        for _ in 0..2 {
            let back: Vec<Vec<u8>> = list
                .batches(7)
                .unwrap()
                .map(|b| b.unwrap())
                .inspect(|b| assert!(b.len() <= 7))
                .flatten()
                .collect();
            assert_eq!(back, keys);
        }
        let mut small = KeyList::default();
        small.push(b"a".to_vec()).unwrap();
        assert_eq!(small.spilled_bytes(), 0);
        assert_eq!(small.batches(5).unwrap().count(), 1);
    }
}
