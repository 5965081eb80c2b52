//! The provider clients, configured as a user would, pointed at the bench server.

use super::*;

/// The provider clients, configured as a user would, pointed at the bench server.
#[derive(Clone)]
pub struct Clients {
    /// netfinity.
    pub netfinity: netfinity::Client,
    /// fsflt.
    pub fsflt: fsflt::Client,
    /// fl3xx (one operator connection).
    pub fl3xx: fl3xx::OperatorClient,
    /// flexiti, with a fixed reference id so that both sides send the same bytes.
    pub flexiti: flexiti::Client,
}

impl Clients {
    /// Builds every client against `url`.
    pub fn new(url: &str) -> Result<Clients, String> {
        let err = |e: api_core::Error| e.to_string();
        let netfinity = netfinity::Client::builder()
            .token(NETFINITY_TOKEN)
            .base_url(format!("{url}/v2"))
            // Its default pace (60 a minute) would measure the pace, not the client; the
            // other providers have none by default.
            .rate_limit(None)
            .build()
            .map_err(err)?;
        let fsflt = fsflt::Client::builder()
            .api_key(FSFLT_KEY)
            .base_url(url)
            .build()
            .map_err(err)?;
        let fl3xx = fl3xx::Fl3xx::builder()
            .client_id(FL3XX_CLIENT)
            .base_url(url)
            .build()
            .and_then(|partner| partner.for_operator(FL3XX_TOKEN))
            .map_err(err)?;
        let flexiti = flexiti::Client::builder()
            .client_id(FLEXITI_CLIENT)
            .client_secret(FLEXITI_SECRET)
            .environment(flexiti::Environment::custom(url))
            .build()
            .and_then(|c| c.with_reference_id(FLEXITI_REFERENCE))
            .map_err(err)?;
        Ok(Clients {
            netfinity,
            fsflt,
            fl3xx,
            flexiti,
        })
    }

    /// One request through `provider`'s client; checks the decoded answer.
    pub async fn call(&self, provider: Provider) -> Result<(), String> {
        let err = |e: api_core::Error| format!("{}: {e}", provider.name());
        let ok = match provider {
            Provider::Netfinity => {
                let sms =
                    netfinity::Sms::new("359888123456", "Hello from the bench").with_id("bench1");
                let accepted = self.netfinity.send_sms(&sms).await.map_err(err)?;
                accepted.uuid.is_some()
            }
            Provider::Fsflt => {
                let body =
                    fsflt::AuthTokenRequest::for_customer(fsflt::CustomerCode::from(CUSTOMER));
                let token = self.fsflt.get_auth_token(&body).send().await.map_err(err)?;
                token.expiration == "15 min"
            }
            Provider::Fl3xx => {
                let airport = self.fl3xx.get_airport("LOWW").send().await.map_err(err)?;
                airport.icao.as_deref() == Some("LOWW")
            }
            Provider::Flexiti => {
                let authorization = self
                    .flexiti
                    .get_authorization("A-1001")
                    .send()
                    .await
                    .map_err(err)?;
                authorization.term == Some(12)
            }
        };
        ok.then_some(())
            .ok_or_else(|| format!("{}: unexpected answer", provider.name()))
    }

    /// The provider's list page through its client; answers the number of items.
    pub async fn page(&self, provider: Provider) -> Result<usize, String> {
        let err = |e: api_core::Error| format!("{}: {e}", provider.name());
        match provider {
            Provider::Netfinity => Ok(0),
            Provider::Fsflt => {
                let query = fsflt::AvailableLicensesRequest {
                    customer_code: fsflt::CustomerCode::from(CUSTOMER),
                    lang: None,
                    version_code: None,
                    license_duration: None,
                    license_code: None,
                    currency_code: None,
                };
                let page = self
                    .fsflt
                    .available_licenses(&query)
                    .send()
                    .await
                    .map_err(err)?;
                Ok(page.len())
            }
            Provider::Fl3xx => {
                let page = self
                    .fl3xx
                    .list_flights(flight_window()?)
                    .limit(50)
                    .offset(0)
                    .send()
                    .await
                    .map_err(err)?;
                Ok(page.len())
            }
            Provider::Flexiti => {
                let page = self
                    .flexiti
                    .list_authorizations()
                    .page_number(1)
                    .page_size(50)
                    .send()
                    .await
                    .map_err(err)?;
                Ok(page.len())
            }
        }
    }
}

/// The window the flight figures ask for.
pub fn flight_window() -> Result<fl3xx::FlightWindow, String> {
    fl3xx::FlightWindow::new(
        time::macros::datetime!(2024-01-15 00:00 UTC),
        time::macros::datetime!(2024-01-16 00:00 UTC),
    )
    .map_err(|e| e.to_string())
}
