//! `-o html` checked in a real headless browser (Debian's chromium): the
//! page loads with no console message (no script, nothing blocked by its
//! Content-Security-Policy), its findings and charts are in the DOM, a
//! screenshot is taken, and server text is escaped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;

fn chromium() -> String {
    for name in ["chromium", "chromium-browser"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return name.to_string();
        }
    }
    panic!("no chromium: scripts/deps.sh installs Debian's chromium");
}

/// Loads `page` headless: the DOM as the browser built it, and its
/// console messages (a script error or a blocked load is one).
fn load(page: &Path, dir: &Path) -> (String, Vec<String>) {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn screenshot(page: &Path, dir: &Path) -> PathBuf {
    let png = dir.join("page.png");
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1200,1600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("profile-shot").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    png
}

fn write_page(dir: &Path, name: &str, run: &Run) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, run.stdout()).unwrap();
    path
}

#[test]
fn the_page_loads_clean_with_its_findings_charts_and_escaped_server_text() {
    let server = RedisServer::start();
    server.cmd(&["DEBUG", "POPULATE", "3000", "user"]);
    // A client named like markup: the page shows it, never obeys it.
    let mut named = server.client();
    let _: () = redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg("<script>alert(1)</script>")
        .query(&mut named)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let run = Cachectl::new()
        .args(["memory", "--keys", "-o", "html", "--url", &server.url()])
        .run();
    assert!(
        run.stdout().starts_with("<!doctype html>"),
        "{}",
        run.all_output()
    );
    let page = write_page(dir.path(), "memory.html", &run);
    let (dom, console) = load(&page, dir.path());
    assert_eq!(console, Vec::<String>::new(), "console messages");
    assert!(dom.contains("id=\"keyspace-chart\""), "{dom}");
    assert!(dom.contains("<code>user:*</code>"), "{dom}");
    assert!(dom.contains("class=\"bar\""), "{dom}");
    // The findings of the diagnosis, one article each (no maxmemory here).
    assert!(dom.contains("id=\"finding-no-maxmemory\""), "{dom}");
    let png = screenshot(&page, dir.path());
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG"),
        "{}",
        bytes.len()
    );

    let run = Cachectl::new()
        .args(["clients", "-o", "html", "--url", &server.url()])
        .run();
    let page = write_page(dir.path(), "clients.html", &run);
    let (dom, console) = load(&page, dir.path());
    assert_eq!(console, Vec::<String>::new(), "console messages");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<script"), "{dom}");

    let run = Cachectl::new()
        .args([
            "latency",
            "-o",
            "html",
            "--count",
            "50",
            "--url",
            &server.url(),
        ])
        .run();
    let page = write_page(dir.path(), "latency.html", &run);
    let (dom, console) = load(&page, dir.path());
    assert_eq!(console, Vec::<String>::new(), "console messages");
    assert!(dom.contains("id=\"latency-chart\""), "{dom}");
    drop(named);
}
