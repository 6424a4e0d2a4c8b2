build-asan/probe/virt_caps.o: probe/virt_caps.c probe/virt_internal.h \
 probe/virt_caps.h probe/cpu_decode.h probe/cpuid_raw.h
probe/virt_internal.h:
probe/virt_caps.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
