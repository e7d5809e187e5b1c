#!/bin/sh
# Lint: cppcheck over daemon/ (warnings, portability, performance).  A
# finding that is wrong can be silenced on its line with
#   /* cppcheck-suppress <id> */
# placed on the line before, with a comment saying why.
. "$(dirname "$0")/lib.sh"

: "${CPPCHECK:=cppcheck}"
command -v "$CPPCHECK" >/dev/null 2>&1 ||
    tap_skip_all "$CPPCHECK not installed (apt-get install cppcheck)"
[ -d daemon ] || tap_skip_all "no daemon/ under $RN_TOP_SRCDIR"

echo "# $("$CPPCHECK" --version)"
# config.h is generated in the build tree; cppcheck is told where it is.
inc="-I include"
[ -f "$RN_TOP_BUILDDIR/config.h" ] && inc="$inc -I $RN_TOP_BUILDDIR"
# shellcheck disable=SC2086
if out=$("$CPPCHECK" --enable=warning,portability,performance --error-exitcode=1 \
    --inline-suppr $inc --std=c11 -D_GNU_SOURCE --quiet daemon/ 2>&1); then
	tap_ok "cppcheck daemon/"
	[ -z "$out" ] || echo "$out" | tap_diag
else
	tap_not_ok "cppcheck daemon/"
	echo "$out" | tap_diag
fi
tap_done
