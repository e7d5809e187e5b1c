#!/usr/bin/env bash
# The quick start's demo collection: contrib/demo.sh BUILDDIR [roneod arguments...]
#
# On a fresh DataDirectory (no collection yet), make two throwaway demo editor
# identities with `roneo keygen` (in DataDirectory/demo/, generated now, never
# committed), start roneod with them as editors, create the collection (ROOT 1
# signed by both), publish the documents of contrib/demo/ (the conflict
# write-up needs both signatures: the second editor signs it from the pending
# list), and stop roneod again.  The site is then rendered in the
# PublicDirectory.
#
# Prints on stdout, one per line, the roneod arguments that make the demo's
# editors editors of the server (--Editor VALUE), so the caller can run roneod
# with them; prints nothing when the DataDirectory holds a collection that is
# not the demo's.  Everything else goes to stderr and DataDirectory/demo/setup.log.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [roneod arguments...]" >&2; exit 2; }
build=$1
shift
roneod=$build/roneod
roneo=$build/roneo
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { echo "roneo demo: $*" >&2; }

conf=$("$roneod" "$@" --dump-config)
data=$(awk '$1 == "DataDirectory" { print $2; exit }' <<<"$conf")
elisten=$(awk '$1 == "EditorListen" { print $2; exit }' <<<"$conf")
[ -n "$data" ] || { say "cannot tell the DataDirectory"; exit 1; }
demo=$data/demo

# The Editor lines of the demo identities, as roneod arguments.
editor_args() {
	local d
	for d in "$demo/editor-1" "$demo/editor-2"; do
		printf -- '--Editor\n%s %s\n' "$(sed -n 2p "$d/editor.pub")" \
			"$(grep -o 'age1[0-9a-z]*' "$d/age.txt" | head -n 1)"
	done
}

if [ -f "$demo/done" ]; then
	editor_args
	exit 0
fi

case $elisten in
unix:/*) server=$elisten ;;
unix:*) server=unix:$data/${elisten#unix:} ;;
*) server=http://$elisten ;;
esac

mkdir -p "$data"
rm -rf "$demo"
mkdir -m 0700 "$demo"
log=$demo/setup.log
: >"$log"
say "making a demo collection in $data (log: $log)"
"$roneo" keygen -o "$demo/editor-1" >>"$log"
"$roneo" keygen -o "$demo/editor-2" >>"$log"
mapfile -t eargs < <(editor_args)

"$roneod" "$@" "${eargs[@]}" >>"$log" 2>&1 &
pid=$!
stop() {
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}
trap stop EXIT

cli() { # cli N COMMAND ARGS...: as demo editor N
	local n=$1
	shift
	"$roneo" "$1" --server "$server" --identity "$demo/editor-$n" \
		--replica "$demo/replica-$n" "${@:2}"
}

# Ready when the editor API answers: 404 "no collection" on a fresh
# DataDirectory; a collection that is there already is not the demo's.
fresh=
for _ in $(seq 1 150); do
	if answer=$(cli 1 pull 2>&1); then
		break
	fi
	if grep -q "no collection" <<<"$answer"; then
		fresh=yes
		break
	fi
	kill -0 "$pid" 2>/dev/null || { say "roneod exited; see $log"; exit 1; }
	sleep 0.2
done
if [ -z "$fresh" ]; then
	stop
	trap - EXIT
	rm -rf "$demo"
	say "$data holds a collection already (or roneod did not answer): no demo"
	exit 0
fi

key() { sed -n 2p "$demo/editor-$1/editor.pub"; }
age() { grep -o 'age1[0-9a-z]*' "$demo/editor-$1/age.txt" | head -n 1; }

cli 1 init --editor "$(key 1):$(age 1):demo-editor-1" \
	--editor "$(key 2):$(age 2):demo-editor-2" -o "$demo/root-1.txt" >>"$log"
cli 2 sign "$demo/root-1.txt" >>"$log"

for doc in welcome how-we-publish printing-day rotating-roles two-editor-review phone-tree; do
	cli 1 publish "$top/contrib/demo/$doc.md" >>"$log"
done
# The write-up needs two editors: editor 1 publishes, editor 2 reads and signs.
out=$(cli 1 publish --json "$top/contrib/demo/print-run-dispute.md")
echo "$out" >>"$log"
commit=$(sed -n 's/.*"commit":"\([0-9a-f]\{64\}\)".*/\1/p' <<<"$out")
[ -n "$commit" ] || { say "the write-up was not left pending; see $log"; exit 1; }
cli 2 pending >>"$log"
cli 2 sign "$commit" >>"$log"
cli 2 log >>"$log"

stop
trap - EXIT
touch "$demo/done"
say "demo collection published (editors' keys in $demo; replace it before real use)"
editor_args
