//! A fleet for people: a row per target (its status, health and worst
//! finding), what each format makes of the rest living with the format.

use crate::findings::fleet::Entry;

/// The summary table, `width` columns wide, then a line of totals.
pub fn table(entries: &[Entry], width: u16) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let (health, worst) = match &e.outcome {
                Ok(r) => (
                    r.score.to_string(),
                    e.worst().unwrap_or_else(|| "none".into()),
                ),
                Err(why) => ("-".into(), super::clean(why).into_owned()),
            };
            vec![
                super::clean(&e.name).into_owned(),
                super::table::status_label(e.status()),
                health,
                worst,
            ]
        })
        .collect();
    let mut out = super::table::rows(
        &["TARGET", "STATUS", "HEALTH", "WORST FINDING"],
        rows,
        width,
    );
    out.push_str(&totals(entries));
    out.push('\n');
    out
}

/// `40 targets: 35 OK, 2 WARNING, 2 CRITICAL, 1 UNKNOWN`.
pub fn totals(entries: &[Entry]) -> String {
    use crate::error::Status;
    let count = |s: Status| entries.iter().filter(|e| e.status() == s).count();
    format!(
        "{} targets: {} OK, {} WARNING, {} CRITICAL, {} UNKNOWN",
        entries.len(),
        count(Status::Ok),
        count(Status::Warning),
        count(Status::Critical),
        count(Status::Unknown)
    )
}
