build-asan/probe/pci_libpci.o: probe/pci_libpci.c probe/pci.h \
 probe/sysroot.h
probe/pci.h:
probe/sysroot.h:
