//! Every request under the prefix: routing, the API key, the envelope, and each endpoint.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::catalogue::{self, Available, CATALOGUE, Entry};
use super::fields::{Body, Errors, integer};
use super::{FsfltHandle, PREFIX, SandboxCustomer, SandboxLicence, State as Data};
use super::{customers, directory};
use crate::RecordedRequest;

/// Largest request body read; a larger one is answered 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The header carrying the reseller API key (the docs write `X-API-KEY`).
const API_KEY: &str = "x-api-key";

/// Demo licences a customer may have ("at most 2 free trial licences per client").
const MAX_DEMOS: usize = 2;
/// How long a demo licence runs.
const DEMO_DAYS: i64 = 14;
/// The `license_code` of demo licences, and the `version` of the demo answer.
const DEMO_CODE: &str = "CL-DEMO";
const DEMO_LICENSE: &str = "Internet protection and malware mitigation trial demo inserted by API";
/// The industry the sandbox treats as "family" (no `company_name` needed); our choice.
pub(super) const FAMILY_INDUSTRY: u32 = 1;
/// Characters in an auth token.
const TOKEN_CHARS: usize = 40;

const UNAUTHORIZED: &str = "invalid token or unauthorized admin";
const INVALID: &str = "the given data was invalid";
pub(super) const CUSTOMER_CODE_INVALID: &str = "the selected customer code is invalid";
const DEMO_LIMIT: &str = "the customer already has the maximum number of demo licenses";
const EMAIL_FORMAT: &str = "the email must be a valid email address";
const EMAIL_TAKEN: &str = "the email has already been taken";
pub(super) const PASSWORD_LENGTH: &str = "the password must be between 8 and 15 characters";
const COUNTRY_FORMAT: &str = "the country code must be 2 letters";
const COMPANY_REQUIRED: &str = "the company name field is required unless industry code is 1";
const LICENSE_CODE_INVALID: &str = "the selected license code is invalid";
const LICENSE_INFO_FORMAT: &str =
    "the license info may only contain letters, numbers, dashes and whitespace.";
pub(super) const LICENSE_ID_INVALID: &str = "the selected license id is invalid";

/// The emulated endpoints: the paths the documentation shows, and the ones `specs/fsflt.yaml`
/// guesses for the operations the docs describe without a path (`x-unconfirmed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    AuthToken,
    NewCustomer,
    Available,
    Demo,
    Assign,
    Suspend,
    Enable,
    ListCustomers,
    CustomerDetails,
    CustomerLicense,
    CustomerPassword,
    Directory(directory::List),
}

impl Endpoint {
    /// The endpoint at `path` (relative to the prefix): the operation whose spec path it is.
    fn at(path: &str) -> Option<Endpoint> {
        let operation = crate::generated::fsflt::OPERATIONS
            .iter()
            .find(|operation| operation.path == path)?;
        Some(match operation.id {
            "get_auth_token" => Endpoint::AuthToken,
            "create_customer" => Endpoint::NewCustomer,
            "available_licenses" => Endpoint::Available,
            "assign_demo" => Endpoint::Demo,
            "assign_license" => Endpoint::Assign,
            "suspend_license" => Endpoint::Suspend,
            "enable_license" => Endpoint::Enable,
            "list_customers" => Endpoint::ListCustomers,
            "customer_details" => Endpoint::CustomerDetails,
            "customer_license_action" => Endpoint::CustomerLicense,
            "set_customer_password" => Endpoint::CustomerPassword,
            "license_versions" => Endpoint::Directory(directory::List::LicenseVersions),
            "currencies" => Endpoint::Directory(directory::List::Currencies),
            "countries" => Endpoint::Directory(directory::List::Countries),
            "industries" => Endpoint::Directory(directory::List::Industries),
            _ => return None,
        })
    }

    /// The one method the endpoint answers.
    fn method(self) -> Method {
        if self.is_read() {
            Method::GET
        } else {
            Method::POST
        }
    }

    /// [`method`](Self::method) as the value of an `Allow` header.
    fn allow(self) -> HeaderValue {
        HeaderValue::from_static(if self.is_read() { "GET" } else { "POST" })
    }

    /// The endpoints answering GET (the others answer POST).
    fn is_read(self) -> bool {
        matches!(
            self,
            Endpoint::AuthToken
                | Endpoint::Available
                | Endpoint::ListCustomers
                | Endpoint::CustomerDetails
                | Endpoint::Directory(_)
        )
    }
}

/// The handler of every path under the prefix (so that every request is recorded).
pub(super) async fn serve(State(handle): State<FsfltHandle>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let relative = path.strip_prefix(PREFIX).unwrap_or(&path);
    let (body, response) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => {
            let response = handle.answer(&parts, relative, &body);
            (body, response)
        }
        Err(_) => (
            Bytes::new(),
            message(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large"),
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

impl FsfltHandle {
    /// Answers one request: route, method, API key, then the endpoint.
    fn answer(&self, parts: &Parts, relative: &str, body: &[u8]) -> Response {
        let Some(endpoint) = Endpoint::at(relative) else {
            return message(StatusCode::NOT_FOUND, "Not Found");
        };
        let allowed = endpoint.method();
        if parts.method != allowed {
            let text = format!(
                "The {} method is not supported for this route. Supported methods: {allowed}.",
                parts.method
            );
            let mut response = message(StatusCode::METHOD_NOT_ALLOWED, &text);
            response.headers_mut().insert(ALLOW, endpoint.allow());
            return response;
        }
        let key = parts
            .headers
            .get(API_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if key != Some(self.config().api_key.as_str()) {
            return message(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
        }

        let body = Body::parse(body);
        let pool = self.config().pool_per_licence;
        let mut data = self.state();
        match endpoint {
            Endpoint::AuthToken => auth_token(&data, &body),
            Endpoint::NewCustomer => new_customer(&mut data, &body),
            Endpoint::Available => available(&data, &body, pool),
            Endpoint::Demo => demo(&mut data, &body),
            Endpoint::Assign => assign(&mut data, &body, pool),
            Endpoint::Suspend => set_suspended(&mut data, &body, true),
            Endpoint::Enable => set_suspended(&mut data, &body, false),
            Endpoint::ListCustomers => customers::list(&data),
            Endpoint::CustomerDetails => customers::details(&data, &body),
            Endpoint::CustomerLicense => customers::cancel_licence(&mut data, &body),
            Endpoint::CustomerPassword => customers::set_password(&data, &body),
            Endpoint::Directory(list) => success(&list.entries()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Endpoints

/// `GET /customerarea/auth/token` `{"customer_code"}`.
fn auth_token(data: &Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let Some(code) = errors.require(body, "customer_code") else {
        return invalid(&errors);
    };
    if integer(code).and_then(|c| data.customer(c)).is_none() {
        return json_response(
            StatusCode::NOT_FOUND,
            &Envelope {
                code: 401,
                content: Vec::<Value>::new(),
            },
        );
    }
    let token: String = (0..TOKEN_CHARS).map(|_| token_char()).collect();
    success(&json!({"token": token, "expiration": "15 min"}))
}

/// `POST /customerarea/customers/new`.
fn new_customer(data: &mut Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let email = errors.required_string(body, "email");
    if let Some(email) = &email {
        let valid = email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty());
        if !valid {
            errors.add("email", EMAIL_FORMAT);
        } else if data
            .customers
            .iter()
            .any(|c| c.email.eq_ignore_ascii_case(email))
        {
            errors.add("email", EMAIL_TAKEN);
        }
    }
    let password = errors.required_string(body, "password");
    if password
        .as_ref()
        .is_some_and(|p| !(8..=15).contains(&p.chars().count()))
    {
        errors.add("password", PASSWORD_LENGTH);
    }
    let customer_name = errors.required_string(body, "customer_name");
    let country_code = errors.required_string(body, "country_code");
    if country_code
        .as_ref()
        .is_some_and(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        errors.add("country_code", COUNTRY_FORMAT);
    }
    let industry = errors.require(body, "industry_code");
    let industry_code = match industry.map(integer) {
        Some(Some(n)) => u32::try_from(n).ok(),
        _ => None,
    };
    if industry.is_some() && industry_code.is_none() {
        errors.add("industry_code", "the industry code must be an integer");
    }
    let company_name = errors.optional_string(body, "company_name");
    if body.get("company_name").is_none() && industry_code != Some(FAMILY_INDUSTRY) {
        errors.add("company_name", COMPANY_REQUIRED);
    }
    let customer_surname = errors.optional_string(body, "customer_surname");
    let skype = errors.optional_string(body, "skype");
    let phone = errors.optional_string(body, "phone");
    let lang = errors.lang(body);

    let (Some(email), Some(_), Some(customer_name), Some(country_code), Some(industry_code)) =
        (email, password, customer_name, country_code, industry_code)
    else {
        return invalid(&errors);
    };
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let customer_code = data.next_customer_code;
    data.next_customer_code += 1;
    data.customers.push(SandboxCustomer {
        customer_code,
        email,
        customer_name,
        country_code,
        industry_code,
        lang: lang.unwrap_or_else(|| "EN".to_owned()),
        company_name,
        customer_surname,
        skype,
        phone,
    });
    success(&json!({ "customer_code": customer_code }))
}

/// `GET /customerarea/licenses/available`.
fn available(data: &Data, body: &Body, pool: u32) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    errors.lang(body);
    let version = errors.integer(body.get("version_code"), "version_code");
    let duration = errors.integer(body.get("license_duration"), "license_duration");
    let code = errors.optional_string(body, "license_code");
    let currency = errors.currency(body);
    let Some(customer) = customer else {
        return invalid(&errors);
    };
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let list: Vec<Available> = CATALOGUE
        .iter()
        .filter(|e| data.remaining(customer, e, pool) > 0)
        .filter(|e| version.is_none_or(|v| e.version == v.to_string()))
        .filter(|e| duration.is_none_or(|d| u64::from(e.months) == d))
        .filter(|e| code.as_deref().is_none_or(|c| e.code == c))
        .map(|e| Available::new(e, currency))
        .collect();
    success(&list)
}

/// `POST /customerarea/licenses/demo`.
fn demo(data: &mut Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    let demos = |code: u64| {
        data.licences
            .iter()
            .filter(|l| l.demo && l.customer_code == code)
            .count()
    };
    if customer.is_some_and(|c| demos(c) >= MAX_DEMOS) {
        errors.add("customer_code", DEMO_LIMIT);
    }
    errors.lang(body);
    errors.boolean(body, "accept_notifications");
    let (Some(customer), true) = (customer, errors.is_empty()) else {
        return invalid(&errors);
    };
    let today = today();
    let expiry = catalogue::format_date(catalogue::add_days(today, DEMO_DAYS));
    let license_id = data.new_licence(SandboxLicence {
        license_id: 0,
        customer_code: customer,
        license_code: DEMO_CODE.to_owned(),
        demo: true,
        suspended: false,
        cancelled: false,
        license_info: None,
        start_date: catalogue::format_date(today),
        expiry_date: expiry.clone(),
    });
    success(&json!({
        "customer": data.customer_name(customer),
        "version": DEMO_CODE,
        "license": DEMO_LICENSE,
        "expiry_date": expiry,
        "license_id": license_id,
    }))
}

/// `POST /customerarea/licenses/assign`.
fn assign(data: &mut Data, body: &Body, pool: u32) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    let entry = errors
        .required_string(body, "license_code")
        .and_then(|code| {
            let entry = catalogue::entry(&code)
                .filter(|e| customer.is_none_or(|c| data.remaining(c, e, pool) > 0));
            if entry.is_none() {
                errors.add("license_code", LICENSE_CODE_INVALID);
            }
            entry
        });
    let info = errors.required_string(body, "license_info");
    if info.as_ref().is_some_and(|i| {
        !i.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c.is_whitespace())
    }) {
        errors.add("license_info", LICENSE_INFO_FORMAT);
    }
    errors.boolean(body, "accept_notifications");
    let currency = errors.currency(body);
    let (Some(customer), Some(entry), Some(info), true) =
        (customer, entry, info, errors.is_empty())
    else {
        return invalid(&errors);
    };
    *data.used.entry((customer, entry.code)).or_default() += 1;
    let start = today();
    let start_date = catalogue::format_date(start);
    let expiry_date = catalogue::format_date(catalogue::add_months(start, entry.months));
    let license_id = data.new_licence(SandboxLicence {
        license_id: 0,
        customer_code: customer,
        license_code: entry.code.to_owned(),
        demo: false,
        suspended: false,
        cancelled: false,
        license_info: Some(info),
        start_date: start_date.clone(),
        expiry_date: expiry_date.clone(),
    });
    success(&json!({
        "customer": data.customer_name(customer),
        "license_id": license_id.to_string(),
        "start_date": start_date,
        "expiry_date": expiry_date,
        "deducted_amount": catalogue::hundredths(currency.cents(entry.eur_cents)),
        "currency_code": currency.code(),
    }))
}

/// `POST /customerarea/licenses/suspend` (`suspend` true) and `…/enable` (false).
fn set_suspended(data: &mut Data, body: &Body, suspend: bool) -> Response {
    let mut errors = Errors::default();
    // The customer code as sent, to check the licence's owner before the customer field.
    let owner = body.get("customer_code").and_then(integer);
    let index = errors.require(body, "license_id").and_then(|id| {
        let index = integer(id).and_then(|id| {
            data.licences.iter().position(|l| {
                l.license_id == id && !l.cancelled && owner.is_none_or(|o| l.customer_code == o)
            })
        });
        if index.is_none() {
            errors.add("license_id", LICENSE_ID_INVALID);
        }
        index
    });
    let customer = customer(&mut errors, data, body);
    let (Some(index), Some(_), true) = (index, customer, errors.is_empty()) else {
        return invalid(&errors);
    };
    let Some(licence) = data.licences.get_mut(index) else {
        return invalid(&errors);
    };
    if licence.suspended == suspend {
        let text = if suspend {
            "license already suspended"
        } else {
            "license already enabled"
        };
        return json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &NotAllowed {
                code: 405,
                message: text,
                error: Vec::new(),
            },
        );
    }
    licence.suspended = suspend;
    success(&if suspend {
        "license suspended successfully"
    } else {
        "license enabled successfully"
    })
}

// ---------------------------------------------------------------------------------------
// State helpers

impl Data {
    pub(super) fn customer(&self, code: u64) -> Option<&SandboxCustomer> {
        self.customers.iter().find(|c| c.customer_code == code)
    }

    fn customer_name(&self, code: u64) -> &str {
        self.customer(code).map_or("", |c| c.customer_name.as_str())
    }

    /// How many more licences of `entry` `customer` can be assigned.
    fn remaining(&self, customer: u64, entry: &Entry, pool: u32) -> u32 {
        let used = self.used.get(&(customer, entry.code)).copied();
        pool.saturating_sub(used.unwrap_or(0))
    }

    /// Stores a licence under the next id; returns the id.
    fn new_licence(&mut self, mut licence: SandboxLicence) -> u64 {
        let id = self.next_license_id;
        self.next_license_id += 1;
        licence.license_id = id;
        self.licences.push(licence);
        id
    }
}

/// The required `customer_code` of an existing customer (a number or a string of digits).
pub(super) fn customer(errors: &mut Errors, data: &Data, body: &Body) -> Option<u64> {
    let value = errors.require(body, "customer_code")?;
    let code = integer(value).filter(|c| data.customer(*c).is_some());
    if code.is_none() {
        errors.add("customer_code", CUSTOMER_CODE_INVALID);
    }
    code
}

/// Today's date, UTC.
fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

/// A random character of the URL-safe alphabet.
fn token_char() -> char {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char::from(ALPHABET[fastrand::usize(..ALPHABET.len())])
}

// ---------------------------------------------------------------------------------------
// Answers

/// `{"code": …, "content": …}`.
#[derive(Serialize)]
struct Envelope<T> {
    code: u16,
    content: T,
}

/// The body of a 500 validation answer.
#[derive(Serialize)]
struct Invalid<'a> {
    code: u16,
    message: &'static str,
    errors: &'a Errors,
}

/// The body of a 405 state answer (note `error`, not `errors`, as documented).
#[derive(Serialize)]
struct NotAllowed {
    code: u16,
    message: &'static str,
    error: Vec<Value>,
}

/// HTTP 200 `{"code":200,"content":content}`.
pub(super) fn success(content: &impl Serialize) -> Response {
    json_response(StatusCode::OK, &Envelope { code: 200, content })
}

/// HTTP 500 `{"code":500,"message":"the given data was invalid","errors":{…}}`.
pub(super) fn invalid(errors: &Errors) -> Response {
    let body = Invalid {
        code: 500,
        message: INVALID,
        errors,
    };
    json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

/// `{"message": text}` with `status`.
fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "message": text }))
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
    fn routes_only_documented_paths() {
        assert_eq!(
            Endpoint::at("/customerarea/licenses/available"),
            Some(Endpoint::Available)
        );
        assert_eq!(Endpoint::Available.method(), Method::GET);
        assert_eq!(Endpoint::Suspend.method(), Method::POST);
        assert_eq!(
            Endpoint::at("/customerarea/directory/licenses/versions"),
            Some(Endpoint::Directory(directory::List::LicenseVersions))
        );
        assert_eq!(Endpoint::CustomerDetails.method(), Method::GET);
        assert_eq!(Endpoint::CustomerPassword.method(), Method::POST);
        for guessed in [
            "/customerarea/customers/licenses",
            "/customerarea/licenses/cancel",
            "/directory/currencies",
            "/licenses/assign",
            "/customerarea/licenses/available/",
        ] {
            assert_eq!(Endpoint::at(guessed), None, "{guessed}");
        }
    }

    #[test]
    fn tokens_are_url_safe() {
        let token: String = (0..200).map(|_| token_char()).collect();
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
