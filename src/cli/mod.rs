//! Command-line definitions: every flag once, with its docs. Help, man pages
//! and completions are all generated from here.

pub mod context;
pub mod generate;
mod lazy;
pub mod resolve;

pub use lazy::Lazy;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::duration;
use crate::error::Status;

const EXIT_CODES: &str = "\
Exit codes (Nagios plugin convention):
  0  OK        no warning or critical finding
  1  WARNING   at least one warning finding, nothing critical
  2  CRITICAL  at least one critical finding (an unreachable or hung Redis
               is critical)
  3  UNKNOWN   could not assess: bad arguments, bad runbook, authentication
               failure, internal error";

/// Diagnose and remediate Redis cache failures from scripted runbooks.
#[derive(Debug, Parser)]
#[command(
    name = "cachectl",
    version,
    about = "Diagnose Redis cache failures from scripted runbooks",
    long_about = "cachectl automates Redis cache-failure runbooks: it collects facts from \
Redis, evaluates runbook checks written in YAML, and prints scored findings with the exact \
fix for each.",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    /// When to use colour: auto (terminal only, off with NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the result to FILE instead of standard output, whole: to a
    /// temporary file beside it, then renamed over it (what node_exporter's
    /// textfile collector needs of -o prometheus). A run that makes no
    /// result (bad arguments) leaves FILE as it was.
    #[arg(long, global = true, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// A named context of the config file (~/.config/cachectl/config.yaml,
    /// .cachectl.yaml found upward from here): its target, password
    /// source, application, runbooks, thresholds and skipped checks fill
    /// in what flags and the environment do not say. See `cachectl
    /// context list`.
    #[arg(long, global = true, value_name = "NAME", env = "CACHECTL_CONTEXT")]
    pub context: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the runbooks and print scored findings with their fixes.
    ///
    /// Collects the node's facts (and every node's, on Sentinel or Cluster),
    /// evaluates the built-in and --runbooks checks, and prints each finding
    /// with the exact commands that fix it; --fix applies them behind a
    /// prompt.
    #[command(after_help = EXIT_CODES)]
    Diagnose(Lazy<DiagnoseArgs>),
    /// Where the memory went, with the memory findings.
    ///
    /// Usage against maxmemory, MEMORY STATS and DOCTOR, the memory
    /// findings; with --keys, a scan of the keyspace by key pattern.
    #[command(after_help = EXIT_CODES)]
    Memory(Lazy<MemoryArgs>),
    /// Who is connected, and `clients kill` to end some of them.
    ///
    /// CLIENT LIST grouped by host, name, library, user, db and command,
    /// with the client findings; `clients kill` ends the clients a filter
    /// matches.
    #[command(after_help = EXIT_CODES)]
    Clients(Lazy<ClientsArgs>),
    /// What is slow: the slow log grouped, commandstats, latency events.
    ///
    /// The whole slow log grouped by command and key pattern with the
    /// seeds' advice, commandstats ranked, errorstats, the latency monitor;
    /// with the latency findings and their fixes.
    #[command(after_help = EXIT_CODES)]
    Slowlog(Lazy<CommonArgs>),
    /// Round trips sampled from here, like redis-cli --latency.
    ///
    /// Like redis-cli --latency and --latency-history: min/avg/p50/p99/max,
    /// a line per --every window, judged by the latency runbook.
    #[command(after_help = EXIT_CODES)]
    Latency(Lazy<LatencyArgs>),
    /// Which keys are hot: read and written most, per node.
    ///
    /// HOTKEYS where the server has it (Redis 8.6+, with --sample), OBJECT
    /// FREQ under an LFU policy, CLUSTER SLOT-STATS for the hot slots of a
    /// Cluster, else an opt-in MONITOR sample (--sample 10s) whose cost is
    /// said before it starts. Every node at once.
    #[command(after_help = EXIT_CODES)]
    Hotkeys(Lazy<HotkeysArgs>),
    /// A live view of the findings and key figures; never writes.
    ///
    /// Reads every node again each --every (a PING burst and the
    /// diagnosis's commands in one pipeline, on a kept connection) and
    /// shows, in place until q or Ctrl-C: the findings as they appear and
    /// clear, each with since when; per node ops/s, hit rate, memory
    /// against maxmemory, clients, evictions, round-trip p50/p99, with
    /// sparklines of the last minutes. Counters are judged over the last
    /// minute. --once prints one frame; without a terminal, a line per
    /// refresh (-o json: a JSON document per line).
    #[command(after_help = EXIT_CODES)]
    Watch(Lazy<WatchArgs>),
    /// Delete the keys a pattern matches, or a whole database, audited.
    ///
    /// Deletes exactly the keys a pattern (and --type, --no-ttl, --idle)
    /// matches, with SCAN + UNLINK in audited batches; or a whole database
    /// (--db) or every database (--all) with FLUSHDB/FLUSHALL ASYNC. Asks
    /// like a destructive fix: the node and db typed back, or --yes with
    /// --confirm-destructive NODE; --dry-run deletes nothing.
    #[command(after_help = EXIT_CODES)]
    Flush(Lazy<FlushArgs>),
    /// Refill the cache from a file of records, or from another server.
    ///
    /// Reads a file of records (JSON Lines or CSV) and writes it in
    /// pipelined batches that leave existing keys alone (unless --replace),
    /// with a checkpoint for --resume. Asks once before writing; without a
    /// terminal --yes is enough, and --replace also needs
    /// --confirm-destructive NODE. --from copies the keys of another server
    /// instead (SCAN, DUMP, RESTORE).
    #[command(after_help = EXIT_CODES)]
    Warm(Lazy<WarmArgs>),
    /// Promote a replica, checked before and verified after.
    ///
    /// Through the Sentinels (SENTINEL FAILOVER), on a primary with replicas
    /// (FAILOVER TO, or REPLICAOF NO ONE before 6.2), or in a Cluster
    /// (CLUSTER FAILOVER on a replica). Refuses without quorum or a fit replica;
    /// asks like a destructive fix, naming the current primary.
    #[command(after_help = EXIT_CODES)]
    Failover(Lazy<FailoverArgs>),
    /// List, show and validate runbooks (built-in and user-supplied).
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// Keep the evidence for the postmortem, secrets masked.
    ///
    /// Every node's INFO (with commandstats), CONFIG GET * (requirepass,
    /// masterauth and TLS key passphrases masked), slow log, CLIENT LIST,
    /// MEMORY STATS and DOCTOR, LATENCY LATEST and HISTORY, CLUSTER INFO and
    /// NODES or the Sentinels' view, and the application's endpoints, taken
    /// twice --interval apart; the diagnosis in JSON and Markdown, its facts
    /// (for diagnose --from-snapshot) and a manifest of times, versions and
    /// SHA-256 checksums. A new directory, or PATH.tar.gz.
    #[command(after_help = EXIT_CODES)]
    Snapshot(Lazy<SnapshotArgs>),
    /// Local servers in a seeded incident, to learn and test on.
    ///
    /// `lab up SCENARIO` starts redis-server processes (and, for some, a
    /// pool of idle clients or a small application) in the incident a seed
    /// runbook describes, and prints the target; `lab list` names the
    /// scenarios and their seeds; `lab down` stops everything the lab
    /// started (tracked by PID) and removes its files.
    #[command(subcommand)]
    Lab(LabCommand),
    /// The named contexts of the config files: list them, show one.
    #[command(subcommand)]
    Context(ContextCommand),
    /// Print a shell completion script.
    ///
    /// For bash, zsh, fish, elvish or powershell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Where the Redis under diagnosis is, how to authenticate, and time limits.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Redis target")]
pub struct TargetArgs {
    /// Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS.
    /// Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB,
    /// then redis://127.0.0.1:6379. The password may also come from
    /// REDISCLI_AUTH or REDIS_PASSWORD; it is never printed.
    /// unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket.
    #[arg(short = 'u', long, value_name = "URL")]
    pub url: Option<String>,

    /// Unix socket of the Redis server (like redis-cli -s), instead of a URL.
    #[arg(short = 's', long, value_name = "PATH", conflicts_with = "url")]
    pub socket: Option<PathBuf>,

    /// The database, instead of the URL's (or REDIS_DB's).
    #[arg(long, value_name = "N", value_parser = database, allow_negative_numbers = true)]
    pub db: Option<i64>,

    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,

    /// CA certificate (PEM) to verify a rediss:// server with, instead of the system roots.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,

    /// Client certificate (PEM) for mutual TLS; needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// Private key (PEM) of the client certificate.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Deadline for the whole run, waiting at a prompt aside (e.g. 10,
    /// 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and
    /// warm, whose work grows with the data (they stop at it with what
    /// they did, exit 3). Two waits have their own deadline: memory
    /// --keys's scan (--scan-timeout) and failover's watch (--wait).
    /// `cachectl watch` runs until stopped; a --timeout given ends it.
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub timeout: Option<Duration>,

    /// Limit for DNS lookup plus TCP/TLS connect.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = duration::parse)]
    pub connect_timeout: Duration,

    /// Limit for each command's reply.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = duration::parse)]
    pub command_timeout: Duration,

    /// Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]),
    /// with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as
    /// --url. --url (or REDIS_PASSWORD...) still gives the nodes'
    /// credentials and database; the Sentinels' own come from
    /// CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD.
    #[arg(
        long,
        value_name = "HOST:PORT,...",
        requires = "master",
        conflicts_with = "socket"
    )]
    pub sentinel: Option<String>,

    /// The master's name, as the Sentinels know it.
    #[arg(long, value_name = "NAME", requires = "sentinel")]
    pub master: Option<String>,

    /// The target is a node of a Redis Cluster: every node is found from it
    /// (CLUSTER NODES). A Cluster is also recognised without it.
    #[arg(long, conflicts_with_all = ["sentinel", "socket"])]
    pub cluster: bool,

    /// Largest reply read from Redis (e.g. 512MiB); a larger one is dropped
    /// as it arrives and its fact is unavailable, naming the size seen. The
    /// default fits CLIENT LIST at maxclients 100,000.
    #[arg(long, value_name = "SIZE", default_value = "128MiB", value_parser = crate::size::parse)]
    pub max_reply: u64,

    /// The password a context's source gave (`--context`), used when the
    /// URL, --password-stdin and the environment give none.
    #[arg(skip)]
    pub context_password: Option<crate::secret::Secret>,
}

/// A runbook id: any (a user's runbook has its own), and the built-in ones
/// offered by shell completion.
#[derive(Debug, Clone, Copy)]
struct RunbookId;

impl clap::builder::TypedValueParser for RunbookId {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::runbook::builtin::FILES.iter().map(
            |(file, _)| clap::builder::PossibleValue::new(file.trim_end_matches(".yaml")),
        )))
    }
}

/// A database index: 0 or more (whether the server has it is asked of the
/// server). A negative one is refused here, never read as another.
fn database(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 0 && n <= i64::from(i32::MAX) => Ok(n),
        Ok(n) => Err(format!("{n} is not a database: a database is 0 or more")),
        Err(_) => Err(format!("`{text}` is not a database number")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table (colour on a terminal).
    Table,
    /// Versioned JSON (docs/json.md).
    Json,
    /// One self-contained HTML page (report, charts, fixes).
    Html,
    /// JUnit XML for CI: a test suite per node, a test case per check.
    Junit,
    /// A Nagios/Icinga plugin's status line with perfdata.
    Nagios,
    /// Prometheus text format, for node_exporter's textfile collector
    /// (with --output-file).
    Prometheus,
    /// Markdown for an incident channel or a postmortem.
    Markdown,
}

impl From<OutputFormat> for crate::render::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table => crate::render::Format::Table,
            OutputFormat::Json => crate::render::Format::Json,
            OutputFormat::Html => crate::render::Format::Html,
            OutputFormat::Junit => crate::render::Format::Junit,
            OutputFormat::Nagios => crate::render::Format::Nagios,
            OutputFormat::Prometheus => crate::render::Format::Prometheus,
            OutputFormat::Markdown => crate::render::Format::Markdown,
        }
    }
}

impl OutputArgs {
    /// The renderer's format.
    pub fn format(&self) -> crate::render::Format {
        self.output.into()
    }
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Which runbooks to use.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Runbooks")]
pub struct RunbookArgs {
    /// Directory of extra runbooks (*.yaml); repeatable. A runbook with a
    /// built-in's id replaces it.
    #[arg(long = "runbooks", value_name = "DIR", env = "CACHECTL_RUNBOOKS")]
    pub dirs: Vec<PathBuf>,
    /// A context's thresholds and checks to skip (`--context`).
    #[arg(skip)]
    pub tuning: crate::runbook::Tuning,
}

/// The application that uses the cache: where it is and how it is read.
/// Every command that talks to it flattens this group.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Application")]
pub struct AppArgs {
    /// Base URL of the application that uses the cache (http:// or https://).
    /// diagnose probes its endpoints below it (/health/ready, /metrics,
    /// /internal/cache/status); warm's URL paths are below it and --check
    /// reads its /metrics; failover asks /health/ready before and after.
    #[arg(long, value_name = "URL", env = "CACHECTL_APP")]
    pub app: Option<String>,

    /// CA certificate (PEM) to verify an https:// --app with, instead of the
    /// system roots.
    #[arg(long, value_name = "FILE")]
    pub app_ca: Option<PathBuf>,

    /// Follow the application's redirects within the same origin (scheme,
    /// host and port). By default none is followed, and one to another
    /// origin never is: the report says where it pointed.
    #[arg(long)]
    pub app_follow_redirects: bool,

    /// Longest wait for one answer of the application, whole. Default:
    /// --command-timeout (2s); for warm's URLs 10s (a cold application is
    /// slow).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub app_timeout: Option<Duration>,

    /// Largest response body read from the application (e.g. 64MiB, 512k);
    /// /metrics is parsed as it streams in, so memory stays bounded either way.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = crate::size::parse)]
    pub max_body: u64,

    /// Name a cache counter of the application's /metrics that no built-in
    /// dialect knows (they know the seeds' cache_hits_total,
    /// django-prometheus, Micrometer's cache_gets_total{result} and a
    /// status="hit|miss" label): ROLE=METRIC, ROLE one of hits, misses,
    /// errors, gets; METRIC a name with optional label matchers, e.g.
    /// hits=myapp_cache_hit_total or 'misses=lookups_total{outcome="miss"}'.
    /// Repeatable.
    #[arg(long = "app-metric", value_name = "ROLE=METRIC", requires = "app")]
    pub app_metric: Vec<String>,

    /// Send a header with every request to the application, its value taken
    /// from an environment variable (never from the command line, never
    /// printed): NAME=ENV_VAR, e.g. Authorization=APP_AUTH with
    /// APP_AUTH='Bearer ...'. A runbook step's own header of that name
    /// wins. Repeatable.
    #[arg(long = "app-header", value_name = "NAME=ENV_VAR", requires = "app")]
    pub app_header: Vec<String>,
}

/// Which keys: a glob and a type. flush, memory --keys and warm --from
/// flatten this group.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Keys")]
pub struct KeyFilterArgs {
    /// Keys matching this glob (SCAN MATCH); every key without it.
    #[arg(long, value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Keys of this type only (SCAN TYPE).
    #[arg(long = "type", value_name = "TYPE", value_enum)]
    pub kind: Option<KeyTypeArg>,
}

impl KeyFilterArgs {
    /// Whether a pattern or a type was given.
    pub fn given(&self) -> bool {
        self.pattern.is_some() || self.kind.is_some()
    }

    pub fn key_type(&self) -> Option<crate::scan::KeyType> {
        self.kind.map(Into::into)
    }
}

/// The key types SCAN TYPE knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    String,
    List,
    Hash,
    Set,
    Zset,
    Stream,
}

impl From<KeyTypeArg> for crate::scan::KeyType {
    fn from(k: KeyTypeArg) -> Self {
        use crate::scan::KeyType;
        match k {
            KeyTypeArg::String => KeyType::String,
            KeyTypeArg::List => KeyType::List,
            KeyTypeArg::Hash => KeyType::Hash,
            KeyTypeArg::Set => KeyType::Set,
            KeyTypeArg::Zset => KeyType::Zset,
            KeyTypeArg::Stream => KeyType::Stream,
        }
    }
}

/// How writes are made: every command that changes a node takes these.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Writing")]
pub struct MutationArgs {
    /// Apply only safe changes, without prompting. Unsafe ones are skipped;
    /// destructive ones need --confirm-destructive.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Print the plan (commands, checks, safety); change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,

    /// With --yes: also apply destructive changes (flush, client kill) to
    /// this node, named as host:port or unix:/path, without prompting.
    #[arg(long, value_name = "NODE", requires = "yes")]
    pub confirm_destructive: Option<String>,

    /// Where to append the audit log of every mutating command (JSON Lines).
    /// Default: $XDG_STATE_HOME/cachectl/audit.jsonl or
    /// ~/.local/state/cachectl/audit.jsonl.
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
}

/// What every writing command (flush, warm, clients kill, failover) takes:
/// the target, how writes are made, the output.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub mutation: MutationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl MutationArgs {
    /// The first mutation flag given, for commands where they need another.
    pub fn given(&self) -> Option<&'static str> {
        if self.yes {
            Some("--yes")
        } else if self.dry_run {
            Some("--dry-run")
        } else if self.confirm_destructive.is_some() {
            Some("--confirm-destructive")
        } else if self.audit_log.is_some() {
            Some("--audit-log")
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Diagnosis")]
pub struct DiagnoseArgs {
    /// Time between the two scrapes of the application's /metrics that
    /// give per-second rates; 0 scrapes once (checks that need rates then
    /// say so).
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = duration::parse_or_zero, help_heading = "Application")]
    pub interval: Duration,
    /// Run only these runbooks (comma-separated ids).
    #[arg(long, value_name = "ID", value_delimiter = ',', value_parser = RunbookId, hide_possible_values = true)]
    pub only: Vec<String>,
    /// Skip these runbooks (comma-separated ids).
    #[arg(long, value_name = "ID", value_delimiter = ',', value_parser = RunbookId, hide_possible_values = true)]
    pub skip: Vec<String>,
    /// Also write every fact collected (each node's, the topology's) to
    /// this file as JSON, secrets removed: to test a runbook check against
    /// what a server really said (docs/architecture.md), or to send with a
    /// question.
    #[arg(long, value_name = "FILE")]
    pub record_facts: Option<PathBuf>,
    /// A fleet: every context of the config files (see --context, which
    /// also takes a list: --context a,b,c).
    #[arg(long, help_heading = "Fleet", conflicts_with = "targets")]
    pub all_contexts: bool,
    /// A fleet: the targets of FILE, a config file's contexts (YAML) or a
    /// Redis URL a line (# comments).
    #[arg(long, value_name = "FILE", help_heading = "Fleet")]
    pub targets: Option<PathBuf>,
    /// How many targets of a fleet are diagnosed at once.
    #[arg(long, value_name = "N", default_value_t = 8, help_heading = "Fleet",
          value_parser = clap::value_parser!(u64).range(1..=256))]
    pub parallel: u64,
    /// Judge a bundle of `cachectl snapshot` (a directory or .tar.gz) with
    /// today's runbooks, from the facts it recorded: no server is asked.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["url", "socket", "sentinel", "cluster", "fix", "all_contexts", "targets"])]
    pub from_snapshot: Option<PathBuf>,
    /// The fleet's members, each with its own flags (`cli::context`).
    #[arg(skip)]
    pub fleet: Vec<FleetMember>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub fix: FixArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub runbooks: RunbookArgs,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Snapshot")]
pub struct SnapshotArgs {
    /// Where the bundle goes: a new directory, or one archive when PATH
    /// ends in .tar.gz. Never over an existing one.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Time between the bundle's two points (rates are read from them).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration::parse)]
    pub interval: Duration,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub runbooks: RunbookArgs,
}

/// One target of a fleet: its name and its flags with its context applied,
/// or why they could not be (its password's command failed, say).
#[derive(Debug, Clone)]
pub struct FleetMember {
    pub name: String,
    pub args: Result<Box<DiagnoseArgs>, String>,
}

/// Fixing what a command found: `--fix` and how writes are made.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Writing")]
pub struct FixArgs {
    /// Walk the findings by score and apply their fixes: each fix shows its
    /// exact commands, is checked (command exists, node is primary, ACL
    /// allows it), asked for, run, audited, and verified by re-collecting.
    #[arg(long)]
    pub fix: bool,
    #[command(flatten)]
    pub mutation: MutationArgs,
}

#[derive(Debug, Clone, Args)]
pub struct MemoryArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub scan: ScanArgs,
    #[command(flatten)]
    pub dump: DumpArgs,
}

/// `memory --rdb`: the keyspace report from a dump, the server untouched.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "From a dump")]
pub struct DumpArgs {
    /// Read an RDB dump instead of scanning the server (a file, or - for
    /// standard input): the --keys report, each key's memory estimated
    /// (docs/rdb.md), the server untouched.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["rdb_from", "sample", "resume", "rate"])]
    pub rdb: Option<PathBuf>,
    /// Take the dump from a live replica through the replication handshake
    /// (as redis-cli --rdb does) and read it as it arrives, never written
    /// to disk. The replica forks to write it.
    #[arg(long, value_name = "URL", conflicts_with_all = ["sample", "resume", "rate"])]
    pub rdb_from: Option<String>,
    /// With --rdb-from: take the dump from a primary too (it forks to write
    /// it: on a full primary that can double its memory).
    #[arg(long, requires = "rdb_from")]
    pub allow_primary: bool,
    /// The server's allocator, whose size classes the estimate uses
    /// (default: that of the server's usual build; --rdb-from asks INFO).
    #[arg(long, value_enum, value_name = "NAME")]
    pub allocator: Option<crate::rdb::memory::Allocator>,
}

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ClientsArgs {
    #[command(subcommand)]
    pub action: Option<ClientsCommand>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ClientsCommand {
    /// Kill the clients the filters match (all filters must hold), after
    /// showing them. Replication links, the master link and cachectl's own
    /// connection are never killed. Asks like `diagnose --fix` does for a
    /// destructive fix: the node typed back, or --yes with
    /// --confirm-destructive NODE; --dry-run kills nothing.
    Kill(Box<KillArgs>),
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Which clients")]
pub struct KillArgs {
    /// Clients idle at least this long (e.g. 10m).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub idle: Option<Duration>,
    /// Clients connected at least this long.
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub age: Option<Duration>,
    /// Clients from this host (IP address as CLIENT LIST shows it).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Clients with this CLIENT SETNAME name ("" for unnamed).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Clients of this ACL user.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Clients of this type (CLIENT LIST's: normal or pubsub).
    #[arg(long = "client-type", value_name = "TYPE", value_parser = ["normal", "pubsub"])]
    pub kind: Option<String>,
    /// Clients using this database (CLIENT LIST's db=).
    #[arg(long, value_name = "N", value_parser = database, allow_negative_numbers = true)]
    pub client_db: Option<i64>,
    /// Clients whose last command was this (e.g. get, client|list).
    #[arg(long, value_name = "COMMAND")]
    pub cmd: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Which keys and how")]
pub struct FlushArgs {
    /// The whole database (--db N, or the URL's), with FLUSHDB ASYNC.
    #[arg(long, conflicts_with_all = ["pattern", "kind", "no_ttl", "idle", "all", "resume"])]
    pub whole_db: bool,
    /// Every database, with FLUSHALL ASYNC.
    #[arg(long, conflicts_with_all = ["pattern", "kind", "no_ttl", "idle", "db", "resume"])]
    pub all: bool,
    /// Only keys without a TTL.
    #[arg(long)]
    pub no_ttl: bool,
    /// Only keys not used for this long (OBJECT IDLETIME).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub idle: Option<Duration>,
    /// Also sum the matched keys' memory in the preview (MEMORY USAGE);
    /// always with --dry-run.
    #[arg(long)]
    pub bytes: bool,
    /// Keys deleted per second, at most.
    #[arg(long, value_name = "KEYS_PER_S", value_parser = clap::value_parser!(u64).range(1..))]
    pub rate: Option<u64>,
    /// Keys per UNLINK (each batch is one audit record); lower it to be
    /// gentler on a loaded server. `--rate` lowers it to a tenth of the rate.
    #[arg(long, value_name = "KEYS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,
    /// After a pattern flush, SCAN again and count the keys matching now
    /// (written during the run, left alone). A second pass over the
    /// keyspace: as much server time as the first.
    #[arg(long, conflicts_with = "all")]
    pub recheck: bool,
    #[command(flatten)]
    pub resume: ResumeArgs,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub keys: KeyFilterArgs,
}

/// `cachectl failover`: which replica, how far behind it may be, how long
/// to wait for agreement, and the Cluster's forced modes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Failover")]
pub struct FailoverArgs {
    /// The replica to promote (a primary with replicas, or a Cluster); the
    /// Sentinels choose their own (replica-priority, offset).
    #[arg(long, value_name = "HOST:PORT")]
    pub to: Option<String>,
    /// Promote even a replica further behind than --max-lag.
    #[arg(long)]
    pub force: bool,
    /// How far behind its primary (replication offset, bytes) a replica
    /// may be and still be promoted.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = crate::size::parse)]
    pub max_lag: u64,
    /// How long to wait for the new primary to be promoted and for every
    /// node (and Sentinel) to agree on it.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration::parse)]
    pub wait: Duration,
    /// Cluster: CLUSTER FAILOVER FORCE, without the primary's agreement (it
    /// is down). Only interactively, with FORCE typed.
    #[arg(long, conflicts_with = "takeover")]
    pub cluster_force: bool,
    /// Cluster: CLUSTER FAILOVER TAKEOVER, without the other primaries'
    /// agreement. Only interactively, with TAKEOVER typed.
    #[arg(long)]
    pub takeover: bool,
    /// Do not probe writes (SET cachectl:failover:probe, 5 s TTL, every
    /// 100 ms) on the primary while the failover runs.
    #[arg(long)]
    pub no_probe: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub app: AppArgs,
}

/// The flags of a front door that diagnoses one topic and may fix it.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub fix: FixArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub runbooks: RunbookArgs,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Sampling")]
pub struct LatencyArgs {
    /// PINGs to send (without --duration).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
    /// Sample for this long instead of --count PINGs.
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub duration: Option<Duration>,
    /// Print a line of figures for every window this long (like --latency-history).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub every: Option<Duration>,
    /// Pause between PINGs (redis-cli --latency uses 10ms).
    #[arg(long, value_name = "DURATION", default_value = "10ms", value_parser = duration::parse)]
    pub interval: Duration,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// How `cachectl hotkeys` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HotMethod {
    /// Redis 8.6's HOTKEYS (CPU time and network bytes per key).
    Hotkeys,
    /// OBJECT FREQ of every key (needs an LFU maxmemory-policy).
    ObjectFreq,
    /// A MONITOR sample (every command, for --sample).
    Monitor,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Hot keys")]
pub struct HotkeysArgs {
    /// Sample for this long: HOTKEYS tracking where the server has it, else
    /// MONITOR (opt-in: the server copies every command to cachectl, which
    /// can cost a busy server half its throughput while it lasts).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub sample: Option<Duration>,
    /// Measure this way on every node, not the best each has.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub method: Option<HotMethod>,
    /// How many keys and patterns to show.
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub top: usize,
    /// MONITOR: stop a node's sample after this many lines.
    #[arg(long, value_name = "N", default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_lines: u64,
    /// MONITOR: stop a node's sample after this many bytes read.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = crate::size::parse)]
    pub max_bytes: u64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Watching")]
pub struct WatchArgs {
    /// Time between refreshes.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = every)]
    pub every: Duration,
    /// Print one frame and exit with its verdict: the figures are measured
    /// over one --every.
    #[arg(long, conflicts_with = "count")]
    pub once: bool,
    /// Stop after this many frames (the first is the diagnosis the watch
    /// starts from).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Run only these runbooks (comma-separated ids).
    #[arg(long, value_name = "ID", value_delimiter = ',', value_parser = RunbookId, hide_possible_values = true)]
    pub only: Vec<String>,
    /// Skip these runbooks (comma-separated ids).
    #[arg(long, value_name = "ID", value_delimiter = ',', value_parser = RunbookId, hide_possible_values = true)]
    pub skip: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub runbooks: RunbookArgs,
}

/// A refresh interval: 100ms at least (each refresh reads every node).
fn every(text: &str) -> Result<Duration, String> {
    let d = duration::parse(text)?;
    if d < Duration::from_millis(100) {
        return Err(format!("`{text}` is shorter than 100ms"));
    }
    Ok(d)
}

/// The keyspace scan of `memory --keys`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Key scan")]
pub struct ScanArgs {
    /// Scan the keyspace (SCAN, then TYPE, MEMORY USAGE, PTTL, OBJECT
    /// ENCODING and the element count of every key): memory by key pattern,
    /// keys without TTL, TTLs, the largest keys.
    #[arg(long)]
    pub keys: bool,
    /// Scan only this many keys and estimate the rest, with a 95% margin.
    #[arg(long, value_name = "N", requires = "keys", conflicts_with = "resume", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample: Option<u64>,
    /// How many of the largest keys to show.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub top: usize,
    /// Keys per second, at most, on each node (gentler on a busy server;
    /// a Cluster's primaries are scanned at once, each at this rate).
    #[arg(long, value_name = "KEYS_PER_S", value_parser = clap::value_parser!(u64).range(1..))]
    pub rate: Option<u64>,
    /// Keys each SCAN asks for (SCAN COUNT), at most.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: u64,
    /// The longest one SCAN may take on the server; COUNT shrinks to keep it there.
    #[arg(long, value_name = "DURATION", default_value = "5ms", value_parser = duration::parse)]
    pub max_command_time: Duration,
    /// Most key patterns kept apart; the rest are summed as `<other patterns>`.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_patterns: usize,
    /// Deadline for the scan (it has its own: millions of keys take longer
    /// than --timeout). What was found by then is reported, marked partial.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = duration::parse)]
    pub scan_timeout: Duration,
    #[command(flatten)]
    pub resume: ResumeArgs,
    #[command(flatten)]
    pub filter: KeyFilterArgs,
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Start a scenario: oom, maxclients, slow, hit-rate, replica-lag,
    /// sentinel, cluster, app-fallback.
    Up {
        /// The scenario (`cachectl lab list`).
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::lab::SCENARIOS.iter().map(|s| s.id)))]
        scenario: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The scenarios, the seed each follows, and what is up.
    List {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Stop everything the lab started and remove its files.
    Down,
    /// (The maxclients scenario's pool of idle clients.)
    #[command(hide = true)]
    Hold {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        connections: usize,
        #[arg(long)]
        name: String,
    },
    /// (The app-fallback scenario's application.)
    #[command(hide = true)]
    ServeApp {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        redis_port: u16,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// The contexts: name, target, password source, file.
    List {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// One context as it will be used (secrets never shown).
    Show {
        /// The context's name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// List the runbooks: id, title, checks, where each comes from.
    List {
        #[command(flatten)]
        runbooks: RunbookArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Show one runbook: its seed, thresholds and checks, and its YAML.
    Show {
        /// Runbook id (see `cachectl runbook list`).
        #[arg(value_parser = RunbookId, hide_possible_values = true)]
        id: String,
        #[command(flatten)]
        runbooks: RunbookArgs,
    },
    /// Validate runbook files: YAML, fields, expressions, facts, templates.
    Validate {
        /// Runbook files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the facts runbook expressions can read, with their meaning.
    Facts,
}

/// The clap command, for generators and tests.
pub fn command() -> clap::Command {
    lazy::whole(Cli::command)
}

/// Parses arguments. Help and version print and exit 0; any other error
/// prints and exits 3 (UNKNOWN), as bad arguments mean nothing was assessed.
pub fn parse<I, T>(args: I) -> Result<Cli, ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args).map_err(|err| {
        let _ = err.print();
        match err.kind() {
            clap::error::ErrorKind::DisplayHelp
            | clap::error::ErrorKind::DisplayVersion
            | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitCode::SUCCESS,
            _ => Status::Unknown.exit_code(),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definitions_are_consistent() {
        super::command().debug_assert();
    }

    /// `--help` of every command, as a 100-column terminal shows it: a
    /// change to a flag, its help or its section shows as a snapshot diff.
    #[test]
    fn every_commands_help() {
        let mut root = super::command().term_width(100);
        root.build();
        let mut paths: Vec<Vec<String>> = vec![vec![]];
        let mut i = 0;
        while i < paths.len() {
            let path = paths[i].clone();
            let mut cmd = &root;
            for name in &path {
                cmd = cmd.find_subcommand(name).unwrap();
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() != "help" {
                    let mut longer = path.clone();
                    longer.push(sub.get_name().to_string());
                    paths.push(longer);
                }
            }
            i += 1;
        }
        for path in paths {
            let mut cmd = root.clone();
            for name in &path {
                cmd = cmd.find_subcommand(name).unwrap().clone();
            }
            let help = cmd.term_width(100).render_long_help().to_string();
            let name = std::iter::once("cachectl".to_string())
                .chain(path)
                .collect::<Vec<_>>()
                .join("-");
            insta::assert_snapshot!(format!("help-{name}"), help);
        }
    }

    /// `cachectl --help` at 80 columns lists each command on one line, and
    /// no line of it is wider than 80.
    #[test]
    fn the_command_list_is_a_line_each_at_80_columns() {
        let help = super::command().term_width(80).render_help().to_string();
        let list: Vec<&str> = help
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        let commands = super::command().get_subcommands().count();
        assert_eq!(list.len(), commands + 1, "{help}"); // and `help`
        for line in help.lines() {
            assert!(line.chars().count() <= 80, "wider than 80: {line}");
        }
    }

    /// What a run parses with (each subcommand's arguments declared as it
    /// runs) shows the same help, and reads the same flags, as the whole
    /// tree the snapshots and generators use.
    #[test]
    fn lazily_declared_subcommands_read_and_help_as_the_whole_tree() {
        use clap::CommandFactory;
        let paths: &[&[&str]] = &[
            &["diagnose"],
            &["memory"],
            &["clients"],
            &["clients", "kill"],
            &["slowlog"],
            &["latency"],
            &["hotkeys"],
            &["flush"],
            &["warm"],
            &["failover"],
            &["runbook", "list"],
            &["completions"],
        ];
        let help = |cmd: clap::Command, path: &[&str]| {
            let args = std::iter::once("cachectl")
                .chain(path.iter().copied())
                .chain(["--help"]);
            let err = cmd.term_width(100).try_get_matches_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
            err.render().to_string()
        };
        for path in paths {
            assert_eq!(
                help(super::Cli::command(), path),
                help(super::command(), path),
                "{path:?}"
            );
        }
        let cli = super::parse([
            "cachectl",
            "diagnose",
            "--url",
            "redis://h:1/2",
            "--only",
            "access",
            "-o",
            "json",
        ])
        .unwrap();
        let super::Command::Diagnose(args) = cli.command else {
            panic!("not diagnose: {:?}", cli.command);
        };
        assert_eq!(args.target.url.as_deref(), Some("redis://h:1/2"));
        assert_eq!(args.only, ["access"]);
    }
}

/// `--resume FILE`, for the long runs (warm, memory --keys, flush
/// --pattern): where the run stands, so that an interrupted one goes on.
#[derive(Debug, Clone, Args)]
pub struct ResumeArgs {
    /// Where the run stands, written atomically as it goes (warm: each
    /// source's place; a scan: each node's SCAN cursor and the totals so
    /// far). A rerun with the same file goes on from there; a finished
    /// scan removes it.
    #[arg(long, value_name = "PATH")]
    pub resume: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Sources and writing")]
pub struct WarmArgs {
    /// The records: JSON Lines, one {"key", "value", "ttl", "type"} a line
    /// (type string, hash, set, zset or list; {"base64": ...} for binary
    /// keys and values), or CSV key,value[,ttl] for a file named *.csv.
    #[arg(long, value_name = "PATH", required_unless_present_any = ["from", "urls", "plan"])]
    pub file: Option<PathBuf>,
    /// Copy from another Redis instead (a replica, a restored backup):
    /// the keys matching --pattern, with DUMP/RESTORE, TTLs kept. A rerun
    /// after an interruption skips what was copied.
    #[arg(long, value_name = "URL", conflicts_with_all = ["file", "format", "resume", "urls", "plan"])]
    pub from: Option<String>,
    /// Warm through the application instead: a file of URLs, one a line
    /// (`GET URL`, `HEAD URL`, or a URL; a path starting with / is below
    /// --app; # comments). Each answer is read whole; 2xx counts as warmed.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["file", "format"])]
    pub urls: Option<PathBuf>,
    /// A plan of several sources (file, from, urls) with priorities
    /// (critical, high, normal, low), run most important first.
    #[arg(long, value_name = "PLAN.yaml", conflicts_with_all = ["file", "format", "urls"])]
    pub plan: Option<PathBuf>,
    /// With --plan: only the sources of priority critical.
    #[arg(long, requires = "plan")]
    pub critical_only: bool,
    /// The file's format, when its name does not say.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<RecordFormat>,
    /// Overwrite keys that exist (destructive: needs --confirm-destructive
    /// NODE with --yes).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub resume: ResumeArgs,
    /// Malformed lines, refused writes or failed requests tolerated before
    /// the run stops.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_errors: u64,
    /// Go on when Redis answers OOM (maxmemory with noeviction); by default
    /// the run stops at the first OOM with a finding.
    #[arg(long)]
    pub continue_on_oom: bool,
    /// Records written (or URLs requested) per second, at most.
    #[arg(long, value_name = "PER_S", value_parser = clap::value_parser!(u64).range(1..))]
    pub rate: Option<u64>,
    /// URLs requested at once.
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,
    /// Afterwards, measure the hit rate over --check-window (Redis's, and
    /// the application's /metrics with --app) and judge it with the
    /// low-hit-rate runbook's thresholds (70% / 50%).
    #[arg(long)]
    pub check: bool,
    /// How long --check watches the hit rate.
    #[arg(long, value_name = "DURATION", default_value = "10s", requires = "check",
          value_parser = duration::parse)]
    pub check_window: Duration,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub runbooks: RunbookArgs,
    /// With --from: the keys to copy.
    #[command(flatten)]
    pub keys: KeyFilterArgs,
    #[command(flatten)]
    pub app: AppArgs,
}

/// A file of records' format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// JSON Lines: one {"key", "value", "ttl", "type"} a line.
    Jsonl,
    /// key,value[,ttl] a line.
    Csv,
}

impl From<RecordFormat> for crate::warm::Format {
    fn from(f: RecordFormat) -> Self {
        match f {
            RecordFormat::Jsonl => crate::warm::Format::Jsonl,
            RecordFormat::Csv => crate::warm::Format::Csv,
        }
    }
}
