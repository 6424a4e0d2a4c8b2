/* The one error message shape of the readers: "FILE:LINE: why", or
 * "FILE: why" when no line applies (line <= 0). Return -1, so a reader can
 * `return err_at(...)`. */
#ifndef HVCERT_ERRBUF_H
#define HVCERT_ERRBUF_H
#include <stdarg.h>
#include <stddef.h>

int err_at(char *err, size_t errlen, const char *path, long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int verr_at(char *err, size_t errlen, const char *path, long line, const char *fmt, va_list ap);

/* Where a line reader is (common/lines.c sets line and cut) and where its
 * errors go: the readers' shared state. */
struct read_pos {
	const char *path;
	long line;
	int cut; /* the line being read has no newline: the file ends in it */
	char *err;
	size_t errlen;
};
/* "PATH:LINE: ..." at a given line, at the current one, and the one
 * message of a record the file ends inside. Return -1. */
int pos_fail_at(const struct read_pos *p, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int pos_fail(const struct read_pos *p, const char *why);
int pos_cut_short(const struct read_pos *p, const char *what);
#endif
