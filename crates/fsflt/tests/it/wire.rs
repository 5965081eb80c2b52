//! Every operation on the wire (wiremock): the exact request and the exact decoded answer.

use std::str::FromStr;

use api_core::money::Decimal;
use api_test_support::{assert_target, header, invalid, requests, serve};
use fsflt::{
    AssignRequest, AuthTokenRequest, AvailableLicensesRequest, Client, CustomerCode, DemoRequest,
    Error, ErrorKind, LICENSE_ALREADY_ENABLED, LICENSE_ALREADY_SUSPENDED, Lang, LicenseAction,
    LicenseId, NewCustomer,
};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

const KEY: &str = "fsflt-test-key-91ab";

async fn mock(verb: &str, route: &str, answer: ResponseTemplate) -> (MockServer, Client) {
    let server = serve(verb, route, answer).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .expect("client");
    (server, client)
}

fn ok(content: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 200, "content": content}))
}

/// The one request the server received, with no query and the three headers checked.
async fn checked_request(server: &MockServer) -> Request {
    let request = api_test_support::only_request(server).await;
    assert_eq!(header(&request, "x-api-key"), Some(KEY));
    assert_eq!(header(&request, "accept"), Some("application/json"));
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(request.url.query(), None);
    request
}

/// The one request the server received (checked as above): method, path, the JSON body.
async fn only_request(server: &MockServer) -> (String, String, Value) {
    let r = checked_request(server).await;
    let body = serde_json::from_slice(&r.body).expect("a JSON body");
    (r.method.to_string(), r.url.path().to_owned(), body)
}

#[tokio::test]
async fn auth_token_sends_a_string_code_in_a_get_body_and_builds_the_login_link() {
    let (server, client) = mock(
        "GET",
        "/customerarea/auth/token",
        ok(json!({"token": "tok%2B1", "expiration": "15 min"})),
    )
    .await;
    let token = client
        .get_auth_token(&AuthTokenRequest::for_customer(CustomerCode::from(1001)))
        .send()
        .await
        .expect("token");
    assert_eq!(token.token, "tok%2B1");
    assert_eq!(token.expiration, "15 min");
    assert_eq!(
        token.login_url(),
        "https://cloud.flashstart.com/?auth_token=tok%2B1"
    );
    let (verb, route, body) = only_request(&server).await;
    assert_eq!(
        (verb.as_str(), route.as_str()),
        ("GET", "/customerarea/auth/token")
    );
    assert_eq!(body, json!({"customer_code": "1001"}));
}

#[tokio::test]
async fn auth_token_failure_is_unauthorized_whatever_the_status() {
    for status in [200, 404] {
        let (_server, client) = mock(
            "GET",
            "/customerarea/auth/token",
            ResponseTemplate::new(status).set_body_json(json!({"code": 401, "content": []})),
        )
        .await;
        let error = client
            .get_auth_token(&AuthTokenRequest::for_customer(CustomerCode::from(7)))
            .send()
            .await
            .expect_err("cannot log in");
        assert_eq!(error.kind(), Some(ErrorKind::Unauthorized), "HTTP {status}");
        let api = error.as_api().expect("api error");
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.operation, "get_auth_token");
        assert_eq!(api.provider, "fsflt");
    }
}

#[tokio::test]
async fn create_customer_sends_the_documented_fields() {
    let (server, client) = mock(
        "POST",
        "/customerarea/customers/new",
        ok(json!({"customer_code": 1})),
    )
    .await;
    let mut new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3);
    new.company_name = Some("Rossi Srl".into());
    new.lang = Some(Lang::It);
    let created = client.create_customer(&new).send().await.expect("created");
    assert_eq!(created.customer_code, CustomerCode::from(1));
    let (verb, route, body) = only_request(&server).await;
    assert_eq!(
        (verb.as_str(), route.as_str()),
        ("POST", "/customerarea/customers/new")
    );
    assert_eq!(
        body,
        json!({
            "email": "it@rossi.example", "password": "s3cretpass", "customer_name": "Rossi",
            "country_code": "IT", "industry_code": 3, "company_name": "Rossi Srl", "lang": "IT"
        })
    );
}

#[tokio::test]
async fn available_licenses_is_a_get_with_a_json_body_and_decodes_leniently() {
    let (server, client) = mock(
        "GET",
        "/customerarea/licenses/available",
        ok(json!([
            {"license_code": "CL-Q-A005-M1", "license_name": "Business filter license",
             "license_duration_months": "1", "license_version": "0", "license_quantity": "5 users",
             "license_points": 0.5, "license_amount": 5, "license_amount_currency": "EUR"},
            {"license_code": "CL-Q-A010-M1", "license_duration_months": 12,
             "license_amount": "10.50", "license_amount_currency": "EUR", "new_field": true}
        ])),
    )
    .await;
    let mut query = AvailableLicensesRequest::for_customer(CustomerCode::from(1001));
    query.currency_code = Some("EUR".into());
    query.lang = Some(Lang::En);
    let licences = client
        .available_licenses(&query)
        .send()
        .await
        .expect("licences");
    assert_eq!(licences.len(), 2);
    let first = &licences[0];
    assert_eq!(first.license_code, "CL-Q-A005-M1");
    assert_eq!(
        first.license_name.as_deref(),
        Some("Business filter license")
    );
    assert_eq!(first.license_duration_months, Some(1));
    assert_eq!(first.license_version, Some(0));
    assert_eq!(first.license_quantity.as_deref(), Some("5 users"));
    assert_eq!(first.license_points, Some(0.5));
    assert_eq!(first.license_amount, Some(Decimal::from(5)));
    assert_eq!(first.license_amount_currency.as_deref(), Some("EUR"));
    let second = &licences[1];
    assert_eq!(second.license_duration_months, Some(12));
    assert_eq!(
        second.license_amount,
        Some(Decimal::from_str("10.50").expect("decimal"))
    );
    assert_eq!(second.extra["new_field"], true);

    let (verb, route, body) = only_request(&server).await;
    assert_eq!(
        (verb.as_str(), route.as_str()),
        ("GET", "/customerarea/licenses/available")
    );
    assert_eq!(
        body,
        json!({"customer_code": 1001, "lang": "EN", "currency_code": "EUR"})
    );
}

#[tokio::test]
async fn demo_and_assign_send_numeric_codes_and_decode_both_id_spellings() {
    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/demo",
        ok(json!({"customer": "fsdev8080", "version": "CL-DEMO",
                  "license": "Internet protection trial", "expiry_date": "2022-01-12",
                  "license_id": 108501})),
    )
    .await;
    let demo = client
        .assign_demo(&DemoRequest::for_customer(CustomerCode::from(1001)))
        .send()
        .await
        .expect("demo");
    assert_eq!(demo.license_id, LicenseId::from(108501));
    let day =
        |d: u8| api_core::time::Date::from_calendar_date(2022, api_core::time::Month::January, d);
    let expiry = demo.expiry_date.as_ref().expect("expiry_date");
    assert_eq!(
        (expiry.as_str(), expiry.get().ok()),
        ("2022-01-12", day(12).ok())
    );
    let (_, route, body) = only_request(&server).await;
    assert_eq!(route, "/customerarea/licenses/demo");
    assert_eq!(body, json!({"customer_code": 1001}));

    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/assign",
        ok(
            json!({"customer": "the customer name", "license_id": "13343",
                  "start_date": "2022-01-18", "expiry_date": "2022-01-31",
                  "deducted_amount": 5, "currency_code": "EUR"}),
        ),
    )
    .await;
    let assigned = client
        .assign_license(&AssignRequest::new(
            CustomerCode::from(1001),
            "CL-Q-A005-M1",
            "Head office",
        ))
        .send()
        .await
        .expect("assigned");
    assert_eq!(&*assigned.license_id.text(), "13343");
    assert_eq!(assigned.deducted_amount, Some(Decimal::from(5)));
    assert_eq!(assigned.currency_code.as_deref(), Some("EUR"));
    let read = |d: &Option<api_core::date::Date>| d.as_ref().and_then(|d| d.get().ok());
    assert_eq!(
        (read(&assigned.start_date), read(&assigned.expiry_date)),
        (day(18).ok(), day(31).ok())
    );
    let (verb, _, body) = only_request(&server).await;
    assert_eq!(verb, "POST");
    assert_eq!(
        body,
        json!({"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "Head office"})
    );
}

#[tokio::test]
async fn suspend_and_enable_send_strings_and_answer_the_message() {
    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/suspend",
        ok(json!("license suspended successfully")),
    )
    .await;
    let message = client
        .suspend_license(&LicenseAction::new(
            CustomerCode::from(1001),
            &LicenseId::from(13343),
        ))
        .send()
        .await
        .expect("suspended");
    assert_eq!(message.as_str(), "license suspended successfully");
    let (_, _, body) = only_request(&server).await;
    assert_eq!(
        body,
        json!({"license_id": "13343", "customer_code": "1001"})
    );

    let (_server, client) = mock(
        "POST",
        "/customerarea/licenses/enable",
        ok(json!("license enabled successfully")),
    )
    .await;
    let message = client
        .enable_license(&LicenseAction::new(
            CustomerCode::from(1001),
            &LicenseId::from("13343"),
        ))
        .send()
        .await
        .expect("enabled");
    assert_eq!(message.into_inner(), "license enabled successfully");
}

#[tokio::test]
async fn documented_errors() {
    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/suspend",
        ResponseTemplate::new(405).set_body_json(
            json!({"code": 405, "message": "license already suspended", "error": []}),
        ),
    )
    .await;
    let error = client
        .suspend_license(&LicenseAction::new(
            CustomerCode::from(1001),
            &LicenseId::from(1),
        ))
        .send()
        .await
        .expect_err("already suspended");
    assert_eq!(error.kind(), Some(LICENSE_ALREADY_SUSPENDED));
    assert_eq!(
        error.as_api().and_then(|a| a.message.as_deref()),
        Some("license already suspended")
    );
    assert_eq!(requests(&server).await.len(), 1);

    // Seed 003's 405 example for `enable` ("resume license renewal") is word for word the
    // `suspend` one; from `enable_license` it means the licence is already enabled.
    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/enable",
        ResponseTemplate::new(405).set_body_json(
            json!({"code": 405, "message": "license already suspended", "error": []}),
        ),
    )
    .await;
    let error = client
        .enable_license(&LicenseAction::new(
            CustomerCode::from(1001),
            &LicenseId::from(1),
        ))
        .send()
        .await
        .expect_err("already enabled");
    assert_eq!(error.kind(), Some(LICENSE_ALREADY_ENABLED));
    assert_eq!(requests(&server).await.len(), 1);

    let (server, client) = mock(
        "POST",
        "/customerarea/licenses/assign",
        ResponseTemplate::new(500).set_body_json(json!({
            "code": 500, "message": "the given data was invalid",
            "errors": {"license_info": ["the license info may only contain letters, numbers, dashes and whitespace."]}
        })),
    )
    .await;
    let error = client
        .assign_license(&AssignRequest::new(CustomerCode::from(1001), "X", "ok"))
        .send()
        .await
        .expect_err("validation");
    assert_eq!(error.kind(), Some(ErrorKind::Validation));
    assert_eq!(
        error.field_errors().expect("fields")["license_info"],
        ["the license info may only contain letters, numbers, dashes and whitespace."]
    );
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a validation 500 is never retried"
    );

    let (_server, client) = mock(
        "GET",
        "/customerarea/licenses/available",
        ResponseTemplate::new(401)
            .set_body_json(json!({"message": "invalid token or unauthorized admin"})),
    )
    .await;
    let error = client
        .available_licenses(&AvailableLicensesRequest::for_customer(CustomerCode::from(
            1,
        )))
        .send()
        .await
        .expect_err("401");
    assert_eq!(error.kind(), Some(ErrorKind::Unauthorized));
    assert_eq!(
        error.as_api().and_then(|a| a.message.as_deref()),
        Some("invalid token or unauthorized admin")
    );
}

#[tokio::test]
async fn bad_input_never_reaches_the_server() {
    let (server, client) = mock("POST", "/customerarea/licenses/assign", ok(json!({}))).await;
    let mut unknown_lang = DemoRequest::for_customer(CustomerCode::from(1));
    unknown_lang.lang = Some(Lang::Unknown("fr".into()));
    let cases: Vec<(Error, &str)> = vec![
        (
            client
                .assign_license(&AssignRequest::new(CustomerCode::from(1), "X", "a/b"))
                .send()
                .await
                .expect_err("slash"),
            "license_info",
        ),
        (
            client
                .suspend_license(&LicenseAction::new(
                    CustomerCode::from(0),
                    &LicenseId::from(1),
                ))
                .send()
                .await
                .expect_err("zero"),
            "customer_code",
        ),
        (
            client
                .suspend_license(&LicenseAction::new(
                    CustomerCode::from(1),
                    &LicenseId::from(""),
                ))
                .send()
                .await
                .expect_err("empty id"),
            "license_id",
        ),
        (
            client
                .create_customer(&NewCustomer::new("a@b.c", "short", "N", "IT", 1))
                .send()
                .await
                .expect_err("password"),
            "password",
        ),
        (
            client
                .get_auth_token(&AuthTokenRequest {
                    customer_code: "007".into(),
                })
                .send()
                .await
                .expect_err("leading zeros"),
            "customer_code",
        ),
        (
            client
                .assign_demo(&unknown_lang)
                .send()
                .await
                .expect_err("unknown lang"),
            "lang",
        ),
    ];
    for (error, field) in cases {
        assert_eq!(invalid::<()>(Err(error)).field, field);
    }
    assert!(requests(&server).await.is_empty());
}

/// A builder with a bad input answers `InvalidInput` from `send()` and from
/// `into_operation()`, and no request leaves: the generated check runs before the transport.
#[tokio::test]
async fn a_builders_bad_input_is_invalid_input_and_sends_nothing() {
    let (server, client) = mock("GET", "/customerarea/auth/token", ok(json!({}))).await;
    let zero = AuthTokenRequest::for_customer(CustomerCode::from(0));
    let error = client
        .get_auth_token(&zero)
        .send()
        .await
        .expect_err("code 0");
    let input = error.into_invalid_input().expect("an input error");
    assert_eq!(input.field, "customer_code");
    assert_eq!(
        input.rule,
        api_core::validate::Rule::Pattern("^[1-9][0-9]*$")
    );
    // `Operation` has no `Debug`, so no `expect_err`.
    match client.get_auth_token(&zero).into_operation() {
        Err(Error::InvalidInput(input)) => assert_eq!(input.field, "customer_code"),
        Err(other) => panic!("expected invalid input, got {other:?}"),
        Ok(_) => panic!("code 0 made an operation"),
    }
    let mut query = AvailableLicensesRequest::for_customer(CustomerCode::from(1001));
    query.license_code = Some("  ".into());
    let error = client
        .available_licenses(&query)
        .send()
        .await
        .expect_err("blank licence code");
    assert_eq!(
        error.into_invalid_input().ok().map(|e| e.field).as_deref(),
        Some("license_code")
    );
    assert!(requests(&server).await.is_empty());
}

/// The FlashStart builders have no setters (the spec has no optional parameters: every
/// optional input is a body field); this is the exact wire of one with every optional input
/// set, and the operation `into_operation` shows for it.
#[tokio::test]
async fn the_exact_wire_of_a_builder_with_every_optional_input_set() {
    let (server, client) = mock("GET", "/customerarea/licenses/available", ok(json!([]))).await;
    let query = AvailableLicensesRequest {
        customer_code: CustomerCode::from(1001),
        lang: Some(Lang::De),
        version_code: Some(2),
        license_duration: Some("12".into()),
        license_code: Some("CL-Q-A005-M1".into()),
        currency_code: Some("CHF".into()),
    };
    let operation = client
        .available_licenses(&query)
        .into_operation()
        .expect("valid");
    let request = operation.request();
    assert_eq!(request.method().as_str(), "GET");
    assert_eq!(request.path(), "/customerarea/licenses/available");
    assert_eq!(request.operation_name(), "available_licenses");
    assert!(request.query_pairs().is_empty());
    let expected = json!({
        "customer_code": 1001, "lang": "DE", "version_code": 2, "license_duration": "12",
        "license_code": "CL-Q-A005-M1", "currency_code": "CHF"
    });
    match request.body() {
        api_core::Body::Json(bytes) => {
            let sent: Value = serde_json::from_slice(bytes).expect("JSON");
            assert_eq!(sent, expected);
        }
        other => panic!("expected a JSON body, got {other:?}"),
    }

    let licences = client
        .available_licenses(&query)
        .send()
        .await
        .expect("licences");
    assert!(licences.is_empty());
    let r = checked_request(&server).await;
    assert_target(&r, "GET", "/customerarea/licenses/available", None);
    // Byte for byte: the fields in the schema's order, nothing else.
    assert_eq!(
        std::str::from_utf8(&r.body).expect("UTF-8"),
        r#"{"customer_code":1001,"lang":"DE","version_code":2,"license_duration":"12","license_code":"CL-Q-A005-M1","currency_code":"CHF"}"#
    );
}

#[test]
fn the_key_never_shows_in_debug() {
    let client = Client::new(KEY).expect("client");
    let text = format!("{client:?} {:?}", Client::builder().api_key(KEY));
    assert!(!text.contains(KEY), "{text}");
    assert!(matches!(Client::builder().build(), Err(Error::Config(_))));
}
