//! No credential of any provider follows a redirect off the API's origin (another port,
//! another host name for the same address, another scheme), a same-origin redirect is still
//! followed with the credentials, and plain `http://` to a remote host is refused when the
//! client is built. Each provider is driven through its real client, so the headers on the
//! wire are its real credential headers: Netfinity's bearer, FlashStart's `x-api-key`,
//! FL3XX's `X-Api-Client-Id` + `X-Auth-Token` (v2) and `X-Auth-Token` (v1), and Flexiti's
//! OAuth2 bearer and the client secret of its token request.
//!
//! The servers here are raw sockets, not wiremock: they count every connection and keep
//! every byte, so a followed redirect shows up even when it never becomes a parsable HTTP
//! request (a TLS hello sent to a plain-text port).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_core::{Error, ErrorKind, StatusCode, TransportBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 server.
// ---------------------------------------------------------------------------------------------

type Reply = dyn Fn(&str, &str) -> Vec<u8> + Send + Sync;

/// A loopback server that answers one request per connection with `reply(method, path)`
/// and closes it (so a followed redirect always opens a new, counted connection).
struct Origin {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Origin {
    async fn start(reply: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reply: Arc<Reply> = Arc::new(reply);
        let (count, log) = (connections.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (reply, log) = (reply.clone(), log.clone());
                tokio::spawn(async move {
                    let request = read_request(&mut stream).await;
                    let head = String::from_utf8_lossy(&request).into_owned();
                    log.lock().expect("request log").push(request);
                    let mut line = head.lines().next().unwrap_or_default().split(' ');
                    let (method, target) = (line.next().unwrap_or(""), line.next().unwrap_or(""));
                    let path = target.split('?').next().unwrap_or("");
                    let _ = stream.write_all(&reply(method, path)).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            addr,
            connections,
            requests,
            task,
        }
    }

    /// A server that must never be reached: it answers 200 `{}` if it is.
    async fn trap() -> Self {
        Self::start(|_, _| json(200, "{}")).await
    }

    fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Every request read so far, as text (head and body).
    fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .expect("request log")
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect()
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads the head, then `Content-Length` bytes of body; gives up after 2 s of silence (a
/// TLS hello never ends a head).
async fn read_request(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return data;
            }
        }
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => data.extend_from_slice(&buf[..n]),
            _ => return data,
        }
    }
}

fn response(status: u16, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn json(status: u16, body: &str) -> Vec<u8> {
    response(status, "Content-Type: application/json\r\n", body)
}

fn redirect(status: u16, location: &str) -> Vec<u8> {
    response(status, &format!("Location: {location}\r\n"), "")
}

// ---------------------------------------------------------------------------------------------
// Planted credentials and the providers' calls.
// ---------------------------------------------------------------------------------------------

/// A credential no other test (or run) uses: `prefix` and 128 random bits.
fn planted(prefix: &str) -> String {
    let random = || RandomState::new().build_hasher().finish();
    format!("{prefix}{:016x}{:016x}", random(), random())
}

/// One provider call, the credentials it carries and the first request it makes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Provider {
    /// `send_sms`: `Authorization: Bearer`.
    Netfinity,
    /// `auth_token`: `x-api-key`.
    Fsflt,
    /// v2 `airport`: `X-Api-Client-Id` + `X-Auth-Token`.
    Fl3xx,
    /// v1 `airport`: `X-Auth-Token` alone.
    Fl3xxV1,
    /// `lookup_customer`: an OAuth2 bearer from a client-credentials token request.
    Flexiti,
}

const ALL: [Provider; 5] = [
    Provider::Netfinity,
    Provider::Fsflt,
    Provider::Fl3xx,
    Provider::Fl3xxV1,
    Provider::Flexiti,
];

const FLEXITI_CLIENT: &str = "reliability-client";
const FLEXITI_TOKEN_PATH: &str = "/flexiti/pos-api/v2.5/oauth/token";

struct Secrets {
    netfinity: String,
    fsflt: String,
    fl3xx_client: String,
    fl3xx_token: String,
    flexiti_secret: String,
    flexiti_access: String,
}

impl Secrets {
    fn new() -> Self {
        Self {
            netfinity: planted("nf-bearer-"),
            fsflt: planted("fs-key-"),
            fl3xx_client: planted("fx-client-"),
            fl3xx_token: planted("fx-token-"),
            flexiti_secret: planted("fl-secret-"),
            flexiti_access: planted("fl-access-"),
        }
    }

    /// The credentials `provider`'s API request carries.
    fn sent_by(&self, provider: Provider) -> Vec<&str> {
        match provider {
            Provider::Netfinity => vec![&self.netfinity],
            Provider::Fsflt => vec![&self.fsflt],
            Provider::Fl3xx => vec![&self.fl3xx_client, &self.fl3xx_token],
            Provider::Fl3xxV1 => vec![&self.fl3xx_token],
            Provider::Flexiti => vec![&self.flexiti_access],
        }
    }

    fn all(&self) -> [&str; 6] {
        [
            &self.netfinity,
            &self.fsflt,
            &self.fl3xx_client,
            &self.fl3xx_token,
            &self.flexiti_secret,
            &self.flexiti_access,
        ]
    }
}

impl Provider {
    /// The path of the call's API request (after Flexiti's token request).
    fn path(self) -> String {
        match self {
            Provider::Netfinity => "/netfinity/v2/sms/notification/send".into(),
            Provider::Fsflt => "/customerarea/auth/token".into(),
            Provider::Fl3xx => "/api/v2/airports/LOWW".into(),
            Provider::Fl3xxV1 => "/api/external/airports/LOWW".into(),
            Provider::Flexiti => {
                format!("/flexiti/pos-api/v2.5/client-id/{FLEXITI_CLIENT}/customers/lookup")
            }
        }
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Provider::Netfinity => ("netfinity", "send_sms"),
            Provider::Fsflt => ("fsflt", "get_auth_token"),
            Provider::Fl3xx => ("fl3xx", "get_airport"),
            Provider::Fl3xxV1 => ("fl3xx", "v1_get_airport"),
            Provider::Flexiti => ("flexiti", "lookup_customer"),
        }
    }

    fn success_body(self) -> &'static str {
        match self {
            Provider::Netfinity => r#"{"uuid":"u-1","id":null}"#,
            Provider::Fsflt => r#"{"code":200,"content":{"token":"t-1","expiration":"15 min"}}"#,
            Provider::Fl3xx => r#"{"id":"123","name":"Vienna"}"#,
            Provider::Fl3xxV1 => r#"{"id":123,"name":"Vienna"}"#,
            Provider::Flexiti => r#"{"account_number":20076677,"customer_id":"828930"}"#,
        }
    }

    /// Makes the call against `base` (the server's root) with `secrets`.
    async fn call(self, base: &str, secrets: &Secrets) -> Result<(), Error> {
        // Fail in seconds, not a minute, should a redirect ever be followed into a dead end.
        let quick = |t: TransportBuilder| {
            t.request_timeout(Duration::from_secs(5))
                .call_timeout(Duration::from_secs(8))
                .rate_limit(None)
        };
        match self {
            Provider::Netfinity => {
                let client = netfinity::Client::builder()
                    .token(&secrets.netfinity)
                    .base_url(format!("{base}/netfinity/v2"))
                    .configure(quick)
                    .build()?;
                client
                    .send_sms(&netfinity::Sms::new("359881234567", "Your code is 1234"))
                    .await
                    .map(drop)
            }
            Provider::Fsflt => {
                let client = fsflt::Client::builder()
                    .api_key(&secrets.fsflt)
                    .base_url(base)
                    .configure(quick)
                    .build()?;
                let body = fsflt::AuthTokenRequest::for_customer(fsflt::CustomerCode::from(1001));
                client.get_auth_token(&body).send().await.map(drop)
            }
            Provider::Fl3xx | Provider::Fl3xxV1 => {
                let operator = fl3xx::Fl3xx::builder()
                    .client_id(&secrets.fl3xx_client)
                    .base_url(base)
                    .configure(quick)
                    .build()?
                    .for_operator(&secrets.fl3xx_token)?;
                if self == Provider::Fl3xx {
                    operator.get_airport("LOWW").send().await.map(drop)
                } else {
                    operator.v1().v1_get_airport("LOWW").send().await.map(drop)
                }
            }
            Provider::Flexiti => {
                let client = flexiti::Client::builder()
                    .client_id(FLEXITI_CLIENT)
                    .client_secret(&secrets.flexiti_secret)
                    .environment(flexiti::Environment::custom(base))
                    .configure(quick)
                    .build()?;
                client
                    .lookup_customer_by(&flexiti::CustomerKey::Account(flexiti::Id::from(
                        "20076677",
                    )))
                    .send()
                    .await
                    .map(drop)
            }
        }
    }
}

/// The token answer of Flexiti's token endpoint.
fn token_answer(access: &str) -> Vec<u8> {
    json(
        200,
        &format!(r#"{{"access_token":"{access}","token_type":"bearer","expires_in":1200}}"#),
    )
}

/// Where a refused redirect points.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// `http://127.0.0.1:<another port>`: another server.
    Port,
    /// `http://localhost:<same port>`: the same server under another host name (another
    /// origin: a name can resolve anywhere).
    HostName,
    /// `https://127.0.0.1:<same port>`: the same host and port, another scheme.
    Scheme,
}

const TARGETS: [Target; 3] = [Target::Port, Target::HostName, Target::Scheme];

fn location(target: Target, api: &Origin, trap: &Origin) -> String {
    match target {
        Target::Port => format!("http://127.0.0.1:{}/collect", trap.port()),
        Target::HostName => format!("http://localhost:{}/collect", api.port()),
        Target::Scheme => format!("https://127.0.0.1:{}/collect", api.port()),
    }
}

fn assert_refused(err: &Error, provider: Provider, location: &str, status: u16) {
    let Some(api) = err.as_api() else {
        panic!("{provider:?}: expected a refused redirect, got {err:?}");
    };
    let (name, operation) = provider.names();
    assert_eq!(api.kind, ErrorKind::RedirectRefused, "{provider:?}");
    assert_eq!(api.status, StatusCode::from_u16(status).expect("status"));
    assert_eq!((api.provider, api.operation), (name, operation));
    assert_eq!(
        api.message.as_deref(),
        Some(
            format!(
                "refused to follow a redirect to {location}: it leaves the API's origin, and \
                 credentials are never sent to another host or over plain http"
            )
            .as_str()
        ),
        "{provider:?}"
    );
    assert!(!err.is_retryable(), "{provider:?}");
}

/// The API request that went out carried every credential of the provider: the test would see
/// a leak if the redirect were followed.
fn assert_carried(request: &str, provider: Provider, secrets: &Secrets) {
    let want_path = provider.path();
    assert!(
        request.lines().next().is_some_and(|l| l
            .split(' ')
            .nth(1)
            .is_some_and(|t| t.starts_with(&want_path))),
        "{provider:?}: not the API request: {request}"
    );
    for secret in secrets.sent_by(provider) {
        assert!(
            request.contains(secret),
            "{provider:?} did not send its credential: {request}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Redirects of API requests.
// ---------------------------------------------------------------------------------------------

/// Every provider × every cross-origin target: the redirect comes back as the typed
/// `RedirectRefused` error, the other server is never contacted, and the same server (other
/// host name or scheme) sees only the original request.
#[tokio::test]
async fn no_credential_follows_a_redirect_off_the_origin() {
    for provider in ALL {
        for (target, status) in TARGETS.into_iter().zip([307, 302, 308]) {
            let secrets = Secrets::new();
            let trap = Origin::trap().await;
            // The API server learns its own port only once bound: the location is read at
            // reply time from a shared slot.
            let slot: Arc<Mutex<String>> = Arc::default();
            let (api_path, access) = (provider.path(), secrets.flexiti_access.clone());
            let to = slot.clone();
            let api = Origin::start(move |_, path| {
                if path == FLEXITI_TOKEN_PATH {
                    token_answer(&access)
                } else if path == api_path {
                    redirect(status, &to.lock().expect("slot"))
                } else {
                    json(404, "{}")
                }
            })
            .await;
            let target_url = location(target, &api, &trap);
            *slot.lock().expect("slot") = target_url.clone();

            let err = provider
                .call(&api.uri(), &secrets)
                .await
                .expect_err("a refused redirect");

            assert_refused(&err, provider, &target_url, status);
            assert_eq!(
                trap.connections(),
                0,
                "{provider:?} {target:?}: trap reached"
            );
            let expected = if provider == Provider::Flexiti { 2 } else { 1 };
            assert_eq!(
                api.connections(),
                expected,
                "{provider:?} {target:?}: the redirect was followed"
            );
            let requests = api.requests();
            let sent = requests.last().expect("the API request");
            assert_carried(sent, provider, &secrets);
            assert!(
                sent.contains(&format!("host: {}\r\n", api.addr))
                    || sent.contains(&format!("Host: {}\r\n", api.addr)),
                "{sent}"
            );
            for secret in secrets.all() {
                assert!(!err.to_string().contains(secret), "{provider:?}: {err}");
                assert!(
                    !format!("{err:?}").contains(secret),
                    "{provider:?}: {err:?}"
                );
            }
        }
    }
}

/// A redirect within the origin (absolute or relative `Location`) is followed, and the
/// credentials go along, since they go to the same server. Netfinity's call sends an SMS
/// without an idempotency key: a 307 would send it again, so it is refused (api-core's
/// `hardening` tests); its answer is fetched through a 303, which repeats nothing.
#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_the_credentials() {
    for provider in ALL {
        let status = if matches!(provider, Provider::Netfinity) {
            303
        } else {
            307
        };
        for absolute in [true, false] {
            let secrets = Secrets::new();
            let slot: Arc<Mutex<String>> = Arc::default();
            let (api_path, access) = (provider.path(), secrets.flexiti_access.clone());
            let moved = format!("{api_path}-moved");
            let to = slot.clone();
            let api = Origin::start(move |_, path| {
                if path == FLEXITI_TOKEN_PATH {
                    token_answer(&access)
                } else if path == api_path {
                    redirect(status, &to.lock().expect("slot"))
                } else if path == moved {
                    json(200, provider.success_body())
                } else {
                    json(404, "{}")
                }
            })
            .await;
            let moved = format!("{}-moved", provider.path());
            *slot.lock().expect("slot") = if absolute {
                format!("{}{moved}", api.uri())
            } else {
                moved.clone()
            };

            provider
                .call(&api.uri(), &secrets)
                .await
                .unwrap_or_else(|e| panic!("{provider:?}: {e:?}"));

            let requests = api.requests();
            let api_requests: Vec<&String> = requests
                .iter()
                .filter(|r| !r.contains(FLEXITI_TOKEN_PATH))
                .collect();
            assert_eq!(api_requests.len(), 2, "{provider:?}: {requests:?}");
            assert_carried(api_requests[0], provider, &secrets);
            let second = api_requests[1];
            assert!(
                second
                    .lines()
                    .next()
                    .is_some_and(|l| l.split(' ').nth(1).is_some_and(|t| t.starts_with(&moved))),
                "{provider:?}: {second}"
            );
            for secret in secrets.sent_by(provider) {
                assert!(second.contains(secret), "{provider:?}: {second}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Flexiti's token request: the client secret is in its body.
// ---------------------------------------------------------------------------------------------

/// The token endpoint redirecting off the origin: the client id and secret (in the form body,
/// which a 307/308 would re-send) never reach the other server, and the call fails with the
/// typed authentication error.
#[tokio::test]
async fn the_token_request_does_not_follow_a_redirect_off_the_origin() {
    for (target, status) in TARGETS.into_iter().zip([307, 308, 307]) {
        let secrets = Secrets::new();
        let trap = Origin::trap().await;
        let slot: Arc<Mutex<String>> = Arc::default();
        let to = slot.clone();
        let api = Origin::start(move |_, path| {
            if path == FLEXITI_TOKEN_PATH {
                redirect(status, &to.lock().expect("slot"))
            } else {
                json(404, "{}")
            }
        })
        .await;
        let target_url = location(target, &api, &trap);
        *slot.lock().expect("slot") = target_url;

        let err = Provider::Flexiti
            .call(&api.uri(), &secrets)
            .await
            .expect_err("no token");

        let Error::Auth(message) = &err else {
            panic!("{target:?}: expected an auth error, got {err:?}");
        };
        assert_eq!(message, &format!("token endpoint answered HTTP {status}"));
        assert_eq!(trap.connections(), 0, "{target:?}: trap reached");
        assert_eq!(
            api.connections(),
            1,
            "{target:?}: the redirect was followed"
        );
        let sent = &api.requests()[0];
        assert!(
            sent.starts_with(&format!("POST {FLEXITI_TOKEN_PATH} HTTP/1.1\r\n")),
            "{sent}"
        );
        assert!(sent.contains(&secrets.flexiti_secret), "{sent}");
        assert!(!err.to_string().contains(&secrets.flexiti_secret));
    }
}

/// An API request redirected back to the token endpoint of another server is refused too:
/// the bearer never reaches it.
#[tokio::test]
async fn a_bearer_is_not_replayed_to_another_token_endpoint() {
    let secrets = Secrets::new();
    let trap = Origin::trap().await;
    let target = format!("{}{FLEXITI_TOKEN_PATH}", trap.uri());
    let (api_path, access, to) = (
        Provider::Flexiti.path(),
        secrets.flexiti_access.clone(),
        target.clone(),
    );
    let api = Origin::start(move |_, path| {
        if path == FLEXITI_TOKEN_PATH {
            token_answer(&access)
        } else if path == api_path {
            redirect(308, &to)
        } else {
            json(404, "{}")
        }
    })
    .await;

    let err = Provider::Flexiti
        .call(&api.uri(), &secrets)
        .await
        .expect_err("refused");

    assert_refused(&err, Provider::Flexiti, &target, 308);
    assert_eq!(trap.connections(), 0);
    assert_eq!(api.connections(), 2);
}

// ---------------------------------------------------------------------------------------------
// Plain http:// to a remote host.
// ---------------------------------------------------------------------------------------------

fn assert_insecure(result: Result<(), Error>, host: &str, what: &str) {
    match result {
        Err(Error::Config(message)) => assert!(
            message.starts_with(&format!("refusing plain http:// to `{host}`")),
            "{what}: {message}"
        ),
        other => panic!("{what}: expected a config error, got {other:?}"),
    }
}

/// Building any provider's client for a plain `http://` base URL to a host that is not
/// loopback is a typed configuration error. Nothing is contacted: the hosts below do not
/// resolve here, and a build never connects.
#[test]
fn plain_http_to_a_remote_host_is_refused_for_every_provider() {
    let secrets = Secrets::new();
    for (host, base) in [
        ("api.example.com", "http://api.example.com"),
        ("10.1.2.3", "http://10.1.2.3:8080/base"),
        ("[fd00::1]", "http://[fd00::1]/"),
    ] {
        assert_insecure(
            netfinity::Client::builder()
                .token(&secrets.netfinity)
                .base_url(base)
                .build()
                .map(drop),
            host,
            "netfinity",
        );
        assert_insecure(
            fsflt::Client::builder()
                .api_key(&secrets.fsflt)
                .base_url(base)
                .build()
                .map(drop),
            host,
            "fsflt",
        );
        assert_insecure(
            fl3xx::Fl3xx::builder()
                .client_id(&secrets.fl3xx_client)
                .base_url(base)
                .build()
                .map(drop),
            host,
            "fl3xx",
        );
        // Flexiti: either host in plain http is refused (the POS host carries the token
        // request too).
        for environment in [
            flexiti::Environment::custom(base),
            flexiti::Environment::Custom {
                pos: base.into(),
                online: "https://online.example.com".into(),
            },
            flexiti::Environment::Custom {
                pos: "https://pos.example.com".into(),
                online: base.into(),
            },
        ] {
            assert_insecure(
                flexiti::Client::builder()
                    .client_id(FLEXITI_CLIENT)
                    .client_secret(&secrets.flexiti_secret)
                    .environment(environment.clone())
                    .build()
                    .map(drop),
                host,
                &format!("flexiti {environment:?}"),
            );
        }
    }
}

/// The same builders accept https, loopback http, and remote http when explicitly allowed —
/// so the refusal above is about the scheme and host, nothing else.
#[test]
fn https_loopback_and_explicitly_allowed_http_build() {
    let secrets = Secrets::new();
    for (base, allow) in [
        ("https://api.example.com", false),
        ("http://127.0.0.1:9", false),
        ("http://localhost:9", false),
        ("http://[::1]:9", false),
        ("http://api.example.com", true),
    ] {
        let allow_http = move |t: TransportBuilder| t.allow_insecure_http(allow);
        netfinity::Client::builder()
            .token(&secrets.netfinity)
            .base_url(base)
            .configure(allow_http)
            .build()
            .unwrap_or_else(|e| panic!("netfinity {base}: {e}"));
        fsflt::Client::builder()
            .api_key(&secrets.fsflt)
            .base_url(base)
            .configure(allow_http)
            .build()
            .unwrap_or_else(|e| panic!("fsflt {base}: {e}"));
        fl3xx::Fl3xx::builder()
            .client_id(&secrets.fl3xx_client)
            .base_url(base)
            .configure(allow_http)
            .build()
            .unwrap_or_else(|e| panic!("fl3xx {base}: {e}"));
        flexiti::Client::builder()
            .client_id(FLEXITI_CLIENT)
            .client_secret(&secrets.flexiti_secret)
            .environment(flexiti::Environment::custom(base))
            .configure(allow_http)
            .build()
            .unwrap_or_else(|e| panic!("flexiti {base}: {e}"));
    }
}
