/* Parsers read files: hand each fuzz input over as one, via a memfd. */
#ifndef HVCERT_FUZZ_INPUT_H
#define HVCERT_FUZZ_INPUT_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int fuzz_as_file(const uint8_t *data, size_t size, char *path, size_t n)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

/* A target whose input is a file: read(path) parses it, err its buffer. */
#define FUZZ_FILE_TARGET(read)                                                                                         \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                                   \
	{                                                                                                              \
		char path[64];                                                                                         \
		int fd = fuzz_as_file(data, size, path, sizeof(path));                                                 \
		if (fd >= 0) {                                                                                         \
			read(path);                                                                                    \
			close(fd);                                                                                     \
		}                                                                                                      \
		return 0;                                                                                              \
	}

/* Decoding forks a libcpuid child per input; fuzzers that reach it skip
 * that child (50x more inputs per second) since it only adds libcpuid's
 * opinion, never our parsing. */
#define FUZZ_WITHOUT_LIBCPUID                                                                                          \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                                              \
	{                                                                                                              \
		(void)argc, (void)argv;                                                                                \
		return setenv("HVCERT_SKIP_LIBCPUID", "1", 1);                                                         \
	}
#endif
