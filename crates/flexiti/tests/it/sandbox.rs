//! The client against the real sandbox: the in-store flow with balances, idempotency keys,
//! pagination, one token for many waiting tasks, expired tokens, the Online API.

use std::str::FromStr;

use api_sandbox::{Sandbox, SandboxConfig};
use flexiti::api_core::date::Date;
use flexiti::api_core::money::Decimal;
use flexiti::api_core::time;
use flexiti::{
    ApplyStatus, AuthorizationRequest, CalculateInterestRequest, CaptureRequest, Client,
    CustomerKey, Environment, Error, FinancingOption, Id, OnlineFlow, OnlineInitRequest,
    PurchaseStatus, ReturnRequest,
};
use futures_util::StreamExt;

const ACCOUNT: &str = "20076677";

async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let client = client(&sandbox);
    (sandbox, client)
}

fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .client_id("sandbox-flexiti")
        .client_secret("sandbox-flexiti-secret")
        .environment(Environment::custom(sandbox.flexiti_url()))
        .build()
        .expect("client")
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn balance(sandbox: &Sandbox, account: &str) -> String {
    sandbox
        .flexiti()
        .account_balance(account)
        .expect("known account")
}

#[tokio::test]
async fn the_in_store_flow_moves_the_balance() {
    let (sandbox, client) = start().await;
    let account = Id::from(ACCOUNT);
    let flow = client.flow();

    let customer = flow
        .lookup_customer_by(&CustomerKey::Account(account.clone()))
        .send()
        .await
        .expect("lookup")
        .into_inner();
    assert_eq!(customer.account_number, Some(account.clone()));
    assert_eq!(customer.available_credit, Some(dec("5000.00")));
    assert_eq!(customer.first_name.as_deref(), Some("Jane"));

    let plans = flow
        .calculate_interest(
            &account,
            &CalculateInterestRequest {
                amount: dec("1200.00"),
            },
        )
        .send()
        .await
        .expect("calculate interest")
        .into_inner();
    let plan = plans
        .promotional_purchase
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|p| p.plan_id == Some(101))
        .expect("plan 101");
    let term = &plan.terms.as_deref().expect("terms")[0];
    assert_eq!(term.term, Some(12));
    assert_eq!(term.term_amount, Some(dec("100.00")));

    let auth = flow
        .create_authorization(&AuthorizationRequest::new(
            account.clone(),
            dec("1200.00"),
            FinancingOption::promotional(101, Some(12)),
        ))
        .send()
        .await
        .expect("authorize")
        .into_inner();
    let auth_id = auth.authorization_id.clone().expect("authorization id");
    assert_eq!(auth.amount, Some(dec("1200")));
    assert_eq!(balance(&sandbox, ACCOUNT), "3800.00", "the hold");

    let first = flow
        .capture_authorization(&auth_id, &CaptureRequest::new(dec("500.00")))
        .send()
        .await
        .expect("capture part")
        .into_inner();
    assert_eq!(first.remaining_authorization_amount, Some(dec("700")));
    let rest = flow
        .capture_authorization(&auth_id, &CaptureRequest::new(dec("700.00")))
        .send()
        .await
        .expect("capture rest")
        .into_inner();
    assert_eq!(rest.remaining_authorization_amount, Some(Decimal::ZERO));
    assert_eq!(
        balance(&sandbox, ACCOUNT),
        "3800.00",
        "captures post the hold"
    );

    let first_id = first.capture_id.expect("capture id");
    let returned = flow
        .return_capture(&auth_id, &first_id, &ReturnRequest::partial(dec("200.00")))
        .send()
        .await
        .expect("return part")
        .into_inner();
    assert_eq!(returned.amount, Some(dec("200")));
    assert_eq!(returned.remaining_capture_amount, Some(dec("300")));
    assert_eq!(balance(&sandbox, ACCOUNT), "4000.00", "the return credits");

    // One reference id for the whole flow.
    let requests = sandbox.flexiti().requests();
    let refs: Vec<&str> = requests
        .iter()
        .filter(|r| !r.path.ends_with("/oauth/token"))
        .map(|r| r.header("x-reference-id").expect("reference"))
        .collect();
    assert_eq!(refs.len(), 6);
    assert!(refs.iter().all(|r| *r == refs[0]), "{refs:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_capture_repeated_with_one_key_captures_once() {
    let (sandbox, client) = start().await;
    let account = Id::from(ACCOUNT);
    let auth = client
        .create_authorization(&AuthorizationRequest::new(
            account,
            dec("100.00"),
            FinancingOption::promotional(101, Some(12)),
        ))
        .send()
        .await
        .expect("authorize")
        .into_inner();
    let auth_id = auth.authorization_id.expect("id");
    assert_eq!(balance(&sandbox, ACCOUNT), "4900.00");

    let keyed = client.with_idempotency_key("capture-once-1").expect("key");
    let a = keyed
        .capture_authorization(&auth_id, &CaptureRequest::new(dec("60.00")))
        .send()
        .await
        .expect("capture")
        .into_inner();
    let b = keyed
        .capture_authorization(&auth_id, &CaptureRequest::new(dec("60.00")))
        .send()
        .await
        .expect("the replay")
        .into_inner();
    assert_eq!(a, b, "the first answer, replayed");
    assert_eq!(sandbox.flexiti().idempotency_key_count("capture-once-1"), 2);
    let now = client
        .get_authorization(&auth_id)
        .send()
        .await
        .expect("authorization")
        .into_inner();
    assert_eq!(now.remaining_authorization_amount, Some(dec("40")));
    assert_eq!(balance(&sandbox, ACCOUNT), "4900.00");

    // A return repeated with one key credits once.
    let capture_id = a.capture_id.expect("capture id");
    let keyed = client.with_idempotency_key("return-once-1").expect("key");
    for _ in 0..2 {
        keyed
            .return_capture(&auth_id, &capture_id, &ReturnRequest::partial(dec("10.00")))
            .send()
            .await
            .expect("return");
    }
    assert_eq!(balance(&sandbox, ACCOUNT), "4910.00", "credited once");
    assert_eq!(sandbox.flexiti().idempotency_key_count("return-once-1"), 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_authorizations_stream_finds_the_authorization() {
    let (sandbox, client) = start().await;
    let mut ids = Vec::new();
    for amount in ["10.00", "20.00", "30.00"] {
        let auth = client
            .create_authorization(&AuthorizationRequest::new(
                Id::from(ACCOUNT),
                dec(amount),
                FinancingOption::regular(),
            ))
            .send()
            .await
            .expect("authorize")
            .into_inner();
        ids.push(auth.authorization_id.expect("id"));
    }
    let found: Vec<_> = client
        .list_authorizations()
        .account_number(ACCOUNT)
        .paginate()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("every page");
    let found_ids: Vec<Id> = found
        .iter()
        .filter_map(|a| a.authorization_id.clone())
        .collect();
    assert_eq!(found_ids, ids);
    assert_eq!(found[1].amount, Some(dec("20")));

    let none: Vec<_> = client
        .list_authorizations()
        .account_number("20076679")
        .paginate()
        .collect()
        .await;
    assert!(none.is_empty(), "{none:?}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_tasks_at_token_expiry_cause_one_token_request() {
    let (sandbox, client) = start().await;
    let handle = sandbox.flexiti();
    let key = CustomerKey::Account(Id::from(ACCOUNT));
    client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("first call");
    assert_eq!(handle.token_requests(), 1);
    handle.expire_tokens();
    // The first client still believes its token is fresh, so 200 tasks on it would all get
    // a 401 first. A new client holds no token: every task waits for the same one.
    let fresh = self::client(&sandbox);
    let before = handle.token_requests();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let client = fresh.clone();
            let key = key.clone();
            tokio::spawn(async move { client.lookup_customer_by(&key).send().await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        task.await.expect("task").expect("lookup");
        ok += 1;
    }
    assert_eq!(ok, 200);
    assert_eq!(handle.token_requests(), before + 1, "one token for all");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_succeeds() {
    let (sandbox, client) = start().await;
    let handle = sandbox.flexiti();
    let key = CustomerKey::Account(Id::from(ACCOUNT));
    client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("first call");
    assert_eq!(handle.token_requests(), 1);
    handle.expire_tokens();
    let customer = client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("after a refresh")
        .into_inner();
    assert_eq!(customer.account_number, Some(Id::from(ACCOUNT)));
    assert_eq!(handle.token_requests(), 2, "one new token");
    let lookups: Vec<u16> = handle
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/customers/lookup"))
        .map(|r| r.status)
        .collect();
    assert_eq!(lookups, [200, 401, 200]);
    // And the next call uses the new token without asking again.
    client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("third call");
    assert_eq!(handle.token_requests(), 2);
    sandbox.shutdown().await;
}

fn online_request(order: &str) -> OnlineInitRequest {
    OnlineInitRequest {
        merchant_orderid: Some(order.to_owned()),
        is_guest: None,
        customer_id: Some("828930".to_owned()),
        vcc: None,
        has_previous_purchase: None,
        lang: "en".to_owned(),
        flow: OnlineFlow::ApplyBuy,
        amount_requested: "499.99".to_owned(),
        salutation: None,
        email: None,
        phone_number: None,
        fname: Some("Jane".to_owned()),
        mname: None,
        lname: Some("Doe".to_owned()),
        dob: None,
        address_1: None,
        address_2: None,
        city: None,
        province: None,
        postal_code: None,
    }
}

#[tokio::test]
async fn an_online_birth_date_is_checked_before_sending_and_sent_as_a_day() {
    let (sandbox, client) = start().await;
    let inits = || {
        sandbox
            .flexiti()
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/systems/init"))
            .collect::<Vec<_>>()
    };
    let mut request = online_request("order-78");
    request.dob = Some(Date::from_text("1990-02-30"));
    let error = client
        .online_init(&request)
        .send()
        .await
        .expect_err("no such day");
    let Error::InvalidInput(invalid) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        (invalid.field.as_str(), invalid.message.as_str()),
        (
            "dob",
            r#""1990-02-30" is not a date (YYYY-MM-DD): February 1990 has no day 30"#
        )
    );
    assert!(inits().is_empty(), "refused before sending");

    let day = time::Date::from_calendar_date(1990, time::Month::February, 28).expect("a day");
    request.dob = Some(day.into());
    client.online_init(&request).send().await.expect("init");
    let sent = inits();
    assert_eq!(sent.len(), 1);
    let body = String::from_utf8(sent[0].body.clone()).expect("utf-8");
    assert!(body.split('&').any(|p| p == "dob=1990-02-28"), "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_online_order_is_started_completed_and_reported() {
    let (sandbox, client) = start().await;
    let handle = sandbox.flexiti();
    let init = client
        .online_init(&online_request("order-77"))
        .send()
        .await
        .expect("init")
        .into_inner();
    assert!(
        init.redirection_url
            .ends_with(&format!("/online/checkout/{}", init.online_order_id)),
        "{}",
        init.redirection_url
    );
    let posted = handle
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/systems/init"))
        .expect("init request");
    assert_eq!(posted.method, "POST");
    assert_eq!(
        posted.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let body = String::from_utf8(posted.body.clone()).expect("utf-8");
    for pair in [
        "merchant_orderid=order-77",
        "lang=en",
        "flow=apply%2Fbuy",
        "amount_requested=499.99",
        "customer_id=828930",
    ] {
        assert!(body.split('&').any(|p| p == pair), "{pair} in {body}");
    }

    let pending = client
        .online_notification_by_order_id(&init.online_order_id)
        .send()
        .await
        .expect("pending")
        .into_inner();
    assert_eq!(
        pending.purchase.and_then(|p| p.status),
        None,
        "no document shows a pending status: the sandbox sends no result yet"
    );

    let order: u64 = init.online_order_id.as_u64().expect("numeric id");
    assert!(handle.complete_online_order(order));
    let done = client
        .online_notification_by_order_id(&init.online_order_id)
        .send()
        .await
        .expect("notification")
        .into_inner();
    assert_eq!(done.transaction_id, init.online_order_id.clone());
    assert_eq!(done.flow, OnlineFlow::ApplyBuy);
    assert_eq!(
        done.purchase.and_then(|p| p.status),
        Some(PurchaseStatus::Success)
    );
    let apply = done.apply.expect("apply result");
    assert_eq!(apply.apply_status, ApplyStatus::Success);
    assert_eq!(apply.customer_id, Some(Id::from("828930")));

    let by_merchant = client
        .online_notification_by_merchant_order_id("order-77")
        .send()
        .await
        .expect("by merchant order id")
        .into_inner();
    assert_eq!(by_merchant.transaction_id, init.online_order_id);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_payment_calculator_decodes_string_amounts() {
    let (sandbox, client) = start().await;
    for (price, monthly, months) in [
        ("499.00", "166.33", 3),
        ("999.99", "166.67", 6),
        ("1200.00", "100.00", 12),
    ] {
        let answer = client
            .online_payment_calculator(price)
            .send()
            .await
            .expect("calculator")
            .into_inner();
        let plan = answer.payment_plan;
        assert_eq!(plan.monthly_payment, dec(monthly), "{price}");
        assert_eq!(plan.monthly_payment.to_string(), monthly);
        assert_eq!(plan.months, months);
        assert!(
            answer.html_render.contains(monthly),
            "{:?}",
            answer.html_render
        );
    }
    sandbox.shutdown().await;
}

/// Online API Endpoints Reference, `POST /oauth/token`: "The auth token is active for 20
/// minutes and the refresh token is used to get a new access token when the current one is
/// about to expire. It cannot be refreshed after it is expired. … To use it add the refresh
/// token (provided in the original /oauth/token call) and change the grant_type to
/// refresh_token." Tokens of 60 s, renewed 120 s ahead: every call renews, with the refresh
/// token of the one before.
#[tokio::test]
async fn a_token_about_to_expire_is_renewed_with_its_refresh_token() {
    let mut config = SandboxConfig::default();
    config.flexiti.token_lifetime = std::time::Duration::from_secs(60);
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let client = client(&sandbox);
    let key = CustomerKey::Account(Id::from("20076677"));
    for _ in 0..3 {
        client
            .lookup_customer_by(&key)
            .send()
            .await
            .expect("lookup");
    }
    let grants: Vec<String> = sandbox
        .flexiti()
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/oauth/token"))
        .map(|r| {
            let body = String::from_utf8(r.body).expect("utf-8");
            let grant = body
                .split('&')
                .find_map(|p| p.strip_prefix("grant_type="))
                .unwrap_or_default()
                .to_owned();
            assert_eq!(r.status, 200, "{body}");
            grant
        })
        .collect();
    assert_eq!(
        grants,
        ["client_credentials", "refresh_token", "refresh_token"]
    );
    sandbox.shutdown().await;
}

/// Widget page: Flexiti "takes the access_token as a referential value for the entire flow …
/// use this token from start to finish"; the customer scope lists `authorization` for Online
/// flows (AUTH). One flow: one customer token, one reference id, widget to authorization.
#[tokio::test]
async fn the_online_flow_keeps_one_customer_token_and_one_reference_id() {
    let (sandbox, client) = start().await;
    let flow = client.online_flow().await.expect("a customer token");
    let widget = flexiti::WidgetInitRequest::purchase(Id::from(ACCOUNT));
    let started = flow.widget_init(&widget).send().await.expect("widget");
    assert!(!started.redirection_url.is_empty());
    flow.create_authorization(&AuthorizationRequest::new(
        Id::from(ACCOUNT),
        dec("120.00"),
        FinancingOption::regular(),
    ))
    .send()
    .await
    .expect("authorized with the customer token");

    let calls: Vec<_> = sandbox
        .flexiti()
        .requests()
        .into_iter()
        .filter(|r| !r.path.ends_with("/oauth/token"))
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].path.ends_with("/widget/init"));
    assert!(calls[1].path.ends_with("/authorization"));
    let bearer = calls[0].header("authorization").expect("a bearer");
    assert_eq!(calls[1].header("authorization"), Some(bearer));
    let reference = calls[0].header("x-reference-id").expect("a reference id");
    assert_eq!(calls[1].header("x-reference-id"), Some(reference));
    // One token request in all: the flow's customer token.
    assert_eq!(sandbox.flexiti().token_requests(), 1);
}
