//! # taem-server — the central server of Taem, as a library
//!
//! The `taem-server` binary (`main.rs`) is a thin CLI over this: the [`store::Store`] trait
//! and its embedded SQLite implementation ([`sqlite::SqliteStore`]), the rules of applying
//! counter operations (`apply`), and the HTTP API ([`http::router`]). The benchmarks start the
//! same router in-process.

// Rows are read from SQL as tuples right where they are used; naming each tuple type would
// add indirection, not clarity.
#![allow(clippy::type_complexity)]

mod apply;
pub mod error;
pub mod export;
pub mod http;
pub mod import;
mod schema;
mod secrets;
pub mod sqlite;
pub mod store;
