//! The Flexiti emulator over real HTTP on loopback: tokens and scopes, the POS customer and
//! transaction flows with the balances they move, idempotent replays, and the Online API's
//! hosted order flow.

use crate::common;

use common::{Answer, call};

use std::time::Duration;

use api_sandbox::{FlexitiConfig, Sandbox, SandboxConfig};
use serde_json::{Value, json};

const CLIENT: &str = "sandbox-flexiti";
const SECRET: &str = "sandbox-flexiti-secret";
const JANE: &str = "20076677";
const FROZEN: &str = "20076678";
const SMALL: &str = "20076679";
const CREDENTIALS: &str =
    "grant_type=client_credentials&client_id=sandbox-flexiti&client_secret=sandbox-flexiti-secret";

// ---------------------------------------------------------------------------------------
// Helpers

/// A sandbox; `tweak` adjusts the Flexiti config.
async fn sandbox(tweak: impl FnOnce(&mut FlexitiConfig)) -> Sandbox {
    let mut flexiti = FlexitiConfig::default();
    tweak(&mut flexiti);
    Sandbox::start(SandboxConfig {
        flexiti,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// `{flexiti_url}/flexiti/pos-api/{version}/oauth/token` or the Online one.
fn token_url(sandbox: &Sandbox, online: bool) -> String {
    if online {
        format!("{}/flexiti/online-api/oauth/token", sandbox.flexiti_url())
    } else {
        format!("{}/flexiti/pos-api/v2.5/oauth/token", sandbox.flexiti_url())
    }
}

/// The `x-reference-id` of the token requests: "HEADER | x-reference-id | Yes | ASCII string
/// (32) GUID" (Online API Endpoints Reference, `POST /oauth/token`).
const TOKEN_REFERENCE: (&str, &str) = ("x-reference-id", "5b0c9a3e1d7f4e2a8c6b4d2f0e1a3c5b");

/// POSTs a form to a token endpoint.
async fn token_call(sandbox: &Sandbox, online: bool, form: &str) -> Answer {
    call(
        "POST",
        &token_url(sandbox, online),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            TOKEN_REFERENCE,
        ],
        form,
    )
    .await
}

/// A POS access token of `scope`.
async fn token(sandbox: &Sandbox, scope: &str) -> String {
    let answer = token_call(sandbox, false, &format!("{CREDENTIALS}&scope={scope}")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// An Online API access token.
async fn online_token(sandbox: &Sandbox) -> String {
    let answer = token_call(sandbox, true, CREDENTIALS).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// `{flexiti_url}/flexiti/pos-api/{version}/client-id/sandbox-flexiti{path}`.
fn pos_url(sandbox: &Sandbox, version: &str, path: &str) -> String {
    format!(
        "{}/flexiti/pos-api/{version}/client-id/{CLIENT}{path}",
        sandbox.flexiti_url()
    )
}

/// The path part of [`pos_url`] (the `url` of error bodies).
fn pos_path(version: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    format!("/flexiti/pos-api/{version}/client-id/{CLIENT}{path}")
}

/// A POS call with a bearer token, `x-reference-id`, and a JSON body when `body` is not null.
async fn pos(
    sandbox: &Sandbox,
    token: &str,
    method: &str,
    version: &str,
    path: &str,
    body: &Value,
) -> Answer {
    pos_with(sandbox, token, method, version, path, body, &[]).await
}

/// [`pos`] with more headers.
async fn pos_with(
    sandbox: &Sandbox,
    token: &str,
    method: &str,
    version: &str,
    path: &str,
    body: &Value,
    extra: &[(&str, &str)],
) -> Answer {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![
        ("authorization", bearer.as_str()),
        ("x-reference-id", "2f1c3d4e5f60718293a4b5c6d7e8f901"),
        ("accept", "application/json"),
    ];
    let text = if body.is_null() {
        String::new()
    } else {
        headers.push(("content-type", "application/json"));
        body.to_string()
    };
    headers.extend_from_slice(extra);
    call(method, &pos_url(sandbox, version, path), &headers, &text).await
}

/// Asserts a 409 `wrong_inputs` answer with exactly these field errors.
fn assert_wrong_inputs(answer: &Answer, url: &str, field_errors: Value) {
    assert_eq!(answer.status, 409, "{}", answer.text);
    assert_eq!(
        answer.json,
        json!({
            "url": url,
            "message": "Some inputs are wrong!",
            "error": "wrong_inputs",
            "field_errors": field_errors
        }),
        "{}",
        answer.text
    );
}

/// Asserts an error answer `{"url","message","error"}` and returns the message.
fn assert_error(answer: &Answer, status: u16, url: &str, error: &str) -> String {
    assert_eq!(answer.status, status, "{}", answer.text);
    let object = answer.json.as_object().expect("an object");
    assert_eq!(object.len(), 3, "{}", answer.text);
    assert_eq!(answer.json["url"], url, "{}", answer.text);
    assert_eq!(answer.json["error"], error, "{}", answer.text);
    answer.json["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

fn balance(sandbox: &Sandbox, account: &str) -> String {
    sandbox
        .flexiti()
        .account_balance(account)
        .expect("a seeded account")
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks `YYYY-MM-DDTHH:mm:ss.SSSZ`.
fn is_utc_time(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let bytes = text.as_bytes();
    text.len() == 24
        && bytes[4] == b'-'
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && text.ends_with('Z')
}

/// A promotional authorization body.
fn promotional(account: &str, amount: &str, auto_capture: bool) -> Value {
    json!({
        "account_number": account,
        "amount": amount,
        "auto_capture": auto_capture,
        "reference": "ORDER-1",
        "financing_option": {"transaction_type": "promotional_purchase", "plan_id": 101, "term": 12}
    })
}

/// Authorizes; returns the answer (asserted 200).
async fn authorize(sandbox: &Sandbox, token: &str, body: &Value) -> Value {
    let answer = pos(sandbox, token, "POST", "v2.5.1", "/authorization", body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json
}

// ---------------------------------------------------------------------------------------
// Tokens

#[tokio::test]
async fn token_endpoint_takes_forms_credentials_and_scopes() {
    let sandbox = sandbox(|_| {}).await;
    assert_eq!(
        sandbox.flexiti_url(),
        format!("{}/flexiti-sandbox", sandbox.base_url())
    );
    let flexiti = sandbox.flexiti();

    let issued = token_call(&sandbox, false, CREDENTIALS).await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    assert_eq!(issued.header("content-type"), Some("application/json"));
    let access = issued.json["access_token"].as_str().expect("access_token");
    let refresh = issued.json["refresh_token"]
        .as_str()
        .expect("refresh_token");
    assert!(is_hex(access, 40), "{access}");
    assert!(!refresh.is_empty());
    assert_eq!(
        issued.json,
        json!({
            "token_type": "bearer",
            "access_token": access,
            "expires_in": 1200,
            "refresh_token": refresh,
            "scope": "merchant"
        })
    );
    assert!(
        issued
            .text
            .starts_with(r#"{"token_type":"bearer","access_token":""#),
        "{}",
        issued.text
    );

    // JSON is refused.
    let json_body = call(
        "POST",
        &token_url(&sandbox, false),
        &[("content-type", "application/json")],
        &json!({"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": SECRET})
            .to_string(),
    )
    .await;
    assert_eq!(json_body.status, 400);
    assert_eq!(
        json_body.json,
        json!({"error": "invalid_request", "error_description": "Content type must be application/x-www-form-urlencoded"})
    );

    // Query-string credentials are refused too.
    let in_query = call(
        "POST",
        &format!("{}?{CREDENTIALS}", token_url(&sandbox, false)),
        &[],
        "",
    )
    .await;
    assert_eq!(in_query.status, 400);
    assert_eq!(in_query.json["error"], "invalid_request");

    // Wrong credentials.
    let wrong = token_call(
        &sandbox,
        false,
        "grant_type=client_credentials&client_id=sandbox-flexiti&client_secret=nope",
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json,
        json!({"error": "invalid_client", "error_description": "Bad client credentials"})
    );

    // Without x-reference-id: refused, before the credentials are read.
    let unreferenced = call(
        "POST",
        &token_url(&sandbox, false),
        &[("content-type", "application/x-www-form-urlencoded")],
        CREDENTIALS,
    )
    .await;
    assert_eq!(unreferenced.status, 400);
    assert_eq!(
        unreferenced.json,
        json!({"error": "invalid_request", "error_description": "Missing x-reference-id header"})
    );

    // HTTP Basic, customer scope.
    let basic = call(
        "POST",
        &token_url(&sandbox, false),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            TOKEN_REFERENCE,
            // base64("sandbox-flexiti:sandbox-flexiti-secret")
            (
                "authorization",
                "Basic c2FuZGJveC1mbGV4aXRpOnNhbmRib3gtZmxleGl0aS1zZWNyZXQ=",
            ),
        ],
        "grant_type=client_credentials&scope=customer",
    )
    .await;
    assert_eq!(basic.status, 200, "{}", basic.text);
    assert_eq!(basic.json["scope"], "customer");

    // Unknown scope, grant type, missing grant type.
    let scope = token_call(&sandbox, false, &format!("{CREDENTIALS}&scope=admin")).await;
    assert_eq!(
        scope.json,
        json!({"error": "invalid_request", "error_description": "Invalid scope: admin"})
    );
    let password = token_call(
        &sandbox,
        false,
        "grant_type=password&client_id=sandbox-flexiti&client_secret=sandbox-flexiti-secret",
    )
    .await;
    assert_eq!(
        password.json,
        json!({"error": "invalid_request", "error_description": "Unsupported grant type: password"})
    );
    let missing = token_call(
        &sandbox,
        false,
        "client_id=sandbox-flexiti&client_secret=sandbox-flexiti-secret",
    )
    .await;
    assert_eq!(
        missing.json,
        json!({"error": "invalid_request", "error_description": "Missing grant type"})
    );

    // GET is not the method.
    let get = call("GET", &token_url(&sandbox, false), &[], "").await;
    assert_eq!(get.status, 405);
    assert_eq!(get.header("allow"), Some("POST"));

    // Refresh: a new pair; the refresh token is used up; the old access token still works.
    let form = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id={CLIENT}&client_secret={SECRET}"
    );
    let refreshed = token_call(&sandbox, false, &form).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(refreshed.json["scope"], "merchant");
    assert_eq!(refreshed.json["expires_in"], 1200);
    assert_ne!(refreshed.json["access_token"], access);
    let again = token_call(&sandbox, false, &form).await;
    assert_eq!(again.status, 401);
    assert_eq!(
        again.json,
        json!({"error": "invalid_token", "error_description": format!("Invalid refresh token: {refresh}")})
    );
    let terms = pos(
        &sandbox,
        access,
        "GET",
        "v2.5",
        "/terms-and-conditions",
        &Value::Null,
    )
    .await;
    assert_eq!(terms.status, 200, "{}", terms.text);

    // A POS token is not an Online API token.
    let online = call(
        "GET",
        &format!(
            "{}/flexiti/online-api/online/client-id/{CLIENT}/notifications/order-id/1",
            sandbox.flexiti_url()
        ),
        &[("authorization", &format!("Bearer {access}"))],
        "",
    )
    .await;
    assert_eq!(online.status, 401);
    assert_eq!(
        online.json,
        json!({"code": 401, "error": "invalid_token", "error_description": "Invalid or expired token"})
    );

    assert_eq!(flexiti.token_requests(), 12);
    let recorded = flexiti.requests();
    assert_eq!(recorded.len(), 14);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(
        recorded[0].path,
        "/flexiti-sandbox/flexiti/pos-api/v2.5/oauth/token"
    );
    assert_eq!(recorded[0].body, CREDENTIALS.as_bytes());
    assert_eq!(recorded[0].status, 200);
    assert_eq!(recorded[1].status, 400);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_get_401_and_cannot_be_refreshed() {
    let sandbox = sandbox(|_| {}).await;
    let issued = token_call(&sandbox, false, CREDENTIALS).await;
    let access = issued.json["access_token"].as_str().expect("token");
    let refresh = issued.json["refresh_token"].as_str().expect("refresh");
    let ok = pos(&sandbox, access, "GET", "v2.5", "/i18n", &Value::Null).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    // Past the 20 minutes of the token's `expires_in`, on the sandbox's clock.
    sandbox
        .clock()
        .advance(std::time::Duration::from_secs(1201));
    let expired = pos(&sandbox, access, "GET", "v2.5", "/i18n", &Value::Null).await;
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.json,
        json!({"message": "Invalid or expired token", "error": "invalid_token"})
    );
    assert!(
        expired
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer error=\"invalid_token\""))
    );
    let form = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id={CLIENT}&client_secret={SECRET}"
    );
    let refused = token_call(&sandbox, false, &form).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json["error"], "invalid_token");

    // No token, a malformed header, an unknown token: the same 401.
    for auth in ["", "Bearer", "Basic abc", "Bearer 0000"] {
        let answer = call(
            "GET",
            &pos_url(&sandbox, "v2.5", "/i18n"),
            &[("authorization", auth), ("x-reference-id", "r")],
            "",
        )
        .await;
        assert_eq!(answer.status, 401, "{auth}");
        assert_eq!(answer.json["error"], "invalid_token");
    }

    // A fresh token works again.
    let fresh = token(&sandbox, "merchant").await;
    let ok = pos(&sandbox, &fresh, "GET", "v2.5", "/i18n", &Value::Null).await;
    assert_eq!(ok.status, 200);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let sandbox = sandbox(|c| c.token_lifetime = Duration::from_millis(300)).await;
    let issued = token_call(&sandbox, false, CREDENTIALS).await;
    assert_eq!(issued.json["expires_in"], 0);
    let access = issued.json["access_token"].as_str().expect("token");
    let ok = pos(&sandbox, access, "GET", "v2.5", "/i18n", &Value::Null).await;
    assert_eq!(ok.status, 200);
    sandbox.clock().advance(Duration::from_millis(400));
    let late = pos(&sandbox, access, "GET", "v2.5", "/i18n", &Value::Null).await;
    assert_eq!(late.status, 401);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The checks of every POS call

#[tokio::test]
async fn scope_reference_id_client_id_and_routes() {
    let sandbox = sandbox(|_| {}).await;
    let merchant = token(&sandbox, "merchant").await;
    let customer = token(&sandbox, "customer").await;
    let search = "/customers/search?first_name=Jane&last_name=Doe&dob=1985-04-12";

    // A customer token may not search.
    let forbidden = pos(&sandbox, &customer, "GET", "v2.5", search, &Value::Null).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.json,
        json!({"message": "Insufficient scope: authorized scope is insufficient", "error": "insufficient_scope"})
    );
    let forbidden = pos(
        &sandbox,
        &customer,
        "POST",
        "v2.5.1",
        "/authorization/1/capture",
        &json!({"amount": 1}),
    )
    .await;
    assert_eq!(forbidden.status, 403);
    // ... but may calculate interest and see the terms.
    let allowed = pos(
        &sandbox,
        &customer,
        "POST",
        "v2.5.1",
        &format!("/accounts/{JANE}/calculate-interest"),
        &json!({"amount": 100}),
    )
    .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);

    // x-reference-id is required.
    let no_reference = call(
        "GET",
        &pos_url(&sandbox, "v2.5", search),
        &[("authorization", &format!("Bearer {merchant}"))],
        "",
    )
    .await;
    assert_wrong_inputs(
        &no_reference,
        &pos_path("v2.5", search),
        json!([{"param": "x-reference-id", "msg": "required", "value": null}]),
    );

    // Another client id, an unknown path, a deprecated version: 404 not_found.
    let other_client = call(
        "GET",
        &format!(
            "{}/flexiti/pos-api/v2.5/client-id/someone-else/customers/search",
            sandbox.flexiti_url()
        ),
        &[
            ("authorization", &format!("Bearer {merchant}")),
            ("x-reference-id", "r"),
        ],
        "",
    )
    .await;
    assert_error(
        &other_client,
        404,
        "/flexiti/pos-api/v2.5/client-id/someone-else/customers/search",
        "not_found",
    );
    let deprecated = pos(
        &sandbox,
        &merchant,
        "POST",
        "v2.5",
        "/authorization",
        &promotional(JANE, "10", false),
    )
    .await;
    assert_error(
        &deprecated,
        404,
        &pos_path("v2.5", "/authorization"),
        "not_found",
    );
    // Capture, release and return exist at the spec's version only (routes from the table).
    for action in ["capture", "release"] {
        let path = format!("/authorization/{}/{action}", 1_000_001);
        let wrong = pos(
            &sandbox,
            &merchant,
            "POST",
            "v2.5",
            &path,
            &json!({"amount": 1}),
        )
        .await;
        assert_error(&wrong, 404, &pos_path("v2.5", &path), "not_found");
    }
    let unknown = pos(&sandbox, &merchant, "GET", "v2.5", "/nope", &Value::Null).await;
    assert_error(&unknown, 404, &pos_path("v2.5", "/nope"), "not_found");

    // The wrong method.
    let wrong_method = pos(&sandbox, &merchant, "POST", "v2.5", search, &json!({})).await;
    assert_error(
        &wrong_method,
        405,
        &pos_path("v2.5", search),
        "method_not_allowed",
    );
    assert_eq!(wrong_method.header("allow"), Some("GET"));

    // A bad lang.
    let lang = pos(
        &sandbox,
        &merchant,
        "GET",
        "v2.5",
        "/terms-and-conditions?lang=de",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &lang,
        &pos_path("v2.5", "/terms-and-conditions"),
        json!([{"param": "lang", "msg": "must be one of en, fr", "value": "de"}]),
    );

    // A body that is not JSON.
    let text = call(
        "POST",
        &pos_url(&sandbox, "v2.5.1", "/authorization"),
        &[
            ("authorization", &format!("Bearer {merchant}")),
            ("x-reference-id", "r"),
            ("content-type", "text/plain"),
        ],
        "hello",
    )
    .await;
    assert_error(
        &text,
        415,
        &pos_path("v2.5.1", "/authorization"),
        "unsupported_media_type",
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Customers

#[tokio::test]
async fn search_and_lookup() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    let jane_item = json!({
        "customer_id": "828930",
        "account_status": "N",
        "account_status_reason_code": "NNOR",
        "tos_agreement": true,
        "risk_rating": "L",
        "account_number": 20076677,
        "customer_account_type": "consumer",
        "credit_limit": "5000.00",
        "available_credit": "5000.00",
        "originating_merchant_id": "1001",
        "originating_merchant_name": "Flexiti Sandbox Store",
        "creation_date": "2021-03-15",
        "first_name": "Jane",
        "last_name": "Doe",
        "card_ending_in": "1111",
        "preferred_language": "en-CA"
    });

    let found = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/search?first_name=jane&last_name=DOE&dob=1985-04-12&postal_code=M5V%202T6",
        &Value::Null,
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json, json!([jane_item.clone()]));
    let none = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/search?first_name=Jane&last_name=Doe&dob=1985-04-13",
        &Value::Null,
    )
    .await;
    assert_eq!(none.json, json!([]));
    let frozen = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/search?first_name=John&last_name=Smith&dob=1979-09-30",
        &Value::Null,
    )
    .await;
    assert_eq!(frozen.json[0]["account_status"], "F");
    assert_eq!(frozen.json[0]["account_number"], 20076678);

    let missing = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/search?first_name=Jane&dob=12-04-1985",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &missing,
        &pos_path("v2.5", "/customers/search"),
        json!([
            {"param": "last_name", "msg": "required", "value": null},
            {"param": "dob", "msg": "must be a date YYYY-MM-DD", "value": "12-04-1985"}
        ]),
    );

    // Lookup by each key.
    let mut lookup_item = jane_item.clone();
    lookup_item
        .as_object_mut()
        .expect("object")
        .extend(json!({
            "security_qid": {"id": "1", "text": "What is the name of your first pet?"},
            "phone_number": "4165550123",
            "address_1": "100 King St W",
            "address_2": "Suite 200",
            "city": "Toronto",
            "postal_code": "M5V2T6",
            "province": "ON",
            "payment_protection": false,
            "offer_types": [
                {"plan_name": "12 months equal payments", "plan_id": 101, "offer_category": "equal_billing", "term_options": 12},
                {"plan_name": "6 months deferred", "plan_id": 102, "offer_category": "deferred_payment", "term_options": 6}
            ]
        })
        .as_object()
        .expect("object")
        .clone());
    for query in [
        "account_number=20076677",
        "vcc_number=4111111111111111",
        "customer_id=828930",
    ] {
        let answer = pos(
            &sandbox,
            &t,
            "GET",
            "v2.5",
            &format!("/customers/lookup?{query}&lang=en"),
            &Value::Null,
        )
        .await;
        assert_eq!(answer.status, 200, "{query}: {}", answer.text);
        assert_eq!(answer.json, lookup_item, "{query}");
    }

    // Exactly one key.
    let one = "exactly one of vcc_number, account_number, customer_id is required";
    let two = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/lookup?account_number=20076677&customer_id=828930",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &two,
        &pos_path("v2.5", "/customers/lookup"),
        json!([
            {"param": "account_number", "msg": one, "value": "20076677"},
            {"param": "customer_id", "msg": one, "value": "828930"}
        ]),
    );
    let zero = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/lookup",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &zero,
        &pos_path("v2.5", "/customers/lookup"),
        json!([
            {"param": "vcc_number", "msg": one, "value": null},
            {"param": "account_number", "msg": one, "value": null},
            {"param": "customer_id", "msg": one, "value": null}
        ]),
    );
    let bad = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/lookup?account_number=abc",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &bad,
        &pos_path("v2.5", "/customers/lookup"),
        json!([{"param": "account_number", "msg": "invalid", "value": "abc"}]),
    );
    let unknown = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/customers/lookup?account_number=1",
        &Value::Null,
    )
    .await;
    assert_error(
        &unknown,
        404,
        &pos_path("v2.5", "/customers/lookup"),
        "not_found",
    );
    let frozen = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        &format!("/customers/lookup?account_number={FROZEN}"),
        &Value::Null,
    )
    .await;
    assert_error(
        &frozen,
        409,
        &pos_path("v2.5", "/customers/lookup"),
        "user_not_active",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn calculate_interest_has_exact_amounts() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    let path = format!("/accounts/{JANE}/calculate-interest");
    let answer = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &path,
        &json!({"amount": "1000.00"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let rates = json!({"promotional": 0.0, "post_promotional": 0.2999, "standard": 0.2999});
    assert_eq!(
        answer.json,
        json!({
            "account_number": 20076677,
            "account_type": "consumer",
            "amount": 1000.0,
            "customer": {"available_credit": 5000.0, "air": 0.2999, "first_name": "Jane", "last_name": "Doe", "category_type": "standard"},
            "regular_purchase": {"term_amount": 30.0, "air": 0.2999, "verify": false, "fees": []},
            "promotional_purchase": [
                {"plan_id": 101, "plan_name": "12 months equal payments", "terms": [{
                    "term": 12, "term_amount": 83.33, "annual_rates": rates,
                    "fees": [{"description": "Administration fee", "amount": 29.0, "type": "admin_total", "message": "12 equal monthly payments"}]
                }]},
                {"plan_id": 102, "plan_name": "6 months deferred", "terms": [{
                    "term": 6, "term_amount": 0.0, "annual_rates": rates,
                    "fees": [{"description": "Administration fee", "amount": 39.0, "type": "admin_total", "message": "No payments for 6 months"}]
                }]}
            ]
        })
    );
    assert!(
        answer.text.contains(r#""term_amount":83.33"#),
        "{}",
        answer.text
    );
    let small = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &path,
        &json!({"amount": 150.5}),
    )
    .await;
    assert_eq!(small.json["regular_purchase"]["term_amount"], 10.0);
    assert_eq!(small.json["regular_purchase"]["verify"], true);
    assert_eq!(
        small.json["promotional_purchase"][0]["terms"][0]["term_amount"],
        12.54
    );

    for bad in [
        json!("10.005"),
        json!(0),
        json!(-5),
        json!(10.001),
        json!("abc"),
    ] {
        let answer = pos(
            &sandbox,
            &t,
            "POST",
            "v2.5.1",
            &path,
            &json!({"amount": bad}),
        )
        .await;
        assert_wrong_inputs(
            &answer,
            &pos_path("v2.5.1", &path),
            json!([{"param": "amount", "msg": "must be a positive amount with at most 2 decimals", "value": bad}]),
        );
    }
    let unknown = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/accounts/1/calculate-interest",
        &json!({"amount": 5}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Verification and payments

#[tokio::test]
async fn verify_then_post_payments_with_the_pin() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    let verify = format!("/account/{JANE}/verify");

    let sms = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &verify,
        &json!({"format": "sms", "request_id": "REQ-1"}),
    )
    .await;
    assert_eq!(sms.status, 200, "{}", sms.text);
    assert_eq!(
        sms.json,
        json!({"verification_code": "verification_sent_to_sms"})
    );

    let payment = |code: Value, request_id: &str, kind: &str, amount: &str| {
        json!({
            "transaction_type": kind,
            "amount": amount,
            "account_number": JANE,
            "verification_code": code,
            "request_id": request_id,
            "external_location_id": "00-12345",
            "external_employee_id": "12345-SMITH"
        })
    };
    let url = pos_path("v2.5.1", "/transactions");

    // The PIN is 2222, for that request id.
    let deposit = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(2222), "REQ-1", "deposit", "10.00"),
    )
    .await;
    assert_eq!(deposit.status, 200, "{}", deposit.text);
    assert_eq!(deposit.json, json!({"transaction_id": 600001}));
    assert_eq!(balance(&sandbox, JANE), "5010.00");

    let wrong = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(1234), "REQ-1", "deposit", "10.00"),
    )
    .await;
    assert_error(&wrong, 409, &url, "wrong_verification_code");
    let unverified = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(2222), "REQ-2", "deposit", "10.00"),
    )
    .await;
    assert_error(&unverified, 409, &url, "not_verified");
    let no_code = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &json!({"transaction_type": "deposit", "amount": 5, "account_number": JANE, "request_id": "REQ-1"}),
    )
    .await;
    assert_error(&no_code, 409, &url, "verification_code_required");
    let kind = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(2222), "REQ-1", "promotional_purchase", "5"),
    )
    .await;
    assert_error(&kind, 409, &url, "invalid_transaction_type");
    let missing = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &json!({"verification_code": 2222}),
    )
    .await;
    assert_wrong_inputs(
        &missing,
        &url,
        json!([
            {"param": "transaction_type", "msg": "required", "value": null},
            {"param": "amount", "msg": "required", "value": null},
            {"param": "account_number", "msg": "required", "value": null}
        ]),
    );
    assert_eq!(balance(&sandbox, JANE), "5010.00");

    // A security question gives a numeric code.
    let wrong_answer = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &verify,
        &json!({"format": "security_question", "request_id": "REQ-3", "security_qid": "1", "security_answer": "Fido"}),
    )
    .await;
    assert_error(
        &wrong_answer,
        409,
        &pos_path("v2.5", &verify),
        "secret_answer_mismatch",
    );
    let question = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &verify,
        &json!({"format": "security_question", "request_id": "REQ-3", "security_qid": "1", "security_answer": "rex"}),
    )
    .await;
    assert_eq!(question.status, 200, "{}", question.text);
    let code = question.json["verification_code"]
        .as_u64()
        .expect("a number");
    assert!((10_000_000..100_000_000).contains(&code));
    let no_answer = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &verify,
        &json!({"format": "security_question"}),
    )
    .await;
    assert_wrong_inputs(
        &no_answer,
        &pos_path("v2.5", &verify),
        json!([
            {"param": "security_qid", "msg": "required", "value": null},
            {"param": "security_answer", "msg": "required", "value": null}
        ]),
    );

    // That code pays; 2222 does not (on that request id).
    let two = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(2222), "REQ-3", "instore_payment", "5000.00"),
    )
    .await;
    assert_error(&two, 409, &url, "wrong_verification_code");
    let paid = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(code), "REQ-3", "instore_payment", "5000.00"),
    )
    .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(paid.json, json!({"transaction_id": 600002}));
    assert_eq!(balance(&sandbox, JANE), "10010.00");

    // At most 10000.00 of payments in 24 hours (5010.00 so far).
    let over = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(code), "REQ-3", "deposit", "4990.01"),
    )
    .await;
    assert_error(&over, 409, &url, "limit_payment_amount_24");
    let exactly = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(code), "REQ-3", "deposit", "4990.00"),
    )
    .await;
    assert_eq!(exactly.status, 200, "{}", exactly.text);
    assert_eq!(balance(&sandbox, JANE), "15000.00");
    // A day later on the sandbox's clock the 24 hours are over (a new token: the old one
    // expired with them), and the verification code still holds.
    sandbox.clock().advance(Duration::from_secs(24 * 3600 + 1));
    let t = token(&sandbox, "merchant").await;
    let next_day = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &payment(json!(code), "REQ-3", "deposit", "4990.01"),
    )
    .await;
    assert_eq!(next_day.status, 200, "{}", next_day.text);
    assert_eq!(balance(&sandbox, JANE), "19990.01");

    // A frozen account is not active.
    let frozen_verify = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/account/{FROZEN}/verify"),
        &json!({"format": "sms", "request_id": "F"}),
    )
    .await;
    assert_eq!(frozen_verify.status, 200);
    let frozen = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/transactions",
        &json!({"transaction_type": "deposit", "amount": "1", "account_number": FROZEN, "verification_code": 2222, "request_id": "F"}),
    )
    .await;
    assert_error(&frozen, 409, &url, "user_not_active");
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Authorizations

#[tokio::test]
async fn authorize_capture_return_release_and_refund() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    assert_eq!(balance(&sandbox, JANE), "5000.00");

    // Authorize 1000.00: held.
    let auth = authorize(&sandbox, &t, &promotional(JANE, "1000.00", false)).await;
    assert!(is_utc_time(&auth["date"]), "{auth}");
    assert_eq!(
        auth,
        json!({
            "authorization_id": 1000001,
            "reference": "ORDER-1",
            "amount": 1000.0,
            "authorization_status": "opened",
            "transaction_type": "promotional_purchase",
            "plan_id": 101,
            "term": 12,
            "date": auth["date"],
            "remaining_authorization_amount": 1000.0,
            "account_number": 20076677
        })
    );
    assert_eq!(balance(&sandbox, JANE), "4000.00");
    let base = "/authorization/1000001";

    // Capture a part, then the rest, then more.
    let first = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &format!("{base}/capture"),
        &json!({"amount": 300.25, "reference": "SHIP-1"}),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(is_utc_time(&first.json["date"]));
    assert_eq!(
        first.json,
        json!({
            "capture_id": 300001,
            "authorization_id": 1000001,
            "amount": 300.25,
            "reference": "SHIP-1",
            "date": first.json["date"],
            "remaining_authorization_amount": 699.75
        })
    );
    let rest = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &format!("{base}/capture"),
        &json!({"amount": "699.75"}),
    )
    .await;
    assert_eq!(rest.status, 200, "{}", rest.text);
    assert_eq!(rest.json["capture_id"], 300002);
    assert_eq!(rest.json["remaining_authorization_amount"], 0.0);
    let more = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &format!("{base}/capture"),
        &json!({"amount": "0.01"}),
    )
    .await;
    assert_eq!(more.status, 409);
    assert_eq!(
        more.json,
        json!({
            "url": pos_path("v2.5.1", &format!("{base}/capture")),
            "message": "The amount exceeds the remaining authorization amount",
            "error": "capture_amount_exceeded"
        })
    );
    assert_eq!(balance(&sandbox, JANE), "4000.00");
    let fetched = pos(&sandbox, &t, "GET", "v2.5.1", base, &Value::Null).await;
    assert_eq!(fetched.json["authorization_status"], "captured");
    assert_eq!(fetched.json["remaining_authorization_amount"], 0.0);

    // Return part of the first capture: credit comes back.
    let return_path = format!("{base}/capture/300001/return");
    let returned = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &return_path,
        &json!({"amount": "200.00", "full_return": false, "reference": "RMA-1"}),
    )
    .await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    assert_eq!(
        returned.json,
        json!({
            "return_id": 900001,
            "reference": "RMA-1",
            "capture_id": 300001,
            "date": returned.json["date"],
            "amount": 200.0,
            "remaining_capture_amount": 100.25,
            "remaining_authorization_amount": 0.0
        })
    );
    assert_eq!(balance(&sandbox, JANE), "4200.00");
    let too_much = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &return_path,
        &json!({"amount": "100.26", "full_return": false}),
    )
    .await;
    assert_error(
        &too_much,
        409,
        &pos_path("v2.5.1", &return_path),
        "capture_amount_exceeded",
    );
    let full = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &return_path,
        // The spec requires `amount` on every return (the SEEN request), a full one included.
        &json!({"full_return": true, "amount": 100.25}),
    )
    .await;
    assert_eq!(full.status, 200, "{}", full.text);
    assert_eq!(full.json["amount"], 100.25);
    assert_eq!(full.json["remaining_capture_amount"], 0.0);
    assert_eq!(balance(&sandbox, JANE), "4300.25");
    let wrong_capture = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &format!("{base}/capture/999/return"),
        &json!({"amount": 1, "full_return": false}),
    )
    .await;
    assert_eq!(wrong_capture.status, 404);

    // Nothing is left to release on a fully captured authorization.
    let nothing = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        &format!("{base}/release"),
        &Value::Null,
    )
    .await;
    assert_error(
        &nothing,
        409,
        &pos_path("v2.5.1", &format!("{base}/release")),
        "not_permitted",
    );

    // A regular purchase: capture a part, release the rest.
    let regular = authorize(
        &sandbox,
        &t,
        &json!({
            "account_number": 20076677,
            "amount": 500,
            "auto_capture": false,
            "financing_option": {"transaction_type": "regular_purchase"}
        }),
    )
    .await;
    assert_eq!(regular["authorization_id"], 1000002);
    assert_eq!(regular["plan_id"], Value::Null);
    assert_eq!(regular["reference"], Value::Null);
    assert_eq!(balance(&sandbox, JANE), "3800.25");
    let part = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/authorization/1000002/capture",
        &json!({"amount": 120}),
    )
    .await;
    assert_eq!(part.status, 200);
    let released = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/authorization/1000002/release",
        &Value::Null,
    )
    .await;
    assert_eq!(released.status, 200, "{}", released.text);
    assert!(is_utc_time(&released.json["date"]));
    assert_eq!(
        released.json,
        json!({"authorization_id": 1000002, "amount": 380.0, "date": released.json["date"]})
    );
    assert_eq!(balance(&sandbox, JANE), "4180.25");
    let fetched = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        "/authorization/1000002",
        &Value::Null,
    )
    .await;
    assert_eq!(fetched.json["authorization_status"], "released");
    // Regular purchases cannot be returned.
    let regular_return = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5.1",
        "/authorization/1000002/capture/300003/return",
        &json!({"amount": 10, "full_return": false}),
    )
    .await;
    assert_error(
        &regular_return,
        409,
        &pos_path("v2.5.1", "/authorization/1000002/capture/300003/return"),
        "wrong_transaction_type",
    );

    // Auto capture.
    let auto = authorize(&sandbox, &t, &promotional(JANE, "80.00", true)).await;
    assert_eq!(auto["capture_id"], 300004);
    assert_eq!(auto["authorization_status"], "captured");
    assert_eq!(auto["remaining_authorization_amount"], 0.0);
    assert_eq!(balance(&sandbox, JANE), "4100.25");

    // Refund onto the account, at most what it owes (899.75).
    let refund = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/accounts/{JANE}/refund"),
        &json!({"amount": "99.75", "reference": "GOODWILL"}),
    )
    .await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    // TXN's refund example answers "Success Response: { }".
    assert_eq!(refund.json, json!({}));
    // The other fields of TXN's example are read: a capture of the account is accepted, an
    // unknown one is not (404, ours), and a vcc_number of another account is a mismatch.
    let with_capture = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/accounts/{JANE}/refund"),
        &json!({"reference": "orderid-12345", "amount": 0.25, "external_location_id": "00-12345",
                "external_employee_id": "12345-SMITH", "capture_id": 300004,
                "sku_data": {"purchase_order": "100001234"}}),
    )
    .await;
    assert_eq!(with_capture.status, 200, "{}", with_capture.text);
    assert_eq!(with_capture.json, json!({}));
    let unknown_capture = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/accounts/{JANE}/refund"),
        &json!({"amount": 0.25, "capture_id": 1}),
    )
    .await;
    assert_eq!(unknown_capture.status, 404, "{}", unknown_capture.text);
    let other_card = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/accounts/{JANE}/refund"),
        &json!({"amount": 0.25, "vcc_number": "1234567890123423"}),
    )
    .await;
    assert_error(
        &other_card,
        409,
        &pos_path("v2.5", &format!("/accounts/{JANE}/refund")),
        "vcc_account_mismatch",
    );
    assert_eq!(balance(&sandbox, JANE), "4200.25");
    let too_big = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/accounts/{JANE}/refund"),
        &json!({"amount": "800.01"}),
    )
    .await;
    assert_error(
        &too_big,
        409,
        &pos_path("v2.5", &format!("/accounts/{JANE}/refund")),
        "refunds_limit_exceeded_amount",
    );

    // Captures, listed.
    let captures = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        "/captures?authorization_id=1000001",
        &Value::Null,
    )
    .await;
    assert_eq!(captures.status, 200, "{}", captures.text);
    let list = captures.json["captures"].as_array().expect("captures");
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0],
        json!({
            "capture_id": 300001,
            "authorization_id": 1000001,
            "account_number": 20076677,
            "amount": 300.25,
            "remaining_capture_amount": 0.0,
            "reference": "SHIP-1",
            "date": list[0]["date"]
        })
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn authorization_refusals() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    let url = pos_path("v2.5.1", "/authorization");
    let refuse = async |body: Value, status: u16, error: &str| {
        let answer = pos(&sandbox, &t, "POST", "v2.5.1", "/authorization", &body).await;
        assert_error(&answer, status, &url, error)
    };

    assert_eq!(
        refuse(promotional(SMALL, "300.01", false), 409, "credit_exceeded").await,
        "The amount exceeds the available credit"
    );
    refuse(promotional(FROZEN, "10", false), 409, "user_not_active").await;
    refuse(promotional("1", "10", false), 404, "not_found").await;
    let mut no_plan = promotional(JANE, "10", false);
    no_plan["financing_option"] = json!({"transaction_type": "promotional_purchase"});
    refuse(no_plan, 409, "plan_term_not_set").await;
    let mut bad_term = promotional(JANE, "10", false);
    bad_term["financing_option"]["term"] = json!(24);
    refuse(bad_term, 409, "plan_term_not_available").await;
    let mut vcc = promotional(JANE, "10", false);
    vcc["vcc_number"] = json!("4111111111112222");
    refuse(vcc, 409, "vcc_account_mismatch").await;
    let mut code = promotional(JANE, "10", false);
    code["verification_code"] = json!(2222);
    code["request_id"] = json!("R");
    refuse(code, 409, "not_verified").await;

    let answer = pos(&sandbox, &t, "POST", "v2.5.1", "/authorization", &json!({})).await;
    assert_wrong_inputs(
        &answer,
        &url,
        json!([
            {"param": "account_number", "msg": "required", "value": null},
            {"param": "amount", "msg": "required", "value": null},
            {"param": "auto_capture", "msg": "required", "value": null},
            {"param": "financing_option.transaction_type", "msg": "required", "value": null}
        ]),
    );

    // The full 300.00 of the small account can be held, with a verified code; then no more.
    let verified = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        &format!("/account/{SMALL}/verify"),
        &json!({"format": "merchant_override", "request_id": "R"}),
    )
    .await;
    let code = verified.json["verification_code"].clone();
    let mut body = promotional(SMALL, "300", false);
    body["verification_code"] = code;
    body["request_id"] = json!("R");
    authorize(&sandbox, &t, &body).await;
    assert_eq!(balance(&sandbox, SMALL), "0.00");
    refuse(promotional(SMALL, "0.01", false), 409, "credit_exceeded").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn idempotent_capture_is_replayed_byte_for_byte() {
    let sandbox = sandbox(|_| {}).await;
    let flexiti = sandbox.flexiti();
    let t = token(&sandbox, "merchant").await;
    authorize(&sandbox, &t, &promotional(JANE, "500.00", false)).await;
    assert_eq!(balance(&sandbox, JANE), "4500.00");
    let capture = |key: &'static str, amount: &'static str| {
        let sandbox = &sandbox;
        let t = t.clone();
        async move {
            pos_with(
                sandbox,
                &t,
                "POST",
                "v2.5.1",
                "/authorization/1000001/capture",
                &json!({"amount": amount}),
                &[("x-idempotency-key", key)],
            )
            .await
        }
    };

    let first = capture("cap-1", "100.00").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["remaining_authorization_amount"], 400.0);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = capture("cap-1", "100.00").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.text, first.text);
    assert_eq!(second.header("content-type"), Some("application/json"));
    // Even with another body, the key replays the first answer.
    let third = capture("cap-1", "999.00").await;
    assert_eq!(third.text, first.text);
    assert_eq!(flexiti.idempotency_key_count("cap-1"), 3);
    assert_eq!(flexiti.idempotency_key_count("never"), 0);
    let listed = pos(&sandbox, &t, "GET", "v2.5.1", "/captures", &Value::Null).await;
    assert_eq!(listed.json["captures"].as_array().map(Vec::len), Some(1));

    // Another key captures again.
    let other = capture("cap-2", "100.00").await;
    assert_eq!(other.json["capture_id"], 300002);
    assert_eq!(other.json["remaining_authorization_amount"], 300.0);

    // An error is replayed too.
    let refused = capture("cap-3", "1000.00").await;
    assert_eq!(refused.status, 409);
    let again = capture("cap-3", "1.00").await;
    assert_eq!(again.status, 409);
    assert_eq!(again.text, refused.text);

    // Releasing: the rest (300.00) comes back once.
    let release = || {
        pos_with(
            &sandbox,
            &t,
            "POST",
            "v2.5.1",
            "/authorization/1000001/release",
            &Value::Null,
            &[("x-idempotency-key", "rel-1")],
        )
    };
    let released = release().await;
    assert_eq!(released.json["amount"], 300.0);
    assert_eq!(balance(&sandbox, JANE), "4800.00");
    let replayed = release().await;
    assert_eq!(replayed.status, 200);
    assert_eq!(replayed.text, released.text);
    assert_eq!(balance(&sandbox, JANE), "4800.00");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn authorizations_are_listed_in_pages() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "merchant").await;
    authorize(&sandbox, &t, &promotional(JANE, "10.00", false)).await;
    authorize(&sandbox, &t, &promotional(SMALL, "20.00", false)).await;
    authorize(&sandbox, &t, &promotional(JANE, "30.00", true)).await;

    let page = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        &format!("/authorizations?account_number={JANE}&page_number=2&page_size=1"),
        &Value::Null,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.json["authorizations"].as_array().expect("a list");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["authorization_id"], 1000003);
    assert_eq!(items[0]["amount"], 30.0);
    assert_eq!(items[0]["authorization_status"], "captured");
    assert!(items[0].get("capture_id").is_none());
    assert_eq!(page.json["page_number"], 2);
    assert_eq!(page.json["page_size"], 1);
    assert_eq!(page.json["total"], 2);

    let all = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        "/authorizations",
        &Value::Null,
    )
    .await;
    assert_eq!(all.json["total"], 3);
    assert_eq!(all.json["page_number"], 1);
    assert_eq!(all.json["page_size"], 10);
    let ids: Vec<&Value> = all.json["authorizations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| &a["authorization_id"])
        .collect();
    assert_eq!(ids, [1000001, 1000002, 1000003]);

    let opened = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        "/authorizations?authorization_status=opened&creation_date_from=2000-01-01",
        &Value::Null,
    )
    .await;
    assert_eq!(opened.json["total"], 2);
    let bad = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5.1",
        // No maximum page size is documented (specs/flexiti.yaml): only 0 is refused.
        "/authorizations?page_size=0&page_number=0",
        &Value::Null,
    )
    .await;
    assert_wrong_inputs(
        &bad,
        &pos_path("v2.5.1", "/authorizations"),
        json!([
            {"param": "page_number", "msg": "invalid", "value": "0"},
            {"param": "page_size", "msg": "invalid", "value": "0"}
        ]),
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Customer-facing texts

#[tokio::test]
async fn widget_terms_i18n_and_drivers_licence() {
    let sandbox = sandbox(|_| {}).await;
    let t = token(&sandbox, "customer").await;
    let widget = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        "/widget/init",
        &json!({"flow": "purchase", "customer_identification": {"account_number": JANE}}),
    )
    .await;
    assert_eq!(widget.status, 200, "{}", widget.text);
    // The field of the SDK Init Method page's success response: `{"redirection_url":
    // "{posapi_url}/#/widget/{client_id}/{token}?lang=en&x-reference-id={GUID}&widget_session_id={GUID}"}`.
    let url = widget.json["redirection_url"]
        .as_str()
        .expect("redirection_url");
    assert!(widget.json.get("url").is_none());
    let expected = format!(
        "{}/#/widget/{CLIENT}/{t}?lang=en&x-reference-id=2f1c3d4e5f60718293a4b5c6d7e8f901&widget_session_id=",
        sandbox.flexiti_url()
    );
    assert!(url.starts_with(&expected), "{url}");
    assert_eq!(url.len(), expected.len() + 36);
    let page = call("GET", url, &[], "").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Flexiti sandbox widget"));
    let no_flow = pos(&sandbox, &t, "POST", "v2.5", "/widget/init", &json!({})).await;
    assert_wrong_inputs(
        &no_flow,
        &pos_path("v2.5", "/widget/init"),
        json!([{"param": "flow", "msg": "required", "value": null}]),
    );

    let terms = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/terms-and-conditions",
        &Value::Null,
    )
    .await;
    assert_eq!(
        terms.json,
        json!({"lang": "en", "text": "Flexiti sandbox terms and conditions: no real credit is granted."})
    );
    let french = pos(
        &sandbox,
        &t,
        "GET",
        "v2.5",
        "/terms-and-conditions?lang=fr",
        &Value::Null,
    )
    .await;
    assert_eq!(french.json["lang"], "fr");
    // The pages disagree on the method; the spec chose GET, and the routes follow the spec.
    let posted = pos(&sandbox, &t, "POST", "v2.5", "/i18n?lang=fr", &Value::Null).await;
    assert_eq!(posted.status, 405, "{}", posted.text);
    let i18n = pos(&sandbox, &t, "GET", "v2.5", "/i18n?lang=fr", &Value::Null).await;
    assert_eq!(i18n.status, 200, "{}", i18n.text);
    assert_eq!(i18n.json["widget.cancel"], "Annuler");

    let licence = pos(
        &sandbox,
        &t,
        "POST",
        "v2.5",
        "/customers/driverslicense",
        &json!({"code": "@\nANSI 636012080002DL00410278ZO03190008DL\nDCSDOE\nDACJANE\nDBB19850412\nDAG100 KING ST W\nDAITORONTO\nDAJON\nDAKM5V 2T6\n"}),
    )
    .await;
    assert_eq!(licence.status, 200, "{}", licence.text);
    assert_eq!(
        licence.json,
        json!({
            "first_name": "JANE", "last_name": "DOE", "dob": "1985-04-12",
            "address_1": "100 KING ST W", "city": "TORONTO", "province": "ON", "postal_code": "M5V2T6"
        })
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Online API

fn online_url(sandbox: &Sandbox, path: &str) -> String {
    format!("{}/flexiti/online-api/online{path}", sandbox.flexiti_url())
}

#[tokio::test]
async fn online_init_checkout_and_notifications() {
    let sandbox = sandbox(|_| {}).await;
    let t = online_token(&sandbox).await;
    let bearer = format!("Bearer {t}");
    let form = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let init_url = online_url(&sandbox, &format!("/v2/client-id/{CLIENT}/systems/init"));

    let init = call(
        "POST",
        &init_url,
        &form,
        "merchant_orderid=ORD-42&lang=en&flow=apply%2Fbuy&amount_requested=499.00&is_guest=true&vcc=4000123412341234",
    )
    .await;
    assert_eq!(init.status, 200, "{}", init.text);
    let redirection = format!("{}/online/checkout/131209", sandbox.flexiti_url());
    assert_eq!(
        init.json,
        json!({"online_order_id": 131209, "redirection_url": redirection})
    );

    // Pending until the hosted page is visited.
    let notifications = |path: String| {
        let bearer = bearer.clone();
        let url = online_url(
            &sandbox,
            &format!("/client-id/{CLIENT}/notifications{path}"),
        );
        async move { call("GET", &url, &[("authorization", &bearer)], "").await }
    };
    let pending = notifications("/order-id/131209".into()).await;
    assert_eq!(pending.status, 200, "{}", pending.text);
    assert_eq!(
        pending.json,
        json!({
            "transaction_id": 131209,
            "flow": "apply/buy",
            "callback_url": "",
            "date": pending.json["date"]
        })
    );
    let page = call("GET", &redirection, &[], "").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.text.contains("Order 131209 completed."),
        "{}",
        page.text
    );
    let done = notifications("/order-id/131209".into()).await;
    assert!(is_utc_time(&done.json["date"]));
    assert_eq!(
        done.json,
        json!({
            "transaction_id": 131209,
            "flow": "apply/buy",
            "callback_url": "",
            "apply": {"customer_id": 1293836, "apply_status": "SUCCESS"},
            "purchase": {"status": "Success"},
            "date": done.json["date"]
        })
    );
    let by_merchant = notifications("/merchant-order-id/ORD-42".into()).await;
    assert_eq!(by_merchant.json, done.json);
    // `notifications/{id}` without `order-id/` is not in the spec: refused like any path.
    let older = notifications("/131209".into()).await;
    assert_eq!(older.status, 404);
    let unknown = notifications("/order-id/1".into()).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json,
        json!({"code": 404, "error": "not_found", "error_description": "Order not found"})
    );

    // The apply-only path, spelled merchant_order_id, in JSON; completed through the handle.
    let apply = call(
        "POST",
        &online_url(&sandbox, &format!("/client-id/{CLIENT}/systems/init")),
        &[
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ],
        &json!({"merchant_order_id": "ORD-43", "lang": "fr", "flow": "apply", "amount_requested": "1500"})
            .to_string(),
    )
    .await;
    assert_eq!(apply.json["online_order_id"], 131210);
    assert!(sandbox.flexiti().complete_online_order(131210));
    let applied = notifications("/order-id/131210".into()).await;
    assert_eq!(
        applied.json["apply"],
        json!({"customer_id": 1293837, "apply_status": "SUCCESS"})
    );
    assert!(applied.json.get("purchase").is_none());

    // A buy flow that fails.
    let buy = call(
        "POST",
        &init_url,
        &form,
        "merchant_orderid=ORD-44&lang=en&flow=buy&amount_requested=20&customer_id=828930",
    )
    .await;
    assert_eq!(buy.json["online_order_id"], 131211);
    assert!(sandbox.flexiti().fail_online_order(131211));
    assert!(!sandbox.flexiti().fail_online_order(1));
    let failed = notifications("/order-id/131211".into()).await;
    assert_eq!(failed.json["purchase"], json!({"status": "Failed"}));
    assert!(failed.json.get("apply").is_none());

    // Missing fields: 400.
    let missing = call("POST", &init_url, &form, "flow=buy&amount_requested=abc").await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.json,
        json!({
            "code": 400,
            "error": "wrong_inputs",
            "error_description": "lang required; amount_requested must be a positive amount with at most 2 decimals; customer_id required for the buy and apply/buy flows when vcc is absent"
        })
    );

    // Without a token: 401.
    let anonymous = call("POST", &init_url, &form[1..], "merchant_orderid=X").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json["error"], "invalid_token");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn online_payment_calculator() {
    let sandbox = sandbox(|_| {}).await;
    let t = online_token(&sandbox).await;
    let bearer = format!("Bearer {t}");
    let calculator = |query: &str| {
        let url = online_url(
            &sandbox,
            &format!("/v2/client-id/{CLIENT}/systems/payment-calculator?{query}"),
        );
        let bearer = bearer.clone();
        async move { call("GET", &url, &[("authorization", &bearer)], "").await }
    };
    let answer = calculator("clientId=sandbox-flexiti&price=499.00&lang=en").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.json,
        json!({
            "htmlRender": "<div class=\"flexiti-payment-calculator\">As low as $166.33/month for 3 months</div>",
            "paymentPlan": {"monthlyPayment": "166.33", "months": "3"}
        })
    );
    let big = calculator("clientId=sandbox-flexiti&price=1200&lang=fr").await;
    assert_eq!(
        big.json["paymentPlan"],
        json!({"monthlyPayment": "100.00", "months": "12"})
    );
    assert!(
        big.json["htmlRender"]
            .as_str()
            .is_some_and(|h| h.contains("100,00 $/mois pendant 12 mois"))
    );
    let wrong = calculator("clientId=other&price=1").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json,
        json!({"code": 400, "error": "wrong_inputs", "error_description": "clientId invalid"})
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn online_payment_availability() {
    let sandbox = sandbox(|_| {}).await;
    let t = online_token(&sandbox).await;
    let bearer = format!("Bearer {t}");
    let url = online_url(
        &sandbox,
        &format!("/client-id/{CLIENT}/merchants/payment-availability"),
    );
    let form = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    // No body, as the client sends it.
    let answer = call("POST", &url, &[("authorization", &bearer)], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.text,
        r#"{"available":true,"currency":"CAD","max_amount":"10000.00","min_amount":"50.00"}"#
    );
    for (amount, available) in [("499.00", true), ("50", true), ("49.99", false)] {
        let answer = call("POST", &url, &form, &format!("amount={amount}")).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json["available"], available, "{amount}");
    }
    let json_body = call(
        "POST",
        &url,
        &[
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ],
        r#"{"amount": 10000.01}"#,
    )
    .await;
    assert_eq!(
        json_body.json,
        json!({"available": false, "amount": "10000.01", "min_amount": "50.00",
               "max_amount": "10000.00", "currency": "CAD"})
    );
    let wrong = call("POST", &url, &form, "amount=abc").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json,
        json!({"code": 400, "error": "wrong_inputs",
               "error_description": "amount must be a positive amount with at most 2 decimals"})
    );
    let anonymous = call("POST", &url, &[], "").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json["error"], "invalid_token");
    let other = online_url(&sandbox, "/client-id/other/merchants/payment-availability");
    let other = call("POST", &other, &[("authorization", &bearer)], "").await;
    assert_eq!(other.status, 404);
    assert_eq!(other.json["error"], "not_found");
    let get = call("GET", &url, &[("authorization", &bearer)], "").await;
    assert_eq!(get.status, 405);
    sandbox.shutdown().await;
}
