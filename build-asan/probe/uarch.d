build-asan/probe/uarch.o: probe/uarch.c probe/uarch.h
probe/uarch.h:
