//! Two threads of one run kept on different cores while both work.
//!
//! `diagnose` compiles the runbooks on the calling thread while a second
//! thread waits on the node. When a reply arrives, Linux wakes the waiting
//! thread on the core it last ran on; if that is the compiling thread's
//! core, the reply waits behind the whole compile (about a millisecond)
//! while the other core idles: seen in `perf sched timehist` as a 1 ms
//! scheduling delay in half the runs of `bench/startup.sh`. Holding the
//! compiling thread to its core and the waiting thread off it, for as long
//! as the compile lasts, gives each a core of its own.
//!
//! Only a placement: where the process may run on one core only, or the
//! system refuses (a container's seccomp profile), nothing changes but the
//! speed.

/// The calling thread held to the core it is on, until this is dropped.
pub(super) struct Held {
    #[cfg(target_os = "linux")]
    placement: Option<linux::Placement>,
}

/// What the other thread does to stay off the held thread's core.
pub(super) struct Elsewhere {
    #[cfg(target_os = "linux")]
    rest: Option<rustix::thread::CpuSet>,
}

/// Holds the calling thread to its core; `Elsewhere::go` then moves
/// another thread off it (a thread spawned after the hold inherits it, so
/// `go` sets the other cores the process was allowed). With fewer than two
/// cores allowed, neither does anything.
pub(super) fn hold() -> (Held, Elsewhere) {
    #[cfg(target_os = "linux")]
    {
        let placement = linux::Placement::hold();
        let rest = placement.as_ref().map(linux::Placement::rest);
        (Held { placement }, Elsewhere { rest })
    }
    #[cfg(not(target_os = "linux"))]
    {
        (Held {}, Elsewhere {})
    }
}

impl Elsewhere {
    /// Keeps the calling thread off the held thread's core, for the rest
    /// of its life (it is the run's collecting thread, which ends soon).
    pub(super) fn go(self) {
        #[cfg(target_os = "linux")]
        if let Some(rest) = &self.rest {
            let _ = rustix::thread::sched_setaffinity(None, rest);
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(p) = self.placement.take() {
            p.release();
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity, CpuSet};

    pub(super) struct Placement {
        here: usize,
        allowed: CpuSet,
    }

    impl Placement {
        pub(super) fn hold() -> Option<Placement> {
            let allowed = sched_getaffinity(None).ok()?;
            if allowed.count() < 2 {
                return None;
            }
            let here = sched_getcpu();
            if here >= CpuSet::MAX_CPU || !allowed.is_set(here) {
                return None;
            }
            let mut one = CpuSet::new();
            one.set(here);
            sched_setaffinity(None, &one).ok()?;
            Some(Placement { here, allowed })
        }

        /// The cores allowed but the held one: at least one.
        pub(super) fn rest(&self) -> CpuSet {
            let mut rest = self.allowed;
            rest.unset(self.here);
            rest
        }

        pub(super) fn release(self) {
            let _ = sched_setaffinity(None, &self.allowed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn held_thread_and_the_other_share_no_core_and_the_hold_ends() {
        use rustix::thread::{sched_getaffinity, sched_getcpu};
        let before = sched_getaffinity(None).unwrap();
        if before.count() < 2 {
            return; // nothing to place on one core
        }
        std::thread::scope(|scope| {
            let (held, elsewhere) = hold();
            let mine = sched_getaffinity(None).unwrap();
            assert_eq!(mine.count(), 1);
            let here = sched_getcpu();
            assert!(mine.is_set(here));
            let other = scope
                .spawn(move || {
                    elsewhere.go();
                    sched_getaffinity(None).unwrap()
                })
                .join()
                .unwrap();
            assert!(!other.is_set(here));
            assert_eq!(other.count(), before.count() - 1);
            drop(held);
        });
        assert_eq!(sched_getaffinity(None).unwrap(), before);
    }
}
