build-asan/tests/unit/expect.o: tests/unit/expect.c tests/unit/expect.h
tests/unit/expect.h:
