//! Shared pieces of the reliability and security suite (see `docs/reliability.md`).
//! The tests live in `tests/`; this crate is never published.

pub mod attempts;
pub mod fault_server;
