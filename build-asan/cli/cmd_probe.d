build-asan/cli/cmd_probe.o: cli/cmd_probe.c probe/assess.h probe/probe.h \
 probe/cpu_decode.h probe/cpuid_raw.h probe/facts.h probe/pci.h \
 probe/uarch.h probe/virt_caps.h cli/cli.h probe/probe.h reports/report.h
probe/assess.h:
probe/probe.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
probe/facts.h:
probe/pci.h:
probe/uarch.h:
probe/virt_caps.h:
cli/cli.h:
probe/probe.h:
reports/report.h:
