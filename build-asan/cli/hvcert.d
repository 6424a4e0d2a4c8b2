build-asan/cli/hvcert.o: cli/hvcert.c cli/cli.h
cli/cli.h:
