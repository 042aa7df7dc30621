//! Runs the analysis loops compiled for the widest instruction set the CPU
//! has (AVX2 on most x86-64 machines), chosen at run time.
//!
//! The loops are plain Rust marked `#[inline(always)]`; `pulp` compiles
//! them a second time inside a function with the wider target features and
//! keeps the unsafe call in that crate. Only integer and ordered float
//! operations are used (no fused multiply-add), so every copy gives the same
//! results.

/// Runs `f` compiled for the best instruction set available.
#[inline(always)]
pub(crate) fn wide_simd<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}
