//! The outputs for CI, monitoring and people beside table and JSON, each
//! read by a real consumer (tests/consumers, from PyPI): JUnit XML by
//! junitparser, the Prometheus textfile by prometheus_client's own parser,
//! Markdown by markdown-it-py (CommonMark with GitHub's tables); Nagios
//! output against the Monitoring Plugins guidelines' grammar. Each agrees
//! with the JSON document of the same server, and its exit code with it.

use std::collections::BTreeMap;

use crate::harness::*;

/// The JSON document and `format`'s output of `args` (a fresh run each).
fn both(args: &[&str], format: &str) -> (serde_json::Value, Run) {
    let json = Cachectl::new().args(args).args(["-o", "json"]).run().json();
    let run = Cachectl::new().args(args).args(["-o", format]).run();
    (json, run)
}

fn code_of(doc: &serde_json::Value) -> i32 {
    match doc["status"].as_str().unwrap() {
        "ok" => 0,
        "warning" => 1,
        "critical" => 2,
        _ => 3,
    }
}

const JUNIT: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromstring(sys.stdin.read())
out = {"name": xml.name, "tests": xml.tests, "failures": xml.failures, "skipped": xml.skipped, "suites": []}
for suite in xml:
    cases = []
    for case in suite:
        results = [{"kind": type(r).__name__, "type": r.type, "message": r.message, "text": r.text}
                   for r in case.result]
        cases.append({"classname": case.classname, "name": case.name, "results": results})
    out["suites"].append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                          "skipped": suite.skipped, "cases": cases})
print(json.dumps(out))
"#;

#[test]
fn junit_is_read_by_a_junit_reader_a_case_per_check() {
    let server = oom_server(ServerOptions::default());
    let url = server.url();
    let (doc, run) = both(&["diagnose", "--url", &url], "junit");
    assert_eq!(run.code(), code_of(&doc));
    let x = consume(JUNIT, &run.stdout());
    let checks = &doc["checks"];
    // A case per check run or not run (those about an --app not given are
    // not checks of this run).
    assert_eq!(x["tests"], checks["total"], "{x:#}");
    assert_eq!(x["failures"], checks["fired"]);
    assert_eq!(x["skipped"], checks["skipped"]);
    let suite = &x["suites"][0];
    assert_eq!(suite["name"], format!("127.0.0.1:{}", server.port));
    let case = suite["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "oom-noeviction")
        .expect("a case for oom-noeviction");
    assert_eq!(case["classname"], "cachectl.out-of-memory");
    let finding = finding(&doc, "oom-noeviction").expect("oom-noeviction");
    let failure = &case["results"][0];
    assert_eq!(failure["kind"], "Failure");
    assert_eq!(failure["type"], "critical");
    // The finding's message (its figures are of its own run).
    let message = failure["message"].as_str().unwrap();
    assert!(
        message.starts_with("Memory at ") && message.contains("noeviction"),
        "{message}"
    );
    assert_eq!(finding["severity"], "critical");
    // The fix, ready to paste, in the failure's text.
    let fix = finding["fixes"][0]["commands"][0].as_str().unwrap();
    assert!(
        failure["text"].as_str().unwrap().contains(fix),
        "{failure:#}"
    );
    // A passed check is a plain case.
    let passed = suite["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "connection-refused")
        .unwrap();
    assert_eq!(passed["results"], serde_json::json!([]));

    // A check that could not run is skipped, with the reason.
    let user = "watcher";
    server.cmd(&[
        "ACL", "SETUSER", user, "on", ">pw", "+@all", "-slowlog", "~*",
    ]);
    let limited = format!("redis://{user}:pw@127.0.0.1:{}", server.port);
    let (doc, run) = both(&["diagnose", "--url", &limited], "junit");
    let x = consume(JUNIT, &run.stdout());
    assert!(doc["checks"]["skipped"].as_u64().unwrap() > 0, "{doc:#}");
    assert_eq!(x["skipped"], doc["checks"]["skipped"]);
    let skipped: Vec<&serde_json::Value> = x["suites"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["results"].as_array().unwrap())
        .filter(|r| r["kind"] == "Skipped")
        .collect();
    let reasons: Vec<&str> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    for s in skipped {
        assert!(reasons.contains(&s["message"].as_str().unwrap()), "{s:#}");
    }
    // The password never reaches the report.
    assert!(!run.stdout().contains("pw@"), "{}", run.stdout());
}

const PROMETHEUS: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    out[family.name] = {"type": family.type, "documentation": family.documentation,
                        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples]}
print(json.dumps(out))
"#;

#[test]
fn the_prometheus_textfile_is_read_by_prometheus_own_parser_and_written_whole() {
    let server = oom_server(ServerOptions::default());
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cachectl.prom");
    std::fs::write(&file, "stale\n").unwrap();
    let doc = Cachectl::new()
        .args(["diagnose", "-o", "json", "--url", &url])
        .run()
        .json();
    let run = Cachectl::new()
        .args(["diagnose", "-o", "prometheus", "--output-file"])
        .arg(&file)
        .args(["--url", &url])
        .run();
    assert_eq!(run.code(), 2);
    assert_eq!(run.stdout(), "", "the document goes to the file only");
    let text = std::fs::read_to_string(&file).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "a collector of another user reads it");
    let m = consume(PROMETHEUS, &text);
    let one = |name: &str| -> f64 {
        let s = &m[name]["samples"];
        assert_eq!(s.as_array().map(Vec::len), Some(1), "{name}: {s:#}");
        s[0]["value"].as_f64().unwrap()
    };
    assert_eq!(one("cachectl_status"), 2.0);
    assert_eq!(m["cachectl_status"]["type"], "gauge");
    assert_eq!(one("cachectl_health_score"), doc["score"].as_f64().unwrap());
    assert!(one("cachectl_run_duration_seconds") > 0.0);
    let target = &m["cachectl_status"]["samples"][0]["labels"]["target"];
    assert_eq!(target, &doc["target"]);
    // One series per check and node: its severity when it fired.
    let severity: BTreeMap<String, f64> = m["cachectl_check_severity"]["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["labels"]["check"].as_str().unwrap().to_string(),
                s["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(severity["oom-noeviction"], 3.0);
    assert_eq!(severity["connection-refused"], 0.0);
    let fired = severity.values().filter(|v| **v > 0.0).count() as u64;
    assert_eq!(Some(fired), doc["checks"]["fired"].as_u64());
    let node = &m["cachectl_node_used_memory_bytes"]["samples"][0];
    assert_eq!(node["labels"]["node"], format!("127.0.0.1:{}", server.port));
    assert!(node["value"].as_f64().unwrap() > 2_000_000.0, "{node:#}");
    assert_eq!(
        m["cachectl_node_maxmemory_bytes"]["samples"][0]["value"].as_f64(),
        Some(3.0 * 1024.0 * 1024.0)
    );

    // A run that makes no document (a bad flag) leaves the file alone.
    let bad = Cachectl::new()
        .args(["diagnose", "-o", "prometheus", "--output-file"])
        .arg(&file)
        .args(["--url", &url, "--timeout", "soon"])
        .run();
    assert_eq!(bad.code(), 3);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // Nothing else was left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["cachectl.prom"]);
}

/// Monitoring Plugins guidelines: `'label'=value[UOM];[warn];[crit];[min];[max]`.
fn perfdata(text: &str) -> BTreeMap<String, (f64, String)> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (label, after) = if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find("'=").expect("a quoted label ends with '=");
            (quoted[..end].replace("''", "'"), &quoted[end + 2..])
        } else {
            let (l, a) = rest.split_once('=').expect("label=value");
            assert!(
                !l.contains([' ', '\'']),
                "an unquoted label with a space: {l}"
            );
            (l.to_string(), a)
        };
        let (item, next) = after.split_once(' ').unwrap_or((after, ""));
        let fields: Vec<&str> = item.split(';').collect();
        assert!(fields.len() <= 5, "{item}");
        let v = fields[0];
        let split = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(v.len());
        let (num, uom) = v.split_at(split);
        assert!(
            ["", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"].contains(&uom),
            "unit {uom:?} in {item}"
        );
        for f in &fields[1..] {
            assert!(f.is_empty() || f.parse::<f64>().is_ok(), "{item}");
        }
        out.insert(label, (num.parse().expect(item), uom.to_string()));
        rest = next.trim_start();
    }
    out
}

#[test]
fn nagios_output_follows_the_plugin_guidelines_and_its_exit_code() {
    let server = oom_server(ServerOptions::default());
    let url = server.url();
    let (doc, run) = both(&["diagnose", "--url", &url], "nagios");
    assert_eq!(run.code(), 2);
    let out = run.stdout();
    let first = out.lines().next().unwrap();
    let (text, perf) = first.split_once(" | ").expect("text | perfdata");
    assert!(text.starts_with("CACHECTL CRITICAL - "), "{first}");
    assert!(!text.contains('|'));
    let p = perfdata(perf);
    assert_eq!(p["health"].0, doc["score"].as_f64().unwrap());
    assert_eq!(
        p["checks_fired"].0,
        doc["checks"]["fired"].as_f64().unwrap()
    );
    assert_eq!(p["used_memory"].1, "B");
    assert!(p["used_memory"].0 > 2_000_000.0);
    assert_eq!(p["duration"].1, "s");
    // Each finding on a line of its own beneath.
    let long: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        long.len(),
        doc["findings"].as_array().unwrap().len(),
        "{out}"
    );
    assert!(long
        .iter()
        .any(|l| l.starts_with("critical oom-noeviction on 127.0.0.1:")));

    // A dead server: CRITICAL; a wrong password: UNKNOWN, as the exit codes.
    let port = free_port();
    let run = Cachectl::new()
        .args([
            "diagnose",
            "-o",
            "nagios",
            "--url",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .run();
    assert_eq!(run.code(), 2);
    assert!(
        run.stdout()
            .starts_with("CACHECTL CRITICAL - connection-refused"),
        "{}",
        run.stdout()
    );
    let locked = RedisServer::with(ServerOptions::default().password("right"));
    let run = Cachectl::new()
        .args([
            "diagnose",
            "-o",
            "nagios",
            "--url",
            &format!("redis://:wrong@127.0.0.1:{}", locked.port),
        ])
        .run();
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(
        run.stdout().starts_with("CACHECTL UNKNOWN - "),
        "{}",
        run.stdout()
    );
    assert!(
        !run.all_output().contains("wrong"),
        "the password is never printed"
    );
}

const MARKDOWN: &str = r#"
import json, sys
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
text = sys.stdin.read()
tokens = md.parse(text)
rows, row, cell, in_cell = [], None, None, False
fences, headings, heading = [], [], None
for t in tokens:
    if t.type == "tr_open": row = []
    elif t.type == "tr_close": rows.append(row); row = None
    elif t.type in ("td_open", "th_open"): in_cell = True; cell = ""
    elif t.type in ("td_close", "th_close"): row.append(cell); in_cell = False
    elif t.type == "inline" and in_cell: cell = "".join(c.content for c in (t.children or []) if c.type in ("text", "code_inline"))
    elif t.type == "fence": fences.append({"info": t.info, "content": t.content})
    elif t.type == "heading_open": heading = t.tag
    elif t.type == "inline" and heading: headings.append([heading, t.content]); heading = None
print(json.dumps({"rows": rows, "fences": fences, "headings": headings, "html": md.render(text)}))
"#;

#[test]
fn markdown_is_read_by_a_markdown_parser_grouped_like_the_table() {
    let cluster = Cluster::start(3, 0);
    let url = cluster.nodes[0].url();
    // A string that would break a table or inject markup, in the slow log.
    // (The findings do not quote it; the escaping itself is pinned by
    // render::markdown's `server_text_stays_text`.)
    cluster.nodes[0].cmd(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    cluster.nodes[0].cmd(&["ECHO", "a|b`<script>alert(1)</script>"]);
    // Two runs, one JSON and one Markdown: a finding that depends on the
    // moment (a latency spike on a loaded machine) may be in one only. The
    // pair is taken again then, up to three times.
    let same = |doc: &serde_json::Value, m: &serde_json::Value| {
        let mut ids: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = m["rows"].as_array().unwrap();
        ids.iter().all(|id| {
            rows.iter()
                .any(|r| r.as_array().unwrap().len() == 5 && r[2].as_str().unwrap().starts_with(id))
        })
    };
    let (mut doc, mut run, mut m) = (serde_json::Value::Null, None, serde_json::Value::Null);
    for _ in 0..3 {
        let (d, r) = both(&["diagnose", "--cluster", "--url", &url], "markdown");
        m = consume(MARKDOWN, &r.stdout());
        doc = d;
        let agree = same(&doc, &m);
        run = Some(r);
        if agree {
            break;
        }
    }
    let run = run.unwrap();
    assert_eq!(run.code(), code_of(&doc));
    let html = m["html"].as_str().unwrap();
    assert!(
        !html.contains("<script"),
        "raw markup from a server: {html}"
    );
    let rows = m["rows"].as_array().unwrap();
    // The findings' table: a header and a row per check (and severity),
    // five cells each; a check on the three nodes is one row naming them.
    let table: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r.as_array().unwrap().len() == 5)
        .collect();
    assert_eq!(table[0][2], "Finding");
    let mut groups: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    groups.dedup();
    groups.sort();
    groups.dedup();
    assert_eq!(table.len() - 1, groups.len(), "{rows:#?}");
    let no_auth = table
        .iter()
        .find(|r| r[2].as_str().unwrap().starts_with("no-auth"))
        .expect("no-auth's row");
    for n in &cluster.nodes {
        assert!(no_auth[3]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{}", n.port)));
    }
    // Every fix's commands, verbatim, in a fenced block.
    let fences: Vec<&str> = m["fences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["content"].as_str().unwrap())
        .collect();
    for f in doc["findings"].as_array().unwrap() {
        for fix in f["fixes"].as_array().unwrap() {
            let commands: Vec<&str> = fix["commands"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            let block = format!("{}\n", commands.join("\n"));
            assert!(
                fences.contains(&block.as_str()),
                "{block:?} not in {fences:#?}"
            );
        }
    }
    // The key figures: a row per node.
    let figures = rows
        .iter()
        .filter(|r| r.as_array().unwrap().len() == 8)
        .count();
    assert_eq!(figures, 1 + cluster.nodes.len());
}

#[test]
fn a_writing_command_speaks_every_format() {
    let server = RedisServer::start();
    for i in 0..20 {
        server.cmd(&["SET", &format!("session:{i}"), "x"]);
    }
    let url = server.url();
    let args = [
        "flush",
        "--pattern",
        "session:*",
        "--dry-run",
        "--url",
        &url,
    ];
    let run = Cachectl::new().args(args).args(["-o", "nagios"]).run();
    assert_eq!(run.code(), 0, "{}", run.all_output());
    assert!(
        run.stdout().starts_with("CACHECTL FLUSH OK - planned: "),
        "{}",
        run.stdout()
    );
    let run = Cachectl::new().args(args).args(["-o", "junit"]).run();
    let x = consume(JUNIT, &run.stdout());
    assert_eq!(
        (x["tests"].as_u64(), x["failures"].as_u64()),
        (Some(1), Some(0))
    );
    let run = Cachectl::new().args(args).args(["-o", "prometheus"]).run();
    let m = consume(PROMETHEUS, &run.stdout());
    assert_eq!(
        m["cachectl_status"]["samples"][0]["labels"]["command"],
        "flush"
    );
    assert_eq!(m["cachectl_status"]["samples"][0]["value"], 0.0);
    let run = Cachectl::new().args(args).args(["-o", "markdown"]).run();
    let m = consume(MARKDOWN, &run.stdout());
    assert!(
        m["fences"][0]["content"]
            .as_str()
            .unwrap()
            .contains("would delete 20 keys"),
        "{m:#}"
    );
    assert_eq!(server.cmd(&["DBSIZE"]), redis::Value::Int(20));
}
