# Shared by the shell suites (cli.sh, fleet.sh, the hostile-input suites of
# issue 17): each sets SUITE, sources this, and calls done_suite last.
BUILD=${BUILD:-build}
HV="$BUILD/hvcert"
FX=${HVCERT_FIXTURES:-../shared/fixtures}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $SUITE/$1"; }
ko() { fail=$((fail + 1)); echo "FAIL $SUITE/$1${2:+: $2}"; }
sk() { skip=$((skip + 1)); echo "SKIP $SUITE/$1: $2"; }
# expect_error NAME WANT-IN-STDERR CMD...: exit 2 within 20 s and a message
# containing WANT (a hang is a failure, not a wait).
expect_error() {
	name=$1 want=$2; shift 2
	timeout 20 "$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$want" "$T/err"; then ok "$name"; else ko "$name" "rc=$rc stderr=$(head -c 300 "$T/err")"; fi
}
# dom FILE.html OUT: the DOM headless Chromium builds from the page (the
# layout a reader sees, not the bytes); CHROME is empty when it is missing.
CHROME=$(command -v chromium || command -v chromium-browser)
dom() { timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --dump-dom "file://$1" >"$2" 2>/dev/null; }
done_suite() {
	echo "$SUITE: $pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
}
