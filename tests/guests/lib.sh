# Shared by the guest suites: counters and the ok/bad/tally reporters.
# Each suite sets nothing but sources this and prints its own closing line.
pass=0 fail=0 skip=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
sk() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
# tally LINES: counts the ok/FAIL lines check.sh printed.
tally() { echo "$1"; pass=$((pass + $(echo "$1" | grep -c '^ok'))) fail=$((fail + $(echo "$1" | grep -c '^FAIL'))); }
# hostile ACCEL PREFIX SPEC...: each SPEC "action:status:message" runs the
# hostile guest with do=action under vmm-mini --accel ACCEL, which must end
# with that status and print the message.
hostile() {
	accel=$1 prefix=$2
	shift 2
	for spec in "$@"; do
		h=${spec%%:*} rest=${spec#*:} want=${rest%%:*} msg=${rest#*:}
		$BUILD/bin/vmm-mini run --accel "$accel" --stats --timeout 2 "$BUILD/guests/hostile.elf" -- do=$h >"$T/h.log" 2>&1
		rc=$?
		[ $rc -eq "$want" ] && grep -q "$msg" "$T/h.log" && ok "$prefix/hostile-$h" ||
			bad "$prefix/hostile-$h" "status $rc (want $want): $(grep -v '^@' "$T/h.log" | head -c 200)"
	done
}
