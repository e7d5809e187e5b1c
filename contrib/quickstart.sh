#!/usr/bin/env bash
# Quick start on Debian 12: install what is missing, build, and run roneod in
# the foreground on its embedded defaults (state in /var/lib/roneo, listening on
# 127.0.0.1:8080 and unix:/var/lib/roneo/http.sock), serving a small demo
# collection (contrib/demo.sh) the first time.  Stop it with Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rn_install_missing $RN_BUILD_PKGS
rn_ensure_user
rn_build "$RN_TOP/build/normal"
# A small demo collection on a fresh DataDirectory; its editors' --Editor lines, one per line.
demo_args=$("$RN_TOP/contrib/demo.sh" "$RN_TOP/build/normal" "$@") ||
	{ echo "roneo: the demo collection could not be made (see its setup.log)" >&2; demo_args=; }
demo=()
[ -z "$demo_args" ] || mapfile -t demo <<<"$demo_args"
echo "roneo: built $RN_TOP/build/normal/roneod; starting it (Ctrl-C stops it)"
exec "$RN_TOP/build/normal/roneod" "$@" "${demo[@]}"
