build-asan/tests/unit/main.o: tests/unit/main.c tests/unit/check.h
tests/unit/check.h:
