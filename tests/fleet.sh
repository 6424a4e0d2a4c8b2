#!/bin/sh
# hvcert fleet: many hosts' dumps and saved probes into one matrix. Every
# expected value is derived from hvcert certify on each host alone and from
# the fleet's own matrix (the best release is recomputed here), never typed in.
SUITE=fleet
. tests/hostile/lib.sh

mkdir "$T/fleet"
for f in "$FX"/cpuid/*Nehalem* "$FX"/cpuid/*SapphireRapids* "$FX"/cpuid/*Milan* "$FX"/cpuid/*Hygon*; do
	cp "$f" "$T/fleet/"
done
"$HV" probe --cpuid-dump "$(ls "$FX"/cpuid/*Genoa* | head -1)" --save "$T/fleet/genoa.json" >/dev/null 2>"$T/err" ||
	ko save "$(cat "$T/err")"
nfiles=$(ls "$T/fleet" | wc -l)
"$HV" fleet --json "$T/fleet" >"$T/f.json" 2>"$T/err"; rc=$?
if [ $rc -le 1 ] && python3 - "$T/f.json" "$nfiles" "$HV" "$T/fleet" <<'PY'; then ok json-matches-certify; else ko json-matches-certify "rc=$rc $(cat "$T/err")"; fi
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "hvcert-fleet/1"
hosts = d["hosts"]
assert len(hosts) == int(sys.argv[2]) == d["hosts_total"], len(hosts)
for h in hosts:
    arg = ["--load", h["file"]] if h["file"].endswith(".json") else ["--cpuid-dump", h["file"]]
    c = json.loads(subprocess.run([sys.argv[3], "certify", "--json"] + arg, capture_output=True, text=True).stdout)
    alone = {r["release"]: r["verdict"] for r in c["releases"]}
    assert alone == h["releases"], (h["name"], alone, h["releases"])
    for rel, blk in h["blockers"].items():
        nc = [x for r in c["releases"] if r["release"] == rel for x in r["components"] if x["verdict"] == "NOT CERTIFIED"]
        assert [(b["component"], b["subject"]) for b in blk] == [(x["component"], x["subject"]) for x in nc]
runs = {r["id"]: sum(h["releases"][r["id"]] in ("CERTIFIED", "WARN") for h in hosts) for r in d["releases"]}
assert all(runs[r["id"]] == r["hosts_runnable"] for r in d["releases"])
best = max(runs.values())
assert set(d["best_releases"]) == {r for r, n in runs.items() if n == best} and d["best_release"] in d["best_releases"]
PY

"$HV" fleet "$T/fleet" >"$T/f.txt" 2>"$T/err"
n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['hosts']))" "$T/f.json")
rows=$(sed -n '/^host /,/^(CERT/p' "$T/f.txt" | sed '1d;$d' | wc -l)
[ "$rows" -eq "$n" ] && grep -q "^best release: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best_release'])" "$T/f.json") " "$T/f.txt" &&
	ok text-matrix || ko text-matrix "$rows rows for $n hosts: $(head -3 "$T/f.txt")"

"$HV" fleet --junit "$T/fleet" >"$T/f.xml" 2>"$T/err"
python3 - "$T/f.xml" "$T/f.json" <<'PY' && ok junit || ko junit "$(head -5 "$T/f.xml")"
import json, sys, xml.etree.ElementTree as E
x = E.parse(sys.argv[1]).getroot(); d = json.load(open(sys.argv[2]))
suites = x.findall("testsuite")
assert [s.get("name") for s in suites] == [r["id"] for r in d["releases"]]
for s in suites:
    nc = sum(h["releases"][s.get("name")] == "NOT CERTIFIED" for h in d["hosts"])
    assert int(s.get("failures")) == nc == len(s.findall("testcase/failure")), s.get("name")
PY

# The page reads summary first, as a browser lays it out.
"$HV" fleet --html "$T/fleet" >"$T/f.html" 2>"$T/err"
[ -z "$CHROME" ] && sk html-summary-first "chromium not installed (package chromium)"
[ -n "$CHROME" ] && if dom "$T/f.html" "$T/dom.html" &&
	python3 - "$T/dom.html" "$T/f.json" <<'PY'; then ok html-summary-first; else ko html-summary-first "$(head -c 300 "$T/dom.html")"; fi
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    order, text = [], []
    def handle_starttag(self, t, a):
        if t == "section": self.order.append(dict(a).get("id"))
    def handle_data(self, s): self.text.append(s)
p = P(); p.feed(open(sys.argv[1]).read())
assert p.order == ["summary", "matrix", "blockers", "evidence"], p.order
best = json.load(open(sys.argv[2]))["best_release"]
assert best in "".join(p.text).split("Hosts by release")[0], "best release not in the summary"
PY

# Bad hosts: the file is named, nothing is judged.
printf 'not a dump\n' >"$T/fleet/broken.txt"
expect_error bad-host-named "broken.txt" "$HV" fleet "$T/fleet"
rm "$T/fleet/broken.txt"
mkdir "$T/empty"
expect_error empty-directory "no host files" "$HV" fleet "$T/empty"
expect_error missing-host "nope.json" "$HV" fleet "$T/nope.json"
mkfifo "$T/fifo"
expect_error fifo-host "fifo: a FIFO" "$HV" fleet "$T/fifo"
expect_error unknown-release "unknown release 'esxi/1.0'" "$HV" fleet --release esxi/1.0 "$T/fleet"
done_suite
