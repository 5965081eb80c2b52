//! FlashStart: create a customer, list licences, assign one, suspend it twice (the second
//! is the documented 405), enable it, and get a one-time login link.

use std::error::Error as StdError;

use api_sandbox::{Sandbox, SandboxConfig};
use fsflt::{
    AssignRequest, AuthTokenRequest, AvailableLicensesRequest, Client, ErrorKind,
    LICENSE_ALREADY_SUSPENDED, LicenseAction, NewCustomer,
};

use crate::transcript::Transcript;

pub async fn run(t: &mut Transcript) -> Result<(), Box<dyn StdError>> {
    let config = SandboxConfig::default();
    let key = config.fsflt.api_key.clone();
    let sandbox = Sandbox::start(config).await?;
    t.section(&format!("FlashStart (sandbox at {})", sandbox.fsflt_url()));
    let client = Client::builder()
        .api_key(key)
        .base_url(sandbox.fsflt_url())
        .build()?;

    let mut new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3);
    new.company_name = Some("Rossi Srl".into());
    let customer = client.create_customer(&new).send().await?.customer_code;
    t.pass(format!("create customer Rossi → customer_code {customer}"));

    let available = client
        .available_licenses(&AvailableLicensesRequest::for_customer(customer))
        .send()
        .await?;
    let Some(first) = available.first().cloned() else {
        t.fail("no licence is available to the new customer");
        return Ok(());
    };
    t.check(
        first.license_amount.is_some() && first.license_duration_months.is_some(),
        format!(
            "available licences (GET with a JSON body) → {} offers, first {} for {} {}",
            available.len(),
            first.license_code,
            first
                .license_amount
                .map_or_else(|| "?".to_owned(), |a| a.to_string()),
            first.license_amount_currency.as_deref().unwrap_or("?"),
        ),
    );

    let assigned = client
        .assign_license(&AssignRequest::new(
            customer,
            &first.license_code,
            "Head office",
        ))
        .send()
        .await?;
    let licence = assigned.license_id.clone();
    t.pass(format!(
        "assign {} → licence {} until {}",
        first.license_code,
        licence,
        // The day as a `time::Date`: the sandbox writes it as documented, `YYYY-MM-DD`.
        assigned
            .expiry_date
            .as_ref()
            .and_then(|day| day.get().ok())
            .map_or_else(|| "?".to_owned(), |day| day.to_string())
    ));

    let action = LicenseAction::new(customer, &licence);
    let message = client.suspend_license(&action).send().await?;
    t.pass(format!(
        "suspend licence {licence} → \"{}\"",
        message.as_str()
    ));

    match client.suspend_license(&action).send().await {
        Err(e) if e.kind() == Some(LICENSE_ALREADY_SUSPENDED) => t.check(
            e.status().map(|s| s.as_u16()) == Some(405),
            format!("suspend again → HTTP 405, typed LICENSE_ALREADY_SUSPENDED: {e}"),
        ),
        other => t.fail(format!(
            "a second suspend was not the documented 405: {other:?}"
        )),
    }

    let message = client.enable_license(&action).send().await?;
    t.pass(format!(
        "enable licence {licence} → \"{}\"",
        message.as_str()
    ));

    let bad = AssignRequest::new(customer, &first.license_code, "Head office / Rome");
    let before = sandbox.fsflt().requests().len();
    match client.assign_license(&bad).send().await {
        Err(fsflt::Error::InvalidInput(e)) => t.check(
            sandbox.fsflt().requests().len() == before,
            format!("assign with \"Head office / Rome\" → refused before sending: {e}"),
        ),
        other => t.fail(format!(
            "a bad licence description was not refused: {other:?}"
        )),
    }

    let token = client
        .get_auth_token(&AuthTokenRequest::for_customer(customer))
        .send()
        .await?;
    t.pass(format!(
        "login link (expires in {}) → {}",
        token.expiration,
        token.login_url()
    ));
    let unknown = AuthTokenRequest::for_customer(fsflt::CustomerCode::from(999_999));
    match client.get_auth_token(&unknown).send().await {
        Err(e) if e.kind() == Some(ErrorKind::Unauthorized) => t.pass(format!(
            "login link for an unknown customer → unauthorized ({{\"code\":401,\"content\":[]}}): {e}"
        )),
        other => t.fail(format!("an unknown customer got a token: {other:?}")),
    }
    sandbox.shutdown().await;
    Ok(())
}
