#!/bin/sh
# Lint: include layering of the product code (daemon/ and include/), one
# TAP test per rule.  Tests may include what they need to cross-check.
#   <openssl/...>  only daemon/crypto/
#   <sqlite3.h>    only daemon/store/ and daemon/site/
#   <cmark.h>      only daemon/site/
#   <curl/...>     only daemon/sync/ and daemon/cli/
#   include/roneo/*.h never include libevent (<event2/...>, <event.h>) or
#   OpenSSL: the public headers stay free of third-party types.
. "$(dirname "$0")/lib.sh"

files=$(c_files daemon include)
[ -n "$files" ] || tap_skip_all "no C files found under $RN_TOP_SRCDIR"

includes=$(echo "$files" | c_strip | grep -E '^[^:]+:[0-9]+:[ 	]*#[ 	]*include' || true)

# rule DESCRIPTION HEADER-ERE ALLOWED-DIR...: a header matching HEADER-ERE
# (what follows "#include <" or "#include \"") is included only under the
# allowed directories.
rule() {
	desc=$1
	hdr=$2
	shift 2
	bad=$(echo "$includes" | grep -E "^[^:]+:[0-9]+:[ 	]*#[ 	]*include[ 	]*[<\"]($hdr)" |
	    while IFS= read -r l; do
		f=${l%%:*}
		ok=no
		for d in "$@"; do
			case $f in
			"$d"/*) ok=yes ;;
			esac
		done
		[ $ok = yes ] || echo "$l"
	done)
	if [ -z "$bad" ]; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		echo "$bad" | tap_diag
	fi
}

rule "only daemon/crypto/ includes <openssl/...>" 'openssl/' daemon/crypto
rule "only daemon/store/ and daemon/site/ include <sqlite3.h>" 'sqlite3\.h' daemon/store daemon/site
rule "only daemon/site/ includes <cmark.h>" 'cmark[^/]*\.h' daemon/site
rule "only daemon/sync/ and daemon/cli/ include <curl/...>" 'curl/' daemon/sync daemon/cli
rule "include/roneo/ never includes libevent" 'event2/|event\.h|evhttp\.h|evdns\.h|evutil\.h' daemon
rule "include/roneo/ never includes OpenSSL" 'openssl/' daemon
tap_done
