#include "probe/assess.h"
#include "probe/probe.h"
#include "tests/fuzz/fuzz_input.h"

#include <stdlib.h>

FUZZ_WITHOUT_LIBCPUID

static void one(const char *path)
{
	char err[1024];
	struct probe p;
	probe_init(&p);
	if (probe_load_json(&p, path, err, sizeof(err)) == 0 && probe_decode(&p, "data", err, sizeof(err)) == 0) {
		char *s = probe_to_json(&p);
		free(s);
	}
	probe_free(&p);
}

FUZZ_FILE_TARGET(one)
