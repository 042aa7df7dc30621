//! The error type of reel-ladder.

/// Result of a ladder computation.
pub type Result<T> = std::result::Result<T, Error>;

/// What is wrong with the curves or points given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A curve has fewer points than the method needs.
    #[error("{got} points; at least {need} are needed")]
    TooFewPoints { got: usize, need: usize },

    /// A rate-quality curve with fewer points than BD-rate needs.
    #[error("curve {curve}: {got} points; BD-rate needs at least {need}")]
    ShortCurve {
        curve: &'static str,
        got: usize,
        need: usize,
    },

    /// Interpolation points must have strictly increasing, finite `x`.
    #[error("the points' x values are not strictly increasing and finite")]
    NotIncreasing,

    /// A rate-quality curve whose quality does not rise with its rate.
    #[error("curve {curve}: not monotone (quality must rise with bit rate): {detail}")]
    NotMonotone { curve: &'static str, detail: String },

    /// A bit rate that is zero, negative or not finite.
    #[error("curve {curve}: bit rate {rate} is not a positive number")]
    BadRate { curve: &'static str, rate: f64 },

    /// The two curves share no quality range to compare over.
    #[error("the curves do not overlap in quality (A covers {a_min:.3}..{a_max:.3}, B {b_min:.3}..{b_max:.3})")]
    NoOverlap {
        a_min: f64,
        a_max: f64,
        b_min: f64,
        b_max: f64,
    },
}
