//! The server's rate-limit signals: the `X-RateLimit-*` headers ([`RateLimitInfo`]) and
//! `Retry-After` ([`retry_after`], [`parse_retry_after`]).

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

/// The `X-RateLimit-*` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitInfo {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`, as sent (providers use seconds-until or a Unix time).
    pub reset: Option<u64>,
}

impl RateLimitInfo {
    /// Reads the headers; `None` when none of them is present.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        // Looked up by `HeaderName` constants: a `&str` name is parsed and lower-cased on
        // every lookup, which cost ~900 instructions per response.
        const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
        const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
        const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
        // One pass over the answer's few headers instead of three hashed lookups (~540
        // instructions a response, most of which carry none of them). Each name's first value
        // counts, as `HeaderMap::get` would give it: `iter` yields a name's values in order.
        let (mut limit, mut remaining, mut reset) = (None, None, None);
        for (name, value) in headers {
            let slot = if *name == LIMIT {
                &mut limit
            } else if *name == REMAINING {
                &mut remaining
            } else if *name == RESET {
                &mut reset
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(
                    value
                        .to_str()
                        .ok()
                        .and_then(|v| v.trim().parse::<u64>().ok()),
                );
            }
        }
        let info = Self {
            limit: limit.flatten(),
            remaining: remaining.flatten(),
            reset: reset.flatten(),
        };
        (info != Self::default()).then_some(info)
    }

    /// `X-RateLimit-Reset` as a wait from `now`. Providers send either seconds until the
    /// reset or a Unix time; a value above 10⁹ (2001 as a Unix time, 31 years as a wait) is
    /// read as a Unix time. `None` without the header, or for a Unix time beyond what the
    /// system clock can hold (a server's number: adding it unchecked would panic).
    pub fn reset_after(&self, now: SystemTime) -> Option<Duration> {
        let reset = self.reset?;
        if reset > 1_000_000_000 {
            let at = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(reset))?;
            Some(at.duration_since(now).unwrap_or(Duration::ZERO))
        } else {
            Some(Duration::from_secs(reset))
        }
    }
}

/// The `Retry-After` header as a wait from `now`: delay-seconds or an HTTP date (a date in
/// the past means "now"). `None` when absent or malformed.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?, now)
}

/// Parses one `Retry-After` value (see [`retry_after`]).
pub fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:00 GMT").expect("date");
        let h = headers(&[("retry-after", "42")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(37)));
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:48:00 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        let h = headers(&[("retry-after", "soon")]);
        assert_eq!(retry_after(&h, now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn rate_limit_headers() {
        let h = headers(&[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "0")]);
        assert_eq!(
            RateLimitInfo::from_headers(&h),
            Some(RateLimitInfo {
                limit: Some(60),
                remaining: Some(0),
                reset: None
            })
        );
        assert_eq!(RateLimitInfo::from_headers(&HeaderMap::new()), None);
    }

    #[test]
    fn rate_limit_headers_first_value_counts_as_get_gives_it() {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.append("x-ratelimit-remaining", HeaderValue::from_static("none"));
        h.append("x-ratelimit-remaining", HeaderValue::from_static("5"));
        h.append("x-ratelimit-reset", HeaderValue::from_static("30"));
        h.append("x-ratelimit-reset", HeaderValue::from_static("40"));
        h.insert(
            "date",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        let number = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok()?.trim().parse().ok())
        };
        let expected = RateLimitInfo {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
        };
        assert_eq!(expected.reset, Some(30));
        assert_eq!(RateLimitInfo::from_headers(&h), Some(expected));
        let only_others = headers(&[("content-type", "text/plain"), ("x-request-id", "7")]);
        assert_eq!(RateLimitInfo::from_headers(&only_others), None);
    }

    #[test]
    fn rate_limit_headers_by_any_spelling_trimmed_and_lenient() {
        // The server's spelling of the names does not matter; values are trimmed; a value
        // that is not a number counts as absent.
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("X-RateLimit-Limit", " 100 "),
            ("X-RATELIMIT-REMAINING", "soon"),
            ("x-ratelimit-reset", "30"),
        ] {
            h.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_static(value),
            );
        }
        assert_eq!(
            RateLimitInfo::from_headers(&h),
            Some(RateLimitInfo {
                limit: Some(100),
                remaining: None,
                reset: Some(30)
            })
        );
        let h = headers(&[("x-ratelimit-remaining", "-1")]);
        assert_eq!(RateLimitInfo::from_headers(&h), None);
    }

    #[test]
    fn reset_as_seconds_or_unix_time() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let info = |reset| RateLimitInfo {
            reset,
            ..RateLimitInfo::default()
        };
        assert_eq!(
            info(Some(30)).reset_after(now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            info(Some(1_700_000_045)).reset_after(now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            info(Some(1_600_000_000)).reset_after(now),
            Some(Duration::ZERO)
        );
        assert_eq!(info(None).reset_after(now), None);
        // A server's number the clock cannot hold is ignored, not a panic.
        assert_eq!(info(Some(u64::MAX)).reset_after(now), None);
    }
}
