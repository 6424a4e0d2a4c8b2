build-asan/reports/text.o: reports/text.c reports/report.h probe/assess.h \
 probe/probe.h probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h \
 probe/pci.h probe/uarch.h probe/virt_caps.h
reports/report.h:
probe/assess.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
