//! What code that uses a client usually needs in scope, re-exported by every provider crate as
//! `<crate>::prelude`: the stream extension traits, so that a `.paginate()` stream takes
//! `.next()`, `.try_next()` and `.try_collect()` without a dependency of your own.
//!
//! ```
//! use api_core::prelude::*;
//!
//! # futures_util::FutureExt::now_or_never(async {
//! let mut items = futures_util::stream::iter([Ok::<u32, api_core::Error>(1), Ok(2)]);
//! assert_eq!(items.try_next().await?, Some(1));
//! # Ok::<(), api_core::Error>(())
//! # }).expect("ready")?;
//! # Ok::<(), api_core::Error>(())
//! ```

pub use futures_util::{StreamExt, TryStreamExt};
