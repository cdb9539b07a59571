#!/usr/bin/env bash
# Rebuild the dashboard's vendored JavaScript from the npm registry:
#
#     scripts/build_js.sh
#
# installs the exact versions of js/package-lock.json (npm ci: checked against the
# lock file's integrity hashes, no install scripts run) and copies Plotly.js's basic
# bundle (scatter, bar, pie) and its licence to src/tradefacts/api/static/vendor/.
# The copied files are committed, so installing or testing tradefacts needs no npm;
# only this script does. To move to another Plotly.js version: change it in
# js/package.json, run `npm install --prefix js --ignore-scripts` (updates the lock
# file), then this script, and commit js/ and the vendor folder.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v npm >/dev/null 2>&1 || { echo "npm is needed to rebuild the bundle" >&2; exit 1; }

npm ci --prefix js --ignore-scripts --no-audit --no-fund

package=js/node_modules/plotly.js-basic-dist-min
vendor=src/tradefacts/api/static/vendor
mkdir -p "$vendor"
cp "$package/plotly-basic.min.js" "$vendor/plotly-basic.min.js"
cp "$package/LICENSE" "$vendor/plotly-basic.LICENSE.txt"

version=$(node -p "require('./$package/package.json').version")
echo "plotly.js-basic-dist-min $version -> $vendor/"
ls -l "$vendor/plotly-basic.min.js" "$vendor/plotly-basic.LICENSE.txt"
sha256sum "$vendor/plotly-basic.min.js"
