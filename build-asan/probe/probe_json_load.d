build-asan/probe/probe_json_load.o: probe/probe_json_load.c probe/probe.h \
 probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h probe/pci.h \
 probe/uarch.h probe/virt_caps.h
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
