//! Run-time instruction-set dispatch without `unsafe`.
//!
//! Hot loops are written as plain, bounds-check-free Rust over fixed-size
//! blocks. [`Isa::run`] compiles them a second time with AVX2/FMA enabled
//! (through `pulp`, which keeps the unsafe target-feature call inside that
//! crate) and picks that copy when the CPU has it. All arithmetic is integer
//! or ordered scalar float, so both copies give bit-identical results; the
//! tests check it.

/// Which copy of the hot loops to run.
#[derive(Debug, Clone, Copy)]
pub struct Isa {
    arch: pulp::Arch,
}

impl Isa {
    /// The best instruction set this CPU has.
    pub fn detect() -> Self {
        Self {
            arch: pulp::Arch::new(),
        }
    }

    /// The portable baseline (SSE2 on x86-64).
    pub fn scalar() -> Self {
        Self {
            arch: pulp::Arch::Scalar,
        }
    }

    /// Whether this is the baseline.
    pub fn is_scalar(&self) -> bool {
        matches!(self.arch, pulp::Arch::Scalar)
    }

    /// The AVX2 token for hand-written kernels (`pulp`'s safe intrinsics),
    /// when this copy is the AVX2 one. `None` on the baseline path and on
    /// CPUs without AVX2/FMA, where callers use their portable loops.
    #[cfg(target_arch = "x86_64")]
    pub fn v3(self) -> Option<pulp::x86::V3> {
        match self.arch {
            pulp::Arch::Scalar => None,
            _ => pulp::x86::V3::try_new(),
        }
    }

    /// Runs `f`, compiled for this instruction set. `f` should only call
    /// `#[inline(always)]` code so that all of it gets the wider ISA.
    #[inline(always)]
    pub fn run<R>(self, f: impl FnOnce() -> R) -> R {
        self.arch.dispatch(f)
    }
}

impl Default for Isa {
    fn default() -> Self {
        Self::detect()
    }
}
