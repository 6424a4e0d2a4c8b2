/* Reader for lspci text: -nn, -nnk and -vvnn (each a superset of the one
 * before; -x hex lines are skipped). What a listing does not show stays
 * unknown: IDs without -nn, drivers without -k, capabilities without -vv.
 * lspci cuts long names ("[8086... (rev 02)"), losing IDs: kept unknown. */
#include "pci.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LSPCI_MAX_BYTES (64L << 20)
#define LSPCI_MAX_LINE	8192

struct lspci_state {
	const char *path;
	long line;
	struct pci_list *l;
	struct pci_info *cur;
	int saw_driver_lines, saw_caps;
	char *err;
	size_t errlen;
};

static int fail(struct lspci_state *s, const char *why)
{
	if (s->line > 0)
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->path, s->line, why);
	else
		snprintf(s->err, s->errlen, "%s: %s", s->path, why);
	return -1;
}

static int hexn(const char *p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		v = v * 16 +
		    (unsigned)(isdigit((unsigned char)p[i]) ? p[i] - '0' : tolower((unsigned char)p[i]) - 'a' + 10);
	}
	*out = v;
	return 0;
}

/* [domain:]bb:dd.f followed by a blank; returns chars consumed or 0. The
 * domain is usually 4 hex digits, but Intel VMD puts devices in domains
 * like 10000, which lspci prints as 5. */
static int parse_bdf(const char *p, struct pci_info *d)
{
	unsigned a = 0, b, c, f;
	int n = 0;
	while (n < 8 && isxdigit((unsigned char)p[n]))
		n++;
	if (n >= 4 && p[n] == ':' && hexn(p, n, &a) == 0)
		p += n + 1;
	else
		n = -1;
	if (hexn(p, 2, &b) == 0 && p[2] == ':' && hexn(p + 3, 2, &c) == 0 && p[5] == '.' && hexn(p + 6, 1, &f) == 0 &&
	    p[7] == ' ') {
		d->domain = a, d->bus = b, d->dev = c, d->func = f;
		return 8 + n + 1;
	}
	return 0;
}

/* Finds the last "[xxxx:yyyy]" in [p, end); returns its start or NULL. */
static const char *last_id_pair(const char *p, const char *end, unsigned *v, unsigned *dv)
{
	for (const char *q = end - 11; q >= p; q--) {
		if (q[0] == '[' && q[5] == ':' && q[10] == ']' && hexn(q + 1, 4, v) == 0 && hexn(q + 6, 4, dv) == 0)
			return q;
	}
	return NULL;
}

static void copy_span(char *dst, size_t n, const char *a, const char *b)
{
	if (b < a)
		b = a; /* "(rev" or "(prog-if" right after "Class: " leaves no name */
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	size_t len = (size_t)(b - a) < n - 1 ? (size_t)(b - a) : n - 1;
	memcpy(dst, a, len);
	dst[len] = '\0';
}

/* Strips a trailing "(prog-if pp [...])" and "(rev rr)" off [p, *end). */
static void tail_fields(const char *p, const char **end, struct pci_info *d)
{
	const char *pi = strstr(p, " (prog-if ");
	unsigned v;
	if (pi && pi < *end) {
		if (hexn(pi + 10, 2, &v) == 0)
			d->class_code |= v;
		*end = pi;
	}
	const char *rv = strstr(p, " (rev ");
	if (rv && rv < *end) {
		if (hexn(rv + 6, 2, &v) == 0)
			d->rev = (int)v;
		*end = rv;
	}
}

/* "vvvv:dddd" and nothing else (lspci -n prints bare numbers). */
static int bare_pair(const char *a, const char *b, unsigned *v, unsigned *dv)
{
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	return b - a == 9 && a[4] == ':' && hexn(a, 4, v) == 0 && hexn(a + 5, 4, dv) == 0;
}

static void class_field(const char *a, const char *b, struct pci_info *d)
{
	unsigned cc;
	if (b - a == 4 && hexn(a, 4, &cc) == 0) { /* lspci -n: "0200" */
		d->class_code |= cc << 8;
		return;
	}
	if (b - a >= 7 && b[-1] == ']' && b[-6] == '[' && hexn(b - 5, 4, &cc) == 0) {
		d->class_code |= cc << 8;
		b -= 7;
	}
	copy_span(d->class_name, sizeof(d->class_name), a, b);
}

static void name_field(const char *a, const char *b, struct pci_info *d)
{
	unsigned v, dv;
	const char *ids = last_id_pair(a, b, &v, &dv);
	if (!ids && bare_pair(a, b, &v, &dv)) {
		d->vendor = v, d->device = dv;
		return;
	}
	if (ids) {
		d->vendor = v, d->device = dv;
		b = ids;
	} else {
		/* Cut name: "... [8086..." still tells the vendor. */
		const char *br = strrchr(a, '[');
		if (br && br < b && hexn(br + 1, 4, &v) == 0 && strncmp(br + 5, "...", 3) == 0) {
			d->vendor = v;
			b = br;
		}
	}
	copy_span(d->device_name, sizeof(d->device_name), a, b);
}

static int device_line(struct lspci_state *s, const char *p)
{
	struct pci_info tmp;
	pci_info_blank(&tmp);
	int n = parse_bdf(p, &tmp);
	if (!n)
		return fail(s, "expected a device line \"[DDDD:]BB:DD.F Class: Name\"");
	const char *rest = p + n;
	const char *colon = strstr(rest, ": ");
	if (!colon)
		return fail(s, "device line lacks \"Class: Name\"");
	const char *end = rest + strlen(rest);
	tail_fields(colon, &end, &tmp);
	class_field(rest, colon, &tmp);
	name_field(colon + 2, end, &tmp);
	struct pci_info *d = pci_list_add(s->l);
	if (!d)
		return fail(s, "out of memory");
	*d = tmp;
	s->cur = d;
	return 0;
}

static int speed_of(const char *p)
{
	const char *sp = strstr(p, "Speed ");
	if (!sp)
		return 0;
	double gt = strtod(sp + 6, NULL);
	return (int)(gt * 10 + 0.5);
}

static int width_of(const char *p)
{
	const char *w = strstr(p, "Width x");
	return w ? atoi(w + 7) : 0;
}

static void capability_line(struct lspci_state *s, const char *p)
{
	struct pci_info *d = s->cur;
	/* Without root lspci prints "Capabilities: <access denied>": unknown, not absent. */
	if (strstr(p, "<access denied>")) {
		d->link_known = -1;
		return;
	}
	s->saw_caps = 1;
	if (strstr(p, "(SR-IOV)"))
		d->sriov = 1;
	if (strstr(p, "Access Control Services"))
		d->acs = 1;
	if (strstr(p, "(ARI)"))
		d->ari = 1;
}

static int detail_line(struct lspci_state *s, const char *p)
{
	struct pci_info *d = s->cur;
	unsigned v, dv;
	if (!d)
		return fail(s, "indented line before any device line");
	if (strncmp(p, "Subsystem:", 10) == 0) {
		if (last_id_pair(p, p + strlen(p), &v, &dv) || bare_pair(p + 10, p + strlen(p), &v, &dv))
			d->subvendor = v, d->subdevice = dv;
	} else if (strncmp(p, "Kernel driver in use:", 21) == 0) {
		s->saw_driver_lines = 1;
		copy_span(d->driver, sizeof(d->driver), p + 21, p + strlen(p));
	} else if (strncmp(p, "Kernel modules:", 15) == 0) {
		s->saw_driver_lines = 1;
		copy_span(d->modules, sizeof(d->modules), p + 15, p + strlen(p));
	} else if (strncmp(p, "Capabilities:", 13) == 0) {
		capability_line(s, p);
	} else if (strncmp(p, "LnkCap:", 7) == 0) {
		d->link_known = 1;
		d->cap_speed = speed_of(p);
		d->cap_width = width_of(p);
	} else if (strncmp(p, "LnkSta:", 7) == 0) {
		d->sta_speed = speed_of(p);
		d->sta_width = width_of(p);
	} else if (strncmp(p, "Initial VFs:", 12) == 0) {
		const char *t = strstr(p, "Total VFs:");
		const char *nv = strstr(p, "Number of VFs:");
		d->sriov_total_vfs = t ? atoi(t + 10) : -1;
		d->sriov_num_vfs = nv ? atoi(nv + 14) : -1;
	}
	return 0;
}

static int is_hex_dump_line(const char *p)
{
	unsigned v;
	return (hexn(p, 2, &v) == 0 && p[2] == ':' && p[3] == ' ' && hexn(p + 4, 2, &v) == 0) ||
	       (hexn(p, 3, &v) == 0 && p[3] == ':' && p[4] == ' ' && hexn(p + 5, 2, &v) == 0);
}

static int one_line(struct lspci_state *s, char *l, size_t len)
{
	if (memchr(l, '\0', len))
		return fail(s, "binary data (NUL byte): not lspci text");
	while (len && (l[len - 1] == '\n' || l[len - 1] == '\r'))
		l[--len] = '\0';
	if (len == 0)
		return 0;
	if (s->line == 1 && len >= 3 && !memcmp(l, "\xef\xbb\xbf", 3)) /* UTF-8 BOM from an editor */
		memmove(l, l + 3, (len -= 3) + 1);
	if (len == 0)
		return 0;
	if (l[0] == '\t' || l[0] == ' ') {
		const char *p = l;
		while (*p == '\t' || *p == ' ')
			p++;
		return *p ? detail_line(s, p) : 0;
	}
	if (strncmp(l, "pcilib:", 7) == 0 || strncmp(l, "lspci:", 6) == 0 || is_hex_dump_line(l))
		return 0;
	return device_line(s, l);
}

/* Facts the whole listing either shows or does not. */
static void finish(struct lspci_state *s)
{
	for (size_t i = 0; i < s->l->n; i++) {
		struct pci_info *d = &s->l->dev[i];
		d->driver_known = s->saw_driver_lines;
		if (d->link_known < 0) {
			d->link_known = 0; /* this device's capabilities were not readable */
			continue;
		}
		if (!s->saw_caps)
			continue;
		if (d->sriov < 0)
			d->sriov = 0;
		if (d->acs < 0)
			d->acs = 0;
		if (d->ari < 0)
			d->ari = 0;
	}
	s->l->caps_known = s->saw_caps;
}

int pci_read_lspci_text(const char *path, struct pci_list *l, char *err, size_t errlen)
{
	struct lspci_state s = {.path = path, .l = l, .err = err, .errlen = errlen};
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	if (fstat(fileno(f), &st) == 0 && (S_ISDIR(st.st_mode) || st.st_size > LSPCI_MAX_BYTES))
		rc = fail(&s, S_ISDIR(st.st_mode) ? "is a directory" : "larger than 64 MiB: not lspci text");
	snprintf(l->source, sizeof(l->source), "%s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		s.line++;
		rc = n > LSPCI_MAX_LINE ? fail(&s, "line longer than 8192 bytes: not lspci text")
					: one_line(&s, line, (size_t)n);
	}
	free(line);
	fclose(f);
	if (rc == 0 && s.line == 0)
		rc = fail(&s, "empty file");
	else if (rc == 0 && l->n == 0)
		rc = fail(&s, "no PCI devices found (expected lspci -nn, -nnk or -vvnn output)");
	if (rc == 0)
		finish(&s);
	return rc;
}
