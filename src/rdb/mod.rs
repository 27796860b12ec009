//! Reading an RDB dump as it streams: every key with its database, type,
//! encoding, element count, expiry, LRU idle time or LFU frequency, and
//! the bytes it takes in the dump; the dump's own metadata (AUX fields);
//! the CRC64 checked at the end. Values are measured as they pass, not
//! held: memory does not grow with the number of keys or a key's size.
//!
//! Versions: Redis RDB 2 to 15 (Redis 2.x to 8.10) and Valkey's 80 and 81
//! (`VALKEY080`, Valkey 9.0; `VALKEY081`, 9.2). The format, from redis/redis and
//! valkey-io/valkey `src/rdb.h` and `rdb.c`: see docs/rdb.md.

pub mod compact;
pub mod crc64;
pub mod lzf;
pub mod memory;
pub mod reader;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;

use memory::Layout;
use reader::{Reader, Result};

/// The newest Redis RDB version read.
pub const REDIS_MAX: u32 = 15;
/// Valkey's own versions (Valkey reserves 12 to 79 for Redis).
pub const VALKEY_VERSIONS: [u32; 2] = [80, 81];

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
    /// The envelope the dump came in: `vkcs-lz4` (Valkey 9.2's
    /// compression), or none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    pub version: u32,
    /// AUX fields: redis-ver, ctime, used-mem, aof-base, ...
    pub aux: Vec<(String, String)>,
    /// Function libraries and module AUX data passed over, with their
    /// bytes.
    pub functions: u64,
    pub function_bytes: u64,
    pub module_aux: u64,
    pub module_aux_bytes: u64,
    /// Keys with module metadata (RDB 13+, opcode 243), and its bytes.
    pub key_meta: u64,
    pub key_meta_bytes: u64,
    /// Hash templates (RDB 15, opcode 242): the field names shared by
    /// template-encoded hashes.
    pub hash_templates: u64,
    /// Valkey's slot imports in progress (opcode 243 in a Valkey dump).
    pub slot_imports: u64,
    /// Valkey's inline replication commands (opcode 242 in a Valkey dump):
    /// writes made while a forkless save ran, which a replica replays as it
    /// loads. The report is of the dump without them.
    pub inline_commands: u64,
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
pub fn read<R: Read>(input: R, mut each: impl FnMut(&Entry)) -> Result<Meta> {
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
///
/// A dump in Valkey's compression envelope (`VKCS`, version 1, LZ4 frames,
/// stream kind 0: `src/compression_stream.h`) is read through it; offsets
/// are then the decompressed dump's.
pub fn read_with<R: Read>(
    mut input: R,
    meta: &mut Meta,
    choose: impl FnOnce(&Meta) -> Layout,
    each: impl FnMut(&mut Entry) -> ControlFlow<()>,
) -> Result<bool> {
    let mut head = [0u8; 8];
    let got = fill(&mut input, &mut head[..4])?;
    if head[..got] != *b"VKCS" {
        let replay = std::io::Cursor::new(head[..got].to_vec());
        return read_plain(replay.chain(input), meta, choose, each);
    }
    let at = |offset: u64, message: String| reader::RdbError { offset, message };
    if fill(&mut input, &mut head[4..])? < 4 {
        return Err(at(
            got as u64,
            "the file ends inside its VKCS envelope (truncated)".into(),
        ));
    }
    let [version, codec, flags, kind] = [head[4], head[5], head[6], head[7]];
    if version != 1 {
        return Err(at(
            4,
            format!("a VKCS envelope of version {version}, not 1"),
        ));
    }
    if codec != 1 {
        return Err(at(
            5,
            format!("a VKCS envelope of codec {codec}, not LZ4 (1)"),
        ));
    }
    if flags & !1 != 0 {
        return Err(at(
            6,
            format!("a VKCS envelope with unknown flags {flags:#04x}"),
        ));
    }
    if kind != 0 {
        return Err(at(
            7,
            format!("a VKCS envelope of stream kind {kind}, not an RDB (0)"),
        ));
    }
    meta.envelope = Some("vkcs-lz4".into());
    let inner = lz4_flex::frame::FrameDecoder::new(input);
    read_plain(inner, meta, choose, each)
}

/// Reads into `buf` until it is full or the input ends; how many bytes.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(reader::RdbError {
                    offset: got as u64,
                    message: format!("cannot read: {e}"),
                })
            }
        }
    }
    Ok(got)
}

/// An RDB stream, from its magic to its checksum.
fn read_plain<R: Read>(
    input: R,
    meta: &mut Meta,
    choose: impl FnOnce(&Meta) -> Layout,
    mut each: impl FnMut(&mut Entry) -> ControlFlow<()>,
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
            "RDB version {version} ({magic}) is not one cachectl reads (Redis 1 to {REDIS_MAX}, Valkey 80 and 81)"
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
    // Hash templates by id.
    let mut templates: HashMap<u64, Template> = HashMap::new();
    // Each key is read into the last one's allocation.
    let mut key = Vec::new();
    loop {
        let at = r.offset();
        let mut op = r.byte()?;
        if op == 243 && !valkey {
            // Key metadata before the key's type (RDB 13): classes, each a
            // 4-byte spec and a module-style value to its EOF.
            let from = r.offset();
            for _ in 0..r.length()? {
                r.skip(4)?;
                module_fields(&mut r)?;
            }
            meta.key_meta += 1;
            meta.key_meta_bytes += r.offset() - from;
            op = r.byte()?;
            if op >= 242 {
                return r.error(format!(
                    "key metadata followed by opcode {op}, not a key's type"
                ));
            }
        }
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
                let from = r.offset();
                let _module = r.length()?;
                let _when_opcode = r.length()?;
                let _when = r.length()?;
                module_fields(&mut r)?;
                meta.module_aux += 1;
                meta.module_aux_bytes += r.offset() - from;
            }
            246 => {
                // Functions before 7.0 GA: name, engine, description flag
                // and text, code.
                let from = r.offset();
                r.skip_string()?;
                r.skip_string()?;
                if r.length()? != 0 {
                    r.skip_string()?;
                }
                r.skip_string()?;
                meta.functions += 1;
                meta.function_bytes += r.offset() - from;
            }
            245 => {
                let from = r.offset();
                r.skip_string()?;
                meta.functions += 1;
                meta.function_bytes += r.offset() - from;
            }
            242 if !valkey => {
                // A hash template (RDB 15): id, field count, field names.
                let id = r.length()?;
                let fields = r.length()?;
                if fields == 0 {
                    return r.error(format!("hash template {id} has no fields"));
                }
                let mut names = Vec::new();
                for _ in 0..fields {
                    names.push(r.skip_string()?.len);
                }
                let template = Template {
                    fields,
                    names,
                    counted: std::cell::Cell::new(false),
                };
                if templates.insert(id, template).is_some() {
                    return r.error(format!("hash template {id} is given twice"));
                }
                meta.hash_templates += 1;
            }
            243 if valkey => {
                // A slot import in progress (Valkey 9.0+: `src/
                // cluster_migrateslots.c`): the job's name, then its slot
                // ranges, each a first and a last slot.
                r.skip_string()?;
                for _ in 0..r.length()? {
                    r.length()?;
                    r.length()?;
                }
                meta.slot_imports += 1;
            }
            242 if valkey => {
                // A write made during a forkless save (Valkey 9.2:
                // `writeReplicationData`), as a RESP array of bulk strings.
                resp_command(&mut r)?;
                meta.inline_commands += 1;
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
                r.string_into(&mut key)?;
                let from = r.offset();
                let mut e = Entry {
                    db,
                    key: std::mem::take(&mut key),
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
                let scope = Scope {
                    valkey,
                    layout: &layout,
                    templates: &templates,
                };
                value(&mut r, kind, &scope, &mut e).map_err(|mut err| {
                    if err.message.starts_with("unknown type") {
                        err.offset = at;
                    }
                    err
                })?;
                e.dump_bytes = r.offset() - from;
                e.memory = layout.estimate(&e);
                // The caller may take the key (and leave another buffer).
                if each(&mut e).is_break() {
                    return Ok(false);
                }
                key = e.key;
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
                offset: r.offset() - 8,
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

/// A hash template of the dump (RDB 15): how many fields it names (the
/// names are the server's once, shared, not any one key's).
#[derive(Debug, Clone)]
struct Template {
    fields: u64,
    /// The length of each field name.
    names: Vec<u64>,
    /// Whether a key's estimate has taken in the template's memory yet:
    /// the first key that refers to it does (MEMORY USAGE shares it out
    /// among them, which sums to the same).
    counted: std::cell::Cell<bool>,
}

/// What a value is read in the light of: whose dump, how keys are sized,
/// the hash templates given so far.
struct Scope<'a> {
    valkey: bool,
    layout: &'a Layout,
    templates: &'a HashMap<u64, Template>,
}

/// Reads one value of type `kind` into `e` (kind, encoding, elements).
#[allow(clippy::too_many_lines)]
fn value<R: Read>(r: &mut Reader<R>, kind: u8, scope: &Scope, e: &mut Entry) -> Result<()> {
    let (valkey, layout) = (scope.valkey, scope.layout);
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
            let n = compact::zipmap_len(&zm).map_err(|w| blob_err(r, "zipmap", &w))?;
            (e.kind, e.encoding, e.elements) = ("hash", "listpack", n);
        }
        10 => {
            let zl = r.blob()?;
            e.payload = layout.quicklist_node(zl.len() as u64);
            let n = compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", &w))?;
            (e.kind, e.encoding, e.elements) = ("list", "quicklist", n);
        }
        11 => {
            let is = r.blob()?;
            e.payload = layout.blob(is.len() as u64);
            let n = compact::intset_len(&is).map_err(|w| blob_err(r, "intset", &w))?;
            (e.kind, e.encoding, e.elements) = ("set", "intset", n);
        }
        12 | 13 => {
            let zl = r.blob()?;
            e.payload = layout.blob(zl.len() as u64);
            let n = compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", &w))?;
            let kind = if kind == 12 { "zset" } else { "hash" };
            (e.kind, e.encoding, e.elements) = (kind, "listpack", n / 2);
        }
        14 => {
            let nodes = r.length()?;
            let mut n = 0;
            for _ in 0..nodes {
                let zl = r.blob()?;
                e.payload += layout.quicklist_node(zl.len() as u64);
                n += compact::ziplist_len(&zl).map_err(|w| blob_err(r, "ziplist", &w))?;
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
                        n += compact::listpack_len(&lp).map_err(|w| blob_err(r, "listpack", &w))?;
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
            let n = compact::listpack_len(&lp).map_err(|w| blob_err(r, "listpack", &w))?;
            let (k, per) = match kind {
                16 => ("hash", 2),
                17 => ("zset", 2),
                _ => ("set", 1),
            };
            (e.kind, e.encoding, e.elements) = (k, "listpack", n / per);
        }
        15 | 19 | 21 | 26 | 27 if !valkey || kind < 22 => stream(r, kind, layout, e)?,
        28 if !valkey => array(r, layout, e)?,
        29..=32 if !valkey => template_hash(r, kind, scope, e)?,
        // GCRA rate limiter state (a build option of Redis 8.10): its
        // theoretical arrival time.
        33 if !valkey => {
            r.length()?;
            (e.kind, e.encoding) = ("gcra", "gcra");
        }
        // Hash field expiry: Redis 7.4 GA (24, 25) and release candidates
        // (22, 23); Valkey 9's 22 is its own hash with field TTLs.
        22 if valkey => valkey_hash_ttls(r, layout, e)?,
        23 if valkey => path_hash(r, layout, e)?,
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
        // OBJECT ENCODING calls these `listpackex`.
        23 | 25 => {
            if kind == 25 {
                r.u64_le()?;
            }
            let lp = r.blob()?;
            e.payload = layout.blob(lp.len() as u64);
            let entries =
                compact::listpack_entries(&lp).map_err(|w| blob_err(r, "listpack", &w))?;
            let with_ttl = entries
                .chunks(3)
                .filter(|t| t.get(2).is_some_and(|ttl| ttl.as_slice() != b"0"))
                .count() as u64;
            (e.kind, e.encoding, e.elements, e.field_ttls) =
                ("hash", "listpackex", entries.len() as u64 / 3, with_ttl);
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

/// Valkey 9.2's path hash (type 23 in a `VALKEY081` dump; valkey-io/valkey
/// #4506): its count of paths, then each path, its count of fields (never
/// 0: a path without fields is not stored) and each field and value. Each
/// path's part is that pull request's `rdbSaveObject` and `rdbLoadObject`
/// as reviewed; the count before them is inferred (every collection's
/// count comes first, and an empty path hash is saved), not seen. No
/// Valkey 9.2 server is within reach here to write one.
fn path_hash<R: Read>(r: &mut Reader<R>, layout: &Layout, e: &mut Entry) -> Result<()> {
    let paths = r.length()?;
    for _ in 0..paths {
        let path = r.skip_string()?.len;
        let fields = r.length()?;
        if fields == 0 {
            return r.error(format!(
                "a path of path hash {} with no fields (a path hash stores none)",
                crate::text::clean(&String::from_utf8_lossy(&e.key))
            ));
        }
        let mut sizes = memory::PathFields::default();
        for _ in 0..fields {
            let field = r.skip_string()?.len;
            sizes.add(layout, field, r.skip_string()?.len);
        }
        e.payload += layout.path_hash_path(path, &sizes);
    }
    (e.kind, e.encoding, e.elements) = ("path-hash", "radix", paths);
    Ok(())
}

/// An array (RDB 14, type 28): its count, an insert index if it has one,
/// then each element's index, type tag and value (an integer or a double
/// in 8 bytes, or a string).
fn array<R: Read>(r: &mut Reader<R>, layout: &Layout, e: &mut Entry) -> Result<()> {
    let n = r.length()?;
    if n == 0 {
        return r.error("an empty array (a count of 0)");
    }
    match r.length()? {
        0 => {}
        1 => {
            r.length()?;
        }
        other => return r.error(format!("an array insert-index flag of {other}, not 0 or 1")),
    }
    // Elements come in index order: the slice of each, and how many each
    // slice holds.
    let (mut slice, mut in_slice) = (0, 0);
    for _ in 0..n {
        let at = r.length()? / memory::ARRAY_SLICE;
        if at != slice && in_slice > 0 {
            e.payload += layout.array_slice(in_slice);
            in_slice = 0;
        }
        (slice, in_slice) = (at, in_slice + 1);
        match r.length()? {
            1 | 2 => {
                r.skip(8)?;
                e.payload += layout.array_element(None);
            }
            0 | 3 => e.payload += layout.array_element(Some(r.skip_string()?.len)),
            other => return r.error(format!("an array element of type tag {other}")),
        }
    }
    e.payload += layout.array_slice(in_slice) + layout.array_directory(slice);
    (e.kind, e.encoding, e.elements) = ("array", "sliced-array", n);
    Ok(())
}

/// A hash in the template encoding (RDB 15): its field names are a
/// template's, given before the keys (types 30 and 32 refer to one by id)
/// or with the value (29 and 31, in DUMP payloads); its values are a
/// listpack whose first entry is the template's id (29, 30), or one string
/// each (31, 32).
fn template_hash<R: Read>(r: &mut Reader<R>, kind: u8, scope: &Scope, e: &mut Entry) -> Result<()> {
    let layout = scope.layout;
    let fields = if kind == 30 {
        None
    } else if kind == 32 {
        let id = r.length()?;
        let Some(t) = scope.templates.get(&id) else {
            return r.error(format!("hash template {id} was not given before its key"));
        };
        if !t.counted.replace(true) {
            e.payload += layout.hash_template(&t.names);
        }
        Some(t.fields)
    } else {
        // The names with the value: a listpack of them (0), or a count and
        // the names one by one (1).
        Some(match r.length()? {
            0 => {
                let names = r.blob()?;
                compact::listpack_len(&names).map_err(|w| blob_err(r, "listpack", &w))?
            }
            1 => {
                let n = r.length()?;
                let mut names = Vec::new();
                for _ in 0..n {
                    names.push(r.skip_string()?.len);
                }
                e.payload += layout.hash_template(&names);
                n
            }
            other => return r.error(format!("hash template fields in format {other}")),
        })
    };
    let n = if kind == 29 || kind == 30 {
        let lp = r.blob()?;
        e.payload = layout.blob(lp.len() as u64);
        let entries = compact::listpack_len(&lp).map_err(|w| blob_err(r, "listpack", &w))?;
        let n = entries.saturating_sub(1);
        if fields.is_some_and(|f| f != n) || entries == 0 {
            return r.error(format!(
                "a template hash of {n} values for {} fields",
                fields.unwrap_or_default()
            ));
        }
        e.encoding = "template-listpack";
        n
    } else {
        let n = fields.unwrap_or_default();
        e.payload += layout.template_array(n);
        for _ in 0..n {
            e.payload += layout.template_value(r.skip_string()?.len);
        }
        e.encoding = "template-array";
        n
    };
    (e.kind, e.elements) = ("hash", n);
    Ok(())
}

/// Passes over a command in RESP (`*<argc>\r\n`, then `$<len>\r\n<bytes>\r\n`
/// an argument).
fn resp_command<R: Read>(r: &mut Reader<R>) -> Result<()> {
    if r.byte()? != b'*' {
        return r.error("an inline command (opcode 242) that is not a RESP array");
    }
    for _ in 0..resp_number(r)? {
        if r.byte()? != b'$' {
            return r.error("an inline command's argument that is not a RESP bulk string");
        }
        let len = resp_number(r)?;
        r.skip(len)?;
        if (r.byte()?, r.byte()?) != (b'\r', b'\n') {
            return r.error("an inline command's argument not ended by CRLF");
        }
    }
    Ok(())
}

/// A RESP count or length: digits, then CRLF.
fn resp_number<R: Read>(r: &mut Reader<R>) -> Result<u64> {
    let mut n: u64 = 0;
    for digits in 0.. {
        match r.byte()? {
            b'\r' if digits > 0 => break,
            b @ b'0'..=b'9' if digits < 19 => n = n * 10 + u64::from(b - b'0'),
            _ => return r.error("an inline command with a malformed RESP length"),
        }
    }
    if r.byte()? != b'\n' {
        return r.error("an inline command with a malformed RESP length");
    }
    Ok(n)
}

/// A listpack, ziplist, intset or zipmap that does not parse, where.
fn blob_err<R: Read>(r: &Reader<R>, what: &str, why: &str) -> reader::RdbError {
    reader::RdbError {
        offset: r.offset(),
        message: format!("a {what} does not parse: {why}"),
    }
}

/// A stream (RDB types 15, 19, 21, 26, 27): its listpacks, then its
/// metadata and consumer groups with their pending entries and consumers;
/// from 27 each group's NACKed entries, from 26 the idempotent producers.
fn stream<R: Read>(r: &mut Reader<R>, kind: u8, layout: &Layout, e: &mut Entry) -> Result<()> {
    let nodes = r.length()?;
    let mut tree = layout.id_tree();
    for i in 0..nodes {
        let id = r.string()?;
        let Ok(id) = <[u8; 16]>::try_from(id.as_slice()) else {
            return r.error(format!("a stream node key of {} bytes, not 16", id.len()));
        };
        tree.add(&id);
        e.payload += layout.stream_node(r.skip_string()?.len, i + 1 == nodes);
    }
    e.payload += tree.bytes();
    // The tree of entries pending in any group (Redis 8.10's
    // `cgroups_ref`) is taken as the largest group's: it is that tree when
    // every group reads the whole stream.
    let mut referenced = 0;
    let mut id = [0; 16];
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
        let mut tree = layout.id_tree();
        for _ in 0..pending {
            r.exact(&mut id)?;
            tree.add(&id);
            r.skip(8)?; // delivery time
            r.length()?; // delivery count
        }
        let bytes = tree.bytes();
        e.payload += bytes;
        if pending > 0 {
            referenced = referenced.max(bytes);
        }
        let consumers = r.length()?;
        for _ in 0..consumers {
            e.payload += layout.stream_consumer(r.skip_string()?.len, kind >= 21);
            r.skip(8)?; // seen time
            if kind >= 21 {
                r.skip(8)?; // active time
            }
            let mut tree = layout.id_tree();
            for _ in 0..r.length()? {
                r.exact(&mut id)?;
                tree.add(&id);
            }
            e.payload += tree.bytes();
        }
        if kind >= 27 {
            // Entries NACKed: in their group's tree, no consumer's.
            let nacked = r.length()?;
            r.skip(nacked * 16)?;
        }
    }
    e.payload += layout.stream_references(referenced);
    if kind >= 26 {
        // IDMP: duration, most entries, then each producer's id and its
        // entries (an IID and the stream id it made), then two counters.
        r.length()?;
        r.length()?;
        let producers = r.length()?;
        if producers > 0 {
            e.payload += layout.stream_producers();
        }
        for _ in 0..producers {
            e.payload += layout.stream_producer(r.skip_string()?.len);
            for _ in 0..r.length()? {
                e.payload += layout.stream_iid(r.skip_string()?.len);
                r.length()?;
                r.length()?;
            }
        }
        r.length()?;
        r.length()?;
    }
    (e.kind, e.encoding, e.elements) = ("stream", "stream", length);
    Ok(())
}
