#include "tests/fuzz/fuzz_input.h"
#include "hcl/hcl.h"
#include "hcl/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct hcl_db db;
	hcl_init(&db);
	if (hcl_load_file(&db, path, err, sizeof(err)) == 0) {
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			hcl_lint(&db, NULL, null);
			fclose(null);
		}
	}
	hcl_free(&db);
	close(fd);
	return 0;
}
