build-asan/probe/assess_virt.o: probe/assess_virt.c probe/assess.h \
 probe/probe.h probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h \
 probe/pci.h probe/uarch.h probe/virt_caps.h
probe/assess.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
