//! The example of docs/providers/flexiti.md (checked verbatim by `cargo xtask test`). Talks to
//! a local sandbox unless `FLEXITI_CLIENT_ID` and `FLEXITI_CLIENT_SECRET` are set.
//!
//! ```text
//! cargo run -p flexiti --example flexiti-quickstart
//! ```

use flexiti::{
    AuthorizationRequest, CalculateInterestRequest, CaptureRequest, Client, CustomerKey,
    Environment, ErrorCode, FinancingOption, Id,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The real API (TRAINING by default) with credentials set; otherwise a local sandbox.
    let (client, _sandbox) = api_sandbox::or_sandbox(Client::from_env, |sandbox, config| {
        Ok(Client::builder()
            .client_id(&config.flexiti.client_id)
            .client_secret(&config.flexiti.client_secret)
            .environment(Environment::custom(sandbox.flexiti_url()))
            .build()?)
    })
    .await?;

    // One reference id for the whole purchase: every call of `flow` carries it.
    let flow = client.flow();
    let account = Id::from("20076677");
    let customer = flow
        .lookup_customer_by(&CustomerKey::Account(account.clone()))
        .send()
        .await?;
    println!("available credit: {:?}", customer.available_credit);

    // Plans for the amount, then an authorization on the first promotional plan.
    let amount = flexiti::amount("600.00")?; // exact
    let plans = flow
        .calculate_interest(&account, &CalculateInterestRequest { amount })
        .send()
        .await?;
    let plan = plans
        .promotional_purchase
        .as_ref()
        .and_then(|plans| plans.first())
        .ok_or("no promotional plan")?;
    let term = plan
        .terms
        .as_ref()
        .and_then(|t| t.first())
        .and_then(|t| t.term);
    let financing = FinancingOption::promotional(plan.plan_id.ok_or("no plan id")?, term);
    let authorization = flow
        .create_authorization(&AuthorizationRequest::new(account, amount, financing))
        .send()
        .await?;
    let id = authorization.authorization_id.clone().ok_or("no id")?;

    // Capture in two parts; each capture carries its own idempotency key, reused on retries.
    flow.capture_authorization(&id, &CaptureRequest::new(flexiti::amount("400.00")?))
        .send()
        .await?;
    flow.capture_authorization(&id, &CaptureRequest::new(flexiti::amount("200.00")?))
        .send()
        .await?;
    match flow
        .capture_authorization(&id, &CaptureRequest::new(flexiti::amount("1.00")?))
        .send()
        .await
    {
        Err(e) if ErrorCode::of(&e) == Some(ErrorCode::CaptureAmountExceeded) => {
            println!("nothing left to capture: {e}")
        }
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
