#!/bin/sh
# Dumps that were cut short, carry addresses PCI cannot have or a device
# twice, or are not files at all (--cpuid-dump AIDA64, --lspci, --pci-dump,
# --load). Each is exit 2 at once, naming the file and, where there is one,
# the line; a whole dump that merely lacks its last newline still reads.
# Every input is cut or edited at test time from ../shared/fixtures.
SUITE=hostile-dumps
. tests/hostile/lib.sh
OLD="$FX/cpuid/AuthenticAMD0100F42_K10_Shanghai_CPUID.txt"     # one MSR section, no All CPUs table
NEW="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"      # per-CPU MSR sections, then OC MailBox
TAIL="$FX/cpuid/AuthenticAMD0600F12_K15_Interlagos_CPUID3.txt" # ends with an MSR record
VM="$FX/cpuid/GenuineIntel00606C1_ICX_01v_CPUID.txt"           # hypervisor leaves 0x40000000-0x4000000C
LS="$FX/lspci/dell-poweredge-r740.txt"
PD="$FX/pci-dumps/cap-pcie-2"        # one device, 4096 bytes, ends with a row
TREE="$FX/pci-dumps/tree-asus-p6t6"  # 53 devices
printf '#!/bin/sh\nexec "%s" probe --cpuid-dump "%s" "$@"\n' "$HV" "$NEW" >"$T/probe" && chmod +x "$T/probe"
probe="$T/probe" # a program, so lib.sh's timeout can run it

# AIDA64: a CPU's section cut at a line end reads as a smaller machine unless
# its leaves are held against the maximum its leaf 0 announces.
awk '/Logical CPU #5 /{n = NR} n && NR > n + 10 {exit} {print}' "$OLD" >"$T/mid-cpu"
expect_error aida-cut-mid-cpu "mid-cpu:[0-9]*: logical CPU #5's CPUID records stop at leaf 0x80000001, before 0x8000001B" \
	"$HV" probe --cpuid-dump "$T/mid-cpu"
awk '/Logical CPU #5 /{exit} {print}' "$OLD" >"$T/between-cpus"
expect_error aida-cut-between-cpus "between-cpus:[0-9]*: the dump ends before the MSR section" \
	"$HV" probe --cpuid-dump "$T/between-cpus"
awk '/Logical CPU #7 /{n = NR} n && /CPUID 80000000/ {exit} {print}' "$OLD" >"$T/before-ext"
expect_error aida-cut-before-extended-leaves "before-ext:[0-9]*: logical CPU #7's CPUID records lack leaf 0x80000000, which CPU #0 has" \
	"$HV" probe --cpuid-dump "$T/before-ext"
awk '/Logical CPU #7 /{n = NR} n && /CPUID 40000005/ {exit} {print}' "$VM" >"$T/hv-range"
expect_error aida-cut-hypervisor-range "hv-range:[0-9]*: logical CPU #7's CPUID records stop at leaf 0x40000004, before 0x4000000C" \
	"$HV" probe --cpuid-dump "$T/hv-range"
sed '/CPU   8: APICID/,$d' "$NEW" >"$T/all-cpus"
expect_error aida-cut-all-cpus-table "all-cpus:[0-9]*: the dump ends before the MSR section" "$HV" probe --cpuid-dump "$T/all-cpus"
sed '/MSR Registers \/ Logical CPU #9 /,$d' "$NEW" >"$T/msr-sections"
expect_error aida-cut-between-msr-sections "msr-sections:[0-9]*: 16 logical CPUs have CPUID sections but 9 have MSR sections" \
	"$HV" probe --cpuid-dump "$T/msr-sections"
awk '/MSR Registers \/ Logical CPU #15 /{n = 1} n && /MSR 00000648/ {exit} {print}' "$NEW" >"$T/msr-last"
expect_error aida-cut-last-msr-section "msr-last:[0-9]*: logical CPU #15's MSR section has [0-9]* records, CPU #14's has 84" \
	"$HV" probe --cpuid-dump "$T/msr-last"
head -c -5 "$TAIL" >"$T/msr-midline"
expect_error aida-cut-mid-msr-record "msr-midline:$(wc -l <"$TAIL" | tr -d ' '): MSR record cut short" "$HV" probe --cpuid-dump "$T/msr-midline"
awk '/Logical CPU #3 /{n = NR} n && /CPUID 00000001/ {printf "%s", substr($0, 1, 40); exit} {print}' "$OLD" >"$T/cpuid-midline"
expect_error aida-cut-mid-cpuid-record "cpuid-midline:[0-9]*: CPUID record cut short" "$HV" probe --cpuid-dump "$T/cpuid-midline"
for f in "$OLD" "$NEW" "$TAIL"; do
	n=$(basename "$f")
	head -c -1 "$f" >"$T/nonl-$n"
	"$HV" probe --cpuid-dump "$f" >"$T/a.txt" 2>&1 && "$HV" probe --cpuid-dump "$T/nonl-$n" >"$T/b.txt" 2>"$T/err" &&
		[ "$(tail -n +2 "$T/a.txt")" = "$(tail -n +2 "$T/b.txt")" ] && ok "aida-no-final-newline-$n" ||
		ko "aida-no-final-newline-$n" "$(head -c 300 "$T/err")"
done

# lspci: a last line cut mid-line; addresses and IDs that cannot be; a device twice.
awk 'NR > 40 && /^[0-9a-f][0-9a-f]:/ {printf "%s", substr($0, 1, length($0) - 4); exit} {print}' "$LS" >"$T/ls-device"
expect_error lspci-cut-mid-device-line "ls-device:[0-9]*: device line cut short" "$probe" --lspci "$T/ls-device"
awk '/Subsystem: .*\]$/ && NR > 30 {printf "%s", substr($0, 1, length($0) - 3); exit} {print}' "$LS" >"$T/ls-subsys"
expect_error lspci-cut-mid-subsystem "ls-subsys:[0-9]*: line cut short" "$probe" --lspci "$T/ls-subsys"
awk '/Kernel driver in use/ && NR > 30 {printf "\tKernel dri"; exit} {print}' "$LS" >"$T/ls-driver"
expect_error lspci-cut-mid-driver-line "ls-driver:[0-9]*: line cut short" "$probe" --lspci "$T/ls-driver"
head -c -1 "$LS" >"$T/ls-nonl"
"$probe" --lspci "$LS" >"$T/a.txt" && "$probe" --lspci "$T/ls-nonl" >"$T/b.txt" 2>"$T/err" &&
	[ "$(tail -n +2 "$T/a.txt")" = "$(tail -n +2 "$T/b.txt")" ] && ok lspci-no-final-newline || ko lspci-no-final-newline "$(cat "$T/err")"
sed '1s/^00:00\.0/00:20.0/' "$LS" >"$T/ls-dev"
expect_error lspci-device-beyond-1f "ls-dev:1: device number 0x20 is beyond 0x1f" "$probe" --lspci "$T/ls-dev"
sed '1s/^00:00\.0/00:00.8/' "$LS" >"$T/ls-fn"
expect_error lspci-function-beyond-7 "ls-fn:1: function number 0x8 is beyond 0x7" "$probe" --lspci "$T/ls-fn"
sed '1s/^00:00\.0/100:00.0/' "$LS" >"$T/ls-bus"
expect_error lspci-bus-beyond-ff "ls-bus:1: bus number 0x100 is beyond 0xff" "$probe" --lspci "$T/ls-bus"
sed '1s/^00:00\.0/100000:00:00.0/' "$LS" >"$T/ls-dom"
expect_error lspci-domain-beyond "ls-dom:1: domain number 0x100000 is beyond 0xfffff" "$probe" --lspci "$T/ls-dom"
sed '1s/\[8086:2020\]/[8086:2g20]/' "$LS" >"$T/ls-id"
expect_error lspci-malformed-id "ls-id:1: malformed vendor:device ID" "$probe" --lspci "$T/ls-id"
sed '1s/\[8086:2020\]/[8086:202]/' "$LS" >"$T/ls-id3"
expect_error lspci-short-id "ls-id3:1: malformed vendor:device ID" "$probe" --lspci "$T/ls-id3"
sed '2s/\[\([0-9a-f]*\):[0-9a-f]*\]$/[\1:07z5]/' "$LS" >"$T/ls-subid"
expect_error lspci-malformed-subsystem-id "ls-subid:2: malformed subsystem ID" "$probe" --lspci "$T/ls-subid"
{ cat "$LS"; head -n 1 "$LS"; } >"$T/ls-twice"
expect_error lspci-device-twice "ls-twice:$(($(wc -l <"$LS") + 1)): device 0000:00:00.0 listed twice (first at line 1)" "$probe" --lspci "$T/ls-twice"

# PCI dumps (libpci's dump method): a row cut, bytes stopping short, impossible
# addresses libpci would take, a device twice; a whole dump lacking its last newline.
head -c -5 "$PD" >"$T/pd-row"
expect_error pcidump-cut-mid-row "pd-row:$(wc -l <"$PD" | tr -d ' '): row cut short" "$probe" --pci-dump "$T/pd-row"
sed '/^60: /,$d' "$PD" >"$T/pd-short"
expect_error pcidump-cut-at-row "pd-short:[0-9]*: device 0000:01:00.0's configuration bytes stop after 96" "$probe" --pci-dump "$T/pd-short"
awk 'NR > 1 && /^[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] / {d++} d == 52 && /^30: / {print; exit} {print}' "$TREE" >"$T/pd-last"
expect_error pcidump-last-device-short "pd-last:[0-9]*: device .* has 64 configuration bytes, a device before it 256 or more" "$probe" --pci-dump "$T/pd-last"
head -c -1 "$PD" >"$T/pd-nonl"
"$probe" --pci-dump "$PD" >"$T/a.txt" && "$probe" --pci-dump "$T/pd-nonl" >"$T/b.txt" 2>"$T/err" &&
	[ "$(tail -n +2 "$T/a.txt")" = "$(tail -n +2 "$T/b.txt")" ] && ok pcidump-no-final-newline || ko pcidump-no-final-newline "$(cat "$T/err")"
sed '1s/^01:00\.0/01:20.0/' "$PD" >"$T/pd-dev"
expect_error pcidump-device-beyond-1f "pd-dev:1: device number 0x20 is beyond 0x1f" "$probe" --pci-dump "$T/pd-dev"
sed '1s/^01:00\.0/01:00.8/' "$PD" >"$T/pd-fn"
expect_error pcidump-function-beyond-7 "pd-fn:1: function number 0x8 is beyond 0x7" "$probe" --pci-dump "$T/pd-fn"
sed '1s/^01:00\.0/100000:01:00.0/' "$PD" >"$T/pd-dom"
expect_error pcidump-domain-beyond "pd-dom:1: domain number 0x100000 is beyond 0xfffff" "$probe" --pci-dump "$T/pd-dom"
{ cat "$PD"; echo; cat "$PD"; } >"$T/pd-twice"
expect_error pcidump-device-twice "pd-twice:$(($(wc -l <"$PD") + 2)): device 0000:01:00.0 listed twice (first at line 1)" "$probe" --pci-dump "$T/pd-twice"

# --load: an address PCI cannot have, a device twice, a key twice (FILE:LINE:COL).
"$probe" --lspci "$LS" --save "$T/p.json" >/dev/null 2>"$T/err" || ko save "$(cat "$T/err")"
python3 - "$T/p.json" "$T" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
devs = doc["pci"]["devices"]
bad = json.loads(json.dumps(doc)); bad["pci"]["devices"][3]["bdf"] = "0000:00:20.0"
json.dump(bad, open(sys.argv[2] + "/load-dev.json", "w"))
two = json.loads(json.dumps(doc)); two["pci"]["devices"].append(devs[1])
json.dump(two, open(sys.argv[2] + "/load-twice.json", "w"))
PY
expect_error load-device-beyond-1f "load-dev.json: pci.devices\[3\]: device number 0x20 is beyond 0x1f" "$HV" probe --load "$T/load-dev.json"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["pci"]["devices"]))' "$T/p.json")
expect_error load-device-twice "load-twice.json: pci.devices\[$n\]: the same bdf as pci.devices\[1\]" "$HV" probe --load "$T/load-twice.json"
printf '{"schema": "hvcert-probe/1",\n "raw": {}, "raw": {}}\n' >"$T/load-key.json"
expect_error load-key-twice "load-key.json:2:[0-9]*: duplicate object key" "$HV" probe --load "$T/load-key.json"

printf '{"schema": \033]0;x\007}' >"$T/load-esc.json"
expect_error load-escape-in-error "load-esc.json:1:[0-9]*: invalid token near '?'" "$HV" probe --load "$T/load-esc.json"
if grep -q "$(printf '\033')" "$T/err"; then ko load-error-without-escape "jansson's token reached stderr raw"; else ok load-error-without-escape; fi

# Not files: each refused at once (a hang is a failure: lib.sh's timeout).
mkfifo "$T/fifo"
for what in fifo dev-zero dev-urandom directory; do
	case $what in
	fifo) f="$T/fifo" want="fifo: a FIFO, not a regular file" ;;
	dev-zero) f=/dev/zero want="/dev/zero: a character device, not a regular file" ;;
	dev-urandom) f=/dev/urandom want="/dev/urandom: a character device, not a regular file" ;;
	directory) f="$T" want="$T: a directory, not a regular file" ;;
	esac
	[ $what = directory ] || expect_error "cpuid-dump-$what" "$want" "$HV" probe --cpuid-dump "$f"
	expect_error "lspci-$what" "$want" "$probe" --lspci "$f"
	expect_error "pci-dump-$what" "$want" "$probe" --pci-dump "$f"
	expect_error "load-$what" "$want" "$HV" probe --load "$f"
done
# A directory given as --cpuid-dump is read as hwloc-gather-cpuid output (probe/cpuid_dump.c): it has no pu files.
expect_error cpuid-dump-directory "not a hwloc-gather-cpuid directory" "$HV" probe --cpuid-dump "$T"
done_suite
