//! Property tests (issue #16): extreme values in every header and token field that becomes a
//! duration or an instant. Whatever a server sends and whatever the clock says, parsing never
//! panics, and what comes out is within the documented bounds.

use std::time::{Duration, SystemTime};

use api_core::{
    AccessToken, Error, HeaderMap, HeaderName, HeaderValue, MAX_TOKEN_LIFETIME, RateLimitInfo,
    StatusCode, parse_retry_after, retry_after,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

/// Explicit settings, whatever `PROPTEST_CASES` says; no regression files.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Numbers as a server might write them: zero, negatives, the edges of u64 and beyond,
/// floats, NaN, infinities, exponents, padding, and any digits at all.
fn numeric_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("99999999999999999999999999999999999999".to_owned()),
        Just("1e999".to_owned()),
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("-0".to_owned()),
        Just("1.5".to_owned()),
        Just(" 42 ".to_owned()),
        Just("999999999".to_owned()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "[0-9]{1,400}",
    ]
}

/// HTTP dates from year 1 to 9999, and text that only looks like one.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Mon, 01 Jan 0001 00:00:00 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        (1970u64..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| {
            let month = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][(m - 1) as usize];
            format!("Mon, {d:02} {month} {y} 12:00:00 GMT")
        }),
        "[ -~]{0,64}",
    ]
}

/// Any "now" a clock can report: the epoch, today, the far future the platform holds.
fn now() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        Just(SystemTime::UNIX_EPOCH),
        Just(SystemTime::now()),
        any::<u64>().prop_map(|nanos| SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos)),
        (0u64..=i64::MAX as u64 / 2).prop_filter_map("beyond the platform's clock", |secs| {
            SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
        }),
    ]
}

#[test]
fn retry_after_never_panics_and_delay_seconds_are_exact() {
    TestRunner::new(config(1024))
        .run(
            &(prop_oneof![numeric_text(), date_text()], now()),
            |(text, now)| {
                let Ok(value) = HeaderValue::from_str(&text) else {
                    return Ok(());
                };
                let parsed = parse_retry_after(&value, now);
                let mut headers = HeaderMap::new();
                headers.insert("retry-after", value);
                prop_assert_eq!(retry_after(&headers, now), parsed);
                // Delay-seconds are exactly the integer written; anything else is a date or
                // nothing.
                if let Ok(seconds) = text.trim().parse::<u64>() {
                    prop_assert_eq!(parsed, Some(Duration::from_secs(seconds)));
                }
                Ok(())
            },
        )
        .expect("property");
}

#[test]
fn rate_limit_headers_never_panic_and_a_reset_beyond_the_clock_is_ignored() {
    TestRunner::new(config(1024))
        .run(
            &(numeric_text(), numeric_text(), numeric_text(), now()),
            |(limit, remaining, reset, now)| {
                let mut headers = HeaderMap::new();
                for (name, text) in [
                    ("x-ratelimit-limit", &limit),
                    ("x-ratelimit-remaining", &remaining),
                    ("x-ratelimit-reset", &reset),
                ] {
                    if let Ok(value) = HeaderValue::from_str(text) {
                        headers.insert(HeaderName::from_static(name), value);
                    }
                }
                let Some(info) = RateLimitInfo::from_headers(&headers) else {
                    return Ok(());
                };
                let wait = info.reset_after(now);
                match info.reset {
                    None => prop_assert_eq!(wait, None),
                    Some(seconds) if seconds <= 1_000_000_000 => {
                        prop_assert_eq!(wait, Some(Duration::from_secs(seconds)))
                    }
                    // A Unix time: its distance from now, or nothing when the clock cannot
                    // hold it; never more than the time itself.
                    Some(seconds) => prop_assert!(wait.is_none_or(|w| w.as_secs() <= seconds)),
                }
                Ok(())
            },
        )
        .expect("property");
}

#[test]
fn a_token_answer_expires_within_a_day_of_the_request_whatever_it_says() {
    let expires_in = prop_oneof![
        numeric_text().prop_map(serde_json::Value::String),
        numeric_text().prop_filter_map("not a JSON number", |text| {
            serde_json::from_str::<serde_json::Value>(text.trim()).ok()
        }),
        Just(serde_json::Value::Null),
        Just(serde_json::json!(true)),
        Just(serde_json::json!([])),
    ];
    TestRunner::new(config(512))
        .run(
            &(expires_in, now(), "[ -~]{0,40}"),
            |(expires_in, requested_at, token)| {
                let body = serde_json::json!({"access_token": token, "expires_in": expires_in});
                let body = serde_json::to_vec(&body).expect("json");
                match AccessToken::from_token_answer(StatusCode::OK, &body, requested_at) {
                    Ok(token) => {
                        let expires_at = token.expires_at();
                        prop_assert!(expires_at >= requested_at);
                        prop_assert!(
                            requested_at
                                .checked_add(MAX_TOKEN_LIFETIME)
                                .is_none_or(|latest| expires_at <= latest)
                        );
                    }
                    Err(Error::Auth(message)) => prop_assert!(message.len() <= 1024),
                    Err(other) => prop_assert!(false, "not an Auth error: {other:?}"),
                }
                Ok(())
            },
        )
        .expect("property");
}

#[test]
fn a_refusal_from_the_token_endpoint_is_bounded_whatever_it_holds() {
    let huge = "x".repeat(1 << 20);
    let body = serde_json::json!({"error": huge, "error_description": huge}).to_string();
    let error = AccessToken::from_token_answer(
        StatusCode::UNAUTHORIZED,
        body.as_bytes(),
        SystemTime::now(),
    )
    .expect_err("refused");
    let text = error.to_string();
    assert!(text.len() <= 1024, "{}", text.len());
    assert!(
        text.starts_with("authentication failed: token endpoint answered HTTP 401 (xxxx"),
        "{}",
        &text[..80]
    );
    assert!(format!("{error:?}").len() <= 1100);
}
