//! Every request under the prefix: auth, fair use, routing, Spring-style errors, and the
//! dispatch to each endpoint.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::{
    Fl3xxHandle, PREFIX, State as Data, Window, airports, crew, flights, fuel, v1, webhooks,
};
use crate::RecordedRequest;

/// Largest request body read; a larger one is answered 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The header naming the partner application.
const CLIENT_ID: &str = "x-api-client-id";
/// The header carrying the operator token.
const AUTH_TOKEN: &str = "x-auth-token";

const UNAUTHORIZED: &str = "Invalid client id or token";
const FAIR_USE: &str = "Rate limit exceeded: fair use policy";
const PARTNER_DENIED: &str = "Access denied: partner permission missing";

/// What an endpoint answers: a response, or a Spring-style error.
pub(super) type Answer = Result<Response, Problem>;

/// An error answer, before the request path is known to it.
#[derive(Debug)]
pub(super) struct Problem {
    status: StatusCode,
    message: String,
    errors: Option<Vec<FieldError>>,
}

/// One entry of `errors` in a 422 answer.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FieldError {
    pub(super) field: String,
    pub(super) message: &'static str,
}

impl Problem {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
            errors: None,
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message)
    }

    pub(super) fn not_found(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, message)
    }

    /// 422 `Validation failed` with `errors`.
    pub(super) fn invalid(errors: Vec<FieldError>) -> Problem {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "Validation failed".to_owned(),
            errors: Some(errors),
        }
    }

    /// The Spring-style body `{"status","error","message"[,"errors"],"path"}`.
    fn into_response(self, path: &str) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            status: u16,
            error: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            errors: Option<&'a [FieldError]>,
            path: &'a str,
        }
        let body = Body {
            status: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or(""),
            message: &self.message,
            errors: self.errors.as_deref(),
            path,
        };
        json_response(self.status, &body)
    }
}

/// The query parameters of a request, percent-decoded, in order.
#[derive(Debug, Default)]
pub(super) struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: Option<&str>) -> Query {
        Query(
            query
                .unwrap_or("")
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (percent_decode(name, true), percent_decode(value, true))
                })
                .collect(),
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
}

impl Req<'_> {
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

/// The emulated endpoints, with their path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Airport(String),
    Flights,
    FlightPermits(String),
    FlightSlots(String),
    Permit(String),
    Slot(String),
    AirportFuelPrices(String),
    FuelPrices,
    FuelPrice(String),
    Subscriptions,
    Subscription(String),
    Renewals(String),
    Qualifications,
    Qualification(String),
    QualificationTypes,
    QualificationType(String),
}

impl Route {
    /// The endpoint at `path` (relative to the prefix).
    fn at(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/api/v2/")?;
        let segments: Vec<String> = rest.split('/').map(|s| percent_decode(s, false)).collect();
        if segments.iter().any(String::is_empty) {
            return None;
        }
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let id = |i: usize| s[i].to_owned();
        Some(match s.as_slice() {
            ["airports", _] => Route::Airport(id(1)),
            ["flights"] => Route::Flights,
            ["flights", _, "permits"] => Route::FlightPermits(id(1)),
            ["flights", _, "slots-pprs"] => Route::FlightSlots(id(1)),
            ["flight-permits", _] => Route::Permit(id(1)),
            ["flight-slots-pprs", _] => Route::Slot(id(1)),
            ["partners", "airports", _, "fuel-prices"] => Route::AirportFuelPrices(id(2)),
            ["partners", "airport-fuel-prices"] => Route::FuelPrices,
            ["partners", "airport-fuel-prices", _] => Route::FuelPrice(id(2)),
            ["webhooks", "subscriptions"] => Route::Subscriptions,
            ["webhooks", "subscriptions", _] => Route::Subscription(id(2)),
            ["webhooks", "subscriptions", _, "renewals"] => Route::Renewals(id(2)),
            ["external", "crew-qualifications"] => Route::Qualifications,
            ["external", "crew-qualifications", _] => Route::Qualification(id(2)),
            ["external", "qualification-types"] => Route::QualificationTypes,
            ["external", "qualification-types", _] => Route::QualificationType(id(2)),
            ["qualification-types", _] => Route::QualificationType(id(1)),
            _ => return None,
        })
    }

    /// The methods the endpoint answers.
    fn methods(&self) -> &'static [Method] {
        match self {
            Route::AirportFuelPrices(_) => &[Method::GET, Method::PUT, Method::DELETE],
            Route::FuelPrices => &[Method::DELETE],
            Route::FuelPrice(_) => &[Method::PUT],
            Route::Subscriptions | Route::Qualifications => &[Method::GET, Method::POST],
            Route::Subscription(_) | Route::Qualification(_) => {
                &[Method::GET, Method::PATCH, Method::DELETE]
            }
            Route::Renewals(_) => &[Method::POST],
            _ => &[Method::GET],
        }
    }

    /// The `/api/v2/partners/...` endpoints, which need the partner permission.
    fn is_partner(&self) -> bool {
        matches!(
            self,
            Route::AirportFuelPrices(_) | Route::FuelPrices | Route::FuelPrice(_)
        )
    }
}

/// The handler of every path under the prefix (so that every request is recorded).
pub(super) async fn serve(State(handle): State<Fl3xxHandle>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let relative = match path.strip_prefix(PREFIX).unwrap_or(&path) {
        "" => "/",
        relative => relative,
    };
    let (body, response) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => {
            let response = handle.answer(&parts, relative, &body);
            (body, response)
        }
        Err(_) => (
            Bytes::new(),
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
                .into_response(relative),
        ),
    };
    handle.state().requests.push(RecordedRequest {
        method: parts.method.to_string(),
        path,
        headers: recorded_headers(&parts.headers),
        body: body.to_vec(),
        status: response.status().as_u16(),
    });
    response
}

/// The outcome of counting one request against its token's window.
enum FairUse {
    Allowed,
    Exceeded { retry_after_secs: u64 },
}

impl Fl3xxHandle {
    /// Answers one request: auth, fair use, route, method, permission, then the endpoint.
    /// API v1 (`/api/external/...`) takes the token alone and shares the fair-use window.
    fn answer(&self, parts: &Parts, path: &str, body: &[u8]) -> Response {
        let is_v1 = path.starts_with(v1::PATH_PREFIX);
        let operator = if is_v1 {
            self.authenticate_token(&parts.headers)
        } else {
            self.authenticate(&parts.headers)
        };
        let Some(operator) = operator else {
            return Problem::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED).into_response(path);
        };
        if let FairUse::Exceeded { retry_after_secs } = self.hit(operator) {
            let mut response = Problem::new(StatusCode::FORBIDDEN, FAIR_USE).into_response(path);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        let no_endpoint = || {
            let message = format!("No endpoint {} {path}.", parts.method);
            Problem::not_found(message).into_response(path)
        };
        if is_v1 {
            let Some(route) = v1::Route::at(path) else {
                return no_endpoint();
            };
            if parts.method != Method::GET {
                return method_not_allowed(&parts.method, &[Method::GET], path);
            }
            let query = Query::parse(parts.uri.query());
            let answer = {
                let state = self.state();
                v1::answer(&state.operators[operator], &route, &query)
            };
            return answer.unwrap_or_else(|problem| problem.into_response(path));
        }
        let Some(route) = Route::at(path) else {
            return no_endpoint();
        };
        let methods = route.methods();
        if !methods.contains(&parts.method) {
            return method_not_allowed(&parts.method, methods, path);
        }
        if route.is_partner() && operator > 0 {
            return Problem::new(StatusCode::FORBIDDEN, PARTNER_DENIED).into_response(path);
        }
        let req = Req {
            parts,
            query: Query::parse(parts.uri.query()),
            body,
        };
        let answer = {
            let mut state = self.state();
            dispatch(&mut state, operator, &route, &parts.method, &req)
        };
        answer.unwrap_or_else(|problem| problem.into_response(path))
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
        self.state().operator_index(token)
    }

    /// The index of the operator whose token the request carries, whatever the client id
    /// (API v1 takes the token alone).
    fn authenticate_token(&self, headers: &HeaderMap) -> Option<usize> {
        let token = headers
            .get(AUTH_TOKEN)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)?;
        self.state().operator_index(token)
    }

    /// Counts one request against operator `operator`'s fixed window.
    fn hit(&self, operator: usize) -> FairUse {
        let config = self.config();
        let now = Instant::now();
        let mut state = self.state();
        let window = state.windows.entry(operator).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= config.fair_use_window {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= config.fair_use_limit {
            let left = (window.started + config.fair_use_window).saturating_duration_since(now);
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return FairUse::Exceeded {
                retry_after_secs: secs.max(1),
            };
        }
        window.count += 1;
        FairUse::Allowed
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

/// Calls the endpoint of `route` for `method` (one of its methods).
fn dispatch(data: &mut Data, op: usize, route: &Route, method: &Method, req: &Req) -> Answer {
    let Data {
        operators,
        next_subscription,
        next_fuel_price,
        next_qualification,
        ..
    } = data;
    let operator = &mut operators[op];
    match (route, method.as_str()) {
        (Route::Airport(code), _) => airports::find(code)
            .map(|a| ok(&a.wire()))
            .unwrap_or_else(|| Err(Problem::not_found("Airport not found"))),
        (Route::Flights, _) => flights::list(operator, &req.query),
        (Route::FlightPermits(id), _) => flights::permits(operator, id),
        (Route::FlightSlots(id), _) => flights::slots(operator, id),
        (Route::Permit(id), _) => flights::permit_by_id(operator, id),
        (Route::Slot(id), _) => flights::slot_by_id(operator, id),
        (Route::AirportFuelPrices(code), "GET") => fuel::list(operator, code),
        (Route::AirportFuelPrices(code), "PUT") => fuel::put(operator, next_fuel_price, code, req),
        (Route::AirportFuelPrices(code), _) => fuel::delete_airport(operator, code),
        (Route::FuelPrices, _) => fuel::delete_many(operator, req),
        (Route::FuelPrice(id), _) => fuel::update(operator, id, req),
        (Route::Subscriptions, "GET") => webhooks::list(operator),
        (Route::Subscriptions, _) => webhooks::create(operator, next_subscription, req),
        (Route::Subscription(id), "GET") => webhooks::get(operator, id),
        (Route::Subscription(id), "PATCH") => webhooks::patch(operator, id, req),
        (Route::Subscription(id), _) => webhooks::delete(operator, id),
        (Route::Renewals(id), _) => webhooks::renew(operator, id),
        (Route::Qualifications, "GET") => crew::list(operator, &req.query),
        (Route::Qualifications, _) => crew::create(operator, next_qualification, req),
        (Route::Qualification(id), "GET") => crew::get(operator, id),
        (Route::Qualification(id), "PATCH") => crew::patch(operator, id, req),
        (Route::Qualification(id), _) => crew::delete(operator, id),
        (Route::QualificationTypes, _) => crew::types(&req.query),
        (Route::QualificationType(id), _) => crew::type_by_id(id),
    }
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

/// A JSON answer.
fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are) and, when `plus_as_space`,
/// `+` as a space.
pub(super) fn percent_decode(text: &str, plus_as_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_as_space => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The headers of a request, by lowercased name.
fn recorded_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut recorded: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        recorded
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    recorded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_emulated_paths() {
        assert_eq!(Route::at("/api/v2/flights"), Some(Route::Flights));
        assert_eq!(
            Route::at("/api/v2/airports/LOWW"),
            Some(Route::Airport("LOWW".into()))
        );
        assert_eq!(
            Route::at("/api/v2/partners/airports/VIE/fuel-prices"),
            Some(Route::AirportFuelPrices("VIE".into()))
        );
        assert_eq!(
            Route::at("/api/v2/webhooks/subscriptions/WS-1/renewals"),
            Some(Route::Renewals("WS-1".into()))
        );
        assert_eq!(
            Route::at("/api/v2/qualification-types/1"),
            Some(Route::QualificationType("1".into()))
        );
        assert_eq!(
            Route::at("/api/v2/external/qualification-types/2"),
            Some(Route::QualificationType("2".into()))
        );
        assert_eq!(
            Route::at("/api/v2/flights/50%2001/permits"),
            Some(Route::FlightPermits("50 01".into()))
        );
        for unknown in [
            "/",
            "/api/v2",
            "/api/v2/",
            "/api/v2/flights/",
            "/api/v2/flight",
            "/api/v1/flights",
            "/api/v2/airports",
            "/api/v2/qualification-types",
            "/api/v2/webhooks/subscriptions/WS-1/deliveries",
            "/api/external/flight/flights",
        ] {
            assert_eq!(Route::at(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%2Cb%3A1+2", true), "a,b:1 2");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz%4", true), "%zz%4");
        assert_eq!(percent_decode("%E2%82%AC", true), "€");
    }

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
