build-asan/tests/unit/test_malformed.o: tests/unit/test_malformed.c \
 tests/unit/check.h probe/cpuid_raw.h probe/pci.h probe/probe.h \
 probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h probe/pci.h \
 probe/uarch.h probe/virt_caps.h probe/uarch.h
tests/unit/check.h:
probe/cpuid_raw.h:
probe/pci.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
probe/uarch.h:
