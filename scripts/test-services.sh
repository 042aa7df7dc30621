#!/usr/bin/env bash
# Installs the services the tests need, repo-locally under target/tools, so
# nothing outside the repository is required:
#   - s3s-fs: a real S3 server backed by a directory (used by reel-storage tests).
# Idempotent: does nothing when the binaries are already there. Built unoptimised
# (--debug): a test server needs no speed, and that halves the build time in CI.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/target/tools"
s3s_version="0.14.1"

if [[ -x "$tools/bin/s3s-fs" ]]; then
    echo "s3s-fs already installed: $tools/bin/s3s-fs"
else
    echo "installing s3s-fs $s3s_version into $tools (takes a few minutes)"
    # A separate target dir so this build never contends with the workspace's.
    CARGO_TARGET_DIR="${S3S_BUILD_DIR:-$repo/target/s3s-build}" \
        cargo install "s3s-fs@$s3s_version" --features binary --locked --debug --root "$tools"
fi

"$tools/bin/s3s-fs" --help >/dev/null
echo "ok: $tools/bin/s3s-fs"
