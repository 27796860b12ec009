//! `warm --check`: after a warm, the hit rate over a window of its own
//! (keyspace_hits and keyspace_misses read at both ends, and with `--app`
//! the application's cache_hits_total and cache_misses_total from the
//! `app-hit-rate` runbook's /metrics step), judged with the thresholds of
//! the `low-hit-rate` runbook: seed 003's 70% warning and 50% critical, and
//! seed 001's "should gradually increase to 60-80%".

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::error::Status;
use crate::http::probe::{self, App};
use crate::runbook::load::RunbookSet;
use crate::runbook::step::HttpStep;
use crate::target::connect::Session;

/// The low-hit-rate runbook's thresholds (fractions, and lookups).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Thresholds {
    pub warning: f64,
    pub critical: f64,
    pub min_lookups: u64,
}

impl Thresholds {
    /// From the runbooks (a user runbook replacing `low-hit-rate` counts).
    pub fn of(set: &RunbookSet) -> Thresholds {
        let t = |name, default| set.threshold("low-hit-rate", name).unwrap_or(default);
        Thresholds {
            warning: t("hit_warning", 0.7),
            critical: t("hit_critical", 0.5),
            min_lookups: t("min_lookups", 100.0) as u64,
        }
    }
}

/// One side's rate over the window.
#[derive(Debug, Default, Serialize)]
pub struct Rate {
    pub hits: u64,
    pub misses: u64,
    /// Percent over the window; none when there were no lookups.
    pub hit_rate: Option<f64>,
    /// Redis only: since start (or the last CONFIG RESETSTAT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_hit_rate: Option<f64>,
    /// ok, low, critical, too-few-lookups, or unreadable.
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

#[derive(Debug, Serialize)]
pub struct HitRateCheck {
    pub window_s: f64,
    pub thresholds: Thresholds,
    pub redis: Rate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<Rate>,
    /// The window was cut short (Ctrl-C).
    pub interrupted: bool,
}

impl HitRateCheck {
    /// Critical under the critical threshold, warning under the warning one,
    /// unknown when a side could not be read; too few lookups is no verdict.
    pub fn status(&self) -> Status {
        std::iter::once(&self.redis)
            .chain(&self.app)
            .map(|r| match r.verdict {
                "critical" => Status::Critical,
                "low" => Status::Warning,
                "unreadable" => Status::Unknown,
                _ => Status::Ok,
            })
            .fold(Status::Ok, Status::worst)
    }
}

fn percent(hits: u64, misses: u64) -> Option<f64> {
    let n = hits + misses;
    (n > 0).then(|| (hits as f64 * 1000.0 / n as f64).round() / 10.0)
}

fn judge(rate: &mut Rate, t: &Thresholds) {
    rate.hit_rate = percent(rate.hits, rate.misses);
    rate.verdict = match rate.hit_rate {
        _ if rate.hits + rate.misses < t.min_lookups => "too-few-lookups",
        Some(p) if p < t.critical * 100.0 => "critical",
        Some(p) if p < t.warning * 100.0 => "low",
        _ => "ok",
    };
}

/// keyspace_hits and keyspace_misses summed over `nodes` (a Cluster's
/// primaries, or the one node).
async fn counters(nodes: &[Session]) -> Result<(u64, u64), String> {
    let (mut hits, mut misses) = (0, 0);
    for session in nodes {
        let text: String = session
            .query(redis::cmd("INFO").arg("stats"))
            .await
            .map_err(|e| e.detail)?;
        let info = crate::redis::info::parse(&text);
        match (info.f64("keyspace_hits"), info.f64("keyspace_misses")) {
            (Some(h), Some(m)) => {
                hits += h as u64;
                misses += m as u64;
            }
            _ => return Err("INFO stats has no keyspace_hits/keyspace_misses".into()),
        }
    }
    Ok((hits, misses))
}

/// A cache counter over the window, read through the metric dialect.
fn counted(fact: &Value, role: &str) -> f64 {
    fact["cache"][role]["window"].as_f64().unwrap_or(0.0)
}

/// Measures over `window`, ending early when `stop` resolves.
pub async fn run(
    session: &[Session],
    app: Option<(&App, &HttpStep)>,
    window: Duration,
    thresholds: Thresholds,
    stop: impl std::future::Future<Output = ()>,
) -> HitRateCheck {
    let started = Instant::now();
    let before = counters(session).await;
    let first = match app {
        Some((app, step)) => Some(probe::fetch(app, step).await),
        None => None,
    };
    let interrupted = tokio::select! {
        () = tokio::time::sleep_until(started + window) => false,
        () = stop => true,
    };
    let after = counters(session).await;
    let app_rate = match (app, first) {
        (Some((app, step)), Some(first)) => {
            let second = probe::fetch(app, step).await;
            let fact = probe::fact(step, &first, Some((&second, started.elapsed())));
            let mut rate = Rate::default();
            let absent = ["hits", "misses"]
                .iter()
                .find_map(|r| crate::http::cache::missing(&fact["cache"], r));
            if fact["ok"] == true && absent.is_none() {
                rate.hits = counted(&fact, "hits").max(0.0).round() as u64;
                rate.misses = counted(&fact, "misses").max(0.0).round() as u64;
                judge(&mut rate, &thresholds);
            } else if let Some(why) = absent.filter(|_| fact["ok"] == true) {
                rate.verdict = "unreadable";
                rate.error = why;
            } else {
                rate.verdict = "unreadable";
                rate.error = format!(
                    "{}: {}",
                    fact["error"].as_str().unwrap_or_default(),
                    fact["detail"].as_str().unwrap_or_default()
                );
            }
            Some(rate)
        }
        _ => None,
    };
    let mut redis = Rate::default();
    match (before, after) {
        (Ok((h0, m0)), Ok((h1, m1))) => {
            redis.hits = h1.saturating_sub(h0);
            redis.misses = m1.saturating_sub(m0);
            redis.lifetime_hit_rate = percent(h1, m1);
            judge(&mut redis, &thresholds);
        }
        (Err(e), _) | (_, Err(e)) => {
            redis.verdict = "unreadable";
            redis.error = e;
        }
    }
    HitRateCheck {
        window_s: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        thresholds,
        redis,
        app: app_rate,
        interrupted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_judged_with_the_runbook_thresholds() {
        let t = Thresholds {
            warning: 0.7,
            critical: 0.5,
            min_lookups: 100,
        };
        let judged = |hits, misses| {
            let mut r = Rate {
                hits,
                misses,
                ..Rate::default()
            };
            judge(&mut r, &t);
            (r.hit_rate, r.verdict)
        };
        assert_eq!(judged(80, 20), (Some(80.0), "ok"));
        assert_eq!(judged(60, 40), (Some(60.0), "low"));
        assert_eq!(judged(2, 998), (Some(0.2), "critical"));
        assert_eq!(judged(50, 49), (Some(50.5), "too-few-lookups"));
        assert_eq!(judged(0, 0), (None, "too-few-lookups"));
    }
}
