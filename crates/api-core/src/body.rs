//! Reading a response body without ever holding more than the configured limit.

use bytes::{Bytes, BytesMut};
use http_body::Body as _;
use http_body_util::BodyExt as _;

pub(crate) enum ReadError {
    /// The body is larger than the limit; the rest was not read.
    TooLarge,
    /// The connection failed while reading.
    Io(reqwest::Error),
}

/// Reads the whole body, refusing at once when its announced length (`Content-Length`)
/// exceeds `limit` and stopping as soon as the bytes read exceed it otherwise.
pub(crate) async fn read_limited(mut body: reqwest::Body, limit: u64) -> Result<Bytes, ReadError> {
    let announced = body.size_hint().exact();
    if announced.is_some_and(|len| len > limit) {
        return Err(ReadError::TooLarge);
    }
    // Allocated at the first chunk that needs copying.
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        // Trailers carry no body bytes.
        let Ok(chunk) = frame.map_err(ReadError::Io)?.into_data() else {
            continue;
        };
        let read = u64::try_from(buffer.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if read > limit {
            return Err(ReadError::TooLarge);
        }
        if buffer.is_empty() && announced == Some(chunk.len() as u64) {
            // The whole body in one chunk: keep it as it came, without a copy.
            return Ok(chunk);
        }
        if buffer.is_empty() {
            let capacity = announced.unwrap_or(0).min(limit);
            buffer.reserve(usize::try_from(capacity).unwrap_or(0));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &'static str, limit: u64) -> Result<Bytes, ReadError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(read_limited(reqwest::Body::from(body), limit))
    }

    #[test]
    fn reads_a_body_up_to_the_limit() {
        assert!(matches!(read("{\"a\":1}", 7), Ok(b) if b == "{\"a\":1}"));
        assert!(matches!(read("", 0), Ok(b) if b.is_empty()));
    }

    #[test]
    fn refuses_an_announced_length_over_the_limit_before_reading() {
        assert!(matches!(read("{\"a\":1}", 6), Err(ReadError::TooLarge)));
    }
}
