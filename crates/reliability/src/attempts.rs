//! How many attempts each call made, read from api-core's `api.call` span.
//!
//! A refused connection leaves no trace on the server, yet the client tried: the span's
//! `attempts` field says how often. Calls are grouped by an enclosing span named
//! [`CELL_SPAN`] with a numeric `cell` field, so concurrent calls on many threads stay apart.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The name of the grouping span: `tracing::info_span!("cell", cell = n)`.
pub const CELL_SPAN: &str = "cell";
/// api-core's span around one call (see `Transport::send`).
const CALL_SPAN: &str = "api.call";

/// The attempts recorded per cell, shared with the layer that fills it.
#[derive(Debug, Clone, Default)]
pub struct Attempts(Arc<Mutex<HashMap<u64, u32>>>);

impl Attempts {
    /// The attempts of the last call made inside cell `cell`; 0 when none was recorded.
    pub fn of(&self, cell: u64) -> u32 {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&cell)
            .copied()
            .unwrap_or(0)
    }
}

/// Installs a global subscriber that records attempts (once per process; later calls return
/// the same record). When another global subscriber was installed first, nothing is
/// recorded and [`Attempts::of`] answers 0.
pub fn install() -> Attempts {
    static INSTALLED: OnceLock<Attempts> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let attempts = Attempts::default();
            let subscriber = tracing_subscriber::registry().with(AttemptsLayer(attempts.clone()));
            let _ = tracing::subscriber::set_global_default(subscriber);
            attempts
        })
        .clone()
}

struct CellId(u64);

struct AttemptsLayer(Attempts);

impl<S> Layer<S> for AttemptsLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != CELL_SPAN {
            return;
        }
        let mut cell = U64Field::new("cell");
        attrs.record(&mut cell);
        if let (Some(value), Some(span)) = (cell.value, ctx.span(id)) {
            span.extensions_mut().insert(CellId(value));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        if span.name() != CALL_SPAN {
            return;
        }
        let mut attempts = U64Field::new("attempts");
        values.record(&mut attempts);
        let Some(value) = attempts.value else {
            return;
        };
        let cell = span
            .scope()
            .find_map(|s| s.extensions().get::<CellId>().map(|c| c.0));
        if let Some(cell) = cell {
            let value = u32::try_from(value).unwrap_or(u32::MAX);
            self.0
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(cell, value);
        }
    }
}

/// Picks one unsigned field out of a span's values.
struct U64Field {
    name: &'static str,
    value: Option<u64>,
}

impl U64Field {
    fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }
}

impl Visit for U64Field {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == self.name {
            self.value = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == self.name {
            self.value = u64::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {}
}
