build-asan/tests/unit/test_cpuid.o: tests/unit/test_cpuid.c \
 tests/unit/check.h tests/unit/expect.h probe/probe.h probe/cpu_decode.h \
 probe/cpuid_raw.h probe/facts.h probe/pci.h probe/uarch.h \
 probe/virt_caps.h
tests/unit/check.h:
tests/unit/expect.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
