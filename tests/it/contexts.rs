//! Named contexts of the config files: a target and where its password
//! comes from (an environment variable, a file, a command), runbooks'
//! thresholds and skipped checks; flags and the environment win; mistakes
//! are file:line:column errors, exit 3; no secret printed or sent where
//! the context's target is not the one used.

use std::path::Path;

use crate::harness::*;

/// A project directory whose `.cachectl.yaml` is `config`, and a directory
/// below it to run from (found upward); no user config (HOME elsewhere).
fn project(config: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".cachectl.yaml"), config).unwrap();
    let below = dir.path().join("deploy/redis");
    std::fs::create_dir_all(&below).unwrap();
    (dir, below)
}

fn in_dir(cwd: &Path, args: &[&str]) -> Cachectl {
    Cachectl::new()
        .args(args)
        .env("HOME", cwd.to_str().unwrap())
        .env(
            "XDG_CONFIG_HOME",
            cwd.join("no-such-config").to_str().unwrap(),
        )
        .current_dir(cwd)
}

#[test]
fn a_context_names_the_target_and_where_its_password_comes_from() {
    let secret = "c0ntext-s3cret";
    let server = RedisServer::with(ServerOptions::default().password(secret));
    let port = server.port;
    let (dir, cwd) = project(&format!(
        "contexts:\n  \
           by-env:\n    url: redis://127.0.0.1:{port}/0\n    password: {{env: CACHE_PW}}\n  \
           by-file:\n    url: redis://127.0.0.1:{port}/0\n    password: {{file: secrets/pw}}\n  \
           by-command:\n    url: redis://127.0.0.1:{port}/0\n    password:\n      command: [cat, {}/secrets/pw]\n",
        "SECRETDIR"
    ));
    std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/pw"), format!("{secret}\n")).unwrap();
    let text = std::fs::read_to_string(dir.path().join(".cachectl.yaml"))
        .unwrap()
        .replace("SECRETDIR", dir.path().to_str().unwrap());
    std::fs::write(dir.path().join(".cachectl.yaml"), text).unwrap();
    for (name, env) in [
        ("by-env", Some(("CACHE_PW", secret))),
        ("by-file", None),
        ("by-command", None),
    ] {
        let mut cmd = in_dir(&cwd, &["diagnose", "-o", "json", "--context", name]);
        if let Some((k, v)) = env {
            cmd = cmd.env(k, v);
        }
        let run = cmd.run();
        let doc = run.json();
        assert_eq!(
            doc["target"],
            format!("redis://:***@127.0.0.1:{port}/0"),
            "{name}"
        );
        assert!(
            finding(&doc, "auth-failed").is_none() && finding(&doc, "auth-required").is_none(),
            "{name}: {doc:#}"
        );
        assert!(
            !run.all_output().contains(secret),
            "{name} printed the password"
        );
    }
    // CACHECTL_CONTEXT names it too; without the variable the context
    // says which is missing, exit 3.
    let run = in_dir(&cwd, &["diagnose", "-o", "json"])
        .env("CACHECTL_CONTEXT", "by-env")
        .run();
    assert_eq!(run.code(), 3, "{}", run.all_output());
    assert!(
        run.stderr().contains("CACHE_PW is not set"),
        "{}",
        run.stderr()
    );

    // A target named by a flag wins, and the context's password is not
    // sent to it.
    let fake = FakeResp::start(|_| b"-ERR no\r\n".to_vec());
    let run = in_dir(
        &cwd,
        &[
            "diagnose",
            "-o",
            "json",
            "--context",
            "by-file",
            "--url",
            &format!("redis://127.0.0.1:{}", fake.port),
        ],
    )
    .run();
    assert_eq!(
        run.json()["target"],
        format!("redis://127.0.0.1:{}/0", fake.port)
    );
    assert!(
        fake.commands().iter().all(|c| !c.contains(secret)),
        "{:?}",
        fake.commands()
    );

    // `context list` and `show` say where the password comes from, never it.
    let run = in_dir(&cwd, &["context", "list", "-o", "json"]).run();
    let list = run.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["by-command", "by-env", "by-file"]);
    assert_eq!(list[1]["password"], "env CACHE_PW");
    let run = in_dir(&cwd, &["context", "show", "by-file"]).run();
    assert!(run.stdout().contains("password  file "), "{}", run.stdout());
    assert!(!run.all_output().contains(secret));
}

#[test]
fn thresholds_and_skipped_checks_of_a_context_apply() {
    let server = RedisServer::with(ServerOptions::default().config("maxmemory 100mb"));
    for i in 0..2000 {
        server.cmd(&["SET", &format!("k:{i}"), &"v".repeat(100)]);
    }
    let url = server.url();
    let (_dir, cwd) = project(&format!(
        "contexts:\n  tight:\n    url: {url}\n    thresholds:\n      out-of-memory: {{memory_warning: 0.001}}\n    skip: [no-auth]\n"
    ));
    let plain = in_dir(&cwd, &["diagnose", "-o", "json", "--url", &url])
        .run()
        .json();
    assert!(finding(&plain, "memory-high-noeviction").is_none());
    assert!(finding(&plain, "no-auth").is_some());
    let tuned = in_dir(&cwd, &["diagnose", "-o", "json", "--context", "tight"])
        .run()
        .json();
    assert!(
        finding(&tuned, "memory-high-noeviction").is_some(),
        "{tuned:#}"
    );
    assert!(finding(&tuned, "no-auth").is_none(), "{tuned:#}");
    // The front doors too.
    let memory = in_dir(&cwd, &["memory", "-o", "json", "--context", "tight"])
        .run()
        .json();
    assert!(finding(&memory, "memory-high-noeviction").is_some());
}

#[test]
fn context_mistakes_are_file_line_column_errors_and_say_no_secret() {
    let cases = [
        (
            "contexts:\n  a:\n    url: redis://:hunter2@cache:6379\n",
            ".cachectl.yaml:3:10",
            "carries a password",
        ),
        (
            "contexts:\n  a:\n    url: redis://cache:6379\n    passwd: {env: X}\n",
            ".cachectl.yaml:4:",
            "passwd",
        ),
        (
            "contexts:\n  a:\n    url: redis://cache:6379\n    password: {env: X, file: y}\n",
            ".cachectl.yaml:4:",
            "exactly one of env, file or command",
        ),
        (
            "contexts:\n  a:\n    url: redis://cache:6379\n    thresholds:\n      out-of-memory: {memory_warnign: 0.5}\n",
            ".cachectl.yaml:5:",
            "no threshold `memory_warnign`",
        ),
        (
            "contexts:\n  a:\n    url: redis://cache:6379\n    skip: [connection-refused]\n",
            ".cachectl.yaml:4:",
            "a check of redis-unreachable",
        ),
    ];
    for (config, at, says) in cases {
        let (_dir, cwd) = project(config);
        let run = in_dir(&cwd, &["diagnose", "--context", "a", "--timeout", "1s"]).run();
        assert_eq!(run.code(), 3, "{config}: {}", run.all_output());
        assert!(run.stderr().contains(at), "{config}: {}", run.stderr());
        assert!(run.stderr().contains(says), "{config}: {}", run.stderr());
        assert!(!run.all_output().contains("hunter2"));
    }
    let (_dir, cwd) = project("contexts:\n  prod: {url: redis://cache:6379}\n");
    let run = in_dir(&cwd, &["diagnose", "--context", "staging"]).run();
    assert_eq!(run.code(), 3);
    assert!(run.stderr().contains("no such context"), "{}", run.stderr());
    assert!(run.stderr().contains("contexts: prod"), "{}", run.stderr());
}
