#include "probe/cpu_decode.h"
#include "probe/cpuid_raw.h"
#include "tests/fuzz/fuzz_input.h"
#include "probe/virt_caps.h"

#include <stdlib.h>

FUZZ_WITHOUT_LIBCPUID

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct cpu_raw r;
	cpu_raw_init(&r);
	if (cpu_raw_read_aida64(path, &r, err, sizeof(err)) == 0) {
		struct cpu_info c;
		struct virt_info v;
		if (cpu_decode(&r, &c, err, sizeof(err)) == 0)
			virt_decode(&r, &c, &v);
	}
	cpu_raw_free(&r);
	close(fd);
	return 0;
}
