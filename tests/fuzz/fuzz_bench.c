/* Bench results files come from other runs and other hosts (hvcert compare
 * A B, hvcert report): the loader validates them, and what it accepted is
 * rendered (summary and technique tables) the way hvcert report does. */
#include "bench/results.h"
#include "reports/bench_summary.h"
#include "tests/fuzz/fuzz_input.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char path[64], err[1024];
	if (!null && !(null = fopen("/dev/null", "w")))
		return 0;
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	err[0] = 0;
	struct bench_results res;
	int rc = bench_results_load(&res, path, err, sizeof(err));
	if (rc && !err[0])
		__builtin_trap(); /* a refusal must say why */
	if (rc == 0) {
		for (size_t i = 0; i < res.n; i++) {
			const struct bench_row *r = &res.rows[i];
			if (!*r->guest || !*r->workload || !*r->mode || !r->n ||
			    bench_results_find(&res, r->guest, r->workload, r->mode) != r)
				__builtin_trap(); /* accepted a row without a name, samples or a key of its own */
		}
		bench_summary(null, null, &res);
		bench_techniques(null, null, &res);
		bench_results_free(&res);
	}
	close(fd);
	return 0;
}
