#!/bin/sh
# End-to-end tests of the hvcert binary: exit codes, error messages, JSON,
# --save/--load, and agreement with kvm-ok and virt-host-validate.
# Prints "cli: N passed, N failed, N skipped" last.
SUITE=cli
. tests/hostile/lib.sh

printf 'CPUID 00000000: 0000000F-756E6547\n' >"$T/short.txt"
expect_error error-names-file-line "$T/short.txt:1: CPUID record" "$HV" probe --cpuid-dump "$T/short.txt"
printf '00:00.0 Host bridge [0600]: x [8086:2020]\nthis is not lspci\n' >"$T/bad-lspci.txt"
expect_error lspci-error-line "$T/bad-lspci.txt:2:" "$HV" probe --cpuid-dump "$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt" --lspci "$T/bad-lspci.txt"
expect_error missing-file "nope.txt" "$HV" probe --cpuid-dump "$T/nope.txt"
expect_error unknown-option "unrecognized option" "$HV" probe --frobnicate
expect_error unknown-command "unknown command" "$HV" frobnicate
expect_error both-pci-sources "give one" "$HV" probe --lspci a --pci-dump b
# Options that select or count must be what they claim, or the command stops (issue 17).
expect_error bench-bogus-mode "unknown mode 'bogus'" "$HV" bench --modes bogus -o "$T/x.json"
expect_error bench-bogus-guest "unknown guest 'nope'" "$HV" bench --modes bt --guests nope -o "$T/x.json"
expect_error bench-negative-reps "'-5' is not a number" "$HV" bench --reps -5 -o "$T/x.json"
# A run that hangs without printing ends at --timeout (the harness polls; it
# used to block in read() for ever): a QEMU that answers --version and the
# smoke run, then sleeps silently.
cat >"$T/hangq" <<'SH'
#!/bin/sh
[ "$1" = "--version" ] && { echo "QEMU emulator version 0.0 (hangs)"; exit 0; }
case "$*" in *"mem_mb=1 bytes=64"*) echo "@result name=crc32 iters=1 cycles=100 per_iter=100 checksum=0x1"; exit 0 ;; esac
exec sleep 1000
SH
chmod +x "$T/hangq"
if timeout 60 "$HV" bench --modes qemu-tcg --guests compute --reps 1 --timeout 2 --args "iters=3" --qemu "$T/hangq" \
	-o "$T/hang.json" 2>"$T/err" && python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(not (d['modes'][0]['available'] and len(d['failures']) == 1 and d['failures'][0]['status'] == 9))" "$T/hang.json"; then
	ok bench-silent-hang-times-out
else
	ko bench-silent-hang-times-out "$(tail -2 "$T/err")"
fi
expect_error compare-nan-threshold "'nan' is not a number" "$HV" compare a.json b.json --threshold nan
printf '{"schema": 1' >"$T/bad.json"
expect_error bad-json "$T/bad.json:1:" "$HV" probe --load "$T/bad.json"
expect_error bad-topology "hwloc" "$HV" probe --cpuid-dump "$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt" --topology "$T/bad.json"

# Every fixture pair gives valid JSON, and --save/--load reproduce the text report.
n=0
for c in "$FX"/cpuid/*; do
	l=$(ls "$FX"/lspci/*.txt | sed -n "$((n % 11 + 1))p"); n=$((n + 1))
	b=$(basename "$c")
	if ! "$HV" probe --cpuid-dump "$c" --lspci "$l" --json >"$T/p.json" 2>"$T/err" ||
		! python3 -m json.tool "$T/p.json" >/dev/null 2>&1; then
		ko "json/$b" "$(head -c 200 "$T/err")"; continue
	fi
	"$HV" probe --cpuid-dump "$c" --lspci "$l" --save "$T/s.json" >"$T/a.txt" &&
		"$HV" probe --load "$T/s.json" >"$T/b.txt"
	if cmp -s "$T/a.txt" "$T/b.txt"; then
		ok "save-load/$b"
	else
		ko "save-load/$b" "$(diff "$T/a.txt" "$T/b.txt" | head -5)"
	fi
done

# The probe of a dump whose collector ran inside a VM says so.
"$HV" probe --cpuid-dump "$FX/cpuid/GenuineIntel00606C1_ICX_01v_CPUID.txt" >"$T/v.txt"
if grep -q "running under .*Hyper-V" "$T/v.txt" && grep -q "hardware virtualization *not exposed" "$T/v.txt"; then
	ok nested-guest-dump
else
	ko nested-guest-dump "$(grep -E 'running under|hardware virt' "$T/v.txt")"
fi

# certify: exit codes, formats, upgrade view, database errors.
SKY="$FX/cpuid/GenuineIntel0050654_SkylakeXeon_CPUID5.txt"
HAS="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"
"$HV" hcl lint >"$T/lint" 2>&1 && grep -q ": 0 problems" "$T/lint" && ok hcl-lint-clean || ko hcl-lint-clean "$(tail -3 "$T/lint")"
"$HV" certify --cpuid-dump "$HAS" --release esxi/7.0 >"$T/c.txt"; rc=$?
[ $rc -eq 0 ] && grep -q "deprecated" "$T/c.txt" && ok certify-exit-0-when-only-warnings || ko certify-exit-0-when-only-warnings "rc=$rc"
"$HV" certify --cpuid-dump "$HAS" --release esxi/8.0 >"$T/c.txt"; rc=$?
[ $rc -eq 1 ] && grep -q "NOT CERTIFIED" "$T/c.txt" && ok certify-exit-1-when-not-certified || ko certify-exit-1-when-not-certified "rc=$rc"
expect_error certify-unknown-release "unknown release 'esxi/5.5'" "$HV" certify --cpuid-dump "$HAS" --release esxi/5.5
printf 'schema 1\nrelease id=x/1 devices=some source=y\n' >"$T/bad.hcl"
expect_error certify-bad-hcl "$T/bad.hcl:2:24: devices must be" "$HV" certify --cpuid-dump "$HAS" --hcl "$T/bad.hcl"
"$HV" certify --cpuid-dump "$SKY" --lspci "$FX/lspci/dell-poweredge-r740.txt" --junit >"$T/j.xml"
python3 -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); n=len(r.findall('.//testcase')); sys.exit(0 if r.tag=='testsuites' and n>20 else 1)" "$T/j.xml" &&
	ok certify-junit-xml || ko certify-junit-xml "not valid JUnit XML"
"$HV" certify --cpuid-dump "$SKY" --lspci "$FX/lspci/dell-poweredge-r740.txt" --html >"$T/c.html"
python3 -c "import sys,html.parser as H; p=H.HTMLParser(); p.feed(open(sys.argv[1]).read())" "$T/c.html" &&
	grep -q "kvm/linux-6.12" "$T/c.html" && grep -q "esxi/8.0" "$T/c.html" && ! grep -q "<script" "$T/c.html" &&
	ok certify-html || ko certify-html "html report incomplete"
# certify --json says which device and CPU each verdict is about, checked
# against the listing and the dump themselves, and names its rules by a
# database-relative file:line that really holds a record.
"$HV" certify --cpuid-dump "$SKY" --lspci "$FX/lspci/dell-poweredge-r740.txt" --json >"$T/c.json"
python3 - "$T/c.json" "$FX/lspci/dell-poweredge-r740.txt" "$SKY" <<'PY' && ok certify-json-structured || ko certify-json-structured "see above"
import json, re, sys, os
d = json.load(open(sys.argv[1])); assert d["schema"] == "hvcert-certify/2"
ids = {}
for line in open(sys.argv[2]):
    m = re.match(r"^((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) .*\[([0-9a-f]{4}):([0-9a-f]{4})\]", line)
    if m:
        bdf = m.group(1) if m.group(1).count(":") == 2 else "0000:" + m.group(1)
        ids[bdf] = (m.group(2), m.group(3))
sig = re.search(r"Genuine(?:Intel)?([0-9A-F]{7})", os.path.basename(sys.argv[3])).group(1).lower()
n = 0
for r in d["releases"]:
    for c in r["components"]:
        assert not c["rule"].startswith("/"), c["rule"]
        if c["rule_file"]:
            assert not os.path.isabs(c["rule_file"]) and c["rule"].startswith("%s:%d:" % (c["rule_file"], c["rule_line"]))
            rec = open(c["rule_file"]).read().split("\n")[c["rule_line"] - 1].split()[0]
            assert rec in ("cpu", "pci", "require", "system"), (c["rule_file"], c["rule_line"], rec)
        if c["kind"] == "pci":
            assert ids[c["bdf"]] == (c["vendor_id"], c["device_id"]), (c["bdf"], ids.get(c["bdf"]))
            n += 1
        if c["kind"] == "cpu":
            assert int(c["signature"], 16) == int(sig, 16), (c["signature"], sig)
assert n > 0
PY
# A source that cannot say (/proc/cpuinfo: no VMX flag shown, no leaves beyond
# the flags) gives "unknown" requirements (WARN), never "absent" ones.
"$HV" certify --cpuid-dump tests/data/cpuid-formats/cpuinfo.txt --json >"$T/ci.json" 2>"$T/err"
python3 - "$T/ci.json" <<'PY' && ok certify-unknown-not-absent || ko certify-unknown-not-absent "$(cat "$T/err")"
import json, sys
d = json.load(open(sys.argv[1]))
hw = [c for r in d["releases"] for c in r["components"] if c["subject"] == "hardware virtualization"]
assert hw and all(c["verdict"] == "WARN" and "unknown" in c["rule"] for c in hw), hw[:1]
PY
# As a browser lays it out: the verdict per release first, then what blocks
# each release and how to fix it, then the evidence; every release that is
# not CERTIFIED has its blockers listed (derived from certify --json).
if [ -z "$CHROME" ]; then
	sk certify-html-in-browser "chromium not installed (package chromium)"
elif dom "$T/c.html" "$T/dom.html" &&
	python3 - "$T/dom.html" "$T/c.json" <<'PY'; then ok certify-html-in-browser; else ko certify-html-in-browser "$(head -c 300 "$T/dom.html")"; fi
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.order = []; self.sec = None; self.h3 = {}; self.cur = None
    def handle_starttag(self, t, a):
        if t == "section": self.sec = dict(a).get("id"); self.order.append(self.sec)
        if t == "h3": self.cur = ""
    def handle_data(self, d):
        if self.cur is not None: self.cur += d
    def handle_endtag(self, t):
        if t == "h3" and self.cur is not None:
            self.h3.setdefault(self.sec, []).append(self.cur.split(":")[0]); self.cur = None
p = P(); p.feed(open(sys.argv[1]).read())
assert p.order == ["summary", "blockers", "evidence"], p.order
c = json.load(open(sys.argv[2]))
want = [r["release"] for r in c["releases"] if r["verdict"] in ("NOT CERTIFIED", "WARN")]
assert sorted(p.h3.get("blockers", [])) == sorted(want), (p.h3.get("blockers"), want)
PY
"$HV" certify --cpuid-dump "$SKY" --lspci "$FX/lspci/dell-poweredge-r740.txt" --json | python3 -m json.tool >/dev/null &&
	ok certify-json || ko certify-json
"$HV" certify --cpuid-dump "$SKY" --lspci "$FX/lspci/dell-poweredge-r740.txt" --release kvm/linux-6.12 --explain >"$T/x.txt"
grep -q "candidates .*kvm-linux-6.12.hcl:[0-9]* score=" "$T/x.txt" && ok certify-explain || ko certify-explain
"$HV" certify --cpuid-dump "$HAS" --from esxi/7.0 --to esxi/8.0 >"$T/u.txt"
grep -q "WARN *-> NOT CERTIFIED *cpu" "$T/u.txt" && ok certify-upgrade-view || ko certify-upgrade-view "$(tail -4 "$T/u.txt")"
"$HV" certify --cpuid-dump "$SKY" --lspci tests/data/lspci-ixgb.txt --from kvm/linux-6.1 --to kvm/linux-6.12 >"$T/u.txt"
grep -q "CERTIFIED *-> NOT CERTIFIED *pci .*82597EX" "$T/u.txt" && ok certify-upgrade-drops-ixgb || ko certify-upgrade-drops-ixgb "$(tail -4 "$T/u.txt")"
"$HV" baseline "$HAS" "$SKY" >"$T/b.txt" && grep -q "cluster: x86-64-v3, baseline intel-haswell, CPU model qemu/Haswell-noTSX" "$T/b.txt" &&
	ok baseline-cli || ko baseline-cli "$(cat "$T/b.txt")"

# lspci text of this very host, in each of its forms, decodes like libpci's
# live view: IDs, class, subsystem, driver (-k) and, with -vv, the PCIe link.
if command -v lspci >/dev/null 2>&1 && [ -n "$(lspci 2>/dev/null)" ]; then
	"$HV" probe --json >"$T/live.json"
	for form in -n -nn -nnk -nvk -vvnn -vvvnnk; do
		lspci $form >"$T/lspci$form.txt" 2>/dev/null
		"$HV" probe --cpuid-dump "$HAS" --lspci "$T/lspci$form.txt" --json >"$T/text.json" 2>"$T/err" || {
			ko "lspci$form-vs-libpci" "$(cat "$T/err")"; continue; }
		if python3 - "$T/live.json" "$T/text.json" "$form" <<'PY'
import json, sys
live = {d["bdf"]: d for d in json.load(open(sys.argv[1]))["pci"]["devices"]}
text = {d["bdf"]: d for d in json.load(open(sys.argv[2]))["pci"]["devices"]}
form = sys.argv[3]
# -nn prints neither Subsystem lines nor prog-if; -k and -v print Subsystem, -v prog-if.
verbose = "v" in form
keys = ["vendor", "device"] + (["subvendor", "subdevice", "driver"] if "k" in form else [])
keys += ["subvendor", "subdevice"] if verbose else []
same = lambda k, a, b: a[:4] == b[:4] if k == "class" and not verbose else a == b
bad = [(b, k, live[b][k], text.get(b, {}).get(k)) for b in live for k in keys + ["class"]
       if b not in text or not same(k, live[b][k], text[b][k])]
if "vv" in form:
    bad += [(b, "link", live[b]["link"], text[b]["link"]) for b in live if b in text and live[b]["link"] != text[b]["link"]]
if set(live) != set(text) or bad:
    print(sorted(set(live) ^ set(text)), bad[:4]); sys.exit(1)
PY
		then ok "lspci$form-vs-libpci"; else ko "lspci$form-vs-libpci" "differs from libpci"; fi
	done
else
	sk lspci-vs-libpci "no lspci or no PCI bus here"
fi

# bench / compare / report on a tiny profile (timings are not checked: only
# that every mode ran, computed the native checksums, and the files are sound).
if "$HV" bench --modes native,qemu-tcg,qemu-tcg+pv,bt,bt+pv --reps 2 --args "iters=2 mem_mb=4 bytes=64" -o "$T/b1.json" 2>"$T/err"; then
	python3 - "$T/b1.json" <<'PY' && ok bench-results || ko bench-results "bad results"
import json, sys
d = json.load(open(sys.argv[1]))
modes = {m["name"]: m for m in d["modes"]}
assert modes["native"]["available"] and modes["bt"]["available"]
bt = [r for r in d["results"] if r["mode"] == "bt"]
assert len([r for r in bt if r["guest"] == "compute"]) == 5, bt
assert all(r["matches_native"] for r in bt if r["guest"] == "compute"), "wrong checksum under bt"
assert any(c["mode"] == "bt" and c["counters"].get("bt_blocks", 0) > 0 for c in d["vmm_counters"]), "no exit counters"
tcg = [r for r in d["results"] if r["mode"] == "qemu-tcg"]
if modes["qemu-tcg"]["available"]:
    assert len([r for r in tcg if r["guest"] == "compute"]) == 5, tcg
    assert all(r["matches_native"] for r in tcg if r["guest"] == "compute"), "wrong checksum under TCG"
    assert all(len(r["cycles_per_iter"]) == 2 for r in d["results"])
assert d["host"]["pmu"] and d["date"] and d["guests"][0]["hash"].startswith("fnv1a64:")
PY
	"$HV" compare "$T/b1.json" "$T/b1.json" >"$T/cmp.txt" && grep -q "^0 regressions" "$T/cmp.txt" &&
		ok compare-identical || ko compare-identical "$(tail -2 "$T/cmp.txt")"
	# Six repetitions each (two are too few for any test to be sure), then twice as slow.
	python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
for r in d['results']: r['cycles_per_iter']=[r['cycles_per_iter'][0]*(1+k/100) for k in range(6)]
json.dump(d,open(sys.argv[2],'w'))
for r in d['results']: r['cycles_per_iter']=[v*2 for v in r['cycles_per_iter']]
d['label']='twice as slow'; json.dump(d,open(sys.argv[3],'w'))" "$T/b1.json" "$T/a6.json" "$T/b2.json"
	"$HV" compare "$T/a6.json" "$T/b2.json" >"$T/cmp.txt"; rc=$?
	[ $rc -eq 1 ] && grep -q "+100.0%.*REGRESSION" "$T/cmp.txt" && ok compare-flags-regression ||
		ko compare-flags-regression "rc=$rc $(head -4 "$T/cmp.txt")"
	if "$HV" report "$T/b1.json" "$T/b2.json" -o "$T/rep" >/dev/null 2>"$T/err" &&
		[ "$(head -c 4 "$T/rep/overhead.png" | od -An -c | tr -d ' ')" = "211PNG" ] &&
		grep -q "data:image/png;base64," "$T/rep/index.html" && grep -q "twice as slow" "$T/rep/trend.dat" &&
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); md=open(sys.argv[2]).read()
sys.exit(any(' %s |' % m not in md for m in {r['mode'] for r in d['results']}))" "$T/b1.json" "$T/rep/report.md" &&
		python3 -c "import sys,xml.etree.ElementTree as E; [E.parse(f) for f in sys.argv[1:]]" "$T"/rep/*.svg; then
		ok report-charts
	else
		ko report-charts "$(cat "$T/err")"
	fi
	# The report opens with the summary (before any chart): per technique the compute
	# geomean with its interval; then the sensitive operations by technique.
	if awk '/^## Summary/ { s = NR } /^!\[/ && !c { c = NR } END { exit !(s && c && s < c) }' "$T/rep/report.md" &&
		grep -q "^| bt | [0-9.]*x \[[0-9.]*, [0-9.]*\] over 5 workloads |" "$T/rep/report.md" &&
		grep -q "^| cpuid | [0-9]* ±[0-9]*%; [0-9.]* callouts" "$T/rep/report.md"; then
		ok report-summary-first
	else
		ko report-summary-first "$(sed -n 1,12p "$T/rep/report.md")"
	fi
	# As a browser builds the page: the summary before the first chart, a column
	# per mode the run has, and a workload named like markup stays text (a
	# hostile results file must not inject an element).
	python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); r=dict(d['results'][0]); r.update(workload='<img src=x onerror=alert(1)>')
d['results'].append(r); json.dump(d,open(sys.argv[2],'w'))" "$T/b1.json" "$T/evil.json"
	if [ -z "$CHROME" ]; then
		sk report-html-in-browser "chromium not installed (package chromium)"
	elif "$HV" report "$T/evil.json" -o "$T/erep" >/dev/null 2>"$T/err" && dom "$T/erep/index.html" "$T/rdom.html" &&
		python3 - "$T/rdom.html" "$T/evil.json" <<'PY'; then ok report-html-in-browser; else ko report-html-in-browser "$(cat "$T/err"; head -c 300 "$T/rdom.html")"; fi
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.seq = []; self.th = set(); self.cur = None; self.evil = 0; self.text = ""
    def handle_starttag(self, t, a):
        a = dict(a)
        if t == "img": self.seq.append(("img", a.get("alt")))
        if "onerror" in a or t == "script": self.evil += 1
        if t in ("h2", "th"): self.cur = ""
    def handle_data(self, d):
        self.text += d
        if self.cur is not None: self.cur += d
    def handle_endtag(self, t):
        if t == "h2" and self.cur is not None: self.seq.append(("h2", self.cur)); self.cur = None
        if t == "th" and self.cur is not None: self.th.add(self.cur); self.cur = None
p = P(); p.feed(open(sys.argv[1]).read())
d = json.load(open(sys.argv[2]))
first_img = next(i for i, x in enumerate(p.seq) if x[0] == "img")
assert p.seq[0] == ("h2", "Summary") and first_img > 0, p.seq[:3]
assert {r["mode"] for r in d["results"]} <= p.th, p.th
assert p.evil == 0 and "<img src=x onerror=alert(1)>" in p.text, p.evil
PY
	# A suspect figure (here a fake 1343x kvm result) is listed with its reason, never charted.
	python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); r=dict(d['results'][0]); r.update(mode='kvm', suspect='1343x native: emulated')
d['results'].append(r); json.dump(d,open(sys.argv[2],'w'))" "$T/b1.json" "$T/sus.json"
	if "$HV" report "$T/sus.json" -o "$T/srep" >/dev/null 2>"$T/err" && grep -q "under kvm: 1343x native: emulated" "$T/srep/report.md" &&
		awk 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "kvm") c = i } NR > 1 && c && $c != "NaN" { bad = 1 } END { exit !c || bad }' "$T/srep/overhead.dat"; then
		ok report-suspect-not-charted
	else
		ko report-suspect-not-charted "$(cat "$T/err"; head -3 "$T/srep/overhead.dat")"
	fi
	printf '{"schema": "hvcert-bench/0", "results": []}' >"$T/old.json"
	expect_error report-old-results "old.json: result schema from another hvcert version" "$HV" report "$T/old.json" -o "$T/x"
	expect_error compare-bad-json "$T/cmp.txt:1:" "$HV" compare "$T/cmp.txt" "$T/b1.json"
else
	ko bench-results "$(cat "$T/err")"
fi

# Availability is decided up front by a smoke run: the hardware-assisted modes
# either run or are skipped quickly with the hypervisor's own message.
start=$(date +%s)
"$HV" bench --modes kvm,kvm+pv,qemu-kvm --guests compute,pvstream --reps 1 -o "$T/avail.json" 2>"$T/err"
took=$(($(date +%s) - start))
if python3 - "$T/avail.json" "$took" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
modes = {m["name"]: m for m in d["modes"]}
pvm = os.path.isdir("/sys/module/kvm_pvm") and os.path.exists("/dev/kvm")
for name, m in modes.items():
    assert m["available"] or m["reason"], (name, "unavailable without a reason")
    ran = [r for r in d["results"] if r["mode"] == name]
    assert not m["available"] or ran, (name, "available but no result")
    assert m["available"] or not ran, (name, "unavailable but run")
if pvm:
    assert not modes["kvm"]["available"] and "kvm_pvm" in modes["kvm"]["reason"], modes["kvm"]
    assert not modes["qemu-kvm"]["available"] and modes["qemu-kvm"]["reason"].startswith("qemu-system"), modes["qemu-kvm"]
if not os.path.exists("/dev/kvm"):
    assert not any(m["available"] for m in modes.values())
assert int(sys.argv[2]) < 30 or any(m["available"] for m in modes.values()), "unavailable modes took %s s" % sys.argv[2]
PY
then ok bench-availability; else ko bench-availability "$(cat "$T/err")"; fi

# capture writes a fresh tree only: not into a file, a link, or a directory
# that holds anything (a planted link would be written through).
: >"$T/afile"; mkdir "$T/planted"; ln -s /etc "$T/planted/proc"; ln -s "$T" "$T/alink"
expect_error capture-into-file "not a directory" "$HV" capture "$T/afile"
expect_error capture-into-link "not a directory" "$HV" capture "$T/alink"
expect_error capture-planted-link "not empty" "$HV" capture "$T/planted"

# A captured bundle replays this host byte for byte but for the first line,
# which names the sources: the CPU and /dev/kvm's ioctl answers are recorded
# in it (hvcert/cpu.json, hvcert/kvm-ioctl.txt), the rest is copied files.
rm -rf "$T/cap"
if "$HV" capture "$T/cap" >/dev/null 2>"$T/err"; then
	"$HV" probe --verbose | sed 1d >"$T/l.txt"
	"$HV" probe --verbose --sysroot "$T/cap" | sed 1d >"$T/c.txt"
	if cmp -s "$T/l.txt" "$T/c.txt"; then ok capture-replay; else ko capture-replay "$(diff "$T/l.txt" "$T/c.txt" | head -8)"; fi
else
	ko capture-replay "$(cat "$T/err")"
fi
# The recorded PVM host replays as one on every machine (its own CPU, its kvm_pvm).
"$HV" probe --sysroot tests/data/sysroot/pvm-host >"$T/pvm.txt" 2>"$T/err"
if grep -q "^hvcert probe: cpu from tests/data/sysroot/pvm-host/hvcert/cpu.json" "$T/pvm.txt" &&
	grep -q "^  \[PASS\] PVM-aware guests  *paravirtual (kvm_pvm)" "$T/pvm.txt" &&
	grep -q "^  \[FAIL\] unmodified guests  *no hardware assistance" "$T/pvm.txt"; then
	ok replay-pvm-host
else
	ko replay-pvm-host "$(cat "$T/err"; grep -E 'cpu from|guests' "$T/pvm.txt")"
fi

# Live probe against kvm-ok (cpu-checker) and virt-host-validate (libvirt):
# hvcert predicts what each concludes (both read only the vmx/svm flag, and
# kvm-ok /dev/kvm), the prediction must match what they print, hvcert's own
# hardware-assisted verdict must agree with kvm-ok's where kvm-ok's question
# is the same, and where hvcert says more (PVM) it must say why they differ.
"$HV" probe --json >"$T/live.json" 2>"$T/err" || ko live-probe "$(cat "$T/err")"
tools() { python3 -c "import json,sys; k=json.load(open(sys.argv[1]))['virtualization']['kvm']; print({True:'PASS',False:'FAIL',None:'?'}[k['hardware_assisted_guests'] if sys.argv[2]=='hw' else k['tools'][sys.argv[2]]])" "$T/live.json" "$1"; }
"$HV" probe >"$T/live.txt" 2>>"$T/err"
why=$(grep -A1 "kvm-ok, virt-host-validate" "$T/live.txt" | tail -1)
if command -v kvm-ok >/dev/null 2>&1; then
	kvm-ok >"$T/kvmok" 2>&1; krc=$?
	theirs=$([ $krc -eq 0 ] && echo PASS || echo FAIL)
	predicted=$(tools kvm_ok) ours=$(tools hw)
	pvm=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['virtualization']['kvm']['pvm_guests'])" "$T/live.json")
	if [ "$predicted" != "$theirs" ]; then
		ko agrees-with-kvm-ok "hvcert predicted kvm-ok $predicted, kvm-ok said $theirs: $(cat "$T/kvmok")"
	elif [ "$theirs" = FAIL ] && [ "$ours" = PASS ]; then
		ko agrees-with-kvm-ok "kvm-ok FAIL but hvcert says hardware-assisted guests PASS"
	elif [ "$pvm" = True ] && ! echo "$why" | grep -q "they differ from hvcert: .*look only for the 'vmx'/'svm' flag.*kvm_pvm needs neither"; then
		ko agrees-with-kvm-ok "PVM host: no explanation of kvm-ok's FAIL: '$why'"
	else
		ok agrees-with-kvm-ok
	fi
else
	sk agrees-with-kvm-ok "kvm-ok not installed (package cpu-checker)"
fi
if command -v virt-host-validate >/dev/null 2>&1; then
	virt-host-validate qemu >"$T/vhv" 2>&1
	theirs=$(sed -n 's/.*Checking for hardware virtualization *: *\([A-Z]*\).*/\1/p' "$T/vhv" | head -1)
	predicted=$(tools virt_host_validate_hw)
	ours_hw=$(sed -n 's/^  \[\([A-Z]*\)\] hardware virtualization.*/\1/p' "$T/live.txt")
	if [ -z "$theirs" ]; then
		sk agrees-with-virt-host-validate "no hardware virtualization line in its output"
	elif [ "$predicted" != "$theirs" ]; then
		ko agrees-with-virt-host-validate "hvcert predicted $predicted, virt-host-validate said $theirs"
	elif [ "$theirs" = PASS ] && [ "$ours_hw" != PASS ] && [ "$ours_hw" != WARN ]; then
		ko agrees-with-virt-host-validate "virt-host-validate PASS, hvcert's hardware virtualization $ours_hw"
	else
		ok agrees-with-virt-host-validate
	fi
else
	sk agrees-with-virt-host-validate "virt-host-validate not installed (package libvirt-clients)"
fi

done_suite
