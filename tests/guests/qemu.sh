#!/bin/sh
# Every reference guest under QEMU TCG (unchanged ELF, PVH boot) with its
# results checked; compute checksums against the native build.
# Prints "guests: N passed, N failed, N skipped".
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
N=${GUEST_ITERS:-4}
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "SKIP guests/qemu: qemu-system-x86_64 not installed (package qemu-system-x86)"
	echo "guests: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
args="iters=$N mem_mb=8 bytes=300"
"$BUILD/compute-native" $args >"$T/native.log"
for g in compute compute-sse nanobench iostream; do
	timeout 120 qemu-system-x86_64 -accel tcg -cpu max -m 128 -nographic -nodefaults -serial "file:$T/$g.log" \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$BUILD/guests/$g.elf" -append "$args" \
		</dev/null >/dev/null 2>"$T/$g.err"
	rc=$?
	# isa-debug-exit: the guest's exit value 0 makes QEMU exit (0 << 1) | 1 = 1.
	[ $rc -eq 1 ] || echo "FAIL guest/$g/qemu-exit: status $rc $(head -c 300 "$T/$g.err")"
	[ $rc -eq 1 ] && pass=$((pass + 1)) || fail=$((fail + 1))
	n=$([ $g = iostream ] && echo 300 || echo "$N")
	out=$(tests/guests/check.sh "${g%-sse}" "$T/$g.log" "$n" "$T/native.log" qemu-tcg | sed "s|guest/${g%-sse}/|guest/$g/|")
	echo "$out"
	pass=$((pass + $(echo "$out" | grep -c '^ok'))) fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
done
# A timer tick that arrives after its handler was removed is counted, not
# fatal (it used to double-fault under TCG right after lapic_timer); and
# nanobench at its default 1000 iterations, where that tick showed up.
timeout 60 qemu-system-x86_64 -accel tcg -cpu max -m 128 -nographic -nodefaults -serial "file:$T/late.log" \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$BUILD/guests/hostile.elf" -append do=late-tick \
	</dev/null >/dev/null 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^@hostile stray interrupts=1" "$T/late.log"; then
	echo "ok guest/hostile/late-tick"; pass=$((pass + 1))
else
	echo "FAIL guest/hostile/late-tick: status $rc $(grep -E '^@fail|^@hostile' "$T/late.log")"; fail=$((fail + 1))
fi
timeout 120 qemu-system-x86_64 -accel tcg -cpu max -m 128 -nographic -nodefaults -serial "file:$T/nb1000.log" \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$BUILD/guests/nanobench.elf" \
	-append "only=lapic_timer,vmcall,pte_update" </dev/null >/dev/null 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^@result name=lapic_timer iters=50 .*checksum=0x0000000000000032" "$T/nb1000.log"; then
	echo "ok guest/nanobench/default-iterations"; pass=$((pass + 1))
else
	echo "FAIL guest/nanobench/default-iterations: status $rc $(grep -E '^@fail' "$T/nb1000.log")"; fail=$((fail + 1))
fi
# The paravirtual guests on QEMU -M microvm (virtio-mmio at the same slots
# vmm-mini uses; modern virtio, so force-legacy off).
truncate -s 4M "$T/disk.img"
for g in pvstream pvblk; do
	case $g in
	pvstream) dev="-device virtio-serial-device -chardev file,id=c0,path=$T/vcon.out -device virtconsole,chardev=c0"
		gargs="bytes=300 batch=64" n=300 ;;
	pvblk) dev="-drive file=$T/disk.img,if=none,id=d0,format=raw -device virtio-blk-device,drive=d0"
		gargs="sectors=100 batch=8" n=100 ;;
	esac
	timeout 120 qemu-system-x86_64 -M microvm -global virtio-mmio.force-legacy=false -accel tcg -cpu max -m 128 \
		-nographic -nodefaults -serial "file:$T/$g.log" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		$dev -kernel "$BUILD/guests/$g.elf" -append "$gargs" </dev/null >/dev/null 2>"$T/$g.err"
	rc=$?
	[ $rc -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL guest/$g/qemu-exit: status $rc $(head -c 300 "$T/$g.err")"; }
	# virtio-console output goes to its own chardev: splice it into the log for check.sh.
	[ $g = pvstream ] && sed -i "/^@stream begin/r $T/vcon.out" "$T/$g.log"
	out=$(tests/guests/check.sh "$g" "$T/$g.log" "$n" "" qemu-tcg)
	echo "$out"
	pass=$((pass + $(echo "$out" | grep -c '^ok'))) fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
done
echo "guests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
