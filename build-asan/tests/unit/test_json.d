build-asan/tests/unit/test_json.o: tests/unit/test_json.c \
 tests/unit/check.h probe/probe.h probe/cpu_decode.h probe/cpuid_raw.h \
 probe/facts.h probe/pci.h probe/uarch.h probe/virt_caps.h
tests/unit/check.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
