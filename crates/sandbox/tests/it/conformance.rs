//! The sandbox answers as `specs/*.yaml` say: every operation of every spec is called over
//! real HTTP, with a valid request and with the documented failures the sandbox can produce
//! (no credentials, an unknown id, an invalid body, a method the path does not take, the path
//! at another version where the provider versions its paths), and every answer is checked
//! against the operation's declared responses (status, content type, body schema).
//!
//! The test fails listing every violation, and when an operation of a spec was never called
//! or never answered with success, so a new operation cannot slip through unchecked.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use api_sandbox::schema::Spec;
use api_sandbox::{Fl3xxConfig, NetfinityConfig, Sandbox, SandboxConfig};
use common::{Answer, call};
use serde_json::{Value, json};

/// Operations of the specs that the sandbox does not emulate yet: each is called (through
/// [`Check::not_emulated`]) and must answer 404, so the test fails once the sandbox serves one
/// and it cannot stay unchecked. Every operation is emulated today.
const NOT_EMULATED: &[&str] = &[];

/// The specs, the sandbox, and what was seen.
struct Check {
    sandbox: Sandbox,
    specs: BTreeMap<&'static str, &'static Spec>,
    /// Per `provider/operation`: the statuses seen.
    seen: BTreeMap<String, BTreeSet<u16>>,
    violations: Vec<String>,
    /// Required inputs left out in turn (`missing_required`), by provider.
    required_checked: BTreeMap<&'static str, usize>,
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Headers(&'a [(&'a str, &'a str)]),
}

impl Check {
    async fn start() -> Check {
        let config = SandboxConfig {
            // Far above what this test sends, so no answer is a rate limit by accident.
            netfinity: NetfinityConfig {
                limit: 10_000,
                ..NetfinityConfig::default()
            },
            fl3xx: Fl3xxConfig {
                fair_use_limit: 10_000,
                ..Fl3xxConfig::default()
            },
            ..SandboxConfig::default()
        };
        let specs = ["netfinity", "fsflt", "fl3xx", "flexiti"]
            .into_iter()
            .map(|name| (name, Spec::of(name).expect("an emulated provider")))
            .collect();
        Check {
            sandbox: Sandbox::start(config).await.expect("sandbox starts"),
            specs,
            seen: BTreeMap::new(),
            violations: Vec::new(),
            required_checked: BTreeMap::new(),
        }
    }

    /// The base URL the spec's paths hang off.
    fn base(&self, provider: &str) -> String {
        match provider {
            "netfinity" => self.sandbox.netfinity_url(),
            "fsflt" => self.sandbox.fsflt_url(),
            "fl3xx" => self.sandbox.fl3xx_url(),
            _ => self.sandbox.flexiti_url(),
        }
    }

    /// Sends one request and checks the answer against the operation serving `path`.
    async fn send(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        content_type: Option<&str>,
        body: &str,
    ) -> Answer {
        let mut headers: Vec<(&str, &str)> = vec![("accept", "application/json")];
        if let Auth::Headers(auth) = auth {
            headers.extend_from_slice(auth);
        }
        if let Some(ct) = content_type {
            headers.push(("content-type", ct));
        }
        let url = format!("{}{path}", self.base(provider));
        let answer = call(method, &url, &headers, body).await;
        let spec = &self.specs[provider];
        let bare = path.split('?').next().unwrap_or(path);
        let Some(op) = spec.find(method, bare) else {
            self.violations.push(format!(
                "{provider}: {method} {bare} is no operation of the spec"
            ));
            return answer;
        };
        let label = format!("{provider}/{}", op.id);
        for problem in spec.check_answer(
            op,
            answer.status,
            answer.header("content-type"),
            answer.text.as_bytes(),
        ) {
            self.violations.push(format!(
                "{label} ({method} {path}) → {}: {problem}",
                answer.status
            ));
        }
        self.seen.entry(label).or_default().insert(answer.status);
        answer
    }

    async fn json(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        body: &Value,
    ) -> Answer {
        if body.is_null() {
            self.send(provider, method, path, auth, None, "").await
        } else {
            let text = body.to_string();
            self.send(
                provider,
                method,
                path,
                auth,
                Some("application/json"),
                &text,
            )
            .await
        }
    }

    /// The valid request, then the same without credentials, then `invalid` (a body the
    /// sandbox must refuse), then `unknown` (the path with an id that does not exist).
    #[allow(clippy::too_many_arguments)]
    async fn operation(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        body: &Value,
        invalid: Option<&Value>,
        unknown: Option<&str>,
    ) -> Answer {
        let answer = self.json(provider, method, path, auth, body).await;
        let anonymous = self.json(provider, method, path, Auth::None, body).await;
        if anonymous.status != 401 {
            self.violations.push(format!(
                "{provider}: {method} {path} without credentials → {}, not 401",
                anonymous.status
            ));
        }
        if let Some(invalid) = invalid {
            let refused = self.json(provider, method, path, auth, invalid).await;
            if refused.status < 400 {
                self.violations.push(format!(
                    "{provider}: {method} {path} with {invalid} → {}, not a refusal",
                    refused.status
                ));
            }
        }
        self.refusals(provider, method, path, auth, body).await;
        self.missing_required(provider, method, path, auth, body)
            .await;
        if let Some(unknown) = unknown {
            let missing = self.json(provider, method, unknown, auth, body).await;
            if missing.status != 404 {
                self.violations.push(format!(
                    "{provider}: {method} {unknown} → {}, not 404",
                    missing.status
                ));
            }
        }
        answer
    }

    /// What the routes refuse for every operation, as the real API would: a method its path
    /// does not take (405 with `Allow`), and the path at another version where the provider
    /// versions its paths (404).
    async fn refusals(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        body: &Value,
    ) {
        let (bare, query) = path.split_once('?').unwrap_or((path, ""));
        let spec = &self.specs[provider];
        let taken: Vec<&str> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .filter(|m| spec.find(m, bare).is_some())
            .collect();
        let mut headers: Vec<(&str, &str)> = vec![("accept", "application/json")];
        if let Auth::Headers(auth) = auth {
            headers.extend_from_slice(auth);
        }
        let text = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        if !text.is_empty() {
            headers.push(("content-type", "application/json"));
        }
        if let Some(other) = ["PUT", "PATCH", "DELETE", "POST", "GET"]
            .into_iter()
            .find(|m| !taken.contains(m))
        {
            let url = format!("{}{path}", self.base(provider));
            let answer = call(other, &url, &headers, &text).await;
            let allow = answer.header("allow").unwrap_or_default().to_owned();
            if answer.status != 405 || allow != taken.join(", ") {
                self.violations.push(format!(
                    "{provider}: {other} {path} → {} with Allow {allow:?}, not 405 with {:?}",
                    answer.status,
                    taken.join(", ")
                ));
            }
        }
        let moved = match provider {
            "fl3xx" => bare.replacen("/api/v2/", "/api/v3/", 1),
            "flexiti" if bare.contains("/v2.5/") => bare.replacen("/v2.5/", "/v2.5.1/", 1),
            "flexiti" => bare.replacen("/v2.5.1/", "/v2.5/", 1),
            _ => bare.to_owned(),
        };
        if moved != bare && spec.find(method, &moved).is_none() {
            let sep = if query.is_empty() { "" } else { "?" };
            let url = format!("{}{moved}{sep}{query}", self.base(provider));
            let answer = call(method, &url, &headers, &text).await;
            if answer.status != 404 {
                self.violations.push(format!(
                    "{provider}: {method} {moved} (another version) → {}, not 404",
                    answer.status
                ));
            }
        }
    }

    /// The spec's required inputs, each left out in turn from the valid request: every
    /// required property of a JSON body and every required header. Each must be refused with
    /// a client error (not a 401, 404 or 405, which say something else) that names what is
    /// missing, as the providers' validation answers do.
    async fn missing_required(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
        body: &Value,
    ) {
        let bare = path.split('?').next().unwrap_or(path);
        let Some(op) = self.specs[provider].find(method, bare).cloned() else {
            return;
        };
        let fields = self.specs[provider].required_body_fields(&op);
        for field in fields {
            let Some(object) = body.as_object() else {
                continue;
            };
            if !object.contains_key(&field) {
                continue;
            }
            let mut without = object.clone();
            without.remove(&field);
            let answer = self
                .json(provider, method, path, auth, &Value::Object(without))
                .await;
            self.expect_named_refusal(provider, method, path, &field, &answer);
        }
        let headers = self.specs[provider].required_headers(&op);
        if let Auth::Headers(sent) = auth {
            for header in headers {
                let kept: Vec<(&str, &str)> = sent
                    .iter()
                    .copied()
                    .filter(|(name, _)| !name.eq_ignore_ascii_case(&header))
                    .collect();
                if kept.len() == sent.len() {
                    continue;
                }
                let answer = self
                    .json(provider, method, path, Auth::Headers(&kept), body)
                    .await;
                self.expect_named_refusal(provider, method, path, &header, &answer);
            }
        }
    }

    /// `answer` is one of the operation's documented error statuses (not 401, 404 or 405,
    /// which say something else; FlashStart's validation answer is a documented 500) and its
    /// body names `missing`.
    fn expect_named_refusal(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        missing: &str,
        answer: &Answer,
    ) {
        *self.required_checked.entry(provider).or_default() += 1;
        let bare = path.split('?').next().unwrap_or(path);
        let documented = self.specs[provider]
            .find(method, bare)
            .and_then(|op| op.responses.as_object())
            .is_some_and(|responses| responses.contains_key(&answer.status.to_string()));
        let refused =
            answer.status >= 400 && ![401, 404, 405].contains(&answer.status) && documented;
        if !refused || !answer.text.contains(missing) {
            self.violations.push(format!(
                "{provider}: {method} {path} without `{missing}` → {} {}, not a refusal naming it",
                answer.status, answer.text
            ));
        }
    }

    /// An operation the sandbox does not emulate (see [`NOT_EMULATED`]): it must still answer
    /// 404, so that emulating it makes this test fail until the operation is checked here.
    #[allow(
        dead_code,
        reason = "for the next operation specified before it is emulated"
    )]
    async fn not_emulated(
        &mut self,
        provider: &'static str,
        method: &str,
        path: &str,
        auth: Auth<'_>,
    ) {
        let url = format!("{}{path}", self.base(provider));
        let mut headers = vec![("accept", "application/json")];
        if let Auth::Headers(auth) = auth {
            headers.extend_from_slice(auth);
        }
        let answer = call(method, &url, &headers, "").await;
        let bare = path.split('?').next().unwrap_or(path);
        let Some(op) = self.specs[provider].find(method, bare) else {
            self.violations.push(format!(
                "{provider}: {method} {bare} is no operation of the spec"
            ));
            return;
        };
        let label = format!("{provider}/{}", op.id);
        if !NOT_EMULATED.contains(&label.as_str()) {
            self.violations
                .push(format!("{label} is not in NOT_EMULATED"));
        }
        if answer.status != 404 {
            self.violations.push(format!(
                "{label} ({method} {path}) → {}: the sandbox answers it now; check it here \
                 and take it off NOT_EMULATED",
                answer.status
            ));
        }
        self.seen.entry(label).or_default().insert(answer.status);
    }

    /// Fails listing every violation, and every operation never called or never successful.
    fn finish(self) {
        let mut problems = self.violations;
        for (name, spec) in &self.specs {
            for op in &spec.operations {
                let label = format!("{name}/{}", op.id);
                match self.seen.get(&label) {
                    None => problems.push(format!("{label}: never called")),
                    Some(_) if NOT_EMULATED.contains(&label.as_str()) => {}
                    Some(statuses) if !statuses.iter().any(|s| (200..300).contains(s)) => {
                        problems.push(format!("{label}: never successful (saw {statuses:?})"));
                    }
                    Some(_) => {}
                }
            }
        }
        // Every provider's spec has required inputs; each was left out at least once.
        for provider in ["netfinity", "fsflt", "fl3xx", "flexiti"] {
            if self.required_checked.get(provider).copied().unwrap_or(0) == 0 {
                problems.push(format!("{provider}: no required input was left out"));
            }
        }
        let calls: usize = self.seen.values().map(BTreeSet::len).sum();
        assert!(
            problems.is_empty(),
            "{} problems in the sandbox's answers ({} operations, {calls} distinct statuses):\n  {}",
            problems.len(),
            self.seen.len(),
            problems.join("\n  ")
        );
    }
}

#[tokio::test]
async fn every_sandbox_answer_conforms_to_its_spec() {
    let mut check = Check::start().await;
    netfinity(&mut check).await;
    fsflt(&mut check).await;
    fl3xx(&mut check).await;
    flexiti(&mut check).await;
    check.finish();
}

// ---------------------------------------------------------------------------------------
// Netfinity

async fn netfinity(check: &mut Check) {
    let auth = [("authorization", "Bearer sandbox-netfinity-token")];
    let auth = Auth::Headers(&auth);
    let sms = json!({"msisdn": "359881234567", "text": "test 1", "id": "123"});
    let invalid = json!({"msisdn": "12", "text": ""});
    check
        .operation(
            "netfinity",
            "POST",
            "/sms/notification/send",
            auth,
            &sms,
            Some(&invalid),
            None,
        )
        .await;
    // Not JSON: 406.
    check
        .send(
            "netfinity",
            "POST",
            "/sms/notification/send",
            auth,
            Some("text/plain"),
            "hello",
        )
        .await;
}

// ---------------------------------------------------------------------------------------
// FlashStart

async fn fsflt(check: &mut Check) {
    let auth = [("x-api-key", "sandbox-fsflt-key")];
    let auth = Auth::Headers(&auth);
    let p = "fsflt";
    let created = check
        .operation(
            p,
            "POST",
            "/customerarea/customers/new",
            auth,
            &json!({
                "email": "jane@example.com", "password": "s3cret-Pass", "customer_name": "Jane",
                "country_code": "IT", "industry_code": 2, "company_name": "Acme"
            }),
            Some(&json!({"email": "not-an-email"})),
            None,
        )
        .await;
    let customer = created.json["content"]["customer_code"].clone();
    let customer_text = scalar(&customer);
    let unknown_customer = json!({"customer_code": 999_999});
    let one = json!({"customer_code": customer});
    check
        .operation(
            p,
            "GET",
            "/customerarea/auth/token",
            auth,
            &one,
            Some(&json!({})),
            None,
        )
        .await;
    check
        .json(
            p,
            "GET",
            "/customerarea/auth/token",
            auth,
            &unknown_customer,
        )
        .await;
    let available = check
        .operation(
            p,
            "GET",
            "/customerarea/licenses/available",
            auth,
            &one,
            Some(&json!({})),
            None,
        )
        .await;
    let licence_code = available.json["content"][0]["license_code"].clone();
    let demo = check
        .operation(
            p,
            "POST",
            "/customerarea/licenses/demo",
            auth,
            &json!({"customer_code": customer, "lang": "EN", "accept_notifications": false}),
            Some(&json!({})),
            None,
        )
        .await;
    let assigned = check
        .operation(
            p,
            "POST",
            "/customerarea/licenses/assign",
            auth,
            &json!({
                "customer_code": customer, "license_code": licence_code,
                "license_info": "Head office", "currency_code": "EUR"
            }),
            Some(&json!({"customer_code": customer})),
            None,
        )
        .await;
    let licence = scalar(&assigned.json["content"]["license_id"]);
    let action = json!({"license_id": licence, "customer_code": customer_text});
    check
        .operation(
            p,
            "POST",
            "/customerarea/licenses/suspend",
            auth,
            &action,
            Some(&json!({})),
            None,
        )
        .await;
    // Again: "license already suspended" (405).
    check
        .json(p, "POST", "/customerarea/licenses/suspend", auth, &action)
        .await;
    check
        .operation(
            p,
            "POST",
            "/customerarea/licenses/enable",
            auth,
            &action,
            Some(&json!({})),
            None,
        )
        .await;
    check
        .json(p, "POST", "/customerarea/licenses/enable", auth, &action)
        .await;
    let _ = demo;

    // The operations whose paths the docs do not show (`x-unconfirmed`), at the spec's paths.
    let nothing = &Value::Null;
    check
        .operation(
            p,
            "GET",
            "/customerarea/customers/list",
            auth,
            nothing,
            None,
            None,
        )
        .await;
    let details = "/customerarea/customers/details";
    check
        .operation(
            p,
            "GET",
            details,
            auth,
            &json!({"customer_code": customer_text, "lang": "IT"}),
            Some(&json!({"lang": "FR"})),
            None,
        )
        .await;
    check
        .json(p, "GET", details, auth, &json!({"customer_code": "999999"}))
        .await;
    check
        .operation(
            p,
            "POST",
            "/customerarea/customers/password",
            auth,
            &json!({"customer_code": customer_text, "password": "n3w-Passw0rd"}),
            Some(&json!({"customer_code": customer_text, "password": "short"})),
            None,
        )
        .await;
    // Cancels the licence: last, after suspend and enable.
    check
        .operation(
            p,
            "POST",
            "/customerarea/customers/license",
            auth,
            &json!({"customer_code": customer_text, "license_id": licence}),
            Some(&json!({"customer_code": customer_text})),
            None,
        )
        .await;
    for path in [
        "/customerarea/directory/licenses/versions",
        "/customerarea/directory/currencies",
        "/customerarea/directory/countries",
        "/customerarea/directory/industries",
    ] {
        check
            .operation(p, "GET", path, auth, nothing, None, None)
            .await;
    }
}

/// A JSON scalar as text (`7` → `"7"`).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// FL3XX

async fn fl3xx(check: &mut Check) {
    let headers = [
        ("x-api-client-id", "sandbox-fl3xx-client"),
        ("x-auth-token", "sandbox-fl3xx-operator-a"),
    ];
    let auth = Auth::Headers(&headers);
    let p = "fl3xx";
    let nothing = &Value::Null;

    check
        .operation(
            p,
            "GET",
            "/api/v2/airports/LOWW",
            auth,
            nothing,
            None,
            Some("/api/v2/airports/ZZZZ"),
        )
        .await;
    let price = json!({
        "fboName": "Vienna FBO", "contractorName": "Demo Fuel", "currency": "EUR",
        "unit": "LITER", "pricingPrivate": {"price": 1.89}
    });
    let put = check
        .operation(
            p,
            "PUT",
            "/api/v2/partners/airports/LOWW/fuel-prices",
            auth,
            &price,
            Some(&json!({"fboName": "X"})),
            Some("/api/v2/partners/airports/ZZZZ/fuel-prices"),
        )
        .await;
    check
        .operation(
            p,
            "GET",
            "/api/v2/partners/airports/LOWW/fuel-prices",
            auth,
            nothing,
            None,
            Some("/api/v2/partners/airports/ZZZZ/fuel-prices"),
        )
        .await;
    let price_id = first_id(&put.json);
    check
        .operation(
            p,
            "PUT",
            &format!("/api/v2/partners/airport-fuel-prices/{price_id}"),
            auth,
            &price,
            Some(&json!({"currency": "EUR"})),
            Some("/api/v2/partners/airport-fuel-prices/FP-999999"),
        )
        .await;
    check
        .operation(
            p,
            "DELETE",
            "/api/v2/partners/airport-fuel-prices",
            auth,
            &json!({"ids": [price_id]}),
            Some(&json!({})),
            None,
        )
        .await;
    check
        .operation(
            p,
            "DELETE",
            "/api/v2/partners/airports/LOWW/fuel-prices",
            auth,
            nothing,
            None,
            Some("/api/v2/partners/airports/ZZZZ/fuel-prices"),
        )
        .await;

    let subscription = check
        .operation(
            p,
            "POST",
            "/api/v2/webhooks/subscriptions",
            auth,
            &json!({
                "event": "FLIGHT_TIME_UPDATE", "callbackUrl": "https://127.0.0.1:9/hooks",
                "signingKey": "signing-key"
            }),
            Some(&json!({"event": "FLIGHT_TIME_UPDATE"})),
            None,
        )
        .await;
    let sub = scalar(&subscription.json["id"]);
    check
        .operation(
            p,
            "GET",
            "/api/v2/webhooks/subscriptions",
            auth,
            nothing,
            None,
            None,
        )
        .await;
    let one = format!("/api/v2/webhooks/subscriptions/{sub}");
    let missing = "/api/v2/webhooks/subscriptions/999999";
    check
        .operation(p, "GET", &one, auth, nothing, None, Some(missing))
        .await;
    check
        .operation(
            p,
            "PATCH",
            &one,
            auth,
            &json!({"callbackUrl": "https://127.0.0.1:9/other"}),
            Some(&json!({"callbackUrl": "not a url"})),
            Some(missing),
        )
        .await;
    // Renewals are accepted in the last 5 days before expiry.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(2);
    assert!(
        check
            .sandbox
            .fl3xx()
            .set_subscription_expiry("sandbox-fl3xx-operator-a", &sub, soon)
    );
    check
        .operation(
            p,
            "POST",
            &format!("{one}/renewals"),
            auth,
            nothing,
            None,
            Some(&format!("{missing}/renewals")),
        )
        .await;
    check
        .operation(p, "DELETE", &one, auth, nothing, None, Some(missing))
        .await;

    // The seeded schedule lies around today.
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: time::Date| format!("{d}T00%3A00%3A00.000Z");
    let window = format!(
        "filter=blocksOffEstimatedDateTime%2CBTW%2C{}%2C{}",
        day(today - time::Duration::days(30)),
        day(today + time::Duration::days(30))
    );
    let flights = check
        .operation(
            p,
            "GET",
            &format!("/api/v2/flights?{window}&limit=10"),
            auth,
            nothing,
            None,
            None,
        )
        .await;
    // No filter: a validation failure.
    check.json(p, "GET", "/api/v2/flights", auth, nothing).await;
    if flights.json["data"].as_array().is_none_or(Vec::is_empty) {
        check
            .violations
            .push(format!("fl3xx: no flights around today: {}", flights.text));
    }
    for (list, item, prefix) in [
        ("permits", "flight-permits", "P"),
        ("slots-pprs", "flight-slots-pprs", "S"),
    ] {
        let answer = check
            .operation(
                p,
                "GET",
                &format!("/api/v2/flights/5001/{list}"),
                auth,
                nothing,
                None,
                Some(&format!("/api/v2/flights/4999/{list}")),
            )
            .await;
        let id = first_id(&answer.json);
        let id = if id.is_empty() {
            format!("{prefix}-5001-1")
        } else {
            id
        };
        check
            .operation(
                p,
                "GET",
                &format!("/api/v2/{item}/{id}"),
                auth,
                nothing,
                None,
                Some(&format!("/api/v2/{item}/{prefix}-9999-1")),
            )
            .await;
    }

    let qualifications = "/api/v2/external/crew-qualifications";
    let created = check
        .operation(
            p,
            "POST",
            qualifications,
            auth,
            &json!({"crewId": "77", "qualificationTypeId": "1"}),
            Some(&json!({})),
            None,
        )
        .await;
    let qualification = scalar(&created.json["id"]);
    check
        .operation(
            p,
            "GET",
            &format!("{qualifications}?filter=crewId%2CEQ%2C77"),
            auth,
            nothing,
            None,
            None,
        )
        .await;
    let one = format!("{qualifications}/{qualification}");
    let missing = format!("{qualifications}/999999");
    check
        .operation(p, "GET", &one, auth, nothing, None, Some(&missing))
        .await;
    check
        .operation(
            p,
            "PATCH",
            &one,
            auth,
            &json!({"comment": "renewed"}),
            None,
            Some(&missing),
        )
        .await;
    check
        .operation(p, "DELETE", &one, auth, nothing, None, Some(&missing))
        .await;
    let types = check
        .operation(
            p,
            "GET",
            "/api/v2/external/qualification-types",
            auth,
            nothing,
            None,
            None,
        )
        .await;
    let kind = first_id(&types.json);
    check
        .operation(
            p,
            "GET",
            &format!("/api/v2/qualification-types/{kind}"),
            auth,
            nothing,
            None,
            Some("/api/v2/qualification-types/999999"),
        )
        .await;

    // API v1: the token alone.
    let v1_headers = [("x-auth-token", "sandbox-fl3xx-operator-a")];
    let v1 = Auth::Headers(&v1_headers);
    let days = format!(
        "from={}&to={}",
        today - time::Duration::days(2),
        today + time::Duration::days(2)
    );
    let listed = check
        .operation(
            p,
            "GET",
            &format!("/api/external/flight/flights?{days}&include=ALL&timeZone=UTC"),
            v1,
            nothing,
            None,
            None,
        )
        .await;
    if listed.json.as_array().is_none_or(Vec::is_empty) {
        check.violations.push(format!(
            "fl3xx: no v1 flights around today: {}",
            listed.text
        ));
    }
    // `to` missing, and a window further back than 6 months: 400.
    for path in [
        "/api/external/flight/flights?from=2024-01-01",
        "/api/external/flight/flights?from=2024-01-01&to=2024-01-31",
    ] {
        check.json(p, "GET", path, v1, nothing).await;
    }
    for (path, missing) in [
        ("/api/external/flight/5001", "/api/external/flight/4999"),
        (
            "/api/external/flight/5001/crew",
            "/api/external/flight/4999/crew",
        ),
        (
            "/api/external/staff/crew/77",
            "/api/external/staff/crew/999999",
        ),
        ("/api/external/airports/LOWW", "/api/external/airports/ZZZZ"),
    ] {
        check
            .operation(p, "GET", path, v1, nothing, None, Some(missing))
            .await;
    }
    for path in [
        "/api/external/staff/crew?modifiedSince=2024-01-15T10%3A30%3A00.000Z",
        "/api/external/aircraft",
        "/api/external/user/account?limit=2&offset=1",
    ] {
        check
            .operation(p, "GET", path, v1, nothing, None, None)
            .await;
    }
    check
        .json(p, "GET", "/api/external/user/account?limit=0", v1, nothing)
        .await;
}

/// The `id` of a body's first item (`{"data": [..]}`, `[..]` or an object).
fn first_id(body: &Value) -> String {
    let item = body
        .get("data")
        .and_then(|d| d.get(0))
        .or_else(|| body.get(0))
        .unwrap_or(body);
    item.get("id").map(scalar).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Flexiti

const CLIENT: &str = "sandbox-flexiti";
const JANE: &str = "20076677";
const SMALL: &str = "20076679";
const CREDENTIALS: &str =
    "grant_type=client_credentials&client_id=sandbox-flexiti&client_secret=sandbox-flexiti-secret";

async fn flexiti_token(check: &Check, path: &str, form: &str) -> String {
    let url = format!("{}{path}", check.sandbox.flexiti_url());
    let answer = call(
        "POST",
        &url,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            // Required on the token request too (Online API Endpoints Reference).
            ("x-reference-id", "5b0c9a3e1d7f4e2a8c6b4d2f0e1a3c5b"),
        ],
        form,
    )
    .await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.json["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn flexiti(check: &mut Check) {
    let p = "flexiti";
    let nothing = &Value::Null;
    let merchant = flexiti_token(
        check,
        "/flexiti/pos-api/v2.5/oauth/token",
        &format!("{CREDENTIALS}&scope=merchant"),
    )
    .await;
    let customer = flexiti_token(
        check,
        "/flexiti/pos-api/v2.5/oauth/token",
        &format!("{CREDENTIALS}&scope=customer"),
    )
    .await;
    let online = flexiti_token(check, "/flexiti/online-api/oauth/token", CREDENTIALS).await;
    let reference = ("x-reference-id", "2f1c3d4e5f60718293a4b5c6d7e8f901");
    let merchant = format!("Bearer {merchant}");
    let merchant = [("authorization", merchant.as_str()), reference];
    let m = Auth::Headers(&merchant);
    let customer = format!("Bearer {customer}");
    let customer = [("authorization", customer.as_str()), reference];
    let c = Auth::Headers(&customer);
    let pos =
        |version: &str, path: &str| format!("/flexiti/pos-api/{version}/client-id/{CLIENT}{path}");

    check
        .operation(
            p,
            "GET",
            &pos(
                "v2.5",
                "/customers/search?first_name=Jane&last_name=Doe&dob=1985-04-12",
            ),
            m,
            nothing,
            None,
            None,
        )
        .await;
    check
        .json(
            p,
            "GET",
            &pos("v2.5", "/customers/search?first_name=Jane"),
            m,
            nothing,
        )
        .await;
    check
        .operation(
            p,
            "GET",
            &pos("v2.5", &format!("/customers/lookup?account_number={JANE}")),
            m,
            nothing,
            None,
            Some(&pos("v2.5", "/customers/lookup?account_number=1")),
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5", "/customers/driverslicense"),
            c,
            &json!({"code": "@\nANSI 636012080002DL00410278ZO03190008DL\nDCSDOE\nDACJANE\nDBB19850412\nDAG100 KING ST W\nDAITORONTO\nDAJON\nDAKM5V 2T6\n"}),
            Some(&json!({})),
            None,
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5", &format!("/account/{JANE}/verify")),
            m,
            &json!({"format": "sms", "request_id": "REQ-1"}),
            Some(&json!({})),
            Some(&pos("v2.5", "/account/1/verify")),
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", &format!("/accounts/{JANE}/calculate-interest")),
            m,
            &json!({"amount": "1200.00"}),
            Some(&json!({})),
            Some(&pos("v2.5.1", "/accounts/1/calculate-interest")),
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", "/transactions"),
            m,
            // The PIN of the SMS verification above, for its request id.
            &json!({"transaction_type": "deposit", "amount": "5.00", "account_number": JANE, "verification_code": 2222, "request_id": "REQ-1"}),
            Some(&json!({})),
            None,
        )
        .await;
    let authorization = |amount: &str| {
        json!({
            "account_number": JANE, "amount": amount, "auto_capture": false,
            "reference": "ORDER-1",
            "financing_option": {"transaction_type": "promotional_purchase", "plan_id": 101, "term": 12}
        })
    };
    let created = check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", "/authorization"),
            m,
            &authorization("100.00"),
            Some(&json!({})),
            None,
        )
        .await;
    let id = scalar(&created.json["authorization_id"]);
    let base = format!("/authorization/{id}");
    check
        .operation(
            p,
            "GET",
            &pos("v2.5.1", &base),
            m,
            nothing,
            None,
            Some(&pos("v2.5.1", "/authorization/999")),
        )
        .await;
    check
        .operation(
            p,
            "GET",
            &pos("v2.5.1", &format!("/authorizations?account_number={JANE}")),
            m,
            nothing,
            None,
            None,
        )
        .await;
    let capture = check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", &format!("{base}/capture")),
            m,
            &json!({"amount": "60.00"}),
            Some(&json!({})),
            Some(&pos("v2.5.1", "/authorization/999/capture")),
        )
        .await;
    let capture_id = scalar(&capture.json["capture_id"]);
    check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", &format!("{base}/capture/{capture_id}/return")),
            m,
            &json!({"full_return": false, "amount": "10.00"}),
            Some(&json!({})),
            Some(&pos("v2.5.1", &format!("{base}/capture/999/return"))),
        )
        .await;
    check
        .operation(
            p,
            "GET",
            &pos("v2.5.1", &format!("/captures?account_number={JANE}")),
            m,
            nothing,
            None,
            None,
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5.1", &format!("{base}/release")),
            m,
            &json!({}),
            None,
            Some(&pos("v2.5.1", "/authorization/999/release")),
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5", &format!("/accounts/{JANE}/refund")),
            m,
            &json!({"amount": "5.00"}),
            Some(&json!({})),
            Some(&pos("v2.5", "/accounts/1/refund")),
        )
        .await;
    check
        .operation(
            p,
            "POST",
            &pos("v2.5", "/widget/init"),
            c,
            &json!({"flow": "purchase", "customer_identification": {"account_number": JANE}}),
            Some(&json!({})),
            None,
        )
        .await;
    for path in ["/terms-and-conditions", "/i18n"] {
        check
            .operation(p, "GET", &pos("v2.5", path), c, nothing, None, None)
            .await;
    }
    check
        .operation(
            p,
            "POST",
            &pos("v2.5", &format!("/accounts/{SMALL}/close")),
            m,
            nothing,
            None,
            Some(&pos("v2.5", "/accounts/1/close")),
        )
        .await;

    // The Online API: form bodies and its own token.
    let online = format!("Bearer {online}");
    let online = [("authorization", online.as_str())];
    let o = Auth::Headers(&online);
    let root = format!("/flexiti/online-api/online/client-id/{CLIENT}");
    let v2 = format!("/flexiti/online-api/online/v2/client-id/{CLIENT}");
    let form = Some("application/x-www-form-urlencoded");
    let mut order = String::new();
    for (path, merchant_order) in [
        (format!("{v2}/systems/init"), "ORD-42"),
        (format!("{root}/systems/init"), "ORD-43"),
        (format!("{root}/systems/learn-more"), "ORD-44"),
    ] {
        let body = format!(
            "merchant_orderid={merchant_order}&lang=en&flow=apply%2Fbuy&amount_requested=499.00&is_guest=true&vcc=4000123412341234"
        );
        let answer = check.send(p, "POST", &path, o, form, &body).await;
        if order.is_empty() {
            order = scalar(&answer.json["online_order_id"]);
        }
        check.send(p, "POST", &path, Auth::None, form, &body).await;
        check
            .send(p, "POST", &path, o, form, "merchant_orderid=X")
            .await;
    }
    check
        .operation(
            p,
            "GET",
            &format!("{v2}/systems/payment-calculator?clientId={CLIENT}&price=499.00&lang=en"),
            o,
            nothing,
            None,
            None,
        )
        .await;
    check
        .json(
            p,
            "GET",
            &format!("{v2}/systems/payment-calculator?clientId=other&price=1"),
            o,
            nothing,
        )
        .await;
    check
        .operation(
            p,
            "GET",
            &format!("{root}/notifications/order-id/{order}"),
            o,
            nothing,
            None,
            Some(&format!("{root}/notifications/order-id/999999")),
        )
        .await;
    check
        .operation(
            p,
            "GET",
            &format!("{root}/notifications/merchant-order-id/ORD-42"),
            o,
            nothing,
            None,
            Some(&format!("{root}/notifications/merchant-order-id/NOPE")),
        )
        .await;
    let availability = format!("{root}/merchants/payment-availability");
    check
        .operation(
            p,
            "POST",
            &availability,
            o,
            &json!({"amount": "499.00"}),
            Some(&json!({"amount": "abc"})),
            Some("/flexiti/online-api/online/client-id/other/merchants/payment-availability"),
        )
        .await;
    // Without a body, as `flexiti::OnlineClient::payment_availability` sends it.
    check.json(p, "POST", &availability, o, nothing).await;
}
