#!/bin/sh
# Edge cases of the translator's inline paths, differentially: nanobench
# with edge=1 runs each case and prints "@check name=... value=...", under
# QEMU TCG (the reference) and under vmm-mini --accel bt; every check must
# be printed by both, agree, and equal the value derived here by hand:
#   sti_shadow           0      the interrupt waits for the instruction after sti
#                               (handler's RIP minus the label after that instruction)
#   cr8_unmask           0      lowering CR8 under a pending vector delivers it at
#                               the next instruction boundary
#   popf_iopl_nt_ac_id   0x247000  CPL0 popf of ID|AC|NT|IOPL=3 reads back all four
#   popf_if_cpl3         0      CPL3 popf (IOPL 0) changes neither IF nor IOPL
#   popf_tf_trap         0      popf setting TF: #DB after the instruction after it
#   divide_errors        4      div overflow, idiv INT_MIN/-1, idiv 2^32/-1, div by ah
#   divide_error_rips    0      each #DE at its own division (XOR of RIP differences)
#   pte_code_remap       0x1004 eight calls into a page whose PTE alternates between
#                               frames returning 1 and 2, with invlpg: s = 3s + r
#                               over 1,2,1,2,1,2,1,2 = 4100
#   pte_code_cr3         2      the PTE changed, then a reload of the same CR3
#   smc_alias            5      the code's immediate stored through the identity map
#                               (another mapping of the frame), then called
# A missing line, a disagreement or a wrong value fails; without QEMU the
# bt side is still checked against the derived values.
# Prints "guests-edge: N passed, N failed, N skipped".
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/guests/lib.sh
want="sti_shadow=0x0 cr8_unmask=0x0 popf_iopl_nt_ac_id=0x247000 popf_if_cpl3=0x0 popf_tf_trap=0x0
divide_errors=0x4 divide_error_rips=0x0 pte_code_remap=0x1004 pte_code_cr3=0x2 smc_alias=0x5"
args="edge=1 only=none"
# the checks, one "name=value" a line
checks() { sed -n 's/^@check name=\([a-z0-9_]*\) value=\(0x[0-9a-f]*\).*/\1=\2/p' "$1"; }

"$BUILD/bin/vmm-mini" run --accel bt --timeout 60 "$BUILD/guests/nanobench.elf" -- $args >"$T/bt.log" 2>&1
rc=$?
[ $rc -eq 1 ] && ok edge/bt/status || bad edge/bt/status "vmm-mini exited $rc: $(grep -v '^@check' "$T/bt.log" | head -c 300)"
checks "$T/bt.log" >"$T/bt.txt"
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	timeout 120 qemu-system-x86_64 -accel tcg -cpu max -m 128 -nographic -nodefaults -serial "file:$T/tcg.log" \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$BUILD/guests/nanobench.elf" \
		-append "$args" </dev/null >/dev/null 2>"$T/tcg.err"
	rc=$?
	[ $rc -eq 1 ] && ok edge/tcg/status || bad edge/tcg/status "QEMU exited $rc: $(head -c 300 "$T/tcg.err")"
	checks "$T/tcg.log" >"$T/tcg.txt"
else
	sk edge/tcg "qemu-system-x86_64 not installed (package qemu-system-x86)"
	: >"$T/tcg.txt"
fi
for w in $want; do
	name=${w%%=*}
	b=$(grep "^$name=" "$T/bt.txt" | head -1)
	t=$(grep "^$name=" "$T/tcg.txt" | head -1)
	if [ -s "$T/tcg.txt" ] && [ "$b" != "$t" ]; then
		bad "edge/$name" "bt ${b:-missing}, QEMU TCG ${t:-missing}"
	elif [ "$b" != "$w" ]; then
		bad "edge/$name" "${b:-missing}, want $w"
	else
		ok "edge/$name"
	fi
done
echo "guests-edge: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
