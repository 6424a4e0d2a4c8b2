build-asan/probe/vmx.o: probe/vmx.c probe/virt_internal.h \
 probe/virt_caps.h probe/cpu_decode.h probe/cpuid_raw.h
probe/virt_internal.h:
probe/virt_caps.h:
probe/cpu_decode.h:
probe/cpuid_raw.h:
