#include "tests/fuzz/fuzz_input.h"
#include "probe/uarch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct uarch_match m;
	uarch_lookup(path, "GenuineIntel", 6, 0x55, 7, &m, err, sizeof(err));
	close(fd);
	return 0;
}
