//! The application side of a target: HTTP probes of its health, Prometheus
//! metrics and JSON status endpoints, collected into the `http` fact root.

pub mod action;
pub mod cache;
pub mod collect;
pub mod probe;
