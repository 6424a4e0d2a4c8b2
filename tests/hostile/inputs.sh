#!/bin/sh
# Inputs that are not what they claim: FIFOs, devices and directories in
# place of files, and two sources of one part of the machine. Each is exit 2
# at once with the file's name (a hang here is a failure: lib.sh's timeout).
SUITE=hostile-inputs
. tests/hostile/lib.sh
CPU="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"
VMM="$BUILD/bin/vmm-mini"
mkfifo "$T/fifo"

expect_error guest-fifo "fifo: not a regular file" "$VMM" run --accel bt "$T/fifo"
expect_error guest-dev-zero "/dev/zero: not a regular file" "$VMM" run --accel bt /dev/zero
expect_error guest-directory "not a regular file" "$VMM" run --accel bt "$T"
expect_error disk-fifo "fifo: not a regular file" "$VMM" run --accel bt --disk "$T/fifo" "$BUILD/guests/pvblk.elf"
expect_error disk-dev-zero "/dev/zero: not a regular file" "$VMM" run --accel bt --disk /dev/zero "$BUILD/guests/pvblk.elf"

"$HV" probe --cpuid-dump "$CPU" --save "$T/p.json" >/dev/null 2>"$T/err" || ko save "$(cat "$T/err")"
expect_error load-and-cpuid-dump "cannot be combined with --cpuid-dump" "$HV" probe --load "$T/p.json" --cpuid-dump "$CPU"
expect_error load-and-sysroot "cannot be combined with --sysroot" "$HV" certify --load "$T/p.json" --sysroot "$T"
"$HV" capture "$T/cap" >/dev/null 2>"$T/err" || ko capture "$(cat "$T/err")"
expect_error bundle-cpu-and-cpuid-dump "both describe the CPU" "$HV" probe --sysroot "$T/cap" --cpuid-dump "$CPU"
expect_error bundle-topology-and-topology "both describe the topology" "$HV" probe --sysroot "$T/cap" --topology "$T/cap/hvcert/topology.xml"
# Nothing silently mixed: a dump of another machine is never completed with this one's parts.
LSPCI=$(ls "$FX"/lspci/*.txt | head -1)
expect_error lspci-alone-no-live-cpu "describes another machine and no CPU dump was given" "$HV" certify --lspci "$LSPCI"
expect_error topology-alone-no-live-cpu "describes another machine" "$HV" probe --topology "$T/cap/hvcert/topology.xml"
"$HV" probe --cpuid-dump "$CPU" >"$T/d.txt" 2>"$T/err"
head -1 "$T/d.txt" | grep -q "host from not provided.*; pci from not provided; topology from not provided$" &&
	ok dump-alone-rest-not-provided || ko dump-alone-rest-not-provided "$(head -1 "$T/d.txt")"
"$HV" probe --lspci "$LSPCI" --this-host >"$T/m.txt" 2>"$T/err"; rc=$?
[ $rc -le 1 ] && head -1 "$T/m.txt" | grep -q "^hvcert probe: cpu from live; host from live; pci from $LSPCI" &&
	ok this-host-mixes-when-asked || ko this-host-mixes-when-asked "rc=$rc $(head -1 "$T/m.txt") $(cat "$T/err")"
done_suite
