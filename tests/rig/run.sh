#!/bin/sh
# Runs a payload inside the nested-KVM rig: boots Debian's kernel under QEMU's
# TCG with "-cpu max" (which emulates AMD SVM with nested paging, so the
# guest's kvm-amd gives it a working /dev/kvm on hosts that have none) with an
# initramfs holding PAYLOAD_DIR as /payload; tests/rig/init runs
# /payload/run.sh there.
# Usage: tests/rig/run.sh [-k PKG] [-t SECONDS] PAYLOAD_DIR LOG
#   -k PKG      Debian kernel package (default linux-image-6.1.0-56-amd64)
#   -t SECONDS  payload time limit inside the VM (default 240); the whole VM
#               is killed SECONDS+60 s after start, so the rig never hangs.
# Writes the whole serial console to LOG and exits with the payload's exit
# status (from the "@rig-exit N" line), or 3 when that line is missing
# (kernel panic, VM timeout, init failure), 2 on usage errors.
set -e

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=linux-image-6.1.0-56-amd64
LIMIT=240
while getopts k:t: opt; do
	case $opt in
	k) PKG=$OPTARG ;;
	t) LIMIT=$OPTARG ;;
	*) echo "usage: $0 [-k PKG] [-t SECONDS] PAYLOAD_DIR LOG" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-k PKG] [-t SECONDS] PAYLOAD_DIR LOG" >&2; exit 2; }
PAYLOAD=$1 LOG=$2
case $LIMIT in '' | *[!0-9]*) echo "rig: -t wants whole seconds, got '$LIMIT'" >&2; exit 2 ;; esac
[ -d "$PAYLOAD" ] || { echo "rig: payload dir $PAYLOAD missing" >&2; exit 2; }
# Boot + module loading take ~10-30 s under TCG; 60 s on top of the payload's
# own limit leaves room for that and for the poweroff.
VM_LIMIT=$((LIMIT + 60))

# qemu-system-x86 (not -gui: no display is used).
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "rig: installing qemu-system-x86" >&2
	. "$ROOT/scripts/apt.sh"
	apt_install qemu-system-x86
fi

TREE=$("$ROOT/scripts/get-kernel.sh" "$PKG")
KERNEL=$(ls "$TREE"/boot/vmlinuz-* | head -n 1)

# One initramfs per kernel and payload, so parallel runs of different
# payloads do not overwrite each other's.
mkdir -p "$ROOT/build/rig"
INITRD="$ROOT/build/rig/initrd-$PKG-$(basename "$(cd "$PAYLOAD" && pwd)").cpio.gz"
t0=$(date +%s%N)
"$ROOT/tests/rig/mkinitramfs.sh" "$TREE" "$PAYLOAD" "$INITRD"
t1=$(date +%s%N)
echo "rig: initramfs built in $(((t1 - t0) / 1000000)) ms" >&2

# -nodefaults: no VGA, NIC, parallel port or monitor; -serial stdio then puts
# the one serial port (the guest's ttyS0 console) on our stdout. stdin is
# /dev/null so qemu neither reads the caller's terminal nor switches it to raw
# mode. timeout -k: TERM at VM_LIMIT, KILL 10 s later if qemu ignores it.
mkdir -p "$(dirname "$LOG")"
: >"$LOG"
st=$(mktemp)
trap 'rm -f "$st"' EXIT
echo "rig: booting $(basename "$KERNEL") (payload limit ${LIMIT}s, VM limit ${VM_LIMIT}s), console -> $LOG" >&2
t0=$(date +%s%N)
{
	set +e
	timeout -k 10 "$VM_LIMIT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 \
		-nographic -nodefaults -serial stdio -no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 rig.timeout=$LIMIT quiet" </dev/null 2>&1
	echo $? >"$st"
} | while IFS= read -r line || [ -n "$line" ]; do
	# Copy every console line to LOG (carriage returns of the serial line
	# dropped) and echo the rig's own markers, timed from qemu start, so a
	# caller sees progress and boot cost.
	line=$(printf '%s' "$line" | tr -d '\r')
	printf '%s\n' "$line" >>"$LOG"
	case $line in
	*@rig* | *@kvmcheck*) echo "rig: +$((($(date +%s%N) - t0) / 1000000)) ms: $line" >&2 ;;
	esac
done
qemu_rc=$(cat "$st")
echo "rig: qemu exited $qemu_rc after $((($(date +%s%N) - t0) / 1000000)) ms" >&2

status=$(sed -n 's/^.*@rig-exit \([0-9][0-9]*\).*$/\1/p' "$LOG" | tail -n 1)
if [ -z "$status" ]; then
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		why="VM killed after ${VM_LIMIT}s"
	elif grep -q "Kernel panic" "$LOG"; then
		why="kernel panic: $(grep -m1 "Kernel panic" "$LOG")"
	else
		why="qemu exit status $qemu_rc"
	fi
	echo "rig: no '@rig-exit' line in $LOG ($why); last lines:" >&2
	tail -n 15 "$LOG" >&2
	exit 3
fi
exit "$status"
