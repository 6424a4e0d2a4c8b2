#!/bin/sh
# Layer check: every #include "..." of a C file must stay inside its own
# layer or reach a layer that docs/architecture.md allows. The arrows are
# written once, in that document's block between "<!-- layers:begin -->" and
# "<!-- layers:end -->" (lines "LAYER -> LAYER..."; "*" is any layer); a
# file's layer is the longest layer name that prefixes its path. An include
# without a folder is resolved as the compiler does: beside the file first;
# <probe/probe.h> counts too, since -I. makes it the same header.
#
# tests/layers.sh [ROOT]   checks ROOT (default: the project), then plants a
# forbidden include in a copy of the rules to show the check can fail.
# Prints "layers: N passed, N failed, 0 skipped".

ROOT=${1:-.}

# check DIR: one "ok FILE" or "FAIL FILE:LINE: why" line per file and include.
check() {
	dir=$1
	rules=$(sed -n '/<!-- layers:begin -->/,/<!-- layers:end -->/p' "$dir/docs/architecture.md" | grep -- '->')
	if [ -z "$rules" ]; then
		echo "FAIL $dir/docs/architecture.md: no layers block (<!-- layers:begin --> ... <!-- layers:end -->)"
		return
	fi
	files=$(cd "$dir" && find . \( -name 'build*' -o -name '.git' -o -name cicheck \) -prune -o \
		\( -name '*.c' -o -name '*.h' \) -type f -print | sed 's|^\./||' | sort)
	{
		echo "$rules" | sed 's/^/R /'
		echo "$files" | sed 's/^/F /'
		(cd "$dir" && echo "$files" | xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' /dev/null) |
			sed 's/^/I /'
	} | awk '
	function layer(p,   best, l) {
		best = ""
		for (l in allow)
			if ((p == l || index(p, l "/") == 1) && length(l) > length(best))
				best = l
		return best
	}
	function shown(a) { gsub(/[ \t]+/, " ", a); sub(/ $/, "", a); return a == "" ? " nothing" : a }
	function dirname(p) { sub("/[^/]*$", "", p); return p }
	$1 == "R" {
		sub(/^R[ \t]+/, ""); split($0, a, /[ \t]*->[ \t]*/)
		name = a[1]; gsub(/[ \t]/, "", name); allow[name] = " " a[2] " "
		next
	}
	$1 == "F" { have[$2] = 1; nfile++; files[nfile] = $2; next }
	$1 == "I" {
		line = substr($0, 3)
		split(line, parts, ":"); f = parts[1]; ln = parts[2]
		inc = line; sub(/^[^"<]*["<]/, "", inc); sub(/[">].*$/, "", inc)
		target = dirname(f) "/" inc
		if (index(line, "<") && index(line, "<") < index(line "\"", "\"")) {
			# <probe/probe.h> through -I. is still a layer crossing; <stdio.h> is not ours.
			top = inc; sub("/.*$", "", top)
			if (!(top in allow) || layer(inc) == "")
				next
			target = inc
		} else if (!(target in have))
			target = inc
		from = layer(f); to = layer(target)
		if (from == "")
			bad[f] = bad[f] sprintf("FAIL %s: in no layer of docs/architecture.md\n", f)
		else if (to == "")
			bad[f] = bad[f] sprintf("FAIL %s:%s: includes \"%s\", in no layer\n", f, ln, inc)
		else if (to != from && index(allow[from], " " to " ") == 0 && index(allow[from], " * ") == 0)
			bad[f] = bad[f] sprintf("FAIL %s:%s: %s may not include %s (\"%s\"); docs/architecture.md allows %s ->%s\n",
				f, ln, from, to, inc, from, shown(allow[from]))
		next
	}
	END {
		for (i = 1; i <= nfile; i++)
			if (files[i] in bad) printf "%s", bad[files[i]]
			else print "ok " files[i]
	}'
}

out=$(check "$ROOT")
pass=$(echo "$out" | grep -c '^ok ')
fail=$(echo "$out" | grep -c '^FAIL')
echo "$out" | grep '^FAIL'

# The check must be able to fail: a probe file that includes the CLI.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs" "$tmp/probe" "$tmp/cli"
cp "$ROOT/docs/architecture.md" "$tmp/docs/"
printf '#include "cli/cli.h"\n' >"$tmp/probe/planted.c"
: >"$tmp/cli/cli.h"
if check "$tmp" | grep -q '^FAIL probe/planted.c:1: probe may not include cli'; then
	pass=$((pass + 1))
else
	echo "FAIL layers/self-test: a planted probe -> cli include was not caught"
	fail=$((fail + 1))
fi
echo "layers: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
