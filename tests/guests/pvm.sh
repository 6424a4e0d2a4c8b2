#!/bin/sh
# Every reference guest as a PVM guest (vmm-mini --accel kvm-pvm: the kit's
# kernel code at hardware CPL 3 under kvm_pvm), checked exactly as under QEMU
# TCG, the translator and the nested KVM rig (check.sh), plus the PV pairs
# and the hostile guests' endings. Where /dev/kvm is not kvm_pvm every check
# is SKIPped with the reason. Prints "guests-pvm: N passed, N failed, N skipped".
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/guests/lib.sh
N=${GUEST_ITERS:-4}
VMM="$BUILD/bin/vmm-mini run --accel kvm-pvm --stats --timeout 60"
if [ ! -e /dev/kvm ] || [ ! -d /sys/module/kvm_pvm ]; then
	echo "SKIP pvm/all: /dev/kvm is not served by kvm_pvm here ($([ -e /dev/kvm ] && echo 'another KVM' || echo 'no /dev/kvm'))"
	echo "guests-pvm: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
args="iters=$N mem_mb=8 bytes=300"
"$BUILD/compute-native" $args >"$T/native.log"
for g in compute compute-sse nanobench iostream; do
	$VMM "$BUILD/guests/$g.elf" -- $args >"$T/$g.log" 2>"$T/$g.err"
	rc=$?
	[ $rc -eq 1 ] && ok "pvm/$g/status" || bad "pvm/$g/status" "vmm-mini exited $rc: $(head -c 300 "$T/$g.err")"
	n=$([ $g = iostream ] && echo 300 || echo "$N")
	k=$([ $g = compute-sse ] && echo compute || echo $g)
	tally "$(tests/guests/check.sh "$k" "$T/$g.log" "$n" "$T/native.log" kvm | sed "s/^\([a-zA-Z]*\) guest\/$k/\1 pvm\/$g/")"
	# Really native under PVM: the hypervisor's own counters say how much it emulated.
	emu=$(sed -n 's/^@kvm .*insn_emulation=\([0-9]*\).*/\1/p' "$T/$g.log")
	grep -q "^@vmm accel=kvm-pvm " "$T/$g.log" && [ "${emu:-0}" -lt 100000 ] && ok "pvm/$g/native" ||
		bad "pvm/$g/native" "not a native PVM run: $(grep -E '^@vmm|^@kvm' "$T/$g.log" | head -c 300)"
done
$VMM --pv "$BUILD/guests/pvstream.elf" -- bytes=300 batch=64 >"$T/pvstream.log" 2>"$T/pv.err"
rc=$?
[ $rc -eq 1 ] && ok pvm/pvstream/status || bad pvm/pvstream/status "exit $rc: $(head -c 300 "$T/pv.err")"
tally "$(tests/guests/check.sh pvstream "$T/pvstream.log" 300 "" kvm | sed 's/^\([a-zA-Z]*\) guest/\1 pvm/')"
grep -q "^@info notifies=5" "$T/pvstream.log" && ok pvm/pvstream/batched || bad pvm/pvstream/batched
# KVM offers ioeventfd here: queue notifies are served without an exit to vmm-mini.
grep -q "^@info virtio_notify=ioeventfd" "$T/pvstream.log" && ok pvm/pvstream/ioeventfd ||
	bad pvm/pvstream/ioeventfd "$(grep -E 'virtio_notify|notifies exit' "$T/pvstream.log" "$T/pv.err")"
$VMM --pv "$BUILD/guests/pvstream.elf" -- bytes=300 batch=64 irq=33 >"$T/pvirq.log" 2>&1
grep -q "^@info notifies=5 interrupts=5" "$T/pvirq.log" && ok pvm/pvstream/interrupts ||
	bad pvm/pvstream/interrupts "$(grep -E '^@info|^@fail|vmm-mini' "$T/pvirq.log")"
truncate -s 4M "$T/disk.img"
$VMM --disk "$T/disk.img" "$BUILD/guests/pvblk.elf" -- sectors=100 batch=8 >"$T/pvblk.log" 2>&1
rc=$?
[ $rc -eq 1 ] && ok pvm/pvblk/status || bad pvm/pvblk/status "exit $rc"
tally "$(tests/guests/check.sh pvblk "$T/pvblk.log" 100 "" kvm | sed 's/^\([a-zA-Z]*\) guest/\1 pvm/')"
# Hostile guests end as under KVM and bt.
hostile kvm-pvm pvm "triple:4:triple fault" "jump:4:rip=" "storm:6:watchdog" "wild-write:1:unhandled_mmio=1" \
	"late-tick:1:stray interrupts=1" "hang:6:watchdog"
echo "guests-pvm: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
