#!/bin/sh
# Lint: no banned function in our C code (STYLE.md).  One TAP test per file.
# Comments and string literals are ignored; a name used as a struct member
# (a.system, p->rand) is not a call and passes.
#   strcpy strcat sprintf vsprintf strncpy strncat: no bound or a misleading
#     one; use snprintf or rn_buf_*.
#   gets: unbounded.  strtok: hidden state.  atoi atol: no error reporting;
#     use rn_parse_u64.  alloca: unbounded stack.  rand: not random; use
#     rn_random_bytes.  system popen: a shell.  tmpnam tempnam mktemp: races;
#     use mkstemp or mkdtemp.
. "$(dirname "$0")/lib.sh"

BANNED='strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|alloca|rand|strncpy|strncat|system|popen|tmpnam|tempnam|mktemp'

files=$(c_files daemon include tests/unit tests/fuzz tests/integration)
[ -n "$files" ] || tap_skip_all "no C files found under $RN_TOP_SRCDIR"

hits=$(echo "$files" | c_strip | "$AWK" -v re="(^|[^A-Za-z0-9_.>])($BANNED)([^A-Za-z0-9_]|\$)" '
{
	f = $0
	sub(/:.*/, "", f)
	rest = substr($0, length(f) + 2)
	ln = rest
	sub(/:.*/, "", ln)
	code = substr(rest, length(ln) + 2)
	if (code ~ /^[ \t]*#[ \t]*include/)
		next
	if (match(code, re)) {
		name = substr(code, RSTART, RLENGTH)
		gsub(/[^A-Za-z_]/, "", name)
		gsub(/^[ \t]+/, "", code)
		print f ":" ln ": " name ": " code
	}
}')

for f in $files; do
	mine=$(echo "$hits" | "$AWK" -v f="$f:" 'index($0, f) == 1')
	if [ -z "$mine" ]; then
		tap_ok "$f"
	else
		tap_not_ok "$f uses a banned function"
		echo "$mine" | tap_diag
	fi
done
tap_done
