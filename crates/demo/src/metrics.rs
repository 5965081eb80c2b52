//! The call metrics of the whole run (api-core's `metrics` feature), collected by a Prometheus
//! recorder: the figures an operator would scrape, in Prometheus's text format.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::transcript::Transcript;

/// Installs the recorder; every call from now on is counted.
pub fn install() -> Option<PrometheusHandle> {
    PrometheusBuilder::new().install_recorder().ok()
}

/// Shows a few of the collected series, and checks that every provider's calls were counted.
pub fn show(t: &mut Transcript, handle: Option<&PrometheusHandle>) {
    t.section("Metrics (api-core feature `metrics`, Prometheus text format)");
    let Some(handle) = handle else {
        t.fail("the Prometheus recorder could not be installed");
        return;
    };
    let text = handle.render();
    let calls: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("api_client_calls{"))
        .collect();
    for line in calls.iter().take(4) {
        t.note(*line);
    }
    let counted = ["netfinity", "fsflt", "fl3xx", "flexiti"].iter().all(|p| {
        calls
            .iter()
            .any(|line| line.contains(&format!("api_provider=\"{p}\"")))
    });
    let refused = text
        .lines()
        .any(|line| line.starts_with("api_client_rate_limit_refusals"));
    t.check(
        counted && refused && text.contains("http_client_request_duration"),
        format!(
            "{} call series (api_client_calls, by provider, operation and outcome), the request \
             duration histogram, and the local rate-limit refusals",
            calls.len()
        ),
    );
}
