//! The committed completions and man pages match the clap definitions.
//! Regenerate with `CACHECTL_BLESS=1 cargo test generated`.

use std::path::Path;

use cachectl::cli::generate;

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("CACHECTL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(actual) if actual == expected => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (shell, file) in generate::COMMITTED_SHELLS {
        check(
            &root.join("completions").join(file),
            &generate::completion(*shell),
            &mut stale,
        );
    }
    let pages = generate::man_pages();
    assert!(pages.iter().any(|(n, _)| n == "cachectl-diagnose.1"));
    for (name, text) in &pages {
        check(&root.join("man").join(name), text, &mut stale);
    }
    let on_disk: Vec<_> = std::fs::read_dir(root.join("man"))
        .map(|d| {
            d.filter_map(std::result::Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for f in on_disk {
        if !pages.iter().any(|(n, _)| *n == f) {
            stale.push(format!("man/{f} (no longer generated)"));
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `CACHECTL_BLESS=1 cargo test generated` and commit"
    );
}

#[test]
fn the_facts_table_in_the_docs_is_the_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/runbooks.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let begin = "generated from the catalogue";
    let start = text.find(begin).expect("facts table marker");
    let start = start + text[start..].find('\n').unwrap() + 1;
    let end = text
        .find("<!-- end of facts table -->")
        .expect("end marker");
    let expected = cachectl::facts::catalog::markdown_table();
    if std::env::var_os("CACHECTL_BLESS").is_some() {
        let updated = format!("{}{expected}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &text[start..end],
        expected,
        "docs/runbooks.md's facts table is out of date; run `CACHECTL_BLESS=1 cargo test generated` and commit"
    );
}
