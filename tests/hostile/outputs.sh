#!/bin/sh
# What hvcert writes, given hostile names: no string from input reaches a
# shell, gnuplot's command language, a page or a terminal unescaped; no
# output follows a link planted in its way; a lost write is an error.
SUITE=hostile-outputs
. tests/hostile/lib.sh
CPU="$FX/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt"
LSPCI=$(ls "$FX"/lspci/*.txt | head -1)
# The names below try to create a file PWNED (relative: where hvcert, a shell or gnuplot runs).
planted() { [ ! -e "$T/PWNED" ] && [ ! -e PWNED ] && [ ! -e "$out/PWNED" ]; }
out="$T/o'; touch PWNED; '"

# A results file whose workload names are markup, a table break, a gnuplot
# command and a terminal escape.
if "$HV" bench --modes native,bt --guests compute --reps 1 --args "iters=2 mem_mb=4" -o "$T/b.json" 2>"$T/err"; then
	python3 - "$T/b.json" "$T/h.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = ['<script>alert(1)</script>', 'a|b\nc', '"; system "touch PWNED"; "', '\x1b]0;owned\x07x', "it's"]
ws = sorted({r['workload'] for r in d['results']})
m = dict(zip(ws, names))
for r in d['results']:
    r['workload'] = m[r['workload']]
d['label'] = "'; system 'touch PWNED'; '"
json.dump(d, open(sys.argv[2], 'w'))
PY
	if "$HV" report "$T/h.json" "$T/h.json" -o "$out" >/dev/null 2>"$T/err" && planted; then
		ok report-no-shell-no-gnuplot-command
	else
		ko report-no-shell-no-gnuplot-command "$(cat "$T/err"; ls "$T")"
	fi
	python3 - "$out/index.html" <<'PY' && ok report-html-escaped || ko report-html-escaped "a name became markup"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    tags, text = [], []
    def handle_starttag(self, t, a): self.tags.append(t)
    def handle_data(self, d): self.text.append(d)
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
assert 'script' not in p.tags, p.tags
assert '<script>alert(1)</script>' in ''.join(p.text)
assert '\x1b' not in open(sys.argv[1], encoding='utf-8').read()
PY
	md="$out/report.md"
	if grep -qF '| \<script\>alert(1)\</script\> |' "$md" && grep -qF '| a\|b c |' "$md" && ! grep -q "$(printf '\033')" "$md"; then
		ok report-markdown-escaped
	else
		ko report-markdown-escaped "$(grep -n 'script\|a.b' "$md" | head -3)"
	fi
	# One row per workload, one column per mode, whatever the names hold.
	python3 - "$out/overhead.dat" <<'PY' && ok report-data-rows || ko report-data-rows "$(cat "$out/overhead.dat")"
import shlex, sys
rows = [shlex.split(l) for l in open(sys.argv[1])]
assert len(rows) == 6 and all(len(r) == len(rows[0]) for r in rows), rows
PY
	echo precious >"$T/victim"
	mkdir "$T/rep2" && ln -s "$T/victim" "$T/rep2/index.html" && ln -s "$T/victim" "$T/rep2/overhead.png"
	if "$HV" report "$T/b.json" -o "$T/rep2" >/dev/null 2>"$T/err" && [ "$(cat "$T/victim")" = precious ] &&
		[ ! -L "$T/rep2/index.html" ] && [ ! -L "$T/rep2/overhead.png" ]; then
		ok report-replaces-planted-links
	else
		ko report-replaces-planted-links "$(cat "$T/err"; cat "$T/victim")"
	fi
	"$HV" compare "$T/b.json" "$T/b.json" >/dev/full 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "standard output" "$T/err" && ok compare-lost-stdout || ko compare-lost-stdout "rc=$rc"
else
	ko bench "$(cat "$T/err")"
fi

# --qemu is a path, never a command line.
"$HV" bench --modes qemu-tcg --guests compute --reps 1 --qemu "q'; touch PWNED; #" -o "$T/q.json" >/dev/null 2>&1
planted && ok bench-qemu-path-no-shell || ko bench-qemu-path-no-shell "the path ran a command"

# Names in dumps reach the terminal escaped.
esc=$(printf '\033')
sed "1s/\]: /]: ${esc}]0;owned${esc}\\\\${esc}[2J/" "$LSPCI" >"$T/esc-lspci.txt"
if ! grep -q "$esc" "$T/esc-lspci.txt"; then
	ko probe-terminal-escapes "could not plant an escape in $LSPCI"
elif "$HV" probe --verbose --cpuid-dump "$CPU" --lspci "$T/esc-lspci.txt" >"$T/p.txt" 2>"$T/err" && ! grep -q "$esc" "$T/p.txt" &&
	grep -q "?\]0;owned" "$T/p.txt"; then
	ok probe-terminal-escapes
else
	ko probe-terminal-escapes "$(grep -c "$esc" "$T/p.txt") escapes in the report; $(cat "$T/err")"
fi

# A report that cannot be written is an error (exit 2), not a success.
for c in probe certify; do
	"$HV" $c --cpuid-dump "$CPU" >/dev/full 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "standard output" "$T/err" && ok "$c-lost-stdout" || ko "$c-lost-stdout" "rc=$rc"
done
"$HV" baseline "$CPU" "$CPU" >/dev/full 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "standard output" "$T/err" && ok baseline-lost-stdout || ko baseline-lost-stdout "rc=$rc"
# --save writes beside the target and renames: a planted link is replaced, never followed.
echo precious >"$T/victim2"; ln -s "$T/victim2" "$T/saved.json"
if "$HV" probe --cpuid-dump "$CPU" --save "$T/saved.json" >/dev/null 2>"$T/err" && [ "$(cat "$T/victim2")" = precious ] &&
	[ ! -L "$T/saved.json" ] && "$HV" probe --load "$T/saved.json" >/dev/null 2>>"$T/err"; then
	ok save-replaces-planted-link
else
	ko save-replaces-planted-link "$(cat "$T/err")"
fi
done_suite
