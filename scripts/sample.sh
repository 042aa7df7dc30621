#!/bin/sh
# The main job on a real sample: installs what reel needs, fetches the sample clips,
# builds reel, and encodes Big Buck Bunny end to end (inspect, per-title ladder,
# chunked encodes with HLS/DASH, validation, the HTML report) into out/sample.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
"$root/scripts/fetch-media.sh"
cargo build --release --locked -p reel-cli
./target/release/reel encode media-cache/bigbuckbunny.mp4 --output out/sample
echo "job:        $root/out/sample/job.json"
echo "ladder:     $root/out/sample/ladder.json"
echo "playlist:   $root/out/sample/hls/master.m3u8 (and dash/manifest.mpd)"
echo "validation: $root/out/sample/validate.json"
echo "report:     $root/out/sample/report/index.html"
echo "            its player needs the output served over HTTP:"
echo "            python3 -m http.server -d $root/out/sample, then open http://localhost:8000/report/"
