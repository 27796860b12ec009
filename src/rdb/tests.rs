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
    let meta = read(std::io::BufReader::new(file), |e| keys.push(e))?;
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
