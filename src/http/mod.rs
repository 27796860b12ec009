//! The application side of a target: HTTP probes of its health, Prometheus
//! metrics and JSON status endpoints.

pub mod probe;
pub mod prometheus;
pub mod step;
