/* The importers' promise: whatever the vendor's file holds, what they write
 * is HCL the parser takes, one pci record per record counted. Each target
 * runs its importer into memory and checks that. */
#ifndef HVCERT_FUZZ_IMPORT_H
#define HVCERT_FUZZ_IMPORT_H
#include "fuzz_input.h"
#include "hcl.h"

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
#endif
