//! Refilling a cache from a file: JSON Lines (`{"key", "value", "ttl",
//! "type"}`, binary parts as `{"base64": ...}`) or CSV (`key,value,ttl`),
//! read as a stream, written in pipelined batches that leave existing keys
//! alone unless told to replace them, with a checkpoint after every batch
//! so an interrupted run resumes where it stopped.

pub mod run;

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub mod check;
pub mod plan;
pub mod urls;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Records written per pipelined batch: big enough that the round trip
/// is small next to Redis's own work (1,000 a batch took 1.6x the time of
/// `redis-cli --pipe` in bench/warm.sh, 5,000 1.36x).
pub const BATCH: usize = 5000;

/// The batch size for `rate` records a second at most: about ten batches
/// a second, so the pace is smooth and an interrupt is prompt.
pub fn batch_size(rate: Option<u64>) -> usize {
    rate.map_or(BATCH, |r| (r / 10).clamp(1, BATCH as u64) as usize)
}

/// What one key is set to.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    String(Vec<u8>),
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    Set(Vec<Vec<u8>>),
    Zset(Vec<(f64, Vec<u8>)>),
    List(Vec<Vec<u8>>),
    /// A DUMP payload from another Redis, restored with its TTL in
    /// milliseconds (0: none).
    Dump {
        payload: Vec<u8>,
        pttl_ms: u64,
    },
}

/// One line of input.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub key: Vec<u8>,
    pub data: Data,
    /// Seconds; none keeps the key without a TTL.
    pub ttl: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// From the file name: .csv is CSV, anything else JSON Lines.
    pub fn guess(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Jsonl,
        }
    }
}

/// A string, or `{"base64": ...}` for bytes that are not text.
fn bytes(v: &Json, what: &str) -> Result<Vec<u8>, String> {
    match v {
        Json::String(s) => Ok(s.as_bytes().to_vec()),
        Json::Object(o) if o.len() == 1 && o.contains_key("base64") => match &o["base64"] {
            Json::String(b) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("{what}: invalid base64: {e}")),
            _ => Err(format!("{what}: base64 must be a string")),
        },
        Json::Number(n) => Ok(n.to_string().into_bytes()),
        _ => Err(format!("{what}: expected a string or {{\"base64\": ...}}")),
    }
}

fn list(v: &Json, what: &str) -> Result<Vec<Vec<u8>>, String> {
    match v {
        Json::Array(items) => items.iter().map(|i| bytes(i, what)).collect(),
        _ => Err(format!("{what}: expected an array")),
    }
}

/// Parses one JSON Lines record.
pub fn parse_json(line: &[u8]) -> Result<Record, String> {
    let v: Json = serde_json::from_slice(line).map_err(|e| format!("not JSON: {e}"))?;
    let Json::Object(o) = &v else {
        return Err("expected an object with key and value".into());
    };
    let key = bytes(o.get("key").ok_or("no \"key\"")?, "key")?;
    if key.is_empty() {
        return Err("empty key".into());
    }
    let value = o.get("value").ok_or("no \"value\"")?;
    let kind = match o.get("type") {
        None | Some(Json::Null) => "string",
        Some(Json::String(t)) => t.as_str(),
        Some(_) => return Err("type must be a string".into()),
    };
    let data = match kind.to_ascii_lowercase().as_str() {
        "string" => Data::String(bytes(value, "value")?),
        "hash" => match value {
            Json::Object(fields) if !fields.is_empty() => Data::Hash(
                fields
                    .iter()
                    .map(|(f, v)| Ok((f.as_bytes().to_vec(), bytes(v, "hash value")?)))
                    .collect::<Result<_, String>>()?,
            ),
            _ => return Err("a hash's value is a non-empty object of fields".into()),
        },
        "set" => Data::Set(non_empty(list(value, "set member")?, "set")?),
        "list" => Data::List(non_empty(list(value, "list element")?, "list")?),
        "zset" => match value {
            Json::Object(members) if !members.is_empty() => Data::Zset(
                members
                    .iter()
                    .map(|(m, s)| {
                        s.as_f64()
                            .map(|s| (s, m.as_bytes().to_vec()))
                            .ok_or_else(|| format!("zset member {m:?}: the score is not a number"))
                    })
                    .collect::<Result<_, String>>()?,
            ),
            _ => return Err("a zset's value is a non-empty object of member: score".into()),
        },
        other => {
            return Err(format!(
                "unknown type {other:?} (string, hash, set, zset or list)"
            ))
        }
    };
    let ttl = match o.get("ttl") {
        None | Some(Json::Null) => None,
        Some(t) => match t.as_u64() {
            Some(0) => None,
            Some(s) => Some(ttl_in_range(s)?),
            None => return Err("ttl must be a whole number of seconds".into()),
        },
    };
    Ok(Record { key, data, ttl })
}

/// The longest TTL a record may have: Redis refuses an expiry whose time
/// in milliseconds overflows (SET EX and EXPIRE alike), and a refused
/// EXPIRE would leave the key without any TTL. 10^15 s (31 million years)
/// is well inside what every server accepts.
pub const MAX_TTL_S: u64 = 1_000_000_000_000_000;

fn ttl_in_range(ttl: u64) -> Result<u64, String> {
    if ttl > MAX_TTL_S {
        return Err(format!(
            "ttl {ttl} is more seconds than Redis can keep (at most {MAX_TTL_S}): a unit mistake?"
        ));
    }
    Ok(ttl)
}

fn non_empty(v: Vec<Vec<u8>>, what: &str) -> Result<Vec<Vec<u8>>, String> {
    if v.is_empty() {
        Err(format!("an empty {what} cannot be stored"))
    } else {
        Ok(v)
    }
}

/// Splits one CSV line (RFC 4180 quoting, `""` for a quote inside quotes).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            (false, '"') => return Err("a quote inside an unquoted field".into()),
            (false, c) if was_quoted => {
                return Err(format!("{c:?} after a closing quote"));
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("an unclosed quote (a quoted field cannot span lines)".into());
    }
    fields.push(cur);
    Ok(fields)
}

/// Parses one CSV record: key,value[,ttl]; a string value.
pub fn parse_csv(line: &[u8]) -> Result<Record, String> {
    let line = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_string())?;
    let fields = csv_fields(line)?;
    let (key, value, ttl) = match fields.as_slice() {
        [k, v] => (k, v, None),
        [k, v, t] => (k, v, Some(t)),
        _ => {
            return Err(format!(
                "expected key,value[,ttl], found {} fields",
                fields.len()
            ))
        }
    };
    if key.is_empty() {
        return Err("empty key".into());
    }
    let ttl = match ttl.map(|t| t.trim()) {
        None | Some("" | "0") => None,
        Some(t) => {
            Some(ttl_in_range(t.parse::<u64>().map_err(|_| {
                format!("ttl {t:?} is not a whole number of seconds")
            })?)?)
        }
    };
    Ok(Record {
        key: key.as_bytes().to_vec(),
        data: Data::String(value.as_bytes().to_vec()),
        ttl,
    })
}

/// Whether writing `r` refuses by itself to overwrite a key (SET NX,
/// RESTORE without REPLACE), so no EXISTS check is needed first.
pub fn refuses_existing(r: &Record) -> bool {
    matches!(r.data, Data::String(_) | Data::Dump { .. })
}

/// Appends the commands that store `r` to `pipe`; returns how many replies
/// they add. `replace` drops what is there first; otherwise the caller has
/// checked the key is absent (strings are written with NX and dumps
/// restored without REPLACE regardless).
pub fn write(pipe: &mut redis::Pipeline, r: &Record, replace: bool) -> usize {
    let key = r.key.as_slice();
    if let Data::Dump { payload, pttl_ms } = &r.data {
        let cmd = pipe
            .cmd("RESTORE")
            .arg(key)
            .arg(*pttl_ms)
            .arg(payload.as_slice());
        if replace {
            cmd.arg("REPLACE");
        }
        return 1;
    }
    if let Data::String(v) = &r.data {
        let cmd = pipe.cmd("SET").arg(key).arg(v.as_slice());
        if let Some(t) = r.ttl {
            cmd.arg("EX").arg(t);
        }
        if !replace {
            cmd.arg("NX");
        }
        return 1;
    }
    // Replacing a collection is DEL and then its commands: in one
    // transaction, so the old value is gone only if the new one is written
    // (an OOM refusal while queueing aborts it all, the old value kept).
    let mut n = 1;
    if replace {
        pipe.cmd("MULTI");
        pipe.cmd("DEL").arg(key);
        n += 2;
    }
    match &r.data {
        Data::String(_) | Data::Dump { .. } => unreachable!("handled above"),
        Data::Hash(fields) => {
            let cmd = pipe.cmd("HSET").arg(key);
            for (f, v) in fields {
                cmd.arg(f.as_slice()).arg(v.as_slice());
            }
        }
        Data::Set(members) => {
            let cmd = pipe.cmd("SADD").arg(key);
            for m in members {
                cmd.arg(m.as_slice());
            }
        }
        Data::List(items) => {
            let cmd = pipe.cmd("RPUSH").arg(key);
            for i in items {
                cmd.arg(i.as_slice());
            }
        }
        Data::Zset(members) => {
            let cmd = pipe.cmd("ZADD").arg(key);
            for (s, m) in members {
                cmd.arg(*s).arg(m.as_slice());
            }
        }
    }
    if let Some(t) = r.ttl {
        pipe.cmd("EXPIRE").arg(key).arg(t);
        n += 1;
    }
    if replace {
        pipe.cmd("EXEC");
        n += 1;
    }
    n
}

/// Keys SCAN visits per call on the source of a copy.
const COPY_SCAN_COUNT: u64 = 1000;

/// Keys DUMPed per round trip of a copy, at most: fewer when values are
/// big (`dump_group`), so a group stays a fraction of a batch's bytes
/// (each reply is also bounded by --max-reply).
pub const DUMP_GROUP: usize = 32;

/// Keys to DUMP in the next round trip, given the average payload of the
/// last (bytes): a quarter of a batch's budget at most, one at least.
pub fn dump_group(average: usize) -> usize {
    match average {
        0 => DUMP_GROUP,
        avg => (BATCH_BYTES / 4 / avg).clamp(1, DUMP_GROUP),
    }
}

/// DUMP records of `keys` on the source, with their TTLs, and the bytes
/// of their payloads. Keys gone since SCAN are left out.
pub async fn dump_keys(
    source: &crate::target::connect::Session,
    keys: Vec<Vec<u8>>,
) -> Result<(Vec<Record>, usize), crate::target::connect::CommandFailure> {
    if keys.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut pipe = redis::pipe();
    for k in &keys {
        pipe.cmd("PTTL").arg(k.as_slice());
        pipe.cmd("DUMP").arg(k.as_slice());
    }
    let replies: Vec<redis::Value> = source.query_pipeline(&pipe).await?;
    let mut bytes = 0;
    let records = keys
        .into_iter()
        .zip(replies.chunks(2))
        .filter_map(|(key, r)| {
            let pttl = crate::redis::reply::int(&r[0])?;
            let redis::Value::BulkString(payload) = &r[1] else {
                return None; // gone since SCAN
            };
            // -2: gone; 0: expiring now (RESTORE 0 would keep it forever).
            (pttl == -1 || pttl > 0).then(|| {
                bytes += payload.len() + key.len();
                Record {
                    key,
                    data: Data::Dump {
                        payload: payload.clone(),
                        pttl_ms: pttl.max(0) as u64,
                    },
                    ttl: None,
                }
            })
        })
        .collect();
    Ok((records, bytes))
}

/// One SCAN page of the source of a copy: the next cursor and its keys.
pub async fn copy_page(
    source: &crate::target::connect::Session,
    cursor: u64,
    pattern: &str,
    kind: Option<crate::scan::KeyType>,
) -> Result<(u64, Vec<Vec<u8>>), crate::target::connect::CommandFailure> {
    crate::scan::page(source, cursor, COPY_SCAN_COUNT, Some(pattern), kind).await
}

/// A malformed line, by number.
#[derive(Debug, Clone, Serialize)]
pub struct BadLine {
    pub line: u64,
    pub reason: String,
}

/// How the lines of a source are read: `Ok(None)` skips a line (a CSV
/// header, a comment), `Err` is a malformed line. Gets the line number.
pub type Parse<T> = Box<dyn FnMut(u64, &[u8]) -> Result<Option<T>, String> + Send>;

impl Format {
    /// The parser of records in this format.
    pub fn parser(self) -> Parse<Record> {
        Box::new(move |line, text| match self {
            Format::Jsonl => parse_json(text).map(Some),
            Format::Csv if line == 1 && is_header(text) => Ok(None),
            Format::Csv => parse_csv(text).map(Some),
        })
    }
}

/// Reads a source line by line as a stream, remembering where each batch
/// ends: records (JSON Lines, CSV) or URLs.
pub struct Reader<T> {
    input: BufReader<File>,
    parse: Parse<T>,
    /// Bytes consumed and lines read so far.
    pub offset: u64,
    pub line: u64,
    buf: Vec<u8>,
}

impl<T> Reader<T> {
    /// Opens `path` at `offset` (line `line`), for a resumed run.
    pub fn open(
        path: &Path,
        parse: Parse<T>,
        offset: u64,
        line: u64,
    ) -> std::io::Result<Reader<T>> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Reader {
            input: BufReader::with_capacity(1 << 16, file),
            parse,
            offset,
            line,
            buf: Vec::new(),
        })
    }

    /// The next batch of up to `n` items and the malformed lines among
    /// them, and at most `BATCH_BYTES` of input (a batch of big records is
    /// fewer records); empty at the end of the file. A line over
    /// `MAX_LINE` is held only up to that limit: the rest is skipped to its
    /// end unread and the line reported as malformed.
    pub fn batch(&mut self, n: usize) -> std::io::Result<(Vec<T>, Vec<BadLine>)> {
        let mut items = Vec::with_capacity(n.min(1024));
        let mut bad = Vec::new();
        let mut bytes = 0usize;
        while items.len() + bad.len() < n && bytes < BATCH_BYTES {
            self.buf.clear();
            // A big line's room is given back rather than kept for a run
            // of small ones.
            self.buf.shrink_to(1 << 20);
            let (read, whole) = self.read_line()?;
            if read == 0 {
                break;
            }
            self.offset += read as u64;
            self.line += 1;
            bytes += self.buf.len();
            if !whole {
                bad.push(BadLine {
                    line: self.line,
                    reason: format!(
                        "the line is {read} bytes, over the {MAX_LINE}-byte limit of one record: skipped (nothing past the limit was held)"
                    ),
                });
                continue;
            }
            let mut text = self.buf.as_slice();
            while let [rest @ .., b'\n' | b'\r'] = text {
                text = rest;
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match (self.parse)(self.line, text) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => {}
                Err(reason) => bad.push(BadLine {
                    line: self.line,
                    reason,
                }),
            }
        }
        Ok((items, bad))
    }
}

impl<T> Reader<T> {
    /// Reads one line into `buf`, at most `MAX_LINE` bytes of it: the
    /// bytes the line had, and whether it was kept whole (the rest of a
    /// longer one is read and dropped).
    fn read_line(&mut self) -> std::io::Result<(usize, bool)> {
        let mut read = 0usize;
        let mut whole = true;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok((read, whole));
            }
            let (used, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if whole && self.buf.len() + used <= MAX_LINE {
                self.buf.extend_from_slice(&available[..used]);
            } else if whole {
                whole = false;
                self.buf.clear();
            }
            self.input.consume(used);
            read += used;
            if done {
                return Ok((read, whole));
            }
        }
    }
}

/// The longest line a record may be: a longer one is refused, and no more
/// than this much of it is ever held.
pub const MAX_LINE: usize = 64 << 20;

/// The most bytes of input one batch holds (it holds fewer records then):
/// with one batch read ahead, a warm holds a few times this.
pub const BATCH_BYTES: usize = 8 << 20;

/// One batch as read: its items and malformed lines, the lines it spans,
/// and where in the file it ends.
pub struct Chunk<T> {
    pub items: Vec<T>,
    pub bad: Vec<BadLine>,
    pub first_line: u64,
    pub last_line: u64,
    pub end_offset: u64,
    pub bytes: u64,
}

/// Reads and parses batches on a thread of its own, so the next batch is
/// parsed while Redis works on this one. At most one batch waits: memory
/// does not grow with the file. Dropping the receiver stops the thread.
pub fn read_ahead<T: Send + 'static>(
    mut reader: Reader<T>,
    n: usize,
) -> tokio::sync::mpsc::Receiver<std::io::Result<Chunk<T>>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    std::thread::spawn(move || loop {
        let first_line = reader.line + 1;
        let before = reader.offset;
        let sent = match reader.batch(n) {
            Ok((items, bad)) if items.is_empty() && bad.is_empty() && reader.offset == before => {
                return
            }
            Ok((items, bad)) => tx.blocking_send(Ok(Chunk {
                items,
                bad,
                first_line,
                last_line: reader.line,
                end_offset: reader.offset,
                bytes: reader.offset - before,
            })),
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    });
    rx
}

fn is_header(line: &[u8]) -> bool {
    let l = String::from_utf8_lossy(line).to_ascii_lowercase();
    l.trim() == "key,value,ttl" || l.trim() == "key,value"
}

/// Where an interrupted run stopped: the file, its size when it started
/// (a changed file is not resumed), and the first byte not yet written
/// (the size itself once the run is done: a rerun then reads nothing).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    pub source: PathBuf,
    pub size: u64,
    pub offset: u64,
    pub line: u64,
    pub written: u64,
    pub existing: u64,
    pub errors: u64,
}

impl Checkpoint {
    /// The start of `source`, `size` bytes long.
    pub fn start(source: PathBuf, size: u64) -> Checkpoint {
        Checkpoint {
            source,
            size,
            offset: 0,
            line: 0,
            written: 0,
            existing: 0,
            errors: 0,
        }
    }
}

/// The checkpoints of a run's sources (a file, a URL list, each source of a
/// plan), by source name, in one file written after every batch.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkpoints {
    pub sources: std::collections::BTreeMap<String, Checkpoint>,
}

impl Checkpoints {
    /// The checkpoints at `path`; none if there is no such file yet.
    pub fn load(path: &Path) -> Result<Checkpoints, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Checkpoints::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a cachectl warm checkpoint: {e}", path.display()))
    }

    /// Where source `name` (the file `source`, `size` bytes) stopped, if it
    /// has a checkpoint; one of another file or size is refused.
    pub fn resume(
        &self,
        path: &Path,
        name: &str,
        source: &Path,
        size: u64,
    ) -> Result<Option<Checkpoint>, String> {
        let Some(c) = self.sources.get(name) else {
            return Ok(None);
        };
        if c.source != source || c.size != size {
            return Err(format!(
                "{} holds the checkpoint of {} ({} bytes), not of {} ({size} bytes); remove it to start over",
                path.display(),
                c.source.display(),
                c.size,
                source.display()
            ));
        }
        Ok(Some(c.clone()))
    }

    /// Writes them atomically (`files::write_atomically`).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::files::write_atomically(path, &serde_json::to_vec(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_records_of_every_type() {
        let r = parse_json(br#"{"key":"a b\n*?","value":"v","ttl":60}"#).unwrap();
        assert_eq!(r.key, b"a b\n*?");
        assert_eq!(r.data, Data::String(b"v".to_vec()));
        assert_eq!(r.ttl, Some(60));
        let r = parse_json(br#"{"key":{"base64":"AP8="},"value":{"base64":"AQI="}}"#).unwrap();
        assert_eq!(r.key, vec![0, 255]);
        assert_eq!(r.data, Data::String(vec![1, 2]));
        assert_eq!(r.ttl, None);
        let r = parse_json(br#"{"key":"h","type":"hash","value":{"f":"1","g":{"base64":"AA=="}}}"#)
            .unwrap();
        assert_eq!(
            r.data,
            Data::Hash(vec![
                (b"f".to_vec(), b"1".to_vec()),
                (b"g".to_vec(), vec![0])
            ])
        );
        let r = parse_json(br#"{"key":"z","type":"zset","value":{"m":1.5}}"#).unwrap();
        assert_eq!(r.data, Data::Zset(vec![(1.5, b"m".to_vec())]));
        let r = parse_json(br#"{"key":"l","type":"list","value":["x","y"]}"#).unwrap();
        assert_eq!(r.data, Data::List(vec![b"x".to_vec(), b"y".to_vec()]));
    }

    #[test]
    fn json_errors_say_what_was_wrong() {
        let e = |l: &[u8]| parse_json(l).unwrap_err();
        assert!(e(b"{").starts_with("not JSON"));
        assert_eq!(e(br#"{"value":"v"}"#), "no \"key\"");
        assert_eq!(e(br#"{"key":"k"}"#), "no \"value\"");
        assert!(e(br#"{"key":"k","value":"v","ttl":-1}"#).contains("ttl"));
        assert!(e(br#"{"key":"k","value":"v","type":"stream"}"#).contains("unknown type"));
        assert!(e(br#"{"key":{"base64":"!!"},"value":"v"}"#).contains("invalid base64"));
        assert!(e(br#"{"key":"k","type":"set","value":[]}"#).contains("empty set"));
    }

    #[test]
    fn csv_quoting() {
        let r = parse_csv(br#""a,b ""c""",value,30"#).unwrap();
        assert_eq!(r.key, br#"a,b "c""#);
        assert_eq!(r.ttl, Some(30));
        let r = parse_csv(b"k,v").unwrap();
        assert_eq!((r.key, r.ttl), (b"k".to_vec(), None));
        assert!(parse_csv(b"k").unwrap_err().contains("1 fields"));
        assert!(parse_csv(br#""k,v"#).unwrap_err().contains("unclosed"));
        assert!(parse_csv(b"k,v,soon").unwrap_err().contains("ttl"));
        assert!(parse_csv(br#"k"x,v"#).unwrap_err().contains("quote"));
    }

    #[test]
    fn replace_drops_other_types_and_strings_are_nx_otherwise() {
        let s = Record {
            key: b"k".to_vec(),
            data: Data::String(b"v".to_vec()),
            ttl: Some(5),
        };
        let mut p = redis::pipe();
        assert_eq!(write(&mut p, &s, false), 1);
        let packed = String::from_utf8_lossy(&p.get_packed_pipeline()).to_string();
        assert!(packed.contains("NX") && packed.contains("EX"));
        let h = Record {
            key: b"h".to_vec(),
            data: Data::Hash(vec![(b"f".to_vec(), b"v".to_vec())]),
            ttl: Some(5),
        };
        // Replaced in one transaction: the old value goes only with the new
        // one written.
        let mut p = redis::pipe();
        assert_eq!(write(&mut p, &h, true), 5);
        let words: Vec<String> = p
            .cmd_iter()
            .map(|c| match c.args_iter().next() {
                Some(redis::Arg::Simple(w)) => String::from_utf8_lossy(w).into_owned(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(words, ["MULTI", "DEL", "HSET", "EXPIRE", "EXEC"]);
        assert!(
            parse_json(br#"{"key":"k","value":"v","ttl":1000000000000000001}"#)
                .unwrap_err()
                .contains("more seconds than Redis can keep")
        );
        assert!(parse_csv(b"k,v,99999999999999999")
            .unwrap_err()
            .contains("at most"));
    }
}
