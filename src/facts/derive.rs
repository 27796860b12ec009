//! Values computed from INFO and CONFIG: ratios, rates and sums that checks
//! would otherwise each recompute.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::redis::info::Info;

/// The `derived` fact root.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Derived {
    pub hit_ratio: f64,
    pub lookups: i64,
    pub maxmemory: i64,
    pub memory_ratio: f64,
    pub maxclients: i64,
    pub clients_ratio: f64,
    pub evictions_per_min: f64,
    pub fragmentation_excess_bytes: i64,
    pub max_replica_lag: i64,
    pub used_memory_mb: f64,
    pub memory_excluding_clients: i64,
    pub rss_ratio_excluding_clients: f64,
    /// Counters over the window: since start, or since the baseline (the
    /// diagnosis) when the facts are collected again after a fix.
    pub oom_errors: i64,
    pub rejected_connections: i64,
    pub evicted_keys: i64,
    /// Seconds the window covers.
    pub window_s: i64,
    /// Nodes of the run's topology on this node's host (its address),
    /// this one included: they share its RAM. 1 alone.
    pub nodes_on_host: i64,
}

/// Counters since start at one moment, to measure a later window from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub uptime_s: f64,
    pub oom_errors: f64,
    pub rejected_connections: f64,
    pub evicted_keys: f64,
    pub keyspace_hits: f64,
    pub keyspace_misses: f64,
}

impl Counters {
    pub fn of(info: &Info) -> Counters {
        let num = |f: &str| info.f64(f).unwrap_or(0.0);
        Counters {
            uptime_s: num("uptime_in_seconds"),
            oom_errors: info.errorstats.get("OOM").copied().unwrap_or(0) as f64,
            rejected_connections: num("rejected_connections"),
            evicted_keys: num("evicted_keys"),
            keyspace_hits: num("keyspace_hits"),
            keyspace_misses: num("keyspace_misses"),
        }
    }
}

fn round(x: f64, places: i32) -> f64 {
    let p = 10f64.powi(places);
    (x * p).round() / p
}

/// Computes derived values; `config` fills gaps of older servers' INFO, and
/// `client_mem` (CLIENT LIST's tot-mem summed) the client memory INFO counts
/// only as its cron gets round to each client.
pub fn derive(
    info: &Info,
    config: Option<&BTreeMap<String, String>>,
    client_mem: Option<i64>,
    baseline: Option<Counters>,
) -> Derived {
    let num = |f: &str| info.f64(f).unwrap_or(0.0);
    let from_config = |p: &str| {
        config
            .and_then(|c| c.get(p))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let (hits, misses) = (num("keyspace_hits"), num("keyspace_misses"));
    let maxmemory = info
        .f64("maxmemory")
        .unwrap_or_else(|| from_config("maxmemory"));
    let used = num("used_memory");
    let maxclients = info
        .f64("maxclients")
        .unwrap_or_else(|| from_config("maxclients"));
    let connected = num("connected_clients");
    let uptime_min = (num("uptime_in_seconds") / 60.0).max(1.0);
    // Client buffers are allocated up front and touched only when used: with
    // thousands of idle clients, used_memory counts memory that was never
    // resident. What must be resident is the rest.
    // INFO's mem_clients_normal lags behind a burst of new connections, so
    // take the larger of it and CLIENT LIST's own count.
    let clients =
        (num("mem_clients_normal") + num("mem_clients_slaves")).max(client_mem.unwrap_or(0) as f64);
    let data = (used - clients).max(0.0);
    // A baseline from before a restart (uptime went down, or counters were
    // reset) cannot measure a window: fall back to since start.
    let now = Counters::of(info);
    let base = baseline
        .filter(|b| {
            b.uptime_s <= now.uptime_s
                && b.oom_errors <= now.oom_errors
                && b.rejected_connections <= now.rejected_connections
                && b.evicted_keys <= now.evicted_keys
                && b.keyspace_hits <= now.keyspace_hits
                && b.keyspace_misses <= now.keyspace_misses
        })
        .unwrap_or(Counters {
            uptime_s: 0.0,
            ..Counters::default()
        });
    let window_min = ((now.uptime_s - base.uptime_s) / 60.0).max(1.0 / 60.0);
    // The hit rate, like the other counters, over the window: a fresh rate
    // comes from a window, never from resetting what other checks read.
    let (hits, misses) = (hits - base.keyspace_hits, misses - base.keyspace_misses);
    let lookups = hits + misses;
    Derived {
        hit_ratio: if lookups > 0.0 {
            round(hits / lookups, 4)
        } else {
            0.0
        },
        lookups: lookups as i64,
        maxmemory: maxmemory as i64,
        memory_ratio: if maxmemory > 0.0 {
            round(used / maxmemory, 4)
        } else {
            0.0
        },
        maxclients: maxclients as i64,
        clients_ratio: if maxclients > 0.0 {
            round(connected / maxclients, 4)
        } else {
            0.0
        },
        evictions_per_min: if baseline.is_some() {
            round((now.evicted_keys - base.evicted_keys) / window_min, 2)
        } else {
            round(num("evicted_keys") / uptime_min, 2)
        },
        fragmentation_excess_bytes: (num("used_memory_rss") - used) as i64,
        max_replica_lag: info.replicas.iter().map(|r| r.lag).max().unwrap_or(0),
        used_memory_mb: round(used / 1_048_576.0, 2),
        memory_excluding_clients: data as i64,
        oom_errors: (now.oom_errors - base.oom_errors) as i64,
        rejected_connections: (now.rejected_connections - base.rejected_connections) as i64,
        evicted_keys: (now.evicted_keys - base.evicted_keys) as i64,
        window_s: (now.uptime_s - base.uptime_s) as i64,
        nodes_on_host: 1,
        rss_ratio_excluding_clients: if data > 0.0 {
            round(num("used_memory_rss") / data, 4)
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::info::parse;

    #[test]
    fn ratios() {
        let info = parse("keyspace_hits:50\nkeyspace_misses:950\nused_memory:900\nmaxmemory:1000\nconnected_clients:9\nmaxclients:10\nevicted_keys:600\nuptime_in_seconds:120\nused_memory_rss:1900\nslave0:ip=a,port=1,state=online,offset=1,lag=4\n");
        let d = derive(&info, None, None, None);
        assert_eq!(d.hit_ratio, 0.05);
        assert_eq!(d.lookups, 1000);
        assert_eq!(d.memory_ratio, 0.9);
        assert_eq!(d.clients_ratio, 0.9);
        assert_eq!(d.evictions_per_min, 300.0);
        assert_eq!(d.fragmentation_excess_bytes, 1000);
        assert_eq!(d.max_replica_lag, 4);
    }

    #[test]
    fn counters_over_a_window() {
        let before = parse("uptime_in_seconds:1000\nrejected_connections:40\nevicted_keys:100\nerrorstat_OOM:count=900\n");
        let after = parse("uptime_in_seconds:1060\nrejected_connections:40\nevicted_keys:700\nerrorstat_OOM:count=900\n");
        let since_start = derive(&after, None, None, None);
        assert_eq!(
            (since_start.oom_errors, since_start.rejected_connections),
            (900, 40)
        );
        assert_eq!(since_start.window_s, 1060);
        let window = derive(&after, None, None, Some(Counters::of(&before)));
        assert_eq!((window.oom_errors, window.rejected_connections), (0, 0));
        assert_eq!((window.evicted_keys, window.window_s), (600, 60));
        assert_eq!(window.evictions_per_min, 600.0);
        // The hit rate too: 30 hits of 40 lookups in the window, whatever
        // the rate since start was.
        let before = parse("uptime_in_seconds:1000\nkeyspace_hits:10\nkeyspace_misses:990\n");
        let after = parse("uptime_in_seconds:1060\nkeyspace_hits:40\nkeyspace_misses:1000\n");
        let w = derive(&after, None, None, Some(Counters::of(&before)));
        assert_eq!((w.hit_ratio, w.lookups), (0.75, 40));
        assert_eq!(derive(&after, None, None, None).hit_ratio, 0.0385);
        // A restart in between: the baseline no longer measures anything.
        let restarted = parse("uptime_in_seconds:5\nerrorstat_OOM:count=3\n");
        let d = derive(&restarted, None, None, Some(Counters::of(&before)));
        assert_eq!((d.oom_errors, d.window_s), (3, 5));
    }

    #[test]
    fn idle_client_buffers_are_not_resident_memory() {
        // 10,000 fresh idle clients: 110 MB of buffers never touched.
        let info = parse("used_memory:115877232\nused_memory_rss:20824064\nmem_clients_normal:110267520\nmem_clients_slaves:0\n");
        let d = derive(&info, None, None, None);
        assert_eq!(d.memory_excluding_clients, 5_609_712);
        assert_eq!(d.rss_ratio_excluding_clients, 3.7121);
        // INFO has counted only some of them yet; CLIENT LIST has them all.
        let info =
            parse("used_memory:115877232\nused_memory_rss:20824064\nmem_clients_normal:20000000\n");
        let d = derive(&info, None, Some(110_267_520), None);
        assert_eq!(d.memory_excluding_clients, 5_609_712);
        // A swapped dataset: 1 GB used, 400 MB resident.
        let info = parse(
            "used_memory:1073741824\nused_memory_rss:429496730\nmem_clients_normal:1000000\n",
        );
        assert!(derive(&info, None, None, None).rss_ratio_excluding_clients < 0.41);
    }

    #[test]
    fn zero_denominators_and_config_fallback() {
        let info = parse("used_memory:900\nmaxmemory:0\nconnected_clients:5\n");
        let mut config = BTreeMap::new();
        config.insert("maxclients".to_string(), "10".to_string());
        let d = derive(&info, Some(&config), None, None);
        assert_eq!(d.hit_ratio, 0.0);
        assert_eq!(d.memory_ratio, 0.0);
        assert_eq!(d.maxclients, 10);
        assert_eq!(d.clients_ratio, 0.5);
        assert_eq!(d.evictions_per_min, 0.0);
    }
}
