#!/usr/bin/env bash
# Vendors Leaflet from the npm registry into dispatch/web/static/vendor/leaflet/ (leaflet.js,
# leaflet.css, images/ and the licence), so the pages run with no build step and no internet.
# Run by `make vendor`; the result is committed. Needs npm (only to fetch the package).
set -euo pipefail

VERSION=${LEAFLET_VERSION:-1.9.4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/dispatch/web/static/vendor/leaflet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v npm >/dev/null || { echo "npm is needed to fetch leaflet@$VERSION" >&2; exit 1; }
(cd "$work" && npm pack --silent "leaflet@$VERSION" >/dev/null)
tar -xzf "$work/leaflet-$VERSION.tgz" -C "$work"
package="$work/package"
test "$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' "$package/package.json")" = "$VERSION"

rm -rf "$DEST"
mkdir -p "$DEST/images"
cp "$package/dist/leaflet.js" "$package/dist/leaflet.css" "$DEST/"
cp "$package/dist/images/"*.png "$DEST/images/"
cp "$package/LICENSE" "$DEST/LICENSE"
printf 'leaflet %s from the npm registry (npm pack leaflet@%s); see LICENSE.\n' \
  "$VERSION" "$VERSION" > "$DEST/VERSION"
echo "leaflet $VERSION vendored into ${DEST#"$ROOT"/}"
