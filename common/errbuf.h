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
#endif
