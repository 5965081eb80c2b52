//! What a provider's OpenAPI description says about each operation, as data.
//!
//! `cargo xtask codegen` writes one [`OperationSpec`] per operation of
//! `specs/<provider>.yaml` into the provider crate's `generated/operations.rs` (and the
//! whole list as `OPERATIONS`), so the client, the sandbox, the docs tables and the
//! conformance tests read a fact where the spec states it, never from a copy.
//!
//! ```
//! use api_core::spec::{Location, OperationSpec, PageStyle, Pagination, ParameterSpec};
//! use api_core::{Idempotency, Method};
//!
//! const LIST: OperationSpec = OperationSpec {
//!     id: "list_flights",
//!     method: Method::GET,
//!     path: "/api/v2/flights",
//!     idempotency: Idempotency::Safe,
//!     credentials: &["clientId", "authToken"],
//!     scopes: &[],
//!     idempotency_key_header: None,
//!     moves_money: false,
//!     unconfirmed: false,
//!     unconfirmed_body: false,
//!     empty_response: false,
//!     pagination: Some(Pagination { style: PageStyle::Offset, size: "limit", position: "offset" }),
//!     parameters: &[ParameterSpec::query("limit").bounds(Some(10), Some(50))],
//! };
//! assert_eq!(LIST.page_size_bounds(), (Some(10), Some(50)));
//! assert_eq!(LIST.parameter("limit").map(|p| p.location), Some(Location::Query));
//! ```

use reqwest::Method;

use crate::request::Idempotency;
use crate::validate::Pattern;

/// One operation of a provider's spec.
///
/// Built by generated code, with every field spelled out: a field added here is a compile
/// error in every generated table until codegen writes it.
#[derive(Debug, Clone)]
pub struct OperationSpec {
    /// The spec's `operationId` (the name in spans and errors).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template relative to the API's base URL, version included (`{name}` marks a
    /// path parameter).
    pub path: &'static str,
    /// Whether repeating it can repeat its effect (`x-idempotency`, else from the method).
    pub idempotency: Idempotency,
    /// The security schemes the operation needs (the first alternative of its `security`,
    /// else the spec's default): header names such as `clientId` and `authToken`.
    pub credentials: &'static [&'static str],
    /// The OAuth2 scopes that may call it, in the spec's order; the client uses the first.
    /// Empty when the API has no scopes.
    pub scopes: &'static [&'static str],
    /// The header that carries an idempotency key, when the provider documents one for this
    /// operation (`x-idempotency-key`).
    pub idempotency_key_header: Option<&'static str>,
    /// True when the operation moves money (`x-moves-money`).
    pub moves_money: bool,
    /// True when the public documentation does not show it fully (`x-unconfirmed`); the
    /// crate compiles it only with its `unconfirmed` feature.
    pub unconfirmed: bool,
    /// True when the operation is documented but its (optional) request body is our guess
    /// (`x-unconfirmed-body`): an error answer to a request with a body says so.
    pub unconfirmed_body: bool,
    /// True when an empty 2xx body is a success (`x-empty-response`, or no response content).
    pub empty_response: bool,
    /// How it pages (`x-pagination`), when it returns one page of a list.
    pub pagination: Option<Pagination>,
    /// Its path and query parameters, in the spec's order.
    pub parameters: &'static [ParameterSpec],
}

impl OperationSpec {
    /// The parameter named `name` (path or query).
    pub fn parameter(&self, name: &str) -> Option<&'static ParameterSpec> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// The page-size parameter's `minimum` and `maximum` (`(None, None)` for an operation
    /// that does not page, or a page size without bounds).
    pub fn page_size_bounds(&self) -> (Option<i64>, Option<i64>) {
        self.pagination
            .and_then(|page| self.parameter(page.size))
            .map_or((None, None), |p| (p.minimum, p.maximum))
    }

    /// True when a token of OAuth2 `scope` may call it (always, for an API without scopes).
    pub fn allows_scope(&self, scope: &str) -> bool {
        self.scopes.is_empty() || self.scopes.contains(&scope)
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A `{name}` of the path template.
    Path,
    /// A query parameter.
    Query,
}

/// One path or query parameter and its documented bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParameterSpec {
    /// The name on the wire.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// True when the operation needs it.
    pub required: bool,
    /// The smallest value allowed (`minimum`).
    pub minimum: Option<i64>,
    /// The largest value allowed (`maximum`).
    pub maximum: Option<i64>,
    /// The fewest characters (`minLength`).
    pub min_length: Option<u64>,
    /// The most characters (`maxLength`).
    pub max_length: Option<u64>,
    /// The `pattern` its text must match.
    pub pattern: Option<&'static Pattern>,
    /// Its `format` (`date`, `date-time`, `int32`, ...).
    pub format: Option<&'static str>,
    /// The value the server assumes when it is absent (an integer `default`).
    pub default: Option<i64>,
}

impl ParameterSpec {
    /// An optional query parameter without bounds.
    pub const fn query(name: &'static str) -> Self {
        Self::new(name, Location::Query)
    }

    /// A path parameter (always required) without bounds.
    pub const fn path(name: &'static str) -> Self {
        let mut spec = Self::new(name, Location::Path);
        spec.required = true;
        spec
    }

    const fn new(name: &'static str, location: Location) -> Self {
        Self {
            name,
            location,
            required: false,
            minimum: None,
            maximum: None,
            min_length: None,
            max_length: None,
            pattern: None,
            format: None,
            default: None,
        }
    }

    /// The same, with the server's `default`.
    pub const fn default_value(mut self, value: i64) -> Self {
        self.default = Some(value);
        self
    }

    /// The same, required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The same, with `minimum` and `maximum`.
    pub const fn bounds(mut self, minimum: Option<i64>, maximum: Option<i64>) -> Self {
        self.minimum = minimum;
        self.maximum = maximum;
        self
    }

    /// The same, with `minLength` and `maxLength`.
    pub const fn lengths(mut self, min_length: Option<u64>, max_length: Option<u64>) -> Self {
        self.min_length = min_length;
        self.max_length = max_length;
        self
    }

    /// The same, with a `pattern`.
    pub const fn pattern(mut self, pattern: &'static Pattern) -> Self {
        self.pattern = Some(pattern);
        self
    }

    /// The same, with a `format`.
    pub const fn format(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }
}

/// How a list operation pages (`x-pagination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// What the position parameter counts.
    pub style: PageStyle,
    /// The page-size parameter (its bounds are the parameter's `minimum` and `maximum`).
    pub size: &'static str,
    /// The position parameter: an item offset or a page number.
    pub position: &'static str,
}

/// What a page position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageStyle {
    /// Items skipped (`offset`), from 0.
    Offset,
    /// Pages, from the first page number the provider uses.
    PageNumber {
        /// The number of the first page (0 or 1).
        first: u32,
    },
}
