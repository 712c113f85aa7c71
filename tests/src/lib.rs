//! # taem-e2e — end-to-end tests across processes
//!
//! Support for the tests in `tests/tests/`: start the real `taem-server` on a free loopback
//! port, real `taem-counter` replicas in their own data directories, and a fault-injecting
//! proxy between them.

pub mod proxy;
