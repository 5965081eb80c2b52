//! The limiter and the token cache against a real redis-server, in one process: shared
//! schedules and pauses, key names, and what happens when Redis goes away and comes back.

mod support;

use std::error::Error as _;
use std::time::{Duration, Instant};

use api_core::{
    Auth, CredentialScope, Error, RateLimit, RateLimitInfo, RateLimiter, TransportErrorKind,
};
use api_core_redis::{OnUnavailable, RedisRateLimiter, RedisStore, StoreUnavailable};
use api_sandbox::{Sandbox, SandboxConfig};
use support::RedisServer;

const TOKEN: &str = "sandbox-netfinity-token";

fn scope(credential: &str) -> CredentialScope {
    CredentialScope::new("netfinity", &Auth::bearer(credential))
}

/// Two stores are two connections: as good as two processes for the schedule.
fn two_limiters(redis: &RedisServer, pace: RateLimit) -> (RedisRateLimiter, RedisRateLimiter) {
    let a = RedisStore::open(redis.url()).expect("store");
    let b = RedisStore::open(redis.url()).expect("store");
    (
        RedisRateLimiter::for_scope(&a, &scope("t"), Some(pace)),
        RedisRateLimiter::for_scope(&b, &scope("t"), Some(pace)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_holders_share_one_schedule_and_other_credentials_do_not() {
    let redis = RedisServer::start();
    let (a, b) = two_limiters(&redis, RateLimit::per_second(20));
    let started = Instant::now();
    for _ in 0..5 {
        a.acquire(Duration::from_secs(2)).await.expect("a");
        b.acquire(Duration::from_secs(2)).await.expect("b");
    }
    // Ten slots at 20/s, burst one: nine gaps of 50 ms, whoever holds them.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(440), "{elapsed:?}");
    // The next slot is 50 ms away: refused at once when no wait is allowed.
    let err = a.acquire(Duration::ZERO).await.expect_err("no slot free");
    assert!(
        matches!(err, Error::RateLimited { retry_after } if retry_after <= Duration::from_millis(50))
    );

    // Another token has a budget of its own.
    let store = RedisStore::open(redis.url()).expect("store");
    let other =
        RedisRateLimiter::for_scope(&store, &scope("other"), Some(RateLimit::per_second(20)));
    other.acquire(Duration::ZERO).await.expect("own budget");
    assert_ne!(other.key(), a.key());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_or_an_exhausted_announcement_reaches_every_holder() {
    let redis = RedisServer::start();
    let (a, b) = two_limiters(&redis, RateLimit::per_second(100));
    a.pause(Duration::from_secs(1)).await;
    let err = b
        .acquire(Duration::from_millis(100))
        .await
        .expect_err("paused");
    assert!(
        matches!(err, Error::RateLimited { retry_after } if retry_after > Duration::from_millis(800)),
        "{err:?}"
    );
    // A shorter pause never shortens a longer one.
    b.pause(Duration::from_millis(1)).await;
    let started = Instant::now();
    b.acquire(Duration::from_secs(2))
        .await
        .expect("after the pause");
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );

    // Remaining budget announced: nothing changes.
    let mut info = RateLimitInfo {
        remaining: Some(3),
        reset: Some(2),
        ..RateLimitInfo::default()
    };
    a.observe(&info).await;
    b.acquire(Duration::from_millis(50))
        .await
        .expect("not exhausted");
    // None left until the reset in 2 s: every holder waits for it.
    info.remaining = Some(0);
    a.observe(&info).await;
    let err = b
        .acquire(Duration::from_millis(100))
        .await
        .expect_err("exhausted");
    assert!(
        matches!(err, Error::RateLimited { retry_after } if retry_after > Duration::from_millis(1800)),
        "{err:?}"
    );
}

/// Issue #16: one answer with a `Retry-After` of 31 years and an `X-RateLimit-Reset` three
/// thousand years ahead must not stop every worker beyond the transport's ceiling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_retry_after_or_reset_pauses_every_worker_only_up_to_the_ceiling() {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[derive(Debug, serde::Deserialize)]
    struct Item {
        id: String,
    }

    let redis = RedisServer::start();
    let server = MockServer::start().await;
    Mock::given(path("/items/1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "999999999")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", "99999999999"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/items/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "a1"})))
        .mount(&server)
        .await;
    let ceiling = Duration::from_secs(1);
    // Two workers: two stores (two connections), one credential, one shared budget.
    let worker = || {
        let store = RedisStore::open(redis.url()).expect("store");
        api_core::Transport::builder("netfinity", &server.uri())
            .auth(Auth::bearer("t"))
            .rate_limiter(store.rate_limiter())
            .retry(api_core::RetryConfig::disabled())
            .max_server_pause(ceiling)
            .build()
            .expect("transport")
    };
    let (a, b) = (worker(), worker());
    let get = || api_core::Request::new(api_core::Method::GET, "/items/1");
    let error = a.send::<Item>(get()).await.expect_err("429");
    assert_eq!(error.retry_after(), Some(ceiling));

    let started = Instant::now();
    let item = b.send::<Item>(get()).await.expect("after the ceiling");
    assert_eq!(item.into_inner().id, "a1");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

async fn netfinity(sandbox: &Sandbox, store: &RedisStore) -> netfinity::Client {
    let limiter = store.rate_limiter();
    netfinity::Client::builder()
        .token(TOKEN)
        .base_url(sandbox.netfinity_url())
        .configure(move |t| t.rate_limiter(limiter))
        .build()
        .expect("client")
}

fn sms(id: &str) -> netfinity::Sms {
    netfinity::Sms::new("359881234567", "hello").with_id(id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_is_keyed_by_provider_and_a_hash_of_the_token() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::builder(redis.url())
        .key_prefix("test-app")
        .build()
        .expect("store");
    let client = netfinity(&sandbox, &store).await;
    client.send_sms(&sms("one")).await.expect("sent");
    let fingerprint = Auth::bearer(TOKEN).fingerprint();
    let keys = redis.command(&["KEYS", "*"]);
    assert!(
        keys.contains(&format!("test-app:ratelimit:netfinity:{fingerprint}")),
        "{keys}"
    );
    assert!(!keys.contains(TOKEN), "{keys}");
    let state = redis.command(&[
        "HGETALL",
        &format!("test-app:ratelimit:netfinity:{fingerprint}"),
    ]);
    assert!(state.contains("tat") && !state.contains(TOKEN), "{state}");
    // The provider's pace (60 a minute) was bound in: the next slot is a second away.
    let limiter = RedisRateLimiter::for_scope(
        &store,
        &CredentialScope::new("netfinity", &Auth::bearer(TOKEN)),
        Some(RateLimit::per_minute(60)),
    );
    let err = limiter.acquire(Duration::ZERO).await.expect_err("shared");
    assert!(
        matches!(err, Error::RateLimited { retry_after } if retry_after > Duration::from_millis(900))
    );
    sandbox.shutdown().await;
}

fn is_store_unavailable(error: &Error) -> bool {
    matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Connect)
        && error
            .source()
            .and_then(|s| s.downcast_ref::<StoreUnavailable>())
            .is_some()
}

/// Sends until one succeeds (the connection comes back within a few attempts).
async fn send_until_ok(client: &netfinity::Client, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client.send_sms(&sms(id)).await {
            Ok(_) => return,
            Err(e) if Instant::now() < deadline && is_store_unavailable(&e) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("not recovered: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_closed_refuses_to_send_while_redis_is_down_and_recovers() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::open(redis.url()).expect("store");
    let client = netfinity(&sandbox, &store).await;
    client.send_sms(&sms("before")).await.expect("sent");

    redis.kill();
    for id in ["down1", "down2"] {
        let err = client.send_sms(&sms(id)).await.expect_err("fail closed");
        assert!(is_store_unavailable(&err), "{err:?}");
    }
    // Nothing reached the provider while the budget could not be checked.
    assert_eq!(sandbox.netfinity().requests().len(), 1);

    redis.restart();
    send_until_ok(&client, "after").await;
    let accepted: Vec<_> = sandbox
        .netfinity()
        .accepted()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(
        accepted,
        [Some("before".to_owned()), Some("after".to_owned())]
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_fallback_keeps_sending_while_redis_is_down_and_returns_to_redis() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::builder(redis.url())
        .on_unavailable(OnUnavailable::InMemory)
        .build()
        .expect("store");
    let limiter = store.rate_limiter();
    let client = netfinity::Client::builder()
        .token(TOKEN)
        .base_url(sandbox.netfinity_url())
        .rate_limit(RateLimit::per_second(50))
        .configure(move |t| t.rate_limiter(limiter))
        .build()
        .expect("client");
    client.send_sms(&sms("before")).await.expect("sent");

    redis.kill();
    for id in ["down1", "down2"] {
        client.send_sms(&sms(id)).await.expect("sent from memory");
    }

    redis.restart();
    assert_eq!(redis.command(&["DBSIZE"]).trim(), ":0");
    // Once the connection is back (a call or two), the budget is kept in Redis again.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut after = 0;
    loop {
        after += 1;
        client
            .send_sms(&sms(&format!("after{after}")))
            .await
            .expect("sent");
        if redis
            .command(&["KEYS", "api-core:ratelimit:*"])
            .contains("netfinity")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the budget never reached redis again"
        );
    }
    assert_eq!(sandbox.netfinity().accepted().len(), 3 + after);
    sandbox.shutdown().await;
}

fn flexiti(sandbox: &Sandbox, store: &RedisStore) -> flexiti::Client {
    flexiti::Client::builder()
        .client_id("sandbox-flexiti")
        .client_secret("sandbox-flexiti-secret")
        .environment(flexiti::Environment::custom(sandbox.flexiti_url()))
        .token_cache(store.token_cache())
        .build()
        .expect("client")
}

fn lookup() -> flexiti::CustomerKey {
    flexiti::CustomerKey::Account(flexiti::Id::from("20076677"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_stored_until_it_expires_and_a_rejected_one_is_replaced() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::open(redis.url()).expect("store");
    let client = flexiti(&sandbox, &store);
    client
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("lookup");

    let keys = redis.command(&["KEYS", "api-core:token:*"]);
    assert!(keys.contains("api-core:token:flexiti:"), "{keys}");
    assert!(
        !keys.contains("sandbox-flexiti"),
        "no client id or secret in keys: {keys}"
    );
    let key = keys
        .lines()
        .find(|l| l.starts_with("api-core:token:"))
        .expect("token key")
        .to_owned();
    // Stored with the token's lifetime (20 minutes) as its TTL.
    let ttl: i64 = redis
        .command(&["PTTL", &key])
        .trim()
        .trim_start_matches(':')
        .parse()
        .expect("ttl");
    assert!((1_190_000..=1_200_000).contains(&ttl), "{ttl}");
    assert!(
        !redis
            .command(&["GET", &key])
            .contains("sandbox-flexiti-secret")
    );

    // A second process reuses it.
    let other = flexiti(&sandbox, &RedisStore::open(redis.url()).expect("store"));
    other
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("lookup");
    assert_eq!(sandbox.flexiti().token_requests(), 1);

    // Revoked: the 401 removes it, and exactly one new token is fetched.
    let stored = redis.command(&["GET", &key]);
    sandbox.flexiti().expire_tokens();
    client
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("after a 401");
    other
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("after a 401");
    assert_eq!(sandbox.flexiti().token_requests(), 2);
    assert_ne!(redis.command(&["GET", &key]), stored);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_fails_closed_while_redis_is_down_and_recovers() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::open(redis.url()).expect("store");
    let client = flexiti(&sandbox, &store);
    redis.kill();
    let err = client
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect_err("fail closed");
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect),
        "{err:?}"
    );
    assert_eq!(sandbox.flexiti().token_requests(), 0);
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = client.lookup_customer_by(&lookup()).send().await {
        assert!(Instant::now() < deadline, "not recovered: {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sandbox.flexiti().token_requests(), 1);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_cache_falls_back_to_memory_while_redis_is_down() {
    let mut redis = RedisServer::start();
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let store = RedisStore::builder(redis.url())
        .on_unavailable(OnUnavailable::InMemory)
        .build()
        .expect("store");
    let client = flexiti(&sandbox, &store);
    redis.kill();
    client
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("token kept in memory");
    client
        .lookup_customer_by(&lookup())
        .send()
        .await
        .expect("same token");
    assert_eq!(sandbox.flexiti().token_requests(), 1);
    redis.restart();
    // Redis is empty again: once the connection is back (a call or two), a call fetches a
    // token and shares it there.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        client
            .lookup_customer_by(&lookup())
            .send()
            .await
            .expect("lookup");
        if redis
            .command(&["KEYS", "api-core:token:*"])
            .contains("api-core:token:flexiti:")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the token never reached redis again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sandbox.shutdown().await;
}

#[test]
fn a_malformed_url_is_a_config_error_that_does_not_echo_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _guard = rt.enter();
    let err = RedisStore::open("nonsense://:hunter2@host").expect_err("bad url");
    assert!(
        matches!(&err, Error::Config(m) if !m.contains("hunter2")),
        "{err}"
    );
    drop(_guard);
    let err = RedisStore::open("redis://127.0.0.1/").expect_err("outside a runtime");
    assert!(matches!(err, Error::Config(_)));
}

/// Flexiti's refresh tokens are used up by a refresh (the sandbox answers 401 to a used one,
/// as "a token cannot be refreshed after it is expired" suggests a refresh token is single
/// use). Workers sharing the token through Redis renew it one at a time: the lock holder
/// refreshes with the stored refresh token, the others wait for the stored result, so no
/// refresh token is sent twice. Tokens of 60 s, renewed 120 s ahead: every wave renews.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_sharing_a_token_refresh_it_one_at_a_time() {
    let redis = RedisServer::start();
    let mut config = SandboxConfig::default();
    config.flexiti.token_lifetime = Duration::from_secs(60);
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let workers: Vec<_> = (0..3)
        .map(|_| flexiti(&sandbox, &RedisStore::open(redis.url()).expect("store")))
        .collect();
    for _wave in 0..3 {
        let mut calls = tokio::task::JoinSet::new();
        for worker in &workers {
            for _ in 0..5 {
                let worker = worker.clone();
                calls.spawn(async move { worker.lookup_customer_by(&lookup()).send().await });
            }
        }
        while let Some(outcome) = calls.join_next().await {
            outcome.expect("joined").expect("lookup");
        }
    }
    let tokens: Vec<_> = sandbox
        .flexiti()
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/oauth/token"))
        .collect();
    let grants: Vec<String> = tokens
        .iter()
        .map(|r| {
            let body = String::from_utf8_lossy(&r.body);
            assert_eq!(r.status, 200, "no refresh token sent twice: {body}");
            body.split('&')
                .find_map(|p| p.strip_prefix("grant_type="))
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        grants.first().map(String::as_str),
        Some("client_credentials")
    );
    assert!(grants.len() >= 3, "one renewal a wave at least: {grants:?}");
    assert!(
        grants[1..].iter().all(|g| g == "refresh_token"),
        "{grants:?}"
    );
    sandbox.shutdown().await;
}
