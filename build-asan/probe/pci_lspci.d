build-asan/probe/pci_lspci.o: probe/pci_lspci.c probe/pci.h
probe/pci.h:
