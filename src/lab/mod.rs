//! `cachectl lab`: local redis-server processes in a seeded incident, to
//! learn cachectl on, demo it, or test a runbook against. `lab up
//! SCENARIO` starts them and says the target; `lab down` stops what the
//! lab started (tracked by PID and checked to still be it) and removes its
//! files; nothing else is touched. The lab writes only to servers it
//! started itself, with plain connections of its own.

pub mod app;
pub mod scenario;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use scenario::{Scenario, SCENARIOS};

/// A process the lab started: its PID, and what its command line must
/// still contain for it to be the lab's (its own directory).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Process {
    pub pid: u32,
    pub marker: String,
    pub what: String,
}

/// One `lab up`: its scenario, where to point cachectl, and what it
/// started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Running {
    pub scenario: String,
    /// The Redis target, as cachectl takes it.
    pub url: String,
    /// Flags to pass beside it (`--app http://...`, `--sentinel ...`).
    pub flags: Vec<String>,
    /// The directory its servers keep their files in.
    pub dir: PathBuf,
    pub processes: Vec<Process>,
}

impl Running {
    /// The command that diagnoses it.
    pub fn command(&self) -> String {
        let mut words = vec!["cachectl".to_string(), "diagnose".into()];
        if !self.url.is_empty() {
            words.push("--url".into());
            words.push(self.url.clone());
        }
        words.extend(self.flags.iter().cloned());
        words.join(" ")
    }
}

/// What the lab has running, kept in its state directory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub running: Vec<Running>,
}

/// The lab's directory: `CACHECTL_LAB_DIR`, else the user's state
/// directory (`$XDG_STATE_HOME/cachectl/lab`, `~/.local/state/...`).
pub fn home() -> PathBuf {
    if let Some(d) = std::env::var_os("CACHECTL_LAB_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("cachectl").join("lab")
}

fn state_file(home: &Path) -> PathBuf {
    home.join("state.json")
}

pub fn load(home: &Path) -> Result<State, String> {
    match std::fs::read_to_string(state_file(home)) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", state_file(home).display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(format!("{}: {e}", state_file(home).display())),
    }
}

pub fn save(home: &Path, state: &State) -> Result<(), String> {
    std::fs::create_dir_all(home).map_err(|e| format!("{}: {e}", home.display()))?;
    let text = serde_json::to_string_pretty(state).unwrap_or_default();
    crate::files::write_atomically(&state_file(home), text.as_bytes())
        .map_err(|e| format!("{}: {e}", state_file(home).display()))
}

/// The redis-server to start: `CACHECTL_LAB_SERVER`, else from the PATH.
pub fn server_binary() -> String {
    std::env::var("CACHECTL_LAB_SERVER")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "redis-server".into())
}

/// The major version of the redis-server the lab starts (0 if unknown).
fn server_major() -> u32 {
    static MAJOR: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *MAJOR.get_or_init(|| {
        let out = Command::new(server_binary()).arg("--version").output();
        let text = out
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        // "Redis server v=7.0.15 ..." or "Valkey server v=9.1.0 ..."
        text.split_whitespace()
            .find_map(|w| w.strip_prefix("v="))
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse().ok())
            .unwrap_or(0)
    })
}

/// A free port on the loopback, below 55000: a Cluster node's bus
/// listens on its port + 10000.
pub fn free_port() -> Result<u16, String> {
    for _ in 0..100 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        if port <= 55_000 {
            return Ok(port);
        }
    }
    Err("no free port below 55000".into())
}

/// Starts `program args` detached from this process and its terminal
/// (its own process group: a Ctrl-C here does not stop it), its output
/// into `log`.
pub fn spawn(program: &str, args: &[String], log: &Path) -> Result<u32, String> {
    use std::os::unix::process::CommandExt as _;
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot start {program}: {e} (install redis-server, or set CACHECTL_LAB_SERVER)"
            )
        })?;
    Ok(child.id())
}

/// A redis-server of the lab on `port`, its config file and data in
/// `dir/PORT`, with `config` lines; ready when it returns.
pub fn start_server(dir: &Path, port: u16, config: &[&str]) -> Result<Process, String> {
    start(dir, port, config, false)
}

/// A Sentinel of the lab on `port` (`config`: its `sentinel ...` lines).
pub fn start_sentinel(dir: &Path, port: u16, config: &[&str]) -> Result<Process, String> {
    start(dir, port, config, true)
}

fn start(dir: &Path, port: u16, config: &[&str], sentinel: bool) -> Result<Process, String> {
    let own = dir.join(port.to_string());
    std::fs::create_dir_all(&own).map_err(|e| format!("{}: {e}", own.display()))?;
    let conf = own.join("redis.conf");
    let mut text = format!("port {port}\nbind 127.0.0.1\ndir {}\n", own.display());
    if !sentinel {
        text.push_str("save \"\"\nappendonly no\n");
        // DEBUG is off by default from Redis 7 (and Valkey).
        if server_major() >= 7 {
            text.push_str("enable-debug-command local\n");
        }
    }
    for line in config {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
    let mut args = vec![conf.display().to_string()];
    if sentinel {
        args.push("--sentinel".into());
    }
    let pid = spawn(&server_binary(), &args, &own.join("redis.log"))?;
    wait_answering(port, Duration::from_secs(10))?;
    Ok(Process {
        pid,
        // redis-server sets its process title to its address once up.
        marker: format!("127.0.0.1:{port}"),
        what: format!(
            "{} 127.0.0.1:{port}",
            if sentinel {
                "redis-sentinel"
            } else {
                "redis-server"
            }
        ),
    })
}

/// Waits until 127.0.0.1:`port` answers PING.
pub fn wait_answering(port: u16, within: Duration) -> Result<(), String> {
    let end = Instant::now() + within;
    loop {
        if let Ok(mut c) = connection(port) {
            if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                return Ok(());
            }
        }
        if Instant::now() > end {
            return Err(format!("127.0.0.1:{port} did not answer within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A plain connection to a lab server (the lab's own writes go here).
pub fn connection(port: u16) -> Result<redis::Connection, String> {
    let client =
        redis::Client::open(format!("redis://127.0.0.1:{port}/0")).map_err(|e| e.to_string())?;
    client
        .get_connection_with_timeout(Duration::from_secs(2))
        .map_err(|e| e.to_string())
}

/// Whether `p` is still the process the lab started: its command line
/// names the lab's marker.
fn still_ours(p: &Process) -> bool {
    std::fs::read(format!("/proc/{}/cmdline", p.pid))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&p.marker))
}

/// Stops `p` if it is still the lab's: SIGTERM (SIGCONT first, in case it
/// was stopped), then SIGKILL after 3 s. Whether it was the lab's.
pub fn stop(p: &Process) -> bool {
    if !still_ours(p) {
        return false;
    }
    let pid = rustix::process::Pid::from_raw(i32::try_from(p.pid).unwrap_or(0));
    let Some(pid) = pid else { return false };
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::CONT);
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    let end = Instant::now() + Duration::from_secs(3);
    while still_ours(p) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    if still_ours(p) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
    true
}

/// Stops every process the lab started and removes its directories.
/// Returns what was stopped, and what was gone already.
pub fn down(home: &Path) -> Result<(Vec<String>, Vec<String>), String> {
    let state = load(home)?;
    let (mut stopped, mut gone) = (Vec::new(), Vec::new());
    for r in &state.running {
        for p in r.processes.iter().rev() {
            if stop(p) {
                stopped.push(format!("{} (pid {})", p.what, p.pid));
            } else {
                // Ended already (the scenario stopped it, or it died), or
                // the PID is another process's now: either way not touched.
                gone.push(format!("{} (pid {})", p.what, p.pid));
            }
        }
        // Only a directory the lab made, inside its home.
        if r.dir.starts_with(home) {
            let _ = std::fs::remove_dir_all(&r.dir);
        }
    }
    save(home, &State::default())?;
    Ok((stopped, gone))
}
