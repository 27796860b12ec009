//! Sentinel and Cluster targets: discovery, every node diagnosed, the
//! topology's own checks.

use crate::harness::*;

#[test]
fn fixtures_come_up() {
    let t = std::time::Instant::now();
    let set = SentinelSet::start(2, 3);
    assert_eq!(set.addrs().split(",").count(), 3, "{:?}", t.elapsed());
    let t = std::time::Instant::now();
    let cluster = Cluster::start(3, 1);
    assert_eq!(cluster.with_role("master").len(), 3, "{:?}", t.elapsed());
}
