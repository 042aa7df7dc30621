#!/bin/sh
# Installs the Debian 12 packages reel builds and tests against: FFmpeg 5.1's libraries and
# CLI (the CLI is the benchmark baseline and makes synthetic test clips), libclang for
# ffmpeg-sys-next's bindgen, pkg-config, and python3-pip for fetching the test clips.
# With --test also what the report's browser test drives: Chromium, and Node.js with npm
# (which installs playwright-core) where the machine has no Node.js of its own, and
# python3-venv for the queue tests' moto_server.
set -eu
pkgs="libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev libavutil-dev
libswscale-dev libswresample-dev libclang-dev clang pkg-config ffmpeg python3 python3-pip time"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs chromium python3-venv"
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
fi
need=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
[ -n "$need" ] || exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps: installing$need"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need
