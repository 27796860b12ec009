//! Ctrl-C, heard: long work stops cleanly and reports what it did instead
//! of being killed mid-write.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// Resolves when the operator presses Ctrl-C (SIGINT); never, if the
/// handler cannot be installed. Long work selects on it to stop cleanly
/// and report what it did.
pub async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Ctrl-C caught from the moment `catch` returns. Work that writes in
/// batches asks `fired()` between batches instead of racing each batch
/// against the signal: a batch that was sent is always seen to its reply,
/// so the count a stopped run reports is what the server did. `wait()`
/// ends a pause (a rate limit) early.
pub struct Interrupt {
    fired: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Interrupt {
    /// Installs the handler; call it inside the runtime (`block_on`).
    pub fn catch() -> Interrupt {
        Interrupt::catch_any(false)
    }

    /// `catch`, also for the signals that ask a process to end (SIGTERM,
    /// SIGHUP): for a command that runs until stopped (`cachectl watch`)
    /// and must put the terminal back first.
    pub fn catch_ending() -> Interrupt {
        Interrupt::catch_any(true)
    }

    fn catch_any(ending: bool) -> Interrupt {
        let fired = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::new());
        // Registered now, not at the task's first poll: a Ctrl-C from here
        // on is caught, never the default "kill the process".
        #[cfg(unix)]
        let mut signals: Vec<tokio::signal::unix::Signal> = {
            use tokio::signal::unix::{signal, SignalKind};
            let kinds = if ending {
                vec![
                    SignalKind::interrupt(),
                    SignalKind::terminate(),
                    SignalKind::hangup(),
                ]
            } else {
                vec![SignalKind::interrupt()]
            };
            kinds.into_iter().filter_map(|k| signal(k).ok()).collect()
        };
        #[cfg(not(unix))]
        let _ = ending;
        let (flag, wake) = (fired.clone(), notify.clone());
        tokio::spawn(async move {
            #[cfg(unix)]
            {
                if signals.is_empty() {
                    std::future::pending::<()>().await;
                }
                // The first of the signals to arrive.
                std::future::poll_fn(|cx| {
                    for s in &mut signals {
                        if s.poll_recv(cx).is_ready() {
                            return std::task::Poll::Ready(());
                        }
                    }
                    std::task::Poll::Pending
                })
                .await;
            }
            #[cfg(not(unix))]
            interrupted().await;
            flag.store(true, Ordering::SeqCst);
            wake.notify_waiters();
        });
        Interrupt { fired, notify }
    }

    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// The flag `fired` reads, for work on other tasks to check.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.fired.clone()
    }

    /// Resolves once Ctrl-C has been pressed (at once if it was).
    pub async fn wait(&self) {
        let woken = self.notify.notified();
        if self.fired() {
            return;
        }
        woken.await;
    }
}
