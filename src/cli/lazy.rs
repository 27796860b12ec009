//! A subcommand's arguments, declared only when that subcommand runs.
//!
//! clap's derive declares every argument of every subcommand before it
//! parses one: some 500 `Arg`s, a fifth of a healthy `diagnose` (0.4 of its
//! 3.5 ms). `Lazy<T>` hands `T`'s declarations to `Command::defer`, which
//! clap runs when the subcommand is parsed, or its help, a completion
//! script or a man page is made. What the user sees does not change: help
//! is the same (the help snapshots of every command pin it), and the whole
//! tree a completion script or a man page is made of is declared
//! `whole`, as before, since clap adds global flags and the `help`
//! subcommand's tree before it runs deferred declarations.

use std::cell::Cell;
use std::ops::Deref;

use clap::{ArgMatches, Args, Command, FromArgMatches, Id};

thread_local! {
    static WHOLE: Cell<bool> = const { Cell::new(false) };
}

/// The command `make` builds with every subcommand's arguments declared at
/// once.
pub(super) fn whole(make: fn() -> Command) -> Command {
    WHOLE.with(|w| w.set(true));
    let cmd = make();
    WHOLE.with(|w| w.set(false));
    cmd
}

/// `T`, whose arguments clap declares on first use of its subcommand.
#[derive(Debug, Clone)]
pub struct Lazy<T>(Box<T>);

impl<T> AsMut<T> for Lazy<T> {
    fn as_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

fn declare<T: Args>(cmd: Command) -> Command {
    keeping_about(cmd, T::augment_args)
}

fn declare_for_update<T: Args>(cmd: Command) -> Command {
    keeping_about(cmd, T::augment_args_for_update)
}

/// Declares with `augment`, keeping the subcommand's own about: derive
/// sets the variant's doc after the arguments, and a flattened struct's
/// doc would otherwise win once they come later.
fn keeping_about(cmd: Command, augment: fn(Command) -> Command) -> Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = augment(cmd);
    match about {
        Some(about) => match long_about {
            Some(long_about) => cmd.about(about).long_about(long_about),
            None => cmd.about(about).long_about(None),
        },
        None => cmd,
    }
}

impl<T: Args> Args for Lazy<T> {
    fn group_id() -> Option<Id> {
        T::group_id()
    }

    fn augment_args(cmd: Command) -> Command {
        if WHOLE.with(Cell::get) {
            declare::<T>(cmd)
        } else {
            cmd.defer(declare::<T>)
        }
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        if WHOLE.with(Cell::get) {
            declare_for_update::<T>(cmd)
        } else {
            cmd.defer(declare_for_update::<T>)
        }
    }
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(|t| Lazy(Box::new(t)))
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(|t| Lazy(Box::new(t)))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}
