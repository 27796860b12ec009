//! A flush that deletes as it scans (`--yes`, or `--resume`): on each
//! node, SCAN runs one page ahead of the deletes, so the server is never
//! idle waiting for cachectl, and each batch's UNLINK (or recheck script)
//! and its EXISTS re-check go in one pipeline. No list of keys is kept:
//! memory holds two pages, whatever the keyspace's size. A key is deleted
//! only if it matched when SCAN returned it; a key written after SCAN
//! passed its place is not touched (SCAN's guarantee: keys present
//! throughout are returned, keys written during may or may not be).
//!
//! A node's place in the resume file moves past a page once every key of
//! it was deleted (or left alone): an interrupted run goes on from there.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Page, Selection};
use crate::interrupt::Interrupt;
use crate::mutate::{Consent, Mutator, Operation};
use crate::scan::resume::{Place, Resume};
use crate::scan::Progress;
use crate::target::connect::Session;
use crate::target::NodeAddr;

/// One node's counts (kept in the resume file between runs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Part {
    /// Matched keys whose batch was sent and answered.
    pub matched: u64,
    pub deleted: u64,
    /// Left alone: by their turn they no longer matched the filter.
    pub changed: u64,
    /// Still there right after their batch (EXISTS), less those left alone.
    pub remaining: u64,
    /// MEMORY USAGE of the matched keys (`--bytes`), by finished pages.
    pub bytes: u64,
    /// Matched keys received and not yet answered for (a run stopped in
    /// the middle of a page): matched, not in the resume file's totals,
    /// since the page is scanned again.
    #[serde(skip)]
    pub ahead: u64,
    /// A batch went unanswered (the server died, the connection broke):
    /// whether its keys are gone is not known.
    #[serde(skip)]
    pub unknown: bool,
}

/// The counts of every node, by address.
pub type Parts = BTreeMap<String, Part>;

/// What every node's stream shares: the filter, the pace, the consent and
/// the running counts (one thread: each borrows them between its awaits).
pub struct Stream<'a> {
    pub sel: &'a Selection,
    /// Keys per batch.
    pub batch: usize,
    /// Keys per second on each node, at most.
    pub rate: Option<u64>,
    /// A Cluster: one UNLINK (and EXISTS) a key.
    pub one_by_one: bool,
    pub mutator: &'a Mutator,
    pub consent: &'a Consent,
    /// The operation each batch is audited as (its node and count set).
    pub op: &'a Operation,
    /// Why to stop (Ctrl-C, the deadline), asked between batches.
    pub stop: &'a dyn Fn() -> Option<String>,
    pub interrupt: &'a Interrupt,
    pub parts: &'a RefCell<Parts>,
    pub resume: &'a RefCell<Option<Resume>>,
    /// The first keys deleted, for the report.
    pub sample: &'a RefCell<Vec<Vec<u8>>>,
    pub progress: &'a dyn Progress,
}

/// Keys kept for the report's sample.
const SAMPLE: usize = 10;

impl Stream<'_> {
    /// Scans and deletes on one node to the end of its scan, or until it
    /// must stop: then why.
    pub async fn node(&self, addr: &NodeAddr, session: &Session) -> Option<String> {
        let name = addr.to_string();
        let start = crate::scan::resume::place_in(self.resume, &name);
        if start.done {
            return None;
        }
        let size = crate::scan::dbsize(session).await;
        // Two pages ahead at most: the scan waits for the deletes.
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Page, String>>(2);
        let scanner = async move {
            let (mut cursor, mut visited) = (start.cursor, 0u64);
            loop {
                if let Some(why) = (self.stop)() {
                    let _ = tx.send(Err(why)).await;
                    return;
                }
                let page = match super::select_page(session, self.sel, cursor).await {
                    Ok(page) => page,
                    Err(e) => {
                        let why = format!(
                            "the scan for matching keys on {addr} failed: {}",
                            crate::render::clean(&e.detail)
                        );
                        let _ = tx.send(Err(why)).await;
                        return;
                    }
                };
                visited += (page.keys.len() as u64).max(1);
                if visited > super::visit_limit(size) {
                    let _ = tx.send(Err(super::endless(visited, size))).await;
                    return;
                }
                cursor = page.next;
                if tx.send(Ok(page)).await.is_err() || cursor == 0 {
                    return;
                }
            }
        };
        let deleter = async {
            // Owned here: when the deletes stop, the scan's next send fails.
            let mut rx = rx;
            let started = Instant::now();
            let mut own = 0u64;
            while let Some(page) = rx.recv().await {
                let page = match page {
                    Ok(p) => p,
                    Err(why) => return Some(why),
                };
                self.part(&name, |p| p.ahead = page.keys.len() as u64);
                {
                    let mut sample = self.sample.borrow_mut();
                    let room = SAMPLE.saturating_sub(sample.len());
                    sample.extend(page.keys.iter().take(room).cloned());
                }
                // Two batches in flight: the server works on one while
                // cachectl reads the other's reply and audits the next.
                let chunks: Vec<&[Vec<u8>]> = page.keys.chunks(self.batch).collect();
                for pair in chunks.chunks(2) {
                    if let Some(why) = (self.stop)() {
                        return Some(why);
                    }
                    let second = async {
                        match pair.get(1) {
                            Some(chunk) => self.delete(addr, session, &name, chunk).await,
                            None => Ok(()),
                        }
                    };
                    let (a, b) = tokio::join!(self.delete(addr, session, &name, pair[0]), second);
                    if let Err(why) = a.and(b) {
                        return Some(why);
                    }
                    own += pair.iter().map(|c| c.len() as u64).sum::<u64>();
                    tokio::select! {
                        () = super::pace(self.rate, own, started) => {}
                        () = self.interrupt.wait() => return Some("interrupted (Ctrl-C)".into()),
                    }
                }
                // Every key of the page is answered for: the place moves on.
                self.part(&name, |p| p.bytes += page.bytes);
                if let Some(r) = self.resume.borrow_mut().as_mut() {
                    r.advance(
                        &name,
                        Place {
                            cursor: page.next,
                            done: page.next == 0,
                        },
                    );
                    if let Err(e) = r.save_due(&*self.parts.borrow()) {
                        return Some(format!("the resume file could not be written ({e})"));
                    }
                }
                if page.next == 0 {
                    return None;
                }
            }
            None
        };
        let ((), why) = tokio::join!(scanner, deleter);
        why
    }

    /// Deletes one batch with its re-check, audited; counts what it did.
    async fn delete(
        &self,
        addr: &NodeAddr,
        session: &Session,
        name: &str,
        keys: &[Vec<u8>],
    ) -> Result<(), String> {
        let mut pipe = redis::pipe();
        self.sel.delete(&mut pipe, keys, self.one_by_one);
        let deletes = if self.one_by_one { keys.len() } else { 1 };
        super::per_keys(&mut pipe, "EXISTS", keys, self.one_by_one);
        let filtered = if self.sel.rechecks() {
            " (each rechecked against the filter)"
        } else {
            ""
        };
        let pattern = self.sel.pattern.as_deref().unwrap_or("*");
        let op = Operation {
            node: addr.clone(),
            targets: Vec::new(),
            count: Some(keys.len() as u64),
            summary: Some(format!(
                "UNLINK {} keys matching {pattern}{filtered}",
                keys.len()
            )),
            ..self.op.clone()
        };
        let shown = op.summary.clone().unwrap_or_default();
        // A batch sent is seen to its reply (bounded by the command
        // timeout), so the counts are what the server did.
        let replies = self
            .mutator
            .send_audited(session, &op, self.consent, &pipe, shown)
            .await
            .map_err(|e| {
                self.part(name, |p| p.unknown = true);
                format!("{addr}: {}", e.reason)
            })?;
        let (gone, changed) = super::deleted(replies.get(..deletes).unwrap_or_default());
        let left = super::sum(replies.get(deletes..).unwrap_or_default());
        self.part(name, |p| {
            p.matched += keys.len() as u64;
            p.ahead = p.ahead.saturating_sub(keys.len() as u64);
            p.deleted += gone;
            p.changed += changed;
            p.remaining += left.saturating_sub(changed);
        });
        self.progress.advance(keys.len() as u64);
        Ok(())
    }

    fn part(&self, name: &str, f: impl FnOnce(&mut Part)) {
        if let Some(p) = self.parts.borrow_mut().get_mut(name) {
            f(p);
        }
    }
}

/// A key that `glob` matches, for the preflight's check of the delete
/// commands (an ACL may allow only some key patterns): each `*` empty,
/// each `?` an `x`, each class its first character.
pub fn example_key(glob: &str) -> String {
    let mut out = String::new();
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => {}
            '?' => out.push('x'),
            '\\' => out.extend(chars.next()),
            '[' => {
                let mut class = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    class.push(c);
                }
                match class.strip_prefix('^') {
                    // A character the negated class leaves out.
                    Some(not) => out.extend("x_0".chars().find(|c| !not.contains(*c))),
                    None => out.extend(class.chars().next()),
                }
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        "key".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_example_key_matches_its_glob() {
        assert_eq!(example_key("session:*"), "session:");
        assert_eq!(example_key("*"), "key");
        assert_eq!(example_key("a?c:[0-9]*:\\*x"), "axc:0:*x");
        assert_eq!(example_key("tmp:[^a]"), "tmp:x");
        assert_eq!(example_key("tmp:[^xy]"), "tmp:_");
    }
}
