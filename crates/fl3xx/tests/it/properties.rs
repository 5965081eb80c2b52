//! Property tests of the paths the client builds from ids and codes: whatever an id holds
//! (`/`, `..`, `%`, `?`, `#`, spaces, non-ASCII), the request that reaches the server has
//! exactly the operation's segments, the id's segment decoding to the id — or the client
//! refuses it with a typed `InvalidInput` and sends nothing.

use api_test_support::{check_segments, config, nasty, sent_once};
use fl3xx::{Error, Fl3xx, Id, OperatorClient};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The operations with an id in their path: the path with `X` where the id goes.
const OPERATIONS: [&str; 8] = [
    "/api/v2/airports/X",
    "/api/v2/flights/X/permits",
    "/api/v2/flight-permits/X",
    "/api/v2/flights/X/slots-pprs",
    "/api/external/airports/X",
    "/api/external/flight/X",
    "/api/external/flight/X/crew",
    "/api/external/staff/crew/X",
];

async fn call(client: &OperatorClient, operation: usize, value: &str) -> Option<Error> {
    let id = Id::from(value);
    let v1 = client.v1();
    let result = match operation {
        0 => client.get_airport(value).send().await.map(drop),
        1 => client.get_flight_permits(&id).send().await.map(drop),
        2 => client.get_flight_permit(&id).send().await.map(drop),
        3 => client.get_flight_slots_pprs(&id).send().await.map(drop),
        4 => v1.v1_get_airport(value).send().await.map(drop),
        5 => v1.v1_get_flight(&id).send().await.map(drop),
        6 => v1.v1_flight_crew(&id).send().await.map(drop),
        _ => v1.v1_get_crew(value).send().await.map(drop),
    };
    result.err()
}

#[test]
fn ids_never_change_the_request_path() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        // A 404 is final: one request per call.
        Mock::given(any_request())
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        server
    });
    let client = Fl3xx::builder()
        .client_id("props-client")
        .base_url(server.uri())
        .configure(|t| t.rate_limit(None))
        .build()
        .expect("partner")
        .for_operator("props-token")
        .expect("operator");

    let mut runner = TestRunner::new(config(96));
    runner
        .run(
            &(0..OPERATIONS.len(), nasty("../../api/v2/flights")),
            |(operation, value)| {
                let before = runtime
                    .block_on(server.received_requests())
                    .unwrap_or_default()
                    .len();
                let error = runtime.block_on(call(&client, operation, &value));
                let received = runtime
                    .block_on(server.received_requests())
                    .unwrap_or_default();
                if let Some(Error::InvalidInput(e)) = &error {
                    let refused = value.trim().is_empty() || value == "." || value == "..";
                    prop_assert!(refused, "{:?} refused: {:?}", value, e);
                    prop_assert_eq!(received.len(), before, "sent after all");
                    return Ok(());
                }
                let request = sent_once(error.as_ref(), &received, before)?;
                prop_assert_eq!(request.url.query(), None);
                check_segments(request.url.path(), OPERATIONS[operation], &[("X", &value)])?;
                Ok(())
            },
        )
        .expect("property");
}
