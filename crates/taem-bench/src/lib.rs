//! The pieces of Taem's benchmarks other measuring tools share (the desktop app's performance
//! run in `tests/app` uses them too): figures in the one JSON-lines format, the members and
//! queries a bench draws from a replica, and `/proc` memory figures.

pub mod figures;
pub mod procstat;
pub mod workload;
