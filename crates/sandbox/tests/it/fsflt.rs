//! The FlashStart ("fsflt") emulator over real HTTP on loopback: the documented flow, the
//! envelope, every validation rule and the paths that are deliberately not emulated.

use crate::common;

use common::{Answer, call};

use api_sandbox::{FsfltConfig, Sandbox, SandboxConfig, SandboxCustomer, SandboxLicence};
use serde_json::{Value, json};
use time::{Date, Month, OffsetDateTime};

const KEY: &str = "sandbox-fsflt-key";

// ---------------------------------------------------------------------------------------
// Helpers

/// A sandbox; `tweak` adjusts the FlashStart config.
async fn sandbox(tweak: impl FnOnce(&mut FsfltConfig)) -> Sandbox {
    let mut fsflt = FsfltConfig::default();
    tweak(&mut fsflt);
    Sandbox::start(SandboxConfig {
        fsflt,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// A well-formed request to `{fsflt_url}{path}` with the API key and a JSON body.
async fn api(sandbox: &Sandbox, method: &str, path: &str, body: &Value) -> Answer {
    let url = format!("{}{path}", sandbox.fsflt_url());
    call(
        method,
        &url,
        &[
            ("X-API-KEY", KEY),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ],
        &body.to_string(),
    )
    .await
}

const TOKEN: &str = "/customerarea/auth/token";
const NEW: &str = "/customerarea/customers/new";
const AVAILABLE: &str = "/customerarea/licenses/available";
const DEMO: &str = "/customerarea/licenses/demo";
const ASSIGN: &str = "/customerarea/licenses/assign";
const SUSPEND: &str = "/customerarea/licenses/suspend";
const ENABLE: &str = "/customerarea/licenses/enable";
const LIST: &str = "/customerarea/customers/list";
const DETAILS: &str = "/customerarea/customers/details";
const LICENSE_ACTION: &str = "/customerarea/customers/license";
const PASSWORD: &str = "/customerarea/customers/password";
const VERSIONS: &str = "/customerarea/directory/licenses/versions";
const CURRENCIES: &str = "/customerarea/directory/currencies";
const COUNTRIES: &str = "/customerarea/directory/countries";
const INDUSTRIES: &str = "/customerarea/directory/industries";

fn customer_body(email: &str) -> Value {
    json!({
        "email": email,
        "password": "s3cret-pass",
        "customer_name": "Acme",
        "country_code": "IT",
        "industry_code": 2,
        "company_name": "Acme S.r.l."
    })
}

/// Creates a customer; returns its code.
async fn new_customer(sandbox: &Sandbox, email: &str) -> u64 {
    let answer = api(sandbox, "POST", NEW, &customer_body(email)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["content"]["customer_code"]
        .as_u64()
        .expect("customer_code")
}

/// Asserts HTTP 500 with the validation envelope and exactly these `errors`.
fn assert_invalid(answer: &Answer, errors: Value) {
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert_eq!(
        answer.json,
        json!({"code": 500, "message": "the given data was invalid", "errors": errors}),
        "{}",
        answer.text
    );
}

fn ok(content: Value) -> Value {
    json!({"code": 200, "content": content})
}

fn entry(code: &str, quantity: &str, months: &str, points: Value, amount: Value) -> Value {
    entry_in(code, quantity, months, points, amount, "EUR")
}

fn entry_in(
    code: &str,
    quantity: &str,
    months: &str,
    points: Value,
    amount: Value,
    currency: &str,
) -> Value {
    json!({
        "license_code": code,
        "license_name": "Business filter license",
        "license_duration_months": months,
        "license_version": "0",
        "license_quantity": quantity,
        "license_points": points,
        "license_amount": amount,
        "license_amount_currency": currency
    })
}

fn a005_m1() -> Value {
    entry("CL-Q-A005-M1", "5 users", "1", json!(0.5), json!(5))
}
fn a010_m1() -> Value {
    entry("CL-Q-A010-M1", "10 users", "1", json!(1), json!(10))
}
fn a005_m12() -> Value {
    entry("CL-Q-A005-M12", "5 users", "12", json!(5), json!(55))
}

fn ymd(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Parses `YYYY-MM-DD` and checks it is today (the day before or after the call, around
/// midnight UTC).
fn is_today(value: &Value, before: Date) -> Date {
    let s = value.as_str().expect("a date string");
    let parts: Vec<i32> = s.split('-').map(|p| p.parse().expect("digits")).collect();
    assert_eq!(parts.len(), 3, "{s}");
    let month = Month::try_from(u8::try_from(parts[1]).expect("month")).expect("month");
    let date = Date::from_calendar_date(parts[0], month, u8::try_from(parts[2]).expect("day"))
        .expect("a date");
    assert!(date == before || date == today(), "{s} is not today");
    date
}

fn plus_months(date: Date, months: u32) -> Date {
    let mut month = date.month();
    let mut year = date.year();
    for _ in 0..months {
        if month == Month::December {
            year += 1;
        }
        month = month.next();
    }
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).expect("a date")
}

// ---------------------------------------------------------------------------------------
// The documented flow

#[tokio::test]
async fn full_flow_customer_licences_suspension_and_login() {
    let sandbox = sandbox(|c| c.pool_per_licence = 1).await;
    assert_eq!(sandbox.fsflt_url(), format!("{}/fsflt", sandbox.base_url()));
    let fsflt = sandbox.fsflt();

    // Create a customer.
    let body = json!({
        "email": "ada@example.com",
        "password": "s3cret-pass",
        "customer_name": "Ada",
        "country_code": "GB",
        "industry_code": 2,
        "company_name": "Analytical Engines Ltd",
        "customer_surname": "Lovelace",
        "phone": "+44 20 0000 0000",
        "lang": "it"
    });
    let created = api(&sandbox, "POST", NEW, &body).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.header("content-type"), Some("application/json"));
    assert_eq!(created.json, ok(json!({"customer_code": 1001})));
    assert_eq!(
        created.text,
        r#"{"code":200,"content":{"customer_code":1001}}"#
    );
    assert_eq!(
        fsflt.customers(),
        [SandboxCustomer {
            customer_code: 1001,
            email: "ada@example.com".into(),
            customer_name: "Ada".into(),
            country_code: "GB".into(),
            industry_code: 2,
            lang: "IT".into(),
            company_name: Some("Analytical Engines Ltd".into()),
            customer_surname: Some("Lovelace".into()),
            skype: None,
            phone: Some("+44 20 0000 0000".into()),
        }]
    );

    // Available licences: a GET with a JSON body.
    let available = api(&sandbox, "GET", AVAILABLE, &json!({"customer_code": 1001})).await;
    assert_eq!(available.status, 200, "{}", available.text);
    assert_eq!(
        available.json,
        ok(json!([a005_m1(), a010_m1(), a005_m12()]))
    );
    assert!(
        available.text.starts_with(
            r#"{"code":200,"content":[{"license_code":"CL-Q-A005-M1","license_name":"Business filter license","license_duration_months":"1","license_version":"0","license_quantity":"5 users","license_points":0.5,"license_amount":5,"license_amount_currency":"EUR"},"#
        ),
        "{}",
        available.text
    );

    // Assign one.
    let before = today();
    let assigned = api(
        &sandbox,
        "POST",
        ASSIGN,
        &json!({"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "Head office - floor 2"}),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let start = is_today(&assigned.json["content"]["start_date"], before);
    assert_eq!(
        assigned.json,
        ok(json!({
            "customer": "Ada",
            "license_id": "108501",
            "start_date": ymd(start),
            "expiry_date": ymd(plus_months(start, 1)),
            "deducted_amount": 5,
            "currency_code": "EUR"
        }))
    );

    // The pool of that code (1 per customer here) is used up: no longer available.
    let available = api(
        &sandbox,
        "GET",
        AVAILABLE,
        &json!({"customer_code": "1001"}),
    )
    .await;
    assert_eq!(available.json, ok(json!([a010_m1(), a005_m12()])));
    let again = api(
        &sandbox,
        "POST",
        ASSIGN,
        &json!({"customer_code": 1001, "license_code": "CL-Q-A005-M1", "license_info": "Branch"}),
    )
    .await;
    assert_invalid(
        &again,
        json!({"license_code": ["the selected license code is invalid"]}),
    );

    // Suspend, twice.
    let ids = json!({"license_id": "108501", "customer_code": "1001"});
    let suspended = api(&sandbox, "POST", SUSPEND, &ids).await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    assert_eq!(suspended.json, ok(json!("license suspended successfully")));
    assert!(fsflt.licences()[0].suspended);
    let twice = api(&sandbox, "POST", SUSPEND, &ids).await;
    assert_eq!(twice.status, 405);
    assert_eq!(
        twice.json,
        json!({"code": 405, "message": "license already suspended", "error": []})
    );
    assert_eq!(
        twice.text,
        r#"{"code":405,"message":"license already suspended","error":[]}"#
    );

    // Enable, twice (numbers are accepted as well as strings).
    let ids = json!({"license_id": 108501, "customer_code": 1001});
    let enabled = api(&sandbox, "POST", ENABLE, &ids).await;
    assert_eq!(enabled.status, 200, "{}", enabled.text);
    assert_eq!(enabled.json, ok(json!("license enabled successfully")));
    let twice = api(&sandbox, "POST", ENABLE, &ids).await;
    assert_eq!(twice.status, 405);
    // Seed 003's 405 example for `enable`, word for word (the same text as `suspend`'s).
    assert_eq!(
        twice.json,
        json!({"code": 405, "message": "license already suspended", "error": []})
    );

    // Login token for the customer; an unknown customer gets 404 {code:401, content:[]}.
    let token = api(&sandbox, "GET", TOKEN, &json!({"customer_code": "1001"})).await;
    assert_eq!(token.status, 200, "{}", token.text);
    let value = token.json["content"]["token"].as_str().expect("token");
    assert!(value.len() >= 32, "{value}");
    assert!(
        value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{value}"
    );
    assert_eq!(
        token.json,
        ok(json!({"token": value, "expiration": "15 min"}))
    );
    let other = api(&sandbox, "GET", TOKEN, &json!({"customer_code": 1001})).await;
    assert_eq!(other.status, 200);
    assert_ne!(
        other.json["content"]["token"],
        token.json["content"]["token"]
    );
    for unknown in [
        json!({"customer_code": "999"}),
        json!({"customer_code": 1002}),
    ] {
        let answer = api(&sandbox, "GET", TOKEN, &unknown).await;
        assert_eq!(answer.status, 404, "{}", answer.text);
        assert_eq!(answer.text, r#"{"code":401,"content":[]}"#);
    }
    let missing = api(&sandbox, "GET", TOKEN, &json!({})).await;
    assert_invalid(
        &missing,
        json!({"customer_code": ["the customer code field is required"]}),
    );

    // What the sandbox kept.
    assert_eq!(
        fsflt.licences(),
        [SandboxLicence {
            license_id: 108501,
            customer_code: 1001,
            license_code: "CL-Q-A005-M1".into(),
            demo: false,
            suspended: false,
            cancelled: false,
            license_info: Some("Head office - floor 2".into()),
            start_date: ymd(start),
            expiry_date: ymd(plus_months(start, 1)),
        }]
    );
    let requests = fsflt.requests();
    assert_eq!(requests.len(), 14);
    let first_get = &requests[1];
    assert_eq!(first_get.method, "GET");
    assert_eq!(first_get.path, "/fsflt/customerarea/licenses/available");
    assert_eq!(first_get.body, br#"{"customer_code":1001}"#);
    assert_eq!(first_get.header("X-Api-Key"), Some(KEY));
    assert_eq!(first_get.status, 200);
    assert_eq!(
        requests.iter().map(|r| r.status).collect::<Vec<_>>(),
        [
            200, 200, 200, 200, 500, 200, 405, 200, 405, 200, 200, 404, 404, 500
        ]
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Authentication, routing

#[tokio::test]
async fn missing_or_wrong_key_is_401_on_every_endpoint() {
    let sandbox = sandbox(|c| c.api_key = "k-123".into()).await;
    let unauthorized = json!({"message": "invalid token or unauthorized admin"});
    for (method, path) in [
        ("GET", TOKEN),
        ("POST", NEW),
        ("GET", AVAILABLE),
        ("POST", DEMO),
        ("POST", ASSIGN),
        ("POST", SUSPEND),
        ("POST", ENABLE),
        ("GET", LIST),
        ("GET", DETAILS),
        ("POST", LICENSE_ACTION),
        ("POST", PASSWORD),
        ("GET", VERSIONS),
        ("GET", CURRENCIES),
        ("GET", COUNTRIES),
        ("GET", INDUSTRIES),
    ] {
        let url = format!("{}{path}", sandbox.fsflt_url());
        for headers in [
            vec![("content-type", "application/json")],
            vec![("x-api-key", "wrong")],
            vec![("x-api-key", "")],
            vec![("authorization", "Bearer k-123")],
            vec![("x-api-key", "sandbox-fsflt-key")],
        ] {
            let answer = call(method, &url, &headers, r#"{"customer_code":1001}"#).await;
            assert_eq!(answer.status, 401, "{method} {path} {headers:?}");
            assert_eq!(answer.json, unauthorized, "{method} {path}");
            assert_eq!(
                answer.text,
                r#"{"message":"invalid token or unauthorized admin"}"#
            );
        }
        // The header name is case-insensitive; the right key gets past authentication.
        let answer = call(method, &url, &[("X-Api-Key", "k-123")], "{}").await;
        assert_ne!(answer.status, 401, "{method} {path}: {}", answer.text);
    }
    assert!(sandbox.fsflt().customers().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let sandbox = sandbox(|_| {}).await;
    let paths = [
        "/customerarea/customers/lists",
        "/customerarea/customers/licenses",
        "/customerarea/licenses/cancel",
        "/customerarea/directory/licenses",
        "/customerarea/directory",
        "/directory/countries",
        "/directory/currencies",
        "/licenses/assign",
        "/customerarea/licenses/availables",
        "/customerarea/licenses/available/",
        "//customerarea/licenses/available",
        "",
        "/",
    ];
    for path in paths {
        for method in ["GET", "POST"] {
            let answer = api(&sandbox, method, path, &json!({"customer_code": 1001})).await;
            assert_eq!(answer.status, 404, "{method} {path}");
            assert_eq!(answer.text, r#"{"message":"Not Found"}"#, "{method} {path}");
        }
    }
    // 404 comes before the key check.
    let url = format!("{}/customerarea/customers/lists", sandbox.fsflt_url());
    assert_eq!(call("GET", &url, &[], "").await.status, 404);
    let recorded = sandbox.fsflt().requests();
    assert_eq!(recorded.len(), paths.len() * 2 + 1);
    assert!(recorded.iter().all(|r| r.status == 404));
    assert_eq!(recorded[0].path, "/fsflt/customerarea/customers/lists");
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].body, br#"{"customer_code":1001}"#);
    let slash = recorded.len() - 3;
    assert_eq!(recorded[slash].path, "/fsflt/");
    assert_eq!(recorded[slash - 2].path, "/fsflt");

    for (method, path, allow) in [
        ("POST", TOKEN, "GET"),
        ("POST", AVAILABLE, "GET"),
        ("GET", NEW, "POST"),
        ("PUT", ASSIGN, "POST"),
        ("GET", SUSPEND, "POST"),
        ("DELETE", ENABLE, "POST"),
        ("GET", DEMO, "POST"),
        ("POST", LIST, "GET"),
        ("POST", DETAILS, "GET"),
        ("GET", LICENSE_ACTION, "POST"),
        ("GET", PASSWORD, "POST"),
        ("POST", COUNTRIES, "GET"),
    ] {
        // The method is checked before the key.
        let url = format!("{}{path}", sandbox.fsflt_url());
        let answer = call(method, &url, &[], "{}").await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(
            answer.json,
            json!({"message": format!(
                "The {method} method is not supported for this route. Supported methods: {allow}."
            )})
        );
    }
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// customers/new

#[tokio::test]
async fn new_customer_validation() {
    let sandbox = sandbox(|_| {}).await;

    // Nothing at all (also: no body, a body that is not JSON).
    let required = json!({
        "email": ["the email field is required"],
        "password": ["the password field is required"],
        "customer_name": ["the customer name field is required"],
        "country_code": ["the country code field is required"],
        "industry_code": ["the industry code field is required"],
        "company_name": ["the company name field is required unless industry code is 1"]
    });
    assert_invalid(
        &api(&sandbox, "POST", NEW, &json!({})).await,
        required.clone(),
    );
    let url = format!("{}{NEW}", sandbox.fsflt_url());
    for raw in ["", "not json", "[]"] {
        let answer = call("POST", &url, &[("x-api-key", KEY)], raw).await;
        assert_invalid(&answer, required.clone());
    }
    // Blank strings and nulls count as missing.
    let blank = json!({
        "email": " ", "password": null, "customer_name": "", "country_code": "",
        "industry_code": null, "company_name": "  "
    });
    assert_invalid(&api(&sandbox, "POST", NEW, &blank).await, required);

    // Every rule at once.
    let bad = json!({
        "email": "no-at-sign",
        "password": "short",
        "customer_name": 5,
        "country_code": "ITA",
        "industry_code": "two",
        "company_name": "Acme",
        "customer_surname": ["x"],
        "skype": false,
        "phone": 123,
        "lang": "fr"
    });
    assert_invalid(
        &api(&sandbox, "POST", NEW, &bad).await,
        json!({
            "email": ["the email must be a valid email address"],
            "password": ["the password must be between 8 and 15 characters"],
            "customer_name": ["the customer name must be a string"],
            "country_code": ["the country code must be 2 letters"],
            "industry_code": ["the industry code must be an integer"],
            "customer_surname": ["the customer surname must be a string"],
            "skype": ["the skype must be a string"],
            "phone": ["the phone must be a string"],
            "lang": ["the lang must be one of the following types: en, it, es, de"]
        }),
    );
    let mut long = customer_body("a@b.c");
    long["password"] = json!("sixteen-chars-xx");
    long["country_code"] = json!("1T");
    assert_invalid(
        &api(&sandbox, "POST", NEW, &long).await,
        json!({
            "password": ["the password must be between 8 and 15 characters"],
            "country_code": ["the country code must be 2 letters"]
        }),
    );
    assert!(sandbox.fsflt().customers().is_empty());

    // Bounds: 8 and 15 characters; a numeric string industry; "family" (1) needs no company.
    let mut first = customer_body("first@example.com");
    first["password"] = json!("12345678");
    first["industry_code"] = json!("2");
    first["lang"] = json!("De");
    let answer = api(&sandbox, "POST", NEW, &first).await;
    assert_eq!(answer.json, ok(json!({"customer_code": 1001})));
    let family = json!({
        "email": "family@example.com", "password": "fifteen-chars-x", "customer_name": "Rossi",
        "country_code": "it", "industry_code": 1
    });
    let answer = api(&sandbox, "POST", NEW, &family).await;
    assert_eq!(answer.json, ok(json!({"customer_code": 1002})));
    let mut business = family.clone();
    business["email"] = json!("business@example.com");
    business["industry_code"] = json!("3");
    assert_invalid(
        &api(&sandbox, "POST", NEW, &business).await,
        json!({"company_name": ["the company name field is required unless industry code is 1"]}),
    );

    // A taken email (case-insensitively).
    let answer = api(&sandbox, "POST", NEW, &customer_body("FIRST@example.com")).await;
    assert_invalid(
        &answer,
        json!({"email": ["the email has already been taken"]}),
    );

    let customers = sandbox.fsflt().customers();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].lang, "DE");
    assert_eq!(customers[0].industry_code, 2);
    assert_eq!(customers[1].lang, "EN");
    assert_eq!(customers[1].country_code, "it");
    assert_eq!(customers[1].company_name, None);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// licenses/available

#[tokio::test]
async fn available_filters_currencies_and_validation() {
    let sandbox = sandbox(|_| {}).await;
    let code = new_customer(&sandbox, "a@example.com").await;

    let usd = api(
        &sandbox,
        "GET",
        AVAILABLE,
        &json!({"customer_code": code, "currency_code": "usd", "lang": "ES"}),
    )
    .await;
    assert_eq!(
        usd.json,
        ok(json!([
            entry_in(
                "CL-Q-A005-M1",
                "5 users",
                "1",
                json!(0.5),
                json!(5.5),
                "USD"
            ),
            entry_in("CL-Q-A010-M1", "10 users", "1", json!(1), json!(11), "USD"),
            entry_in(
                "CL-Q-A005-M12",
                "5 users",
                "12",
                json!(5),
                json!(60.5),
                "USD"
            ),
        ]))
    );
    let eur = api(
        &sandbox,
        "GET",
        AVAILABLE,
        &json!({"customer_code": code, "currency_code": "EUR"}),
    )
    .await;
    assert_eq!(eur.json, ok(json!([a005_m1(), a010_m1(), a005_m12()])));

    for (filter, expected) in [
        (json!({"license_duration": "12"}), json!([a005_m12()])),
        (
            json!({"license_duration": 1}),
            json!([a005_m1(), a010_m1()]),
        ),
        (json!({"license_code": "CL-Q-A010-M1"}), json!([a010_m1()])),
        (json!({"license_code": "CL-NOPE"}), json!([])),
        (
            json!({"version_code": 0}),
            json!([a005_m1(), a010_m1(), a005_m12()]),
        ),
        (json!({"version_code": "1"}), json!([])),
        (
            json!({"license_duration": "1", "license_code": "CL-Q-A005-M1", "version_code": "0"}),
            json!([a005_m1()]),
        ),
    ] {
        let mut body = filter.clone();
        body["customer_code"] = json!(code);
        let answer = api(&sandbox, "GET", AVAILABLE, &body).await;
        assert_eq!(answer.status, 200, "{filter}: {}", answer.text);
        assert_eq!(answer.json, ok(expected), "{filter}");
    }

    assert_invalid(
        &api(&sandbox, "GET", AVAILABLE, &json!({})).await,
        json!({"customer_code": ["the customer code field is required"]}),
    );
    assert_invalid(
        &api(
            &sandbox,
            "GET",
            AVAILABLE,
            &json!({
                "customer_code": 4242, "lang": "fr", "version_code": "v1",
                "license_duration": "one", "license_code": 7, "currency_code": "GBP"
            }),
        )
        .await,
        json!({
            "customer_code": ["the selected customer code is invalid"],
            "lang": ["the lang must be one of the following types: en, it, es, de"],
            "version_code": ["the version code must be an integer"],
            "license_duration": ["the license duration must be an integer"],
            "license_code": ["the license code must be a string"],
            "currency_code": ["the selected currency code is invalid"]
        }),
    );
    for bad in [json!("abc"), json!(-1), json!(true), json!(1001.5)] {
        assert_invalid(
            &api(&sandbox, "GET", AVAILABLE, &json!({"customer_code": bad})).await,
            json!({"customer_code": ["the selected customer code is invalid"]}),
        );
    }
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// licenses/demo

#[tokio::test]
async fn demo_licences_are_limited_to_two_per_customer() {
    let sandbox = sandbox(|_| {}).await;
    let first = new_customer(&sandbox, "a@example.com").await;
    let second = new_customer(&sandbox, "b@example.com").await;

    let before = today();
    let demo = api(
        &sandbox,
        "POST",
        DEMO,
        &json!({"customer_code": first, "lang": "en", "accept_notifications": false}),
    )
    .await;
    assert_eq!(demo.status, 200, "{}", demo.text);
    let expiry = demo.json["content"]["expiry_date"].clone();
    let start = is_today(&json!(sandbox.fsflt().licences()[0].start_date), before);
    assert_eq!(expiry, json!(ymd(start + time::Duration::days(14))));
    assert_eq!(
        demo.json,
        ok(json!({
            "customer": "Acme",
            "version": "CL-DEMO",
            "license": "Internet protection and malware mitigation trial demo inserted by API",
            "expiry_date": expiry,
            "license_id": 108501
        }))
    );

    // Demos and assigned licences share the id sequence.
    let assigned = api(
        &sandbox,
        "POST",
        ASSIGN,
        &json!({"customer_code": second, "license_code": "CL-Q-A005-M12", "license_info": "HQ"}),
    )
    .await;
    assert_eq!(assigned.json["content"]["license_id"], json!("108502"));

    let demo = api(&sandbox, "POST", DEMO, &json!({"customer_code": "1001"})).await;
    assert_eq!(demo.json["content"]["license_id"], json!(108503));
    let third = api(&sandbox, "POST", DEMO, &json!({"customer_code": first})).await;
    assert_invalid(
        &third,
        json!({"customer_code": ["the customer already has the maximum number of demo licenses"]}),
    );
    // The other customer still has both.
    let other = api(&sandbox, "POST", DEMO, &json!({"customer_code": second})).await;
    assert_eq!(other.json["content"]["license_id"], json!(108504));
    assert_eq!(other.json["content"]["customer"], json!("Acme"));

    assert_invalid(
        &api(
            &sandbox,
            "POST",
            DEMO,
            &json!({"customer_code": 9, "lang": "xx", "accept_notifications": "maybe"}),
        )
        .await,
        json!({
            "customer_code": ["the selected customer code is invalid"],
            "lang": ["the lang must be one of the following types: en, it, es, de"],
            "accept_notifications": ["the accept notifications field must be true or false"]
        }),
    );
    assert_invalid(
        &api(&sandbox, "POST", DEMO, &json!({"lang": "IT"})).await,
        json!({"customer_code": ["the customer code field is required"]}),
    );

    let licences = sandbox.fsflt().licences();
    assert_eq!(
        licences
            .iter()
            .map(|l| (
                l.license_id,
                l.customer_code,
                l.demo,
                l.license_code.as_str()
            ))
            .collect::<Vec<_>>(),
        [
            (108501, first, true, "CL-DEMO"),
            (108502, second, false, "CL-Q-A005-M12"),
            (108503, first, true, "CL-DEMO"),
            (108504, second, true, "CL-DEMO"),
        ]
    );
    // A demo can be suspended like any licence.
    let answer = api(
        &sandbox,
        "POST",
        SUSPEND,
        &json!({"license_id": 108501, "customer_code": first}),
    )
    .await;
    assert_eq!(answer.json, ok(json!("license suspended successfully")));
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// licenses/assign

#[tokio::test]
async fn assign_validation_currency_and_pools() {
    let sandbox = sandbox(|c| c.pool_per_licence = 2).await;
    let first = new_customer(&sandbox, "a@example.com").await;
    let second = new_customer(&sandbox, "b@example.com").await;

    assert_invalid(
        &api(&sandbox, "POST", ASSIGN, &json!({})).await,
        json!({
            "customer_code": ["the customer code field is required"],
            "license_code": ["the license code field is required"],
            "license_info": ["the license info field is required"]
        }),
    );
    assert_invalid(
        &api(
            &sandbox,
            "POST",
            ASSIGN,
            &json!({
                "customer_code": 77, "license_code": "CL-NOPE", "license_info": "HQ_1!",
                "accept_notifications": 2, "currency_code": "JPY"
            }),
        )
        .await,
        json!({
            "customer_code": ["the selected customer code is invalid"],
            "license_code": ["the selected license code is invalid"],
            "license_info": ["the license info may only contain letters, numbers, dashes and whitespace."],
            "accept_notifications": ["the accept notifications field must be true or false"],
            "currency_code": ["the selected currency code is invalid"]
        }),
    );
    for info in ["Sede-2", "Büro Zürich", "Office\t3", "x"] {
        let answer = api(
            &sandbox,
            "POST",
            ASSIGN,
            &json!({"customer_code": first, "license_code": "CL-Q-A010-M1", "license_info": info,
                    "accept_notifications": "1", "currency_code": "usd"}),
        )
        .await;
        if info == "Office\t3" || info == "x" {
            // The pool of 2 is used up by the first two.
            assert_invalid(
                &answer,
                json!({"license_code": ["the selected license code is invalid"]}),
            );
            continue;
        }
        assert_eq!(answer.status, 200, "{info}: {}", answer.text);
        assert_eq!(answer.json["content"]["deducted_amount"], json!(11));
        assert_eq!(answer.json["content"]["currency_code"], json!("USD"));
    }
    for bad in ["a_b", "a.b", "a/b", "ok!"] {
        let answer = api(
            &sandbox,
            "POST",
            ASSIGN,
            &json!({"customer_code": second, "license_code": "CL-Q-A005-M12", "license_info": bad}),
        )
        .await;
        assert_invalid(
            &answer,
            json!({"license_info": ["the license info may only contain letters, numbers, dashes and whitespace."]}),
        );
    }

    // Pools are per customer: the second customer still has every code.
    let before = today();
    let answer = api(
        &sandbox,
        "POST",
        ASSIGN,
        &json!({"customer_code": "1002", "license_code": "CL-Q-A005-M12", "license_info": "Annual",
                "currency_code": "USD"}),
    )
    .await;
    let start = is_today(&answer.json["content"]["start_date"], before);
    assert_eq!(
        answer.json,
        ok(json!({
            "customer": "Acme",
            "license_id": "108503",
            "start_date": ymd(start),
            "expiry_date": ymd(plus_months(start, 12)),
            "deducted_amount": 60.5,
            "currency_code": "USD"
        }))
    );
    let listed = |answer: &Answer| -> Vec<String> {
        answer.json["content"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|e| e["license_code"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let one = api(&sandbox, "GET", AVAILABLE, &json!({"customer_code": first})).await;
    assert_eq!(listed(&one), ["CL-Q-A005-M1", "CL-Q-A005-M12"]);
    let two = api(
        &sandbox,
        "GET",
        AVAILABLE,
        &json!({"customer_code": second}),
    )
    .await;
    assert_eq!(
        listed(&two),
        ["CL-Q-A005-M1", "CL-Q-A010-M1", "CL-Q-A005-M12"]
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// licenses/suspend, licenses/enable

#[tokio::test]
async fn suspend_and_enable_validation() {
    let sandbox = sandbox(|_| {}).await;
    let first = new_customer(&sandbox, "a@example.com").await;
    let second = new_customer(&sandbox, "b@example.com").await;
    let demo = api(&sandbox, "POST", DEMO, &json!({"customer_code": first})).await;
    assert_eq!(demo.json["content"]["license_id"], json!(108501));

    for path in [SUSPEND, ENABLE] {
        assert_invalid(
            &api(&sandbox, "POST", path, &json!({})).await,
            json!({
                "license_id": ["the license id field is required"],
                "customer_code": ["the customer code field is required"]
            }),
        );
        // Unknown licence; another customer's licence; an unknown customer; not an id.
        assert_invalid(
            &api(
                &sandbox,
                "POST",
                path,
                &json!({"license_id": "999", "customer_code": first}),
            )
            .await,
            json!({"license_id": ["the selected license id is invalid"]}),
        );
        assert_invalid(
            &api(
                &sandbox,
                "POST",
                path,
                &json!({"license_id": "108501", "customer_code": second}),
            )
            .await,
            json!({"license_id": ["the selected license id is invalid"]}),
        );
        assert_invalid(
            &api(
                &sandbox,
                "POST",
                path,
                &json!({"license_id": "108501", "customer_code": "5"}),
            )
            .await,
            json!({
                "license_id": ["the selected license id is invalid"],
                "customer_code": ["the selected customer code is invalid"]
            }),
        );
        assert_invalid(
            &api(
                &sandbox,
                "POST",
                path,
                &json!({"license_id": "L-1", "customer_code": first}),
            )
            .await,
            json!({"license_id": ["the selected license id is invalid"]}),
        );
    }

    // A licence starts enabled.
    let ids = json!({"license_id": "108501", "customer_code": first});
    let answer = api(&sandbox, "POST", ENABLE, &ids).await;
    assert_eq!(answer.status, 405);
    assert_eq!(
        answer.text,
        r#"{"code":405,"message":"license already suspended","error":[]}"#
    );
    assert!(!sandbox.fsflt().licences()[0].suspended);
    let answer = api(&sandbox, "POST", SUSPEND, &ids).await;
    assert_eq!(
        answer.text,
        r#"{"code":200,"content":"license suspended successfully"}"#
    );
    assert!(sandbox.fsflt().licences()[0].suspended);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn default_config() {
    let config = FsfltConfig::default();
    assert_eq!(config.api_key, KEY);
    assert_eq!(config.pool_per_licence, 3);
    let sandbox = sandbox(|_| {}).await;
    let code = new_customer(&sandbox, "pool@example.com").await;
    for n in 0..4 {
        let answer = api(
            &sandbox,
            "POST",
            ASSIGN,
            &json!({"customer_code": code, "license_code": "CL-Q-A005-M1", "license_info": format!("Site {n}")}),
        )
        .await;
        assert_eq!(answer.status, if n < 3 { 200 } else { 500 }, "{n}");
    }
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The operations the docs describe without a path (`x-unconfirmed`), at the spec's paths

#[tokio::test]
async fn unconfirmed_customer_list_details_licence_action_and_password() {
    let sandbox = sandbox(|_| {}).await;
    let empty = api(&sandbox, "GET", LIST, &Value::Null).await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.text, r#"{"code":200,"content":[]}"#);

    let code = new_customer(&sandbox, "first@example.com").await;
    let family = json!({
        "email": "second@example.com", "password": "s3cret-pass", "customer_name": "Rossi",
        "customer_surname": "Mario", "country_code": "IT", "industry_code": 1, "lang": "es"
    });
    assert_eq!(api(&sandbox, "POST", NEW, &family).await.status, 200);
    let listed = api(&sandbox, "GET", LIST, &json!({})).await;
    assert_eq!(
        listed.json,
        ok(json!([
            {"customer_code": code, "customer_name": "Acme", "email": "first@example.com",
             "company_name": "Acme S.r.l.", "country_code": "IT", "industry_code": 2, "lang": "EN"},
            {"customer_code": code + 1, "customer_name": "Rossi", "email": "second@example.com",
             "customer_surname": "Mario", "country_code": "IT", "industry_code": 1, "lang": "ES"}
        ]))
    );

    // Details: the customer and its licences (cancelled ones left out).
    let assigned = api(
        &sandbox,
        "POST",
        ASSIGN,
        &json!({"customer_code": code, "license_code": "CL-Q-A005-M1", "license_info": "Main"}),
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    let demo = api(&sandbox, "POST", DEMO, &json!({"customer_code": code})).await;
    assert_eq!(demo.status, 200, "{}", demo.text);
    let licences = sandbox.fsflt().licences();
    let details = api(
        &sandbox,
        "GET",
        DETAILS,
        &json!({"customer_code": code.to_string(), "lang": "IT"}),
    )
    .await;
    assert_eq!(details.status, 200, "{}", details.text);
    assert_eq!(
        details.json,
        ok(json!({
            "customer_code": code, "customer_name": "Acme", "email": "first@example.com",
            "company_name": "Acme S.r.l.", "country_code": "IT", "industry_code": 2, "lang": "EN",
            "licenses": [
                {"license_id": 108501, "license_code": "CL-Q-A005-M1", "license_info": "Main",
                 "demo": false, "suspended": false,
                 "start_date": licences[0].start_date, "expiry_date": licences[0].expiry_date},
                {"license_id": 108502, "license_code": "CL-DEMO", "demo": true,
                 "suspended": false,
                 "start_date": licences[1].start_date, "expiry_date": licences[1].expiry_date}
            ]
        }))
    );
    assert_invalid(
        &api(
            &sandbox,
            "GET",
            DETAILS,
            &json!({"customer_code": "999", "lang": "fr"}),
        )
        .await,
        json!({
            "customer_code": ["the selected customer code is invalid"],
            "lang": ["the lang must be one of the following types: en, it, es, de"]
        }),
    );

    // The licence action cancels the licence; it is unknown afterwards.
    let action = json!({"customer_code": code.to_string(), "license_id": "108501"});
    let cancelled = api(&sandbox, "POST", LICENSE_ACTION, &action).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(
        cancelled.text,
        r#"{"code":200,"content":"license cancelled successfully"}"#
    );
    assert!(sandbox.fsflt().licences()[0].cancelled);
    assert!(!sandbox.fsflt().licences()[1].cancelled);
    let unknown = json!({"license_id": ["the selected license id is invalid"]});
    assert_invalid(
        &api(&sandbox, "POST", LICENSE_ACTION, &action).await,
        unknown.clone(),
    );
    let suspend = json!({"license_id": "108501", "customer_code": code.to_string()});
    assert_invalid(
        &api(&sandbox, "POST", SUSPEND, &suspend).await,
        unknown.clone(),
    );
    // Another customer's licence.
    assert_invalid(
        &api(
            &sandbox,
            "POST",
            LICENSE_ACTION,
            &json!({"customer_code": code + 1, "license_id": 108502}),
        )
        .await,
        unknown,
    );
    assert_invalid(
        &api(&sandbox, "POST", LICENSE_ACTION, &json!({})).await,
        json!({
            "customer_code": ["the customer code field is required"],
            "license_id": ["the license id field is required"]
        }),
    );
    let details = api(&sandbox, "GET", DETAILS, &json!({"customer_code": code})).await;
    assert_eq!(details.json["content"]["licenses"][0]["license_id"], 108502);
    assert_eq!(
        details.json["content"]["licenses"].as_array().map(Vec::len),
        Some(1)
    );

    // The password: 8–15 characters, not kept.
    let set = api(
        &sandbox,
        "POST",
        PASSWORD,
        &json!({"customer_code": code.to_string(), "password": "n3w-Passw0rd"}),
    )
    .await;
    assert_eq!(
        set.text,
        r#"{"code":200,"content":"password updated successfully"}"#
    );
    assert_invalid(
        &api(
            &sandbox,
            "POST",
            PASSWORD,
            &json!({"customer_code": 999, "password": "short"}),
        )
        .await,
        json!({
            "customer_code": ["the selected customer code is invalid"],
            "password": ["the password must be between 8 and 15 characters"]
        }),
    );
    let recorded = sandbox.fsflt().requests();
    let last = recorded.last().expect("recorded");
    assert_eq!(last.path, "/fsflt/customerarea/customers/password");
    assert_eq!(last.status, 500);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unconfirmed_directory_lists() {
    let sandbox = sandbox(|_| {}).await;
    for (path, content) in [
        (VERSIONS, json!([{"code": "0", "name": "FlashStart Cloud"}])),
        (
            CURRENCIES,
            json!([{"code": "EUR", "name": "Euro"}, {"code": "USD", "name": "US dollar"}]),
        ),
        (
            COUNTRIES,
            json!([
                {"code": "IT", "name": "Italy"}, {"code": "DE", "name": "Germany"},
                {"code": "ES", "name": "Spain"}, {"code": "FR", "name": "France"},
                {"code": "GB", "name": "United Kingdom"}, {"code": "US", "name": "United States"}
            ]),
        ),
        (
            INDUSTRIES,
            json!([
                {"code": "1", "name": "Family"}, {"code": "2", "name": "Business"},
                {"code": "3", "name": "Education"}, {"code": "4", "name": "Public administration"}
            ]),
        ),
    ] {
        let answer = api(&sandbox, "GET", path, &Value::Null).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.json, ok(content), "{path}");
    }
    // Every listed version, currency and industry is accepted where the codes are used.
    let code = new_customer(&sandbox, "dir@example.com").await;
    let available = api(
        &sandbox,
        "GET",
        AVAILABLE,
        &json!({"customer_code": code, "version_code": 0, "currency_code": "USD"}),
    )
    .await;
    assert_eq!(available.status, 200, "{}", available.text);
    assert_eq!(available.json["content"].as_array().map(Vec::len), Some(3));
    sandbox.shutdown().await;
}
