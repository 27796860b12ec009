//! The built-in runbooks, embedded in the binary. A test checks that every
//! file in runbooks/ is listed here.

/// (file name, YAML text) of each built-in runbook, in report order.
pub const FILES: &[(&str, &str)] = &[
    (
        "redis-unreachable.yaml",
        include_str!("../../runbooks/redis-unreachable.yaml"),
    ),
    (
        "out-of-memory.yaml",
        include_str!("../../runbooks/out-of-memory.yaml"),
    ),
    (
        "too-many-connections.yaml",
        include_str!("../../runbooks/too-many-connections.yaml"),
    ),
    (
        "high-latency.yaml",
        include_str!("../../runbooks/high-latency.yaml"),
    ),
    (
        "low-hit-rate.yaml",
        include_str!("../../runbooks/low-hit-rate.yaml"),
    ),
    (
        "eviction-pressure.yaml",
        include_str!("../../runbooks/eviction-pressure.yaml"),
    ),
    (
        "fragmentation.yaml",
        include_str!("../../runbooks/fragmentation.yaml"),
    ),
    (
        "persistence.yaml",
        include_str!("../../runbooks/persistence.yaml"),
    ),
    (
        "replication.yaml",
        include_str!("../../runbooks/replication.yaml"),
    ),
    (
        "sentinel.yaml",
        include_str!("../../runbooks/sentinel.yaml"),
    ),
    ("cluster.yaml", include_str!("../../runbooks/cluster.yaml")),
    (
        "configuration.yaml",
        include_str!("../../runbooks/configuration.yaml"),
    ),
    (
        "security.yaml",
        include_str!("../../runbooks/security.yaml"),
    ),
    ("access.yaml", include_str!("../../runbooks/access.yaml")),
    (
        "keyspace.yaml",
        include_str!("../../runbooks/keyspace.yaml"),
    ),
    ("clients.yaml", include_str!("../../runbooks/clients.yaml")),
    (
        "app-readiness.yaml",
        include_str!("../../runbooks/app-readiness.yaml"),
    ),
    (
        "app-fallback-active.yaml",
        include_str!("../../runbooks/app-fallback-active.yaml"),
    ),
    (
        "app-hit-rate.yaml",
        include_str!("../../runbooks/app-hit-rate.yaml"),
    ),
    (
        "app-error-rate.yaml",
        include_str!("../../runbooks/app-error-rate.yaml"),
    ),
    (
        "app-cache-status.yaml",
        include_str!("../../runbooks/app-cache-status.yaml"),
    ),
    (
        "correlation.yaml",
        include_str!("../../runbooks/correlation.yaml"),
    ),
    (
        "app-endpoints.yaml",
        include_str!("../../runbooks/app-endpoints.yaml"),
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_runbook_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = super::FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
