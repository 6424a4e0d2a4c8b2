#!/bin/sh
# Bundles (--sysroot) and topology XML made hostile: every case must stop
# at once with exit 2 and the offending file's name, never hang, never read
# the host's own files, never crash in hwloc.
SUITE=hostile-bundles
. tests/hostile/lib.sh
CPU="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"

"$HV" capture "$T/cap" >/dev/null 2>"$T/err" || ko capture "$(cat "$T/err")"
fresh() { rm -rf "$T/b"; cp -a "$T/cap" "$T/b"; }

expect_error sysroot-typo "$T/no-such-bundle: No such file" "$HV" probe --sysroot "$T/no-such-bundle"
expect_error sysroot-file "not a directory" "$HV" probe --sysroot "$CPU"
fresh; rm -f "$T/b/proc/interrupts"; mkfifo "$T/b/proc/interrupts"
expect_error bundle-fifo "proc/interrupts: a FIFO" "$HV" probe --sysroot "$T/b"
fresh; rm -f "$T/b/proc/meminfo"; ln -s /proc/meminfo "$T/b/proc/meminfo"
expect_error bundle-absolute-link "proc/meminfo: a link that leads outside the bundle" "$HV" probe --sysroot "$T/b"
fresh; rm -f "$T/b/proc/cpuinfo"; ln -s ../../../../../../../../proc/cpuinfo "$T/b/proc/cpuinfo"
expect_error bundle-climbing-link "proc/cpuinfo: a link that leads outside" "$HV" probe --sysroot "$T/b"
fresh; truncate -s 20M "$T/b/proc/cgroups"
expect_error bundle-huge-file "proc/cgroups: 20971520 bytes" "$HV" probe --sysroot "$T/b"
fresh
if "$HV" probe --sysroot "$T/b" >/dev/null 2>"$T/err"; then ok bundle-intact-replays; else ko bundle-intact-replays "$(cat "$T/err")"; fi

# Topology XML: the capture's own, bent the two ways that crash libhwloc.
X="$T/cap/hvcert/topology.xml"
python3 -c "
import sys
n = 100000
sys.stdout.write('<?xml version=\"1.0\"?>\n<topology version=\"2.0\">\n' +
  '<object type=\"Group\" cpuset=\"0x1\" complete_cpuset=\"0x1\">' * n + '</object>' * n + '</topology>\n')" >"$T/deep.xml"
expect_error topology-deep "deep.xml:3: objects nested more than 64 deep" "$HV" probe --cpuid-dump "$CPU" --topology "$T/deep.xml"
sed '/type="Machine"/s/ complete_cpuset="[^"]*"//' "$X" >"$T/nocs.xml"
if cmp -s "$X" "$T/nocs.xml"; then
	ko topology-no-complete-cpuset "the capture's XML has no Machine complete_cpuset to remove"
else
	expect_error topology-no-complete-cpuset "nocs.xml: hwloc failed on this topology" "$HV" probe --cpuid-dump "$CPU" --topology "$T/nocs.xml"
fi
mkfifo "$T/topo.fifo"
expect_error topology-fifo "topo.fifo: a FIFO" "$HV" probe --cpuid-dump "$CPU" --topology "$T/topo.fifo"
expect_error topology-dev-zero "/dev/zero: a character device" "$HV" probe --cpuid-dump "$CPU" --topology /dev/zero
done_suite
