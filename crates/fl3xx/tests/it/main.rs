//! The integration tests of `fl3xx`, one binary: each file below was a test binary of
//! its own, and linking 7 of them cost more than running them (issue #17).

mod faults;
mod poller;
mod poller_budget;
mod properties;
mod spec_bounds;
mod unconfirmed;
mod unknown_fields;
mod v1;
mod webhooks;
mod wire;
