build-asan/probe/probe.o: probe/probe.c probe/probe.h probe/cpu_decode.h \
 probe/cpuid_raw.h probe/facts.h probe/pci.h probe/uarch.h \
 probe/virt_caps.h probe/host.h
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
probe/host.h:
