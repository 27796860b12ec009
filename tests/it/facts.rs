//! The facts a real server gives have exactly the shapes the catalogue
//! declares (the catalogue is what runbook expressions are checked
//! against): a root, a field or a type that drifts fails here.

use std::time::Duration;

use cachectl::facts::catalog::{self, Shape, Source};
use cachectl::target::{self, TargetInputs, Timeouts, TlsOptions};
use serde_json::Value;

use crate::harness::*;

fn conforms(path: &str, shape: &Shape, value: &Value, errors: &mut Vec<String>) {
    match (shape, value) {
        (Shape::Scalar(ty), v) => {
            let ok = match *ty {
                "int" => v.is_i64() || v.is_u64(),
                "double" => v.is_number(),
                "string" => v.is_string(),
                "bool" => v.is_boolean(),
                other => {
                    errors.push(format!("{path}: unknown catalogue type {other}"));
                    true
                }
            };
            if !ok {
                errors.push(format!("{path}: catalogue says {ty}, collected {v}"));
            }
        }
        (Shape::Record(fields), Value::Object(map)) => {
            for f in fields {
                match map.get(f.name.as_ref()) {
                    Some(v) => conforms(&format!("{path}.{}", f.name), &f.shape, v, errors),
                    None => errors.push(format!("{path}.{}: declared, not collected", f.name)),
                }
            }
            for key in map.keys() {
                if !fields.iter().any(|f| f.name == key.as_str()) {
                    errors.push(format!("{path}.{key}: collected, not declared"));
                }
            }
        }
        (Shape::List(inner), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                conforms(&format!("{path}[{i}]"), inner, item, errors);
            }
        }
        (Shape::Map(inner), Value::Object(map)) => {
            for (k, v) in map {
                conforms(&format!("{path}[{k}]"), inner, v, errors);
            }
        }
        (Shape::InfoFields, Value::Object(map)) => {
            for (k, v) in map {
                if !(v.is_number() || v.is_string()) {
                    errors.push(format!("{path}.{k}: INFO fields are scalars, got {v}"));
                }
            }
        }
        (shape, v) => errors.push(format!("{path}: catalogue says {shape:?}, collected {v}")),
    }
}

#[test]
fn collected_facts_have_the_catalogue_shapes() {
    let primary = RedisServer::with(
        ServerOptions::default().arg("--slowlog-log-slower-than 0 --latency-monitor-threshold 1"),
    );
    let _replica = replica_of(&primary, ServerOptions::default());
    wait_until("the primary lists its replica", || {
        primary.info_field("connected_slaves") == "1"
            && primary.info_field("slave0").contains("state=online")
    });
    // Something in every list and map: keys, an error, slow entries, a
    // latency event, a replica.
    primary.cmd(&["SET", "k", "v"]);
    let mut c = primary.client();
    let _: redis::RedisResult<i64> = redis::cmd("INCR").arg("k").query(&mut c);
    primary.cmd(&["DEBUG", "SLEEP", "0.01"]);
    let spec = target::resolve(TargetInputs {
        url: Some(&primary.url()),
        socket: None,
        password_from_stdin: None,
        context_password: None,
        tls_options: TlsOptions::default(),
        env: &|_| None,
    })
    .unwrap();
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        command: Duration::from_secs(2),
        overall: Duration::from_secs(10),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let facts = runtime.block_on(cachectl::facts::collect::collect(&spec, &timeouts));
    assert!(facts.unavailable.is_empty(), "{:#?}", facts.unavailable);
    let mut errors = Vec::new();
    for root in catalog::node_roots() {
        let name = root.field.name.as_ref();
        if root.source == Source::Bookkeeping || !root.source.always() {
            continue;
        }
        match facts.values.get(name) {
            Some(v) => conforms(name, &root.field.shape, v, &mut errors),
            None => errors.push(format!("{name}: declared, not collected")),
        }
    }
    for name in facts.values.keys() {
        if catalog::root(name).is_none() {
            errors.push(format!("{name}: collected, not in the catalogue"));
        }
    }
    // The lists were not vacuously empty.
    for (root, list) in [
        ("slowlog", "entries"),
        ("latency", "events"),
        ("role", "replicas"),
    ] {
        assert!(
            facts.values[root][list]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{root}.{list} is empty"
        );
    }
    assert!(!facts.values["replicas"].as_array().unwrap().is_empty());
    assert!(errors.is_empty(), "{errors:#?}");
}

/// `use crate::x` edges between the top-level modules of src/.
fn module_graph() -> Vec<(String, Vec<String>)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let mut text = String::new();
        let mut stack = vec![path.clone()];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            } else if p.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
        let mut deps: Vec<String> = text
            .match_indices("crate::")
            .map(|(i, _)| {
                text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|d| !d.is_empty() && *d != name)
            .collect();
        deps.sort();
        deps.dedup();
        graph.push((name, deps));
    }
    graph
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = module_graph();
    let deps = |m: &str| -> Vec<String> {
        graph
            .iter()
            .find(|(n, _)| n == m)
            .map(|(_, d)| d.clone())
            .unwrap_or_default()
    };
    // Depth-first search for a path back to the start.
    for (start, _) in &graph {
        let mut stack: Vec<Vec<String>> = vec![vec![start.clone()]];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(path) = stack.pop() {
            for next in deps(path.last().unwrap()) {
                assert!(
                    next != *start,
                    "import cycle: {} -> {start}",
                    path.join(" -> ")
                );
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
}
