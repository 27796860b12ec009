//! Integration tests: the real cachectl binary against real redis-server
//! processes started by the tests.

// Tests compare figures computed from fixed inputs exactly, hold whole
// read buffers on the stack of a helper thread, and build expected text
// from iterators: clarity over the pedantic lints' economies.
#![allow(
    clippy::float_cmp,
    clippy::large_stack_arrays,
    clippy::format_collect,
    clippy::needless_pass_by_value
)]

mod app_server;
mod harness;

mod app;
mod app_dialects;
mod app_fixes;

mod cli;
mod clients;
mod connection;
mod contexts;
mod django;
mod engine;
mod facts;
mod failover;
mod fix;
mod fleet;
mod flush;
mod generated;
mod hotkeys;
mod html;
mod incidents;
mod lab;
mod memory;
mod outputs;
mod rdb;
mod recorded;
mod runbooks;
mod secrets;
mod slowlog;
mod snapshot;
mod topology;
mod trust;
mod verdict;
mod warm;
mod warm_sources;
mod watch;
mod write_doors;
mod writes;
