#!/bin/sh
# vmm-mini's choice of accelerator (--accel auto, the default) and the
# refusal of --accel kvm where KVM would emulate the guest, on whatever KVM
# this host has. What the host has is read from sysfs and /dev/kvm here,
# not from vmm-mini. Prints "guests-accel: N passed, N failed, N skipped".
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/guests/lib.sh
VMM="$BUILD/bin/vmm-mini run"
G="$BUILD/guests"
if [ ! -e /dev/kvm ]; then kvm=none
elif [ -d /sys/module/kvm_pvm ]; then kvm=pvm
elif [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then kvm=hw
else kvm=unknown; fi

# Our guests say they are PVM-aware (bit 0 of the "hvcert" note); copies
# with that bit cleared stand for guests that are not.
unaware() {
	python3 - "$G/$1.elf" "$T/$1-unaware.elf" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"hvcert\0")
assert i > 12 and struct.unpack_from("<3I", b, i - 12) == (7, 4, 1), "no hvcert note"
assert struct.unpack_from("<I", b, i + 8)[0] & 1, "the kit's note lost its PVM bit"
struct.pack_into("<I", b, i + 8, 0)
open(sys.argv[2], "wb").write(b)
PY
}
unaware compute && unaware hostile

# auto with a guest that is not PVM-aware: KVM only where it assists the hardware.
$VMM --timeout 60 "$T/compute-unaware.elf" -- iters=1 mem_mb=4 >"$T/auto.out" 2>"$T/auto.err"; rc=$?
line=$(grep "accel auto:" "$T/auto.err")
case $kvm in
pvm) want="accel auto: bt (/dev/kvm is served by kvm_pvm.*not PVM-aware" ;;
none) want="accel auto: bt (/dev/kvm: " ;;
hw) want="accel auto: kvm (/dev/kvm gives hardware-assisted" ;;
*) want="accel auto: " ;;
esac
if [ $rc -eq 1 ] && echo "$line" | grep -q "$want" && grep -q "^@result name=crc32" "$T/auto.out"; then
	ok "accel/auto-$kvm"
else
	bad "accel/auto-$kvm" "rc=$rc, '$line' (want /$want/)"
fi

# --accel kvm: refused at once on PVM for a guest PVM would emulate (with the
# ways out), runs elsewhere.
start=$(date +%s)
$VMM --accel kvm --timeout 20 "$T/hostile-unaware.elf" -- do=triple >"$T/kvm.out" 2>"$T/kvm.err"; rc=$?
took=$(($(date +%s) - start))
case $kvm in
pvm)
	if [ $rc -eq 2 ] && [ $took -le 5 ] && ! grep -q "^@start" "$T/kvm.out" &&
		grep -q "does not declare PVM support.*--accel bt.*--allow-emulated" "$T/kvm.err"; then
		ok accel/kvm-refuses-unaware-guest
	else
		bad accel/kvm-refuses-unaware-guest "rc=$rc in ${took}s: $(head -c 300 "$T/kvm.err")"
	fi
	# The opt-in really runs it under (emulating) KVM; PVM-aware guests get kvm-pvm.
	$VMM --accel kvm --allow-emulated --stats --timeout 20 "$T/hostile-unaware.elf" -- do=triple >"$T/emu.out" 2>&1
	grep -q "^@hostile do=triple" "$T/emu.out" && grep -q "^@vmm accel=kvm " "$T/emu.out" &&
		ok accel/kvm-allow-emulated || bad accel/kvm-allow-emulated "$(tail -3 "$T/emu.out")"
	$VMM --stats --timeout 20 "$G/compute.elf" -- iters=1 mem_mb=1 >"$T/aware.out" 2>&1
	grep -q "accel auto: kvm-pvm (.*the guest is PVM-aware" "$T/aware.out" && grep -q "^@vmm accel=kvm-pvm " "$T/aware.out" &&
		ok accel/auto-takes-pvm-aware-guest || bad accel/auto-takes-pvm-aware-guest "$(head -3 "$T/aware.out")"
	$VMM --accel kvm-hw --timeout 20 "$G/compute.elf" >/dev/null 2>"$T/hw.err"; rc=$?
	[ $rc -eq 2 ] && grep -q "kvm-hw: .*not hardware-assisted" "$T/hw.err" && ok accel/kvm-hw-refused-on-pvm ||
		bad accel/kvm-hw-refused-on-pvm "rc=$rc $(cat "$T/hw.err")"
	;;
none)
	[ $rc -eq 2 ] && grep -q "/dev/kvm" "$T/kvm.err" && ok accel/kvm-without-kvm ||
		bad accel/kvm-without-kvm "rc=$rc: $(head -c 300 "$T/kvm.err")"
	sk accel/kvm-allow-emulated "no /dev/kvm here"
	;;
*)
	grep -q "^@hostile do=triple" "$T/kvm.out" && ok accel/kvm-runs || bad accel/kvm-runs "rc=$rc: $(head -c 300 "$T/kvm.err")"
	sk accel/kvm-allow-emulated "KVM here is not PVM"
	;;
esac
# Numbers that are not numbers stop vmm-mini before it runs anything.
for opt in "--timeout -5" "--mem 10x" "--max-exits ''" "--timeout 99999999999999999999"; do
	eval "$VMM $opt $G/compute.elf" >/dev/null 2>"$T/opt.err"; rc=$?
	[ $rc -eq 2 ] && grep -q "is not a number" "$T/opt.err" && ok "accel/bad-option $opt" ||
		bad "accel/bad-option $opt" "rc=$rc $(cat "$T/opt.err")"
done
# A guest image the note reader must reject cleanly, not crash on.
head -c 40 "$G/hostile.elf" >"$T/short.elf"
$VMM "$T/short.elf" >/dev/null 2>"$T/short.err"; rc=$?
[ $rc -eq 2 ] && grep -q "short.elf" "$T/short.err" && ok accel/bad-image || bad accel/bad-image "rc=$rc $(cat "$T/short.err")"
echo "guests-accel: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
