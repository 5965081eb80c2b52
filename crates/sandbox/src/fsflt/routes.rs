//! Every request under the prefix: routes from the spec's operation table
//! (`crate::common::routes`), the API key, the envelope, and each operation's emulation
//! (the `Handlers` impl at the end).

use api_core::spec::OperationSpec;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use super::catalogue::Entry;
use super::fields::{Body, Errors, integer};
use super::{FsfltHandle, PREFIX, SandboxCustomer, SandboxLicence, State as Data};
use super::{customers, directory, licences};
use crate::RecordedRequest;
use crate::common::laravel::Style;
pub(super) use crate::common::laravel::message;
use crate::common::refusal::read_json;
use crate::common::routes::{Emulator, Incoming, spec_routes};
pub(super) use crate::common::wire::json_response;
use crate::generated::fsflt::{self as spec, Handlers};
use crate::schema::{Leniency, Violation};

/// The header carrying the reseller API key (the docs write `X-API-KEY`).
const API_KEY: &str = "x-api-key";

/// Demo licences a customer may have ("at most 2 free trial licences per client").
pub(super) const MAX_DEMOS: usize = 2;
/// How long a demo licence runs.
pub(super) const DEMO_DAYS: i64 = 14;
/// The `license_code` of demo licences, and the `version` of the demo answer.
pub(super) const DEMO_CODE: &str = "CL-DEMO";
pub(super) const DEMO_LICENSE: &str =
    "Internet protection and malware mitigation trial demo inserted by API";
/// The industry the sandbox treats as "family" (no `company_name` needed); our choice.
pub(super) const FAMILY_INDUSTRY: u32 = 1;
/// Characters in an auth token.
const TOKEN_CHARS: usize = 40;

const UNAUTHORIZED: &str = "invalid token or unauthorized admin";
pub(super) const INVALID: &str = "the given data was invalid";
pub(super) const CUSTOMER_CODE_INVALID: &str = "the selected customer code is invalid";
pub(super) const DEMO_LIMIT: &str = "the customer already has the maximum number of demo licenses";
const EMAIL_FORMAT: &str = "the email must be a valid email address";
const EMAIL_TAKEN: &str = "the email has already been taken";
pub(super) const PASSWORD_LENGTH: &str = "the password must be between 8 and 15 characters";
const COUNTRY_FORMAT: &str = "the country code must be 2 letters";
const COMPANY_REQUIRED: &str = "the company name field is required unless industry code is 1";
pub(super) const LICENSE_CODE_INVALID: &str = "the selected license code is invalid";
pub(super) const LICENSE_INFO_FORMAT: &str =
    "the license info may only contain letters, numbers, dashes and whitespace.";
pub(super) const LICENSE_ID_INVALID: &str = "the selected license id is invalid";

/// Every route under the prefix: the spec's operations (the paths the documentation shows,
/// and the ones `specs/fsflt.yaml` guesses for the operations the docs describe without a
/// path, `x-unconfirmed`), and the plain 404 elsewhere.
pub(super) fn routes(handle: FsfltHandle) -> Router {
    spec_routes(PREFIX, spec::OPERATIONS, handle, |router| router)
}

impl Emulator for FsfltHandle {
    const SPEC: &'static str = "fsflt";
    const LENIENCY: Leniency = Leniency::FLASHSTART;

    async fn operation(&self, operation: &'static OperationSpec, request: Incoming) -> Response {
        self.call(operation, &request).await
    }

    fn record(&self, request: RecordedRequest) {
        self.state().requests.push(request);
    }

    fn faults(&self) -> crate::Faults {
        Self::faults(self)
    }
}

/// One call, as the handlers see it: the parsed body, the configured pool per licence, and
/// the day on the sandbox's clock.
pub(super) struct Call {
    body: Body,
    pool: u32,
    today: time::Date,
}

impl FsfltHandle {
    /// A call of `operation`: the API key, the spec's schemas, then the handler.
    async fn call(&self, operation: &'static OperationSpec, request: &Incoming) -> Response {
        let key = crate::common::wire::header(&request.parts.headers, API_KEY);
        let revoked = key.is_some_and(|key| self.inner.revoked.contains(key));
        if revoked || key != Some(self.config().api_key.as_str()) {
            return message(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
        }
        let call = Call {
            body: Body::parse(&request.body),
            pool: self.config().pool_per_licence,
            today: self.clock().utc().date(),
        };
        let violations = request.violations(operation);
        if !violations.is_empty() {
            return self.refuse(operation, &call, &violations).await;
        }
        spec::dispatch(&mut *self.state(), operation, &call)
            .unwrap_or_else(|| message(StatusCode::NOT_FOUND, "Not Found"))
    }

    /// The 500 for a call the spec's schemas refuse: the handler's own validation errors
    /// (worked out on a scratch copy of the data), then the schema's for the fields they do
    /// not name (`common::refusal`).
    async fn refuse(
        &self,
        operation: &'static OperationSpec,
        call: &Call,
        violations: &[Violation],
    ) -> Response {
        let errors = Errors::of(violations, Style::FlashStart);
        let own = {
            let mut scratch = self.state().scratch();
            spec::dispatch(&mut scratch, operation, call)
        };
        let Some(own) = own else {
            return invalid(&errors);
        };
        let (status, body) = read_json(own).await;
        match body["errors"].as_object() {
            Some(own) if status == StatusCode::INTERNAL_SERVER_ERROR => invalid(&errors.under(own)),
            _ => invalid(&errors),
        }
    }
}

impl Handlers for Data {
    type Call<'a> = Call;
    type Answer = Response;

    fn get_auth_token(&mut self, call: &Call) -> Response {
        auth_token(self, &call.body)
    }

    fn create_customer(&mut self, call: &Call) -> Response {
        new_customer(self, &call.body)
    }

    fn list_customers(&mut self, _call: &Call) -> Response {
        customers::list(self)
    }

    fn customer_details(&mut self, call: &Call) -> Response {
        customers::details(self, &call.body)
    }

    fn customer_license_action(&mut self, call: &Call) -> Response {
        customers::cancel_licence(self, &call.body)
    }

    fn set_customer_password(&mut self, call: &Call) -> Response {
        customers::set_password(self, &call.body)
    }

    fn available_licenses(&mut self, call: &Call) -> Response {
        licences::available(self, &call.body, call.pool)
    }

    fn assign_demo(&mut self, call: &Call) -> Response {
        licences::demo(self, &call.body, call.today)
    }

    fn assign_license(&mut self, call: &Call) -> Response {
        licences::assign(self, &call.body, call.pool, call.today)
    }

    fn suspend_license(&mut self, call: &Call) -> Response {
        licences::set_suspended(self, &call.body, true)
    }

    fn enable_license(&mut self, call: &Call) -> Response {
        licences::set_suspended(self, &call.body, false)
    }

    fn license_versions(&mut self, _call: &Call) -> Response {
        success(&directory::List::LicenseVersions.entries())
    }

    fn currencies(&mut self, _call: &Call) -> Response {
        success(&directory::List::Currencies.entries())
    }

    fn countries(&mut self, _call: &Call) -> Response {
        success(&directory::List::Countries.entries())
    }

    fn industries(&mut self, _call: &Call) -> Response {
        success(&directory::List::Industries.entries())
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

// ---------------------------------------------------------------------------------------
// State helpers

impl Data {
    pub(super) fn customer(&self, code: u64) -> Option<&SandboxCustomer> {
        self.customers.iter().find(|c| c.customer_code == code)
    }

    pub(super) fn customer_name(&self, code: u64) -> &str {
        self.customer(code).map_or("", |c| c.customer_name.as_str())
    }

    /// How many more licences of `entry` `customer` can be assigned.
    pub(super) fn remaining(&self, customer: u64, entry: &Entry, pool: u32) -> u32 {
        let used = self.used.get(&(customer, entry.code)).copied();
        pool.saturating_sub(used.unwrap_or(0))
    }

    /// Stores a licence under the next id; returns the id.
    pub(super) fn new_licence(&mut self, mut licence: SandboxLicence) -> u64 {
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
    pub(super) code: u16,
    content: T,
}

/// The body of a 500 validation answer.
#[derive(Serialize)]
struct Invalid<'a> {
    pub(super) code: u16,
    pub(super) message: &'static str,
    errors: &'a Errors,
}

/// The body of a 405 state answer (note `error`, not `errors`, as documented).
#[derive(Serialize)]
pub(super) struct NotAllowed {
    pub(super) code: u16,
    pub(super) message: &'static str,
    pub(super) error: Vec<Value>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
