#!/bin/sh
# The libFuzzer targets: builds them (build-fuzz/, the Makefile's fuzz
# rules), seeds each from real files (the fixtures, tests/data, data/hcl,
# the guests) or from tests/fuzz/seeds.py where the input is our own
# format, runs each for SECONDS, then replays every file in
# tests/fuzz/regress/TARGET/ through its target (a crash found once stays a
# test). Closing line: "fuzz: N passed, N failed, N skipped".
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]   (default: every target)
# FUZZ_JOBS: targets run at once (default: one per CPU).
# make test runs it briefly; make fuzz FUZZ_SECONDS=600 for a long run.
secs=${1:-20}
[ $# -gt 0 ] && shift
FX=${HVCERT_FIXTURES:-../shared/fixtures}
BUILD=${BUILD:-build}
FUZZ_CC=${FUZZ_CC:-clang}
B=build-fuzz
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   fuzz/$1"; }
ko() { fail=$((fail + 1)); echo "FAIL fuzz/$1${2:+: $2}"; }
sk() { skip=$((skip + 1)); echo "SKIP fuzz/$1: $2"; }
done_suite() {
	echo "fuzz: $pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
}

names=""
for t in "$@"; do names="$names $(basename "$t" .c)"; done
[ -n "$names" ] || names=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
start=$(date +%s)

# Without clang's libFuzzer nothing here can run: say so once per target.
mkdir -p $B
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d, (void)n; return 0; }\n' >$B/cc-check.c
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
	why="$FUZZ_CC not installed (scripts/deps.sh clang libclang-rt-14-dev)"
elif ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o $B/cc-check $B/cc-check.c >$B/cc-check.log 2>&1; then
	why="$FUZZ_CC cannot link -fsanitize=fuzzer (libclang-rt-14-dev missing?): $(head -c 200 $B/cc-check.log)"
fi
if [ -n "$why" ]; then
	for n in $names; do sk "$n" "$why"; done
	done_suite
	exit
fi

# One make for all: the library is compiled once; -k so one target that
# does not build fails alone. build-fuzz/seed-hvcert writes fuzz_json's seeds.
targets=""
for n in $names; do targets="$targets $B/$n"; done
make --no-print-directory -k FUZZ_CC="$FUZZ_CC" $targets $B/seed-hvcert >$B/build.log 2>&1
built=$(date +%s)
echo "fuzz: built in $((built - start)) s (log: $B/build.log)"

# Seeds, remade each run (SEEDS is read-only to libFuzzer; what it finds
# goes to build-fuzz/corpus-TARGET and is kept for the next run).
seed() {
	n=$1 S=$B/seeds-$1
	rm -rf "$S" && mkdir -p "$S"
	case $n in
	fuzz_aida64) cp "$FX"/cpuid/*.txt tests/data/regress/aida64-*.txt "$S"/ ;;
	fuzz_lspci) cp "$FX"/lspci/*.txt tests/data/lspci-*.txt "$S"/ ;;
	fuzz_pcidump) cp "$FX"/pci-dumps/* "$S"/ ;;
	fuzz_uarch) cp data/cpu-uarch.tsv "$S"/ ;;
	fuzz_hcl)
		cp data/hcl/kvm.hcl data/hcl/pvm.hcl data/hcl/esxi.hcl data/hcl/rhel.hcl data/hcl/evc-baselines.hcl \
			data/hcl/qemu-cpu-models.hcl tests/data/hcl/*.hcl "$S"/
		head -40 data/hcl/kvm-linux-6.1.hcl >"$S"/kvm-linux-head.hcl ;;
	fuzz_json)
		# Probe documents as hvcert writes them, from the fixtures and the sysroot scenarios.
		i=0
		for c in "$FX"/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt "$FX"/cpuid/AuthenticAMD0A10F11_K19_Genoa_02_CPUID.txt \
			"$FX"/cpuid/HygonGenuine0900F02_Hygon_CPUID.txt; do
			i=$((i + 1))
			$B/seed-hvcert probe --cpuid-dump "$c" --json >"$S/cpu-$i.json" 2>/dev/null
		done
		$B/seed-hvcert probe --cpuid-dump "$FX"/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt \
			--lspci "$FX"/lspci/dell-poweredge-r210-ii.txt --json >"$S/cpu-lspci.json" 2>/dev/null
		for d in tests/data/sysroot/*/; do
			$B/seed-hvcert probe --sysroot "$d" --json >"$S/sysroot-$(basename "$d").json" 2>/dev/null
		done
		find "$S" -size 0 -delete ;;
	fuzz_virtio) head -c 4096 /dev/zero >"$S"/zero ;;
	fuzz_bt)
		# The guests' own code, a page at a time (what the translator meets).
		for g in "$BUILD"/guests/*.elf; do
			[ -f "$g" ] && objcopy -O binary -j .text "$g" "$S/text" 2>/dev/null &&
				split -b 4096 -a 3 "$S/text" "$S/$(basename "$g" .elf)-" && rm -f "$S/text"
		done
		[ -n "$(ls "$S")" ] || printf '\x48\x89\xc8\x48\x01\xd8\xc3' >"$S"/mov-add-ret ;;
	fuzz_elf)
		for g in "$BUILD"/guests/*.elf; do [ -f "$g" ] && strip -o "$S/$(basename "$g")" "$g"; done
		python3 tests/fuzz/seeds.py $n "$S" ;;
	fuzz_bench | fuzz_modalias | fuzz_virtio_blk) python3 tests/fuzz/seeds.py $n "$S" ;;
	fuzz_vcg) cp tests/data/import/*.csv "$S"/ ;;
	fuzz_vsan) cp tests/data/import/*.json "$S"/ ;;
	esac
	[ -n "$(ls "$S")" ]
}

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

# One target, in the background: its report lines go to $B/$n.out, the
# first word of each is ok or FAIL (counted by the caller, in order).
fuzz_one() {
	n=$1 bin=$B/$1 log=$B/$1.log
	if ! seed "$n"; then
		echo "FAIL fuzz/$n: no seeds (fixtures in $FX? $BUILD/guests?)"
		return
	fi
	mkdir -p $B/corpus-$n $B/artifacts
	# Devices report a broken driver on stderr once per input: keep it out of the log.
	quiet=
	case $n in fuzz_virtio*) quiet=-close_fd_mask=2 ;; esac
	if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $quiet \
		-artifact_prefix=$B/artifacts/$n- $B/corpus-$n $B/seeds-$n >"$log" 2>&1; then
		echo "ok   fuzz/$n: ${secs} s, $(stat number_of_executed_units "$log") runs, $(stat average_exec_per_sec "$log") exec/s,$(grep -o ' cov: [0-9]*' "$log" | tail -1)"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
		echo "FAIL fuzz/$n: $(grep -m1 -E 'ERROR|runtime error|Timeout|leak' "$log")"
		tail -40 "$log"
		echo "  minimise: $bin -minimize_crash=1 -runs=20000 $art; save as tests/fuzz/regress/$n/NAME"
	fi
}

# Built from the sources as they are now, one make at a time: an old binary
# left by a failed build is not (a source edited meanwhile is rebuilt).
ready=""
for n in $names; do
	if make --no-print-directory FUZZ_CC="$FUZZ_CC" "$B/$n" >>$B/build.log 2>&1; then
		ready="$ready $n"
	else
		ko "$n" "did not build: $(grep -m2 -E 'error' $B/build.log | tr '\n' ' ')"
	fi
done

# FUZZ_JOBS targets at once (default: one per CPU), reported in name order.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
set -- $ready
while [ $# -gt 0 ]; do
	batch="" i=0
	while [ $i -lt "$jobs" ] && [ $# -gt 0 ]; do
		fuzz_one "$1" >$B/$1.out 2>&1 &
		batch="$batch $1" i=$((i + 1))
		shift
	done
	wait
	for n in $batch; do
		cat $B/$n.out
		case $(head -c 4 $B/$n.out) in "ok  ") pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
	done
done

# Every crash ever found, through the target it crashed.
for n in $names; do
	[ -d tests/fuzz/regress/$n ] || continue
	for f in tests/fuzz/regress/$n/*; do
		[ -f "$f" ] || continue
		if [ ! -x $B/$n ]; then
			ko "regress/$n/$(basename "$f")" "target did not build"
		elif $B/$n -timeout=10 -rss_limit_mb=2048 "$f" >$B/replay.log 2>&1; then
			ok "regress/$n/$(basename "$f")"
		else
			ko "regress/$n/$(basename "$f")" "$(grep -m1 -E 'ERROR|runtime error|Timeout|leak' $B/replay.log)"
			tail -30 $B/replay.log
		fi
	done
done
echo "fuzz: total $(($(date +%s) - start)) s"
done_suite
