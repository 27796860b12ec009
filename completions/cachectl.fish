# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cachectl_global_optspecs
    string join \n color= output-file= context= h/help V/version
end

function __fish_cachectl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cachectl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cachectl_using_subcommand
    set -l cmd (__fish_cachectl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cachectl -n "__fish_cachectl_needs_command" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_needs_command" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_needs_command" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_needs_command" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "diagnose" -d 'Run the runbooks and print scored findings with their fixes'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "memory" -d 'Where the memory went, with the memory findings'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "clients" -d 'Who is connected, and `clients kill` to end some of them'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "slowlog" -d 'What is slow: the slow log grouped, commandstats, latency events'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "latency" -d 'Round trips sampled from here, like redis-cli --latency'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "hotkeys" -d 'Which keys are hot: read and written most, per node'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "watch" -d 'A live view of the findings and key figures; never writes'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "flush" -d 'Delete the keys a pattern matches, or a whole database, audited'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "warm" -d 'Refill the cache from a file of records, or from another server'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "failover" -d 'Promote a replica, checked before and verified after'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "runbook" -d 'List, show and validate runbooks (built-in and user-supplied)'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "snapshot" -d 'Keep the evidence for the postmortem, secrets masked'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "lab" -d 'Local servers in a seeded incident, to learn and test on'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "context" -d 'The named contexts of the config files: list them, show one'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c cachectl -n "__fish_cachectl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l interval -d 'Time between the two scrapes of the application\'s /metrics that give per-second rates; 0 scrapes once (checks that need rates then say so)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l only -d 'Run only these runbooks (comma-separated ids)' -r -f -a "redis-unreachable\t''
out-of-memory\t''
too-many-connections\t''
high-latency\t''
low-hit-rate\t''
eviction-pressure\t''
fragmentation\t''
persistence\t''
replication\t''
sentinel\t''
cluster\t''
configuration\t''
security\t''
access\t''
keyspace\t''
hotkeys\t''
clients\t''
app-readiness\t''
app-fallback-active\t''
app-hit-rate\t''
app-error-rate\t''
app-cache-status\t''
correlation\t''
app-endpoints\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l skip -d 'Skip these runbooks (comma-separated ids)' -r -f -a "redis-unreachable\t''
out-of-memory\t''
too-many-connections\t''
high-latency\t''
low-hit-rate\t''
eviction-pressure\t''
fragmentation\t''
persistence\t''
replication\t''
sentinel\t''
cluster\t''
configuration\t''
security\t''
access\t''
keyspace\t''
hotkeys\t''
clients\t''
app-readiness\t''
app-fallback-active\t''
app-hit-rate\t''
app-error-rate\t''
app-cache-status\t''
correlation\t''
app-endpoints\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l record-facts -d 'Also write every fact collected (each node\'s, the topology\'s) to this file as JSON, secrets removed: to test a runbook check against what a server really said (docs/architecture.md), or to send with a question' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l targets -d 'A fleet: the targets of FILE, a config file\'s contexts (YAML) or a Redis URL a line (# comments)' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l parallel -d 'How many targets of a fleet are diagnosed at once' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l from-snapshot -d 'Judge a bundle of `cachectl snapshot` (a directory or .tar.gz) with today\'s runbooks, from the facts it recorded: no server is asked' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app -d 'Base URL of the application that uses the cache (http:// or https://). diagnose probes its endpoints below it (/health/ready, /metrics, /internal/cache/status); warm\'s URL paths are below it and --check reads its /metrics; failover asks /health/ready before and after' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app-ca -d 'CA certificate (PEM) to verify an https:// --app with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app-timeout -d 'Longest wait for one answer of the application, whole. Default: --command-timeout (2s); for warm\'s URLs 10s (a cold application is slow)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l max-body -d 'Largest response body read from the application (e.g. 64MiB, 512k); /metrics is parsed as it streams in, so memory stays bounded either way' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app-metric -d 'Name a cache counter of the application\'s /metrics that no built-in dialect knows (they know the seeds\' cache_hits_total, django-prometheus, Micrometer\'s cache_gets_total{result} and a status="hit|miss" label): ROLE=METRIC, ROLE one of hits, misses, errors, gets; METRIC a name with optional label matchers, e.g. hits=myapp_cache_hit_total or \'misses=lookups_total{outcome="miss"}\'. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app-header -d 'Send a header with every request to the application, its value taken from an environment variable (never from the command line, never printed): NAME=ENV_VAR, e.g. Authorization=APP_AUTH with APP_AUTH=\'Bearer ...\'. A runbook step\'s own header of that name wins. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l all-contexts -d 'A fleet: every context of the config files (see --context, which also takes a list: --context a,b,c)'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l app-follow-redirects -d 'Follow the application\'s redirects within the same origin (scheme, host and port). By default none is followed, and one to another origin never is: the report says where it pointed'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand diagnose" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l sample -d 'Scan only this many keys and estimate the rest, with a 95% margin' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l top -d 'How many of the largest keys to show' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l rate -d 'Keys per second, at most, on each node (gentler on a busy server; a Cluster\'s primaries are scanned at once, each at this rate)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l count -d 'Keys each SCAN asks for (SCAN COUNT), at most' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l max-command-time -d 'The longest one SCAN may take on the server; COUNT shrinks to keep it there' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l max-patterns -d 'Most key patterns kept apart; the rest are summed as `<other patterns>`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l scan-timeout -d 'Deadline for the scan (it has its own: millions of keys take longer than --timeout). What was found by then is reported, marked partial' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l resume -d 'Where the run stands, written atomically as it goes (warm: each source\'s place; a scan: each node\'s SCAN cursor and the totals so far). A rerun with the same file goes on from there; a finished scan removes it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l pattern -d 'Keys matching this glob (SCAN MATCH); every key without it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l type -d 'Keys of this type only (SCAN TYPE)' -r -f -a "string\t''
list\t''
hash\t''
set\t''
zset\t''
stream\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l rdb -d 'Read an RDB dump instead of scanning the server (a file, or - for standard input): the --keys report, each key\'s memory estimated (docs/rdb.md), the server untouched' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l rdb-from -d 'Take the dump from a live replica through the replication handshake (as redis-cli --rdb does) and read it as it arrives, never written to disk. The replica forks to write it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l allocator -d 'The server\'s allocator, whose size classes the estimate uses (default: that of the server\'s usual build; --rdb-from asks INFO)' -r -f -a "jemalloc\t'jemalloc with 16-byte size classes (Redis 7 and earlier, Valkey)'
jemalloc8\t'jemalloc with 8-byte size classes (Redis 8 builds it so)'
libc\t'glibc malloc (builds with MALLOC=libc)'"
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l keys -d 'Scan the keyspace (SCAN, then TYPE, MEMORY USAGE, PTTL, OBJECT ENCODING and the element count of every key): memory by key pattern, keys without TTL, TTLs, the largest keys'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -l allow-primary -d 'With --rdb-from: take the dump from a primary too (it forks to write it: on a full primary that can double its memory)'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand memory" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -f -a "kill" -d 'Kill the clients the filters match (all filters must hold), after showing them. Replication links, the master link and cachectl\'s own connection are never killed. Asks like `diagnose --fix` does for a destructive fix: the node typed back, or --yes with --confirm-destructive NODE; --dry-run kills nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and not __fish_seen_subcommand_from kill help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l idle -d 'Clients idle at least this long (e.g. 10m)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l age -d 'Clients connected at least this long' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l host -d 'Clients from this host (IP address as CLIENT LIST shows it)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l name -d 'Clients with this CLIENT SETNAME name ("" for unnamed)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l user -d 'Clients of this ACL user' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l client-type -d 'Clients of this type (CLIENT LIST\'s: normal or pubsub)' -r -f -a "normal\t''
pubsub\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l client-db -d 'Clients using this database (CLIENT LIST\'s db=)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l cmd -d 'Clients whose last command was this (e.g. get, client|list)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Kill the clients the filters match (all filters must hold), after showing them. Replication links, the master link and cachectl\'s own connection are never killed. Asks like `diagnose --fix` does for a destructive fix: the node typed back, or --yes with --confirm-destructive NODE; --dry-run kills nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand clients; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand slowlog" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l count -d 'PINGs to send (without --duration)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l duration -d 'Sample for this long instead of --count PINGs' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l every -d 'Print a line of figures for every window this long (like --latency-history)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l interval -d 'Pause between PINGs (redis-cli --latency uses 10ms)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand latency" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l sample -d 'Sample for this long: HOTKEYS tracking where the server has it, else MONITOR (opt-in: the server copies every command to cachectl, which can cost a busy server half its throughput while it lasts)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l method -d 'Measure this way on every node, not the best each has' -r -f -a "hotkeys\t'Redis 8.6\'s HOTKEYS (CPU time and network bytes per key)'
object-freq\t'OBJECT FREQ of every key (needs an LFU maxmemory-policy)'
monitor\t'A MONITOR sample (every command, for --sample)'"
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l top -d 'How many keys and patterns to show' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l max-lines -d 'MONITOR: stop a node\'s sample after this many lines' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l max-bytes -d 'MONITOR: stop a node\'s sample after this many bytes read' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l fix -d 'Walk the findings by score and apply their fixes: each fix shows its exact commands, is checked (command exists, node is primary, ACL allows it), asked for, run, audited, and verified by re-collecting'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand hotkeys" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l every -d 'Time between refreshes' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l count -d 'Stop after this many frames (the first is the diagnosis the watch starts from)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l only -d 'Run only these runbooks (comma-separated ids)' -r -f -a "redis-unreachable\t''
out-of-memory\t''
too-many-connections\t''
high-latency\t''
low-hit-rate\t''
eviction-pressure\t''
fragmentation\t''
persistence\t''
replication\t''
sentinel\t''
cluster\t''
configuration\t''
security\t''
access\t''
keyspace\t''
hotkeys\t''
clients\t''
app-readiness\t''
app-fallback-active\t''
app-hit-rate\t''
app-error-rate\t''
app-cache-status\t''
correlation\t''
app-endpoints\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l skip -d 'Skip these runbooks (comma-separated ids)' -r -f -a "redis-unreachable\t''
out-of-memory\t''
too-many-connections\t''
high-latency\t''
low-hit-rate\t''
eviction-pressure\t''
fragmentation\t''
persistence\t''
replication\t''
sentinel\t''
cluster\t''
configuration\t''
security\t''
access\t''
keyspace\t''
hotkeys\t''
clients\t''
app-readiness\t''
app-fallback-active\t''
app-hit-rate\t''
app-error-rate\t''
app-cache-status\t''
correlation\t''
app-endpoints\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l once -d 'Print one frame and exit with its verdict: the figures are measured over one --every'
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand watch" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l idle -d 'Only keys not used for this long (OBJECT IDLETIME)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l rate -d 'Keys deleted per second, at most' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l batch -d 'Keys per UNLINK (each batch is one audit record); lower it to be gentler on a loaded server. `--rate` lowers it to a tenth of the rate' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l resume -d 'Where the run stands, written atomically as it goes (warm: each source\'s place; a scan: each node\'s SCAN cursor and the totals so far). A rerun with the same file goes on from there; a finished scan removes it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l pattern -d 'Keys matching this glob (SCAN MATCH); every key without it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l type -d 'Keys of this type only (SCAN TYPE)' -r -f -a "string\t''
list\t''
hash\t''
set\t''
zset\t''
stream\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l whole-db -d 'The whole database (--db N, or the URL\'s), with FLUSHDB ASYNC'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l all -d 'Every database, with FLUSHALL ASYNC'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l no-ttl -d 'Only keys without a TTL'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l bytes -d 'Also sum the matched keys\' memory in the preview (MEMORY USAGE); always with --dry-run'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l recheck -d 'After a pattern flush, SCAN again and count the keys matching now (written during the run, left alone). A second pass over the keyspace: as much server time as the first'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand flush" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l file -d 'The records: JSON Lines, one {"key", "value", "ttl", "type"} a line (type string, hash, set, zset or list; {"base64": ...} for binary keys and values), or CSV key,value[,ttl] for a file named *.csv' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l from -d 'Copy from another Redis instead (a replica, a restored backup): the keys matching --pattern, with DUMP/RESTORE, TTLs kept. A rerun after an interruption skips what was copied' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l urls -d 'Warm through the application instead: a file of URLs, one a line (`GET URL`, `HEAD URL`, or a URL; a path starting with / is below --app; # comments). Each answer is read whole; 2xx counts as warmed' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l plan -d 'A plan of several sources (file, from, urls) with priorities (critical, high, normal, low), run most important first' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l format -d 'The file\'s format, when its name does not say' -r -f -a "jsonl\t'JSON Lines: one {"key", "value", "ttl", "type"} a line'
csv\t'key,value[,ttl] a line'"
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l resume -d 'Where the run stands, written atomically as it goes (warm: each source\'s place; a scan: each node\'s SCAN cursor and the totals so far). A rerun with the same file goes on from there; a finished scan removes it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l max-errors -d 'Malformed lines, refused writes or failed requests tolerated before the run stops' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l rate -d 'Records written (or URLs requested) per second, at most' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l concurrency -d 'URLs requested at once' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l check-window -d 'How long --check watches the hit rate' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l pattern -d 'Keys matching this glob (SCAN MATCH); every key without it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l type -d 'Keys of this type only (SCAN TYPE)' -r -f -a "string\t''
list\t''
hash\t''
set\t''
zset\t''
stream\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app -d 'Base URL of the application that uses the cache (http:// or https://). diagnose probes its endpoints below it (/health/ready, /metrics, /internal/cache/status); warm\'s URL paths are below it and --check reads its /metrics; failover asks /health/ready before and after' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app-ca -d 'CA certificate (PEM) to verify an https:// --app with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app-timeout -d 'Longest wait for one answer of the application, whole. Default: --command-timeout (2s); for warm\'s URLs 10s (a cold application is slow)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l max-body -d 'Largest response body read from the application (e.g. 64MiB, 512k); /metrics is parsed as it streams in, so memory stays bounded either way' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app-metric -d 'Name a cache counter of the application\'s /metrics that no built-in dialect knows (they know the seeds\' cache_hits_total, django-prometheus, Micrometer\'s cache_gets_total{result} and a status="hit|miss" label): ROLE=METRIC, ROLE one of hits, misses, errors, gets; METRIC a name with optional label matchers, e.g. hits=myapp_cache_hit_total or \'misses=lookups_total{outcome="miss"}\'. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app-header -d 'Send a header with every request to the application, its value taken from an environment variable (never from the command line, never printed): NAME=ENV_VAR, e.g. Authorization=APP_AUTH with APP_AUTH=\'Bearer ...\'. A runbook step\'s own header of that name wins. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l critical-only -d 'With --plan: only the sources of priority critical'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l replace -d 'Overwrite keys that exist (destructive: needs --confirm-destructive NODE with --yes)'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l continue-on-oom -d 'Go on when Redis answers OOM (maxmemory with noeviction); by default the run stops at the first OOM with a finding'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l check -d 'Afterwards, measure the hit rate over --check-window (Redis\'s, and the application\'s /metrics with --app) and judge it with the low-hit-rate runbook\'s thresholds (70% / 50%)'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -l app-follow-redirects -d 'Follow the application\'s redirects within the same origin (scheme, host and port). By default none is followed, and one to another origin never is: the report says where it pointed'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand warm" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l to -d 'The replica to promote (a primary with replicas, or a Cluster); the Sentinels choose their own (replica-priority, offset)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l max-lag -d 'How far behind its primary (replication offset, bytes) a replica may be and still be promoted' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l wait -d 'How long to wait for the new primary to be promoted and for every node (and Sentinel) to agree on it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l confirm-destructive -d 'With --yes: also apply destructive changes (flush, client kill) to this node, named as host:port or unix:/path, without prompting' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l audit-log -d 'Where to append the audit log of every mutating command (JSON Lines). Default: $XDG_STATE_HOME/cachectl/audit.jsonl or ~/.local/state/cachectl/audit.jsonl' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app -d 'Base URL of the application that uses the cache (http:// or https://). diagnose probes its endpoints below it (/health/ready, /metrics, /internal/cache/status); warm\'s URL paths are below it and --check reads its /metrics; failover asks /health/ready before and after' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app-ca -d 'CA certificate (PEM) to verify an https:// --app with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app-timeout -d 'Longest wait for one answer of the application, whole. Default: --command-timeout (2s); for warm\'s URLs 10s (a cold application is slow)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l max-body -d 'Largest response body read from the application (e.g. 64MiB, 512k); /metrics is parsed as it streams in, so memory stays bounded either way' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app-metric -d 'Name a cache counter of the application\'s /metrics that no built-in dialect knows (they know the seeds\' cache_hits_total, django-prometheus, Micrometer\'s cache_gets_total{result} and a status="hit|miss" label): ROLE=METRIC, ROLE one of hits, misses, errors, gets; METRIC a name with optional label matchers, e.g. hits=myapp_cache_hit_total or \'misses=lookups_total{outcome="miss"}\'. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app-header -d 'Send a header with every request to the application, its value taken from an environment variable (never from the command line, never printed): NAME=ENV_VAR, e.g. Authorization=APP_AUTH with APP_AUTH=\'Bearer ...\'. A runbook step\'s own header of that name wins. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l force -d 'Promote even a replica further behind than --max-lag'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l cluster-force -d 'Cluster: CLUSTER FAILOVER FORCE, without the primary\'s agreement (it is down). Only interactively, with FORCE typed'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l takeover -d 'Cluster: CLUSTER FAILOVER TAKEOVER, without the other primaries\' agreement. Only interactively, with TAKEOVER typed'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l no-probe -d 'Do not probe writes (SET cachectl:failover:probe, 5 s TTL, every 100 ms) on the primary while the failover runs'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s y -l yes -d 'Apply only safe changes, without prompting. Unsafe ones are skipped; destructive ones need --confirm-destructive'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l dry-run -d 'Print the plan (commands, checks, safety); change nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -l app-follow-redirects -d 'Follow the application\'s redirects within the same origin (scheme, host and port). By default none is followed, and one to another origin never is: the report says where it pointed'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand failover" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -f -a "list" -d 'List the runbooks: id, title, checks, where each comes from'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -f -a "show" -d 'Show one runbook: its seed, thresholds and checks, and its YAML'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -f -a "validate" -d 'Validate runbook files: YAML, fields, expressions, facts, templates'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -f -a "facts" -d 'List the facts runbook expressions can read, with their meaning'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and not __fish_seen_subcommand_from list show validate facts help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from validate" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from validate" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from validate" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from facts" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from facts" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from facts" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from facts" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from facts" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the runbooks: id, title, checks, where each comes from'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one runbook: its seed, thresholds and checks, and its YAML'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Validate runbook files: YAML, fields, expressions, facts, templates'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from help" -f -a "facts" -d 'List the facts runbook expressions can read, with their meaning'
complete -c cachectl -n "__fish_cachectl_using_subcommand runbook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l out -d 'Where the bundle goes: a new directory, or one archive when PATH ends in .tar.gz. Never over an existing one' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l interval -d 'Time between the bundle\'s two points (rates are read from them)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -s u -l url -d 'Redis URL: redis://[user:pass@]host:port[/db], rediss:// for TLS. Falls back to CACHECTL_URL, REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_DB, then redis://127.0.0.1:6379. The password may also come from REDISCLI_AUTH or REDIS_PASSWORD; it is never printed. unix:///path/to/redis.sock?db=N (or redis+unix://) for a unix socket' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -s s -l socket -d 'Unix socket of the Redis server (like redis-cli -s), instead of a URL' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l db -d 'The database, instead of the URL\'s (or REDIS_DB\'s)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l tls-ca -d 'CA certificate (PEM) to verify a rediss:// server with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l tls-cert -d 'Client certificate (PEM) for mutual TLS; needs --tls-key' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l tls-key -d 'Private key (PEM) of the client certificate' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l timeout -d 'Deadline for the whole run, waiting at a prompt aside (e.g. 10, 2.5s, 800ms, 30m), in every command. Default 10s; 1h for flush and warm, whose work grows with the data (they stop at it with what they did, exit 3). Two waits have their own deadline: memory --keys\'s scan (--scan-timeout) and failover\'s watch (--wait). `cachectl watch` runs until stopped; a --timeout given ends it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l connect-timeout -d 'Limit for DNS lookup plus TCP/TLS connect' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l command-timeout -d 'Limit for each command\'s reply' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l sentinel -d 'Find the primary through these Sentinels (HOST:PORT[,HOST:PORT...]), with --master; also redis+sentinel://HOST:PORT,.../MASTER[/DB] as --url. --url (or REDIS_PASSWORD...) still gives the nodes\' credentials and database; the Sentinels\' own come from CACHECTL_SENTINEL_USER and CACHECTL_SENTINEL_PASSWORD' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l master -d 'The master\'s name, as the Sentinels know it' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l max-reply -d 'Largest reply read from Redis (e.g. 512MiB); a larger one is dropped as it arrives and its fact is unavailable, naming the size seen. The default fits CLIENT LIST at maxclients 100,000' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app -d 'Base URL of the application that uses the cache (http:// or https://). diagnose probes its endpoints below it (/health/ready, /metrics, /internal/cache/status); warm\'s URL paths are below it and --check reads its /metrics; failover asks /health/ready before and after' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app-ca -d 'CA certificate (PEM) to verify an https:// --app with, instead of the system roots' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app-timeout -d 'Longest wait for one answer of the application, whole. Default: --command-timeout (2s); for warm\'s URLs 10s (a cold application is slow)' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l max-body -d 'Largest response body read from the application (e.g. 64MiB, 512k); /metrics is parsed as it streams in, so memory stays bounded either way' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app-metric -d 'Name a cache counter of the application\'s /metrics that no built-in dialect knows (they know the seeds\' cache_hits_total, django-prometheus, Micrometer\'s cache_gets_total{result} and a status="hit|miss" label): ROLE=METRIC, ROLE one of hits, misses, errors, gets; METRIC a name with optional label matchers, e.g. hits=myapp_cache_hit_total or \'misses=lookups_total{outcome="miss"}\'. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app-header -d 'Send a header with every request to the application, its value taken from an environment variable (never from the command line, never printed): NAME=ENV_VAR, e.g. Authorization=APP_AUTH with APP_AUTH=\'Bearer ...\'. A runbook step\'s own header of that name wins. Repeatable' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l runbooks -d 'Directory of extra runbooks (*.yaml); repeatable. A runbook with a built-in\'s id replaces it' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l password-stdin -d 'Read the password from the first line of standard input'
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l cluster -d 'The target is a node of a Redis Cluster: every node is found from it (CLUSTER NODES). A Cluster is also recognised without it'
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -l app-follow-redirects -d 'Follow the application\'s redirects within the same origin (scheme, host and port). By default none is followed, and one to another origin never is: the report says where it pointed'
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand snapshot" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "up" -d 'Start a scenario: oom, maxclients, slow, hit-rate, replica-lag, sentinel, cluster, app-fallback'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "list" -d 'The scenarios, the seed each follows, and what is up'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "down" -d 'Stop everything the lab started and remove its files'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "hold" -d '(The maxclients scenario\'s pool of idle clients.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "serve-app" -d '(The app-fallback scenario\'s application.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and not __fish_seen_subcommand_from up list down hold serve-app help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from down" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from down" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from down" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from down" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l port -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l connections -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l name -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from hold" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -l port -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -l redis-port -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from serve-app" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start a scenario: oom, maxclients, slow, hit-rate, replica-lag, sentinel, cluster, app-fallback'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "list" -d 'The scenarios, the seed each follows, and what is up'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop everything the lab started and remove its files'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "hold" -d '(The maxclients scenario\'s pool of idle clients.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "serve-app" -d '(The app-fallback scenario\'s application.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'The contexts: name, target, password source, file'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'One context as it will be used (secrets never shown)'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable table (colour on a terminal)'
json\t'Versioned JSON (docs/json.md)'
html\t'One self-contained HTML page (report, charts, fixes)'
junit\t'JUnit XML for CI: a test suite per node, a test case per check'
nagios\t'A Nagios/Icinga plugin\'s status line with perfdata'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector (with --output-file)'
markdown\t'Markdown for an incident channel or a postmortem'"
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from show" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from show" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from show" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "list" -d 'The contexts: name, target, password source, file'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "show" -d 'One context as it will be used (secrets never shown)'
complete -c cachectl -n "__fish_cachectl_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand completions" -l color -d 'When to use colour: auto (terminal only, off with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c cachectl -n "__fish_cachectl_using_subcommand completions" -l output-file -d 'Write the result to FILE instead of standard output, whole: to a temporary file beside it, then renamed over it (what node_exporter\'s textfile collector needs of -o prometheus). A run that makes no result (bad arguments) leaves FILE as it was' -r -F
complete -c cachectl -n "__fish_cachectl_using_subcommand completions" -l context -d 'A named context of the config file (~/.config/cachectl/config.yaml, .cachectl.yaml found upward from here): its target, password source, application, runbooks, thresholds and skipped checks fill in what flags and the environment do not say. See `cachectl context list`' -r
complete -c cachectl -n "__fish_cachectl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cachectl -n "__fish_cachectl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "diagnose" -d 'Run the runbooks and print scored findings with their fixes'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "memory" -d 'Where the memory went, with the memory findings'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "clients" -d 'Who is connected, and `clients kill` to end some of them'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "slowlog" -d 'What is slow: the slow log grouped, commandstats, latency events'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "latency" -d 'Round trips sampled from here, like redis-cli --latency'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "hotkeys" -d 'Which keys are hot: read and written most, per node'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "watch" -d 'A live view of the findings and key figures; never writes'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "flush" -d 'Delete the keys a pattern matches, or a whole database, audited'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "warm" -d 'Refill the cache from a file of records, or from another server'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "failover" -d 'Promote a replica, checked before and verified after'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "runbook" -d 'List, show and validate runbooks (built-in and user-supplied)'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "snapshot" -d 'Keep the evidence for the postmortem, secrets masked'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "lab" -d 'Local servers in a seeded incident, to learn and test on'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "context" -d 'The named contexts of the config files: list them, show one'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and not __fish_seen_subcommand_from diagnose memory clients slowlog latency hotkeys watch flush warm failover runbook snapshot lab context completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from clients" -f -a "kill" -d 'Kill the clients the filters match (all filters must hold), after showing them. Replication links, the master link and cachectl\'s own connection are never killed. Asks like `diagnose --fix` does for a destructive fix: the node typed back, or --yes with --confirm-destructive NODE; --dry-run kills nothing'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from runbook" -f -a "list" -d 'List the runbooks: id, title, checks, where each comes from'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from runbook" -f -a "show" -d 'Show one runbook: its seed, thresholds and checks, and its YAML'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from runbook" -f -a "validate" -d 'Validate runbook files: YAML, fields, expressions, facts, templates'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from runbook" -f -a "facts" -d 'List the facts runbook expressions can read, with their meaning'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "up" -d 'Start a scenario: oom, maxclients, slow, hit-rate, replica-lag, sentinel, cluster, app-fallback'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "list" -d 'The scenarios, the seed each follows, and what is up'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "down" -d 'Stop everything the lab started and remove its files'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "hold" -d '(The maxclients scenario\'s pool of idle clients.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "serve-app" -d '(The app-fallback scenario\'s application.)'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "list" -d 'The contexts: name, target, password source, file'
complete -c cachectl -n "__fish_cachectl_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "show" -d 'One context as it will be used (secrets never shown)'
