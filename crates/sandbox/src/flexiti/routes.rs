//! Every request under the prefix: routing, the bearer token, the client id, scopes, the
//! `x-reference-id` header, idempotent replays, and the dispatch to each endpoint.

use api_core::spec::OperationSpec;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::auth::{self, Api, Scope};
use super::wire::{self, Answer, Problem, Reply, Style};
use super::{FlexitiHandle, PREFIX, Replay, State as Data, accounts, online, transactions};
use crate::RecordedRequest;

/// Largest request body read; a larger one is answered 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The header every POS call needs.
const REFERENCE_ID: &str = "x-reference-id";
/// The header of idempotent POSTs.
const IDEMPOTENCY_KEY: &str = "x-idempotency-key";

/// The POS API endpoints, with their path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pos {
    I18n,
    Terms,
    WidgetInit,
    Search,
    Lookup,
    DriversLicense,
    Verify(String),
    Close(String),
    CalculateInterest(String),
    Refund(String),
    Authorize,
    Authorization(u64),
    Authorizations,
    Capture(u64),
    Release(u64),
    Return(u64, u64),
    Captures,
    Transactions,
}

impl Pos {
    /// The endpoint at `segments` (after `client-id/{id}`) of `version`. Where the docs show
    /// the version, only that one is routed; where the notes infer it (capture, release,
    /// return, refund), both are.
    fn at(version: &str, segments: &[&str]) -> Option<Pos> {
        let v25 = version == "v2.5";
        let v251 = version == "v2.5.1";
        let id = |s: &str| s.parse::<u64>().ok();
        Some(match segments {
            ["i18n"] if v25 => Pos::I18n,
            ["terms-and-conditions"] if v25 => Pos::Terms,
            ["widget", "init"] if v25 => Pos::WidgetInit,
            ["customers", "search"] if v25 => Pos::Search,
            ["customers", "lookup"] if v25 => Pos::Lookup,
            ["customers", "driverslicense"] if v25 => Pos::DriversLicense,
            ["account", n, "verify"] if v25 => Pos::Verify((*n).to_owned()),
            ["accounts", n, "close"] if v25 => Pos::Close((*n).to_owned()),
            ["accounts", n, "calculate-interest"] if v251 => {
                Pos::CalculateInterest((*n).to_owned())
            }
            ["accounts", n, "refund"] => Pos::Refund((*n).to_owned()),
            ["authorization"] if v251 => Pos::Authorize,
            ["authorization", a] if v251 => Pos::Authorization(id(a)?),
            ["authorizations"] if v251 => Pos::Authorizations,
            ["authorization", a, "capture"] => Pos::Capture(id(a)?),
            ["authorization", a, "release"] => Pos::Release(id(a)?),
            ["authorization", a, "capture", c, "return"] => Pos::Return(id(a)?, id(c)?),
            ["captures"] if v251 => Pos::Captures,
            ["transactions"] if v251 => Pos::Transactions,
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            // The docs disagree on the method of i18n (POST in one table, GET in another).
            Pos::I18n => &[Method::GET, Method::POST],
            Pos::Terms
            | Pos::Search
            | Pos::Lookup
            | Pos::Authorization(_)
            | Pos::Authorizations
            | Pos::Captures => &[Method::GET],
            _ => &[Method::POST],
        }
    }

    /// What the spec says about the endpoint's operation.
    fn spec(&self) -> &'static OperationSpec {
        use crate::generated::flexiti as ops;
        match self {
            Pos::I18n => &ops::I18N,
            Pos::Terms => &ops::TERMS_AND_CONDITIONS,
            Pos::WidgetInit => &ops::WIDGET_INIT,
            Pos::Search => &ops::SEARCH_CUSTOMERS,
            Pos::Lookup => &ops::LOOKUP_CUSTOMER,
            Pos::DriversLicense => &ops::DECODE_DRIVERS_LICENSE,
            Pos::Verify(_) => &ops::VERIFY_ACCOUNT,
            Pos::Close(_) => &ops::CLOSE_ACCOUNT,
            Pos::CalculateInterest(_) => &ops::CALCULATE_INTEREST,
            Pos::Refund(_) => &ops::REFUND_ACCOUNT,
            Pos::Authorize => &ops::CREATE_AUTHORIZATION,
            Pos::Authorization(_) => &ops::GET_AUTHORIZATION,
            Pos::Authorizations => &ops::LIST_AUTHORIZATIONS,
            Pos::Capture(_) => &ops::CAPTURE_AUTHORIZATION,
            Pos::Release(_) => &ops::RELEASE_AUTHORIZATION,
            Pos::Return(..) => &ops::RETURN_CAPTURE,
            Pos::Captures => &ops::LIST_CAPTURES,
            Pos::Transactions => &ops::POST_TRANSACTION,
        }
    }

    /// True when a token of `scope` may call the endpoint (the spec's `security`).
    fn allows(&self, scope: Scope) -> bool {
        self.spec().allows_scope(scope.name())
    }
}

/// The Online API endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Online {
    Init,
    LearnMore,
    Calculator,
    NotificationByOrder(String),
    NotificationByMerchantOrder(String),
    PaymentAvailability,
}

impl Online {
    /// The endpoint at `segments` (after `client-id/{id}`); `v2` when the path has `/v2`.
    fn at(v2: bool, segments: &[&str]) -> Option<Online> {
        Some(match segments {
            ["systems", "init"] => Online::Init,
            ["systems", "learn-more"] => Online::LearnMore,
            ["systems", "payment-calculator"] if v2 => Online::Calculator,
            ["notifications", "order-id", id] if !v2 => Online::NotificationByOrder((*id).into()),
            ["notifications", "merchant-order-id", id] if !v2 => {
                Online::NotificationByMerchantOrder((*id).into())
            }
            ["notifications", id] if !v2 => Online::NotificationByOrder((*id).into()),
            ["merchants", "payment-availability"] if !v2 => Online::PaymentAvailability,
            _ => return None,
        })
    }

    fn method(&self) -> Method {
        match self {
            Online::Init | Online::LearnMore | Online::PaymentAvailability => Method::POST,
            _ => Method::GET,
        }
    }
}

/// Every path under the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    /// `{prefix}/`: the page widget URLs point at.
    Root,
    /// `{prefix}/online/checkout/{id}`: the hosted page of an Online API order.
    Checkout(String),
    Token(Api),
    /// A path under `/flexiti/pos-api/`; `None` parts when it is not an endpoint.
    Pos {
        client: Option<String>,
        endpoint: Option<Pos>,
    },
    /// A path under `/flexiti/online-api/`.
    Online {
        client: Option<String>,
        endpoint: Option<Online>,
    },
    Unknown,
}

impl Route {
    /// The route of `path` (relative to the prefix).
    fn at(path: &str) -> Route {
        let decoded: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| wire::percent_decode(s, false))
            .collect();
        let s: Vec<&str> = decoded.iter().map(String::as_str).collect();
        match s.as_slice() {
            [] | [""] => Route::Root,
            ["online", "checkout", id] => Route::Checkout((*id).to_owned()),
            ["flexiti", "pos-api", "v2.5", "oauth", "token"] => Route::Token(Api::Pos),
            ["flexiti", "online-api", "oauth", "token"] => Route::Token(Api::Online),
            [
                "flexiti",
                "pos-api",
                version @ ("v2.5" | "v2.5.1"),
                "client-id",
                client,
                rest @ ..,
            ] => Route::Pos {
                client: Some((*client).to_owned()),
                endpoint: Pos::at(version, rest),
            },
            ["flexiti", "pos-api", ..] => Route::Pos {
                client: None,
                endpoint: None,
            },
            ["flexiti", "online-api", "online", rest @ ..] => {
                let (v2, rest) = match rest {
                    ["v2", rest @ ..] => (true, rest),
                    rest => (false, rest),
                };
                match rest {
                    ["client-id", client, rest @ ..] => Route::Online {
                        client: Some((*client).to_owned()),
                        endpoint: Online::at(v2, rest),
                    },
                    _ => Route::Online {
                        client: None,
                        endpoint: None,
                    },
                }
            }
            ["flexiti", "online-api", ..] => Route::Online {
                client: None,
                endpoint: None,
            },
            _ => Route::Unknown,
        }
    }
}

/// One POS or Online request, as the endpoints see it.
pub(super) struct Req<'a> {
    pub(super) parts: &'a Parts,
    /// The query parameters, as a JSON object of strings.
    pub(super) query: Map<String, Value>,
    body: &'a [u8],
    /// The bearer token.
    pub(super) token: String,
    /// The `x-reference-id` header (empty on the Online API).
    pub(super) reference_id: String,
    /// `en` or `fr`.
    pub(super) lang: &'static str,
    /// The configured client id.
    pub(super) client_id: &'a str,
    /// `http://127.0.0.1:PORT/flexiti-sandbox`.
    pub(super) url: &'a str,
}

impl Req<'_> {
    /// The body as a JSON object (JSON or form-encoded; empty is `{}`).
    pub(super) fn body(&self) -> Result<Map<String, Value>, Problem> {
        wire::body_object(&self.parts.headers, self.body)
    }
}

/// The handler of every path under the prefix (so that every request is recorded).
pub(super) async fn serve(State(handle): State<FlexitiHandle>, request: Request) -> Response {
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
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "general_error",
                "Request body too large",
            )
            .render(Style::Pos { url: relative })
            .into_response(),
        ),
    };
    handle.state().requests.push(RecordedRequest {
        method: parts.method.to_string(),
        path,
        headers: wire::recorded_headers(&parts.headers),
        body: body.to_vec(),
        status: response.status().as_u16(),
    });
    response
}

impl FlexitiHandle {
    /// Answers one request.
    fn answer(&self, parts: &Parts, relative: &str, body: &[u8]) -> Response {
        match Route::at(relative) {
            Route::Token(api) => self.token(api, parts, body),
            Route::Root => page(parts, online::widget_page),
            Route::Checkout(id) => page(parts, || self.checkout(&id)),
            Route::Pos { client, endpoint } => {
                self.pos(parts, relative, client.as_deref(), endpoint, body)
            }
            Route::Online { client, endpoint } => {
                self.online(parts, client.as_deref(), endpoint, body)
            }
            Route::Unknown => Problem::not_found("Resource not found")
                .render(Style::Pos { url: relative })
                .into_response(),
        }
    }

    /// A POS call: token, route, client id, method, scope, `x-reference-id`, `lang`, then
    /// the endpoint (or the replay of an idempotency key).
    fn pos(
        &self,
        parts: &Parts,
        url: &str,
        client: Option<&str>,
        endpoint: Option<Pos>,
        body: &[u8],
    ) -> Response {
        let style = Style::Pos { url };
        let mut state = self.state();
        let Some((token, scope)) = state.bearer(&parts.headers, Api::Pos) else {
            return unauthorized(style);
        };
        let endpoint = match endpoint {
            Some(endpoint) if client == Some(self.config().client_id.as_str()) => endpoint,
            _ => {
                return Problem::not_found("Resource not found")
                    .render(style)
                    .into_response();
            }
        };
        let methods = endpoint.methods();
        if !methods.contains(&parts.method) {
            return method_not_allowed(&parts.method, methods, style);
        }
        if !endpoint.allows(scope) {
            return auth::insufficient_scope().render(style).into_response();
        }
        let Some(reference_id) = wire::header(&parts.headers, REFERENCE_ID) else {
            let problem = Problem::wrong_input(REFERENCE_ID, "required", Value::Null);
            return problem.render(style).into_response();
        };
        let query = wire::pairs_to_object(wire::pairs(parts.uri.query().unwrap_or("")));
        let lang = match lang(&query) {
            Ok(lang) => lang,
            Err(problem) => return problem.render(style).into_response(),
        };
        let req = Req {
            parts,
            query,
            body,
            token,
            reference_id: reference_id.to_owned(),
            lang,
            client_id: &self.config().client_id,
            url: self.url(),
        };
        idempotent(&mut state, &req, |state| {
            pos_dispatch(state, &endpoint, &req).unwrap_or_else(|p| p.render(style))
        })
        .into_response()
    }

    /// An Online API call: token, route, client id, method, then the endpoint (or a replay).
    fn online(
        &self,
        parts: &Parts,
        client: Option<&str>,
        endpoint: Option<Online>,
        body: &[u8],
    ) -> Response {
        let style = Style::Online;
        let mut state = self.state();
        let Some((token, _)) = state.bearer(&parts.headers, Api::Online) else {
            return unauthorized(style);
        };
        let endpoint = match endpoint {
            Some(endpoint) if client == Some(self.config().client_id.as_str()) => endpoint,
            _ => {
                return Problem::not_found("Resource not found")
                    .render(style)
                    .into_response();
            }
        };
        let method = endpoint.method();
        if parts.method != method {
            return method_not_allowed(&parts.method, &[method], style);
        }
        let query = wire::pairs_to_object(wire::pairs(parts.uri.query().unwrap_or("")));
        let req = Req {
            parts,
            query,
            body,
            token,
            reference_id: wire::header(&parts.headers, REFERENCE_ID)
                .unwrap_or_default()
                .to_owned(),
            lang: "en",
            client_id: &self.config().client_id,
            url: self.url(),
        };
        idempotent(&mut state, &req, |state| {
            let answer = match &endpoint {
                Online::Init | Online::LearnMore => online::init(state, &req),
                Online::Calculator => online::calculator(&req),
                Online::NotificationByOrder(id) => online::notification_by_order(state, id),
                Online::NotificationByMerchantOrder(id) => {
                    online::notification_by_merchant_order(state, id)
                }
                Online::PaymentAvailability => online::payment_availability(&req),
            };
            answer.unwrap_or_else(|p| p.render(style))
        })
        .into_response()
    }
}

/// Runs `act`, unless the request is a POST with an `x-idempotency-key` seen before: then
/// the first answer is replayed as it was, and nothing is done.
fn idempotent(state: &mut Data, req: &Req, act: impl FnOnce(&mut Data) -> Reply) -> Reply {
    let key = match wire::header(&req.parts.headers, IDEMPOTENCY_KEY) {
        Some(key) if req.parts.method == Method::POST => key.to_owned(),
        _ => return act(state),
    };
    if let Some(replay) = state.replays.get_mut(&key) {
        replay.seen += 1;
        return replay.reply.clone();
    }
    let reply = act(state);
    state.replays.insert(
        key,
        Replay {
            reply: reply.clone(),
            seen: 1,
        },
    );
    reply
}

/// Calls the POS endpoint.
fn pos_dispatch(state: &mut Data, endpoint: &Pos, req: &Req) -> Answer {
    match endpoint {
        Pos::I18n => accounts::i18n(req),
        Pos::Terms => accounts::terms(req),
        Pos::WidgetInit => accounts::widget_init(req),
        Pos::Search => accounts::search(state, req),
        Pos::Lookup => accounts::lookup(state, req),
        Pos::DriversLicense => accounts::drivers_license(req),
        Pos::Verify(n) => accounts::verify(state, req, n),
        Pos::Close(n) => accounts::close(state, n),
        Pos::CalculateInterest(n) => accounts::calculate_interest(state, req, n),
        Pos::Refund(n) => transactions::refund(state, req, n),
        Pos::Authorize => transactions::authorize(state, req),
        Pos::Authorization(id) => transactions::get(state, *id),
        Pos::Authorizations => transactions::list(state, req),
        Pos::Capture(id) => transactions::capture(state, req, *id),
        Pos::Release(id) => transactions::release(state, req, *id),
        Pos::Return(id, capture) => transactions::give_back(state, req, *id, *capture),
        Pos::Captures => transactions::captures(state, req),
        Pos::Transactions => transactions::transaction(state, req),
    }
}

/// The `lang` query parameter: `en` (default) or `fr`.
fn lang(query: &Map<String, Value>) -> Result<&'static str, Problem> {
    let mut fields = wire::Fields::new(query);
    let lang = fields.choice("lang", false, &["en", "fr"]);
    fields.finish()?;
    Ok(lang.unwrap_or("en"))
}

/// 401 `invalid_token` with `WWW-Authenticate`.
fn unauthorized(style: Style<'_>) -> Response {
    let mut response = auth::unauthorized().render(style).into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(
            r#"Bearer error="invalid_token", error_description="Invalid or expired token""#,
        ),
    );
    response
}

/// 405 `method_not_allowed` with `Allow`.
fn method_not_allowed(method: &Method, allowed: &[Method], style: Style<'_>) -> Response {
    let message = format!("Request method '{method}' not supported");
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    );
    let mut response = problem.render(style).into_response();
    let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    if let Ok(allow) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
}

/// A page for a browser: GET only.
fn page(parts: &Parts, reply: impl FnOnce() -> Reply) -> Response {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        return reply().into_response();
    }
    let mut response = Reply::html(
        StatusCode::METHOD_NOT_ALLOWED,
        "<!doctype html><title>405</title><p>Method not allowed</p>".to_owned(),
    )
    .into_response();
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(client: &str, endpoint: Option<Pos>) -> Route {
        Route::Pos {
            client: Some(client.to_owned()),
            endpoint,
        }
    }

    #[test]
    fn routes_pos_paths_by_version() {
        let base = "/flexiti/pos-api";
        assert_eq!(
            Route::at("/flexiti/pos-api/v2.5/oauth/token"),
            Route::Token(Api::Pos)
        );
        assert_eq!(
            Route::at(&format!("{base}/v2.5/client-id/c/customers/search")),
            pos("c", Some(Pos::Search))
        );
        assert_eq!(
            Route::at(&format!("{base}/v2.5.1/client-id/c/authorization/12")),
            pos("c", Some(Pos::Authorization(12)))
        );
        assert_eq!(
            Route::at(&format!(
                "{base}/v2.5/client-id/c/authorization/12/capture/7/return"
            )),
            pos("c", Some(Pos::Return(12, 7)))
        );
        assert_eq!(
            Route::at(&format!("{base}/v2.5.1/client-id/c/accounts/1/refund")),
            pos("c", Some(Pos::Refund("1".into())))
        );
        for unknown in [
            "/v2.5/client-id/c/authorization",
            "/v2.5/client-id/c/accounts/1/calculate-interest",
            "/v2.5.1/client-id/c/customers/search",
            "/v2.5.1/client-id/c/authorization/x",
            "/v2.5/client-id/c/apply",
        ] {
            assert_eq!(
                Route::at(&format!("{base}{unknown}")),
                pos("c", None),
                "{unknown}"
            );
        }
        assert_eq!(
            Route::at("/flexiti/pos-api/v3/client-id/c/captures"),
            Route::Pos {
                client: None,
                endpoint: None
            }
        );
        assert_eq!(Route::at("/"), Route::Root);
        assert_eq!(Route::at("/nope"), Route::Unknown);
    }

    #[test]
    fn routes_online_paths() {
        let online = |endpoint| Route::Online {
            client: Some("c".to_owned()),
            endpoint,
        };
        let base = "/flexiti/online-api/online";
        assert_eq!(
            Route::at(&format!("{base}/v2/client-id/c/systems/init")),
            online(Some(Online::Init))
        );
        assert_eq!(
            Route::at(&format!("{base}/client-id/c/systems/init")),
            online(Some(Online::Init))
        );
        assert_eq!(
            Route::at(&format!("{base}/v2/client-id/c/systems/payment-calculator")),
            online(Some(Online::Calculator))
        );
        assert_eq!(
            Route::at(&format!(
                "{base}/client-id/c/notifications/merchant-order-id/A%2F1"
            )),
            online(Some(Online::NotificationByMerchantOrder("A/1".into())))
        );
        assert_eq!(
            Route::at(&format!("{base}/client-id/c/notifications/9")),
            online(Some(Online::NotificationByOrder("9".into())))
        );
        assert_eq!(
            Route::at(&format!("{base}/client-id/c/systems/payment-calculator")),
            online(None)
        );
        assert_eq!(
            Route::at(&format!(
                "{base}/client-id/c/merchants/payment-availability"
            )),
            online(Some(Online::PaymentAvailability))
        );
        assert_eq!(
            Route::at(&format!(
                "{base}/v2/client-id/c/merchants/payment-availability"
            )),
            online(None)
        );
        assert_eq!(
            Route::at("/flexiti/online-api/oauth/token"),
            Route::Token(Api::Online)
        );
        assert_eq!(
            Route::at("/online/checkout/131209"),
            Route::Checkout("131209".into())
        );
    }
}
