//! How a provider's generated request builders reach the network: the provider's client
//! implements [`Execute`] (its policy: which transport, which headers), and every builder's
//! `send` and `paginate` go through [`send`] and [`pages`].
//!
//! A builder checks its inputs when it turns into an [`Operation`]; a failed check is answered
//! here without a request. Per-call settings (a timeout, an idempotency key) attach to the
//! operation between the two, so they will need no change to the providers.

use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::future::Either;
use serde::de::DeserializeOwned;

use crate::decode::Response;
use crate::error::Result;
use crate::paginate::{Page, PageRequest, PageStyle, paginate};
use crate::request::{CallSettings, Operation};

/// A provider's client, as its generated request builders see it.
///
/// ```
/// use api_core::{Execute, Operation, Response, Result, Transport};
///
/// #[derive(Clone)]
/// struct Client { transport: Transport }
///
/// impl Execute for Client {
///     fn execute<T: serde::de::DeserializeOwned + Send + 'static>(
///         &self,
///         operation: Operation<T>,
///     ) -> impl Future<Output = Result<Response<T>>> + Send {
///         // A provider adds its policy here: a reference header, a choice of token.
///         self.transport.execute(operation)
///     }
/// }
/// ```
pub trait Execute: Clone + Send + Sync + 'static {
    /// Sends `operation` with the provider's policy and decodes its answer.
    fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send;
}

/// Sends a checked operation, or answers the check's error without a request.
///
/// A plain function returning the client's future, not an `async fn`: an async wrapper keeps
/// its arguments in its state next to the future it awaits (the transport explains the cost).
pub fn send<C: Execute, T: DeserializeOwned + Send + 'static>(
    client: &C,
    operation: Result<Operation<T>>,
) -> impl Future<Output = Result<Response<T>>> + Send + '_ {
    match operation {
        Ok(operation) => Either::Left(client.execute(operation)),
        Err(error) => Either::Right(std::future::ready(Err(error))),
    }
}

/// The operation with a builder's per-call settings (unchanged when there are none).
pub fn configure<T>(
    operation: Result<Operation<T>>,
    settings: CallSettings,
) -> Result<Operation<T>> {
    if settings.is_empty() {
        return operation;
    }
    operation.map(|operation| operation.map_request(|request| request.settings(settings)))
}

/// Every item of a paged list, as a boxed stream: `Unpin`, `Send` and `'static`, so it can be
/// stored, spawned or polled with `StreamExt::next` directly.
pub type Pages<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

/// Streams every item of the operation `build` makes for each page, sent through `client`.
/// The answer is any list (`Vec<T>`, a provider's page envelope): its items are the page's,
/// and a page shorter than the requested size is the last.
pub fn pages<C, R, F>(client: C, style: PageStyle, mut build: F) -> Pages<R::Item>
where
    C: Execute,
    R: IntoIterator + DeserializeOwned + Send + 'static,
    R::Item: Send + 'static,
    F: FnMut(&C, PageRequest) -> Result<Operation<R>> + Send + 'static,
{
    Box::pin(paginate(style, move |page| {
        let client = client.clone();
        let operation = build(&client, page);
        async move {
            let answer = client.execute(operation?).await?.into_inner();
            Ok(Page::new(answer.into_iter().collect()))
        }
    }))
}
