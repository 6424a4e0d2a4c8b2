/* The importers' promise: whatever the vendor's file holds, what they write
 * is HCL the parser takes, one pci record per record counted. Each target
 * runs its importer into memory and checks that. */
#ifndef HVCERT_FUZZ_IMPORT_H
#define HVCERT_FUZZ_IMPORT_H
#include "hcl/hcl.h"
#include "tests/fuzz/fuzz_input.h"

#include <string.h>

#define FUZZ_SOURCE "fuzz input"

/* out/len: what the importer wrote; n: what it returned. */
static void fuzz_check_import(const char *out, size_t len, int n, const char *err)
{
	char path[64], perr[1024];
	if (n < 0) {
		if (!err[0])
			__builtin_trap(); /* a refusal must say why */
		return;
	}
	size_t doclen = len + 16;
	char *doc = malloc(doclen);
	if (!doc)
		return;
	memcpy(doc, "schema 1\n", 9);
	memcpy(doc + 9, out, len);
	int fd = fuzz_as_file((const uint8_t *)doc, len + 9, path, sizeof(path));
	free(doc);
	if (fd < 0)
		return;
	struct hcl_db db;
	hcl_init(&db);
	if (hcl_load_file(&db, path, perr, sizeof(perr))) {
		fprintf(stderr, "importer output does not parse: %s\n%.*s\n", perr, (int)(len < 4096 ? len : 4096),
			out);
		__builtin_trap();
	}
	if (db.n_pcis != (size_t)n) {
		fprintf(stderr, "importer said %d records, wrote %zu\n", n, db.n_pcis);
		__builtin_trap();
	}
	hcl_free(&db);
	close(fd);
}
/* A file importer (PATH, SOURCE, OUT) run on the fuzz input as a file. */
typedef int (*fuzz_file_importer)(const char *path, const char *source, FILE *out, char *err, size_t errlen);
static int fuzz_run_file_import(const uint8_t *data, size_t size, fuzz_file_importer import)
{
	char path[64], err[1024] = "";
	char *out = NULL;
	size_t len = 0;
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	FILE *f = fd < 0 ? NULL : open_memstream(&out, &len);
	if (f) {
		int n = import(path, FUZZ_SOURCE, f, err, sizeof(err));
		fclose(f);
		fuzz_check_import(out, len, n, err);
	}
	free(out);
	if (fd >= 0)
		close(fd);
	return 0;
}
#endif
