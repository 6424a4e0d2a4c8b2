/* A PCI dump (lspci -x / -xxx / -xxxx output, what libpci's dump method
 * reads) checked before libpci sees it. libpci takes a device line as any
 * "bb:dd.f" with two hex digits for the device and one decimal digit for the
 * function, ignores a line it cannot read (so the next device's bytes land
 * in the one before), and stops at a line without a newline with no line
 * number. Here every device line is a PCI address, every device is listed
 * once with its configuration bytes in consecutive rows of 16 from offset 0,
 * 64, 128 (a CardBus bridge), 256 or 4096 of them (what lspci -x prints),
 * and the file's end cuts no row. libpci is handed only those lines, rewritten whole. */
#include "common/errbuf.h"
#include "common/grow.h"
#include "common/lines.h"
#include "common/safefile.h"
#include "probe/pci.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_MAX_CONFIG 4096 /* bytes of configuration space */

struct dump_scan {
	struct read_pos at;   /* the file, the line being read, the error buffer */
	struct pci_list seen; /* devices so far, for duplicates */
	long *lines;	      /* the line of each */
	size_t caplines;
	int in_dev;		      /* a device line was read and no blank line since */
	unsigned next;		      /* offset the device's next row must have */
	long last_row;		      /* line of its last row */
	int cardbus;		      /* its header type (byte 0x0e) is 2, a CardBus bridge */
	unsigned most;		      /* the most bytes a device has */
	unsigned most_before, last_n; /* the most before the last device; the last device's */
	FILE *out;		      /* the lines libpci gets */
};

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Up to `max` hex digits; returns how many (0 when more follow). */
static int hex_field(const char *p, int max, unsigned *out)
{
	int n = 0;
	unsigned v = 0;
	while (n < max && isxdigit((unsigned char)p[n]))
		v = v * 16 + (unsigned)hexval((unsigned char)p[n++]);
	*out = v;
	return isxdigit((unsigned char)p[n]) ? 0 : n;
}

static const struct pci_info *current(const struct dump_scan *s)
{
	return &s->seen.dev[s->seen.n - 1];
}

/* The device before the next one, a blank line or the end: its bytes are
 * whole. lspci -x prints as many bytes of each device (64, or 128 for a
 * CardBus bridge) and -xxx and -xxxx at least 256: a last device with
 * fewer than 256 after one with 256 was cut at a row of 64 or 128. */
static int close_dev(struct dump_scan *s)
{
	if (!s->in_dev)
		return 0;
	const struct pci_info *d = current(s);
	unsigned n = s->next;
	s->in_dev = 0;
	if (n == 0)
		return pos_fail_at(&s->at, s->lines[s->seen.n - 1],
				   "device %04x:%02x:%02x.%x has no configuration bytes (expected lspci -x output)",
				   d->domain, d->bus, d->dev, d->func);
	if (n != 64 && !(n == 128 && s->cardbus) && n != 256 && n != DUMP_MAX_CONFIG)
		return pos_fail_at(
		    &s->at, s->last_row,
		    "device %04x:%02x:%02x.%x's configuration bytes stop after %u (lspci -x prints 64, 128 "
		    "for a CardBus bridge, 256 or 4096): the dump is cut short",
		    d->domain, d->bus, d->dev, d->func, n);
	s->most_before = s->most, s->last_n = n;
	if (n > s->most)
		s->most = n;
	return 0;
}

static int last_dev_whole(struct dump_scan *s)
{
	const struct pci_info *d = current(s);
	if (s->last_n >= 256 || s->most_before < 256)
		return 0;
	return pos_fail_at(
	    &s->at, s->last_row,
	    "device %04x:%02x:%02x.%x has %u configuration bytes, a device before it 256 or more: the dump "
	    "is cut short",
	    d->domain, d->bus, d->dev, d->func, s->last_n);
}

/* "bb:dd.f", "dddd:bb:dd.f" or "ddddd:bb:dd.f", then a blank or the end. */
static int device_line(struct dump_scan *s, const char *p)
{
	unsigned dom = 0, bus, dev, fn;
	int n = hex_field(p, 8, &dom); /* libpci reads 4 or 5 digits: more is a domain beyond 0xfffff */
	const char *q = n >= 4 && p[n] == ':' ? p + n + 1 : p;
	if (q == p)
		dom = 0;
	if (hex_field(q, 2, &bus) != 2 || q[2] != ':' || hex_field(q + 3, 2, &dev) != 2 || q[5] != '.' ||
	    hex_field(q + 6, 1, &fn) != 1 || (q[7] != ' ' && q[7] != '\0'))
		return pos_fail_at(&s->at, s->at.line, "expected a device line \"[DDDD:]BB:DD.F ...\"");
	char why[96];
	if (pci_bdf_check(dom, bus, dev, fn, why, sizeof(why)))
		return pos_fail_at(&s->at, s->at.line, "%s", why);
	if (close_dev(s))
		return -1;
	struct pci_info *d = pci_list_add(&s->seen);
	if (!d || grow_array((void **)&s->lines, &s->caplines, s->seen.n - 1, sizeof(*s->lines)))
		return pos_fail_at(&s->at, s->at.line, "out of memory");
	d->domain = dom, d->bus = bus, d->dev = dev, d->func = fn;
	s->lines[s->seen.n - 1] = s->at.line;
	s->in_dev = 1, s->next = 0;
	fprintf(s->out, "%04x:%02x:%02x.%u \n", dom, bus, dev, fn);
	return 0;
}

/* "off: b0 b1 ... b15": sixteen bytes at the offset the row before left. */
static int row_line(struct dump_scan *s, const char *p, int n)
{
	unsigned off;
	hex_field(p, 8, &off);
	if (!s->in_dev)
		return pos_fail_at(&s->at, s->at.line,
				   "configuration bytes outside a device (after a blank line or before any)");
	if (off != s->next)
		return pos_fail_at(&s->at, s->at.line,
				   "row at offset 0x%x where 0x%x is due: rows of 16 bytes from offset 0", off,
				   s->next);
	if (off >= DUMP_MAX_CONFIG)
		return pos_fail_at(&s->at, s->at.line, "configuration bytes beyond 4096");
	const char *q = p + n + 1;
	int count = 0;
	while (count < 16 && q[0] == ' ' && isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2]) &&
	       !isxdigit((unsigned char)q[3]))
		q += 3, count++;
	if (count != 16 || *q)
		return pos_fail_at(&s->at, s->at.line,
				   s->at.cut ? "row cut short: the file ends inside it"
					     : "row: expected 16 hex bytes after the offset, as lspci -x prints");
	if (off == 0) {
		unsigned ht;
		hex_field(p + n + 1 + 3 * 0x0e + 1, 2, &ht);
		s->cardbus = (ht & 0x7f) == 2;
	}
	s->next += 16;
	s->last_row = s->at.line;
	fprintf(s->out, "%s\n", p);
	return 0;
}

static int one_line(struct dump_scan *s, char *l, size_t len)
{
	if (memchr(l, '\0', len))
		return pos_fail_at(&s->at, s->at.line, "binary data (NUL byte): not a PCI dump");
	while (len && l[len - 1] == '\r')
		len--;
	l[len] = '\0';
	if (len == 0) {
		fputs("\n", s->out);
		return close_dev(s);
	}
	unsigned v;
	int n = hex_field(l, 8, &v);
	if (n >= 2 && l[n] == ':' && l[n + 1] == ' ')
		return row_line(s, l, n);
	if (n && (l[n] == ':' || (s->at.cut && l[n] == '\0')))
		return device_line(s, l);
	return 0; /* lspci -v text: libpci reads none of it */
}

static int next_line(void *ctx, char *l, size_t n)
{
	return one_line(ctx, l, n);
}

static int scan_lines(struct dump_scan *s, char *text, size_t len)
{
	int rc = lines_each(text, len, &s->at.line, &s->at.cut, next_line, s);
	if (rc == 0)
		rc = close_dev(s);
	return rc == 0 && s->seen.n ? last_dev_whole(s) : rc;
}

static int no_duplicates(struct dump_scan *s)
{
	size_t a, b;
	int dup = pci_list_duplicate(&s->seen, &a, &b);
	if (dup < 0)
		return pos_fail_at(&s->at, s->at.line, "out of memory");
	if (dup == 0)
		return 0;
	const struct pci_info *d = &s->seen.dev[b];
	return pos_fail_at(&s->at, s->lines[b], "device %04x:%02x:%02x.%x listed twice (first at line %ld)", d->domain,
			   d->bus, d->dev, d->func, s->lines[a]);
}

int pci_dump_check(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	struct dump_scan s = {.at = {.path = path, .err = err, .errlen = errlen}};
	char *buf;
	size_t n;
	if (sf_read(NULL, path, SF_CAP, &buf, &n, err, errlen)) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: larger than 64 MiB: not a PCI dump", path);
		return -1;
	}
	s.out = open_memstream(text, len);
	int rc = s.out ? scan_lines(&s, buf, n) : pos_fail_at(&s.at, 0, "out of memory");
	if (rc == 0)
		rc = no_duplicates(&s);
	if (rc == 0 && s.seen.n == 0) {
		snprintf(err, errlen, "%s: no devices in dump (expected lspci -x output)", path);
		rc = -1;
	}
	if (s.out && fclose(s.out) != 0 && rc == 0)
		rc = pos_fail_at(&s.at, s.at.line, "out of memory");
	if (rc && s.out)
		free(*text);
	free(buf);
	free(s.lines);
	pci_list_free(&s.seen);
	return rc;
}
