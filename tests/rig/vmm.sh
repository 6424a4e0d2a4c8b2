#!/bin/sh
# The reference guests under vmm-mini's KVM backend, inside the nested rig
# (Debian's kernel under QEMU TCG with emulated SVM), checked like the QEMU
# runs; plus the hostile guests, each of which must end with its status.
# Usage: tests/rig/vmm.sh [-k KERNEL_PKG]   Prints "rig: N passed, N failed, N skipped".
set -u
BUILD=${BUILD:-build}
KPKG=linux-image-6.1.0-56-amd64
[ "${1:-}" = -k ] && KPKG=$2
P=$BUILD/rig/payload-vmm
LOG=$BUILD/rig/vmm-$KPKG.log
N=${GUEST_ITERS:-4}
ARGS="iters=$N mem_mb=8 bytes=300"
pass=0 fail=0 skip=0
rm -rf "$P" && mkdir -p "$P"
cp "$BUILD/bin/vmm-mini-static" "$P/vmm-mini"
cp "$BUILD"/guests/*.elf "$P/"
# hvcert itself, to probe a host that really has KVM: the binary, the shared
# libraries it uses (run through their own loader) and the data it reads.
mkdir -p "$P/lib" "$P/data"
cp "$BUILD/hvcert" "$P/"
ldd "$BUILD/hvcert" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' | while read -r lib; do cp -L "$lib" "$P/lib/"; done
cp -r data/cpu-uarch.tsv data/hcl "$P/data/"
# busybox sh inside the rig: one block per run, with the VMM's status.
cat >"$P/run.sh" <<RUN
#!/bin/sh
echo "@@begin probe"
HVCERT_DATA=/payload/data /payload/lib/ld-linux-x86-64.so.2 --library-path /payload/lib /payload/hvcert probe --json
echo "@@end probe rc=\$?"
for g in compute nanobench iostream; do
	echo "@@begin \$g"
	/payload/vmm-mini run --stats --timeout 120 /payload/\$g.elf -- $ARGS 2>&1
	echo "@@end \$g rc=\$?"
done
echo "@@begin pvstream"
/payload/vmm-mini run --stats --pv --timeout 120 /payload/pvstream.elf -- bytes=300 batch=64
echo "@@end pvstream rc=\$?"
echo "@@begin pvstream-irq"
/payload/vmm-mini run --stats --pv --timeout 120 /payload/pvstream.elf -- bytes=300 batch=64 irq=33
echo "@@end pvstream-irq rc=\$?"
dd if=/dev/zero of=/tmp/disk.img bs=512 count=8192 2>/dev/null
echo "@@begin pvblk"
/payload/vmm-mini run --stats --disk /tmp/disk.img --timeout 120 /payload/pvblk.elf -- sectors=100 batch=8
echo "@@end pvblk rc=\$?"
for h in triple jump storm wild-write late-tick hang; do
	echo "@@begin hostile-\$h"
	/payload/vmm-mini run --stats --timeout 3 /payload/hostile.elf -- do=\$h 2>&1
	echo "@@end hostile-\$h rc=\$?"
done
exit 0
RUN
chmod +x "$P/run.sh"
if ! tests/rig/run.sh -k "$KPKG" -t 600 "$P" "$LOG" >"$BUILD/rig/vmm-run.out" 2>&1; then
	if grep -q '@rig kvm=absent' "$LOG" 2>/dev/null || [ ! -s "$LOG" ]; then
		echo "SKIP rig/vmm: the nested rig did not come up with KVM: $(tail -3 "$BUILD/rig/vmm-run.out" | tr '\n' ' ')"
		echo "rig: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
fi
block() { sed -n "/^@@begin $1\$/,/^@@end $1 /p" "$LOG" | tr -d '\r'; }
status() { block "$1" | sed -n 's/^@@end .* rc=\([0-9]*\).*/\1/p'; }
"$BUILD/compute-native" $ARGS >"$BUILD/rig/native.log"
for g in compute nanobench iostream; do
	block $g >"$BUILD/rig/$g.log"
	[ "$(status $g)" = 1 ] && { echo "ok rig/$g/status"; pass=$((pass + 1)); } ||
		{ echo "FAIL rig/$g/status: vmm-mini exited $(status $g), expected 1 (debug exit 0)"; fail=$((fail + 1)); }
	n=$([ $g = iostream ] && echo 300 || echo "$N")
	out=$(tests/guests/check.sh "$g" "$BUILD/rig/$g.log" "$n" "$BUILD/rig/native.log" kvm | sed 's/^\([a-zA-Z]*\) guest/\1 rig/')
	echo "$out"
	pass=$((pass + $(echo "$out" | grep -c '^ok'))) fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
	grep -q "^@vmm accel=kvm .*exits_io=" "$BUILD/rig/$g.log" && { echo "ok rig/$g/exit-stats"; pass=$((pass + 1)); } ||
		{ echo "FAIL rig/$g/exit-stats: no per-run exit statistics"; fail=$((fail + 1)); }
done
for g in pvstream pvblk; do
	block $g >"$BUILD/rig/$g.log"
	[ "$(status $g)" = 1 ] && { echo "ok rig/$g/status"; pass=$((pass + 1)); } ||
		{ echo "FAIL rig/$g/status: vmm-mini exited $(status $g)"; fail=$((fail + 1)); }
	n=$([ $g = pvstream ] && echo 300 || echo 100)
	out=$(tests/guests/check.sh "$g" "$BUILD/rig/$g.log" "$n" "" kvm | sed 's/^\([a-zA-Z]*\) guest/\1 rig/')
	echo "$out"
	pass=$((pass + $(echo "$out" | grep -c '^ok'))) fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
done
# PV really batches: 300 bytes in batches of 64 are 5 notifies (MMIO exits), not 300 port writes.
grep -q "^@info notifies=5" "$BUILD/rig/pvstream.log" && grep -q "exits_mmio=" "$BUILD/rig/pvstream.log" &&
	{ echo "ok rig/pvstream/batched"; pass=$((pass + 1)); } || { echo "FAIL rig/pvstream/batched"; fail=$((fail + 1)); }
# Interrupt-driven completion: one LAPIC interrupt (vector 33) per notify.
block pvstream-irq | grep -q "^@info notifies=5 interrupts=5" && [ "$(status pvstream-irq)" = 1 ] &&
	{ echo "ok rig/pvstream/interrupts"; pass=$((pass + 1)); } ||
	{ echo "FAIL rig/pvstream/interrupts: $(block pvstream-irq | grep -E '^@info|^@fail|vmm-mini')"; fail=$((fail + 1)); }
# hvcert probe on a host with KVM (the rig VM): what kvm-ok and
# virt-host-validate would see there, read by our own probe.
block probe | sed '1d;$d' >"$BUILD/rig/probe.json"
if python3 - "$BUILD/rig/probe.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
h = d["raw"]["host"]
f = {x["name"]: x for x in d["findings"]["items"]}
checks = {
    "KVM API version 12": h.get("kvm.api_version") == "12",
    "/dev/kvm usable": str(h.get("dev.kvm", "")).startswith("present") and "access=rw" in h["dev.kvm"],
    "kvm_amd loaded": h.get("kvm.module.vendor") == "kvm_amd",
    "NPT in use": h.get("kvm.param.npt") in ("Y", "1"),
    "irqchip capability": h.get("kvm.cap.irqchip") == "1",
    "SVM present and usable": f["hardware virtualization"]["status"] == "PASS",
    "nested under QEMU": f["running under"]["value"] == "QEMU TCG",
    "/dev/kvm finding": f["/dev/kvm"]["status"] == "PASS",
    "implementation kvm_amd": d["virtualization"]["kvm"]["implementation"] == "kvm_amd",
    "unmodified guests hardware-assisted": f["unmodified guests"]["value"] == "hardware-assisted",
    "no PVM here": f["PVM-aware guests"]["status"] == "INFO" and "kvm_pvm is not" in f["PVM-aware guests"]["reason"],
    "kvm-ok would pass": d["virtualization"]["kvm"]["tools"]["kvm_ok"] is True,
    "no PVM MSRs": h.get("kvm.vcpu.pvm_msrs") == "",
}
bad = [k for k, ok in checks.items() if not ok]
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
then
	echo "ok rig/hvcert-probe-with-kvm"; pass=$((pass + 1))
else
	echo "FAIL rig/hvcert-probe-with-kvm: see $BUILD/rig/probe.json"; fail=$((fail + 1))
fi
# --accel auto (the default) must take KVM where it assists the hardware.
block compute | grep -q "accel auto: kvm (/dev/kvm gives hardware-assisted" &&
	{ echo "ok rig/accel-auto-kvm"; pass=$((pass + 1)); } ||
	{ echo "FAIL rig/accel-auto-kvm: $(block compute | grep 'accel auto' || echo 'no accel line')"; fail=$((fail + 1)); }
# Hostile guests: expected status and message.
for spec in "triple:4:triple fault" "jump:4:rip=" "storm:6:watchdog" "wild-write:1:unhandled_mmio=1" "late-tick:1:stray interrupts=1" "hang:6:watchdog"; do
	h=${spec%%:*} rest=${spec#*:} want=${rest%%:*} msg=${rest#*:}
	got=$(status "hostile-$h")
	if [ "$got" = "$want" ] && block "hostile-$h" | grep -q "$msg"; then
		echo "ok rig/hostile-$h"; pass=$((pass + 1))
	else
		echo "FAIL rig/hostile-$h: status $got (want $want), message '$msg' $(block "hostile-$h" | grep -q "$msg" && echo found || echo missing)"
		fail=$((fail + 1))
	fi
done
echo "rig: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
