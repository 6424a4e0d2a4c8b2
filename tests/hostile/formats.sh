#!/bin/sh
# Bad input of every CPU dump format hvcert reads (probe/cpuid_dump.c): cut
# records, cut CPU blocks, garbage, binary, planted links and FIFOs in a
# hwloc-gather-cpuid directory. Each is exit 2 at once, naming file and line.
# The inputs are cut from this machine's recordings in tests/data/cpuid-formats.
SUITE=hostile-formats
. tests/hostile/lib.sh
D=tests/data/cpuid-formats

# A record cut mid-line, and the file cut at a line end inside a CPU block.
head -c 3000 "$D/cpuid-r.txt" >"$T/r-midline"
expect_error cpuid-r-cut-midline "r-midline:[0-9]*: not a cpuid -r line" "$HV" probe --cpuid-dump "$T/r-midline"
head -n 100 "$D/cpuid-r.txt" >"$T/r-block"
expect_error cpuid-r-cut-block "r-block:[0-9]*: CPU block #1 ends before leaf 0x80000021" "$HV" probe --cpuid-dump "$T/r-block"
head -n 20 "$D/cpuid-r-1.txt" >"$T/r1-range"
expect_error cpuid-r-1-cut "r1-range:[0-9]*: CPU block #0 ends before leaf 0x80000000" "$HV" probe --cpuid-dump "$T/r1-range"
printf '%s' "$(cat "$D/cpuid-r-1.txt")" >"$T/r1-nonl"
expect_error cpuid-r-no-final-newline "r1-nonl:[0-9]*: the file ends inside this record" "$HV" probe --cpuid-dump "$T/r1-nonl"
sed '5s/ebx=0x\([0-9a-f]*\)/ebx=0x\1zz/' "$D/cpuid-r.txt" >"$T/r-garbage"
expect_error cpuid-r-garbage "r-garbage:5: not a cpuid -r line" "$HV" probe --cpuid-dump "$T/r-garbage"
{ head -n 3 "$D/cpuid-r.txt"; printf '   0x00000002 0x00: eax=0x\000\n'; } >"$T/r-nul"
expect_error cpuid-r-nul "r-nul:4: binary data" "$HV" probe --cpuid-dump "$T/r-nul"

# libcpuid raw: a CPU block cut short, an entry cut, an index out of range.
head -n 150 "$D/libcpuid.raw" >"$T/lc-block"
expect_error libcpuid-cut-block "lc-block:[0-9]*: logical CPU block #1 lacks" "$HV" probe --cpuid-dump "$T/lc-block"
head -c 700 "$D/libcpuid.raw" >"$T/lc-midline"
expect_error libcpuid-cut-midline "lc-midline:[0-9]*: not a libcpuid raw line" "$HV" probe --cpuid-dump "$T/lc-midline"
sed 's/^basic_cpuid\[31\]/basic_cpuid[99]/' "$D/libcpuid.raw" >"$T/lc-index"
expect_error libcpuid-index "lc-index:[0-9]*: not a libcpuid raw line" "$HV" probe --cpuid-dump "$T/lc-index"
sed '6{p}' "$D/libcpuid.raw" >"$T/lc-twice"
expect_error libcpuid-entry-twice "lc-twice:7: entry given twice" "$HV" probe --cpuid-dump "$T/lc-twice"

# hwloc-gather-cpuid: a pu file cut, one pu shorter than pu0, a link out, a FIFO.
mkdir "$T/hw" && cp "$D/hwloc/"* "$T/hw/"
head -n 20 "$D/hwloc/pu1" >"$T/hw/pu1"
expect_error hwloc-cut-pu "hw/pu1:1: CPU block #1 ends at leaf" "$HV" probe --cpuid-dump "$T/hw"
head -c 190 "$D/hwloc/pu0" >"$T/pu0-cut"
expect_error hwloc-cut-midline "pu0-cut:[0-9]*: not a hwloc-gather-cpuid line" "$HV" probe --cpuid-dump "$T/pu0-cut"
rm "$T/hw/pu1" && ln -s /etc/passwd "$T/hw/pu1"
expect_error hwloc-link-out "pu1" "$HV" probe --cpuid-dump "$T/hw"
rm "$T/hw/pu1" && mkfifo "$T/hw/pu1"
expect_error hwloc-fifo "hw/pu1: a FIFO" "$HV" probe --cpuid-dump "$T/hw"
mkdir "$T/empty"
expect_error hwloc-empty-dir "no pu0, pu1" "$HV" probe --cpuid-dump "$T/empty"

# /proc/cpuinfo: a processor block cut, a non-x86 cpuinfo, a cut line.
head -n 40 "$D/cpuinfo.txt" >"$T/ci-block"
expect_error cpuinfo-cut-block "ci-block:[0-9]*: processor block .*truncated" "$HV" probe --cpuid-dump "$T/ci-block"
printf 'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nvendor_id\t: ARM\n\n' >"$T/ci-arm"
expect_error cpuinfo-not-x86 "ci-arm:1: processor block without a 12-character vendor_id" "$HV" probe --cpuid-dump "$T/ci-arm"
head -c 900 "$D/cpuinfo.txt" >"$T/ci-midline"
expect_error cpuinfo-cut-midline "ci-midline:[0-9]*: the file ends inside this line" "$HV" probe --cpuid-dump "$T/ci-midline"

# Bare InstLatx64: a record cut inside its registers.
printf 'CPUID 00000000  \t0000000D-756E6547-6C65746E-49656E69\nCPUID 00000001  \t000306C3-00100800-7FFA\n' >"$T/il-cut"
expect_error instlat-cut "il-cut:2: CPUID record: expected four" "$HV" probe --cpuid-dump "$T/il-cut"

# Nothing any reader claims, and an empty file.
printf 'hello\n' >"$T/junk"
expect_error unknown-format "junk: not a CPU dump hvcert reads" "$HV" probe --cpuid-dump "$T/junk"
: >"$T/empty-file"
expect_error empty-file "empty-file: empty file" "$HV" probe --cpuid-dump "$T/empty-file"
done_suite
