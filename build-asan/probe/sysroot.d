build-asan/probe/sysroot.o: probe/sysroot.c probe/sysroot.h
probe/sysroot.h:
