//! Reading a response body without ever holding more than the configured limit.

use bytes::{Bytes, BytesMut};

pub(crate) enum ReadError {
    /// The body is larger than the limit; the rest was not read.
    TooLarge,
    /// The connection failed while reading.
    Io(reqwest::Error),
}

/// Reads the whole body, refusing at once when `Content-Length` exceeds `limit` and
/// stopping as soon as the bytes read exceed it otherwise.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(ReadError::TooLarge);
    }
    let capacity = response.content_length().unwrap_or(0).min(limit);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Io)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
