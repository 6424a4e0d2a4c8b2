/* Splitting a text read whole (sf_read) into lines for a reader that keeps
 * its own line number and "the file ends inside this line" flag, as the
 * truncation checks need. */
#ifndef HVCERT_LINES_H
#define HVCERT_LINES_H
#include <stddef.h>

/* Calls fn(ctx, line, n) for each line of text (n without the newline;
 * the line may be changed in place, up to and including line[n]), after
 * setting *lineno and *cut (1 for a last line without a newline). Stops at
 * the first nonzero return and returns it; 0 when every line was read. */
int lines_each(char *text, size_t len, long *lineno, int *cut, int (*fn)(void *ctx, char *line, size_t n), void *ctx);
#endif
