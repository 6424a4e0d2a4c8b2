/* The compute kernels run natively, for checksums and native timings to
 * compare the guests with. Same arguments as the guest's command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "bench/guests/kernels.h"

static unsigned long long arg(int argc, char **argv, const char *key, unsigned long long dflt)
{
	size_t n = strlen(key);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return strtoull(argv[i] + n + 1, NULL, 10);
	return dflt;
}

static int selected(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "only=", 5))
			continue;
		char list[256];
		snprintf(list, sizeof(list), ",%s,", argv[i] + 5);
		char want[64];
		snprintf(want, sizeof(want), ",%s,", name);
		return strstr(list, want) != NULL;
	}
	return 1;
}

int main(int argc, char **argv)
{
	size_t mem = (size_t)arg(argc, argv, "mem_mb", 32) << 20;
	unsigned char *buf = aligned_alloc(4096, mem);
	if (!buf) {
		perror("aligned_alloc");
		return 1;
	}
	memset(buf, 0, mem);
	for (size_t i = 0; i < bench_nkernels; i++) {
		const struct kernel *k = &bench_kernels[i];
		if (!selected(argc, argv, k->name))
			continue;
		unsigned long long iters = arg(argc, argv, "iters", k->default_iters);
		unsigned long long t0 = __rdtsc();
		unsigned long long sum = k->run(iters, buf, mem);
		unsigned long long dt = __rdtsc() - t0;
		printf("@result name=%s iters=%llu cycles=%llu per_iter=%llu checksum=0x%016llx\n", k->name, iters, dt,
		       iters ? dt / iters : 0, sum);
	}
	free(buf);
	return 0;
}
