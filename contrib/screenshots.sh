#!/usr/bin/env bash
# Remake docs/screenshots/dropbox-*.png: the drop-box's pages as Firefox ESR
# at Tor Browser's "Safest" settings shows them (JavaScript, SVG, MathML and
# web fonts off), by running the real-browser test with --screenshots.
#
# Usage: contrib/screenshots.sh [BUILDDIR]   (BUILDDIR holds a built roneod;
#        default: build/normal, or the source tree itself)
# Needs firefox-esr and libfirefox-marionette-perl (RN_TEST_PKGS), age and
# openssl.  Offline: roneod listens on 127.0.0.1 only and the browser's other
# connections go to a closed local port.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

B=${1:-}
if [ -z "$B" ]; then
	for d in "$RN_TOP/build/normal" "$RN_TOP"; do
		[ -x "$d/roneod" ] && { B=$d; break; }
	done
fi
if [ -z "$B" ] || [ ! -x "$B/roneod" ]; then
	echo "screenshots.sh: no roneod built (give the build directory)" >&2
	exit 1
fi
out="$RN_TOP/docs/screenshots"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rn-shots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

RONEOD="$(cd "$B" && pwd)/roneod" RN_TOP_SRCDIR="$RN_TOP" \
    python3 "$RN_TOP/tests/integration/test_browser.py" --screenshots "$tmp" | tee "$tmp/tap"
if grep -q '^not ok' "$tmp/tap"; then
	echo "screenshots.sh: the browser test failed; docs/screenshots left as they were" >&2
	exit 1
fi
# Every page is shot; the ones the docs show are kept.
for name in landing form receipt return mailbox followup 413; do
	cp "$tmp/dropbox-$name.png" "$out/dropbox-$name.png"
done
ls -l "$out"/dropbox-*.png
