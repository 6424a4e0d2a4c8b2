/* Compute kernels shared by the reference guests and their native twin
 * (bench/native/compute_native.c): same code, same inputs, so checksums
 * must agree wherever they run. No libc, no floating point. */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H
#include <stddef.h>
#include <stdint.h>

struct kernel {
	const char *name;
	/* Runs `iters` rounds over `mem` (mem_bytes long); returns a checksum. */
	uint64_t (*run)(uint64_t iters, uint8_t *mem, size_t mem_bytes);
	uint64_t default_iters;
};

extern const struct kernel bench_kernels[];
extern const size_t bench_nkernels;
#endif
