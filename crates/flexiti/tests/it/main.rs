//! The integration tests of `flexiti`, one binary: each file below was a test binary of
//! its own, and linking 3 of them cost more than running them (issue #17).

mod documented;
mod faults;
mod properties;
mod sandbox;
mod spec_bounds;
mod wire;
