//! Where a long scan stopped (`--resume FILE` of `memory --keys` and
//! `flush --pattern`): one SCAN cursor per node, and the totals so far,
//! written atomically as the scan goes. A rerun with the same file goes
//! on from those cursors with those totals; the file is removed once every
//! node's scan has ended.
//!
//! A cursor is safe to save only when every key SCAN returned before it
//! is in the totals (tallied, or deleted): the callers advance a node's
//! cursor after the last key of a page is done, never in the middle. SCAN
//! guarantees that a key present from the first call to the last is
//! returned at least once: a resumed scan (a server restarted, a table
//! resized) may return some keys twice, and the report says so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The file's format version.
const VERSION: u32 = 1;

/// How often the file is written as the scan goes (and at its end).
const EVERY: Duration = Duration::from_millis(500);

/// One node's place in its scan.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Place {
    /// The cursor to call SCAN with next.
    pub cursor: u64,
    /// The node's scan has ended (its cursor came back to 0).
    pub done: bool,
}

/// The file's content.
#[derive(Debug, Serialize, Deserialize)]
struct File<T> {
    version: u32,
    /// `memory --keys` or `flush --pattern`.
    command: String,
    /// What is scanned: the database, the pattern, the type, the filters.
    scope: String,
    /// By node address.
    nodes: BTreeMap<String, Place>,
    /// Runs so far, this one included.
    runs: u32,
    /// The command's totals so far.
    totals: T,
}

/// A scan's resume file, open.
#[derive(Debug)]
pub struct Resume {
    path: PathBuf,
    command: String,
    scope: String,
    nodes: BTreeMap<String, Place>,
    runs: u32,
    saved: Instant,
    /// The file held a scan already begun.
    resumed: bool,
}

/// Where `node`'s scan goes on from, with or without a resume file.
pub fn place_in(resume: &std::cell::RefCell<Option<Resume>>, node: &str) -> Place {
    resume
        .borrow()
        .as_ref()
        .map(|r| r.place(node))
        .unwrap_or_default()
}

/// What a report says of its resume file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResumeNote {
    pub file: String,
    /// Whether this run went on from an earlier one.
    pub resumed: bool,
    /// Runs of this scan, this one included.
    pub runs: u32,
    /// The scan ended: the file was removed.
    pub finished: bool,
}

impl Resume {
    /// Opens `path` for the scan `command` of `scope` over `nodes`: the
    /// places and the totals of a scan begun there, or every node at
    /// cursor 0 and no totals when there is no such file. A file of
    /// another command, scope or set of nodes is refused, saying what it
    /// holds.
    pub fn open<T: DeserializeOwned>(
        path: &Path,
        command: &str,
        scope: &str,
        nodes: &[String],
    ) -> Result<(Resume, Option<T>), String> {
        let shown = path.display();
        let text = match std::fs::read(path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read the resume file {shown}: {e}")),
        };
        let mut resume = Resume {
            path: path.to_path_buf(),
            command: command.into(),
            scope: scope.into(),
            nodes: nodes
                .iter()
                .map(|n| (n.clone(), Place::default()))
                .collect(),
            runs: 1,
            saved: Instant::now(),
            resumed: false,
        };
        let Some(text) = text else {
            return Ok((resume, None));
        };
        let file: File<T> = serde_json::from_slice(&text).map_err(|e| {
            format!(
                "{shown} is not a cachectl resume file of {command}: {e}; remove it to start over"
            )
        })?;
        if file.version != VERSION || file.command != command {
            return Err(format!(
                "{shown} resumes `{}` (format {}), not `{command}`: remove it or name another file",
                file.command, file.version
            ));
        }
        if file.scope != scope {
            return Err(format!(
                "{shown} resumes a scan of {}, not of {scope}: remove it or name another file",
                file.scope
            ));
        }
        if file.nodes.keys().ne(resume.nodes.keys()) {
            let list = |m: &BTreeMap<String, Place>| {
                m.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
            };
            return Err(format!(
                "{shown} resumes a scan of {}, and the target's nodes are now {}: the topology changed, so its cursors mean nothing here; remove it to start over",
                list(&file.nodes),
                list(&resume.nodes)
            ));
        }
        resume.nodes = file.nodes;
        resume.runs = file.runs + 1;
        resume.resumed = true;
        Ok((resume, Some(file.totals)))
    }

    /// Where `node`'s scan goes on from.
    pub fn place(&self, node: &str) -> Place {
        self.nodes.get(node).copied().unwrap_or_default()
    }

    /// Sets where `node`'s scan stands, once every key before `cursor` is
    /// in the totals.
    pub fn advance(&mut self, node: &str, place: Place) {
        if let Some(p) = self.nodes.get_mut(node) {
            *p = place;
        }
    }

    /// Writes the file with `totals` when the last write is long enough
    /// ago.
    pub fn save_due<T: Serialize>(&mut self, totals: &T) -> std::io::Result<()> {
        if self.saved.elapsed() < EVERY {
            return Ok(());
        }
        self.save(totals)
    }

    /// Writes the file now with `totals`.
    pub fn save<T: Serialize>(&mut self, totals: &T) -> std::io::Result<()> {
        self.saved = Instant::now();
        let file = File {
            version: VERSION,
            command: self.command.clone(),
            scope: self.scope.clone(),
            nodes: self.nodes.clone(),
            runs: self.runs,
            totals,
        };
        crate::files::write_atomically(&self.path, &serde_json::to_vec(&file)?)
    }

    /// Every node's scan has ended.
    pub fn finished(&self) -> bool {
        self.nodes.values().all(|p| p.done)
    }

    /// Ends the run: the file is removed when every node's scan ended,
    /// else written with `totals` for the next run. What the report says
    /// of it.
    pub fn close<T: Serialize>(mut self, totals: &T) -> Result<ResumeNote, String> {
        let finished = self.finished();
        let shown = self.path.display().to_string();
        if finished {
            match std::fs::remove_file(&self.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(format!(
                        "cannot remove the finished resume file {shown}: {e}"
                    ))
                }
            }
        } else {
            self.save(totals)
                .map_err(|e| format!("cannot write the resume file {shown}: {e}"))?;
        }
        Ok(ResumeNote {
            file: shown,
            resumed: self.resumed,
            runs: self.runs,
            finished,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_resumes_its_own_scan_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scan.json");
        let nodes = vec!["b:2".to_string(), "a:1".to_string()];
        let open = |command: &str, scope: &str, nodes: &[String]| {
            Resume::open::<u64>(&path, command, scope, nodes)
        };
        let (mut r, totals) = open("memory --keys", "db 0", &nodes).unwrap();
        assert_eq!((r.place("a:1"), totals), (Place::default(), None));
        r.advance(
            "a:1",
            Place {
                cursor: 42,
                done: false,
            },
        );
        r.advance(
            "b:2",
            Place {
                cursor: 0,
                done: true,
            },
        );
        let note = r.close(&7u64).unwrap();
        assert!(!note.finished && !note.resumed);
        let (r, totals) = open("memory --keys", "db 0", &nodes).unwrap();
        assert_eq!(totals, Some(7));
        assert_eq!(
            r.place("a:1"),
            Place {
                cursor: 42,
                done: false
            }
        );
        assert!(r.place("b:2").done);
        let e = open("memory --keys", "db 1", &nodes).unwrap_err();
        assert!(e.contains("resumes a scan of db 0, not of db 1"), "{e}");
        let e = open("flush --pattern", "db 0", &nodes).unwrap_err();
        assert!(e.contains("not `flush --pattern`"), "{e}");
        let e = open("memory --keys", "db 0", &nodes[..1]).unwrap_err();
        assert!(e.contains("the topology changed"), "{e}");
        let (mut r, _) = open("memory --keys", "db 0", &nodes).unwrap();
        r.advance(
            "a:1",
            Place {
                cursor: 0,
                done: true,
            },
        );
        let note = r.close(&9u64).unwrap();
        assert!(note.finished && note.resumed);
        assert_eq!(note.runs, 2, "the second run was never saved");
        assert!(!path.exists());
    }
}
