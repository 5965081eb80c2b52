//! What the provider crates' tests share, written once: a one-route mock server, reading a
//! recorded request, the input or API error of a refused call, and proptest's settings and the
//! path-breaking strings every provider's property tests throw at its path parameters.
//!
//! A dev-dependency only (`publish = false`): `cargo publish` drops a path dev-dependency
//! without a version, so the provider crates publish without it.

use api_core::{ApiError, Error, ErrorDecoder, FieldErrors, InvalidInput, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError};
use serde::de::DeserializeOwned;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A mock server answering `verb route` with `answer` (and 404 to anything else).
pub async fn serve(verb: &str, route: &str, answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

/// A request's header as text, when present and visible ASCII.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The one request `server` received (the test fails on none or more).
pub async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1, "expected exactly one request");
    received.remove(0)
}

/// The requests `server` received.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The input error of a refused call; the test fails on success or another error.
#[track_caller]
pub fn invalid<T: std::fmt::Debug>(result: Result<T, Error>) -> InvalidInput {
    match result {
        Err(Error::InvalidInput(input)) => *input,
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// The API error of a failed call; the test fails on success or another error.
#[track_caller]
pub fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> ApiError {
    match result {
        Err(Error::Api(error)) => *error,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The per-field messages of a failed call; the test fails when there are none.
#[track_caller]
pub fn field_errors<T>(result: &Result<T, Error>) -> FieldErrors {
    match result.as_ref().err().and_then(Error::field_errors) {
        Some(fields) => fields.clone(),
        None => panic!("expected field errors"),
    }
}

/// Asserts a request's method, path and query (`None`: no query at all).
#[track_caller]
pub fn assert_target(request: &Request, verb: &str, route: &str, query: Option<&str>) {
    assert_eq!(request.method.as_str(), verb);
    assert_eq!(request.url.path(), route);
    assert_eq!(request.url.query(), query);
}

/// What `decoder` makes of an error answer with `status` and `body` to `provider`'s
/// `operation` (the test fails on a status outside 100–999).
#[track_caller]
pub fn decoded(
    decoder: &dyn ErrorDecoder,
    provider: &'static str,
    operation: &'static str,
    status: u16,
    body: &str,
) -> ApiError {
    let Ok(status) = StatusCode::from_u16(status) else {
        panic!("not an HTTP status: {status}");
    };
    api_core::decode_error_body(decoder, provider, operation, status, body.as_bytes())
}

/// The field an `InvalidInput` names, or `None` for `Ok`; any other error fails the case.
pub fn invalid_field<T>(result: Result<T, Error>) -> Result<Option<String>, TestCaseError> {
    match result {
        Ok(_) => Ok(None),
        Err(Error::InvalidInput(input)) => Ok(Some(input.field)),
        Err(other) => Err(TestCaseError::fail(format!("not InvalidInput: {other:?}"))),
    }
}

/// Explicit proptest settings, whatever `PROPTEST_CASES` says; no regression files.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Strings built to break paths: separators, dots, escapes, spaces, non-ASCII; `escape` is a
/// traversal into the provider's own API, which must stay one encoded segment.
pub fn nasty(escape: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        "[/.%?#&=+; a-zA-Z0-9é€😀\\\\{}]{0,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e%2E".to_owned()),
        Just(escape.to_owned()),
        any::<String>(),
    ]
}

/// The one request a call answered by a catch-all 404 sent: `error` must be that 404 and
/// `received` hold exactly one request more than the `before` received earlier.
pub fn sent_once<'r>(
    error: Option<&Error>,
    received: &'r [Request],
    before: usize,
) -> Result<&'r Request, TestCaseError> {
    prop_assert_eq!(
        error.and_then(Error::status).map(|s| s.as_u16()),
        Some(404),
        "{:?}",
        error
    );
    prop_assert_eq!(received.len(), before + 1);
    received
        .get(before)
        .ok_or_else(|| TestCaseError::fail("no request"))
}

/// Checks a request's path against `template`, segment by segment: a segment that `values`
/// names (`("X", id)`) must percent-decode to its value, any other must be the same.
pub fn check_segments(
    path: &str,
    template: &str,
    values: &[(&str, &str)],
) -> Result<(), TestCaseError> {
    let want: Vec<&str> = template.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    prop_assert_eq!(got.len(), want.len(), "{}", path);
    for (got, want) in got.iter().zip(&want) {
        let decoded = percent_decode(got);
        match values.iter().find(|(name, _)| name == want) {
            Some((_, value)) => prop_assert_eq!(decoded.as_deref(), Some(*value)),
            None => prop_assert_eq!(got, want),
        }
    }
    Ok(())
}

/// What `digits` decodes to, written as a JSON string and as a JSON number alike; the test
/// fails when either does not decode or the two differ.
#[track_caller]
pub fn string_or_number<T>(digits: &str) -> T
where
    T: DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let read = |json: String| match serde_json::from_str::<T>(&json) {
        Ok(value) => value,
        Err(error) => panic!("{json} does not decode: {error}"),
    };
    let quoted = read(format!("\"{digits}\""));
    assert_eq!(
        quoted,
        read(digits.to_owned()),
        "as a string and as a number"
    );
    quoted
}

/// `value` as JSON text (the test fails when it does not serialize).
#[track_caller]
pub fn json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(text) => text,
        Err(error) => panic!("does not serialize: {error}"),
    }
}

/// `text` with its `%XX` escapes decoded; `None` for a broken escape or bytes that are not
/// UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The transport error's kind, or a panic naming what came instead.
#[track_caller]
pub fn transport_kind(error: &Error) -> api_core::TransportErrorKind {
    match error {
        Error::Transport(transport) => transport.kind,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Asserts that `error` is a transport error of `kind` (`Request`: the request may have gone,
/// and a side effect is not repeated; `Body`: the answer could not be read), showing the
/// error when it is not.
#[track_caller]
pub fn assert_transport(error: &Error, kind: api_core::TransportErrorKind) {
    assert_eq!(transport_kind(error), kind, "{error}");
}

/// Asserts that a revoked credential was refused at once: `error` is the provider's 401
/// saying `message`, `secret` (the credential the server refused) appears in neither its
/// `Display` nor its `Debug`, and the server saw one call that worked and one refused, never
/// repeated (`statuses`, what it answered in order: `[200, 401]`).
#[track_caller]
pub fn assert_refused_at_once(error: &Error, message: &str, secret: &str, statuses: &[u16]) {
    assert_eq!(
        statuses,
        [200, 401],
        "one call before the revocation, one after"
    );
    assert_eq!(
        error.kind(),
        Some(api_core::ErrorKind::Unauthorized),
        "{error:?}"
    );
    assert_eq!(
        error.as_api().and_then(|a| a.message.as_deref()),
        Some(message)
    );
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

/// POSTs `body` as JSON to `url` (a sandbox's admin or trigger route, plain HTTP) and reads the
/// answer as JSON; a panic naming the step that failed.
pub async fn post_json(url: &str, body: &serde_json::Value) -> serde_json::Value {
    api_core::tls::install_default_provider();
    let bytes = api_core::reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("an answer");
    serde_json::from_slice(&bytes).expect("a JSON answer")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%C3%A9").as_deref(), Some("a/bé"));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn error_bodies_are_decoded() {
        let error = decoded(&api_core::JsonErrorDecoder, "test", "op", 404, "{}");
        assert_eq!((error.provider, error.status.as_u16()), ("test", 404));
    }

    #[test]
    fn strings_and_numbers_decode_alike() {
        let id: api_core::Id = string_or_number("5001");
        assert_eq!(json(&id), "\"5001\"");
    }

    #[test]
    #[should_panic(expected = "as a string and as a number")]
    fn a_string_and_a_number_that_differ_fail() {
        string_or_number::<serde_json::Value>("1");
    }

    #[test]
    fn segments_are_checked() {
        let values = [("C", "a/b"), ("X", "..")];
        assert!(check_segments("/c/a%2Fb/x/%2E%2E", "/c/C/x/X", &values).is_ok());
        assert!(check_segments("/c/a/b/x/..", "/c/C/x/X", &values).is_err());
        assert!(check_segments("/d/a%2Fb/x/%2E%2E", "/c/C/x/X", &values).is_err());
        assert!(sent_once(None, &[], 0).is_err());
    }

    #[test]
    fn input_errors_are_read() {
        let refused: Result<(), Error> = Err(Error::invalid_input("limit", "too small"));
        assert_eq!(invalid(refused).field, "limit");
        assert_eq!(invalid_field::<()>(Ok(())).ok(), Some(None));
    }

    #[test]
    fn api_errors_are_read() {
        let mut error = ApiError::new("test", "op", api_core::StatusCode::UNPROCESSABLE_ENTITY);
        error.field_errors.insert("id".into(), vec!["taken".into()]);
        let failed: Result<(), Error> = Err(Error::from(error));
        assert_eq!(field_errors(&failed)["id"], ["taken"]);
        assert_eq!(api_error(failed).status.as_u16(), 422);
    }

    #[test]
    #[should_panic(expected = "expected an API error")]
    fn an_input_error_is_not_an_api_error() {
        api_error::<()>(Err(Error::invalid_input("id", "blank")));
    }

    #[test]
    #[should_panic(expected = "expected field errors")]
    fn an_input_error_has_no_field_errors() {
        field_errors::<()>(&Err(Error::invalid_input("id", "blank")));
    }
}
