//! The integration tests of `netfinity`, one binary: each file below was a test binary of
//! its own, and linking 4 of them cost more than running them (issue #17).

mod faults;
mod pingback;
mod properties;
mod sandbox;
mod send_sms;
mod spec_bounds;
