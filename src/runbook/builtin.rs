//! The built-in runbooks, embedded in the binary. A test checks that every
//! file in runbooks/ is listed here.

/// Both forms of each built-in runbook from one list: the YAML (shown by
/// `runbook show`) and the JSON the build script made of it (parsed at
/// start-up).
macro_rules! builtins {
    ($($name:literal),* $(,)?) => {
        /// (file name, YAML text) of each built-in runbook, in report order.
        pub const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../runbooks/", $name)))),*
        ];
        /// The same runbooks as JSON, made by build.rs, in the same order.
        pub const COMPILED: &[&str] = &[
            $(include_str!(concat!(env!("OUT_DIR"), "/runbooks/", $name, ".json"))),*
        ];
    };
}

builtins!(
    "redis-unreachable.yaml",
    "out-of-memory.yaml",
    "too-many-connections.yaml",
    "high-latency.yaml",
    "low-hit-rate.yaml",
    "eviction-pressure.yaml",
    "fragmentation.yaml",
    "persistence.yaml",
    "replication.yaml",
    "sentinel.yaml",
    "cluster.yaml",
    "configuration.yaml",
    "security.yaml",
    "access.yaml",
    "keyspace.yaml",
    "hotkeys.yaml",
    "clients.yaml",
    "app-readiness.yaml",
    "app-fallback-active.yaml",
    "app-hit-rate.yaml",
    "app-error-rate.yaml",
    "app-cache-status.yaml",
    "correlation.yaml",
    "app-endpoints.yaml",
);

#[cfg(test)]
mod tests {
    #[test]
    fn every_runbook_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(std::result::Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("yaml"))
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = super::FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
