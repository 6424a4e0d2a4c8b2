build-asan/probe/topo.o: probe/topo.c probe/host.h probe/facts.h
probe/host.h:
probe/facts.h:
