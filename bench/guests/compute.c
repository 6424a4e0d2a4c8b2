/* Compute guest: every kernel of kernels.c, timed with RDTSC.
 * Command line: iters=N (overrides every kernel's default), mem_mb=M
 * (buffer size, default 32), only=crc32,sort,... */
#include "kernels.h"
#include "kit/kit.h"

#define BUF_BASE 0x2000000ull /* 32 MiB: above the image, inside the 1 GiB map */

void guest_main(void)
{
	uint64_t mem_mb = kit_arg_u64("mem_mb", 32);
	uint8_t *buf = (uint8_t *)(uintptr_t)BUF_BASE;
	/* Touched before timing, as the native twin does (memset after
	 * aligned_alloc): first-touch costs are the host's, in every mode. */
	memset(buf, 0, mem_mb << 20);
	for (size_t i = 0; i < bench_nkernels; i++) {
		const struct kernel *k = &bench_kernels[i];
		if (!kit_arg_enabled(k->name))
			continue;
		uint64_t iters = kit_arg_u64("iters", k->default_iters);
		uint64_t t0 = rdtsc();
		uint64_t sum = k->run(iters, buf, mem_mb << 20);
		kit_result(k->name, iters, rdtsc() - t0, sum);
	}
}
