#!/bin/sh
# Every hostile-input suite (tests/hostile/*.sh but lib.sh and this file).
st=0
for s in tests/hostile/*.sh; do
	case $s in */lib.sh | */run.sh) continue ;; esac
	sh "$s" || st=1
done
exit $st
