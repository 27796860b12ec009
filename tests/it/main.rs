//! Integration tests: the real cachectl binary against real redis-server
//! processes started by the tests.

mod app_server;
mod harness;

mod app;
mod app_dialects;
mod app_fixes;

mod cli;
mod clients;
mod connection;
mod django;
mod engine;
mod facts;
mod failover;
mod fix;
mod flush;
mod generated;
mod incidents;
mod memory;
mod recorded;
mod runbooks;
mod secrets;
mod slowlog;
mod topology;
mod trust;
mod verdict;
mod warm;
mod warm_sources;
mod write_doors;
mod writes;
