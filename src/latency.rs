//! Round trips sampled from the operator's side, like `redis-cli --latency`
//! and `--latency-history`: PING after PING, figures in microseconds, a
//! window at a time when asked.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Figures over some samples, microseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Figures {
    pub samples: u64,
    pub min_us: u64,
    pub avg_us: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Figures {
    /// Nearest-rank percentiles of the samples; `None` without any.
    pub fn of(samples: &[Duration]) -> Option<Figures> {
        if samples.is_empty() {
            return None;
        }
        let mut us: Vec<u64> = samples.iter().map(|d| d.as_micros() as u64).collect();
        us.sort_unstable();
        let n = us.len();
        let rank = |p: f64| us[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        Some(Figures {
            samples: n as u64,
            min_us: us[0],
            avg_us: us.iter().sum::<u64>() / n as u64,
            p50_us: rank(0.50),
            p90_us: rank(0.90),
            p99_us: rank(0.99),
            max_us: us[n - 1],
        })
    }

    /// The percentile the latency checks judge these samples at: p99 from
    /// `P99_SAMPLES` on; below, a p99 is the slowest round trip alone (one
    /// stray packet), so a short burst is judged at p90.
    pub fn tail(&self) -> (&'static str, u64) {
        if self.samples >= P99_SAMPLES {
            ("p99", self.p99_us)
        } else {
            ("p90", self.p90_us)
        }
    }

    /// The `ping` fact these figures stand for (the runbooks read it in ms).
    pub fn ping_fact(&self) -> serde_json::Value {
        let ms = |us: u64| us as f64 / 1000.0;
        let (tail, tail_us) = self.tail();
        serde_json::json!({
            "samples": self.samples,
            "min_ms": ms(self.min_us),
            "avg_ms": ms(self.avg_us),
            "p90_ms": ms(self.p90_us),
            "p99_ms": ms(self.p99_us),
            "max_ms": ms(self.max_us),
            "tail": tail,
            "tail_ms": ms(tail_us),
        })
    }
}

/// Samples from which a p99 is more than the slowest one.
pub const P99_SAMPLES: u64 = 100;

/// The latency part of a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencyView {
    #[serde(flatten)]
    pub overall: Figures,
    /// Failed or timed-out PINGs.
    pub errors: u64,
    /// With --every: one set of figures per window.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Figures>,
    /// A topology: every node's own figures, sampled at the same time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeLatency>,
    /// Why sampling ended before the count or duration asked for (Ctrl-C,
    /// the run's deadline): the figures are of the samples taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The round trips by how long they took, from the fastest bucket
    /// with any to the slowest with any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<Bucket>,
}

/// Round trips that took at most `le_us` (and more than the bucket
/// before); the last bucket has no bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub le_us: Option<u64>,
    pub count: u64,
}

/// Bucket bounds, µs: 1-2-5 steps from 50 µs to 1 s.
const BOUNDS_US: &[u64] = &[
    50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
    1_000_000,
];

/// The samples by bucket, trimmed to the buckets from the first to the
/// last that has any.
pub fn histogram(samples: &[Duration]) -> Vec<Bucket> {
    let mut counts = vec![0u64; BOUNDS_US.len() + 1];
    for s in samples {
        let us = s.as_micros() as u64;
        let i = BOUNDS_US
            .iter()
            .position(|b| us <= *b)
            .unwrap_or(BOUNDS_US.len());
        counts[i] += 1;
    }
    let (Some(first), Some(last)) = (
        counts.iter().position(|c| *c > 0),
        counts.iter().rposition(|c| *c > 0),
    ) else {
        return Vec::new();
    };
    (first..=last)
        .map(|i| Bucket {
            le_us: BOUNDS_US.get(i).copied(),
            count: counts[i],
        })
        .collect()
}

/// One node's round trips, in a view of several nodes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeLatency {
    pub node: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub errors: u64,
}

/// How to sample, and until when at the latest.
#[derive(Debug, Clone)]
pub struct Sampling {
    pub count: u64,
    pub duration: Option<Duration>,
    pub every: Option<Duration>,
    pub interval: Duration,
    /// The sampling's deadline, and the flag that names it when it comes
    /// first (`--timeout 10s`).
    pub until: tokio::time::Instant,
    pub until_flag: String,
}

/// Samples PING round trips on `session`; `window` is called with each
/// window's figures as it closes. Ctrl-C (`stop`) or the deadline ends it
/// at once, a PING in flight abandoned, with the figures so far.
pub async fn sample(
    session: &crate::target::connect::Session,
    how: &Sampling,
    stop: &crate::interrupt::Interrupt,
    mut window: impl FnMut(&Figures),
) -> Option<LatencyView> {
    let started = Instant::now();
    let ping = redis::cmd("PING");
    let mut all = Vec::new();
    let mut current = Vec::new();
    let mut windows = Vec::new();
    let mut errors = 0;
    let mut window_start = Instant::now();
    let mut stopped = None;
    loop {
        let done = match how.duration {
            Some(d) => started.elapsed() >= d,
            None => all.len() as u64 + errors >= how.count,
        };
        if done {
            break;
        }
        let t = Instant::now();
        let answer = match unless_stopped(session.query::<String>(&ping), how, stop).await {
            Ok(a) => a,
            Err(why) => {
                stopped = Some(why);
                break;
            }
        };
        match answer {
            Ok(_) => {
                let took = t.elapsed();
                all.push(took);
                current.push(took);
            }
            Err(_) => errors += 1,
        }
        if let Some(every) = how.every {
            if window_start.elapsed() >= every {
                if let Some(f) = Figures::of(&current) {
                    window(&f);
                    windows.push(f);
                }
                current.clear();
                window_start = Instant::now();
            }
        }
        if let Err(why) = unless_stopped(tokio::time::sleep(how.interval), how, stop).await {
            stopped = Some(why);
            break;
        }
    }
    if how.every.is_some() {
        if let Some(f) = Figures::of(&current) {
            window(&f);
            windows.push(f);
        }
    }
    Figures::of(&all).map(|overall| LatencyView {
        overall,
        errors,
        windows,
        nodes: Vec::new(),
        stopped,
        histogram: histogram(&all),
    })
}

/// Samples the first node and `others` (each a topology's node, by its
/// index in the caller's list) at the same time, until each is done or
/// Ctrl-C; `window` gets the first node's windows as they close. The first
/// node's view lists every node's figures when there are others; each
/// other's own view comes back by its index.
pub async fn sample_nodes(
    first: &crate::target::connect::Session,
    others: Vec<(usize, crate::target::connect::Session)>,
    how: &Sampling,
    window: impl FnMut(&Figures),
) -> (Option<LatencyView>, Vec<(usize, LatencyView)>) {
    let stop = std::sync::Arc::new(crate::interrupt::Interrupt::catch());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in others {
        let (how, stop) = (how.clone(), stop.clone());
        tasks.spawn(async move { (i, sample(&s, &how, &stop, |_| {}).await) });
    }
    let mut view = sample(first, how, &stop, window).await;
    let mut sampled = Vec::new();
    while let Some(Ok((i, v))) = tasks.join_next().await {
        if let Some(v) = v {
            sampled.push((i, v));
        }
    }
    sampled.sort_by_key(|(i, _)| *i);
    if let Some(view) = view.as_mut().filter(|_| !sampled.is_empty()) {
        view.nodes.push(NodeLatency {
            node: first.addr.to_string(),
            figures: view.overall,
            errors: view.errors,
        });
    }
    (view, sampled)
}

/// `work`, unless Ctrl-C or the sampling's deadline comes first: then why.
async fn unless_stopped<F: std::future::Future>(
    work: F,
    how: &Sampling,
    stop: &crate::interrupt::Interrupt,
) -> Result<F::Output, String> {
    tokio::select! {
        done = work => Ok(done),
        () = stop.wait() => Err("interrupted (Ctrl-C)".to_string()),
        () = tokio::time::sleep_until(how.until) => {
            Err(format!("the deadline ({}) came first", how.until_flag))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        let f = Figures::of(&samples).unwrap();
        assert_eq!(
            (f.min_us, f.p50_us, f.p90_us, f.p99_us, f.max_us, f.avg_us),
            (1, 50, 90, 99, 100, 50)
        );
        assert_eq!(f.ping_fact()["p99_ms"], 0.099);
        assert_eq!(f.ping_fact()["tail"], "p99");
        assert_eq!(f.ping_fact()["tail_ms"], 0.099);
        // Twenty round trips, one of them slow: its p99 is that one, its
        // p90 the rest.
        let mut burst = vec![Duration::from_micros(500); 19];
        burst.push(Duration::from_millis(6));
        let f = Figures::of(&burst).unwrap();
        assert_eq!((f.p99_us, f.p90_us), (6000, 500));
        assert_eq!(f.tail(), ("p90", 500));
        assert!(Figures::of(&[]).is_none());
    }
}
