build-asan/tests/unit/test_misc.o: tests/unit/test_misc.c \
 tests/unit/check.h probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h \
 probe/uarch.h
tests/unit/check.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/uarch.h:
