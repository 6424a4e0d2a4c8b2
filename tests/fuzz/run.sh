#!/bin/sh
# Runs each libFuzzer target for SECONDS, seeded with the matching fixtures.
# Usage: tests/fuzz/run.sh SECONDS TARGET...
secs=$1; shift
FX=${HVCERT_FIXTURES:-../shared/fixtures}
fail=0
for t in "$@"; do
	name=$(basename "$t")
	corpus=build-fuzz/corpus-$name
	mkdir -p "$corpus"
	case $name in
	fuzz_aida64) cp "$FX"/cpuid/*Nehalem* "$FX"/cpuid/*Hygon* "$corpus"/ 2>/dev/null ;;
	fuzz_lspci) cp "$FX"/lspci/dell-poweredge-r210-ii.txt "$FX"/pci-dumps/cap-pcie-2 "$corpus"/ 2>/dev/null ;;
	fuzz_pcidump) cp "$FX"/pci-dumps/* "$corpus"/ 2>/dev/null ;;
	fuzz_json) [ -f out/probe.json ] && cp out/probe.json "$corpus"/ ;;
	fuzz_uarch) cp data/cpu-uarch.tsv "$corpus"/ ;;
	fuzz_virtio) head -c 4096 /dev/zero >"$corpus"/zero ;;
	fuzz_hcl) cp data/hcl/kvm.hcl tests/data/hcl/*.hcl "$corpus"/ 2>/dev/null; head -40 data/hcl/kvm-linux-6.1.hcl >"$corpus"/modalias.hcl ;;
	esac
	echo "fuzz: $name for ${secs}s"
	if "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -artifact_prefix=build-fuzz/"$name"- -rss_limit_mb=2048 "$corpus" \
		>"build-fuzz/$name.log" 2>&1; then
		echo "ok   fuzz/$name ($(grep -o 'Done [0-9]* runs in [0-9]* second' "build-fuzz/$name.log" | tail -1))"
	else
		echo "FAIL fuzz/$name: see build-fuzz/$name.log"; tail -30 "build-fuzz/$name.log"; fail=1
	fi
done
exit $fail
