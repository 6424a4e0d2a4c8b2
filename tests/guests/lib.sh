# Shared by the guest suites: counters and the ok/bad/tally reporters.
# Each suite sets nothing but sources this and prints its own closing line.
pass=0 fail=0 skip=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
sk() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
# tally LINES: counts the ok/FAIL lines check.sh printed.
tally() { echo "$1"; pass=$((pass + $(echo "$1" | grep -c '^ok'))) fail=$((fail + $(echo "$1" | grep -c '^FAIL'))); }
