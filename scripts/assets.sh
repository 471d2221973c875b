#!/usr/bin/env bash
# Install the map's third-party JavaScript/CSS (Leaflet) from the npm registry, pinned by
# package.json + package-lock.json, and copy the distribution files into
# covplan/assets/vendor/ (gitignored), where covplan.mapview finds them to inline them into
# maps. Nothing third-party is committed; maps then render with no internet.
# Idempotent: when the vendor folder matches the lock file a run returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=covplan/assets/vendor
STAMP="$VENDOR/.stamp"
want="$(cat package.json package-lock.json scripts/assets.sh | sha256sum | cut -d' ' -f1)"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "covplan assets: npm not found. Install Node.js 18+ with npm (Debian: apt-get install -y nodejs npm), then run: bash scripts/assets.sh" >&2
    exit 1
fi

echo "covplan assets: installing Leaflet from the npm registry into $VENDOR..."
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

mkdir -p covplan/assets
tmp="$(mktemp -d covplan/assets/.vendor.XXXXXX)"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/leaflet/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$tmp/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$tmp/leaflet/images/"
cp node_modules/leaflet/LICENSE "$tmp/leaflet/LICENSE"
node -e 'process.stdout.write(require("./node_modules/leaflet/package.json").version + "\n")' \
    > "$tmp/leaflet/VERSION"
echo "$want" > "$tmp/.stamp"

rm -rf "$VENDOR"
mv "$tmp" "$VENDOR"
trap - EXIT
echo "covplan assets: Leaflet $(cat "$VENDOR/leaflet/VERSION") ready in $VENDOR."
