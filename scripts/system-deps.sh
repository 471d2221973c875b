#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's chromium and chromium-driver
# for the browser tests (Playwright drives /usr/bin/chromium; it cannot download a browser
# here), and poppler-utils to read the PDF report back in its test. Idempotent: does
# nothing when they are present. Needs root (as on CI).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # the PDF report test reads it back
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: cannot install ${missing[*]} (need root and apt-get); browser tests will be skipped." >&2
    exit 0
fi
echo "system-deps: installing ${missing[*]} with apt-get..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
