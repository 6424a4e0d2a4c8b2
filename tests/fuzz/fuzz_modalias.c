/* A kernel's module lists (hcl/import_modalias.c) into HCL: the input is
 * modules.alias, then modules.builtin.modinfo, then modules.builtin, split
 * at "\n%%\n" (a part left out is a file that does not exist). Both
 * importers read the one directory (in /dev/shm, rewritten per input). */
#include "hcl/import.h"
#include "tests/fuzz/fuzz_import.h"

#include <fcntl.h>

#define SEP "\n%%\n"

static char dir[64];
static const char *const names[3] = {"modules.alias", "modules.builtin.modinfo", "modules.builtin"};

static void put(int i, const uint8_t *p, size_t n, int present)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
	if (!present) {
		unlink(path);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort(); /* the harness itself failed, not the importer */
	close(fd);
}

static void cleanup(void)
{
	for (int i = 0; i < 3; i++)
		put(i, NULL, 0, 0);
	rmdir(dir);
}

static void import(int builtin)
{
	char err[1024] = "", *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return;
	int n = builtin ? import_builtin_ids(dir, dir, "kvm/linux-6.1", FUZZ_SOURCE, f, err, sizeof(err))
			: import_modalias(dir, "kvm/linux-6.1", FUZZ_SOURCE, f, err, sizeof(err));
	fclose(f);
	fuzz_check_import(out, len, n, err);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/fuzz-modalias-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < 3; i++) {
		const uint8_t *sep = p ? memmem(p, (size_t)(end - p), SEP, 4) : NULL;
		put(i, p, p ? (size_t)((sep ? sep : end) - p) : 0, p != NULL);
		p = sep ? sep + 4 : NULL;
	}
	import(0);
	import(1);
	return 0;
}
