#include "probe/assess.h"
#include "tests/fuzz/fuzz_input.h"
#include "probe/probe.h"

#include <stdlib.h>

FUZZ_WITHOUT_LIBCPUID

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct probe p;
	probe_init(&p);
	if (probe_load_json(&p, path, err, sizeof(err)) == 0 && probe_decode(&p, "data", err, sizeof(err)) == 0) {
		char *s = probe_to_json(&p);
		free(s);
	}
	probe_free(&p);
	close(fd);
	return 0;
}
