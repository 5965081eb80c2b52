//! Pagination as a `Stream` of items, one page in memory at a time.

use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::request::{Execute, Operation};

/// How an API pages its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// `offset` + `limit` (the offset counts items).
    Offset {
        /// Items per page.
        limit: u32,
    },
    /// `page` + `per_page` (the page number counts pages).
    PageNumber {
        /// The first page's number (0 or 1 depending on the API).
        first: u32,
        /// Items per page.
        per_page: u32,
    },
}

/// Which page to fetch next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items to skip (offset style; for page-number style, `page_index * per_page`).
    pub offset: u64,
    /// Items per page.
    pub limit: u32,
    /// The page number (page-number style; for offset style, the zero-based page index).
    pub page: u32,
}

/// One fetched page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Whether the server says more pages follow, when it says. Without it, a page shorter
    /// than the requested size is the last one.
    pub has_more: Option<bool>,
}

impl<T> Page<T> {
    /// A page with no explicit "more" marker.
    pub fn new(items: Vec<T>) -> Self {
        Self {
            items,
            has_more: None,
        }
    }
}

/// Streams every item of a paged list, fetching each page only when the previous one is
/// consumed. It ends after the last page; a failed page is yielded as an error item and
/// ends the stream.
///
/// ```
/// use api_core::paginate::{paginate, Page, PageStyle};
/// use futures_util::TryStreamExt;
///
/// # tokio_test_block_on(async {
/// let numbers: Vec<u64> = paginate(PageStyle::Offset { limit: 2 }, |page| async move {
///     let all = [1, 2, 3, 4, 5];
///     let start = (page.offset as usize).min(all.len());
///     let end = (start + page.limit as usize).min(all.len());
///     Ok(Page::new(all[start..end].to_vec()))
/// })
/// .try_collect()
/// .await?;
/// assert_eq!(numbers, [1, 2, 3, 4, 5]);
/// # Ok::<(), api_core::Error>(())
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     futures_util::FutureExt::now_or_never(f).expect("ready")
/// # }
/// ```
pub fn paginate<T, F, Fut>(style: PageStyle, mut fetch: F) -> impl Stream<Item = Result<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let (size, first_page) = match style {
        PageStyle::Offset { limit } => (limit.max(1), 0),
        PageStyle::PageNumber { first, per_page } => (per_page.max(1), first),
    };
    let start = Some(PageRequest {
        offset: 0,
        limit: size,
        page: first_page,
    });
    stream::unfold(start, move |next| {
        let fetched = next.map(|request| (request, fetch(request)));
        async move {
            let (request, page) = fetched?;
            match page.await {
                Err(error) => Some((vec![Err(error)], None)),
                Ok(page) => {
                    let count = page.items.len();
                    let more = page.has_more.unwrap_or(count >= size as usize) && count > 0;
                    let next = more.then(|| PageRequest {
                        offset: request
                            .offset
                            .saturating_add(u64::try_from(count).unwrap_or(u64::MAX)),
                        limit: size,
                        page: request.page.saturating_add(1),
                    });
                    Some((page.items.into_iter().map(Ok).collect::<Vec<_>>(), next))
                }
            }
        }
    })
    .flat_map(stream::iter)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use futures_util::TryStreamExt;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn offset_style_walks_every_page_and_stops_on_a_short_one() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let items: Vec<u32> = paginate(PageStyle::Offset { limit: 3 }, move |req| {
            log.lock().expect("lock").push((req.offset, req.limit));
            async move {
                let end = (req.offset + u64::from(req.limit)).min(7);
                Ok(Page::new((req.offset as u32..end as u32).collect()))
            }
        })
        .try_collect()
        .await
        .expect("all pages");
        assert_eq!(items, (0..7).collect::<Vec<_>>());
        assert_eq!(*seen.lock().expect("lock"), [(0, 3), (3, 3), (6, 3)]);
    }

    #[tokio::test]
    async fn page_number_style_honours_has_more_and_an_exact_last_page() {
        let pages = Arc::new(Mutex::new(Vec::new()));
        let log = pages.clone();
        let items: Vec<u32> = paginate(
            PageStyle::PageNumber {
                first: 1,
                per_page: 2,
            },
            move |req| {
                log.lock().expect("lock").push(req.page);
                async move {
                    Ok(Page {
                        items: vec![req.page * 10, req.page * 10 + 1],
                        has_more: Some(req.page < 2),
                    })
                }
            },
        )
        .try_collect()
        .await
        .expect("all pages");
        assert_eq!(items, [10, 11, 20, 21]);
        assert_eq!(*pages.lock().expect("lock"), [1, 2]);
    }

    #[tokio::test]
    async fn a_failed_page_is_an_error_item_and_ends_the_stream() {
        let results: Vec<Result<u32>> =
            paginate(PageStyle::Offset { limit: 1 }, |req| async move {
                if req.offset == 1 {
                    Err(Error::Config("page failed".into()))
                } else {
                    Ok(Page::new(vec![req.offset as u32]))
                }
            })
            .collect()
            .await;
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].as_ref().ok(), Some(&0));
        assert!(matches!(&results[1], Err(Error::Config(m)) if m == "page failed"));
    }

    #[tokio::test]
    async fn an_empty_first_page_ends_at_once() {
        let items: Vec<u32> = paginate(PageStyle::Offset { limit: 5 }, |_| async {
            Ok(Page::<u32>::new(vec![]))
        })
        .try_collect()
        .await
        .expect("empty");
        assert!(items.is_empty());
    }
}
