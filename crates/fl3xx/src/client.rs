//! The partner client, its per-operator clients, and every v2 operation.

use std::fmt;
use std::future::Future;

use api_core::paginate::{Page, PageStyle, paginate};
use api_core::{Auth, ClientShell, NoContent, Operation, Response, Result, Transport};
use futures_core::Stream;
use futures_util::FutureExt;
use time::OffsetDateTime;

use crate::errors::{FAIR_USE_INTERVAL, Fl3xxErrors};
use crate::flights::{FlightWindow, MAX_PAGE_SIZE};
use crate::generated::operations;
use crate::subscriptions::{check_callback_url, check_event};
use crate::*;

/// FL3XX's test server.
pub const TEST_BASE_URL: &str = "https://test.fl3xx.com";
/// The environment variable [`Fl3xx::from_env`] reads the partner's client id from.
pub const CLIENT_ID_ENV: &str = "FL3XX_CLIENT_ID";
/// The environment variable [`OperatorClient::from_env`] reads an operator token from.
pub const TOKEN_ENV: &str = "FL3XX_TOKEN";
/// The environment variable both read an optional base URL from.
pub const BASE_URL_ENV: &str = "FL3XX_BASE_URL";

const CLIENT_ID_HEADER: &str = "X-Api-Client-Id";
const TOKEN_HEADER: &str = "X-Auth-Token";

/// The partner application: holds the client id and one connection pool, and hands out a
/// client per operator connection.
///
/// ```no_run
/// # async fn run() -> fl3xx::Result<()> {
/// let fl3xx = fl3xx::Fl3xx::builder().client_id("partner-id").build()?;
/// // One token per operator connection; all of them share one pool.
/// let acme = fl3xx.for_operator("token-acme")?;
/// let globex = fl3xx.for_operator("token-globex")?;
/// println!("{:?}", acme.airport("LOWW").await?.name);
/// # let _ = globex; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Fl3xx {
    partner: Transport,
    client_id: String,
}

impl fmt::Debug for Fl3xx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fl3xx")
            .field("transport", &self.partner)
            .finish_non_exhaustive()
    }
}

impl Fl3xx {
    /// Starts a builder (test server by default: set the production host of your region).
    pub fn builder() -> Fl3xxBuilder {
        Fl3xxBuilder {
            shell: ClientShell::new(
                "fl3xx",
                TEST_BASE_URL,
                concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
                "an FL3XX client id",
            )
            .configure(|t| {
                t.error_decoder(Fl3xxErrors)
                    // The fair-use wait is 10 minutes by design: above api-core's default
                    // ceiling on a server-imposed pause, and the ceiling here.
                    .max_server_pause(FAIR_USE_INTERVAL)
            }),
        }
    }

    /// A partner client from `FL3XX_CLIENT_ID` and, optionally, `FL3XX_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when `FL3XX_CLIENT_ID` is not set.
    pub fn from_env() -> Result<Self> {
        let shell = Self::builder()
            .shell
            .from_env(CLIENT_ID_ENV, BASE_URL_ENV)?;
        Fl3xxBuilder { shell }.build()
    }

    /// A client for one operator connection: its token goes with the client id on every call.
    /// It shares this client's connection pool and has its own pace and retry budget (one
    /// fair-use budget per connection).
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the token is empty or not a valid header value.
    pub fn for_operator(&self, token: impl Into<String>) -> Result<OperatorClient> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(api_core::Error::Config(
                "an operator token is required".into(),
            ));
        }
        let transport = self.partner.with_auth(Auth::api_keys([
            (CLIENT_ID_HEADER, self.client_id.clone()),
            (TOKEN_HEADER, token.clone()),
        ])?)?;
        // v1 is the same connection: it spends the same fair-use budget.
        let v1 = transport.with_auth_sharing_limits(Auth::api_key(TOKEN_HEADER, token)?)?;
        Ok(OperatorClient { transport, v1 })
    }
}

/// Builds a [`Fl3xx`] partner client.
#[derive(Debug)]
pub struct Fl3xxBuilder {
    // The shell's `Debug` redacts the client id.
    shell: ClientShell,
}

impl Fl3xxBuilder {
    /// The partner application's `X-Api-Client-Id`.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.shell = self.shell.credential(id);
        self
    }

    api_core::shell_methods!();

    /// Builds the partner client.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the client id is missing, or the base URL is
    /// malformed or plain `http://` to a remote host.
    pub fn build(self) -> Result<Fl3xx> {
        let (client_id, transport) = self.shell.finish()?;
        let partner = transport
            .auth(Auth::api_key(CLIENT_ID_HEADER, client_id.clone())?)
            .build()?;
        Ok(Fl3xx { partner, client_id })
    }
}

/// The client of one operator connection. Cheap to clone.
#[derive(Clone)]
pub struct OperatorClient {
    transport: Transport,
    /// The same connection for API v1, which takes `X-Auth-Token` alone.
    v1: Transport,
}

impl fmt::Debug for OperatorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorClient")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

fn id(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(api_core::Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

impl OperatorClient {
    /// An operator client from `FL3XX_CLIENT_ID`, `FL3XX_TOKEN` and optionally
    /// `FL3XX_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when a variable is missing.
    pub fn from_env() -> Result<Self> {
        let token = std::env::var(TOKEN_ENV)
            .map_err(|_| api_core::Error::Config(format!("{TOKEN_ENV} is not set")))?;
        Fl3xx::from_env()?.for_operator(token)
    }

    /// The underlying v2 transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    // Plain functions returning the transport's future, not `async fn`s: an async wrapper
    // keeps its by-value arguments in its state next to the future it awaits (api-core's
    // transport explains the cost).
    fn call<T: serde::de::DeserializeOwned>(
        &self,
        op: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> {
        self.transport.execute(op)
    }

    /// For answers that may be empty although the model has required fields.
    fn call_or_empty<T: serde::de::DeserializeOwned>(
        &self,
        op: Operation<T>,
    ) -> impl Future<Output = Result<Response<Option<T>>>> {
        let op = Operation::<api_core::OrEmpty<T>>::new(op.into_request());
        self.call(op)
            .map(|sent| sent.map(|response| response.map(|body| body.0)))
    }

    // Airports.

    /// One airport by FL3XX id, ICAO, IATA, FAA or local identifier (`GET /airports/{code}`).
    pub async fn airport(&self, code: &str) -> Result<Response<Airport>> {
        self.call(operations::get_airport(code)?).await
    }

    // Partner fuel prices.

    /// Your fuel prices at one airport.
    pub async fn fuel_prices(&self, airport: &str) -> Result<Response<List<FuelPrice>>> {
        self.call(operations::get_fuel_prices(airport)?).await
    }

    /// Sets a fuel price at one airport (PUT: repeating it is harmless). Answers the stored
    /// price, or `None` when the server answers without a body (its answer is not
    /// documented).
    pub async fn put_fuel_price(
        &self,
        airport: &str,
        price: &FuelPrice,
    ) -> Result<Response<Option<FuelPrice>>> {
        check_fuel_price(price)?;
        self.call_or_empty(operations::put_fuel_price(airport, price)?)
            .await
    }

    /// Deletes all your fuel prices at one airport.
    pub async fn delete_fuel_prices(&self, airport: &str) -> Result<Response<NoContent>> {
        self.call(operations::delete_fuel_prices(airport)?).await
    }

    /// Updates one fuel price by id; `None` when the server answers without a body.
    pub async fn update_fuel_price(
        &self,
        id: &Id,
        price: &FuelPrice,
    ) -> Result<Response<Option<FuelPrice>>> {
        check_fuel_price(price)?;
        self.call_or_empty(operations::update_fuel_price(&id.text(), price)?)
            .await
    }

    /// Bulk delete (`DELETE /api/v2/partners/airport-fuel-prices`). **Unconfirmed:** the path
    /// is documented, the selection is not. The documentation describes it as deleting
    /// **all** your prices at every airport and its example sends no body: `None` does exactly
    /// that. `Some(ids)` sends `{"ids": [...]}`, our guess at a selection — a server that
    /// ignores it would delete every price, so prefer [`OperatorClient::delete_fuel_prices`]
    /// per airport until FL3XX confirms the body.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for an empty id list (ambiguous: none, or all?).
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn delete_fuel_prices_bulk(&self, ids: Option<&[Id]>) -> Result<Response<NoContent>> {
        let body = match ids {
            Some([]) => {
                return Err(api_core::Error::invalid_input(
                    "ids",
                    "an empty selection is ambiguous: pass None to delete every price",
                ));
            }
            Some(ids) => Some(FuelPriceBulkDelete {
                ids: ids.iter().map(ToString::to_string).collect(),
            }),
            None => None,
        };
        self.call(operations::delete_fuel_prices_bulk(body.as_ref())?)
            .await
    }

    // Webhook subscriptions.

    /// Every subscription of this partner and operator, active or not.
    pub async fn subscriptions(&self) -> Result<Response<List<WebhookSubscription>>> {
        self.call(operations::list_webhook_subscriptions()?).await
    }

    /// Subscribes `callback_url` to one event. Checked first: the event must be subscribable
    /// (not a group event), the URL https (plain http only for loopback), the key non-empty.
    pub async fn subscribe(
        &self,
        event: WebhookEventType,
        callback_url: &str,
        signing_key: &str,
    ) -> Result<Response<WebhookSubscription>> {
        check_event(&event)?;
        check_callback_url(callback_url)?;
        id("signingKey", signing_key)?;
        let body = CreateWebhookSubscription {
            event,
            callback_url: callback_url.to_owned(),
            signing_key: signing_key.to_owned(),
        };
        self.call(operations::create_webhook_subscription(&body)?)
            .await
    }

    /// One subscription.
    pub async fn subscription(&self, id: &Id) -> Result<Response<WebhookSubscription>> {
        self.call(operations::get_webhook_subscription(&id.text())?)
            .await
    }

    /// Changes a subscription's callback URL and/or status.
    pub async fn update_subscription(
        &self,
        id: &Id,
        update: &UpdateWebhookSubscription,
    ) -> Result<Response<WebhookSubscription>> {
        if let Some(url) = &update.callback_url {
            check_callback_url(url)?;
        }
        self.call(operations::update_webhook_subscription(&id.text(), update)?)
            .await
    }

    /// Deletes a subscription.
    pub async fn delete_subscription(&self, id: &Id) -> Result<Response<NoContent>> {
        self.call(operations::delete_webhook_subscription(&id.text())?)
            .await
    }

    /// Renews a subscription by one month. FL3XX allows it only in the last 5 days before
    /// expiry: the expiry you hold is checked first, and a renewal outside the window is
    /// refused with the reason, without a request.
    pub async fn renew_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<Response<WebhookSubscription>> {
        subscription.check_renewable(OffsetDateTime::now_utc())?;
        self.call(operations::renew_webhook_subscription(
            &subscription.id.text(),
        )?)
        .await
    }

    /// Renews every subscription inside its renewal window at `now`; answers the renewed
    /// ones (a failed renewal is an error item, the others still run).
    pub async fn renew_due_subscriptions(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<WebhookSubscription>>> {
        let all = self.subscriptions().await?.into_inner();
        let mut renewed = Vec::new();
        for subscription in all.into_iter().filter(|s| s.check_renewable(now).is_ok()) {
            let result = self
                .call(operations::renew_webhook_subscription(
                    &subscription.id.text(),
                )?)
                .await
                .map(Response::into_inner);
            renewed.push(result);
        }
        Ok(renewed)
    }

    // Flights.

    /// One page of flights whose estimated blocks-off time is in `window` (newest first).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a page size outside 10–50.
    pub async fn flights_page(
        &self,
        window: &FlightWindow,
        limit: u8,
        offset: u64,
    ) -> Result<Response<List<Flight>>> {
        let filter = window.filter();
        self.call(operations::list_flights(
            &filter,
            Some(limit),
            Some(offset),
        )?)
        .await
    }

    /// Every flight in `window`, page by page (50 a page), one page in memory at a time.
    pub fn flights(&self, window: FlightWindow) -> impl Stream<Item = Result<Flight>> + use<> {
        let client = self.clone();
        paginate(
            PageStyle::Offset {
                limit: u32::from(MAX_PAGE_SIZE),
            },
            move |page| {
                let client = client.clone();
                async move {
                    let limit = u8::try_from(page.limit).unwrap_or(MAX_PAGE_SIZE);
                    let list = client.flights_page(&window, limit, page.offset).await?;
                    Ok(Page::new(list.into_inner().into_vec()))
                }
            },
        )
    }

    /// The permits of a flight (operator view).
    pub async fn flight_permits(&self, flight: &Id) -> Result<Response<List<FlightPermit>>> {
        self.call(operations::get_flight_permits(&flight.text())?)
            .await
    }

    /// One permit, with its documents.
    pub async fn flight_permit(&self, permit: &Id) -> Result<Response<FlightPermit>> {
        self.call(operations::get_flight_permit(&permit.text())?)
            .await
    }

    /// The slots and PPRs of a flight (operator view).
    pub async fn flight_slots_pprs(&self, flight: &Id) -> Result<Response<List<SlotPpr>>> {
        self.call(operations::get_flight_slots_pprs(&flight.text())?)
            .await
    }

    /// One slot or PPR, with its documents.
    pub async fn slot_ppr(&self, slot: &Id) -> Result<Response<SlotPpr>> {
        self.call(operations::get_slot_ppr(&slot.text())?).await
    }

    // Crew qualifications.

    /// A crew member's qualifications (`filter=crewId,EQ,<crew>`).
    pub async fn crew_qualifications(
        &self,
        crew: &Id,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<Response<List<CrewQualification>>> {
        id("crewId", &crew.text())?;
        if crew.text().contains(',') {
            // A comma would add terms to the filter expression.
            return Err(api_core::Error::invalid_input(
                "crewId",
                "must not contain ','",
            ));
        }
        let filter = format!("crewId,EQ,{crew}");
        self.call(operations::list_crew_qualifications(
            &filter,
            limit.map(i64::from),
            offset,
        )?)
        .await
    }

    /// One crew qualification.
    pub async fn crew_qualification(
        &self,
        qualification: &Id,
    ) -> Result<Response<CrewQualification>> {
        self.call(operations::get_crew_qualification(&qualification.text())?)
            .await
    }

    /// Assigns a qualification to a crew member (sent with the 2.4.0 name
    /// `qualificationTypeId`).
    pub async fn create_crew_qualification(
        &self,
        qualification: &CreateCrewQualification,
    ) -> Result<Response<CrewQualification>> {
        id("crewId", &qualification.crew_id)?;
        id("qualificationTypeId", &qualification.qualification_type_id)?;
        self.call(operations::create_crew_qualification(qualification)?)
            .await
    }

    /// Changes a crew qualification.
    pub async fn update_crew_qualification(
        &self,
        qualification: &Id,
        update: &UpdateCrewQualification,
    ) -> Result<Response<CrewQualification>> {
        self.call(operations::update_crew_qualification(
            &qualification.text(),
            update,
        )?)
        .await
    }

    /// Deletes a crew qualification.
    pub async fn delete_crew_qualification(
        &self,
        qualification: &Id,
    ) -> Result<Response<NoContent>> {
        self.call(operations::delete_crew_qualification(
            &qualification.text(),
        )?)
        .await
    }

    /// Qualification types.
    pub async fn qualification_types(
        &self,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<Response<List<QualificationType>>> {
        self.call(operations::list_qualification_types(
            limit.map(i64::from),
            offset,
        )?)
        .await
    }

    /// One qualification type (the 2.4.0 path, `/api/v2/qualification-types/{id}`).
    pub async fn qualification_type(&self, kind: &Id) -> Result<Response<QualificationType>> {
        self.call(operations::get_qualification_type(&kind.text())?)
            .await
    }

    // API v1.

    /// The v1 ("external") reads of this operator connection: sent with `X-Auth-Token` alone,
    /// through this client's limiter and retry budget (a fair-use pause holds back both APIs).
    pub fn v1(&self) -> v1::V1Client {
        v1::V1Client::new(self.v1.clone())
    }

    // The resource behind a webhook.

    /// The flight a webhook notification points at. API v2 has no flight-by-id read, so this
    /// uses v1's `GET /api/external/flight/{id}` (token only) and answers the v1 flight
    /// ([`V1Flight`]).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] when the notification is not about a flight.
    pub async fn resource_of(&self, event: &WebhookNotification) -> Result<Response<V1Flight>> {
        if let Some(kind) = &event.resource_type
            && *kind != WebhookResourceType::Flight
        {
            return Err(api_core::Error::invalid_input(
                "resourceType",
                format!("only FLIGHT resources can be fetched; got {kind}"),
            ));
        }
        self.v1
            .execute(operations::v1_get_flight(&event.resource_id.text())?)
            .await
    }
}

fn check_fuel_price(price: &FuelPrice) -> Result<()> {
    id("fboName", &price.fbo_name)?;
    id("contractorName", &price.contractor_name)?;
    if let (Some(from), Some(to)) = (price.volume_from, price.volume_to)
        && from > to
    {
        return Err(api_core::Error::invalid_input(
            "volumeFrom",
            format!("{from} is above volumeTo {to}"),
        ));
    }
    Ok(())
}
