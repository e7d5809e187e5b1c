# Shared helpers of the lint checks in tests/lint/ (sourced, not run).
# Each check prints TAP (plan at the end) and exits 1 when a test failed.
# RN_TOP_SRCDIR names the tree to check; it defaults to the tree holding
# this script, so a check also runs by hand: sh tests/lint/banned.sh

if [ -z "${RN_TOP_SRCDIR:-}" ]; then
	RN_TOP_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
fi
: "${RN_TOP_BUILDDIR:=$RN_TOP_SRCDIR}"
: "${AWK:=awk}"
cd "$RN_TOP_SRCDIR" || { echo "Bail out! cannot cd to $RN_TOP_SRCDIR"; exit 99; }

tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# Everything on stdin becomes a TAP comment.
tap_diag() {
	sed 's/^/# /'
}

# Ends the script: plan, then the exit status.
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# The whole script is skipped (visibly) when a tool is missing.
tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# C sources and headers under the given directories (missing ones are
# ignored), relative to the top of the tree, sorted, one per line.
c_files() {
	for d in "$@"; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \)
	done | LC_ALL=C sort
}

# C source on stdin-listed files with comments and the contents of string
# and character literals blanked, as "FILE:LINE:code" lines.  #include
# lines are kept as they are so that header names stay visible.
# Good enough for lint: no trigraphs, no string continuation lines.
c_strip() {
	xargs "$AWK" '
	FNR == 1 { incomment = 0 }
	{
		line = $0
		if (!incomment && line ~ /^[ \t]*#[ \t]*include/) {
			print FILENAME ":" FNR ":" line
			next
		}
		out = ""
		n = length(line)
		i = 1
		while (i <= n) {
			c = substr(line, i, 1)
			if (incomment) {
				if (c == "*" && substr(line, i + 1, 1) == "/") {
					incomment = 0
					out = out " "
					i += 2
				} else
					i++
				continue
			}
			if (c == "/" && substr(line, i + 1, 1) == "*") {
				incomment = 1
				i += 2
				continue
			}
			if (c == "/" && substr(line, i + 1, 1) == "/")
				break
			if (c == "\"" || c == "\047") {
				q = c
				i++
				while (i <= n) {
					c = substr(line, i, 1)
					if (c == "\\") {
						i += 2
						continue
					}
					if (c == q)
						break
					i++
				}
				out = out q q
				i++
				continue
			}
			out = out c
			i++
		}
		print FILENAME ":" FNR ":" out
	}'
}
