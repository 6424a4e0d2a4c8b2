#!/bin/sh
# Every reference guest under vmm-mini's binary translator (--accel bt),
# checked exactly as under QEMU TCG and the nested KVM rig (check.sh), plus
# the PV batching/interrupt counts and the hostile guests' endings.
# Prints "guests-bt: N passed, N failed, N skipped".
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/guests/lib.sh
N=${GUEST_ITERS:-4}
VMM="$BUILD/bin/vmm-mini run --accel bt --stats --timeout 60"
args="iters=$N mem_mb=8 bytes=300"
"$BUILD/compute-native" $args >"$T/native.log"
for g in compute nanobench iostream; do
	$VMM "$BUILD/guests/$g.elf" -- $args >"$T/$g.log" 2>"$T/$g.err"
	rc=$?
	[ $rc -eq 1 ] && ok "bt/$g/status" || bad "bt/$g/status" "vmm-mini exited $rc: $(head -c 300 "$T/$g.err")"
	n=$([ $g = iostream ] && echo 300 || echo "$N")
	tally "$(tests/guests/check.sh "$g" "$T/$g.log" "$n" "$T/native.log" bt | sed 's/^\([a-zA-Z]*\) guest/\1 bt/')"
	grep -q '^@bt blocks=[1-9]' "$T/$g.log" && ok "bt/$g/translated" || bad "bt/$g/translated" "no @bt statistics line"
done
# The compute kernels as gcc -O2 builds them with SSE2 (vectorized): same checksums.
$VMM "$BUILD/guests/compute-sse.elf" -- $args >"$T/compute-sse.log" 2>"$T/sse.err"
rc=$?
[ $rc -eq 1 ] && ok bt/compute-sse/status || bad bt/compute-sse/status "vmm-mini exited $rc: $(head -c 300 "$T/sse.err")"
tally "$(tests/guests/check.sh compute "$T/compute-sse.log" "$N" "$T/native.log" bt | sed 's/^\([a-zA-Z]*\) guest\/compute/\1 bt\/compute-sse/')"
$VMM --pv "$BUILD/guests/pvstream.elf" -- bytes=300 batch=64 >"$T/pvstream.log" 2>"$T/pv.err"
rc=$?
[ $rc -eq 1 ] && ok bt/pvstream/status || bad bt/pvstream/status "exit $rc: $(head -c 300 "$T/pv.err")"
tally "$(tests/guests/check.sh pvstream "$T/pvstream.log" 300 "" bt | sed 's/^\([a-zA-Z]*\) guest/\1 bt/')"
# 300 bytes in batches of 64: 5 notifies (MMIO exits), not 300 port writes.
grep -q "^@info notifies=5" "$T/pvstream.log" && grep -q "exits_mmio=" "$T/pvstream.log" && ok bt/pvstream/batched ||
	bad bt/pvstream/batched
# The translator has no ioeventfd: it says so, and notifies exit as they always did.
grep -q "^@info virtio_notify=exit" "$T/pvstream.log" && grep -q "notifies exit to vmm-mini (bt has no ioeventfd)" "$T/pv.err" &&
	ok bt/pvstream/no-ioeventfd || bad bt/pvstream/no-ioeventfd "$(cat "$T/pv.err")"
# Adaptive MMIO: a site that faulted once is retranslated as a callout, so
# 100 notifies cost about one signal per MMIO site, not one per access.
$VMM --pv "$BUILD/guests/pvstream.elf" -- bytes=6400 batch=64 >"$T/pvmany.log" 2>&1
sig=$(sed -n 's/^@bt .* signals=\([0-9]*\) .*mmio_sites=\([0-9]*\).*/\1 \2/p' "$T/pvmany.log")
[ -n "$sig" ] && [ "${sig% *}" -le $((${sig#* } + 8)) ] && grep -q "^@info notifies=100" "$T/pvmany.log" &&
	ok bt/pvstream/adaptive-mmio || bad bt/pvstream/adaptive-mmio "signals and MMIO sites: ${sig:-none}"
$VMM --pv "$BUILD/guests/pvstream.elf" -- bytes=300 batch=64 irq=33 >"$T/pvirq.log" 2>&1
grep -q "^@info notifies=5 interrupts=5" "$T/pvirq.log" && ok bt/pvstream/interrupts ||
	bad bt/pvstream/interrupts "$(grep -E '^@info|^@fail|vmm-mini' "$T/pvirq.log")"
truncate -s 4M "$T/disk.img"
$VMM --disk "$T/disk.img" "$BUILD/guests/pvblk.elf" -- sectors=100 batch=8 >"$T/pvblk.log" 2>&1
rc=$?
[ $rc -eq 1 ] && ok bt/pvblk/status || bad bt/pvblk/status "exit $rc"
tally "$(tests/guests/check.sh pvblk "$T/pvblk.log" 100 "" bt | sed 's/^\([a-zA-Z]*\) guest/\1 bt/')"
# The guest wrote 100 sectors of its pattern: the file holds them.
[ "$(head -c 51200 "$T/disk.img" | tr -d '\0' | wc -c)" -gt 0 ] && ok bt/pvblk/file-written || bad bt/pvblk/file-written
# Hostile guests: status and message, as under KVM (tests/rig/vmm.sh).
hostile bt bt "triple:4:triple fault" "jump:4:rip=0x30000000" "storm:6:watchdog" "wild-write:1:unhandled_mmio=1" \
	"late-tick:1:stray interrupts=1" "hang:6:watchdog"
# The inline paths' edge cases against QEMU TCG (tests/guests/edge.sh).
edge=$(BUILD=$BUILD tests/guests/edge.sh)
tally "$(echo "$edge" | grep -E '^(ok|FAIL)')"
skip=$((skip + $(echo "$edge" | grep -c '^SKIP')))
echo "guests-bt: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
