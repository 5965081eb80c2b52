//! `peer-bench`: the peer column of `cargo xtask bench --peer`. Not a module of xtask: this
//! file is written out to `<target>/bench/peer/runner/src/main.rs` and built there, against
//! the clients progenitor generated from our specs (one cargo feature each).
//!
//! ```text
//! peer-bench check URL                      one call (and page) through every peer client
//! peer-bench callgrind URL PROVIDER SIDE N  N requests (SIDE client), page fetches (page) or
//!                                           page decodes (model) inside `bench_measured_batch`
//! ```
//!
//! Each client is configured as a user of progenitor would: `Client::new_with_client` with a
//! `reqwest::Client` that carries the provider's fixed headers as defaults, built the way the
//! hand-written baseline of `api-bench` builds its own (user agent, `Accept`, credentials,
//! connect timeout), against the same `api-bench serve`.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};

fn main() -> ExitCode {
    // As api-bench: reqwest without a TLS provider of its own, rustls on ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["check", url] => check(url),
        ["callgrind", url, provider, side, n] => callgrind(url, provider, side, n),
        _ => Err(format!("usage: see the file's docs; got {args:?}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("peer-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

type Work<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

/// The only code whose instructions callgrind counts, as in `api-bench`.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn bench_measured_batch(
    runtime: &tokio::runtime::Runtime,
    work: Work<'_>,
) -> Result<(), String> {
    runtime.block_on(work)
}

/// The reqwest client the baseline of `api-bench` builds for a provider.
fn http(provider: &str, extra: &[(&str, &str)]) -> Result<reqwest::Client, String> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in extra {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let mut value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    reqwest::Client::builder()
        .user_agent(format!("{provider}/@VERSION@"))
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

/// One provider's peer client and what the bench does with it.
enum Peer {
    #[cfg(feature = "netfinity")]
    Netfinity(netfinity::Peer),
    #[cfg(feature = "fl3xx")]
    Fl3xx(fl3xx::Peer),
    #[cfg(feature = "flexiti")]
    Flexiti(flexiti::Peer),
    #[cfg(feature = "fsflt")]
    Fsflt(fsflt::Peer),
}

/// The providers built into this runner.
const BUILT: &[&str] = &[
    #[cfg(feature = "netfinity")]
    "netfinity",
    #[cfg(feature = "fsflt")]
    "fsflt",
    #[cfg(feature = "fl3xx")]
    "fl3xx",
    #[cfg(feature = "flexiti")]
    "flexiti",
];

impl Peer {
    async fn new(provider: &str, url: &str) -> Result<Peer, String> {
        match provider {
            #[cfg(feature = "netfinity")]
            "netfinity" => Ok(Peer::Netfinity(netfinity::Peer::new(url)?)),
            #[cfg(feature = "fl3xx")]
            "fl3xx" => Ok(Peer::Fl3xx(fl3xx::Peer::new(url)?)),
            #[cfg(feature = "flexiti")]
            "flexiti" => Ok(Peer::Flexiti(flexiti::Peer::new(url).await?)),
            #[cfg(feature = "fsflt")]
            "fsflt" => Ok(Peer::Fsflt(fsflt::Peer::new(url)?)),
            other => Err(format!("no peer client for {other} (url {url})")),
        }
    }

    /// The operation the bench measures, its answer checked.
    async fn call(&self) -> Result<(), String> {
        match self {
            #[cfg(feature = "netfinity")]
            Peer::Netfinity(peer) => peer.call().await,
            #[cfg(feature = "fl3xx")]
            Peer::Fl3xx(peer) => peer.call().await,
            #[cfg(feature = "flexiti")]
            Peer::Flexiti(peer) => peer.call().await,
            #[cfg(feature = "fsflt")]
            Peer::Fsflt(peer) => peer.call().await,
        }
    }

    /// The list page, fetched and decoded; answers the item count (`None`: no list).
    async fn page(&self) -> Option<Result<usize, String>> {
        match self {
            #[cfg(feature = "netfinity")]
            Peer::Netfinity(_) => None,
            #[cfg(feature = "fl3xx")]
            Peer::Fl3xx(peer) => Some(peer.page().await),
            #[cfg(feature = "flexiti")]
            Peer::Flexiti(peer) => Some(peer.page().await),
            #[cfg(feature = "fsflt")]
            Peer::Fsflt(peer) => Some(peer.page().await),
        }
    }
}

/// The list's path on the bench server and its decoder into the peer's type.
fn list(provider: &str) -> Option<(&'static str, fn(&[u8]) -> Result<usize, String>)> {
    match provider {
        #[cfg(feature = "fl3xx")]
        "fl3xx" => Some((fl3xx::PAGE_PATH, fl3xx::decode)),
        #[cfg(feature = "flexiti")]
        "flexiti" => Some((flexiti::PAGE_PATH, flexiti::decode)),
        #[cfg(feature = "fsflt")]
        "fsflt" => Some((fsflt::PAGE_PATH, fsflt::decode)),
        _ => None,
    }
}

/// One call and one page through every peer client: the generated code talks to the bench
/// server and decodes its answers.
fn check(url: &str) -> Result<(), String> {
    let runtime = runtime()?;
    runtime.block_on(async {
        for provider in BUILT {
            let peer = Peer::new(provider, url).await?;
            peer.call().await?;
            let items = match peer.page().await {
                Some(items) => format!(", a page of {} items", items?),
                None => String::new(),
            };
            println!("peer {provider}: the call answered{items}");
        }
        Ok(())
    })
}

fn callgrind(url: &str, provider: &str, side: &str, n: &str) -> Result<(), String> {
    let n: usize = n.parse().map_err(|_| "callgrind: N is a number")?;
    let runtime = runtime()?;
    if side == "model" {
        let (path, decode) = list(provider).ok_or("callgrind: this provider has no list")?;
        // The page as the server sends it, fetched outside the measured batch.
        let page = runtime.block_on(async {
            let response = reqwest::get(format!("{url}{path}"))
                .await
                .map_err(|e| e.to_string())?;
            response.bytes().await.map_err(|e| e.to_string())
        })?;
        decode(&page)?;
        return bench_measured_batch(
            &runtime,
            Box::pin(async move {
                for _ in 0..n {
                    decode(&page)?;
                }
                Ok(())
            }),
        );
    }
    let peer = runtime.block_on(async {
        let peer = Peer::new(provider, url).await?;
        for _ in 0..10 {
            peer.call().await?;
        }
        if let Some(page) = peer.page().await {
            page?;
        }
        Ok::<_, String>(peer)
    })?;
    let peer = &peer;
    let work: Work<'_> = match side {
        "client" => Box::pin(async move {
            for _ in 0..n {
                peer.call().await?;
            }
            Ok(())
        }),
        "page" => Box::pin(async move {
            for _ in 0..n {
                peer.page()
                    .await
                    .ok_or("callgrind: this provider has no list")??;
            }
            Ok(())
        }),
        other => return Err(format!("callgrind: unknown side {other}")),
    };
    bench_measured_batch(&runtime, work)
}

/// Netfinity `send_sms`: POST, JSON body, bearer token.
#[cfg(feature = "netfinity")]
mod netfinity {
    use peer_netfinity::{Client, types};

    pub struct Peer(Client);

    impl Peer {
        pub fn new(url: &str) -> Result<Peer, String> {
            let http = super::http("netfinity", &[("authorization", "Bearer nf-bench-token")])?;
            Ok(Peer(Client::new_with_client(&format!("{url}/v2"), http)))
        }

        pub async fn call(&self) -> Result<(), String> {
            // The body is built for every call, as the other sides build theirs (the
            // generated newtypes check the number's pattern and the text's length here).
            let sms = types::Sms {
                msisdn: "359888123456".parse().map_err(|e| format!("{e}"))?,
                text: "Hello from the bench".parse().map_err(|e| format!("{e}"))?,
                id: Some("bench1".parse().map_err(|e| format!("{e}"))?),
            };
            let accepted = self
                .0
                .send_sms(&sms)
                .await
                .map_err(|e| format!("netfinity: {e}"))?
                .into_inner();
            accepted
                .uuid
                .is_some()
                .then_some(())
                .ok_or_else(|| "netfinity: unexpected answer".into())
        }
    }
}

/// FlashStart `get_auth_token` (GET with a JSON body, the key header) and
/// `available_licenses`; each answer in its `{code, content}` envelope, as the spec describes
/// it.
#[cfg(feature = "fsflt")]
mod fsflt {
    use peer_fsflt::{Client, types};

    pub const PAGE_PATH: &str = "/customerarea/licenses/available";
    const CUSTOMER: u64 = 12345;

    pub struct Peer(Client);

    impl Peer {
        pub fn new(url: &str) -> Result<Peer, String> {
            let http = super::http("fsflt", &[("x-api-key", "fsflt-bench-key")])?;
            Ok(Peer(Client::new_with_client(url, http)))
        }

        pub async fn call(&self) -> Result<(), String> {
            // Built for every call, as the other sides build theirs (the generated newtype
            // checks the code's pattern here).
            let body = types::AuthTokenRequest {
                customer_code: CUSTOMER.to_string().parse().map_err(|e| format!("{e}"))?,
            };
            let answer = self
                .0
                .get_auth_token(&body)
                .await
                .map_err(|e| format!("fsflt: {e}"))?
                .into_inner();
            (answer.code == 200 && answer.content.expiration == "15 min")
                .then_some(())
                .ok_or_else(|| "fsflt: unexpected answer".into())
        }

        pub async fn page(&self) -> Result<usize, String> {
            let body = types::AvailableLicensesRequest {
                currency_code: None,
                customer_code: types::CustomerCode(CUSTOMER.into()),
                lang: None,
                license_code: None,
                license_duration: None,
                version_code: None,
            };
            let page = self
                .0
                .available_licenses(&body)
                .await
                .map_err(|e| format!("fsflt: {e}"))?
                .into_inner();
            if page.code != 200 {
                return Err("fsflt: envelope code is not 200".into());
            }
            Ok(page.content.len())
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<usize, String> {
        serde_json::from_slice::<types::AvailableLicensesResponse>(bytes)
            .map(|page| page.content.len())
            .map_err(|e| e.to_string())
    }
}

/// FL3XX `get_airport` (GET, two key headers) and `list_flights`.
#[cfg(feature = "fl3xx")]
mod fl3xx {
    use peer_fl3xx::{Client, types};

    pub const PAGE_PATH: &str = "/api/v2/flights";
    const FILTER: &str =
        "blocksOffEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z,2024-01-16T00:00:00.000Z";

    pub struct Peer(Client);

    impl Peer {
        pub fn new(url: &str) -> Result<Peer, String> {
            let http = super::http(
                "fl3xx",
                &[
                    ("x-api-client-id", "fl3xx-partner"),
                    ("x-auth-token", "fl3xx-operator-token"),
                ],
            )?;
            Ok(Peer(Client::new_with_client(url, http)))
        }

        pub async fn call(&self) -> Result<(), String> {
            let airport = self
                .0
                .get_airport("LOWW")
                .await
                .map_err(|e| format!("fl3xx: {e}"))?
                .into_inner();
            (airport.icao.as_deref() == Some("LOWW"))
                .then_some(())
                .ok_or_else(|| "fl3xx: unexpected answer".into())
        }

        pub async fn page(&self) -> Result<usize, String> {
            let page = self
                .0
                .list_flights(FILTER, Some(50), Some(0))
                .await
                .map_err(|e| format!("fl3xx: {e}"))?
                .into_inner();
            Ok(len(&page))
        }
    }

    fn len(page: &types::FlightList) -> usize {
        match page {
            types::FlightList::Object { data } => data.len(),
            types::FlightList::Array(data) => data.len(),
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<usize, String> {
        serde_json::from_slice::<types::FlightList>(bytes)
            .map(|page| len(&page))
            .map_err(|e| e.to_string())
    }
}

/// Flexiti `get_authorization` (GET, OAuth2 bearer, reference id) and `list_authorizations`.
/// The token is fetched once with reqwest, as the baseline does (progenitor makes no token
/// cache), and sent as a default header with the fixed reference id.
#[cfg(feature = "flexiti")]
mod flexiti {
    use peer_flexiti::{Client, types};

    pub const PAGE_PATH: &str = "/flexiti/pos-api/v2.5.1/client-id/bench-client/authorizations";
    const TOKEN_PATH: &str = "/flexiti/pos-api/v2.5/oauth/token";

    pub struct Peer(Client);

    impl Peer {
        pub async fn new(url: &str) -> Result<Peer, String> {
            let form = "grant_type=client_credentials&scope=merchant&client_id=bench-client&client_secret=bench-secret";
            let answer: serde_json::Value = reqwest::Client::new()
                .post(format!("{url}{TOKEN_PATH}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let token = answer["access_token"]
                .as_str()
                .ok_or("flexiti: no access_token")?;
            let bearer = format!("Bearer {token}");
            let http = super::http(
                "flexiti",
                &[
                    ("authorization", &bearer),
                    ("x-reference-id", "bench-reference-0001"),
                ],
            )?;
            Ok(Peer(Client::new_with_client(url, http)))
        }

        pub async fn call(&self) -> Result<(), String> {
            let authorization = self
                .0
                .get_authorization("bench-client", "A-1001", None)
                .await
                .map_err(|e| format!("flexiti: {e}"))?
                .into_inner();
            (authorization.term == Some(12))
                .then_some(())
                .ok_or_else(|| "flexiti: unexpected answer".into())
        }

        pub async fn page(&self) -> Result<usize, String> {
            let page = self
                .0
                .list_authorizations(
                    "bench-client",
                    None,
                    None,
                    None,
                    None,
                    None,
                    std::num::NonZeroU32::new(1),
                    std::num::NonZeroU32::new(50),
                    None,
                )
                .await
                .map_err(|e| format!("flexiti: {e}"))?
                .into_inner();
            Ok(len(&page))
        }
    }

    fn len(page: &types::AuthorizationPage) -> usize {
        match page {
            types::AuthorizationPage::Array(items) => items.len(),
            types::AuthorizationPage::Object {
                data,
                items,
                content,
                results,
                authorizations,
                captures,
            } => [data, items, content, results, authorizations, captures]
                .iter()
                .map(|list| list.len())
                .sum(),
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<usize, String> {
        serde_json::from_slice::<types::AuthorizationPage>(bytes)
            .map(|page| len(&page))
            .map_err(|e| e.to_string())
    }
}
