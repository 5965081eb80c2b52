//! Flexiti: token, customer lookup, plans for an amount, authorize, capture in two parts,
//! return part, list authorizations, a retried capture that does not charge twice, a token
//! expired on the sandbox's clock and replaced, and the Online widget flow on one customer
//! token.

use std::error::Error as StdError;
use std::str::FromStr;

use api_sandbox::{Sandbox, SandboxConfig};
use flexiti::api_core::money::Decimal;
use flexiti::{
    AuthorizationRequest, CalculateInterestRequest, CaptureRequest, Client, CustomerKey,
    Environment, FinancingOption, Id, ReturnRequest,
};
use futures_util::TryStreamExt;

use crate::transcript::Transcript;

const ACCOUNT: &str = "20076677";

fn money(amount: Option<Decimal>) -> String {
    amount.map_or_else(|| "?".to_owned(), |a| format!("{a:.2}"))
}

fn dollars(text: &str) -> Result<Decimal, Box<dyn StdError>> {
    Ok(Decimal::from_str(text)?)
}

pub async fn run(t: &mut Transcript) -> Result<(), Box<dyn StdError>> {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await?;
    let handle = sandbox.flexiti();
    t.section(&format!("Flexiti (sandbox at {})", sandbox.flexiti_url()));
    let client = Client::builder()
        .client_id(config.flexiti.client_id.clone())
        .client_secret(config.flexiti.client_secret.clone())
        .environment(Environment::custom(sandbox.flexiti_url()))
        .build()?;
    // One reference id for the whole purchase, so it can be traced across calls.
    let flow = client.flow();
    let account = Id::from(ACCOUNT);

    let customer = flow
        .lookup_customer_by(&CustomerKey::Account(account.clone()))
        .send()
        .await?;
    t.check(
        handle.token_requests() == 1,
        format!(
            "lookup account {ACCOUNT} (one OAuth token, reference {}) → available credit {}",
            flow.reference_id().unwrap_or("?"),
            money(customer.available_credit)
        ),
    );

    let amount = dollars("1200.00")?;
    let plans = flow
        .calculate_interest(&account, &CalculateInterestRequest { amount })
        .send()
        .await?;
    let first_plan = plans
        .promotional_purchase
        .as_ref()
        .and_then(|p| p.first())
        .cloned()
        .ok_or("no promotional plan")?;
    let plan_id = first_plan.plan_id.ok_or("a plan without an id")?;
    let term = first_plan
        .terms
        .as_ref()
        .and_then(|terms| terms.first())
        .cloned()
        .ok_or("a plan without terms")?;
    t.pass(format!(
        "calculate interest for {amount} → plan {plan_id} ({}), {} payments of {}",
        first_plan.plan_name.as_deref().unwrap_or("?"),
        term.term.unwrap_or_default(),
        money(term.term_amount)
    ));

    let request = AuthorizationRequest::new(
        account.clone(),
        amount,
        FinancingOption::promotional(plan_id, term.term),
    );
    let authorization = flow.create_authorization(&request).send().await?;
    let authorization_id = authorization
        .authorization_id
        .clone()
        .ok_or("an authorization without an id")?;
    t.pass(format!(
        "authorize {amount} → authorization {authorization_id} ({})",
        authorization
            .authorization_status
            .as_ref()
            .map_or_else(|| "?".to_owned(), ToString::to_string)
    ));

    let first = flow
        .capture_authorization(&authorization_id, &CaptureRequest::new(dollars("700.00")?))
        .send()
        .await?;
    let capture_id = first.capture_id.clone().ok_or("a capture without an id")?;
    t.pass(format!(
        "capture 700.00 → capture {capture_id}, {} left to capture",
        money(first.remaining_authorization_amount)
    ));

    // The rest, sent twice with one idempotency key: as if the first answer had been lost.
    // Without the replay the second capture would exceed the authorization (a 409).
    let retry = flow.with_idempotency_key("demo-capture-rest")?;
    let rest = CaptureRequest::new(dollars("500.00")?);
    let once = retry
        .capture_authorization(&authorization_id, &rest)
        .send()
        .await?;
    let twice = retry
        .capture_authorization(&authorization_id, &rest)
        .send()
        .await?;
    t.check(
        once.capture_id.is_some()
            && once.capture_id == twice.capture_id
            && handle.idempotency_key_count("demo-capture-rest") == 2,
        format!(
            "capture the rest (500.00) twice with one idempotency key → the same capture {} both times, {} left: charged once",
            once.capture_id.as_ref().map_or("?".into(), ToString::to_string),
            money(twice.remaining_authorization_amount),
        ),
    );

    let returned = flow
        .return_capture(
            &authorization_id,
            &capture_id,
            &ReturnRequest::partial(dollars("100.00")?),
        )
        .send()
        .await?;
    t.pass(format!(
        "return 100.00 of capture {capture_id} → return {}, {} left on the capture",
        returned
            .return_id
            .as_ref()
            .map_or("?".into(), ToString::to_string),
        money(returned.remaining_capture_amount)
    ));

    let authorizations: Vec<_> = client
        .list_authorizations()
        .account_number(&account)
        .paginate()
        .try_collect()
        .await?;
    t.check(
        authorizations
            .iter()
            .any(|a| a.authorization_id.as_ref() == Some(&authorization_id)),
        format!(
            "list authorizations of {ACCOUNT} (paged stream) → {} found",
            authorizations.len()
        ),
    );

    let too_precise = flow
        .calculate_interest(
            &account,
            &CalculateInterestRequest {
                amount: dollars("10.005")?,
            },
        )
        .send()
        .await;
    match too_precise {
        Err(flexiti::Error::InvalidInput(e)) => t.pass(format!(
            "calculate interest for 10.005 → refused before sending: {e}"
        )),
        other => t.fail(format!("a three-decimal amount was not refused: {other:?}")),
    }
    token_expiry(t, &client, &sandbox, &account).await?;
    online_widget(t, &client, &sandbox).await?;
    sandbox.shutdown().await;
    Ok(())
}

/// Twenty-one minutes on the sandbox's clock, in an instant: the token expires on the
/// server while the client still counts it live, so the next call meets a 401, and the client
/// fetches a new token and repeats the call once.
async fn token_expiry(
    t: &mut Transcript,
    client: &Client,
    sandbox: &Sandbox,
    account: &Id,
) -> Result<(), Box<dyn StdError>> {
    let handle = sandbox.flexiti();
    let tokens_before = handle.token_requests();
    sandbox
        .clock()
        .advance(std::time::Duration::from_secs(21 * 60));
    let customer = client
        .lookup_customer_by(&CustomerKey::Account(account.clone()))
        .send()
        .await?;
    let lookups: Vec<u16> = handle
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/customers/lookup"))
        .map(|r| r.status)
        .collect();
    let last_two = lookups
        .get(lookups.len().saturating_sub(2)..)
        .unwrap_or(&[]);
    t.check(
        handle.token_requests() == tokens_before + 1 && last_two == [401, 200],
        format!(
            "21 minutes later on the sandbox's clock (no sleeping) → the token has expired: \
             HTTP 401, one new token, the lookup repeated once → available credit {}",
            money(customer.available_credit)
        ),
    );
    Ok(())
}

/// The Online channel's widget flow as the Widget page asks: one customer token and one
/// reference id from `widget_init` to `create_authorization`.
async fn online_widget(
    t: &mut Transcript,
    client: &Client,
    sandbox: &Sandbox,
) -> Result<(), Box<dyn StdError>> {
    let before = sandbox.flexiti().requests().len();
    let flow = client.online_flow().await?;
    let widget = flexiti::WidgetInitRequest::purchase(Id::from(ACCOUNT));
    let started = flow.widget_init(&widget).send().await?;
    let purchase = AuthorizationRequest::new(
        Id::from(ACCOUNT),
        dollars("80.00")?,
        FinancingOption::regular(),
    );
    flow.create_authorization(&purchase).send().await?;
    let calls: Vec<_> = sandbox.flexiti().requests()[before..]
        .iter()
        .filter(|r| !r.path.ends_with("/oauth/token"))
        .cloned()
        .collect();
    let same = |name: &str| {
        calls.len() == 2
            && calls[0].header(name).is_some()
            && calls[0].header(name) == calls[1].header(name)
    };
    t.check(
        same("authorization") && same("x-reference-id"),
        format!(
            "Online widget flow: widget_init → the widget's URL ({} characters; it holds the \
             token, so it is not printed), then create_authorization: one customer token and \
             one reference id ({}) from start to finish",
            started.redirection_url.len(),
            flow.reference_id().unwrap_or("?")
        ),
    );
    Ok(())
}
