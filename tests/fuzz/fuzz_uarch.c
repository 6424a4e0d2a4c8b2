#include "probe/uarch.h"
#include "tests/fuzz/fuzz_input.h"

static void one(const char *path)
{
	char err[1024];
	struct uarch_match m;
	uarch_lookup(path, "GenuineIntel", 6, 0x55, 7, &m, err, sizeof(err));
}

FUZZ_FILE_TARGET(one)
