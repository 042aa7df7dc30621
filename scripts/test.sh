#!/bin/sh
# reel's whole test suite, as CI runs it, on a fresh Debian 12 machine with the Rust toolchain:
# installs the apt packages (Chromium for the report's browser test among them), fetches the real test clips, builds the test S3 server
# (s3s-fs, into target/tools), then runs format, lint, every test and a bench build.
# The tests start their own servers on 127.0.0.1.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" --test
if command -v rustup >/dev/null 2>&1; then
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
"$root/scripts/fetch-media.sh"
"$root/scripts/test-services.sh"
export REEL_MEDIA_DIR="$root/media-cache"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# Benches must keep compiling; build them with the test profile so CI does not build
# every dependency a second time in release mode (they are timed by hand, not in CI).
cargo test --workspace --locked --benches --no-run
