build-asan/probe/pci_list.o: probe/pci_list.c probe/pci.h
probe/pci.h:
