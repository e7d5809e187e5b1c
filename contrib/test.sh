#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite: the normal
# build, the ASan+UBSan build (unit tests, corpus replays, integration tests),
# the libFuzzer build (each fuzzer over its corpus), and make distcheck.
# Ends with "N passed, N failed" on its own line; exits non-zero on a failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rn_install_missing $RN_BUILD_PKGS $RN_TEST_PKGS || exit 1
rn_ensure_user || exit 1
B="$RN_TOP/build"
rm -rf "$B/normal" "$B/sanitize" "$B/fuzz"
failed_steps=0

step() {
	local name=$1; shift
	echo "== $name"
	if ! "$@"; then
		echo "!! $name failed"
		failed_steps=$((failed_steps + 1))
	fi
}

check_in() {
	make -C "$1" -j"$RN_JOBS" check >/dev/null 2>&1
	local rc=$?
	# Show every failure with its log.
	find "$1" -name '*.trs' -exec grep -l ':test-result: \(FAIL\|ERROR\|XPASS\)' {} + |
	while read -r trs; do
		echo "---- ${trs%.trs}.log"; tail -n 40 "${trs%.trs}.log"
	done
	return $rc
}

# Each libFuzzer target over its seed corpus (no new inputs: a replay under
# libFuzzer's own driver), then a short real fuzzing run from that corpus.
run_fuzzers() {
	local t name rc=0 out="$B/fuzz/fuzz-results.trs" tmp
	: > "$out"
	for t in "$B"/fuzz/tests/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t"); name=${name#fuzz_}
		tmp=$(mktemp -d)
		cp -r "$RN_TOP/tests/fuzz/corpus/$name/." "$tmp/"
		if "$t" -runs=0 "$tmp" >/dev/null 2>&1 &&
		   "$t" -max_total_time="${RN_FUZZ_SECONDS:-20}" -timeout=10 "$tmp" >"$tmp.log" 2>&1; then
			echo ":test-result: PASS fuzz_$name" >> "$out"
		else
			echo ":test-result: FAIL fuzz_$name" >> "$out"; tail -n 30 "$tmp.log"; rc=1
		fi
		rm -rf "$tmp" "$tmp.log"
	done
	return $rc
}

step "build (normal)" rn_build "$B/normal"
step "make check (normal)" check_in "$B/normal"
step "build (ASan+UBSan)" rn_build "$B/sanitize" --enable-sanitizers
step "make check (ASan+UBSan)" check_in "$B/sanitize"
step "build (libFuzzer)" rn_build "$B/fuzz" CC=clang --enable-fuzzing
step "fuzzers over their corpora" run_fuzzers
step "make distcheck" make -C "$B/normal" distcheck >/dev/null 2>&1

pass=0; fail=0; skip=0
while read -r res; do
	case "$res" in
	PASS|XFAIL) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done < <(find "$B/normal" "$B/sanitize" "$B/fuzz" -name '*.trs' -not -path '*/_build/*' \
	-exec grep -h '^:test-result:' {} + | awk '{print $2}')
fail=$((fail + failed_steps))
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
