#!/bin/sh
# Runs every test suite and prints one closing line CI reads:
# "N passed, N failed, N skipped".
BUILD=${BUILD:-build}
export BUILD
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$BUILD/unit-tests" | tee -a "$out" || status=1
tests/cli.sh | tee -a "$out" || status=1
tests/guests/qemu.sh | tee -a "$out" || status=1
tests/rig/vmm.sh | tee -a "$out" || status=1
p=0 f=0 s=0
for line in $(sed -n 's/^[a-z]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1,\2,\3/p' "$out"); do
	p=$((p + ${line%%,*})); rest=${line#*,}; f=$((f + ${rest%%,*})); s=$((s + ${rest#*,}))
done
[ $f -ne 0 ] && status=1
echo "$p passed, $f failed, $s skipped"
exit $status
