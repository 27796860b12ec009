//! Turns the built-in runbooks (runbooks/*.yaml) into JSON at build time:
//! a YAML error in one fails the build with its file, line and column, and
//! the binary parses JSON at start-up, a tenth of the cost of YAML (the
//! runbooks' YAML stays embedded for `cachectl runbook show`).

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("runbooks");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let dir = root.join("runbooks");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("runbooks/ is there")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    for path in names {
        println!("cargo:rerun-if-changed={}", path.display());
        convert(&path, &out);
    }
}

fn convert(path: &Path, out: &Path) {
    let text = std::fs::read_to_string(path).expect("a runbook is readable");
    let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        panic!("{}:{line}:{column}: {e}", path.display())
    });
    let name = path.file_name().expect("a file").to_string_lossy();
    let json = serde_json::to_string(&value).expect("JSON encodes");
    std::fs::write(out.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
}
