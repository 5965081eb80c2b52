//! Every request under the prefix: routes from the spec's operation table
//! (`crate::common::routes`), then the bearer token, the client id, scopes, the
//! `x-reference-id` header and idempotent replays, before the operation's handler
//! (`handlers.rs`).

use std::collections::BTreeMap;

use api_core::spec::OperationSpec;
use axum::Router;
use axum::body::Bytes;
use axum::http::header::{ALLOW, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{any, get};
use serde_json::{Map, Value};

use super::auth::{self, Api, Scope};
use super::wire::{self, FieldError, Problem, Reply, Style};
use super::{FlexitiHandle, PREFIX, Replay, State as Data, online};
use crate::RecordedRequest;
use crate::common::routes::{Emulator, Incoming, spec_routes};
use crate::generated::flexiti as spec;
use crate::schema::{Leniency, Rule, Violation};

/// The header every POS call needs.
const REFERENCE_ID: &str = "x-reference-id";
/// The header of idempotent POSTs.
const IDEMPOTENCY_KEY: &str = "x-idempotency-key";

/// Every route under the prefix: the spec's operations, the two token endpoints, and the
/// pages a browser opens (the widget and an Online order's checkout).
pub(super) fn routes(handle: FlexitiHandle) -> Router {
    let pages = handle.clone();
    spec_routes(PREFIX, spec::OPERATIONS, handle, move |router| {
        let token = |api: Api, handle: FlexitiHandle| {
            any(move |request: axum::extract::Request| {
                let handle = handle.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let body = axum::body::to_bytes(body, crate::common::routes::MAX_BODY_BYTES)
                        .await
                        .unwrap_or_default();
                    handle.token(api, &parts, &body)
                }
            })
        };
        let checkout = pages.clone();
        router
            .route(
                &format!("{PREFIX}{}", spec::OAUTH2_TOKEN_PATH),
                token(Api::Pos, pages.clone()),
            )
            .route(
                &format!("{PREFIX}{}", spec::ONLINE_OAUTH2_TOKEN_PATH),
                token(Api::Online, pages.clone()),
            )
            .route(
                &format!("{PREFIX}/online/checkout/{{id}}"),
                get(
                    move |axum::extract::Path(id): axum::extract::Path<String>| {
                        let handle = checkout.clone();
                        async move { handle.checkout(&id).into_response() }
                    },
                )
                .fallback(|| async { page_only() }),
            )
    })
}

impl Emulator for FlexitiHandle {
    const SPEC: &'static str = "flexiti";
    const LENIENCY: Leniency = Leniency::STRICT;

    async fn operation(&self, operation: &'static OperationSpec, request: Incoming) -> Response {
        self.call(operation, &request)
    }

    fn not_found(&self, parts: Parts, _body: Bytes) -> Response {
        let relative = relative(&parts);
        // `{prefix}/` is the page the widget URLs point at: GET only.
        if relative == "/" {
            return match parts.method {
                Method::GET | Method::HEAD => online::widget_page().into_response(),
                _ => page_only(),
            };
        }
        // The API prefixes check the token first, as the real gateway does.
        let style = match api_of(relative) {
            Some(api) => {
                let style = style(api, relative);
                if self
                    .state()
                    .bearer(&parts.headers, api, self.clock().instant())
                    .is_none()
                {
                    return unauthorized(style);
                }
                style
            }
            None => Style::Pos { url: relative },
        };
        Problem::not_found("Resource not found")
            .render(style)
            .into_response()
    }

    fn method_not_allowed(&self, parts: Parts, allowed: &[Method]) -> Response {
        let relative = relative(&parts);
        let api = api_of(relative).unwrap_or(Api::Pos);
        let style = style(api, relative);
        if self
            .state()
            .bearer(&parts.headers, api, self.clock().instant())
            .is_none()
        {
            return unauthorized(style);
        }
        if client_segment(relative) != Some(self.config().client_id.as_str()) {
            return Problem::not_found("Resource not found")
                .render(style)
                .into_response();
        }
        method_not_allowed(&parts.method, allowed, style)
    }

    fn too_large(&self, parts: &Parts) -> Response {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "general_error",
            "Request body too large",
        )
        .render(Style::Pos {
            url: relative(parts),
        })
        .into_response()
    }

    fn record(&self, request: RecordedRequest) {
        self.state().requests.push(request);
    }

    fn faults(&self) -> crate::Faults {
        Self::faults(self)
    }
}

/// The path below the prefix (`/` for the prefix itself).
fn relative(parts: &Parts) -> &str {
    let path = parts.uri.path();
    match path.strip_prefix(PREFIX).unwrap_or(path) {
        "" => "/",
        relative => relative,
    }
}

/// Which API a path below the prefix belongs to.
fn api_of(relative: &str) -> Option<Api> {
    if relative.starts_with("/flexiti/pos-api/") {
        Some(Api::Pos)
    } else if relative.starts_with("/flexiti/online-api/") {
        Some(Api::Online)
    } else {
        None
    }
}

fn style(api: Api, relative: &str) -> Style<'_> {
    match api {
        Api::Pos => Style::Pos { url: relative },
        Api::Online => Style::Online,
    }
}

/// The segment after `client-id` in a path, percent-decoded text left as sent.
fn client_segment(relative: &str) -> Option<&str> {
    let mut segments = relative.split('/');
    segments.find(|s| *s == "client-id")?;
    segments.next()
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
    /// The sandbox clock's now, UTC, to the millisecond.
    pub(super) now: time::OffsetDateTime,
    /// The path parameters, by the spec's names.
    pub(super) params: &'a BTreeMap<String, String>,
}

impl Req<'_> {
    /// The body as a JSON object (JSON or form-encoded; empty is `{}`).
    pub(super) fn body(&self) -> Result<Map<String, Value>, Problem> {
        wire::body_object(&self.parts.headers, self.body)
    }

    /// A path parameter (the route has every one its template names).
    pub(super) fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// A numeric path parameter; any other text names nothing (404, as the real API).
    pub(super) fn id(&self, name: &str) -> Result<u64, Problem> {
        self.param(name)
            .parse()
            .map_err(|_| Problem::not_found("Resource not found"))
    }
}

impl FlexitiHandle {
    /// A call of `operation`: token, client id, scope, then for the POS API `x-reference-id`
    /// and `lang`; then the handler (or the replay of an idempotency key).
    fn call(&self, operation: &'static OperationSpec, request: &Incoming) -> Response {
        let parts = &request.parts;
        let relative = relative(parts);
        let api = if operation.credentials.first() == Some(&spec::ONLINE_OAUTH2_SCHEME) {
            Api::Online
        } else {
            Api::Pos
        };
        let style = style(api, relative);
        let mut state = self.state();
        let Some((token, scope)) = state.bearer(&parts.headers, api, self.clock().instant()) else {
            return unauthorized(style);
        };
        if request.params.get("client_id") != Some(&self.config().client_id) {
            return Problem::not_found("Resource not found")
                .render(style)
                .into_response();
        }
        if api == Api::Pos && !operation.allows_scope(Scope::name(scope)) {
            return auth::insufficient_scope().render(style).into_response();
        }
        let reference_id = wire::header(&parts.headers, REFERENCE_ID);
        let reference_id = match (api, reference_id) {
            (Api::Pos, None) => {
                let problem = Problem::wrong_input(REFERENCE_ID, "required", Value::Null);
                return problem.render(style).into_response();
            }
            (_, reference_id) => reference_id.unwrap_or_default().to_owned(),
        };
        let query = wire::pairs_to_object(wire::pairs(parts.uri.query().unwrap_or("")));
        let lang = match api {
            Api::Pos => match lang(&query) {
                Ok(lang) => lang,
                Err(problem) => return problem.render(style).into_response(),
            },
            Api::Online => "en",
        };
        let req = Req {
            parts,
            query,
            body: &request.body,
            token,
            reference_id,
            lang,
            client_id: &self.config().client_id,
            url: self.url(),
            now: wire::now_ms(self.clock()),
            params: &request.params,
        };
        let violations = request.violations(operation);
        if !violations.is_empty() {
            let own = spec::dispatch(&mut state.scratch(), operation, &req).and_then(Result::err);
            return refusing(api, &violations, own)
                .render(style)
                .into_response();
        }
        idempotent(&mut state, &req, |state| {
            spec::dispatch(state, operation, &req)
                .unwrap_or_else(|| Err(Problem::not_found("Resource not found")))
                .unwrap_or_else(|p| p.render(style))
        })
        .into_response()
    }
}

/// What the spec's schemas refuse, as the API answers a wrong input: `wrong_inputs` with
/// each field (`param`) and `required` or `invalid` (`msg`), 409 on the POS API and 400 on
/// the Online API. `own` is the handler's answer worked out on scratch data
/// (`common::refusal`): when it is a wrong-inputs refusal, its field errors come first, in
/// its words.
fn refusing(api: Api, violations: &[Violation], own: Option<Problem>) -> Problem {
    let own = own.filter(|own| own.error == "wrong_inputs");
    let mut problem = own.unwrap_or_else(|| {
        let problem = Problem::wrong_inputs(Vec::new());
        match api {
            Api::Pos => problem,
            Api::Online => Problem {
                status: StatusCode::BAD_REQUEST,
                ..problem
            },
        }
    });
    let named: Vec<String> = problem
        .field_errors
        .iter()
        .map(|f| f.param.clone())
        .collect();
    for violation in violations {
        if crate::common::refusal::named(named.iter().map(String::as_str), &violation.field) {
            continue;
        }
        problem.field_errors.push(FieldError {
            param: violation.field.clone(),
            msg: match violation.rule {
                Rule::Required => "required",
                _ => "invalid",
            }
            .to_owned(),
            value: violation.value.clone().unwrap_or(Value::Null),
        });
    }
    problem
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

/// A method other than GET on a browser page.
fn page_only() -> Response {
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
