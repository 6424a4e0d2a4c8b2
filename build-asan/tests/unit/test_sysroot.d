build-asan/tests/unit/test_sysroot.o: tests/unit/test_sysroot.c \
 probe/assess.h probe/probe.h probe/cpu_decode.h probe/cpuid_raw.h \
 probe/facts.h probe/pci.h probe/uarch.h probe/virt_caps.h \
 tests/unit/check.h
probe/assess.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
tests/unit/check.h:
