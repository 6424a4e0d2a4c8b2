build-asan/probe/cpuid_live.o: probe/cpuid_live.c probe/cpuid_raw.h \
 probe/sysroot.h
probe/cpuid_raw.h:
probe/sysroot.h:
