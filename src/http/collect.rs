//! Collecting the application's facts: every HTTP step at once, a second
//! scrape after `--interval` for steps that want rates, all under the run's
//! deadline.

use std::time::Duration;

use serde_json::{Map, Value};
use tokio::task::JoinSet;
use tokio::time::{sleep_until, timeout_at, Instant};

use crate::http::probe::{self, App, Fetched};
use crate::runbook::step::HttpStep;

/// The `http` root: one fact per step, by step id.
pub async fn collect(app: &App, steps: Vec<HttpStep>, deadline: Instant) -> Value {
    let mut tasks = JoinSet::new();
    for step in steps.iter().cloned() {
        let app = app.clone();
        tasks.spawn(async move {
            let started = Instant::now();
            let first = probe::fetch(&app, &step).await;
            let second = if step.rates
                && !app.interval.is_zero()
                && matches!(first, Fetched::Response { .. })
            {
                sleep_until(started + app.interval).await;
                let again = Instant::now();
                let second = probe::fetch(&app, &step).await;
                Some((second, again - started))
            } else {
                None
            };
            let fact = probe::fact(&step, &first, second.as_ref().map(|(f, d)| (f, *d)));
            (step.id.clone(), fact)
        });
    }
    let mut facts = Map::new();
    let _ = timeout_at(deadline, async {
        while let Some(done) = tasks.join_next().await {
            if let Ok((id, fact)) = done {
                facts.insert(id, fact);
            }
        }
    })
    .await;
    tasks.abort_all();
    for step in &steps {
        facts.entry(step.id.clone()).or_insert_with(|| {
            let late = Fetched::Failed {
                kind: "timeout".into(),
                detail: "the run's deadline passed before the request finished".into(),
                latency: Duration::ZERO,
            };
            probe::fact(step, &late, None)
        });
    }
    facts.into()
}
