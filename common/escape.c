#include "common/escape.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80		   ? 1
		   : (s[0] & 0xe0) == 0xc0 ? 2
		   : (s[0] & 0xf0) == 0xe0 ? 3
		   : (s[0] & 0xf8) == 0xf0 ? 4
					   : 0;
	if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A code point that is a control: C0, DEL, or C1 (U+0080-U+009F). */
static int is_control(const unsigned char *s, size_t len)
{
	return (len == 1 && (s[0] < 0x20 || s[0] == 0x7f)) || (len == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

void esc_html(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			p++;
			continue;
		}
		switch (*p) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (!is_control(p, n) || *p == '\t' || *p == '\n')
				fwrite(p, 1, n, out);
		}
		p += n;
	}
}

void esc_md(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		size_t n = utf8_len(p);
		if (n == 0 || is_control(p, n)) {
			fputc(' ', out);
			p += n ? n : 1;
			continue;
		}
		if (n == 1 && strchr("\\`*_[]<>|!~&", *p))
			fputc('\\', out);
		fwrite(p, 1, n, out);
		p += n;
	}
}

const char *esc_term(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	while (*p && o + 1 < size) {
		size_t n = utf8_len(p);
		if (n == 0 || (is_control(p, n) && *p != '\t')) {
			buf[o++] = '?';
			p += n ? n : 1;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(buf + o, p, n);
		o += n, p += n;
	}
	if (size)
		buf[o] = '\0';
	return buf;
}

void esc_gnuplot(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	for (; p && *p; p++)
		fputc(*p == '"' ? '\'' : *p == '\\' ? '/' : *p < 0x20 || *p == 0x7f ? ' ' : *p, out);
	fputc('"', out);
}
