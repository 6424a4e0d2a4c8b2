#!/bin/sh
# The HCL layer fed hostile files and arguments: importers never write a
# record that fails lint or carries records of its own, PCI IDs are 16 bits,
# a FIFO or a device is refused at once, and certify does not judge with a
# database lint rejects.
SUITE=hostile-hcl
. tests/hostile/lib.sh
HAS="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"
GOOD='alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb'

# moddir NAME LINE...: $T/NAME/modules.alias with these lines.
moddir() {
	d="$T/$1"; shift
	rm -rf "$d"; mkdir -p "$d"
	printf '%s\n' "$@" >"$d/modules.alias"
}
# lints NAME: what the last import wrote, under a schema line and the
# declaration of release $rel (default kvm/x), passes hcl lint.
lints() {
	{ printf 'schema 1\nrelease id=%s source=t\n' "${rel:-kvm/x}"; cat "$T/out"; } >"$T/lint.hcl"
	if "$HV" hcl lint "$T/lint.hcl" >"$T/lint.out" 2>&1; then ok "$1"; else ko "$1" "$(head -c 300 "$T/lint.out")"; fi
}
# imports NAME RECORDS CMD...: exit 0 with RECORDS pci lines that lint clean.
imports() {
	name=$1 want=$2; shift 2
	timeout 20 "$@" >"$T/out" 2>"$T/err"; rc=$?
	n=$(grep -c '^pci ' "$T/out")
	if [ $rc -ne 0 ] || [ "$n" != "$want" ]; then
		ko "$name" "rc=$rc, $n records (want $want): $(head -c 300 "$T/err")"
	else
		lints "$name"
	fi
}

# Module names: what the format could not carry is refused with file:line.
moddir q "$GOOD" 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* a"b'
expect_error modname-quote "q/modules.alias:2: module name: byte 2 is '\"'" "$HV" hcl import-modalias kvm/x "$T/q" t
moddir h "alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb#kvm/x=unsupported"
expect_error modname-hash "h/modules.alias:1: module name: byte 4 is '#'" "$HV" hcl import-modalias kvm/x "$T/h" t
moddir b 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* {igb}'
expect_error modname-brace "b/modules.alias:1: module name: byte 1 is '{'" "$HV" hcl import-modalias kvm/x "$T/b" t
moddir s 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb kvm/x=unsupported'
expect_error modname-space "s/modules.alias:1: expected 'alias PATTERN MODULE'" "$HV" hcl import-modalias kvm/x "$T/s" t
long=$(python3 -c 'print("m" * 200)')
moddir l "alias pci:v00008086d000010C9sv*sd*bc*sc*i* $long"
expect_error modname-long "l/modules.alias:1: module name of 200 bytes" "$HV" hcl import-modalias kvm/x "$T/l" t
moddir cr "$(printf 'alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\r')"
expect_error modname-cr "cr/modules.alias:1: module name: byte 4 is 0x0d" "$HV" hcl import-modalias kvm/x "$T/cr" t
# Record keywords are ordinary module names: one record each, lint clean.
moddir k 'alias pci:v00008086d00000001sv*sd*bc*sc*i* release' 'alias pci:v00008086d00000002sv*sd*bc*sc*i* schema' \
	'alias pci:v00008086d00000003sv*sd*bc*sc*i* pci'
imports modname-keywords 3 "$HV" hcl import-modalias kvm/x "$T/k" t
# A line longer than any buffer stays one line: its tail is no alias.
python3 -c "print('# ' + 'x' * 1021 + 'alias pci:v00001234d00005678sv*sd*bc*sc*i* evil')" >"$T/k/modules.alias"
imports long-line-no-alias 0 "$HV" hcl import-modalias kvm/x "$T/k" t
grep -q evil "$T/out" && ko long-line-no-alias "a line's tail became an alias"

# modules.builtin.modinfo: a name with a newline would write records of its own.
moddir bi "$GOOD"
printf 'a\npci id=1234:5678 kvm/x=unsupported source=x\nb.alias=pci:v00001234d00005678sv*sd*bc*sc*i*\0' \
	>"$T/bi/modules.builtin.modinfo"
expect_error modinfo-newline "bi/modules.builtin.modinfo: record 1: module name: byte 2 is 0x0a" \
	"$HV" hcl import-modalias kvm/x "$T/bi" t
python3 -c "
import sys
sys.stdout.write('x.description=' + 'y' * 1100 + 'evil.alias=pci:v00001234d00005678sv*sd*bc*sc*i*\0' +
                 'virtio_pci.alias=pci:v00001AF4d*sv*sd*bc*sc*i*\0')" >"$T/bi/modules.builtin.modinfo"
imports modinfo-long-record 2 "$HV" hcl import-modalias kvm/x "$T/bi" t
grep -q evil "$T/out" && ko modinfo-long-record "a record's tail became an alias"

# RELEASE becomes a key, SOURCE a quoted value.
moddir g "$GOOD"
for r in 'kvm/x y' 'kvm/x#' 'KVM/X' 'kvm/x"' "kvm/$(python3 -c 'print("v" * 60)')" 'kvm'; do
	expect_error "release-arg-$(printf %s "$r" | tr -c 'a-zA-Z0-9' _ | head -c 20)" "RELEASE is not a release id" \
		"$HV" hcl import-modalias "$r" "$T/g" t
done
imports source-quotes-escaped 1 "$HV" hcl import-modalias kvm/x "$T/g" 'a "quoted" \back#slash {x} pci id=1:2'
expect_error source-newline "SOURCE: byte 2 is 0x0a" "$HV" hcl import-modalias kvm/x "$T/g" "$(printf 'a\nb')"
expect_error source-too-long "SOURCE: 5000 bytes" "$HV" hcl import-modalias kvm/x "$T/g" "$(python3 -c 'print("s" * 5000)')"
: >"$T/g/modules.builtin"
expect_error builtin-release-arg "RELEASE is not a release id" "$HV" hcl import-builtin 'kvm/a b' "$T/g" "$T/g" t

# PCI IDs are 16 bits: never masked, never silently dropped.
moddir sv 'alias pci:v00008086d000010C9sv00018086sd*bc*sc*i* igb'
expect_error subvendor-above-ffff "sv/modules.alias:1: subsystem vendor ID 0x00018086 is above 0xFFFF" \
	"$HV" hcl import-modalias kvm/x "$T/sv" t
moddir sd "$GOOD" 'alias pci:v00008086d000010C9sv*sd0001FFFFbc*sc*i* igb'
expect_error subdevice-above-ffff "sd/modules.alias:2: subsystem device ID 0x0001ffff" \
	"$HV" hcl import-modalias kvm/x "$T/sd" t
moddir vd 'alias pci:v00108086d000010C9sv*sd*bc*sc*i* igb'
expect_error vendor-above-ffff "vd/modules.alias:1: vendor ID 0x00108086" "$HV" hcl import-modalias kvm/x "$T/vd" t
moddir dd 'alias pci:v00008086dFFFFFFFFsv*sd*bc*sc*i* igb'
expect_error device-above-ffff "dd/modules.alias:1: device ID 0xffffffff" "$HV" hcl import-modalias kvm/x "$T/dd" t
# A class the format cannot say (sub-class wildcard, prog-if given) is
# skipped and counted, not widened to any class.
moddir cl 'alias pci:v*d*sv*sd*bc01sc*i02* weird' "$GOOD"
imports class-not-a-prefix 1 "$HV" hcl import-modalias kvm/x "$T/cl" t
grep -q '^# 1 alias patterns' "$T/out" || ko class-not-a-prefix-counted "$(cat "$T/out")"

# Many drivers claiming one ID make one record that still parses.
python3 -c "
for i in range(300):
    print('alias pci:v00008086d000010C9sv*sd*bc*sc*i* driver_number_%d' % i)" >"$T/g/modules.alias"
expect_error driver-list-too-long "g/modules.alias:[0-9]*: the drivers claiming this ID make a list of more than 1024" \
	"$HV" hcl import-modalias kvm/x "$T/g" t
python3 -c "
for i in range(40):
    print('alias pci:v00008086d000010C9sv*sd*bc*sc*i* driver_number_%d' % (i % 20))" >"$T/g/modules.alias"
imports driver-list-deduped 1 "$HV" hcl import-modalias kvm/x "$T/g" t
grep -q 'driver=driver_number_0,driver_number_1,.*,driver_number_19 ' "$T/out" && ! grep -q 'driver_number_19,driver_number_0' "$T/out" ||
	ko driver-list-order "$(head -c 300 "$T/out")"

# Not regular files: refused at once, never read (a FIFO would block).
moddir f "$GOOD"; rm "$T/f/modules.alias"; mkfifo "$T/f/modules.alias"
expect_error modalias-fifo "f/modules.alias: a FIFO" "$HV" hcl import-modalias kvm/x "$T/f" t
moddir z "$GOOD"; ln -s /dev/zero "$T/z/modules.builtin.modinfo"
expect_error modinfo-dev-zero "z/modules.builtin.modinfo: a character device" "$HV" hcl import-modalias kvm/x "$T/z" t
moddir zb "$GOOD"; ln -s /dev/zero "$T/zb/modules.builtin"
expect_error builtin-dev-zero "zb/modules.builtin: a character device" "$HV" hcl import-builtin kvm/x "$T/zb" "$T/g" t
mkfifo "$T/list.fifo"
expect_error csv-fifo "list.fifo: a FIFO" "$HV" hcl import-csv "$T/list.fifo" t
expect_error vsan-fifo "list.fifo: a FIFO" "$HV" hcl import-vsan "$T/list.fifo" t
expect_error vsan-dev-zero "/dev/zero: a character device" "$HV" hcl import-vsan /dev/zero t
mkfifo "$T/db.hcl"
expect_error lint-fifo "db.hcl: a FIFO" "$HV" hcl lint "$T/db.hcl"
expect_error certify-hcl-fifo "db.hcl: a FIFO" "$HV" certify --cpuid-dump "$HAS" --hcl "$T/db.hcl"
expect_error certify-hcl-dev-zero "/dev/zero: a character device" "$HV" certify --cpuid-dump "$HAS" --hcl /dev/zero
mkdir "$T/dbdir"; mkfifo "$T/dbdir/a.hcl"
expect_error certify-hcl-dir-with-fifo "dbdir/a.hcl: a FIFO" "$HV" certify --cpuid-dump "$HAS" --hcl "$T/dbdir"
mkdir -p "$T/data"; cp -r data/hcl "$T/data/"; mkfifo "$T/data/cpuid-bits.tsv"
if HVCERT_DATA="$T/data" timeout 20 "$HV" hcl lint >"$T/out" 2>"$T/err" && grep -q "cpuid-bits.tsv: a FIFO" "$T/err"; then
	ok cpuid-bits-fifo
else
	ko cpuid-bits-fifo "$(head -c 300 "$T/err")"
fi

# Vendor lists: control characters are refused, quotes escaped, release
# names that are no release id refused.
printf 'Vendor,Model,VID,DID,Release,Driver\nIntel,"X710 ""4-port"" #1",8086,1572,ESXi 8.0,"i40en"\n' >"$T/ok.csv"
rel=esxi/8.0
imports csv-quotes-escaped 1 "$HV" hcl import-csv "$T/ok.csv" 'a "b" \c'
rel=
printf 'Vendor,Model,VID,DID,Release,Driver\nIntel,X710,8086,1572,ESXi 8.0,"i40\ren"\n' >"$T/cr.csv"
expect_error csv-control-char "cr.csv:2: driver: byte 4 is 0x0d" "$HV" hcl import-csv "$T/cr.csv" t
printf 'Vendor,Model,VID,DID,Release\nIntel,X710,8086,1572,E#Xi 8.0\n' >"$T/rel.csv"
expect_error csv-bad-release "rel.csv:2: the Release cell is not a release name" "$HV" hcl import-csv "$T/rel.csv" t
printf '{"data": {"nic": [{"vid": "8086", "did": "1572", "releases": {"ESXi 8.0": {"i40en\\nnic": {}}}}]}}' >"$T/nl.json"
expect_error vsan-control-char "data.nic\[0\]: driver: byte 6 is 0x0a" "$HV" hcl import-vsan "$T/nl.json" t
printf '{"data": {"nic": [{"vid": "8086", "did": "1572", "releases": {"ES#Xi 8.0": {"i40en": {}}}}]}}' >"$T/q.json"
expect_error vsan-bad-release "data.nic\[0\].releases: a key is not a release name" "$HV" hcl import-vsan "$T/q.json" t

# certify: two databases that contradict each other are refused with
# lint's findings; the shipped database still certifies.
printf 'schema 1\nrelease id=k/1 source=t\npci id=8086:10c9 k/1=supported source=a\n' >"$T/a.hcl"
printf 'schema 1\npci id=8086:10c9 k/1=unsupported source=b\n' >"$T/b.hcl"
expect_error certify-contradicting-databases "b.hcl:2:1: duplicate pci entry for release k/1 (same match key as $T/a.hcl:3)" \
	"$HV" certify --cpuid-dump "$HAS" --hcl "$T/a.hcl" --hcl "$T/b.hcl"
printf 'schema 1\npci id=8086:10c9 k/9=supported source=b\n' >"$T/c.hcl"
expect_error certify-undeclared-release "c.hcl:2:1: unknown release 'k/9'" \
	"$HV" certify --cpuid-dump "$HAS" --hcl "$T/a.hcl" --hcl "$T/c.hcl"
# A device under two drivers, or listed twice, is one record listing both
# drivers (two records would fail lint, and so stop certify).
printf 'Vendor,Model,VID,DID,SVID,SSID,Driver,Firmware,Release\nA,N,8086,1572,*,*,i40en,1.0,ESXi 8.0\nA,N,8086,1572,*,*,i40en_ens,0.9,ESXi 8.0\nA,N,8086,1572,*,*,i40en,1.0,ESXi 8.0\n' >"$T/dup.csv"
rel=esxi/8.0 imports csv-duplicates-merged 1 "$HV" hcl import-csv "$T/dup.csv" t
grep -q 'driver="i40en,i40en_ens" fw_min="0.9"' "$T/out" && ok csv-duplicates-keep-both-drivers ||
	ko csv-duplicates-keep-both-drivers "$(cat "$T/out")"
"$HV" certify --cpuid-dump "$HAS" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -le 1 ] && grep -q "kvm/linux-6.1" "$T/out"; then ok certify-shipped-database; else ko certify-shipped-database "rc=$rc $(head -c 300 "$T/err")"; fi
done_suite
