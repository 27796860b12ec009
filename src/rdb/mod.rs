//! Reading an RDB dump as it streams: every key with its database, type,
//! encoding, element count, expiry, LRU idle time or LFU frequency, and
//! the bytes it takes in the dump; the dump's own metadata (AUX fields);
//! the CRC64 checked at the end. Values are measured as they pass, not
//! held: memory does not grow with the number of keys or a key's size.
//!
//! Versions: Redis RDB 2 to 12 (Redis 2.x to 8.4) and Valkey's 80
//! (`VALKEY080`, Valkey 9.0). The format, from redis/redis and
//! valkey-io/valkey `src/rdb.h` and `rdb.c`: see docs/rdb.md.

pub mod compact;
pub mod crc64;
pub mod lzf;
pub mod memory;
pub mod reader;
#[cfg(test)]
mod tests;

use std::io::Read;
use std::ops::ControlFlow;

use memory::Layout;
use reader::{Reader, Result};

/// The newest Redis RDB version read.
pub const REDIS_MAX: u32 = 12;
/// Valkey's own versions (Valkey reserves 12 to 79 for Redis).
pub const VALKEY_VERSIONS: [u32; 1] = [80];

/// One key of the dump.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub db: u64,
    pub key: Vec<u8>,
    /// string, list, set, zset, hash, stream, module.
    pub kind: &'static str,
    /// The encoding as OBJECT ENCODING would name it after loading.
    pub encoding: &'static str,
    /// Members, fields or elements; a string's length.
    pub elements: u64,
    /// Absolute expiry, Unix milliseconds.
    pub expire_ms: Option<i64>,
    /// LRU idle seconds, or LFU frequency, where the dump carries them.
    pub idle: Option<u64>,
    pub freq: Option<u8>,
    /// Bytes of the value in the dump (its payload, as stored).
    pub dump_bytes: u64,
    /// Fields with a TTL of their own (hash field expiry).
    pub field_ttls: u64,
    /// What the value's parts take in the server's memory (elements,
    /// nodes, blobs), by the dump's `Layout`; `Layout::estimate` adds the
    /// structures around them.
    pub payload: u64,
    /// The estimate of the key's memory in the server (MEMORY USAGE).
    pub memory: u64,
}

/// What the dump says of itself.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Meta {
    /// `redis` or `valkey`.
    pub magic: String,
    pub version: u32,
    /// AUX fields: redis-ver, ctime, used-mem, aof-base, ...
    pub aux: Vec<(String, String)>,
    /// Function libraries and module AUX data passed over, with their
    /// bytes.
    pub functions: u64,
    pub function_bytes: u64,
    pub module_aux: u64,
    pub module_aux_bytes: u64,
    /// RESIZEDB hints: keys and keys with an expiry, per database.
    pub resize: Vec<(u64, u64, u64)>,
    /// The checksum at the end: `ok`, `none` (0: not computed),
    /// `mismatch`, or `absent` (versions before 5).
    pub checksum: String,
    /// How the keys were sized (chosen at the first key, from the AUX
    /// fields before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
}

/// Reads a dump, calling `each` for every key; the metadata at the end.
/// An error says where, and what was read by then stays with the caller.
pub fn read<R: Read>(input: R, mut each: impl FnMut(Entry)) -> Result<Meta> {
    let mut meta = Meta::default();
    read_with(
        input,
        &mut meta,
        |m| Layout::of(m, None),
        |e| {
            each(e);
            ControlFlow::Continue(())
        },
    )?;
    Ok(meta)
}

/// Reads a dump into `meta` as it goes, sizing its keys by the layout
/// `choose` picks from what precedes the first key, and calling `each` for
/// every key until it says stop. `Ok(true)`: read to the end and checked.
pub fn read_with<R: Read>(
    input: R,
    meta: &mut Meta,
    choose: impl FnOnce(&Meta) -> Layout,
    mut each: impl FnMut(Entry) -> ControlFlow<()>,
) -> Result<bool> {
    let mut choose = Some(choose);
    let mut r = Reader::new(input);
    let head = r.bytes(5)?;
    let (magic, digits) = if head == b"REDIS" {
        ("redis", 4)
    } else if head == b"VALKE" && r.byte()? == b'Y' {
        ("valkey", 3)
    } else {
        return r.error("not an RDB file: it starts with neither REDIS nor VALKEY");
    };
    let version: u32 = String::from_utf8_lossy(&r.bytes(digits)?)
        .parse()
        .or_else(|_| r.error("the version after the magic is not a number"))?;
    let known = match magic {
        "valkey" => VALKEY_VERSIONS.contains(&version),
        _ => (1..=REDIS_MAX).contains(&version) || VALKEY_VERSIONS.contains(&version),
    };
    if !known {
        return r.error(format!(
            "RDB version {version} ({magic}) is not one cachectl reads (Redis 1 to {REDIS_MAX}, Valkey 80)"
        ));
    }
    // Set once the header is known good: a dump whose header was not is no
    // dump to report on.
    meta.magic = magic.into();
    meta.version = version;
    let valkey = magic == "valkey" || version >= 80;
    let mut db = 0;
    let mut expire: Option<i64> = None;
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    loop {
        let at = r.offset;
        let op = r.byte()?;
        match op {
            255 => break,
            254 => db = r.length()?,
            253 => expire = Some(i64::from(r.u32_le()?) * 1000),
            252 => expire = Some(r.u64_le()? as i64),
            251 => {
                let keys = r.length()?;
                let expires = r.length()?;
                meta.resize.push((db, keys, expires));
            }
            250 => {
                let k = r.string()?;
                let v = r.string()?;
                meta.aux.push((
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ));
            }
            249 => freq = Some(r.byte()?),
            248 => idle = Some(r.length()?),
            // Redis Enterprise's RAM-LRU opcode: an idle time before the
            // key's type (redis/librdb reads it too).
            107 => idle = Some(r.length()?),
            247 => {
                let from = r.offset;
                let _module = r.length()?;
                let _when_opcode = r.length()?;
                let _when = r.length()?;
                module_fields(&mut r)?;
                meta.module_aux += 1;
                meta.module_aux_bytes += r.offset - from;
            }
            246 => {
                // Functions before 7.0 GA: name, engine, description flag
                // and text, code.
                let from = r.offset;
                r.skip_string()?;
                r.skip_string()?;
                if r.length()? != 0 {
                    r.skip_string()?;
                }
                r.skip_string()?;
                meta.functions += 1;
                meta.function_bytes += r.offset - from;
            }
            245 => {
                let from = r.offset;
                r.skip_string()?;
                meta.functions += 1;
                meta.function_bytes += r.offset - from;
            }
            244 if !valkey => {
                // Slot info: slot, its keys, its keys with an expiry.
                r.length()?;
                r.length()?;
                r.length()?;
            }
            kind => {
                let layout = if let Some(l) = meta.layout {
                    l
                } else {
                    let l = choose
                        .take()
                        .map_or_else(|| Layout::of(meta, None), |c| c(meta));
                    *meta.layout.insert(l)
                };
                let key = r.string()?;
                let from = r.offset;
                let mut e = Entry {
                    db,
                    key,
                    kind: "string",
                    encoding: "raw",
                    elements: 0,
                    expire_ms: expire.take(),
                    idle: idle.take(),
                    freq: freq.take(),
                    dump_bytes: 0,
                    field_ttls: 0,
                    payload: 0,
                    memory: 0,
                };
                value(&mut r, kind, valkey, &layout, &mut e).map_err(|mut err| {
                    if err.message.starts_with("unknown type") {
                        err.offset = at;
                    }
                    err
                })?;
                e.dump_bytes = r.offset - from;
                e.memory = layout.estimate(&e);
                if each(e).is_break() {
                    return Ok(false);
                }
            }
        }
    }
    let computed = r.crc();
    meta.checksum = if version < 5 {
        "absent".into()
    } else {
        let stored = r.u64_le()?;
        if stored == 0 {
            "none".into()
        } else if stored == computed {
            "ok".into()
        } else {
            return Err(reader::RdbError {
                offset: r.offset - 8,
                message: format!(
                    "the checksum does not match: the file says {stored:016x}, its bytes give {computed:016x} (corrupt)"
                ),
            });
        }
    };
    Ok(true)
}

/// A module value's fields (module type 7, module AUX): typed opcodes to
/// the EOF opcode.
fn module_fields<R: Read>(r: &mut Reader<R>) -> Result<()> {
    loop {
        match r.length()? {
            0 => return Ok(()),
            1 | 2 => {
                r.length()?;
            }
            3 => r.skip(4)?,
            4 => r.skip(8)?,
            5 => {
                r.skip_string()?;
            }
            other => return r.error(format!("unknown module field opcode {other}")),
        }
    }
}

/// Reads one value of type `kind` into `e` (kind, encoding, elements).
#[allow(clippy::too_many_lines)]
fn value<R: Read>(
    r: &mut Reader<R>,
    kind: u8,
    valkey: bool,
    layout: &Layout,
    e: &mut Entry,
) -> Result<()> {
    let blob_err = |r: &Reader<R>, what: &str, why: String| reader::RdbError {
        offset: r.offset,
        message: format!("a {what} does not parse: {why}"),
    };
    match kind {
        0 => {
            let s = r.skip_string()?;
            e.kind = "string";
            e.encoding = if s.int {
                "int"
            } else if s.len <= 44 {
                "embstr"
            } else {
                "raw"
            };
            e.elements = s.len;
        }
        1 => {
            // Loaded into listpacks: about the elements' bytes and a byte
            // or two of each entry's header and back-length.
            let n = r.length()?;
            let mut bytes = 0;
            for _ in 0..n {
                bytes += r.skip_string()?.len + 2;
            }
            e.payload = layout.quicklist_node(bytes + 7);
            (e.kind, e.encoding, e.elements) = ("list", "quicklist", n);
        }
        2 => {
            let n = r.length()?;
            for _ in 0..n {
                e.payload += layout.set_member(r.skip_string()?.len);
            }
            (e.kind, e.encoding, e.elements) = ("set", "hashtable", n);
        }
        3 | 5 => {
            let n = r.length()?;
            for _ in 0..n {
                e.payload += layout.zset_member(r.skip_string()?.len);
                if kind == 3 {
                    r.text_double()?;
                } else {
                    r.skip(8)?;
                }
            }
            (e.kind, e.encoding, e.elements) = ("zset", "skiplist", n);
        }
        4 => {
            let n = r.length()?;
            for _ in 0..n {
                let field = r.skip_string()?.len;
                e.payload += layout.hash_field(field, r.skip_string()?.len);
            }
            (e.kind, e.encoding, e.elements) = ("hash", "hashtable", n);
        }
        7 => {
            r.length()?;
            module_fields(r)?;
            (e.kind, e.encoding) = ("module", "module");
        }
        9 => {
            let zm = r.blob()?;
            e.payload = layout.blob(zm.len() as u64);
            let n = compact::zipmap_len(&zm).map_err(|w| blob_err(r, "zipmap", w))?;
            (e.kind, e.encoding, e.elements) = ("hash", "listpack", n);
        }
        10 => {
            let zl = r.blob()?;
            e.payload = layout.quicklist_node(zl.len() as u64);
            let n = compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", w))?;
            (e.kind, e.encoding, e.elements) = ("list", "quicklist", n);
        }
        11 => {
            let is = r.blob()?;
            e.payload = layout.blob(is.len() as u64);
            let n = compact::intset_len(&is).map_err(|w| blob_err(r, "intset", w))?;
            (e.kind, e.encoding, e.elements) = ("set", "intset", n);
        }
        12 | 13 => {
            let zl = r.blob()?;
            e.payload = layout.blob(zl.len() as u64);
            let n = compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", w))?;
            let kind = if kind == 12 { "zset" } else { "hash" };
            (e.kind, e.encoding, e.elements) = (kind, "listpack", n / 2);
        }
        14 => {
            let nodes = r.length()?;
            let mut n = 0;
            for _ in 0..nodes {
                let zl = r.blob()?;
                e.payload += layout.quicklist_node(zl.len() as u64);
                n += compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", w))?;
            }
            (e.kind, e.encoding, e.elements) = ("list", "quicklist", n);
        }
        18 => {
            let nodes = r.length()?;
            let mut n = 0;
            for _ in 0..nodes {
                match r.length()? {
                    // A plain node: one element, held on its own.
                    1 => {
                        e.payload += layout.quicklist_node(r.skip_string()?.len);
                        n += 1;
                    }
                    2 => {
                        let lp = r.blob()?;
                        e.payload += layout.quicklist_node(lp.len() as u64);
                        n += compact::listpack_len(&lp).map_err(|w| blob_err(r, "listpack", w))?;
                    }
                    other => return r.error(format!("unknown quicklist node container {other}")),
                }
            }
            let encoding = if nodes == 1 { "listpack" } else { "quicklist" };
            (e.kind, e.encoding, e.elements) = ("list", encoding, n);
        }
        16 | 17 | 20 => {
            let lp = r.blob()?;
            e.payload = layout.blob(lp.len() as u64);
            let n = compact::listpack_len(&lp).map_err(|w| blob_err(r, "listpack", w))?;
            let (k, per) = match kind {
                16 => ("hash", 2),
                17 => ("zset", 2),
                _ => ("set", 1),
            };
            (e.kind, e.encoding, e.elements) = (k, "listpack", n / per);
        }
        15 | 19 | 21 => stream(r, kind, layout, e)?,
        // Hash field expiry: Redis 7.4 GA (24, 25) and release candidates
        // (22, 23); Valkey 9's 22 is its own hash with field TTLs.
        22 if valkey => valkey_hash_ttls(r, layout, e)?,
        22 | 24 => {
            if kind == 24 {
                r.u64_le()?; // the least expiry, the TTLs' base
            }
            let n = r.length()?;
            let mut with_ttl = 0;
            for _ in 0..n {
                // An absolute expiry (22), or one relative to the least (24).
                let ttl = r.length()?;
                with_ttl += u64::from(ttl != 0);
                let field = r.skip_string()?.len;
                // The field's TTL beside it.
                e.payload += layout.hash_field(field, r.skip_string()?.len) + 8;
            }
            (e.kind, e.encoding, e.elements, e.field_ttls) = ("hash", "hashtable", n, with_ttl);
        }
        23 | 25 => {
            if kind == 25 {
                r.u64_le()?;
            }
            let lp = r.blob()?;
            e.payload = layout.blob(lp.len() as u64);
            let entries = compact::listpack_entries(&lp).map_err(|w| blob_err(r, "listpack", w))?;
            let with_ttl = entries
                .chunks(3)
                .filter(|t| t.get(2).is_some_and(|ttl| ttl.as_slice() != b"0"))
                .count() as u64;
            (e.kind, e.encoding, e.elements, e.field_ttls) =
                ("hash", "listpack", entries.len() as u64 / 3, with_ttl);
        }
        other => {
            return r.error(format!(
                "unknown type {other} for key {} (newer than this reader, or corrupt)",
                crate::text::clean(&String::from_utf8_lossy(&e.key))
            ))
        }
    }
    Ok(())
}

/// Valkey 9's hash with field TTLs (type 22 in a VALKEY080 dump): a count,
/// then each field, its value and its expiry (8 bytes, Unix ms; all ones
/// for none).
fn valkey_hash_ttls<R: Read>(r: &mut Reader<R>, layout: &Layout, e: &mut Entry) -> Result<()> {
    let n = r.length()?;
    let mut with_ttl = 0;
    for _ in 0..n {
        let field = r.skip_string()?.len;
        e.payload += layout.hash_field(field, r.skip_string()?.len);
        let ttl = r.u64_le()?;
        e.payload += if ttl == u64::MAX { 0 } else { 8 };
        with_ttl += u64::from(ttl != u64::MAX);
    }
    (e.kind, e.encoding, e.elements, e.field_ttls) = ("hash", "hashtable", n, with_ttl);
    Ok(())
}

/// A stream (RDB types 15, 19, 21): its listpacks, then its metadata and
/// consumer groups with their pending entries and consumers.
fn stream<R: Read>(r: &mut Reader<R>, kind: u8, layout: &Layout, e: &mut Entry) -> Result<()> {
    let nodes = r.length()?;
    for i in 0..nodes {
        let id = r.string()?;
        if id.len() != 16 {
            return r.error(format!("a stream node key of {} bytes, not 16", id.len()));
        }
        e.payload += layout.stream_node(r.skip_string()?.len, i + 1 == nodes);
    }
    let length = r.length()?;
    r.length()?; // last id: ms, seq
    r.length()?;
    if kind >= 19 {
        r.length()?; // first id
        r.length()?;
        r.length()?; // max deleted id
        r.length()?;
        r.length()?; // entries added
    }
    let groups = r.length()?;
    for _ in 0..groups {
        e.payload += layout.stream_group(r.skip_string()?.len);
        r.length()?; // last delivered id
        r.length()?;
        if kind >= 19 {
            r.length()?; // entries read
        }
        let pending = r.length()?;
        e.payload += pending * layout.stream_pending();
        for _ in 0..pending {
            r.skip(16)?; // id
            r.skip(8)?; // delivery time
            r.length()?; // delivery count
        }
        let consumers = r.length()?;
        for _ in 0..consumers {
            e.payload += layout.stream_consumer(r.skip_string()?.len);
            r.skip(8)?; // seen time
            if kind >= 21 {
                r.skip(8)?; // active time
            }
            let owned = r.length()?;
            r.skip(owned * 16)?;
        }
    }
    (e.kind, e.encoding, e.elements) = ("stream", "stream", length);
    Ok(())
}
