//! `cargo xtask bench --peer`: the peer column. The same operations as the bench's, through
//! a client that a well-known generator (progenitor, Oxide's OpenAPI → Rust generator)
//! makes from our specs, measured in the same run as our clients and the hand-written
//! baselines: instructions per request and per page (callgrind, against the same
//! `api-bench serve`), and a clean debug build of a tiny app on the peer client against the
//! floor crate and our provider crate.
//!
//! Not part of `cargo xtask test` nor of the default run: the generator is installed from
//! crates.io the first time (about 4 minutes on 2 cores), each peer client is generated and
//! built in release, and the clean builds take minutes.

mod copy;
mod generate;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::callgrind::{self, LISTS, PROVIDERS, Server};
use super::compile::{self, Build, FLOOR_DEPENDENCIES};
use crate::run::workspace_root;

/// Requests and page decodes per count, as in the full run.
const REQUESTS: u64 = 200;
const DECODES: u64 = 5;

/// What one provider's peer is, for the report.
struct Provider {
    name: &'static str,
    operation: &'static str,
    list: Option<&'static str>,
    outcome: generate::Outcome,
}

/// The peer figures, the `peer` section of the report, and notes.
pub fn figures(
    target: &Path,
    out_dir: &Path,
    api_bench: &Path,
    no_compile: bool,
) -> Result<(Vec<Value>, Value, Vec<String>), String> {
    let peer = out_dir.join("peer");
    std::fs::create_dir_all(&peer).map_err(|e| format!("{}: {e}", peer.display()))?;
    let tool = generate::tool(target)?;
    let mut providers = Vec::new();
    for (name, operation) in PROVIDERS {
        let outcome = generate::client(&tool, &peer, name)?;
        let list = LISTS.iter().find(|(p, _)| *p == name).map(|(_, l)| *l);
        providers.push(Provider {
            name,
            operation,
            list,
            outcome,
        });
    }
    let generated: Vec<&str> = providers
        .iter()
        .filter(|p| matches!(p.outcome, generate::Outcome::Built { .. }))
        .map(|p| p.name)
        .collect();
    generate::workspace(&peer, &generated)?;
    for provider in &mut providers {
        if matches!(provider.outcome, generate::Outcome::Built { .. })
            && let Some(why) = generate::builds(&peer, provider.name)?
        {
            provider.outcome = generate::Outcome::Refused(why);
        }
    }
    let built: Vec<&Provider> = providers
        .iter()
        .filter(|p| matches!(p.outcome, generate::Outcome::Built { .. }))
        .collect();
    let names: Vec<&str> = built.iter().map(|p| p.name).collect();
    // The runner with only the clients that built.
    generate::workspace(&peer, &names)?;
    let mut notes = Vec::new();
    let mut figures = Vec::new();
    if !built.is_empty() {
        let runner = generate::runner(&peer)?;
        let server = Server::start(api_bench)?;
        crate::run::step(
            "the peer clients against the bench server",
            std::process::Command::new(&runner).args(["check", &server.url]),
        )?;
        match callgrind::valgrind() {
            Ok(()) => figures.extend(instructions(api_bench, &runner, &server, &built)?),
            Err(reason) => notes.push(format!("peer instructions: skipped ({reason})")),
        }
        if no_compile {
            notes.push("peer compile time: skipped (--no-compile)".into());
        } else {
            figures.extend(builds(out_dir, &peer, &built)?);
        }
    }
    let section = json!({
        "generator": format!("progenitor {} ({} {}, positional interface: the CLI's default)", generate::VERSION, generate::GENERATOR, generate::VERSION),
        "generated_into": peer.display().to_string(),
        "providers": providers.iter().map(|p| {
            let status = match &p.outcome {
                generate::Outcome::Built { changes } => json!({"status": "built", "spec_changes": changes}),
                generate::Outcome::Refused(why) => json!({"status": "refused", "reason": why}),
            };
            (p.name.to_owned(), status)
        }).collect::<serde_json::Map<_, _>>(),
    });
    Ok((figures, section, notes))
}

/// A peer figure: the peer's value against the same baseline as ours, with ours beside it.
fn peer_figure(
    id: String,
    provider: &str,
    what: String,
    unit: &str,
    (peer, ours, baseline): (f64, f64, f64),
) -> Value {
    json!({
        "id": id,
        "group": "peer",
        "provider": provider,
        "what": what,
        "unit": unit,
        "value": peer,
        "baseline": baseline,
        "ratio": peer / baseline,
        "ours": ours,
        "ours_ratio": ours / baseline,
        "peer_vs_ours": peer / ours,
    })
}

/// Instructions per request and per page: the peer runner, our client and the baseline
/// (both in `api-bench`), against one server.
fn instructions(
    api_bench: &Path,
    runner: &Path,
    server: &Server,
    built: &[&Provider],
) -> Result<Vec<Value>, String> {
    let dir = std::env::temp_dir().join(format!("api-bench-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // (exe, provider, side, n)
    let mut jobs: Vec<(&Path, &str, &str, u64)> = Vec::new();
    for provider in built {
        let name = provider.name;
        jobs.extend([
            (runner, name, "client", REQUESTS),
            (api_bench, name, "client", REQUESTS),
            (api_bench, name, "baseline", REQUESTS),
        ]);
        if provider.list.is_some() {
            jobs.extend([
                (runner, name, "model", DECODES),
                (api_bench, name, "model", DECODES),
                (api_bench, name, "plain", DECODES),
                (runner, name, "page", DECODES),
                (api_bench, name, "client-page", DECODES),
                (api_bench, name, "baseline-page", DECODES),
            ]);
        }
    }
    let counts = callgrind::in_parallel(&jobs, |&(exe, provider, side, n)| {
        callgrind::count(exe, &server.url, &dir, provider, side, n)
    })?;
    let _ = std::fs::remove_dir_all(&dir);
    let of = |exe: &Path, provider: &str, side: &str| -> f64 {
        jobs.iter()
            .zip(&counts)
            .find(|((e, p, s, _), _)| *e == exe && *p == provider && *s == side)
            .map_or(f64::NAN, |(_, count)| *count)
    };
    let mut figures = Vec::new();
    for provider in built {
        let name = provider.name;
        figures.push(peer_figure(
            format!("peer.instructions.{name}"),
            name,
            format!(
                "instructions per `{}` request through the progenitor client vs the hand-written baseline; ours beside it (callgrind, {REQUESTS} requests)",
                provider.operation
            ),
            "instr",
            (
                of(runner, name, "client"),
                of(api_bench, name, "client"),
                of(api_bench, name, "baseline"),
            ),
        ));
        if let Some(list) = provider.list {
            figures.push(peer_figure(
                format!("peer.decoding.instructions.{name}"),
                name,
                format!("instructions to decode a 1000-item page of {list} into the progenitor types vs the plain structs; our model beside it (callgrind, x{DECODES})"),
                "instr",
                (
                    of(runner, name, "model"),
                    of(api_bench, name, "model"),
                    of(api_bench, name, "plain"),
                ),
            ));
            figures.push(peer_figure(
                format!("peer.decoding.fetch_instructions.{name}"),
                name,
                format!("instructions to fetch + decode a 1000-item page of {list} through the progenitor client vs reqwest + from_slice; our client beside it (callgrind, x{DECODES})"),
                "instr",
                (
                    of(runner, name, "page"),
                    of(api_bench, name, "client-page"),
                    of(api_bench, name, "baseline-page"),
                ),
            ));
        }
    }
    Ok(figures)
}

/// Clean debug builds, alternating: floor, our provider crate, the peer app, floor, ... Each
/// pair is compared with the mean of the floor builds before and after it.
fn builds(out_dir: &Path, peer: &Path, built: &[&Provider]) -> Result<Vec<Value>, String> {
    let root = out_dir.join("compile");
    let floor_dir = root.join("floor-crate");
    compile::write_floor(&floor_dir)?;
    let floor_target = root.join("target-floor");
    let floor = || compile::clean_build("floor", &floor_dir, &floor_target, None);
    let mut floors: Vec<Build> = vec![floor()?];
    let mut pairs: Vec<(&str, Build, Build)> = Vec::new();
    for provider in built {
        let name = provider.name;
        let app = app(&root, peer, name)?;
        let ours = compile::clean_build(
            name,
            &workspace_root(),
            &root.join(format!("target-{name}")),
            Some(name),
        )?;
        let theirs = compile::clean_build(
            &format!("peer app on progenitor's {name}"),
            &app,
            &root.join(format!("target-peer-app-{name}")),
            None,
        )?;
        pairs.push((name, ours, theirs));
        floors.push(floor()?);
    }
    let mean = |a: f64, b: f64| (a + b) / 2.0;
    let walls: Vec<f64> = floors.iter().map(|b| b.seconds).collect();
    let mut figures = vec![json!({
        "id": "compile.floor",
        "group": "compile",
        "provider": null,
        "what": format!(
            "clean debug build of the floor crate, mean of {} builds: {}",
            walls.len(),
            walls.iter().map(|w| format!("{w:.1}")).collect::<Vec<_>>().join(", ")
        ),
        "unit": "s",
        "value": walls.iter().sum::<f64>() / walls.len() as f64,
    })];
    for (i, (name, ours, theirs)) in pairs.iter().enumerate() {
        let (before, after) = (&floors[i], &floors[i + 1]);
        figures.push(peer_figure(
            format!("peer.compile.{name}"),
            name,
            "clean debug build (wall) of a tiny app on the progenitor client (the floor's dependencies + the generated crate) vs the floor builds before and after it; our provider crate beside it".into(),
            "s",
            (theirs.seconds, ours.seconds, mean(before.seconds, after.seconds)),
        ));
        if let (Some(peer_cpu), Some(ours_cpu), Some(b), Some(a)) =
            (theirs.cpu, ours.cpu, before.cpu, after.cpu)
        {
            figures.push(peer_figure(
                format!("peer.compile.cpu.{name}"),
                name,
                "the same builds' CPU time (user + system)".into(),
                "cpu s",
                (peer_cpu, ours_cpu, mean(b, a)),
            ));
        }
    }
    Ok(figures)
}

/// The tiny app on a peer client: the floor's dependencies and code, the generated crate,
/// and one function that makes the measured call (a library, like the floor: no runtime).
fn app(root: &Path, peer: &Path, provider: &str) -> Result<PathBuf, String> {
    let dir = root.join(format!("peer-app-{provider}"));
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let crate_dir = peer.join(provider);
    generate::write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"peer-app-{provider}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             # Not a member of any workspace.\n[workspace]\n\n\
             [dependencies]\npeer-{provider} = {{ path = {:?} }}\n{FLOOR_DEPENDENCIES}",
            crate_dir.display().to_string()
        ),
    )?;
    let call = APP_CALLS
        .iter()
        .find(|(p, _)| *p == provider)
        .map(|(_, code)| *code)
        .ok_or_else(|| format!("no app code for {provider}"))?;
    generate::write(
        &dir.join("src").join("lib.rs"),
        &format!("{}\n{call}", compile::FLOOR_LIB),
    )?;
    // The peer workspace's lock: the versions the runner built, the floor's among them.
    std::fs::copy(peer.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy the peer's Cargo.lock: {e}"))?;
    Ok(dir)
}

/// Each peer app's call (appended to the floor's code).
const APP_CALLS: &[(&str, &str)] = &[
    (
        "netfinity",
        r#"/// One SMS through the progenitor client.
pub async fn send_sms(base: &str) -> Result<bool, String> {
    let client = peer_netfinity::Client::new(base);
    let sms = peer_netfinity::types::Sms {
        msisdn: "359888123456".parse().map_err(|e| format!("{e}"))?,
        text: "Hello".parse().map_err(|e| format!("{e}"))?,
        id: None,
    };
    let accepted = client.send_sms(&sms).await.map_err(|e| e.to_string())?;
    Ok(accepted.into_inner().uuid.is_some())
}
"#,
    ),
    (
        "flexiti",
        r#"/// One authorization through the progenitor client (the bearer token is the caller's).
pub async fn authorization(base: &str) -> Result<Option<i64>, String> {
    let client = peer_flexiti::Client::new(base);
    let authorization = client
        .get_authorization("client", "A-1001", None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(authorization.into_inner().term)
}
"#,
    ),
    (
        "fsflt",
        r#"/// One auth token through the progenitor client (the key header is the caller's).
pub async fn auth_token(base: &str) -> Result<Option<String>, String> {
    let client = peer_fsflt::Client::new(base);
    let body = peer_fsflt::types::AuthTokenRequest {
        customer_code: "12345".parse().map_err(|e| format!("{e}"))?,
    };
    let answer = client.get_auth_token(&body).await.map_err(|e| e.to_string())?;
    Ok(Some(answer.into_inner().content.token))
}
"#,
    ),
    (
        "fl3xx",
        r#"/// One airport through the progenitor client.
pub async fn airport(base: &str) -> Result<Option<String>, String> {
    let client = peer_fl3xx::Client::new(base);
    let airport = client.get_airport("LOWW").await.map_err(|e| e.to_string())?;
    Ok(airport.into_inner().icao)
}
"#,
    ),
];
