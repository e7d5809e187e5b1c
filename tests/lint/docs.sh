#!/bin/sh
# Lint: the documentation agrees with the code.
#   1. Every option of the config table (daemon/conf/options.c, and what
#      `roneod --dump-config` prints) has a row in the table of the section
#      "## Configuration options" of docs/operator-guide.md, and every row of
#      that table is an option.
#   2. Every option roneod(8) names with .Cm exists.
#   3. Every flag in roneod(8) (SYNOPSIS and .It Fl items) is in the output of
#      `roneod -h`, and every flag of `roneod -h` is in roneod(8).
#   4. The man pages pass `mandoc -T lint -W warning`, or else
#      `groff -ww -z` without a warning.
# A check that needs a missing tool or an unbuilt roneod is skipped visibly.
. "$(dirname "$0")/lib.sh"

GUIDE=docs/operator-guide.md
MAN8=docs/man/roneod.8
OPTIONS_C=daemon/conf/options.c
RONEOD_BIN=${RONEOD:-$RN_TOP_BUILDDIR/roneod}
[ -x "$RONEOD_BIN" ] || RONEOD_BIN=

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rn-docs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# --- the option names --------------------------------------------------
{
	[ -f "$OPTIONS_C" ] &&
	    sed -n 's/^[ 	]*{ *"\([A-Z][A-Za-z0-9]*\)", *RN_CONF_[A-Z]*,.*/\1/p' "$OPTIONS_C"
	if [ -n "$RONEOD_BIN" ]; then
		: >"$tmp/empty.conf"
		"$RONEOD_BIN" -f "$tmp/empty.conf" --dump-config 2>/dev/null |
		    sed -n 's/^\([A-Z][A-Za-z0-9]*\)[ 	].*/\1/p; s/^\([A-Z][A-Za-z0-9]*\)$/\1/p'
	fi
} | LC_ALL=C sort -u >"$tmp/options"

if [ ! -s "$tmp/options" ]; then
	tap_skip "options documented in $GUIDE" "no option table ($OPTIONS_C) and no roneod"
elif [ ! -f "$GUIDE" ]; then
	tap_not_ok "options documented: $GUIDE is missing"
else
	# First cells of the table rows in the "## Configuration options" section.
	"$AWK" '
	/^## / { insec = ($0 ~ /^## Configuration options[ \t]*$/); next }
	insec && /^\|/ {
		cell = $0
		sub(/^\|[ \t]*/, "", cell)
		sub(/[ \t]*\|.*/, "", cell)
		gsub(/`/, "", cell)
		if (cell ~ /^[A-Z][A-Za-z0-9]*$/)
			print cell
	}' "$GUIDE" | LC_ALL=C sort -u >"$tmp/guide"
	missing=$(LC_ALL=C comm -23 "$tmp/options" "$tmp/guide")
	extra=$(LC_ALL=C comm -13 "$tmp/options" "$tmp/guide")
	if [ -z "$missing" ]; then
		tap_ok "every option ($(wc -l <"$tmp/options" | tr -d ' ')) has a row in $GUIDE"
	else
		tap_not_ok "options missing from the table of $GUIDE"
		echo "$missing" | tap_diag
	fi
	if [ -z "$extra" ]; then
		tap_ok "every row of the option table of $GUIDE is an option"
	else
		tap_not_ok "rows of the option table of $GUIDE that are no option"
		echo "$extra" | tap_diag
	fi
fi

# --- roneod(8) names only real options ---------------------------------
if [ ! -s "$tmp/options" ] || [ ! -f "$MAN8" ]; then
	tap_skip "options named in $MAN8 exist" "no option list or no $MAN8"
else
	grep -o 'Cm [A-Z][A-Za-z0-9]*' "$MAN8" | sed 's/^Cm //' | LC_ALL=C sort -u >"$tmp/man_cm"
	bad=$(LC_ALL=C comm -23 "$tmp/man_cm" "$tmp/options")
	if [ -z "$bad" ]; then
		tap_ok "options named in $MAN8 exist"
	else
		tap_not_ok "$MAN8 names options that do not exist"
		echo "$bad" | tap_diag
	fi
fi

# --- flags: roneod(8) against roneod -h --------------------------------
# mdoc flags: after "Fl", each argument up to the next macro is one flag;
# "\-" is "-"; a bare "--" (as in --KeyName) is a placeholder, not a flag.
man_flags() {
	"$AWK" '
	/^\.Sh / { insyn = ($0 ~ /^\.Sh SYNOPSIS/) }
	insyn || /^\.It Fl / {
		n = split($0, w, /[ \t]+/)
		fl = 0
		for (i = 1; i <= n; i++) {
			if (w[i] == "Fl" || w[i] == ".Fl" || w[i] == ".It" && w[i + 1] == "Fl") {
				fl = (w[i] != ".It")
				continue
			}
			if (!fl)
				continue
			if (w[i] ~ /^[A-Z][a-z][a-z]?$/ || w[i] ~ /^[.,;:()|\[\]]$/) {
				fl = 0
				continue
			}
			f = w[i]
			gsub(/\\&/, "", f)
			gsub(/\\-/, "-", f)
			f = "-" f
			if (f != "--")
				print f
		}
	}' "$MAN8" | LC_ALL=C sort -u
}

if [ ! -f "$MAN8" ]; then
	tap_not_ok "flags of roneod(8): $MAN8 is missing"
elif [ -z "$RONEOD_BIN" ]; then
	tap_skip "flags of roneod(8) and roneod -h agree" "roneod is not built ($RN_TOP_BUILDDIR/roneod)"
else
	man_flags >"$tmp/man_flags"
	"$RONEOD_BIN" -h >"$tmp/help" 2>&1
	rc=$?
	grep -oE '(^|[][[:space:],|(])--?[a-z][a-z0-9-]*' "$tmp/help" |
	    sed 's/^[^-]*//' | LC_ALL=C sort -u >"$tmp/help_flags"
	only_man=$(LC_ALL=C comm -23 "$tmp/man_flags" "$tmp/help_flags")
	only_help=$(LC_ALL=C comm -13 "$tmp/man_flags" "$tmp/help_flags")
	if [ "$rc" -ne 0 ]; then
		tap_not_ok "roneod -h exits 0 (it exited $rc)"
	elif [ ! -s "$tmp/man_flags" ] || [ ! -s "$tmp/help_flags" ]; then
		tap_not_ok "flags found in roneod(8) and roneod -h"
	elif [ -z "$only_man$only_help" ]; then
		tap_ok "flags of roneod(8) and roneod -h agree: $(tr '\n' ' ' <"$tmp/man_flags")"
	else
		tap_not_ok "flags of roneod(8) and roneod -h differ"
		[ -z "$only_man" ] || echo "$only_man" | sed 's/^/only in roneod(8): /' | tap_diag
		[ -z "$only_help" ] || echo "$only_help" | sed 's/^/only in roneod -h: /' | tap_diag
	fi
fi

# --- man page lint ------------------------------------------------------
for page in docs/man/*.[1-9]; do
	[ -f "$page" ] || continue
	if command -v mandoc >/dev/null 2>&1; then
		if out=$(mandoc -T lint -W warning "$page" 2>&1); then
			tap_ok "mandoc -T lint $page"
		else
			tap_not_ok "mandoc -T lint $page"
			echo "$out" | tap_diag
		fi
	elif command -v groff >/dev/null 2>&1; then
		out=$(groff -b -ww -z -mandoc -Tutf8 "$page" 2>&1)
		if [ -z "$out" ]; then
			tap_ok "groff -ww $page (mandoc not installed)"
		else
			tap_not_ok "groff -ww $page"
			echo "$out" | tap_diag
		fi
	else
		tap_skip "lint $page" "neither mandoc nor groff installed (apt-get install mandoc)"
	fi
done
tap_done
