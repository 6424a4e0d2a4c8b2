build-asan/probe/host_services.o: probe/host_services.c probe/host.h \
 probe/facts.h probe/sysroot.h
probe/host.h:
probe/facts.h:
probe/sysroot.h:
