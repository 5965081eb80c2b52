//! The figures an operator watches, per provider and operation, through the `metrics` facade
//! (feature `metrics`; without it every function here is empty and compiles away). Install
//! any `metrics` recorder (a Prometheus exporter, StatsD, OpenTelemetry) to collect them.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `http.client.request.duration` (OpenTelemetry's name) | histogram, seconds | `api.provider`, `api.operation`, `http.request.method`, `outcome`, `http.response.status_code` (when one came back) |
//! | `api.client.calls` | counter | `api.provider`, `api.operation`, `outcome` |
//! | `api.client.attempts` | histogram | `api.provider`, `api.operation` |
//! | `api.client.retries` | counter | `api.provider`, `api.operation` |
//! | `api.client.rate_limit.refusals` | counter: calls refused locally, nothing sent | `api.provider`, `api.operation` |
//! | `api.client.token.requests` | counter: OAuth2 token requests | `api.provider`, `grant_type` (`client_credentials`, `refresh_token`) |
//!
//! `outcome` is `ok`, or what went wrong: the [`ErrorKind`](crate::ErrorKind) of an API
//! error (`too_many_requests`, `not_found`, …), `timeout`, `transport`, `decode`,
//! `invalid_input`, `rate_limited`, `auth`, `config`, `response_too_large`.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::error::Error;

/// One call finished: its duration, outcome and attempts.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn call_finished(
    provider: &'static str,
    operation: &'static str,
    method: &Method,
    outcome: Result<(StatusCode, u32), &Error>,
    // Asked only when it is recorded: without `metrics`, a call reads the clock once less.
    elapsed: impl FnOnce() -> Duration,
) {
    #[cfg(feature = "metrics")]
    {
        let elapsed = elapsed();
        let method = method.as_str().to_owned();
        let (label, status, attempts) = match outcome {
            Ok((status, attempts)) => ("ok".to_owned(), Some(status), Some(attempts)),
            Err(error) => (outcome_of(error), error.status(), None),
        };
        let mut labels = vec![
            ("api.provider", provider.to_owned()),
            ("api.operation", operation.to_owned()),
            ("http.request.method", method),
            ("outcome", label.clone()),
        ];
        if let Some(status) = status {
            labels.push(("http.response.status_code", status.as_u16().to_string()));
        }
        metrics::histogram!("http.client.request.duration", &labels).record(elapsed.as_secs_f64());
        metrics::counter!(
            "api.client.calls",
            "api.provider" => provider,
            "api.operation" => operation,
            "outcome" => label,
        )
        .increment(1);
        if let Some(attempts) = attempts {
            metrics::histogram!(
                "api.client.attempts",
                "api.provider" => provider,
                "api.operation" => operation,
            )
            .record(f64::from(attempts));
        }
    }
}

/// A failed attempt is about to be repeated.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn retried(provider: &'static str, operation: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("api.client.retries", "api.provider" => provider, "api.operation" => operation)
        .increment(1);
}

/// The client's own rate limit refused a call: nothing was sent.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn refused_locally(provider: &'static str, operation: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(
        "api.client.rate_limit.refusals",
        "api.provider" => provider,
        "api.operation" => operation,
    )
    .increment(1);
}

/// An OAuth2 token request is about to be sent.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn token_requested(provider: &'static str, grant_type: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("api.client.token.requests", "api.provider" => provider, "grant_type" => grant_type)
        .increment(1);
}

/// The `outcome` label of an error.
#[cfg(feature = "metrics")]
fn outcome_of(error: &Error) -> String {
    match error {
        Error::Api(api) => match &api.kind {
            crate::ErrorKind::Provider(name) => (*name).to_owned(),
            kind => snake_case(&format!("{kind:?}")),
        },
        Error::Transport(_) => "transport".into(),
        Error::Timeout { .. } => "timeout".into(),
        Error::Decode(_) => "decode".into(),
        Error::InvalidInput(_) => "invalid_input".into(),
        Error::RateLimited { .. } => "rate_limited".into(),
        Error::Auth(_) => "auth".into(),
        Error::Config(_) => "config".into(),
        Error::ResponseTooLarge { .. } => "response_too_large".into(),
    }
}

/// `TooManyRequests` → `too_many_requests`.
#[cfg(feature = "metrics")]
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len().saturating_add(4));
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use super::*;

    #[test]
    fn outcome_labels() {
        assert_eq!(snake_case("TooManyRequests"), "too_many_requests");
        assert_eq!(outcome_of(&Error::Config("x".into())), "config");
    }
}
