#!/usr/bin/env bash
# Installs the services the tests need, repo-locally under target/tools, so
# nothing outside the repository is required:
#   - s3s-fs: a real S3 server backed by a directory (used by reel-storage tests).
#   - moto_server (PyPI moto[server]) in a virtual environment under target/tools/moto:
#     SQS, and S3 with S3 -> SQS event notifications (the queue tests).
# Idempotent: does nothing when the binaries are already there. Built unoptimised
# (--debug): a test server needs no speed, and that halves the build time in CI.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/target/tools"
s3s_version="0.14.1"
moto_version="5.2.5"

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

if [[ -x "$tools/moto/bin/moto_server" ]] && "$tools/moto/bin/python" -c "import moto, boto3" 2>/dev/null; then
    echo "moto_server already installed: $tools/moto/bin/moto_server"
else
    echo "installing moto[server] $moto_version into $tools/moto"
    python3 -m venv "$tools/moto"
    "$tools/moto/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi
"$tools/moto/bin/python" -c "import moto, boto3"
echo "ok: $tools/moto/bin/moto_server"
