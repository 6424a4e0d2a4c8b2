build-asan/probe/cpuid_aida.o: probe/cpuid_aida.c probe/cpuid_raw.h
probe/cpuid_raw.h:
