#!/bin/sh
# Smoke test of the nested-KVM rig: builds tests/rig/kvmcheck.c statically,
# runs it inside the rig (tests/rig/run.sh) and checks that /dev/kvm came up
# in the VM and a real-mode guest ran to HLT after "out 0xf4, 42".
# Prints "ok rig/smoke", "FAIL rig/smoke: reason" (exit 1) or
# "SKIP rig/smoke: reason" (exit 0: qemu cannot be had on this machine).
# Usage: tests/rig/smoke.sh [-k PKG]   (passed on to run.sh)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
PAY=build/rig/payload-smoke
LOG=build/rig/smoke.log

fail() { echo "FAIL rig/smoke: $1"; exit 1; }
t0=$(date +%s)

# qemu is the one thing that may legitimately be unavailable: skip, not fail.
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	. "$ROOT/scripts/apt.sh"
	apt_install qemu-system-x86 || true
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		{ echo "SKIP rig/smoke: qemu-system-x86 cannot be installed"; exit 0; }
fi

# The payload: kvmcheck linked statically (the initramfs has no libc) and a
# run.sh that init runs under its time limit; kvmcheck's status is the
# payload's status.
rm -rf "$PAY"
mkdir -p "$PAY"
${CC:-gcc} -std=c11 -static -O2 -Wall -Wextra -o "$PAY/kvmcheck" tests/rig/kvmcheck.c ||
	fail "cannot build kvmcheck statically (libc6-dev's libc.a missing?)"
cat >"$PAY/run.sh" <<'EOF'
#!/bin/sh
exec /payload/kvmcheck
EOF
chmod 755 "$PAY/run.sh"

tests/rig/run.sh -t 120 "$@" "$PAY" "$LOG"
rc=$?
grep -q "@rig kvm=present" "$LOG" ||
	fail "no /dev/kvm in the VM (see $LOG: $(grep -m1 '@rig kvm=' "$LOG" || echo 'no @rig kvm line'))"
grep -q "@kvmcheck io port=0xf4 value=42 hlt=1" "$LOG" ||
	fail "kvmcheck did not see out 0xf4,42 then hlt (see $LOG: $(grep -m1 '@kvmcheck io' "$LOG" || echo 'no @kvmcheck io line'))"
[ "$rc" -eq 0 ] || fail "rig run exited $rc (see $LOG)"
echo "rig/smoke: total $(($(date +%s) - t0)) s" >&2
echo "ok rig/smoke"
