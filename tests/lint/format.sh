#!/bin/sh
# Lint: daemon/ and include/ are formatted as the committed .clang-format
# says (OpenBSD KNF, approximately).  One TAP test per file; a failure shows
# the first places clang-format would change.  Fix with
#   clang-format -i --style=file FILE
# The output of clang-format differs a little between its major versions;
# this check is meant for Debian 12's (14.x).  Set CLANG_FORMAT to use
# another binary.
. "$(dirname "$0")/lib.sh"

: "${CLANG_FORMAT:=clang-format}"
command -v "$CLANG_FORMAT" >/dev/null 2>&1 ||
    tap_skip_all "$CLANG_FORMAT not installed (apt-get install clang-format)"
[ -f .clang-format ] || tap_skip_all "no .clang-format in $RN_TOP_SRCDIR"

files=$(c_files daemon include)
[ -n "$files" ] || tap_skip_all "no C files found under $RN_TOP_SRCDIR"

echo "# $("$CLANG_FORMAT" --version)"
for f in $files; do
	if out=$("$CLANG_FORMAT" --dry-run -Werror --style=file "$f" 2>&1); then
		tap_ok "$f"
	else
		tap_not_ok "$f is not formatted as .clang-format says"
		n=$(echo "$out" | grep -c 'error:' || true)
		echo "$n places; the first:" | tap_diag
		echo "$out" | grep -A2 'error:' | head -n 15 | tap_diag
	fi
done
tap_done
