//! What the sandbox records of each request to an emulated endpoint, for tests to read.

use std::collections::BTreeMap;

/// One request to an emulated endpoint, as received, with the status the sandbox answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `"POST"`.
    pub method: String,
    /// The full path, e.g. `"/netfinity/v2/sms/notification/send"` (without the query).
    pub path: String,
    /// The headers, by lowercased name; repeated headers are joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The status code the sandbox answered. For a connection dropped after handling
    /// ([`Fault::drop_after_handling`](crate::Fault::drop_after_handling)), the status the
    /// emulator answered, which never left; 0 when nothing answered
    /// ([`Fault::drop_before_handling`](crate::Fault::drop_before_handling)).
    pub status: u16,
    /// The injected fault that met the request, if one did.
    pub fault: Option<crate::FaultKind>,
}

impl RecordedRequest {
    /// The status each request was answered with, in order: what a test of retries asserts.
    ///
    /// ```
    /// use api_sandbox::RecordedRequest;
    ///
    /// let answered = |status| RecordedRequest {
    ///     method: "POST".into(),
    ///     path: "/netfinity/v2/sms/notification/send".into(),
    ///     headers: Default::default(),
    ///     body: Vec::new(),
    ///     status,
    ///     fault: None,
    /// };
    /// // In a test: `RecordedRequest::statuses(&sandbox.netfinity().requests())`.
    /// assert_eq!(RecordedRequest::statuses(&[answered(429), answered(200)]), [429, 200]);
    /// ```
    pub fn statuses(requests: &[Self]) -> Vec<u16> {
        requests.iter().map(|r| r.status).collect()
    }

    /// The value of a header (the name is matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}
