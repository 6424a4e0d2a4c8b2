#include "probe/cpu_decode.h"
#include "probe/cpuid_raw.h"
#include "probe/virt_caps.h"
#include "tests/fuzz/fuzz_input.h"

#include <stdlib.h>

FUZZ_WITHOUT_LIBCPUID

static void one(const char *path)
{
	char err[1024];
	struct cpu_raw r;
	cpu_raw_init(&r);
	if (cpu_raw_read_aida64(path, &r, err, sizeof(err)) == 0) {
		struct cpu_info c;
		struct virt_info v;
		if (cpu_decode(&r, &c, err, sizeof(err)) == 0)
			virt_decode(&r, &c, &v);
	}
	cpu_raw_free(&r);
}

FUZZ_FILE_TARGET(one)
