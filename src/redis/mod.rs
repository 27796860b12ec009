//! Typed access to Redis replies: parsers for INFO, CLIENT LIST, SLOWLOG,
//! LATENCY LATEST and ROLE. Pure functions over reply data, no I/O.

pub mod client_list;
pub mod info;
pub mod latency;
pub mod reply;
pub mod role;
pub mod slowlog;
