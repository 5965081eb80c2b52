//! Every request under the prefix: routes from the spec's operation table
//! (`crate::common::routes`), then auth, fair use and the partner permission, the spec's
//! schemas, and the operation's handler (`handlers.rs`); errors in `problem.rs`.

use std::collections::BTreeMap;

use api_core::spec::OperationSpec;
use axum::Router;
use axum::body::Bytes;
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

pub(super) use super::problem::{FieldError, Problem};
use super::{Fl3xxHandle, PREFIX};
use crate::RecordedRequest;
use crate::common::routes::{Emulator, Incoming, spec_routes};
use crate::common::window::{Hit, Window};
use crate::common::wire::json_response;
use crate::generated::fl3xx as spec;
use crate::schema::Leniency;

/// The header naming the partner application.
const CLIENT_ID: &str = "x-api-client-id";
/// The header carrying the operator token.
const AUTH_TOKEN: &str = "x-auth-token";

const UNAUTHORIZED: &str = "Invalid client id or token";
const FAIR_USE: &str = "Rate limit exceeded: fair use policy";
const PARTNER_DENIED: &str = "Access denied: partner permission missing";

/// What an endpoint answers: a response, or a Spring-style error.
pub(super) type Answer = Result<Response, Problem>;

/// The query parameters of a request, percent-decoded, in order.
#[derive(Debug, Default)]
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: Option<&str>) -> Query {
        Query(crate::common::wire::pairs(query.unwrap_or("")))
    }

    /// The page a list asks for: `limit` (else `default_limit`) and `offset` (else 0). The
    /// spec's schema check has refused, before any handler runs, a value that is not a
    /// whole number within the operation's bounds.
    pub(super) fn page(&self, default_limit: usize) -> (usize, usize) {
        let number = |name| self.get(name).and_then(|v| v.trim().parse::<usize>().ok());
        (
            number("limit").unwrap_or(default_limit),
            number("offset").unwrap_or(0),
        )
    }

    /// The first value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(super) fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request, as the endpoints see it.
pub(super) struct Req<'a> {
    parts: &'a Parts,
    pub(super) query: Query,
    body: &'a [u8],
    /// The index of the operator whose token the request carries.
    pub(super) operator: usize,
    /// The path parameters, by the spec's names.
    params: &'a BTreeMap<String, String>,
    /// Now, on the sandbox's clock, to the millisecond.
    pub(super) now: time::OffsetDateTime,
}

impl Req<'_> {
    /// A path parameter (the route has every one its template names).
    pub(super) fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// The JSON body: 400 when there is none or it does not parse, 415 when the
    /// `Content-Type` is not JSON.
    pub(super) fn json(&self) -> Result<Value, Problem> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Problem::bad_request("Required request body is missing"));
        }
        let content_type = self
            .parts
            .headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let is_json = content_type.as_deref().is_some_and(|ct| {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
        if !is_json {
            let shown = content_type.unwrap_or_else(|| "application/octet-stream".to_owned());
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Type '{shown}' is not supported"),
            ));
        }
        serde_json::from_slice(self.body)
            .map_err(|_| Problem::bad_request("Malformed JSON request body"))
    }

    /// The JSON body, which must be an object.
    pub(super) fn json_object(&self) -> Result<Map<String, Value>, Problem> {
        match self.json()? {
            Value::Object(fields) => Ok(fields),
            _ => Err(Problem::bad_request("Malformed JSON request body")),
        }
    }

    /// True when the request has a body.
    pub(super) fn has_body(&self) -> bool {
        !self.body.iter().all(u8::is_ascii_whitespace)
    }
}

/// Every route under the prefix: the spec's operations, and the provider's 404 elsewhere.
pub(super) fn routes(handle: Fl3xxHandle) -> Router {
    spec_routes(PREFIX, spec::OPERATIONS, handle, |router| router)
}

impl Emulator for Fl3xxHandle {
    const SPEC: &'static str = "fl3xx";
    const LENIENCY: Leniency = Leniency::JACKSON;

    async fn operation(&self, operation: &'static OperationSpec, request: Incoming) -> Response {
        self.call(operation, &request)
    }

    fn not_found(&self, parts: Parts, _body: Bytes) -> Response {
        let path = relative(&parts);
        if let Err(refused) = self.admit(&parts.headers, path.starts_with(V1_PREFIX)) {
            return refused.into_response(path);
        }
        let message = format!("No endpoint {} {path}.", parts.method);
        Problem::not_found(message).into_response(path)
    }

    fn method_not_allowed(&self, parts: Parts, allowed: &[Method]) -> Response {
        let path = relative(&parts);
        if let Err(refused) = self.admit(&parts.headers, path.starts_with(V1_PREFIX)) {
            return refused.into_response(path);
        }
        method_not_allowed(&parts.method, allowed, path)
    }

    fn too_large(&self, parts: &Parts) -> Response {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            .into_response(relative(parts))
    }

    fn record(&self, request: RecordedRequest) {
        self.state().requests.push(request);
    }

    fn faults(&self) -> crate::Faults {
        Self::faults(self)
    }
}

/// Where API v1 (`X-Auth-Token` alone) lives: the paths a 404 or 405 authenticates as v1
/// (an operation's own credentials say it for the paths the spec has).
const V1_PREFIX: &str = "/api/external/";

/// The path below the prefix (`/` for the prefix itself).
fn relative(parts: &Parts) -> &str {
    let path = parts.uri.path();
    match path.strip_prefix(PREFIX).unwrap_or(path) {
        "" => "/",
        relative => relative,
    }
}

/// Why a request gets no further than its credentials.
enum Refusal {
    /// 401: a wrong client id or token.
    Unauthorized,
    /// 403 with `Retry-After`: past the fair-use limit.
    FairUse { retry_after_secs: u64 },
}

impl Refusal {
    fn into_response(self, path: &str) -> Response {
        match self {
            Refusal::Unauthorized => {
                Problem::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED).into_response(path)
            }
            Refusal::FairUse { retry_after_secs } => {
                let mut response =
                    Problem::new(StatusCode::FORBIDDEN, FAIR_USE).into_response(path);
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
        }
    }
}

/// The outcome of counting one request against its token's window.
enum FairUse {
    Allowed,
    Exceeded { retry_after_secs: u64 },
}

impl Fl3xxHandle {
    /// A call of `operation`: auth (API v1 takes the token alone), fair use, the partner
    /// permission, the spec's schemas, then the handler.
    fn call(&self, operation: &'static OperationSpec, request: &Incoming) -> Response {
        let parts = &request.parts;
        let path = relative(parts);
        let token_only = !operation.credentials.contains(&spec::CLIENT_ID_SCHEME);
        let operator = match self.admit(&parts.headers, token_only) {
            Ok(operator) => operator,
            Err(refused) => return refused.into_response(path),
        };
        // The partner area (`/api/v2/partners/...`) needs the partner permission, which
        // only the first operator's connection has.
        if operation.path.starts_with("/api/v2/partners/") && operator > 0 {
            return Problem::new(StatusCode::FORBIDDEN, PARTNER_DENIED).into_response(path);
        }
        let req = Req {
            parts,
            query: Query::parse(parts.uri.query()),
            body: &request.body,
            operator,
            params: &request.params,
            now: super::now_ms(self.clock()),
        };
        let violations = request.violations(operation);
        if !violations.is_empty() {
            let own =
                spec::dispatch(&mut self.state().scratch(), operation, &req).and_then(Result::err);
            return Problem::refusing(operation, &violations, own).into_response(path);
        }
        let answer = {
            let mut state = self.state();
            spec::dispatch(&mut *state, operation, &req)
                .unwrap_or_else(|| Err(Problem::not_found("No such operation")))
        };
        answer.unwrap_or_else(|problem| problem.into_response(path))
    }

    /// The operator of an authenticated request within its fair use, or the refusal.
    fn admit(&self, headers: &HeaderMap, token_only: bool) -> Result<usize, Refusal> {
        let operator = if token_only {
            self.authenticate_token(headers)
        } else {
            self.authenticate(headers)
        };
        let operator = operator.ok_or(Refusal::Unauthorized)?;
        if let FairUse::Exceeded { retry_after_secs } = self.hit(operator) {
            return Err(Refusal::FairUse { retry_after_secs });
        }
        Ok(operator)
    }

    /// The index of the operator whose token the request carries, when the client id is
    /// right too.
    fn authenticate(&self, headers: &HeaderMap) -> Option<usize> {
        let header = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        if header(CLIENT_ID) != Some(self.config().client_id.as_str()) {
            return None;
        }
        let token = header(AUTH_TOKEN)?;
        self.operator_of(token)
    }

    /// The index of the operator whose token the request carries, whatever the client id
    /// (API v1 takes the token alone).
    fn authenticate_token(&self, headers: &HeaderMap) -> Option<usize> {
        let token = headers
            .get(AUTH_TOKEN)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)?;
        self.operator_of(token)
    }

    /// The index of the operator of `token`, unless the token was revoked.
    fn operator_of(&self, token: &str) -> Option<usize> {
        if self.inner.revoked.contains(token) {
            return None;
        }
        self.state().operator_index(token)
    }

    /// Counts one request against operator `operator`'s fixed window.
    fn hit(&self, operator: usize) -> FairUse {
        let config = self.config();
        let now = self.clock().instant();
        let mut state = self.state();
        let window = state.windows.entry(operator).or_insert(Window::new(now));
        match window.hit(now, config.fair_use_limit, config.fair_use_window) {
            Hit::Allowed { .. } => FairUse::Allowed,
            Hit::Exceeded { retry_after_secs } => FairUse::Exceeded { retry_after_secs },
        }
    }
}

/// 405 with `Allow` listing `methods`.
fn method_not_allowed(method: &Method, methods: &[Method], path: &str) -> Response {
    let message = format!("Request method '{method}' is not supported");
    let mut response = Problem::new(StatusCode::METHOD_NOT_ALLOWED, message).into_response(path);
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(allow) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
}

// ---------------------------------------------------------------------------------------
// Answers

/// The list envelope `{"data": items}`.
#[derive(Serialize)]
pub(super) struct Envelope<T> {
    data: Vec<T>,
}

/// `{"data": items}`.
pub(super) fn data<T: Serialize>(items: Vec<T>) -> Envelope<T> {
    Envelope { data: items }
}

/// HTTP 200 with `body`.
pub(super) fn ok(body: &impl Serialize) -> Answer {
    Ok(json_response(StatusCode::OK, body))
}

/// HTTP 201 with `body`.
pub(super) fn created(body: &impl Serialize) -> Answer {
    Ok(json_response(StatusCode::CREATED, body))
}

/// HTTP 204, no body.
pub(super) fn no_content() -> Answer {
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_queries() {
        let query = Query::parse(Some("filter=a%2Cb&limit=10&ids=1&ids=2&flag"));
        assert_eq!(query.get("filter"), Some("a,b"));
        assert_eq!(query.get("limit"), Some("10"));
        assert_eq!(query.get("flag"), Some(""));
        assert_eq!(query.get("nope"), None);
        assert_eq!(query.all("ids").collect::<Vec<_>>(), ["1", "2"]);
    }
}
