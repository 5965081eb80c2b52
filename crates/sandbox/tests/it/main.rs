//! The integration tests of `sandbox`, one binary: each file below was a test binary of
//! its own, and linking 5 of them cost more than running them (issue #17).

mod admin;
mod common;
mod conformance;
mod fl3xx;
mod flexiti;
mod fsflt;
mod netfinity;
