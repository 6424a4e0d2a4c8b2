build-asan/probe/facts.o: probe/facts.c probe/facts.h
probe/facts.h:
