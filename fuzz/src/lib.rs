//! What every fuzz target shares: an allocator that turns one oversized allocation into a
//! crash, and a reader that splits the fuzzer's bytes into the parts a target needs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;

/// The largest single allocation a decoder may make. The inputs are a few KiB at most
/// (libFuzzer's `-max_len`), so anything near this size is an allocation sized by the input's
/// claims rather than its length: a bug.
pub const MAX_ALLOCATION: usize = 64 << 20;

/// The system allocator, aborting (a crash libFuzzer records with its input) on any single
/// request over [`MAX_ALLOCATION`]. libFuzzer's own `-malloc_limit_mb` needs a sanitizer's
/// malloc hooks, which a plain stable build lacks.
pub struct CappedAllocator;

// SAFETY: every call is forwarded unchanged to `System`; the check only adds an abort.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn check(size: usize) {
    if size > MAX_ALLOCATION {
        // No formatting: allocating here would recurse.
        let _ = std::io::stderr().write_all(b"==fuzz== single allocation over MAX_ALLOCATION\n");
        std::process::abort();
    }
}

#[global_allocator]
static ALLOCATOR: CappedAllocator = CappedAllocator;

/// The fuzzer's bytes, consumed from the front.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    /// Wraps the fuzzer's bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Self(data)
    }

    /// One byte (0 when none is left).
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((first, rest)) => {
                self.0 = rest;
                *first
            }
            None => 0,
        }
    }

    /// An HTTP status, 100–599, from two bytes.
    pub fn status(&mut self) -> api_core::StatusCode {
        let raw = u16::from_le_bytes([self.byte(), self.byte()]);
        // 100..=599 always makes a valid status.
        api_core::StatusCode::from_u16(100 + raw % 500).unwrap_or(api_core::StatusCode::OK)
    }

    /// One of `choices`, picked by a byte.
    pub fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[usize::from(self.byte()) % choices.len()]
    }

    /// The bytes up to the next `\n` (or the end), without it.
    pub fn line(&mut self) -> &'a [u8] {
        match self.0.iter().position(|b| *b == b'\n') {
            Some(at) => {
                let (line, rest) = self.0.split_at(at);
                self.0 = &rest[1..];
                line
            }
            None => self.rest(),
        }
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }
}

/// Runs a provider's error decoder the way the transport does: `check_success` on a 2xx,
/// `decode_error` on anything else, then the public accessors on the resulting error.
pub fn decode_error(
    decoder: &dyn api_core::ErrorDecoder,
    provider: &'static str,
    operation: &'static str,
    status: api_core::StatusCode,
    body: &[u8],
) {
    let error = if status.is_success() {
        decoder.check_success(status, body)
    } else {
        let mut error = api_core::ApiError::new(provider, operation, status);
        decoder.decode_error(&mut error, body);
        Some(error)
    };
    if let Some(error) = error {
        let error = api_core::Error::from(error);
        // Display and Debug walk every field the decoder filled in.
        let _ = format!("{error} {error:?}");
        let _ = (
            error.is_retryable(),
            error.retry_after(),
            error.field_errors(),
        );
    }
}

/// Decodes `body` as a `T` the way the transport does for a 2xx (naming the failing path,
/// refusing trailing bytes), and formats whatever comes out.
pub fn decode_model<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &[u8]) {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => {
            let _ = deserializer.end();
            let _ = format!("{value:?}");
        }
        Err(error) => {
            let _ = format!("{} {}", error.path(), error.inner());
        }
    }
}
