//! The end-to-end example of docs/providers/fsflt.md (checked verbatim by `cargo xtask test`).
//! Talks to a local sandbox unless `FSFLT_API_KEY` is set.
//!
//! ```text
//! cargo run -p fsflt --example fsflt-quickstart
//! ```

use fsflt::{
    AssignRequest, AuthTokenRequest, AvailableLicensesRequest, Client, LICENSE_ALREADY_SUSPENDED,
    LicenseAction, NewCustomer,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The real API with FSFLT_API_KEY set; otherwise a local sandbox.
    let (client, _sandbox) = api_sandbox::or_sandbox(Client::from_env, |sandbox, config| {
        Ok(Client::builder()
            .api_key(&config.fsflt.api_key)
            .base_url(sandbox.fsflt_url())
            .build()?)
    })
    .await?;

    let mut new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3);
    new.company_name = Some("Rossi Srl".into());
    let customer = client.create_customer(&new).send().await?.customer_code;

    let offers = client
        .available_licenses(&AvailableLicensesRequest::for_customer(customer))
        .send()
        .await?;
    let Some(offer) = offers.first() else {
        return Err("no licence available".into());
    };
    let licence = client
        .assign_license(&AssignRequest::new(
            customer,
            &offer.license_code,
            "Head office",
        ))
        .send()
        .await?;
    println!(
        "assigned {} as licence {}",
        offer.license_code, licence.license_id
    );

    // The suspend and enable body: both fields as the documented strings.
    let action = LicenseAction::new(customer, &licence.license_id);
    client.suspend_license(&action).send().await?;
    match client.suspend_license(&action).send().await {
        Err(e) if e.kind() == Some(LICENSE_ALREADY_SUSPENDED) => println!("already suspended"),
        other => println!("unexpected: {other:?}"),
    }
    client.enable_license(&action).send().await?;

    let token = client
        .get_auth_token(&AuthTokenRequest::for_customer(customer))
        .send()
        .await?;
    println!("one-time login: {}", token.login_url());
    Ok(())
}
