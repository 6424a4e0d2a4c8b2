#include "hcl/hcl.h"
#include "hcl/lint.h"
#include "tests/fuzz/fuzz_input.h"

static void one(const char *path)
{
	char err[1024];
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
}

FUZZ_FILE_TARGET(one)
