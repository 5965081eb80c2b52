//! The integration tests of `api-core`, one binary: each file below was a test binary of
//! its own, and linking 10 of them cost more than running them (issue #17).

mod bounded_errors;
mod common;
mod dates;
mod execute;
mod extremes;
mod hardening;
mod interceptor;
mod numbers;
mod oauth2;
mod properties;
mod redirects_and_limits;
mod refresh_tokens;
mod retries;
mod token_headers;
mod tracing_secrets;
mod transport;
