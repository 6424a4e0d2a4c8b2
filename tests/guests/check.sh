#!/bin/sh
# Checks one reference guest's console log.
# Usage: tests/guests/check.sh GUEST LOG ITERS [NATIVE_LOG] [HYPERVISOR]
#   compute:   every kernel's checksum equals the native build's (NATIVE_LOG)
#   nanobench: every checksum equals what the operation must produce
#   iostream:  the bytes arrived and the checksum is their sum
# HYPERVISOR (qemu-tcg | kvm | bt) says what VMCALL does: #UD under TCG, a
# hypercall under KVM and under vmm-mini's translator (the same -KVM_ENOSYS). Prints one "ok"/"FAIL" line per check; exit 1 on failure.
guest=$1 log=$2 n=$3 native=$4 hv=${5:-qemu-tcg}
fail=0
say() { echo "$1 guest/$guest/$2${3:+: $3}"; [ "$1" = FAIL ] && fail=1; return 0; }
val() { sed -n "s/^@result name=$1 .*checksum=0x\([0-9a-f]*\).*/\1/p" "$log" | tail -1; }
hex() { printf '%016x' "$1"; }
grep -q '^@exit 0' "$log" || say FAIL exit "no '@exit 0' in $log: $(grep -m1 '^@fail' "$log")"
case $guest in
compute)
	for k in crc32 sort hash interp mem; do
		want=$(sed -n "s/^@result name=$k .*checksum=0x\([0-9a-f]*\).*/\1/p" "$native")
		got=$(val $k)
		[ -n "$got" ] && [ "$got" = "$want" ] && say ok "$k" || say FAIL "$k" "guest $got, native $want"
	done ;;
nanobench)
	vm=$(case $hv in kvm | bt) echo 0 ;; *) echo "$n" ;; esac)
	for spec in cpuid=1 rdtsc=1 pio_out=$n pio_in=$n cr8_write=$n cr3_reload=1 invlpg=$n \
		pushf_popf=$n cli_sti=$n syscall=$n div0=$n pagefault=$n pte_update=$((n / 2 * 3 + n % 2)) vmcall=$vm \
		lapic_timer=$([ "$n" -lt 50 ] && echo "$n" || echo 50); do
		k=${spec%=*} want=$(hex "${spec#*=}") got=$(val "$k")
		[ "$got" = "$want" ] && say ok "$k" || say FAIL "$k" "checksum $got, expected $want"
	done ;;
iostream | pvstream)
	name=$([ "$guest" = iostream ] && echo uart_stream || echo virtio_stream)
	stream=$(sed -n '/^@stream begin/{n;p;}' "$log" | tr -d '\r')
	want=$(awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%c", 97 + i % 26 }')
	sum=$(awk -v n="$n" 'BEGIN { s = 0; for (i = 0; i < n; i++) s += 97 + i % 26; print s }')
	[ "$stream" = "$want" ] && say ok bytes || say FAIL bytes "stream differs (${#stream} of $n bytes)"
	[ "$(val $name)" = "$(hex "$sum")" ] && say ok checksum || say FAIL checksum "$(val $name)" ;;
pvblk)
	for k in blk_write blk_read; do
		[ "$(val $k)" = "$(hex "$n")" ] && say ok "$k" || say FAIL "$k" "checksum $(val $k), expected $n sectors"
	done ;;
esac
exit $fail
