/* Bench results files come from other runs and other hosts (hvcert compare
 * A B, hvcert report): the loader validates them, and what it accepted is
 * rendered (summary and technique tables) the way hvcert report does. */
#include "reports/bench_summary.h"
#include "tests/fuzz/fuzz_input.h"
#include "bench/harness.h"

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
	json_t *doc = bench_load(path, err, sizeof(err));
	if (!doc && !err[0])
		__builtin_trap(); /* a refusal must say why */
	if (doc) {
		size_t i;
		json_t *r;
		json_array_foreach (json_object_get(doc, "results"), i, r) {
			char name[512], *key = bench_row_key(r);
			if (!key)
				__builtin_trap(); /* bench_load accepted a row without a name */
			bench_row_name(r, name, sizeof(name));
			free(key);
		}
		bench_summary(null, null, doc);
		bench_techniques(null, null, doc);
		json_decref(doc);
	}
	close(fd);
	return 0;
}
