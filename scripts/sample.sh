#!/bin/sh
# The main job on a real sample: installs what reel needs, fetches the sample clips,
# builds reel, and inspects Big Buck Bunny into out/sample/inspect.json.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
"$root/scripts/fetch-media.sh"
cargo build --release --locked -p reel-cli
./target/release/reel inspect media-cache/bigbuckbunny.mp4 --output out/sample
echo "report: $root/out/sample/inspect.json"
