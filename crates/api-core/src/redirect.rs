//! Which redirects a call follows.
//!
//! The transport follows redirects itself (its HTTP client follows none) because the answer
//! depends on the request, which reqwest's redirect policy never sees:
//!
//! - only within the API's origin (scheme, host and port): API-key headers and tokens never
//!   reach another host or travel over plain `http://`;
//! - at most [`MAX_REDIRECTS`] per attempt, so a loop ends with an error that says so;
//! - a request with a side effect and no idempotency key is never sent again through a
//!   redirect: a 307 or 308 would repeat it, body included, so it is refused; a 303 (and a
//!   301/302 to a POST, which HTTP clients turn into a GET) fetches the answer with a GET,
//!   which repeats nothing, and is followed;
//! - the method and body otherwise stay as they were, as RFC 9110 §15.4 has it.

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode, Url};

/// Most redirects one attempt follows.
pub(crate) const MAX_REDIRECTS: u32 = 5;

/// What to do with a 3xx answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send the request again to `url` with `method`, with its body or without.
    Follow {
        url: Url,
        method: Method,
        keep_body: bool,
    },
    /// Return the 3xx as an error with this message.
    Refuse(String),
}

/// The decision for a 3xx answer to `method` at `current`, after `followed` redirects
/// already taken in this attempt. `repeatable`: the request may be sent twice (no side
/// effect, or an idempotency key).
pub(crate) fn next(
    status: StatusCode,
    headers: &HeaderMap,
    current: &Url,
    method: &Method,
    repeatable: bool,
    followed: u32,
) -> Next {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Next::Refuse(format!(
            "HTTP {} is not a redirect this client follows",
            status.as_u16()
        ));
    }
    let Some(location) = headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return Next::Refuse("a redirect without a readable Location header".into());
    };
    let Ok(target) = current.join(location) else {
        return Next::Refuse(format!(
            "a redirect to `{}`, which is not a URL",
            crate::error::bounded(location, 256)
        ));
    };
    if target.scheme() != current.scheme()
        || target.host_str() != current.host_str()
        || target.port_or_known_default() != current.port_or_known_default()
    {
        return Next::Refuse(format!(
            "refused to follow a redirect to {}: it leaves the API's origin, and credentials \
             are never sent to another host or over plain http",
            crate::error::bounded(target.as_str(), 256)
        ));
    }
    if followed >= MAX_REDIRECTS {
        return Next::Refuse(format!(
            "stopped after {MAX_REDIRECTS} redirects within the API's origin (the next one to \
             {}): a redirect loop",
            crate::error::bounded(target.path(), 256)
        ));
    }
    // RFC 9110 §15.4.4 and the Fetch standard: a 303 is fetched with GET, and so is a
    // 301/302 to a POST; everything else keeps its method and body.
    let rewrite = (status == StatusCode::SEE_OTHER && *method != Method::HEAD)
        || (matches!(status.as_u16(), 301 | 302) && *method == Method::POST);
    let (method, keep_body) = if rewrite {
        (Method::GET, false)
    } else {
        (method.clone(), true)
    };
    let resends = !matches!(method, Method::GET | Method::HEAD);
    if resends && !repeatable {
        return Next::Refuse(format!(
            "did not follow the redirect to {}: it would send this request a second time, \
             and it has a side effect and no idempotency key",
            crate::error::bounded(target.path(), 256)
        ));
    }
    Next::Follow {
        url: target,
        method,
        keep_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn at(location: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_str(location).expect("value"));
        headers
    }

    fn decide(
        status: u16,
        location: &str,
        method: Method,
        repeatable: bool,
        followed: u32,
    ) -> Next {
        let current = Url::parse("https://api.example.com/v2/sms").expect("url");
        next(
            StatusCode::from_u16(status).expect("status"),
            &at(location),
            &current,
            &method,
            repeatable,
            followed,
        )
    }

    fn follow(url: &str, method: Method, keep_body: bool) -> Next {
        Next::Follow {
            url: Url::parse(url).expect("url"),
            method,
            keep_body,
        }
    }

    #[test]
    fn same_origin_redirects_keep_method_and_body_unless_http_rewrites_them() {
        let new = "https://api.example.com/v2/new";
        assert_eq!(
            decide(307, "new", Method::PUT, true, 0),
            follow(new, Method::PUT, true)
        );
        assert_eq!(
            decide(308, "/v2/new", Method::POST, true, 4),
            follow(new, Method::POST, true)
        );
        assert_eq!(
            decide(301, new, Method::GET, true, 0),
            follow(new, Method::GET, true)
        );
        assert_eq!(
            decide(302, "new", Method::POST, true, 0),
            follow(new, Method::GET, false)
        );
        assert_eq!(
            decide(303, "new", Method::PUT, true, 0),
            follow(new, Method::GET, false)
        );
        assert_eq!(
            decide(303, "new", Method::HEAD, true, 0),
            follow(new, Method::HEAD, true)
        );
    }

    #[test]
    fn a_side_effect_without_a_key_is_never_sent_twice() {
        let Next::Refuse(message) = decide(307, "/v2/sms", Method::POST, false, 0) else {
            panic!("a 307 would repeat the POST");
        };
        assert_eq!(
            message,
            "did not follow the redirect to /v2/sms: it would send this request a second time, \
             and it has a side effect and no idempotency key"
        );
        assert!(matches!(
            decide(308, "x", Method::DELETE, false, 0),
            Next::Refuse(_)
        ));
        // Fetching the answer with a GET repeats nothing.
        assert_eq!(
            decide(303, "/v2/sms/1", Method::POST, false, 0),
            follow("https://api.example.com/v2/sms/1", Method::GET, false)
        );
    }

    #[test]
    fn other_origins_loops_and_unusable_locations_are_refused_with_their_reason() {
        let refusal = |next| match next {
            Next::Refuse(message) => message,
            other => panic!("followed: {other:?}"),
        };
        for elsewhere in [
            "http://api.example.com/v2/new",
            "https://api.example.com:8443/v2/new",
            "https://evil.example/v2/new",
        ] {
            assert!(
                refusal(decide(302, elsewhere, Method::GET, true, 0))
                    .contains("leaves the API's origin"),
                "{elsewhere}"
            );
        }
        assert_eq!(
            refusal(decide(302, "/v2/sms", Method::GET, true, MAX_REDIRECTS)),
            "stopped after 5 redirects within the API's origin (the next one to /v2/sms): a \
             redirect loop"
        );
        assert_eq!(
            refusal(decide(304, "x", Method::GET, true, 0)),
            "HTTP 304 is not a redirect this client follows"
        );
        let current = Url::parse("https://api.example.com/").expect("url");
        assert_eq!(
            next(
                StatusCode::FOUND,
                &HeaderMap::new(),
                &current,
                &Method::GET,
                true,
                0
            ),
            Next::Refuse("a redirect without a readable Location header".into())
        );
        let long = format!("https://evil.example/{}", "a".repeat(100_000));
        assert!(refusal(decide(302, &long, Method::GET, true, 0)).len() < 512);
    }
}
