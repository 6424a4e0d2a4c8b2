/* vSAN HCL all.json (hcl/import_vendor.c) into HCL. */
#include "fuzz_import.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024] = "";
	char *out = NULL;
	size_t len = 0;
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	FILE *f = fd < 0 ? NULL : open_memstream(&out, &len);
	if (f) {
		int n = import_vsan_json(path, FUZZ_SOURCE, f, err, sizeof(err));
		fclose(f);
		fuzz_check_import(out, len, n, err);
	}
	free(out);
	if (fd >= 0)
		close(fd);
	return 0;
}
