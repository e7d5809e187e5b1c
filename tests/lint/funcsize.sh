#!/bin/sh
# Lint: no function in daemon/ longer than 150 lines (STYLE.md: aim for 80,
# never more than 150).  One TAP test per file; each function over 80 lines
# is named in a TAP comment.  KNF layout is assumed: the return type on its
# own line, the name at the start of the next line, the body's braces in
# column 0.  The count runs from the name line to the closing brace.
. "$(dirname "$0")/lib.sh"

: "${RN_FUNC_MAX:=150}"
: "${RN_FUNC_AIM:=80}"

files=$(c_files daemon | grep '\.c$' || true)
[ -n "$files" ] || tap_skip_all "no C files found under $RN_TOP_SRCDIR/daemon"

# "FILE NAME LINES" for every function definition found.
sizes=$(echo "$files" | xargs "$AWK" '
FNR == 1 { state = 0; prev = "" }
{
	if (state == 0) {
		if ($0 ~ /^[a-z_][a-z0-9_]*\(/ && prev ~ /^[A-Za-z_]/ &&
		    prev !~ /[;,{}()\\]$/ && prev !~ /^(#|typedef|return|else)/) {
			name = $0
			sub(/\(.*/, "", name)
			start = FNR
			state = 1
		}
	}
	if (state == 1) {
		if ($0 ~ /;[ \t]*$/ && $0 !~ /^{/)
			state = 0	# a prototype
		else if ($0 ~ /^{/ || $0 ~ /\)[ \t]*{[ \t]*$/)
			state = 2
	} else if (state == 2 && $0 ~ /^}/) {
		print FILENAME, name, FNR - start + 1
		state = 0
	}
	prev = $0
}')

for f in $files; do
	mine=$(echo "$sizes" | "$AWK" -v f="$f" '$1 == f')
	long=$(echo "$mine" | "$AWK" -v max="$RN_FUNC_MAX" 'NF == 3 && $3 > max { print $2 "() has " $3 " lines" }')
	aim=$(echo "$mine" | "$AWK" -v aim="$RN_FUNC_AIM" -v max="$RN_FUNC_MAX" \
	    'NF == 3 && $3 > aim && $3 <= max { print $2 "() has " $3 " lines (aim: " aim ")" }')
	if [ -z "$long" ]; then
		tap_ok "$f: no function over $RN_FUNC_MAX lines"
	else
		tap_not_ok "$f: function over $RN_FUNC_MAX lines"
		echo "$long" | tap_diag
	fi
	[ -z "$aim" ] || echo "$aim" | sed "s|^|# $f: |"
done
tap_done
