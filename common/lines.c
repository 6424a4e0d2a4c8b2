#include "common/lines.h"

#include <string.h>

int lines_each(char *text, size_t len, long *lineno, int *cut, int (*fn)(void *ctx, char *line, size_t n), void *ctx)
{
	char *p = text, *end = text + len;
	int rc = 0;
	while (rc == 0 && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		++*lineno;
		*cut = nl == NULL;
		rc = fn(ctx, p, n);
		p += n + (nl != NULL);
	}
	return rc;
}
