//! The client: the POS and Online transports (one per OAuth2 token), the reference id and
//! idempotency key every call carries, and the choice of token from each operation's spec.
//! Its policy is the [`api_core::Execute`] impl, through which every generated request
//! builder (`client.capture_authorization(..).send()`) sends.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use api_core::{Error, Execute, ExposeSecret, HeaderValue, Operation, Response, Result, Transport};
use futures_util::future::Either;

use crate::ids::guid;
use crate::*;

mod builder;
pub(crate) mod checks;

pub use builder::ClientBuilder;
use checks::check_token;

/// The environment variable [`Client::from_env`] reads the client id from.
pub const CLIENT_ID_ENV: &str = "FLEXITI_CLIENT_ID";
/// The environment variable [`Client::from_env`] reads the client secret from.
pub const CLIENT_SECRET_ENV: &str = "FLEXITI_CLIENT_SECRET";
/// The environment variable [`Client::from_env`] reads the environment from: `training`,
/// `mi`, `production`, or a URL (one host for both APIs).
pub const ENVIRONMENT_ENV: &str = "FLEXITI_ENVIRONMENT";

/// How many items a page `paginate()` asks for unless `page_size` is set: our choice (the
/// documents give no maximum), the spec's `x-pagination.per-page`.
pub const PAGE_SIZE: u32 = 50;

const REFERENCE_HEADER: &str = "x-reference-id";
const IDEMPOTENCY_HEADER: &str = "x-idempotency-key";

/// Which customer to look up: exactly one key, by construction (see
/// [`Client::lookup_customer_by`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerKey {
    /// The virtual card number (16 characters).
    Vcc(String),
    /// The account number (not the card number).
    Account(Id),
    /// The customer id.
    Customer(Id),
}

/// A Flexiti client: POS API (merchant and customer scopes) and Online API, with one token
/// cache per scope shared by every clone.
///
/// Each operation is a method of the spec's `operationId` taking the required inputs and
/// returning a request builder ([`builders`](crate::builders)): set the optional inputs,
/// then `.send().await`, or `.paginate()` for a list.
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
    /// An Online flow's one customer token ([`Client::online_flow`]): sent on every POS call
    /// the customer scope may make, in place of the cached customer token.
    pinned: Option<Transport>,
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

impl Client {
    /// A clone whose calls all carry one new reference id: one purchase, traceable across
    /// calls.
    pub fn flow(&self) -> Client {
        let mut flow = self.clone();
        // A GUID is 32 hex digits, always a valid header value; were it not, each call
        // would carry a new one, as without a flow.
        flow.reference_id = TraceValue::fresh("x-reference-id").ok();
        flow
    }

    /// The POS API's Online channel as one flow (Widget page: Flexiti "takes the
    /// access_token as a referential value for the entire flow … use this token from start
    /// to finish"): a clone with one new reference id and one customer-scoped token, fetched
    /// now and sent on every call the customer scope may make, `widget_init` through
    /// `create_authorization`. Back-office calls (capture, release, return) keep the merchant
    /// token. The token is not refreshed: finish the flow within its lifetime (20 minutes).
    ///
    /// ```no_run
    /// # async fn run(client: flexiti::Client, widget: flexiti::WidgetInitRequest, purchase: flexiti::AuthorizationRequest) -> flexiti::Result<()> {
    /// let flow = client.online_flow().await?;
    /// let widget = flow.widget_init(&widget).send().await?; // show widget.redirection_url
    /// let authorization = flow.create_authorization(&purchase).send().await?; // same token, same reference id
    /// # let _ = (widget, authorization); Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The token request's: the token endpoint unreachable or refusing the credentials.
    pub async fn online_flow(&self) -> Result<Client> {
        let token =
            self.customer.access_token().await?.ok_or_else(|| {
                Error::Config("the customer transport has no OAuth2 token".into())
            })?;
        let bearer = api_core::Auth::bearer(token.secret().expose_secret().to_owned());
        let mut flow = self.flow();
        flow.pinned = Some(self.customer.with_auth_sharing_limits(bearer)?);
        Ok(flow)
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

    /// [`lookup_customer`](Client::lookup_customer) with exactly one key set: the one
    /// `key` names (the endpoint wants exactly one, which its query parameters cannot say).
    ///
    /// ```no_run
    /// # async fn run(client: flexiti::Client) -> flexiti::Result<()> {
    /// use flexiti::{CustomerKey, Id};
    /// let customer = client
    ///     .lookup_customer_by(&CustomerKey::Account(Id::from("20076677")))
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn lookup_customer_by(&self, key: &CustomerKey) -> builders::LookupCustomer<'_> {
        let lookup = self.lookup_customer();
        match key {
            CustomerKey::Vcc(vcc) => lookup.vcc_number(vcc),
            CustomerKey::Account(account) => lookup.account_number(account),
            CustomerKey::Customer(customer) => lookup.customer_id(customer),
        }
    }

    /// The `{client_id}` of every path (the spec's `x-client-value: client_id`).
    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The `lang` of every call that takes one, unless its builder sets another (the spec's
    /// `x-client-value: lang`).
    pub(crate) fn lang(&self) -> Option<&Lang> {
        self.lang.as_ref()
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
            Some(op) if self.pinned.is_some() && op.allows_scope(spec::OAUTH2_CUSTOMER_SCOPE) => {
                self.pinned.as_ref().unwrap_or(&self.customer)
            }
            Some(op) if op.scopes.first() == Some(&spec::OAUTH2_CUSTOMER_SCOPE) => &self.customer,
            _ => &self.merchant,
        }
    }
}

/// The client's policy, for every generated builder: the token the spec asks for, the
/// reference id, and the idempotency key of money-moving calls.
impl Execute for Client {
    // A plain function returning the transport's future, not an `async fn`: an async
    // wrapper keeps its by-value arguments in its state next to the future it awaits
    // (api-core's transport explains the cost).
    fn execute<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send {
        let transport = self.transport_for(operation.request().spec());
        match self.traced(operation) {
            Ok(operation) => Either::Left(transport.execute(operation)),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }
}
