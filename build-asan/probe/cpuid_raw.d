build-asan/probe/cpuid_raw.o: probe/cpuid_raw.c probe/cpuid_raw.h
probe/cpuid_raw.h:
