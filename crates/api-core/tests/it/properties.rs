//! Property tests of path and query building, `Id` and the loopback check.
//!
//! The path properties send real requests to a raw loopback server and read the request line
//! it received: whatever a path parameter holds (`/`, `..`, `%`, `?`, `#`, spaces,
//! non-ASCII), the request either reaches the server with exactly the template's segments,
//! the parameter's one percent-decoding to the input, or is refused with a typed
//! `InvalidInput` before anything is sent.

use crate::common;

use std::net::{Ipv4Addr, Ipv6Addr};

use api_core::{Error, Id, Method, Request, Transport, Url, is_loopback};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

use common::{RawServer, Reply, http_response};

/// Explicit settings, whatever `PROPTEST_CASES` says; no regression files.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Strings built to break paths and queries: separators, dots, escapes, spaces, non-ASCII.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[/.%?#&=+; a-zA-Z0-9é€😀\\\\{}]{0,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e%2E".to_owned()),
        Just(".%2e".to_owned()),
        Just("../../etc".to_owned()),
        any::<String>(),
    ]
}

/// Decodes `%XX` escapes (the server's one decoding of a segment).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A segment as it must look on the wire: RFC 3986 `pchar`s only (no `/`, `?`, `#`, and `%`
/// only as an escape).
fn is_clean_segment(segment: &str) -> bool {
    let b = segment.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                i += 3
            }
            c if c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

#[test]
fn path_params_never_change_the_request_structure() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(RawServer::start(|_| {
        Reply::Bytes(http_response("200 OK", "application/json", b"{}"))
    }));
    let transport = Transport::builder("test", &format!("{}/api/v1", server.uri()))
        .build()
        .expect("transport");

    let mut runner = TestRunner::new(config(128));
    runner
        .run(&(nasty(), nasty()), |(first, second)| {
            let before = server.requests().len();
            let request = Request::new(Method::GET, "/owners/{owner}/items/{item}")
                .path_param("owner", &first)
                .and_then(|r| r.path_param("item", &second));
            let request = match request {
                Ok(request) => request,
                Err(Error::InvalidInput(e)) => {
                    // Refused: only what cannot be a segment (blank, `.`, `..`).
                    let bad = |v: &str| v.trim().is_empty() || v == "." || v == "..";
                    prop_assert!(bad(&first) || bad(&second), "{e:?}");
                    prop_assert!(e.field == "owner" || e.field == "item");
                    return Ok(());
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            };
            runtime
                .block_on(transport.send::<serde_json::Value>(request))
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let requests = server.requests();
            prop_assert_eq!(requests.len(), before + 1);
            let raw = String::from_utf8_lossy(&requests[before]).into_owned();
            let target = raw
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("GET "))
                .and_then(|l| l.strip_suffix(" HTTP/1.1"))
                .ok_or_else(|| TestCaseError::fail(format!("request line of {raw}")))?;
            prop_assert!(!target.contains('?') && !target.contains('#'), "{target}");
            let segments: Vec<&str> = target.split('/').collect();
            prop_assert_eq!(segments.len(), 7, "{}", target);
            let fixed = [
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                segments[5],
            ];
            prop_assert_eq!(fixed, ["", "api", "v1", "owners", "items"]);
            for (segment, input) in [(segments[4], &first), (segments[6], &second)] {
                prop_assert!(is_clean_segment(segment), "{}", segment);
                let decoded = percent_decode(segment);
                prop_assert_eq!(decoded.as_ref(), Some(input));
            }
            Ok(())
        })
        .expect("property");
}

#[test]
fn query_values_arrive_as_exactly_one_pair_each() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(RawServer::start(|_| {
        Reply::Bytes(http_response("200 OK", "application/json", b"{}"))
    }));
    let transport = Transport::builder("test", &server.uri())
        .build()
        .expect("transport");

    let mut runner = TestRunner::new(config(64));
    runner
        .run(&(nasty(), nasty()), |(filter, cursor)| {
            let before = server.requests().len();
            let request = Request::new(Method::GET, "/items")
                .query("filter", &filter)
                .query("cursor", &cursor);
            runtime
                .block_on(transport.send::<serde_json::Value>(request))
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let raw = String::from_utf8_lossy(&server.requests()[before]).into_owned();
            let target = raw
                .lines()
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or_default()
                .to_owned();
            let url = Url::parse(&format!("http://host{target}"))
                .map_err(|e| TestCaseError::fail(format!("{target}: {e}")))?;
            prop_assert_eq!(url.path(), "/items");
            prop_assert_eq!(url.fragment(), None);
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            prop_assert_eq!(
                pairs,
                vec![("filter".to_owned(), filter), ("cursor".to_owned(), cursor)]
            );
            Ok(())
        })
        .expect("property");
}

proptest! {
    #![proptest_config(config(256))]

    /// Built without a network: never panics, refuses exactly the blank values and the dot
    /// segments, and otherwise writes one clean segment that decodes to the input.
    #[test]
    fn path_param_encoding(value in nasty()) {
        let result = Request::new(Method::GET, "/a/{id}/b").path_param("id", &value);
        let refused = value.trim().is_empty() || value == "." || value == "..";
        match result {
            Ok(request) => {
                prop_assert!(!refused, "{:?} was accepted", value);
                let path = request.path();
                let segment = path
                    .strip_prefix("/a/")
                    .and_then(|p| p.strip_suffix("/b"))
                    .ok_or_else(|| TestCaseError::fail(path.to_owned()))?;
                prop_assert!(is_clean_segment(segment), "{}", segment);
                prop_assert_eq!(percent_decode(segment), Some(value));
            }
            Err(Error::InvalidInput(e)) => {
                prop_assert!(refused, "{:?} was refused: {:?}", value, e);
                prop_assert_eq!(e.field.as_str(), "id");
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    /// An `Id` is text: any string or unsigned number decodes, and it always encodes as the
    /// same string.
    #[test]
    fn ids_round_trip(text in any::<String>(), number in any::<u64>()) {
        let id: Id = serde_json::from_value(serde_json::Value::String(text.clone()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&*id.text(), text.as_str());
        prop_assert_eq!(serde_json::to_value(&id).ok(), Some(serde_json::Value::String(text)));
        let id: Id = serde_json::from_str(&number.to_string())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&id, &Id::from(number));
        prop_assert_eq!(id.as_u64(), Some(number));
    }

    /// Equality, order and hash of ids are their texts', whether an id is kept as a number
    /// or as text (digit strings with and without leading zeros and signs, past `u64::MAX`).
    #[test]
    fn ids_compare_as_their_text(
        a in "[+-]?[0-9]{0,21}|[0-9a-z-]{0,30}",
        b in "[+-]?[0-9]{0,21}|[0-9a-z-]{0,30}",
        n in any::<u64>(),
    ) {
        use std::hash::BuildHasher;
        let hasher = std::collections::hash_map::RandomState::new();
        let n_text = n.to_string();
        for (x, y) in [(&a, &b), (&a, &n_text), (&n_text, &b)] {
            let (id_x, id_y) = (Id::from(x.as_str()), Id::from(y.as_str()));
            prop_assert_eq!(id_x == id_y, x == y);
            prop_assert_eq!(id_x.cmp(&id_y), x.cmp(y));
            if x == y {
                prop_assert_eq!(hasher.hash_one(&id_x), hasher.hash_one(&id_y));
            }
        }
        prop_assert_eq!(Id::from(n), Id::from(n_text));
    }

    /// `is_loopback` is exactly 127.0.0.0/8, `::1` and `localhost` (any case).
    #[test]
    fn loopback_is_exactly_the_loopback_range(
        v4 in any::<[u8; 4]>(),
        v6 in any::<[u16; 8]>(),
        name in "[a-zA-Z][a-zA-Z0-9.-]{0,20}",
    ) {
        let ip = Ipv4Addr::from(v4);
        let url = Url::parse(&format!("http://{ip}/")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(is_loopback(&url), v4[0] == 127);
        let ip = Ipv6Addr::from(v6);
        let url = Url::parse(&format!("http://[{ip}]/")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(is_loopback(&url), ip == Ipv6Addr::LOCALHOST);
        if let Ok(url) = Url::parse(&format!("http://{name}/")) {
            let host = url.host_str().unwrap_or_default().to_owned();
            let expected = host == "localhost"
                || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.octets()[0] == 127);
            prop_assert_eq!(is_loopback(&url), expected, "{}", host);
        }
    }
}
