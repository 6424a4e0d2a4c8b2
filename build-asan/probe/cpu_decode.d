build-asan/probe/cpu_decode.o: probe/cpu_decode.c probe/cpu_decode.h \
 probe/cpuid_raw.h
probe/cpu_decode.h:
probe/cpuid_raw.h:
