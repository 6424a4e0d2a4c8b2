#!/bin/sh
# Runs every test suite and prints one closing line CI reads:
# "N passed, N failed, N skipped".
BUILD=${BUILD:-build}
export BUILD
# The fixtures are real machines' data kept beside the project, not in it;
# without them most suites cannot run, so say that once instead of failing
# dozens of tests with "No such file".
FX=${HVCERT_FIXTURES:-../shared/fixtures}
for d in cpuid lspci pci-dumps; do
	if [ ! -d "$FX/$d" ]; then
		echo "tests/run.sh: fixtures not found: $FX/$d (expected ../shared/fixtures beside the project root; set HVCERT_FIXTURES to override)" >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$BUILD/unit-tests" | tee -a "$out" || status=1
tests/layers.sh | tee -a "$out" || status=1
tests/cli.sh | tee -a "$out" || status=1
tests/hostile/run.sh | tee -a "$out" || status=1
tests/fleet.sh | tee -a "$out" || status=1
tests/guests/qemu.sh | tee -a "$out" || status=1
tests/guests/bt.sh | tee -a "$out" || status=1
tests/guests/accel.sh | tee -a "$out" || status=1
tests/guests/pvm.sh | tee -a "$out" || status=1
tests/rig/vmm.sh | tee -a "$out" || status=1
# Every reader under libFuzzer for a few seconds, and every saved reproducer.
tests/fuzz/run.sh ${FUZZ_SECONDS:-3} | tee -a "$out" || status=1
p=0 f=0 s=0
for line in $(sed -n 's/^[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1,\2,\3/p' "$out"); do
	p=$((p + ${line%%,*})); rest=${line#*,}; f=$((f + ${rest%%,*})); s=$((s + ${rest#*,}))
done
[ $f -ne 0 ] && status=1
echo "$p passed, $f failed, $s skipped"
exit $status
