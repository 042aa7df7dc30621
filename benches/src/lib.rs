//! Benchmarks of reel against real baselines (see the bench targets).
