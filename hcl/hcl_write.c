#include "hcl/hcl_write.h"

#include <string.h>

const char *hcl_byte_name(unsigned char c, char buf[8])
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", c);
	return buf;
}

int hcl_quotable(const char *s, char *why, size_t n)
{
	char b[8];
	size_t len = strlen(s);
	if (len > HCL_STR_MAX) {
		snprintf(why, n, "%zu bytes, more than the %d a field takes", len, HCL_STR_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20) {
			snprintf(why, n, "byte %zu is %s, a control character the HCL format cannot quote", i + 1,
				 hcl_byte_name((unsigned char)s[i], b));
			return -1;
		}
	return 0;
}

void hcl_put_quoted(FILE *out, const char *key, const char *s)
{
	fprintf(out, " %s=\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
