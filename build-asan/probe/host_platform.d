build-asan/probe/host_platform.o: probe/host_platform.c probe/host.h \
 probe/facts.h probe/sysroot.h
probe/host.h:
probe/facts.h:
probe/sysroot.h:
