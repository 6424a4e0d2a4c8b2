build-asan/tests/unit/test_pci.o: tests/unit/test_pci.c \
 tests/unit/check.h tests/unit/expect.h probe/pci.h
tests/unit/check.h:
tests/unit/expect.h:
probe/pci.h:
