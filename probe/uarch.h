/* Microarchitecture and platform names from data/cpu-uarch.tsv, our own
 * table (libcpuid 0.6's codenames are stale for 2019+ parts). */
#ifndef HVCERT_UARCH_H
#define HVCERT_UARCH_H
#include <stddef.h>

struct uarch_match {
	int found;
	char uarch[64], platform[64], source[320];
	long line; /* table line that matched */
};

/* Looks up vendor string + display family/model/stepping in table `path`.
 * 0 (found or not) or -1 with "file:line: why" when the table is bad. */
int uarch_lookup(const char *path, const char *vendor, unsigned family, unsigned model, unsigned stepping,
		 struct uarch_match *out, char *err, size_t errlen);
#endif
