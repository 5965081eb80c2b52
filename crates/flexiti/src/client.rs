//! The client: environments, OAuth2 scopes, reference ids, idempotency keys, every operation.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use api_core::money::{self, Decimal};
use api_core::paginate::{Page as Paged, PageStyle, paginate};
use api_core::{
    Auth, ClientAuthMethod, Error, HeaderValue, NoContent, OAuth2, Operation, Response, Result,
    TokenCache, Transport, TransportBuilder,
};
use futures_core::Stream;
use futures_util::future::Either;

use crate::errors::FlexitiErrors;
use crate::generated::operations;
use crate::ids::guid;
use crate::*;

/// The environment variable [`Client::from_env`] reads the client id from.
pub const CLIENT_ID_ENV: &str = "FLEXITI_CLIENT_ID";
/// The environment variable [`Client::from_env`] reads the client secret from.
pub const CLIENT_SECRET_ENV: &str = "FLEXITI_CLIENT_SECRET";
/// The environment variable [`Client::from_env`] reads the environment from: `training`,
/// `mi`, `production`, or a URL (one host for both APIs).
pub const ENVIRONMENT_ENV: &str = "FLEXITI_ENVIRONMENT";

/// How many items a page the streams ask for: our choice (the documents give no maximum).
pub const PAGE_SIZE: u32 = 50;

const REFERENCE_HEADER: &str = "x-reference-id";
const IDEMPOTENCY_HEADER: &str = "x-idempotency-key";
/// Amounts are `number(18,2)`.
const AMOUNT_PRECISION: u32 = 18;
const AMOUNT_SCALE: u32 = 2;

/// Which customer to look up: exactly one key, by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerKey {
    /// The virtual card number (16 characters).
    Vcc(String),
    /// The account number (not the card number).
    Account(Id),
    /// The customer id.
    Customer(Id),
}

/// Filters for [`Client::authorizations`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationFilter {
    /// Only this account.
    pub account_number: Option<Id>,
    /// Only this transaction type.
    pub transaction_type: Option<String>,
    /// Only this status (`opened`, ...).
    pub authorization_status: Option<String>,
    /// Created on or after (`YYYY-MM-DD`).
    pub creation_date_from: Option<String>,
    /// Created on or before (`YYYY-MM-DD`).
    pub creation_date_to: Option<String>,
}

/// A Flexiti client: POS API (merchant and customer scopes) and Online API, with one token
/// cache per scope shared by every clone.
///
/// Every call carries `x-reference-id`: a new GUID per call, or the flow's own when the client
/// comes from [`Client::flow`] or [`Client::with_reference_id`], so that one purchase can be
/// traced across calls. Every money-moving call carries `x-idempotency-key`: generated per
/// call unless set with [`Client::with_idempotency_key`], and reused by the client's own
/// retries, so a retried capture cannot capture twice.
#[derive(Clone)]
pub struct Client {
    merchant: Transport,
    customer: Transport,
    online: Transport,
    client_id: Arc<str>,
    reference_id: Option<TraceValue>,
    idempotency_key: Option<TraceValue>,
    lang: Option<Lang>,
}

/// A fixed reference id or idempotency key, with its header value built once (every call
/// sends it).
#[derive(Clone)]
struct TraceValue {
    text: Arc<str>,
    header: HeaderValue,
}

impl TraceValue {
    fn new(field: &str, text: &str) -> Result<TraceValue> {
        let header = HeaderValue::from_str(text)
            .map_err(|_| Error::invalid_input(field, "not a valid header value"))?;
        Ok(TraceValue {
            text: text.into(),
            header,
        })
    }

    /// A new GUID: for a call without a fixed one.
    fn fresh(field: &str) -> Result<TraceValue> {
        TraceValue::new(field, &guid())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.merchant)
            .field("client_id", &self.client_id)
            .field("reference_id", &self.reference_id())
            .finish_non_exhaustive()
    }
}

type Configure = Arc<dyn Fn(TransportBuilder) -> TransportBuilder + Send + Sync>;

/// Builds a [`Client`].
pub struct ClientBuilder {
    client_id: Option<String>,
    client_secret: Option<String>,
    environment: Environment,
    lang: Option<Lang>,
    configure: Option<Configure>,
    token_cache: Option<Arc<dyn TokenCache>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The OAuth client id (also the `{client_id}` of every path).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The OAuth client secret.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The environment (default [`Environment::Training`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// The language of texts in answers (`lang`), when not the server's default (English).
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Adjusts any transport setting (applied to the POS and the Online transports).
    pub fn configure(
        mut self,
        f: impl Fn(TransportBuilder) -> TransportBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(Arc::new(f));
        self
    }

    /// Keeps the OAuth2 tokens in `cache` instead of one in-memory cache per scope: for
    /// example `api_core_redis::RedisStore::token_cache`, so that every process with this
    /// client id shares one token per scope and one token request at expiry.
    ///
    /// The cache receives the tokens of all three scopes (POS `merchant`, POS `customer`,
    /// Online `merchant`), so it must keep them apart by [`api_core::TokenFetcher::scope`]
    /// as the Redis cache does; an [`api_core::InMemoryTokenCache`] holds a single token
    /// and must not be given here.
    pub fn token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.token_cache = Some(cache);
        self
    }

    /// Builds the client. No token is requested until the first call.
    ///
    /// # Errors
    /// [`Error::Config`] for missing credentials or a bad host.
    pub fn build(self) -> Result<Client> {
        let id = self
            .client_id
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::Config("a Flexiti client id is required".into()))?;
        let secret = self
            .client_secret
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::Config("a Flexiti client secret is required".into()))?;
        let pos = self.environment.pos_host().trim_end_matches('/').to_owned();
        let online = self
            .environment
            .online_host()
            .trim_end_matches('/')
            .to_owned();
        let oauth = |host: &str, path: &str, scope: &str| -> Result<Auth> {
            let mut oauth =
                OAuth2::client_credentials(&format!("{host}{path}"), id.clone(), secret.clone())?
                    .client_auth(ClientAuthMethod::Body)
                    .scopes([scope])
                    // Tokens live 20 minutes and cannot be refreshed once expired: renew early.
                    .refresh_ahead(Duration::from_secs(120));
            if let Some(cache) = &self.token_cache {
                oauth = oauth.cache(cache.clone());
            }
            Ok(Auth::OAuth2(Arc::new(oauth)))
        };
        let builder = |host: &str| {
            let builder = Transport::builder("flexiti", host)
                .user_agent(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))
                .error_decoder(FlexitiErrors);
            match &self.configure {
                Some(f) => f(builder),
                None => builder,
            }
        };
        let merchant = builder(&pos)
            .auth(oauth(
                &pos,
                spec::OAUTH2_TOKEN_PATH,
                spec::OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        let customer = merchant.with_auth(oauth(
            &pos,
            spec::OAUTH2_TOKEN_PATH,
            spec::OAUTH2_CUSTOMER_SCOPE,
        )?)?;
        let online = builder(&online)
            .auth(oauth(
                &online,
                spec::ONLINE_OAUTH2_TOKEN_PATH,
                spec::ONLINE_OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        Ok(Client {
            merchant,
            customer,
            online,
            client_id: id.into(),
            reference_id: None,
            idempotency_key: None,
            lang: self.lang,
        })
    }
}

fn check_amount(field: &str, amount: Decimal) -> Result<()> {
    money::check_amount(field, amount, AMOUNT_PRECISION, AMOUNT_SCALE)?;
    if amount <= Decimal::ZERO {
        return Err(Error::invalid_input(
            field,
            format!("must be above 0; got {amount}"),
        ));
    }
    Ok(())
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// `x-reference-id` and `x-idempotency-key` values: visible ASCII, at most 64 characters.
fn check_token(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {max} visible ASCII characters"),
        ));
    }
    Ok(())
}

impl Client {
    /// Starts a builder (TRAINING by default).
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            client_id: None,
            client_secret: None,
            environment: Environment::Training,
            lang: None,
            configure: None,
            token_cache: None,
        }
    }

    /// A client from `FLEXITI_CLIENT_ID`, `FLEXITI_CLIENT_SECRET` and optionally
    /// `FLEXITI_ENVIRONMENT` (`training`, `mi`, `production`, or a URL).
    ///
    /// # Errors
    /// [`Error::Config`] when a variable is missing or the environment is unknown.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| Error::Config(format!("{name} is not set")))
        };
        let environment = match std::env::var(ENVIRONMENT_ENV).ok().as_deref() {
            None | Some("training") => Environment::Training,
            Some("mi") => Environment::MerchantIntegration,
            Some("production") => Environment::Production,
            Some(url) if url.contains("://") => Environment::custom(url),
            Some(other) => {
                return Err(Error::Config(format!(
                    "{ENVIRONMENT_ENV}={other:?}: expected training, mi, production or a URL"
                )));
            }
        };
        Self::builder()
            .client_id(var(CLIENT_ID_ENV)?)
            .client_secret(var(CLIENT_SECRET_ENV)?)
            .environment(environment)
            .build()
    }

    /// A clone whose calls all carry one new reference id: one purchase, traceable across
    /// calls.
    pub fn flow(&self) -> Client {
        let mut flow = self.clone();
        // A GUID is 32 hex digits, always a valid header value; were it not, each call
        // would carry a new one, as without a flow.
        flow.reference_id = TraceValue::fresh("x-reference-id").ok();
        flow
    }

    /// A clone whose calls all carry `reference_id` (at most 32 visible ASCII characters).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty, too long or non-ASCII id.
    pub fn with_reference_id(&self, reference_id: &str) -> Result<Client> {
        check_token("x-reference-id", reference_id, 32)?;
        let mut flow = self.clone();
        flow.reference_id = Some(TraceValue::new("x-reference-id", reference_id)?);
        Ok(flow)
    }

    /// The reference id this client sends on every call, when fixed.
    pub fn reference_id(&self) -> Option<&str> {
        self.reference_id.as_ref().map(|id| &*id.text)
    }

    /// A clone whose money-moving calls carry `key` as `x-idempotency-key`: repeat a call
    /// with the same key (after a crash, say) and Flexiti answers the first result instead of
    /// acting again.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty, too long or non-ASCII key.
    pub fn with_idempotency_key(&self, key: &str) -> Result<Client> {
        check_token("x-idempotency-key", key, 64)?;
        let mut client = self.clone();
        client.idempotency_key = Some(TraceValue::new("x-idempotency-key", key)?);
        Ok(client)
    }

    /// Adds the reference id, and where the spec names an idempotency-key header (the
    /// money-moving calls) the key (also marking the request as safely repeatable by the
    /// transport, which resends the same key).
    fn traced<T>(&self, operation: Operation<T>) -> Result<Operation<T>> {
        let reference = match &self.reference_id {
            Some(fixed) => fixed.header.clone(),
            None => TraceValue::fresh("x-reference-id")?.header,
        };
        let keyed = operation
            .request()
            .spec()
            .is_some_and(|spec| spec.idempotency_key_header == Some(IDEMPOTENCY_HEADER));
        let key = match (keyed, &self.idempotency_key) {
            (false, _) => None,
            (true, Some(fixed)) => Some(fixed.clone()),
            (true, None) => Some(TraceValue::fresh("x-idempotency-key")?),
        };
        Ok(operation.map_request(|request| {
            let request = request.header(
                api_core::HeaderName::from_static(REFERENCE_HEADER),
                reference,
            );
            match key {
                Some(key) => request
                    .header(
                        api_core::HeaderName::from_static(IDEMPOTENCY_HEADER),
                        key.header,
                    )
                    .idempotency_key(&*key.text),
                None => request,
            }
        }))
    }

    /// The transport whose token the spec asks for: the Online API's, or the POS API's
    /// token of the operation's first scope.
    fn transport_for(&self, operation: Option<&api_core::spec::OperationSpec>) -> &Transport {
        match operation {
            Some(op) if op.credentials.first() == Some(&spec::ONLINE_OAUTH2_SCHEME) => &self.online,
            Some(op) if op.scopes.first() == Some(&spec::OAUTH2_CUSTOMER_SCOPE) => &self.customer,
            _ => &self.merchant,
        }
    }

    // A plain function returning the transport's future, not an `async fn`: an async
    // wrapper keeps its by-value arguments in its state next to the future it awaits
    // (api-core's transport explains the cost).
    fn send<T: serde::de::DeserializeOwned>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + use<'_, T> {
        let transport = self.transport_for(operation.request().spec());
        match self.traced(operation) {
            Ok(operation) => Either::Left(transport.execute(operation)),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    fn id(&self) -> &str {
        &self.client_id
    }

    fn lang(&self) -> Option<&Lang> {
        self.lang.as_ref()
    }
}

/// POS API: customers and accounts.
impl Client {
    /// Finds a customer's accounts by identity (`GET customers/search`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name or a date that is not `YYYY-MM-DD`.
    pub async fn search_customers(
        &self,
        first_name: &str,
        last_name: &str,
        dob: &str,
        postal_code: Option<&str>,
    ) -> Result<Response<Vec<CustomerAccount>>> {
        non_empty("first_name", first_name)?;
        non_empty("last_name", last_name)?;
        check_date("dob", dob)?;
        if let Some(code) = postal_code {
            let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Error::invalid_input(
                    "postal_code",
                    format!("must be a Canadian postal code (A1A1A1); got {code:?}"),
                ));
            }
        }
        let op = operations::search_customers(
            self.id(),
            first_name,
            last_name,
            dob,
            postal_code,
            self.lang(),
        )?;
        self.send(op).await
    }

    /// One customer or account by exactly one key (`GET customers/lookup`).
    pub async fn lookup_customer(&self, key: &CustomerKey) -> Result<Response<CustomerLookup>> {
        let (vcc, account, customer) = match key {
            CustomerKey::Vcc(v) => {
                non_empty("vcc_number", v)?;
                (Some(v.as_str()), None, None)
            }
            CustomerKey::Account(a) => {
                non_empty("account_number", &a.text())?;
                (None, Some(a.text()), None)
            }
            CustomerKey::Customer(c) => {
                non_empty("customer_id", &c.text())?;
                (None, None, Some(c.text()))
            }
        };
        let op = operations::lookup_customer(
            self.id(),
            vcc,
            account.as_deref(),
            customer.as_deref(),
            self.lang(),
        )?;
        self.send(op).await
    }

    /// Decodes a scanned driver's licence (PDF417) to pre-fill an application.
    pub async fn decode_drivers_license(&self, code: &str) -> Result<Response<DriversLicense>> {
        non_empty("code", code)?;
        let body = DriversLicenseRequest {
            code: code.to_owned(),
        };
        self.send(operations::decode_drivers_license(self.id(), &body)?)
            .await
    }

    /// In store: verifies the customer and gets a dynamic PIN (`POST account/{n}/verify`).
    /// Send the same `request_id` again on the purchase that uses the PIN.
    pub async fn verify_account(
        &self,
        account: &Id,
        request: &VerifyRequest,
    ) -> Result<Response<VerifyResponse>> {
        non_empty("account_number", &account.text())?;
        if matches!(request.format, VerifyFormat::SecurityQuestion)
            && (request.security_qid.is_none() || request.security_answer.is_none())
        {
            return Err(Error::invalid_input(
                "security_answer",
                "the security_question format needs security_qid and security_answer",
            ));
        }
        let op = operations::verify_account(self.id(), &account.text(), request)?;
        self.send(op).await
    }

    /// Closes an account (Québec).
    pub async fn close_account(&self, account: &Id) -> Result<Response<NoContent>> {
        non_empty("account_number", &account.text())?;
        let op = operations::close_account(self.id(), &account.text())?;
        self.send(op).await
    }

    /// The plans, terms and payments this account can get for `amount` (v2.5.1).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an amount that is not above 0 or has more than 2 decimals.
    pub async fn calculate_interest(
        &self,
        account: &Id,
        amount: Decimal,
    ) -> Result<Response<CalculateInterest>> {
        non_empty("account_number", &account.text())?;
        check_amount("amount", amount)?;
        let body = CalculateInterestRequest { amount };
        let op = operations::calculate_interest(self.id(), &account.text(), &body, self.lang())?;
        self.send(op).await
    }
}

/// POS API: money. Every call here carries an idempotency key.
impl Client {
    /// Posts a deposit, in-store payment or trade-in (v2.5.1 `transactions`).
    pub async fn post_transaction(
        &self,
        request: &TransactionRequest,
    ) -> Result<Response<TransactionResult>> {
        check_amount("amount", request.amount)?;
        if request.account_number.is_none()
            && request.vcc_number.is_none()
            && request.customer_id.is_none()
        {
            return Err(Error::invalid_input(
                "account_number",
                "one of account_number, vcc_number or customer_id is required",
            ));
        }
        let op = operations::post_transaction(self.id(), request, self.lang())?;
        self.send(op).await
    }

    /// Authorizes a purchase (v2.5.1), capturing it at once when `auto_capture` is set.
    pub async fn authorize(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<Response<Authorization>> {
        non_empty("account_number", &request.account_number.text())?;
        check_amount("amount", request.amount)?;
        if request.financing_option.transaction_type == FinancingType::PromotionalPurchase
            && request.financing_option.plan_id.is_none()
        {
            return Err(Error::invalid_input(
                "financing_option.plan_id",
                "a promotional purchase needs a plan_id (see calculate_interest)",
            ));
        }
        let op = operations::create_authorization(self.id(), request)?;
        self.send(op).await
    }

    /// One authorization.
    pub async fn authorization(&self, id: &Id) -> Result<Response<Authorization>> {
        non_empty("authorization_id", &id.text())?;
        let op = operations::get_authorization(self.id(), &id.text(), self.lang())?;
        self.send(op).await
    }

    /// One page of authorizations.
    pub async fn authorizations_page(
        &self,
        filter: &AuthorizationFilter,
        page_number: u32,
        page_size: u32,
    ) -> Result<Response<Page<Authorization>>> {
        let account = filter.account_number.as_ref().map(Id::text);
        let op = operations::list_authorizations(
            self.id(),
            self.lang(),
            account.as_deref(),
            filter.transaction_type.as_deref(),
            filter.authorization_status.as_deref(),
            filter.creation_date_from.as_deref(),
            filter.creation_date_to.as_deref(),
            Some(page_number),
            Some(page_size),
        )?;
        self.send(op).await
    }

    /// Every authorization matching `filter`, page by page ([`PAGE_SIZE`] a page, from the
    /// first page number the spec gives).
    pub fn authorizations(
        &self,
        filter: AuthorizationFilter,
    ) -> impl Stream<Item = Result<Authorization>> + use<> {
        let client = self.clone();
        paginate(
            PageStyle::PageNumber {
                first: spec::LIST_AUTHORIZATIONS_FIRST_PAGE,
                per_page: PAGE_SIZE,
            },
            move |page| {
                let (client, filter) = (client.clone(), filter.clone());
                async move {
                    let answer = client
                        .authorizations_page(&filter, page.page, page.limit)
                        .await?
                        .into_inner();
                    Ok(Paged::new(answer.items))
                }
            },
        )
    }

    /// Captures all or part of an authorization.
    pub async fn capture(
        &self,
        authorization: &Id,
        request: &CaptureRequest,
    ) -> Result<Response<Capture>> {
        non_empty("authorization_id", &authorization.text())?;
        check_amount("amount", request.amount)?;
        let op = operations::capture_authorization(self.id(), &authorization.text(), request)?;
        self.send(op).await
    }

    /// Releases (voids) what is left of an authorization.
    pub async fn release(
        &self,
        authorization: &Id,
        request: Option<&ReleaseRequest>,
    ) -> Result<Response<Release>> {
        non_empty("authorization_id", &authorization.text())?;
        if let Some(amount) = request.and_then(|r| r.amount) {
            check_amount("amount", amount)?;
        }
        let op = operations::release_authorization(self.id(), &authorization.text(), request)?;
        self.send(op).await
    }

    /// Returns all or part of a capture (promotional purchases, captures at most 100 days
    /// old).
    pub async fn return_capture(
        &self,
        authorization: &Id,
        capture: &Id,
        request: &ReturnRequest,
    ) -> Result<Response<ReturnResult>> {
        non_empty("authorization_id", &authorization.text())?;
        non_empty("capture_id", &capture.text())?;
        check_amount("amount", request.amount)?;
        let op =
            operations::return_capture(self.id(), &authorization.text(), &capture.text(), request)?;
        self.send(op).await
    }

    /// Refunds or credits an account, not tied to a capture. **Unconfirmed:** the body is not
    /// documented; we send `amount` and `reference`.
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn refund(&self, account: &Id, request: &RefundRequest) -> Result<Response<Refund>> {
        non_empty("account_number", &account.text())?;
        check_amount("amount", request.amount)?;
        let op = operations::refund_account(self.id(), &account.text(), request)?;
        self.send(op).await
    }

    /// One page of captures.
    pub async fn captures_page(
        &self,
        filter: &AuthorizationFilter,
        page_number: u32,
        page_size: u32,
    ) -> Result<Response<Page<Capture>>> {
        let account = filter.account_number.as_ref().map(Id::text);
        let op = operations::list_captures(
            self.id(),
            self.lang(),
            account.as_deref(),
            filter.transaction_type.as_deref(),
            filter.authorization_status.as_deref(),
            filter.creation_date_from.as_deref(),
            filter.creation_date_to.as_deref(),
            Some(page_number),
            Some(page_size),
        )?;
        self.send(op).await
    }
}

/// POS API, online channel: the Flexiti-hosted widget (customer scope).
impl Client {
    /// Starts the widget flow; the answer carries the URL to show the customer.
    pub async fn widget_init(&self, request: &WidgetInitRequest) -> Result<Response<WidgetInit>> {
        self.send(operations::widget_init(self.id(), request)?)
            .await
    }

    /// The terms and conditions, as Flexiti serves them.
    pub async fn terms_and_conditions(&self) -> Result<Response<serde_json::Value>> {
        self.send(operations::terms_and_conditions(self.id(), self.lang())?)
            .await
    }

    /// Localised strings for customer screens.
    pub async fn i18n(&self) -> Result<Response<serde_json::Value>> {
        self.send(operations::i18n(self.id(), self.lang())?).await
    }
}

/// The Online API (its own host): hosted apply and buy flows.
impl Client {
    /// Starts a Buy or Apply/Buy flow; redirect the customer to `redirection_url`.
    pub async fn online_init(&self, request: &OnlineInitRequest) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_init(self.id(), request)?)
            .await
    }

    /// Starts an apply-only flow (the path without `/v2`).
    pub async fn online_init_apply_only(
        &self,
        request: &OnlineInitRequest,
    ) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_init_apply_only(self.id(), request)?)
            .await
    }

    /// Starts the "learn more" flow.
    pub async fn online_learn_more(
        &self,
        request: &OnlineInitRequest,
    ) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_learn_more(self.id(), request)?)
            .await
    }

    /// The payment calculator for a price.
    pub async fn payment_calculator(&self, price: Decimal) -> Result<Response<PaymentCalculator>> {
        check_amount("price", price)?;
        let price = price.to_string();
        let op = operations::online_payment_calculator(self.id(), self.id(), &price, self.lang())?;
        self.send(op).await
    }

    /// The result of a hosted flow, by Flexiti's order id.
    pub async fn notification_by_order_id(
        &self,
        order: &Id,
    ) -> Result<Response<OnlineNotification>> {
        non_empty("order_id", &order.text())?;
        self.send(operations::online_notification_by_order_id(
            self.id(),
            &order.text(),
        )?)
        .await
    }

    /// The result of a hosted flow, by your order id.
    pub async fn notification_by_merchant_order_id(
        &self,
        merchant_order: &str,
    ) -> Result<Response<OnlineNotification>> {
        non_empty("merchant_order_id", merchant_order)?;
        self.send(operations::online_notification_by_merchant_order_id(
            self.id(),
            merchant_order,
        )?)
        .await
    }

    /// Whether Flexiti payment is available. **Unconfirmed:** request and answer are not
    /// documented.
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn payment_availability(&self) -> Result<Response<PaymentAvailability>> {
        self.send(operations::online_payment_availability(self.id())?)
            .await
    }
}

fn check_online(request: &OnlineInitRequest) -> Result<()> {
    non_empty("merchant_orderid", &request.merchant_orderid)?;
    non_empty("lang", &request.lang)?;
    if let Some(dob) = &request.dob {
        dob.check("dob")?;
    }
    let amount = Decimal::from_str_exact(request.amount_requested.trim()).map_err(|_| {
        Error::invalid_input(
            "amount_requested",
            format!("{:?} is not an amount", request.amount_requested),
        )
    })?;
    check_amount("amount_requested", amount)
}

fn check_date(field: &str, value: &str) -> Result<()> {
    let bytes = value.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(Error::invalid_input(
            field,
            format!("must be a date as YYYY-MM-DD; got {value:?}"),
        ));
    }
    Ok(())
}
