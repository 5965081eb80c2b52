//! `POST /sms/notification/send`: bearer check, header check, throttle, validation, accept.

use api_core::spec::OperationSpec;
use axum::Router;
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::pingback::{self, Outcome};
use super::validate::validate;
use super::{AcceptedSms, FLOOD_WINDOW, NetfinityHandle, PREFIX, Recent};
use crate::RecordedRequest;
use crate::common::ids::uuid_v4;

use crate::common::laravel::{Errors, Style, message};
use crate::common::routes::{Emulator, Incoming, spec_routes};
use crate::common::window::{Hit, Window};
use crate::common::wire::json_response;
use crate::generated::netfinity::{self as spec, Handlers};
use crate::schema::{Leniency, Violation};

const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// Every route under the prefix: the spec's one operation, and the plain 404 elsewhere.
pub(super) fn routes(handle: NetfinityHandle) -> Router {
    spec_routes(PREFIX, spec::OPERATIONS, handle, |router| router)
}

impl Emulator for NetfinityHandle {
    const SPEC: &'static str = "netfinity";
    const LENIENCY: Leniency = Leniency::LARAVEL;

    async fn operation(&self, operation: &'static OperationSpec, request: Incoming) -> Response {
        let mut call = Call {
            handle: self,
            parts: &request.parts,
            body: &request.body,
            violations: request.violations(operation),
        };
        spec::dispatch(&mut call, operation, &())
            .unwrap_or_else(|| message(StatusCode::NOT_FOUND, "Not Found"))
    }

    fn record(&self, request: RecordedRequest) {
        self.record_request(request);
    }

    fn faults(&self) -> crate::Faults {
        Self::faults(self)
    }
}

/// One request, as the handler sees it.
struct Call<'a> {
    handle: &'a NetfinityHandle,
    parts: &'a Parts,
    body: &'a [u8],
    /// What the request breaks of the spec's schemas, answered at the validation step.
    violations: Vec<Violation>,
}

impl Handlers for Call<'_> {
    type Call<'a> = ();
    type Answer = Response;

    fn send_sms(&mut self, _call: &()) -> Response {
        self.handle.answer(self.parts, self.body, &self.violations)
    }
}

/// The body of a 200 answer.
#[derive(Serialize)]
struct Accepted<'a> {
    uuid: &'a str,
    id: Option<&'a str>,
}

/// The body of a 422 answer.
#[derive(Serialize)]
struct Invalid<E> {
    message: &'static str,
    errors: E,
}

impl NetfinityHandle {
    /// Answers one request, in the documented order of checks.
    fn answer(&self, parts: &Parts, body: &[u8], violations: &[Violation]) -> Response {
        // 1. Bearer token.
        let config = self.config();
        let token = bearer_token(&parts.headers);
        if token.is_some_and(|token| self.inner.revoked.contains(token)) {
            return message(StatusCode::UNAUTHORIZED, "Bearer token wrong");
        }
        if config.limited_token.is_some() && token == config.limited_token.as_deref() {
            return message(StatusCode::FORBIDDEN, "Token capabilities missing");
        }
        if token != Some(config.token.as_str()) {
            return message(StatusCode::UNAUTHORIZED, "Bearer token wrong");
        }

        // Every request past authentication counts against the token's window.
        let throttle = self.hit(&config.token);
        let remaining = match throttle {
            Hit::Allowed { remaining } => remaining,
            Hit::Exceeded { .. } => 0,
        };
        let with_limits = |mut response: Response| {
            let headers = response.headers_mut();
            headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(config.limit));
            headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(remaining));
            response
        };

        // 2. Headers, then a JSON object body.
        if !accepts_json(&parts.headers) || !is_json_content(&parts.headers) {
            return with_limits(message(
                StatusCode::NOT_ACCEPTABLE,
                "Request headers missing",
            ));
        }
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return with_limits(message(
                StatusCode::NOT_ACCEPTABLE,
                "Request not in JSON format",
            ));
        };

        // 3. Throttle.
        if let Hit::Exceeded { retry_after_secs } = throttle {
            let mut response =
                with_limits(message(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts."));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }

        // 4. Validation: the spec's schemas, then the rules a schema cannot state.
        if !violations.is_empty() {
            // Every problem at once, the rules' own words first (`common::refusal`).
            let schema = Errors::of(violations, Style::Laravel);
            let own = validate(&fields).err().map(serde_json::to_value);
            let errors = match own {
                Some(Ok(Value::Object(own))) => schema.under(&own),
                _ => schema,
            };
            let body = Invalid {
                message: "The given data was invalid.",
                errors,
            };
            return with_limits(json_response(StatusCode::UNPROCESSABLE_ENTITY, &body));
        }
        let sms = match validate(&fields) {
            Ok(sms) => sms,
            Err(errors) => {
                let body = Invalid {
                    message: "The given data was invalid.",
                    errors,
                };
                return with_limits(json_response(StatusCode::UNPROCESSABLE_ENTITY, &body));
            }
        };

        // 5. Accepted.
        let uuid = uuid_v4();
        let outcome = self.accept(&uuid, sms.msisdn, sms.text, sms.id.clone());
        if let Some(url) = self.callback_url() {
            pingback::spawn(self.clone(), url, uuid.clone(), sms.id.clone(), outcome);
        }
        let body = Accepted {
            uuid: &uuid,
            id: sms.id.as_deref(),
        };
        with_limits(json_response(StatusCode::OK, &body))
    }

    /// Counts one request against `token`'s fixed window.
    fn hit(&self, token: &str) -> Hit {
        let config = self.config();
        let now = self.clock().instant();
        let mut state = self.state();
        let window = state
            .windows
            .entry(token.to_owned())
            .or_insert(Window::new(now));
        window.hit(now, config.limit, config.window)
    }

    /// Stores an accepted message and decides what its pingbacks will say.
    fn accept(&self, uuid: &str, msisdn: String, text: String, id: Option<String>) -> Outcome {
        let now = self.clock().instant();
        let mut state = self.state();
        while state
            .recent
            .front()
            .is_some_and(|r| now.duration_since(r.at) >= FLOOD_WINDOW)
        {
            state.recent.pop_front();
        }
        let reused_id = id
            .as_ref()
            .is_some_and(|id| !state.used_ids.insert(id.clone()));
        let repeated_text = state
            .recent
            .iter()
            .any(|r| r.msisdn == msisdn && r.text == text);
        let flood = reused_id || repeated_text;
        let outcome = if flood {
            Outcome::FloodProtection
        } else if msisdn.starts_with(pingback::REJECTED_DESTINATION_PREFIX) {
            Outcome::RejectedDestination
        } else if msisdn.starts_with(pingback::INSUFFICIENT_FUNDS_PREFIX) {
            Outcome::InsufficientFunds
        } else {
            Outcome::Delivered
        };
        state.recent.push_back(Recent {
            at: now,
            msisdn: msisdn.clone(),
            text: text.clone(),
        });
        state.accepted.push(AcceptedSms {
            uuid: uuid.to_owned(),
            msisdn,
            text,
            id,
        });
        outcome
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// True when an `Accept` header lists `application/json` with a non-zero quality.
///
/// Wildcards (`*/*`, `application/*`) do not count: the API wants JSON asked for explicitly
/// (like Laravel's `wantsJson`), and `*/*` is what an HTTP library sends when a client forgot
/// the header.
fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut params = range.split(';');
            let media = params.next().unwrap_or_default().trim();
            let refused = params.any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("q")
                        && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
                })
            });
            media.eq_ignore_ascii_case("application/json") && !refused
        })
}

/// True when `Content-Type` is `application/json`, optionally with `charset=utf-8`.
fn is_json_content(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json")
        && parts.all(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("charset")
                    && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netfinity::NetfinityConfig;
    use crate::netfinity::pingback::Outcome;

    /// api-notes §B.2.3 (SEEN): "Flood protection fires when (1) an `id` is re-used, or (2)
    /// the same text goes to the same number more than once within 10 minutes". The id rule
    /// has no window: eleven minutes later a re-used id is still refused, while the same text
    /// to the same number goes through again.
    #[tokio::test(start_paused = true)]
    async fn a_reused_id_is_refused_whenever_a_repeated_text_only_within_10_minutes() {
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let handle =
            NetfinityHandle::new(NetfinityConfig::default(), stopped, crate::Clock::default());
        let send = |uuid: &str, text: &str, id: Option<&str>| {
            handle.accept(uuid, "359881234567".into(), text.into(), id.map(Into::into))
        };
        assert_eq!(send("u1", "first", Some("dup1")), Outcome::Delivered);
        assert_eq!(send("u2", "second", Some("dup1")), Outcome::FloodProtection);
        assert_eq!(send("u3", "first", None), Outcome::FloodProtection);
        tokio::time::advance(std::time::Duration::from_secs(11 * 60)).await;
        assert_eq!(send("u4", "third", Some("dup1")), Outcome::FloodProtection);
        assert_eq!(send("u5", "first", None), Outcome::Delivered);
        assert_eq!(send("u6", "first", None), Outcome::FloodProtection);
    }

    fn headers(pairs: &[(HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(
            bearer_token(&headers(&[(AUTHORIZATION, "Bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            bearer_token(&headers(&[(AUTHORIZATION, "bearer abc")])),
            Some("abc")
        );
        assert_eq!(
            bearer_token(&headers(&[(AUTHORIZATION, "Basic abc")])),
            None
        );
        assert_eq!(bearer_token(&headers(&[(AUTHORIZATION, "Bearer ")])), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn matches_accept_ranges() {
        for ok in [
            "application/json",
            "text/html, application/json;q=0.9",
            "Application/JSON; charset=utf-8",
        ] {
            assert!(accepts_json(&headers(&[(ACCEPT, ok)])), "{ok}");
        }
        for bad in [
            "text/html",
            "application/xml",
            "application/json;q=0",
            "",
            "*/*",
            "application/*",
        ] {
            assert!(!accepts_json(&headers(&[(ACCEPT, bad)])), "{bad}");
        }
        assert!(!accepts_json(&HeaderMap::new()));
    }

    #[test]
    fn matches_content_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=\"UTF-8\"",
        ] {
            assert!(is_json_content(&headers(&[(CONTENT_TYPE, ok)])), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/json; charset=latin1",
            "application/jsonx",
            "application/x-www-form-urlencoded",
        ] {
            assert!(!is_json_content(&headers(&[(CONTENT_TYPE, bad)])), "{bad}");
        }
        assert!(!is_json_content(&HeaderMap::new()));
    }
}
