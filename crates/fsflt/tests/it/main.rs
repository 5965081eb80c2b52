//! The integration tests of `fsflt`, one binary: each file below was a test binary of
//! its own, and linking 3 of them cost more than running them (issue #17).

mod faults;
mod properties;
mod spec_bounds;
mod unconfirmed;
mod wire;
