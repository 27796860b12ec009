//! A warm plan: several sources (files, another Redis, application URLs)
//! with priorities, run most important first; `--critical-only` runs the
//! critical ones (the seeds' `warm_cache.py --critical-only`).
//!
//! ```yaml
//! sources:
//!   - name: plan-catalog
//!     priority: critical
//!     file: catalog.jsonl
//!   - name: profiles
//!     priority: high
//!     from: redis://10.0.0.5:6379/0
//!     pattern: "user:*:profile"
//!   - name: popular-pages
//!     urls: popular.txt
//!     concurrency: 4
//!     rate: 50
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::Format;
use crate::runbook::load::LoadError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Critical,
    High,
    Normal,
    Low,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    sources: Vec<SourceDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceDef {
    name: Spanned<String>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    file: Option<Spanned<PathBuf>>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    urls: Option<Spanned<PathBuf>>,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    pattern: Option<Spanned<String>>,
    #[serde(default)]
    rate: Option<Spanned<u64>>,
    #[serde(default)]
    concurrency: Option<Spanned<u64>>,
}

/// Where one source's data comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    File(PathBuf, Option<Format>),
    /// Another Redis: the keys matching `pattern` (of type `kind`).
    Redis {
        url: String,
        pattern: String,
        kind: Option<crate::scan::KeyType>,
    },
    Urls(PathBuf),
}

/// One source of a plan, paths resolved against the plan's directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub name: String,
    pub priority: Priority,
    pub kind: Kind,
    pub rate: Option<u64>,
    pub concurrency: Option<usize>,
}

/// Reads a plan; errors name file:line:column.
pub fn load(path: &Path) -> Result<Vec<Planned>, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the plan: {e}"),
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&file, &text, dir)
}

fn parse(file: &str, text: &str, dir: &Path) -> Result<Vec<Planned>, LoadError> {
    let plan: PlanFile = crate::runbook::load::parse_yaml(file, text)?;
    let at = |span: (u64, u64), message: String| LoadError {
        file: file.to_string(),
        line: span.0,
        column: span.1,
        message,
    };
    fn pos<T>(s: &Spanned<T>) -> (u64, u64) {
        (s.referenced.line(), s.referenced.column())
    }
    if plan.sources.is_empty() {
        return Err(at((1, 1), "the plan has no sources".into()));
    }
    let mut out: Vec<Planned> = Vec::new();
    for def in plan.sources {
        let name = def.name.value.trim().to_string();
        if name.is_empty() {
            return Err(at(pos(&def.name), "a source needs a name".into()));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(at(
                pos(&def.name),
                format!("two sources are named `{name}`"),
            ));
        }
        let relative = |p: &Path| dir.join(p);
        let kind = match (&def.file, &def.from, &def.urls) {
            (Some(f), None, None) => Kind::File(relative(&f.value), def.format),
            (None, Some(u), None) => Kind::Redis {
                url: u.value.clone(),
                pattern: def
                    .pattern
                    .as_ref()
                    .map_or_else(|| "*".to_string(), |p| p.value.clone()),
                kind: None,
            },
            (None, None, Some(u)) => Kind::Urls(relative(&u.value)),
            (None, None, None) => {
                return Err(at(
                    pos(&def.name),
                    format!(
                        "source `{name}` says nowhere to read from: give it file, from or urls"
                    ),
                ))
            }
            _ => {
                return Err(at(
                    pos(&def.name),
                    format!("source `{name}` has more than one of file, from and urls"),
                ))
            }
        };
        if let (Some(p), false) = (&def.pattern, matches!(kind, Kind::Redis { .. })) {
            return Err(at(pos(p), "pattern is for a `from` source".into()));
        }
        if let (Some(_), false) = (&def.format, matches!(kind, Kind::File(..))) {
            return Err(at(pos(&def.name), "format is for a `file` source".into()));
        }
        if let Some(r) = def.rate.as_ref().filter(|r| r.value == 0) {
            return Err(at(pos(r), "rate must be at least 1 a second".into()));
        }
        let concurrency = match &def.concurrency {
            Some(c) if !matches!(kind, Kind::Urls(_)) => {
                return Err(at(pos(c), "concurrency is for a `urls` source".into()))
            }
            Some(c) if !(1..=256).contains(&c.value) => {
                return Err(at(pos(c), "concurrency must be 1 to 256".into()))
            }
            Some(c) => Some(c.value as usize),
            None => None,
        };
        out.push(Planned {
            name,
            priority: def.priority.unwrap_or(Priority::Normal),
            kind,
            rate: def.rate.map(|r| r.value),
            concurrency,
        });
    }
    Ok(out)
}

/// The sources to run, most important first (the plan's order among
/// equals); only the critical ones with `critical_only`.
pub fn order(mut sources: Vec<Planned>, critical_only: bool) -> Vec<Planned> {
    if critical_only {
        sources.retain(|s| s.priority == Priority::Critical);
    }
    sources.sort_by_key(|s| s.priority);
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "sources:
  - name: pages
    urls: pages.txt
    concurrency: 4
  - name: catalog
    priority: critical
    file: data/catalog.csv
    format: csv
  - name: profiles
    priority: high
    from: redis://10.0.0.5:6379/1
    pattern: 'user:*'
    rate: 500
  - name: sessions
    priority: critical
    file: /abs/sessions.jsonl
";

    #[test]
    fn a_plan_reads_and_orders_by_priority() {
        let all = parse("plan.yaml", PLAN, Path::new("/plans")).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].kind, Kind::Urls("/plans/pages.txt".into()));
        assert_eq!(all[0].concurrency, Some(4));
        assert_eq!(all[0].priority, Priority::Normal);
        assert_eq!(
            all[1].kind,
            Kind::File("/plans/data/catalog.csv".into(), Some(Format::Csv))
        );
        assert_eq!(all[3].kind, Kind::File("/abs/sessions.jsonl".into(), None));
        let names = |v: &[Planned]| v.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let ordered = order(all.clone(), false);
        assert_eq!(
            names(&ordered),
            ["catalog", "sessions", "profiles", "pages"]
        );
        assert_eq!(
            ordered[2].kind,
            Kind::Redis {
                url: "redis://10.0.0.5:6379/1".into(),
                pattern: "user:*".into(),
                kind: None,
            }
        );
        assert_eq!(ordered[2].rate, Some(500));
        assert_eq!(names(&order(all, true)), ["catalog", "sessions"]);
    }

    #[test]
    fn mistakes_are_named_with_their_position() {
        let err = |text: &str| {
            parse("p.yaml", text, Path::new("."))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("sources:\n  - name: a\n    file: x\n    urls: y\n"),
            "p.yaml:2:11: source `a` has more than one of file, from and urls"
        );
        assert_eq!(
            err("sources:\n  - name: a\n"),
            "p.yaml:2:11: source `a` says nowhere to read from: give it file, from or urls"
        );
        assert_eq!(
            err("sources:\n  - name: a\n    file: x\n  - name: a\n    file: y\n"),
            "p.yaml:4:11: two sources are named `a`"
        );
        assert_eq!(
            err("sources:\n  - name: a\n    file: x\n    pattern: 'k*'\n"),
            "p.yaml:4:14: pattern is for a `from` source"
        );
        assert_eq!(
            err("sources:\n  - name: a\n    urls: x\n    concurrency: 0\n"),
            "p.yaml:4:18: concurrency must be 1 to 256"
        );
        let e = err("sources:\n  - name: a\n    file: x\n    priority: urgent\n");
        assert!(e.starts_with("p.yaml:4:") && e.contains("urgent"), "{e}");
        let e = err("sources:\n  - name: a\n    fiel: x\n");
        assert!(e.starts_with("p.yaml:3:") && e.contains("fiel"), "{e}");
        assert_eq!(err("sources: []\n"), "p.yaml:1:1: the plan has no sources");
    }
}
