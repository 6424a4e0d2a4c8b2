#!/bin/sh
# Results files (hvcert compare, the CI gate) and baseline host files made
# hostile: compare must never pass on nothing. A file without results, a
# row without its names or with impossible samples, a row only one run has,
# a FIFO, a device, a directory or a huge file: exit 2 at once, naming the
# file and the row. Inputs are hand-made after docs/bench-json.md; no guest
# runs.
SUITE=hostile-compare
. tests/hostile/lib.sh
HAS="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"

# A valid run (A), the same run again (B), and one bent copy per case.
python3 - "$T" <<'PY'
import copy, json, sys
t = sys.argv[1]
def row(g, w, m, base):
    s = [base * (1 + k / 100) for k in range(6)]
    return {"guest": g, "workload": w, "mode": m, "iters": 20, "checksum": "0x1234", "matches_native": True,
            "cycles_per_iter": s, "wall_ms": [5.0] * 6, "median": sorted(s)[3], "min": s[0], "spread": 0.03,
            "overhead_vs_native": None, "suspect": None}
a = {"schema": "hvcert-bench/1", "label": "run A", "date": "2026-11-25T13:26:58Z", "hvcert": "test",
     "options": {"modes": None, "guests": None, "args": "", "reps": 6, "timeout_s": 300},
     "modes": [{"name": "bt", "available": True, "reason": "", "version": "vmm-mini", "smoke_ms": 20.0},
               {"name": "qemu-tcg", "available": True, "reason": "", "version": "QEMU 7.2", "smoke_ms": 130.0},
               {"name": "qemu-kvm", "available": False, "reason": "qemu-system-x86_64: failed to set MSR 0x10a",
                "version": "", "smoke_ms": 46.0}],
     "guests": [{"name": "compute", "file": "compute.elf", "hash": "fnv1a64:0"}],
     "results": [row("compute", "crc32", "bt", 1000.0), row("compute", "crc32", "qemu-tcg", 3000.0),
                 row("nanobench", "cpuid", "bt", 400.0)],
     "failures": [], "vmm_counters": [], "host": {"cpu": "test"}}
def put(name, d):
    json.dump(d, open("%s/%s.json" % (t, name), "w"), indent=1)
def bent(name, f):
    d = copy.deepcopy(a)
    f(d)
    put(name, d)
def samples(v):
    return lambda d: d["results"][1].__setitem__("cycles_per_iter", v)
put("a", a)
b = copy.deepcopy(a); b["label"] = "run B"; put("b", b)
bent("noresults", lambda d: d.__setitem__("results", []))
bent("noresultsarray", lambda d: d.pop("results"))
bent("empty", samples([]))
bent("negative", samples([3000.0, -5.0, 3001.0]))
bent("zero", samples([0, 3000.0]))
bent("string", samples([3000.0, "fast"]))
bent("null", samples([3000.0, None]))
bent("bool", samples([True]))
bent("notalist", samples(3000.0))
bent("toomany", samples([3000.0] * 1001))
bent("noguest", lambda d: d["results"][1].pop("guest"))
bent("noworkload", lambda d: d["results"][1].pop("workload"))
bent("nomode", lambda d: d["results"][1].pop("mode"))
bent("numbermode", lambda d: d["results"][1].__setitem__("mode", 7))
bent("emptymode", lambda d: d["results"][1].__setitem__("mode", ""))
bent("notobject", lambda d: d["results"].__setitem__(1, [1, 2]))
bent("twice", lambda d: d["results"].append(copy.deepcopy(d["results"][1])))
bent("toomanyrows", lambda d: d.__setitem__("results", [row("g%d" % i, "w", "bt", 1.0) for i in range(4097)]))
# JSON has no NaN or infinity: Python writes them, jansson must refuse them.
bent("nan", samples([3000.0, float("nan")]))
bent("inf", samples([float("inf")]))
open(t + "/overflow.json", "w").write(open(t + "/a.json").read().replace("3000.0", "1e999", 1))
open(t + "/dupkey.json", "w").write(open(t + "/a.json").read().replace('"mode": "qemu-tcg",', '"mode": "qemu-tcg", "mode": "bt",', 1))
# Rows present in one run only.
bent("lessrows", lambda d: d["results"].pop(2))
bent("tcg-unavailable", lambda d: (d["results"].pop(1), d["modes"][1].update(available=False, reason="qemu: no such machine")))
bent("tcg-failed", lambda d: (d["results"].pop(1), d["failures"].append({"guest": "compute", "mode": "qemu-tcg", "rep": 0, "status": 256, "output": "boom"})))
bent("morerows", lambda d: d["results"].append(row("iostream", "uart", "bt", 9000.0)))
bent("manyrows", lambda d: d["results"].extend(row("g%d" % i, "w", "bt", 1.0) for i in range(60)))
bent("otherrow", lambda d: d["results"].__setitem__(2, row("iostream", "uart", "bt", 9000.0)))
# A mode unavailable in both runs has rows in neither: nothing is missing.

bent("kvm-unavailable-b", lambda d: d["modes"][2].update(reason="another reason"))
PY

cmp_ok() { # NAME A B: exit 0 and "0 regressions"
	name=$1; shift
	timeout 20 "$HV" compare "$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc -eq 0 ] && grep -q "^0 regressions" "$T/out"; then ok "$name"; else ko "$name" "rc=$rc $(head -c 300 "$T/err")"; fi
}
cmp_ok identical-runs "$T/a.json" "$T/b.json"
cmp_ok unavailable-in-both "$T/a.json" "$T/kvm-unavailable-b.json"

# Each kind of bad results file, as B (and a few as A): exit 2 naming the file and the row.
R='(compute, crc32, qemu-tcg)'
while IFS='|' read -r case want; do
	expect_error "bad-$case" "$case.json: $want" "$HV" compare "$T/a.json" "$T/$case.json"
done <<EOF
noresults|no results: nothing to compare
noresultsarray|no results array
empty|result 2 $R: no samples
negative|result 2 $R: sample 2 is -5
zero|result 2 $R: sample 1 is 0
string|result 2 $R: sample 2 is not a number
null|result 2 $R: sample 2 is not a number
bool|result 2 $R: sample 1 is not a number
notalist|result 2 $R: cycles_per_iter is not a list
toomany|result 2 $R: more than 1000 samples
noguest|result 2 lacks a guest, workload or mode name
noworkload|result 2 lacks a guest, workload or mode name
nomode|result 2 lacks a guest, workload or mode name
numbermode|result 2 lacks a guest, workload or mode name
emptymode|result 2 lacks a guest, workload or mode name
notobject|result 2 lacks a guest, workload or mode name
twice|result 4 $R repeats result 2
toomanyrows|more than 4096 results
EOF
# Not JSON: jansson's FILE:LINE:COL form.
expect_error bad-nan "nan.json:[0-9]*:[0-9]*: invalid token near 'NaN'" "$HV" compare "$T/a.json" "$T/nan.json"
expect_error bad-inf "inf.json:[0-9]*:[0-9]*: invalid token near 'Infinity'" "$HV" compare "$T/a.json" "$T/inf.json"
expect_error bad-overflow "overflow.json:[0-9]*:[0-9]*: real number overflow" "$HV" compare "$T/a.json" "$T/overflow.json"
expect_error bad-duplicate-key "dupkey.json:[0-9]*:[0-9]*: duplicate object key" "$HV" compare "$T/a.json" "$T/dupkey.json"
expect_error bad-as-a-negative "negative.json: result 2 $R: sample 2 is -5" "$HV" compare "$T/negative.json" "$T/a.json"
expect_error bad-as-a-noresults "noresults.json: no results" "$HV" compare "$T/noresults.json" "$T/noresults.json"

# Rows only one run has: each listed (with what that run recorded about it), exit 2,
# and stdout never says "0 regressions".
missing() { # NAME WANT A B
	name=$1 want=$2; shift 2
	expect_error "$name" "$want" "$HV" compare "$@"
	if [ -s "$T/out" ] && ! grep -q "^[0-9]* regressions*$" "$T/out"; then ok "$name-not-passing"; else ko "$name-not-passing" "$(tail -1 "$T/out")"; fi
}
N='(nanobench, cpuid, bt)'
missing rows-missing-in-b "$N is in $T/a.json only, not in $T/lessrows.json: it has no such result" "$T/a.json" "$T/lessrows.json"
missing rows-missing-in-a "$N is in $T/a.json only, not in $T/lessrows.json" "$T/lessrows.json" "$T/a.json"
missing rows-extra-in-b "(iostream, uart, bt) is in $T/morerows.json only" "$T/a.json" "$T/morerows.json"
missing rows-unavailable-in-b "$R is in $T/a.json only, not in $T/tcg-unavailable.json: mode qemu-tcg was unavailable there: qemu: no such machine" "$T/a.json" "$T/tcg-unavailable.json"
missing rows-failed-in-b "$R is in $T/a.json only, not in $T/tcg-failed.json: 1 run of compute under qemu-tcg printed no result" "$T/a.json" "$T/tcg-failed.json"
expect_error rows-missing-many "and 10 more results in $T/manyrows.json only" "$HV" compare "$T/a.json" "$T/manyrows.json"
if [ "$(grep -c "is in $T/manyrows.json only" "$T/err")" -eq 50 ]; then ok rows-missing-many-listed; else ko rows-missing-many-listed "$(grep -c . "$T/err") lines"; fi
expect_error rows-missing-both-sides "$N is in $T/a.json only" "$HV" compare "$T/a.json" "$T/otherrow.json"
if grep -q "(iostream, uart, bt) is in $T/otherrow.json only" "$T/err"; then ok rows-missing-both-sides-listed; else ko rows-missing-both-sides-listed "$(cat "$T/err")"; fi

# What is not a results file: refused at once, never read from.
mkfifo "$T/fifo.json"
expect_error results-fifo "fifo.json: a FIFO" "$HV" compare "$T/a.json" "$T/fifo.json"
expect_error results-fifo-as-a "fifo.json: a FIFO" "$HV" compare "$T/fifo.json" "$T/a.json"
expect_error results-dev-zero "/dev/zero: a character device" "$HV" compare "$T/a.json" /dev/zero
mkdir "$T/dir.json"
expect_error results-directory "dir.json: a directory" "$HV" compare "$T/a.json" "$T/dir.json"
truncate -s 65M "$T/huge.json"
expect_error results-huge "huge.json: larger than" "$HV" compare "$T/a.json" "$T/huge.json"
expect_error results-missing "nope.json: No such file" "$HV" compare "$T/a.json" "$T/nope.json"

# --history: every entry must be sound, the last two are the gate.
mkdir "$T/h"
cp "$T/lessrows.json" "$T/h/1.json"; cp "$T/a.json" "$T/h/2.json"; cp "$T/b.json" "$T/h/3.json"
timeout 20 "$HV" compare --history "$T/h" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && grep -q "^  nanobench  *cpuid  *bt  *-  *410.0  *410.0$" "$T/out" && grep -q "^0 regressions" "$T/out"; then
	ok history-valid
else
	ko history-valid "rc=$rc $(cat "$T/err" "$T/out" | head -c 400)"
fi
cp "$T/lessrows.json" "$T/h/4.json"
expect_error history-rows-missing "$N is in $T/h/3.json only" "$HV" compare --history "$T/h"
rm "$T/h/4.json"; cp "$T/zero.json" "$T/h/0.json"
expect_error history-bad-old-entry "h/0.json: result 2 $R: sample 1 is 0" "$HV" compare --history "$T/h"
rm "$T/h/0.json"; mkfifo "$T/h/5.json"
expect_error history-fifo-entry "h/5.json: a FIFO" "$HV" compare --history "$T/h"
rm "$T/h/5.json"; mkdir "$T/h/5.json"
expect_error history-directory-entry "h/5.json: a directory" "$HV" compare --history "$T/h"
mkdir "$T/h1"; cp "$T/a.json" "$T/h1/1.json"
expect_error history-one-run "h1 holds 1 results file" "$HV" compare --history "$T/h1"
expect_error history-not-a-directory "a.json: Not a directory" "$HV" compare --history "$T/a.json"
expect_error history-and-files "usage" "$HV" compare --history "$T/h" "$T/a.json"

# Baseline host files: the loaders open them by name; they must never get
# a FIFO, a device, a directory or a huge file.
expect_error baseline-fifo "fifo.json: a FIFO" "$HV" baseline "$HAS" "$T/fifo.json"
expect_error baseline-dev-zero "/dev/zero: a character device" "$HV" baseline "$HAS" /dev/zero
expect_error baseline-directory "dir.json: a directory" "$HV" baseline "$HAS" "$T/dir.json"
expect_error baseline-huge "huge.json: larger than" "$HV" baseline "$HAS" "$T/huge.json"
if [ -f "$HAS" ]; then
	if timeout 20 "$HV" baseline "$HAS" "$HAS" >"$T/out" 2>"$T/err"; then ok baseline-valid; else ko baseline-valid "$(cat "$T/err")"; fi
else
	sk baseline-valid "no fixture $HAS"
fi

# bench -o: opened before the run, written through a temp file and a rename,
# so a link at the target is replaced, never written through.
NB="$T/no-build"
expect_error bench-output-no-dir "no-dir/r.json: cannot create" "$HV" bench --build "$NB" --modes native --guests compute --reps 1 -o "$T/no-dir/r.json"
mkfifo "$T/out.fifo"
# A FIFO (or a device) at the target is refused at once, never written through nor replaced.
expect_error bench-output-fifo-refused "out.fifo: a FIFO, not a file hvcert may replace" "$HV" bench --build "$NB" --modes native --guests compute --reps 1 -o "$T/out.fifo"
printf 'precious\n' >"$T/precious"; ln -s "$T/precious" "$T/link.json"
timeout 20 "$HV" bench --build "$NB" --modes native --guests compute --reps 1 -o "$T/link.json" >/dev/null 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && [ ! -L "$T/link.json" ] && [ "$(cat "$T/precious")" = precious ]; then
	ok bench-output-link-replaced
else
	ko bench-output-link-replaced "rc=$rc precious=$(head -c 40 "$T/precious")"
fi
if ls "$T"/*.tmp-* >/dev/null 2>&1; then ko bench-output-no-temp-left "$(ls "$T"/*.tmp-*)"; else ok bench-output-no-temp-left; fi
done_suite
