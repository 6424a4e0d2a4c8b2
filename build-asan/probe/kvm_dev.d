build-asan/probe/kvm_dev.o: probe/kvm_dev.c probe/host.h probe/facts.h \
 probe/sysroot.h
probe/host.h:
probe/facts.h:
probe/sysroot.h:
