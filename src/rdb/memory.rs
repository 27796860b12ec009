//! What a key of a dump takes in the server's memory: the estimate
//! `memory --rdb` reports where a live server would be asked MEMORY USAGE.
//!
//! The dump holds each value as encoded on disk; the server holds it in
//! allocations whose sizes the allocator rounds up to its size classes,
//! behind object headers, dictionary entries and buckets that depend on the
//! server's version. The model (docs/rdb.md) follows MEMORY USAGE's own
//! accounting (`objectComputeSize` in redis/redis and valkey-io/valkey
//! `src/object.c`) for four families of servers:
//!
//! - Redis before 7.0: a key is an sds and a 24-byte dict entry, its value
//!   a 16-byte object; embedded strings are counted unrounded.
//! - Redis 7.x (and Valkey 7.2): the same, every allocation rounded.
//! - Redis 8: the key is embedded in its object (with its expiry); no
//!   dict entry per key; jemalloc built with 8-byte size classes.
//! - Valkey 8 and later: the key embedded in its object, short values too;
//!   sets, hashes and sorted sets in Valkey's own hash table (64-byte
//!   buckets of seven entries), hash fields and values in one allocation.
//! - Redis 8.10 and later: MEMORY USAGE is the size each structure tracks
//!   of its own allocations (`kvobjAllocSize`, redis/redis `src/object.c`;
//!   "#15462 MEMORY USAGE over-reports" in its release notes). Some parts
//!   are counted as requested, not as the allocator rounds them: the key's
//!   object, listpacks and intsets, short set members, hash fields with
//!   their values. Dict entries are 16 bytes (no value slot), a sorted
//!   set's element lives in its skiplist node, and a stream counts its
//!   listpacks as long as they are.
//!
//! The allocator cannot be read from a dump: it is that of the family's
//! usual build unless told (`--allocator`, or the live server's INFO with
//! `--rdb-from`).

use serde::Serialize;

use super::{Entry, Meta};

/// How the server's allocator rounds a request up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Allocator {
    /// jemalloc with 16-byte size classes (Redis 7 and earlier, Valkey).
    Jemalloc,
    /// jemalloc with 8-byte size classes (Redis 8 builds it so).
    Jemalloc8,
    /// glibc malloc (builds with MALLOC=libc).
    Libc,
}

impl Allocator {
    /// The bytes an allocation of `n` takes.
    pub fn size(self, n: u64) -> u64 {
        match self {
            Allocator::Jemalloc => size_class(n, 16),
            Allocator::Jemalloc8 => size_class(n, 8),
            // A chunk of at least 32 bytes, in 16-byte steps, with an
            // 8-byte header.
            Allocator::Libc => ((n + 8 + 15) & !15).max(32) - 8,
        }
    }

    /// The name the report gives it (and `--allocator` takes).
    pub fn name(self) -> &'static str {
        match self {
            Allocator::Jemalloc => "jemalloc",
            Allocator::Jemalloc8 => "jemalloc8",
            Allocator::Libc => "libc",
        }
    }

    /// The name INFO's `mem_allocator` gives (`jemalloc-5.3.0`, `libc`).
    pub fn from_info(name: &str, family: Family) -> Option<Allocator> {
        if name.starts_with("libc") {
            Some(Allocator::Libc)
        } else if name.starts_with("jemalloc") {
            Some(family.allocator())
        } else {
            None
        }
    }
}

/// jemalloc's size classes: multiples of the quantum up to four quanta,
/// then four classes between each power of two and the next.
fn size_class(n: u64, quantum: u64) -> u64 {
    if n <= 8 {
        8
    } else if n <= 4 * quantum {
        n.div_ceil(quantum) * quantum
    } else {
        let spacing = n.next_power_of_two() / 8;
        n.div_ceil(spacing) * spacing
    }
}

/// Which accounting the server that wrote the dump follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Redis6,
    Redis7,
    Redis8,
    Valkey8,
    #[serde(rename = "redis8.10")]
    Redis810,
}

impl Family {
    /// The family of a dump: by `valkey-ver` or `redis-ver`, else by the
    /// RDB version.
    pub fn of(meta: &Meta) -> Family {
        // A version field's major and minor numbers (`8.10.2`: 8, 10).
        let version = |field: &str| {
            let (_, v) = meta.aux.iter().find(|(k, _)| k == field)?;
            let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        };
        if let Some((v, _)) = version("valkey-ver") {
            return if v >= 8 {
                Family::Valkey8
            } else {
                Family::Redis7
            };
        }
        if meta.magic == "valkey" || meta.version >= 80 {
            return Family::Valkey8;
        }
        match version("redis-ver") {
            Some((v, _)) if v < 7 => Family::Redis6,
            Some((7, _)) => Family::Redis7,
            Some((8, minor)) if minor < 10 => Family::Redis8,
            Some(_) => Family::Redis810,
            None if meta.version <= 9 => Family::Redis6,
            None if meta.version <= 11 => Family::Redis7,
            // RDB 15 is Redis 8.10's.
            None if meta.version <= 14 => Family::Redis8,
            None => Family::Redis810,
        }
    }

    /// The name the report gives it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Redis6 => "redis6",
            Family::Redis7 => "redis7",
            Family::Redis8 => "redis8",
            Family::Valkey8 => "valkey8",
            Family::Redis810 => "redis8.10",
        }
    }

    /// The allocator of the family's usual build.
    pub fn allocator(self) -> Allocator {
        match self {
            Family::Redis8 | Family::Redis810 => Allocator::Jemalloc8,
            _ => Allocator::Jemalloc,
        }
    }
}

/// An object header (`robj`).
const ROBJ: u64 = 16;
/// A dict entry: key, value, next; from Redis 8.10 a set's, hash's or
/// sorted set's is counted without the value.
const DICT_ENTRY: u64 = 24;
const DICT_ENTRY_NO_VALUE: u64 = 16;
/// A dict's own struct.
const DICT: u64 = 56;
/// A quicklist and one of its nodes.
const QUICKLIST: u64 = 40;
const QUICKLIST_NODE: u64 = 32;
/// A skiplist node without its levels (element, score, backward), a level
/// (forward, span), and the levels of the header node.
const ZSL_NODE: u64 = 24;
const ZSL_LEVEL: u64 = 16;
const ZSL_MAX_LEVEL: u64 = 32;
/// A sorted set's own structs: the zset and its skiplist.
const ZSET: u64 = 16 + 32;
/// Valkey's hash table: 64-byte buckets of seven entries, filled to at
/// most 77% before it grows.
const VK_BUCKET: u64 = 64;
const VK_TABLE: u64 = 64;
/// What MEMORY USAGE counts of a stream, a group, a pending entry and a
/// consumer beside its radix trees (`IdTree`) and listpacks, per family,
/// as `[Redis6, Redis7, Redis8, Valkey8, Redis810]`: before Redis 8.10 the
/// structs' sizes (`objectComputeSize`, `src/object.c`); Valkey's and
/// 8.10's as measured (docs/rdb.md), with their trees' structs.
const STREAM: [u64; 5] = [40, 80, 112, 136, 200];
const STREAM_GROUP: [u64; 5] = [32, 40, 40, 75, 214];
const STREAM_PENDING: [u64; 5] = [24, 24, 32, 24, 64];
const STREAM_CONSUMER: [u64; 5] = [24, 24, 24, 79, 98];
/// A Redis 8.10 array (`src/sparsearray.c`): its struct, a directory of
/// slices of 4096 indexes (a pointer each, a power of two of them), and
/// in each slice a slot of 10 bytes (an offset and a value) for a power of
/// two of its elements past 8. Measured exact on Redis 8.10.2 for arrays
/// of 1 to 2000 elements.
const ARRAY_BASE: u64 = 80;
pub const ARRAY_SLICE: u64 = 4096;
const ARRAY_SLOT: u64 = 10;
const ARRAY_MIN_SLOTS: u64 = 8;
/// A hash template's struct (Redis 8.10).
const HASH_TEMPLATE: u64 = 64;
/// A hash with field TTLs in a listpack: the listpack's holder (an expiry
/// entry and a pointer), which Redis 8.10 counts.
const LISTPACK_EX: u64 = 24;
/// A string an array element holds in place of a pointer.
const ARRAY_SMALL_STRING: u64 = 7;
/// From Redis 7.0 (and in Valkey) a stream's newest node is allocated
/// whole when made, and counted so.
const STREAM_PREALLOC: u64 = 4096;

/// A radix tree's own struct (head, element and node counts).
const RAX: u64 = 24;
/// A compressed radix tree node past its bytes: its header, a child
/// pointer and a value pointer.
const RAX_NODE: u64 = 4 + 8 + 8;
/// The most fields a hash keeps in a listpack, and the longest field or
/// value (hash-max-listpack-entries and -value, as shipped).
const LISTPACK_MAX_ENTRIES: u64 = 128;
const LISTPACK_MAX_VALUE: u64 = 64;

/// The bytes of a listpack entry holding a string of `len` bytes: its
/// encoding byte(s), the bytes, and the back length.
fn listpack_entry(len: u64) -> u64 {
    let head = match len {
        0..64 => 1,
        64..4096 => 2,
        _ => 5,
    };
    let back = match head + len {
        0..128 => 1,
        128..16_384 => 2,
        16_384..2_097_152 => 3,
        2_097_152..268_435_456 => 4,
        _ => 5,
    };
    head + len + back
}

/// The fields of one path of a path hash, as they pass: what they would
/// take in a listpack and in a hash table, and whether a listpack holds
/// them.
#[derive(Debug, Default)]
pub struct PathFields {
    count: u64,
    longest: u64,
    listpack: u64,
    table: u64,
}

impl PathFields {
    pub fn add(&mut self, layout: &Layout, field: u64, value: u64) {
        self.count += 1;
        self.longest = self.longest.max(field).max(value);
        self.listpack += listpack_entry(field) + listpack_entry(value);
        self.table += layout.hash_field(field, value);
    }
}

/// The length of a stream ID, the key of a stream's radix trees.
const ID: usize = 16;

/// The radix tree of a stream's IDs (its nodes, a group's or a consumer's
/// pending entries), sized as the IDs pass in order (as a dump holds
/// them) with only the last ID and its path kept. The tree is the one its
/// insertions make (`src/rax.c`): a node where the IDs part, with a byte
/// and a slot for each way; between two such, one compressed node of the
/// bytes in common; a leaf node at each key. IDs that part early (written
/// a millisecond or more apart, as most are) make many more nodes than IDs
/// of one millisecond (a pipeline's): counted by a mean per entry instead,
/// streams of spread IDs were 30% to 42% under.
///
/// Valkey counts each node's allocation (`raxAllocSize`); so does Redis
/// 8.10 (`rax_malloc_usable`), whose trees of fixed-length keys keep each
/// value in its parent's slot, so a key has no leaf. Redis before 8.10
/// counts a tree by its counts alone (`streamRadixTreeMemoryUsage`,
/// `src/object.c`): 16 bytes a key and 244 a node.
#[derive(Debug)]
pub struct IdTree {
    layout: Layout,
    keys: u64,
    last: [u8; ID],
    /// The last ID's path: each node's first depth, the depth where it
    /// ends (a parting, or `ID` at the key), and the ways it parts.
    path: Vec<(u8, u8, u32)>,
    /// The nodes left behind, their allocations (Redis 8.10) and count.
    bytes: u64,
    nodes: u64,
}

impl IdTree {
    pub fn add(&mut self, id: &[u8; ID]) {
        if self.keys == 0 {
            self.path.push((0, ID as u8, 0));
        } else {
            let common = self.last.iter().zip(id).take_while(|(a, b)| a == b).count();
            if common == ID {
                return; // the same ID again: not a new key
            }
            let h = common as u8;
            while let Some(&(start, end, ways)) = self.path.last() {
                if start <= h {
                    break;
                }
                self.path.pop();
                self.leave(start, end, ways);
            }
            let Some(node) = self.path.last_mut() else {
                return;
            };
            if node.1 == h {
                node.2 += 1;
            } else {
                let (start, end, ways) = *node;
                *node = (start, h, 2);
                self.leave(h + 1, end, ways);
            }
            self.path.push((h + 1, ID as u8, 0));
        }
        self.last = *id;
        self.keys += 1;
    }

    /// What MEMORY USAGE counts of the tree's nodes and keys (its struct
    /// is the caller's).
    pub fn bytes(mut self) -> u64 {
        while let Some((start, end, ways)) = self.path.pop() {
            self.leave(start, end, ways);
        }
        match (self.layout.family, self.keys) {
            // An empty tree: its head, a header and padding.
            (Family::Redis810 | Family::Valkey8, 0) => self.layout.alloc(8),
            (Family::Redis810, _) => self.bytes,
            // A leaf at each key: a header, padding and the value.
            (Family::Valkey8, _) => self.bytes + self.keys * self.layout.alloc(16),
            (_, 0) => RAX_NODE_COUNTED,
            _ => self.keys * ID as u64 + self.nodes * RAX_NODE_COUNTED,
        }
    }

    /// Counts the nodes from depth `start` to `end`: the bytes in common
    /// (a compressed node, its slot a child's or, in Redis 8.10, the key's
    /// value), then the parting there, or the key's leaf.
    fn leave(&mut self, start: u8, end: u8, ways: u32) {
        let pad = |n: u64| (8 - (n + 4) % 8) % 8;
        let len = u64::from(end - start);
        if len > 0 {
            self.bytes += self.layout.alloc(4 + len + pad(len) + 8);
            self.nodes += 1;
        }
        if usize::from(end) < ID {
            let ways = u64::from(ways);
            self.bytes += self.layout.alloc(4 + ways + pad(ways) + 8 * ways);
        }
        self.nodes += 1;
    }
}

/// What MEMORY USAGE counts a radix tree node before Redis 8.10: its
/// 4-byte header and 30 words "due to the aux data pointer, children".
const RAX_NODE_COUNTED: u64 = 4 + 8 * 30;
/// A radix tree's struct in Redis 8.10 (head, counts, the counter it adds
/// its allocations to, the keys' fixed length).
const RAX_STRUCT: u64 = 40;

/// The bytes of an sds header for a string of `len`.
fn sds_header(len: u64) -> u64 {
    match len {
        0..32 => 1,
        32..256 => 3,
        256..65_536 => 5,
        65_536..4_294_967_296 => 9,
        _ => 17,
    }
}

/// How to size a dump's keys in a server's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub family: Family,
    pub allocator: Allocator,
    /// The mean allocation of a skiplist node (levels drawn with p = 1/4).
    #[serde(skip)]
    zsl_node: u64,
}

impl Layout {
    pub fn new(family: Family, allocator: Allocator) -> Layout {
        let mut layout = Layout {
            family,
            allocator,
            zsl_node: 0,
        };
        layout.zsl_node = layout.skiplist_node(0);
        layout
    }

    /// The layout of a dump's server, with the allocator if told.
    pub fn of(meta: &Meta, allocator: Option<Allocator>) -> Layout {
        let family = Family::of(meta);
        Layout::new(family, allocator.unwrap_or(family.allocator()))
    }

    fn alloc(&self, n: u64) -> u64 {
        self.allocator.size(n)
    }

    /// An sds string of `len` bytes.
    pub fn sds(&self, len: u64) -> u64 {
        self.alloc(sds_header(len) + len + 1)
    }

    /// An sds string as Redis 8.10 counts it: the smallest kind (under 32
    /// bytes) as requested, the others as allocated.
    fn sds_counted(&self, len: u64) -> u64 {
        if len < 32 {
            len + 2
        } else {
            self.sds(len)
        }
    }

    /// The mean allocation of a skiplist node holding `embedded` bytes of
    /// its element (Valkey keeps the element in the node).
    fn skiplist_node(&self, embedded: u64) -> u64 {
        let node = self.zsl_node_fixed();
        let mut sum = 0.0;
        let mut p = 0.75;
        for level in 1..=8 {
            sum += p * self.alloc(node + ZSL_LEVEL * level + embedded) as f64;
            p /= 4.0;
        }
        sum.round() as u64
    }

    /// A skiplist node's fixed part: from Redis 8.10 it has no element
    /// pointer (its element is in it).
    fn zsl_node_fixed(&self) -> u64 {
        match self.family {
            Family::Redis810 => ZSL_NODE - 8,
            _ => ZSL_NODE,
        }
    }

    /// A member of a set in a hash table.
    pub fn set_member(&self, len: u64) -> u64 {
        match self.family {
            Family::Valkey8 => self.sds(len),
            Family::Redis810 => self.sds_counted(len) + DICT_ENTRY_NO_VALUE,
            _ => self.sds(len) + DICT_ENTRY,
        }
    }

    /// A field and its value in a hash table.
    pub fn hash_field(&self, field: u64, value: u64) -> u64 {
        match self.family {
            // One allocation: the field (with a byte saying its header's
            // size) and the value's sds after it.
            Family::Valkey8 => {
                self.alloc(1 + sds_header(field) + field + 1 + sds_header(value).max(3) + value + 1)
            }
            // One entry as requested: the field, and its value after it
            // while the two fit in 128 bytes, else a pointer to the value's
            // own sds (`src/entry.c`).
            Family::Redis810 => {
                let both = sds_header(field) + field + 1 + sds_header(value).max(3) + value + 1;
                DICT_ENTRY_NO_VALUE
                    + if both <= 128 {
                        both
                    } else {
                        8 + sds_header(field).max(3) + field + 1 + self.sds(value)
                    }
            }
            _ => self.sds(field) + self.sds(value) + DICT_ENTRY,
        }
    }

    /// A member of a sorted set in a skiplist (and its dict).
    pub fn zset_member(&self, len: u64) -> u64 {
        match self.family {
            Family::Valkey8 => self.skiplist_node(sds_header(len) + len + 1),
            Family::Redis810 => self.skiplist_node(sds_header(len) + len + 1) + DICT_ENTRY_NO_VALUE,
            Family::Redis8 => self.sds(len) + self.zsl_node + 16,
            // Its element counted by its own length (sdsAllocSize).
            Family::Redis6 => sds_header(len) + len + 1 + self.zsl_node + DICT_ENTRY,
            Family::Redis7 => self.sds(len) + self.zsl_node + DICT_ENTRY,
        }
    }

    /// A listpack, ziplist, intset or zipmap of `len` bytes (what older
    /// encodings load as is about as long).
    pub fn blob(&self, len: u64) -> u64 {
        match self.family {
            // Counted by their own length before 7.0, and from 8.10.
            Family::Redis6 | Family::Redis810 => len,
            _ => self.alloc(len),
        }
    }

    /// One path of a Valkey 9.2 path hash: its node in the radix tree
    /// (compressed, with the path's bytes) and the hash of its fields, an
    /// object with a listpack or, past the listpack's limits, a hash
    /// table. By the structures in valkey-io/valkey #4506, not measured:
    /// no Valkey 9.2 server is within reach here.
    pub fn path_hash_path(&self, path: u64, fields: &PathFields) -> u64 {
        let hash = if fields.count <= LISTPACK_MAX_ENTRIES && fields.longest <= LISTPACK_MAX_VALUE {
            self.alloc(6 + fields.listpack + 1)
        } else {
            self.dict(fields.count, 2) + fields.table
        };
        self.alloc(RAX_NODE + path) + ROBJ + hash
    }

    /// The tree of a stream's entries pending in any group (Redis 8.10's
    /// `cgroups_ref`), of `nodes` bytes: with its struct, if it has any.
    /// Before 8.10, MEMORY USAGE does not count it.
    pub fn stream_references(&self, nodes: u64) -> u64 {
        if nodes == 0 || self.family != Family::Redis810 {
            0
        } else {
            nodes + self.alloc(RAX_STRUCT)
        }
    }

    /// A radix tree of stream IDs, sized as they pass.
    pub fn id_tree(&self) -> IdTree {
        IdTree {
            layout: *self,
            keys: 0,
            last: [0; ID],
            path: Vec::new(),
            bytes: 0,
            nodes: 0,
        }
    }

    /// A quicklist node holding `len` bytes.
    pub fn quicklist_node(&self, len: u64) -> u64 {
        QUICKLIST_NODE
            + match self.family {
                Family::Redis810 => len,
                _ => self.alloc(len),
            }
    }

    /// An element of an array (Redis 8.10) beyond its slot: the string it
    /// points to where it is longer than fits in one (`len`, `None` for a
    /// number).
    pub fn array_element(&self, len: Option<u64>) -> u64 {
        match len {
            Some(len) if len > ARRAY_SMALL_STRING => self.alloc(sds_header(len) + len + 1),
            _ => 0,
        }
    }

    /// A hash template (Redis 8.10) with field names of these lengths: its
    /// struct, a pointer to each name and the names (`src/t_hash.c`).
    pub fn hash_template(&self, names: &[u64]) -> u64 {
        HASH_TEMPLATE + names.iter().map(|&len| 8 + self.sds(len)).sum::<u64>()
    }

    /// A template hash's array of `n` values, without the values.
    pub fn template_array(&self, n: u64) -> u64 {
        16 + 8 * n
    }

    /// A value of a template hash's array.
    pub fn template_value(&self, len: u64) -> u64 {
        match self.family {
            Family::Redis810 => self.sds_counted(len),
            _ => self.sds(len),
        }
    }

    /// A slice of an array holding `n` elements.
    pub fn array_slice(&self, n: u64) -> u64 {
        // Measured: 80 bytes to 4 elements, 112 to 8, then 10 a slot.
        match n {
            0..=4 => ARRAY_SLOT * ARRAY_MIN_SLOTS,
            5..=8 => 112,
            _ => ARRAY_SLOT * n.next_power_of_two(),
        }
    }

    /// An array's struct and its directory reaching slice `last`.
    pub fn array_directory(&self, last: u64) -> u64 {
        ARRAY_BASE + 8 * (last + 1).next_power_of_two()
    }

    fn index(&self) -> usize {
        self.family as usize
    }

    /// A stream's listpack node of `len` bytes, in its radix tree; the
    /// newest (`last`) as allocated when made.
    pub fn stream_node(&self, len: u64, last: bool) -> u64 {
        let node = match self.family {
            // Redis 6 and 8.10 count a listpack's own bytes, the others
            // its allocation.
            Family::Redis6 | Family::Redis810 => len,
            _ => self.alloc(len),
        };
        // Redis 8.10 counts the bytes used of the newest node, not those
        // allocated.
        if last && !matches!(self.family, Family::Redis6 | Family::Redis810) {
            node.max(self.alloc(STREAM_PREALLOC))
        } else {
            node
        }
    }

    /// A consumer group named `name` bytes long.
    pub fn stream_group(&self, name: u64) -> u64 {
        STREAM_GROUP[self.index()]
            + match self.family {
                Family::Redis810 => name,
                _ => 0,
            }
    }

    pub fn stream_pending(&self) -> u64 {
        STREAM_PENDING[self.index()]
    }

    /// A consumer named `name` bytes long; from Redis 7.2 (stream type
    /// 21) it keeps the time it was last active too.
    pub fn stream_consumer(&self, name: u64, active_time: bool) -> u64 {
        STREAM_CONSUMER[self.index()] + name + if active_time { 8 } else { 0 }
    }

    /// A stream's idempotent producers (RDB 13), their table; a producer
    /// named `name` bytes long; one of its IIDs. Measured on Redis 8.10.2
    /// (44 bytes, 50 and the name, 34 and the IID); before 8.10, the
    /// strings alone.
    pub fn stream_producers(&self) -> u64 {
        match self.family {
            Family::Redis810 => 44,
            _ => 0,
        }
    }

    pub fn stream_producer(&self, name: u64) -> u64 {
        match self.family {
            Family::Redis810 => 50 + name,
            _ => self.blob(name),
        }
    }

    pub fn stream_iid(&self, len: u64) -> u64 {
        match self.family {
            Family::Redis810 => 34 + len,
            _ => self.blob(len) + 16,
        }
    }

    /// The buckets of a dict (pointers, a power of two at least the
    /// count, at least 4) and the dict itself. A dict that grew lately
    /// still holds its old table until its incremental rehash has moved
    /// every bucket, a step a lookup: about 0.6 of the old table's size in
    /// steps, which a set's write takes one of and a hash's or sorted
    /// set's two (a lookup, then the insert). A collection built by
    /// writes, as a cache's are, is counted with its old table while its
    /// count is that close above a power of two (before Redis 8, which
    /// finishes sooner). Valkey's table: 64-byte buckets of seven entries,
    /// filled up to 100% before it grows.
    fn dict(&self, n: u64, steps_per_write: u64) -> u64 {
        if self.family == Family::Valkey8 {
            let buckets = n.div_ceil(7).max(1).next_power_of_two();
            return VK_TABLE + buckets * VK_BUCKET;
        }
        let size = n.max(4).next_power_of_two();
        let old = size / 2;
        let rehashing = n > 4
            && (n - old) * 10 * steps_per_write <= old * 6
            && !matches!(self.family, Family::Redis8 | Family::Redis810);
        let table = 8 * (size + if rehashing { old } else { 0 });
        match self.family {
            Family::Redis6 => 96 + table,
            _ => DICT + table,
        }
    }

    /// The key's own bytes: for Redis before 8 its sds and dict entry (its
    /// object is the value's), from Redis 8 and Valkey 8 its object with
    /// the key (and expiry) embedded.
    fn envelope(&self, e: &Entry) -> u64 {
        let k = e.key.len() as u64;
        match self.family {
            Family::Redis6 | Family::Redis7 => self.sds(k) + DICT_ENTRY,
            // As requested.
            Family::Redis810 => self.object(e) + 1 + sds_header(k) + k + 1,
            _ => self.alloc(self.object(e) + 1 + sds_header(k) + k + 1),
        }
    }

    /// The object header, with the expiry where the key embeds it.
    fn object(&self, e: &Entry) -> u64 {
        let embeds = matches!(
            self.family,
            Family::Redis8 | Family::Valkey8 | Family::Redis810
        );
        ROBJ + if embeds && e.expire_ms.is_some() {
            8
        } else {
            0
        }
    }

    /// The estimate of MEMORY USAGE for the key (with SAMPLES 0: every
    /// element counted).
    pub fn estimate(&self, e: &Entry) -> u64 {
        let envelope = self.envelope(e);
        // The value's object, where it is not the key's.
        let robj = match self.family {
            Family::Redis6 | Family::Redis7 => ROBJ,
            _ => 0,
        };
        let n = e.elements;
        let value = match (e.kind, e.encoding) {
            ("string", "int") => robj,
            ("string", encoding) => return envelope + self.string(e, encoding, envelope),
            ("list", _) if matches!(self.family, Family::Redis6 | Family::Redis7) => {
                robj + QUICKLIST + e.payload
            }
            ("list", "quicklist") => QUICKLIST + e.payload,
            // A list in one listpack: its node's bytes without the node.
            ("list", _) => e.payload.saturating_sub(QUICKLIST_NODE),
            ("set", "hashtable") => robj + self.dict(n, 1) + e.payload,
            ("hash", "hashtable") => robj + self.dict(n, 2) + e.payload,
            ("zset", "skiplist") => {
                let header = self.alloc(self.zsl_node_fixed() + ZSL_LEVEL * ZSL_MAX_LEVEL);
                robj + ZSET + self.dict(n, 2) + header + e.payload
            }
            ("stream", _) => robj + STREAM[self.index()] + e.payload,
            ("module", _) => robj + e.dump_bytes,
            ("array", _) => e.payload,
            ("path-hash", _) => robj + self.alloc(RAX) + e.payload,
            ("hash", "listpackex") if self.family == Family::Redis810 => LISTPACK_EX + e.payload,
            _ => robj + e.payload,
        };
        envelope + value
    }

    /// A string's value beside its key's `envelope`.
    fn string(&self, e: &Entry, encoding: &str, envelope: u64) -> u64 {
        let len = e.elements;
        match (self.family, encoding) {
            (Family::Redis6, "embstr") => ROBJ + len + 2,
            (Family::Redis7, "embstr") => self.alloc(ROBJ + 3 + len + 1),
            (Family::Redis6 | Family::Redis7, _) => ROBJ + self.sds(len),
            // The value in the key's allocation, which is counted whole.
            (Family::Redis810, "embstr") => self.alloc(envelope + 3 + len + 1) - envelope,
            // Valkey embeds a value that fits with its key in 128 bytes
            // (MEMORY USAGE then counts the object with the value).
            (Family::Valkey8, _) => {
                let k = e.key.len() as u64;
                let whole = self.object(e) + 1 + sds_header(k) + k + 1 + 3 + len + 1;
                if whole <= 128 {
                    self.alloc(self.object(e) + 3 + len + 1)
                        .saturating_sub(envelope)
                } else {
                    self.sds(len)
                }
            }
            (_, "embstr") => self.alloc(3 + len + 1),
            _ => self.sds(len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis 8.10's trees of stream IDs, node by node: one ID is one
    /// compressed node of its 16 bytes and the value's slot; two that part
    /// at the last byte, a compressed node of 15 and a node of two ways;
    /// two that part at the first, a node of two ways and two compressed
    /// nodes of 15. The order of parting does not change the sum.
    #[test]
    fn id_trees_are_sized_node_by_node() {
        let layout = Layout::new(Family::Redis810, Allocator::Jemalloc8);
        let size = |ids: &[[u8; 16]]| {
            let mut tree = layout.id_tree();
            for id in ids {
                tree.add(id);
            }
            tree.bytes()
        };
        let id = |first: u8, last: u8| {
            let mut id = [0; 16];
            (id[0], id[15]) = (first, last);
            id
        };
        assert_eq!(size(&[]), 8);
        assert_eq!(size(&[id(0, 0)]), 32);
        assert_eq!(size(&[id(0, 0), id(0, 0)]), 32);
        assert_eq!(size(&[id(0, 0), id(0, 1)]), 32 + 24);
        assert_eq!(size(&[id(0, 0), id(1, 0)]), 24 + 32 + 32);
        // A third way at the last byte widens that node (4 + 3 + 1 + 24);
        // one at the first byte parts the root: two ways, then 14 bytes in
        // common and the two ways at the last byte, or 15 bytes.
        assert_eq!(size(&[id(0, 0), id(0, 1), id(0, 2)]), 32 + 32);
        assert_eq!(size(&[id(0, 0), id(0, 1), id(1, 0)]), 24 + 32 + 24 + 32);
        // Before, 16 bytes a key and 244 a node, a leaf at each key: one
        // ID, a compressed node and its leaf; two parting at the first
        // byte, a node of two ways, two compressed nodes, two leaves.
        let before = |ids: &[[u8; 16]]| {
            let mut tree = Layout::new(Family::Redis7, Allocator::Jemalloc).id_tree();
            for id in ids {
                tree.add(id);
            }
            tree.bytes()
        };
        assert_eq!(before(&[]), 244);
        assert_eq!(before(&[id(0, 0)]), 16 + 2 * 244);
        assert_eq!(before(&[id(0, 0), id(1, 0)]), 32 + 5 * 244);
    }

    #[test]
    fn the_names_shown_are_the_names_in_json() {
        for f in [
            Family::Redis6,
            Family::Redis7,
            Family::Redis8,
            Family::Valkey8,
            Family::Redis810,
        ] {
            assert_eq!(serde_json::to_value(f).unwrap(), f.name());
        }
        for a in [Allocator::Jemalloc, Allocator::Jemalloc8, Allocator::Libc] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.name());
        }
    }

    #[test]
    fn redis_8_10_and_later_have_their_own_accounting() {
        let meta = |ver: Option<&str>, version: u32| Meta {
            magic: "redis".into(),
            version,
            aux: ver
                .map(|v| vec![("redis-ver".to_string(), v.to_string())])
                .unwrap_or_default(),
            ..Meta::default()
        };
        let of = |ver, version| Family::of(&meta(ver, version));
        assert_eq!(of(Some("8.2.1"), 12), Family::Redis8);
        assert_eq!(of(Some("8.8.0"), 14), Family::Redis8);
        assert_eq!(of(Some("8.10.2"), 15), Family::Redis810);
        assert_eq!(of(Some("9.0.0"), 15), Family::Redis810);
        assert_eq!(of(None, 14), Family::Redis8);
        assert_eq!(of(None, 15), Family::Redis810);
        // What Redis 8.10.2 said of arrays of consecutive elements: a
        // slice of 1-4, 5-8, 9-16, 17-32 and 33 elements, beside the array
        // and its one-slice directory (88 bytes).
        let l = Layout::new(Family::Redis810, Allocator::Jemalloc8);
        let sizes: Vec<u64> = [1, 4, 5, 8, 9, 16, 17, 33]
            .iter()
            .map(|&n| l.array_slice(n) + l.array_directory(0))
            .collect();
        assert_eq!(sizes, [168, 168, 200, 200, 248, 248, 408, 728]);
        // One element at index 1,000,000: a directory of 256 slices.
        assert_eq!(
            l.array_slice(1) + l.array_directory(1_000_000 / ARRAY_SLICE),
            2208
        );
    }

    #[test]
    fn size_classes_are_jemallocs_and_glibcs() {
        let je: Vec<u64> = [1, 8, 9, 17, 23, 33, 48, 49, 129, 441, 1006, 1025, 14337]
            .iter()
            .map(|&n| Allocator::Jemalloc.size(n))
            .collect();
        assert_eq!(
            je,
            [8, 8, 16, 32, 32, 48, 48, 64, 160, 448, 1024, 1280, 16384]
        );
        let je8: Vec<u64> = [9, 20, 23, 27, 53, 65, 69, 85]
            .iter()
            .map(|&n| Allocator::Jemalloc8.size(n))
            .collect();
        assert_eq!(je8, [16, 24, 24, 32, 56, 80, 80, 96]);
        let libc: Vec<u64> = [1, 24, 25, 40, 41, 208, 1006]
            .iter()
            .map(|&n| Allocator::Libc.size(n))
            .collect();
        assert_eq!(libc, [24, 24, 40, 40, 56, 216, 1016]);
    }
}
