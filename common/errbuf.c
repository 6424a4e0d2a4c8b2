#include "common/errbuf.h"

#include <stdio.h>

int verr_at(char *err, size_t errlen, const char *path, long line, const char *fmt, va_list ap)
{
	char why[512];
	vsnprintf(why, sizeof(why), fmt, ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%ld: %s", path, line, why);
	else
		snprintf(err, errlen, "%s: %s", path, why);
	return -1;
}

int err_at(char *err, size_t errlen, const char *path, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_at(err, errlen, path, line, fmt, ap);
	va_end(ap);
	return -1;
}

int pos_fail_at(const struct read_pos *p, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_at(p->err, p->errlen, p->path, line, fmt, ap);
	va_end(ap);
	return -1;
}

int pos_fail(const struct read_pos *p, const char *why)
{
	return pos_fail_at(p, p->line, "%s", why);
}

int pos_cut_short(const struct read_pos *p, const char *what)
{
	return pos_fail_at(p, p->line, "%s cut short: the file ends inside it", what);
}
