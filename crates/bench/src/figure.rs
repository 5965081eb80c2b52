//! One measured figure, as written to the JSON report and read back by `cargo xtask bench`.

use serde::Serialize;

/// A bound a figure should meet: `value <op> limit`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Bound {
    /// `<=`, `>=`, `<` or `==`.
    pub op: &'static str,
    /// The limit.
    pub limit: f64,
}

impl Bound {
    /// `value <= limit`.
    pub fn at_most(limit: f64) -> Option<Bound> {
        Some(Bound { op: "<=", limit })
    }

    /// `value >= limit`.
    pub fn at_least(limit: f64) -> Option<Bound> {
        Some(Bound { op: ">=", limit })
    }

    /// `value < limit`.
    pub fn below(limit: f64) -> Option<Bound> {
        Some(Bound { op: "<", limit })
    }

    /// `value == limit`.
    pub fn exactly(limit: f64) -> Option<Bound> {
        Some(Bound { op: "==", limit })
    }
}

/// A figure: a client value against a baseline (then `ratio` is what the bounds judge), or a
/// single value (then `value` is).
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Stable id for comparisons across runs, e.g. `overhead.wall.fsflt`.
    pub id: String,
    /// The group: overhead, throughput, decoding, token, paging, compile.
    pub group: &'static str,
    /// The provider crate, when the figure is about one.
    pub provider: Option<&'static str>,
    /// What is measured, in words.
    pub what: String,
    /// The unit of `value` and `baseline`.
    pub unit: &'static str,
    /// The client's value (or the single value).
    pub value: f64,
    /// The baseline's value, for side-by-side figures.
    pub baseline: Option<f64>,
    /// `value / baseline`.
    pub ratio: Option<f64>,
    /// The target the ratio (or value) must meet.
    pub target: Option<Bound>,
    /// The goal it should meet.
    pub goal: Option<Bound>,
}

impl Figure {
    /// A side-by-side figure.
    #[allow(clippy::too_many_arguments)]
    pub fn versus(
        id: String,
        group: &'static str,
        provider: Option<&'static str>,
        what: String,
        unit: &'static str,
        value: f64,
        baseline: f64,
        (target, goal): (Option<Bound>, Option<Bound>),
    ) -> Figure {
        Figure {
            id,
            group,
            provider,
            what,
            unit,
            value,
            baseline: Some(baseline),
            ratio: (baseline != 0.0).then(|| value / baseline),
            target,
            goal,
        }
    }

    /// A single-value figure.
    pub fn single(
        id: String,
        group: &'static str,
        provider: Option<&'static str>,
        what: String,
        unit: &'static str,
        value: f64,
        target: Option<Bound>,
    ) -> Figure {
        Figure {
            id,
            group,
            provider,
            what,
            unit,
            value,
            baseline: None,
            ratio: None,
            target,
            goal: None,
        }
    }
}
