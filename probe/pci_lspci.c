/* Reader for lspci text: -nn, -nnk and -vvnn (each a superset of the one
 * before; -x hex lines are skipped). What a listing does not show stays
 * unknown: IDs without -nn, drivers without -k, capabilities without -vv.
 * lspci cuts long names ("[8086... (rev 02)"), losing IDs: kept unknown.
 * An address PCI cannot have, an ID that is not four hex digits and a
 * device listed twice are errors; so is a last line that the file's end
 * cut short (lspci ends every line; a whole line merely lacking its
 * newline is read). */
#include "probe/pci.h"
#include "common/errbuf.h"
#include "common/grow.h"
#include "common/lines.h"
#include "common/safefile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LSPCI_MAX_LINE 8192

struct lspci_state {
	struct read_pos at; /* the file, the line being read, the error buffer */
	struct pci_list *l;
	struct pci_info *cur;
	int cur_shows_ids; /* the current device line showed IDs (-n, -nn): its Subsystem line does too */
	long *lines;	   /* the line of each device */
	size_t caplines;
	int saw_driver_lines, saw_caps;
};

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

/* A run of hex digits; more than 8 saturate (a range error, not a wrap). */
static int hex_run(const char *p, unsigned *out)
{
	int n = 0;
	unsigned long long v = 0;
	while (isxdigit((unsigned char)p[n])) {
		if (v <= 0xffffffffull)
			v = v * 16 + (unsigned)(isdigit((unsigned char)p[n]) ? p[n] - '0'
									     : tolower((unsigned char)p[n]) - 'a' + 10);
		n++;
	}
	*out = v > 0xffffffffull ? 0xffffffffu : (unsigned)v;
	return n;
}

/* [domain:]bus:dev.func followed by a blank; returns the chars consumed,
 * 0 when the line is no device line, -1 when its address is impossible.
 * The domain is usually 4 hex digits, but Intel VMD puts devices in
 * domains like 10000, which lspci prints as 5. */
static int parse_bdf(struct lspci_state *s, const char *p, struct pci_info *d)
{
	unsigned f[4];
	char sep[4];
	int k = 0, i = 0;
	while (k < 4) { /* hex fields and what follows each: "dddd:" "bb:" "dd." "f " */
		int n = hex_run(p + i, &f[k]);
		if (n == 0)
			return 0;
		i += n;
		sep[k++] = p[i];
		if (p[i] != ':' && p[i] != '.')
			break;
		i++;
	}
	int bdf = k == 3 && sep[0] == ':' && sep[1] == '.';
	int dbdf = k == 4 && sep[0] == ':' && sep[1] == ':' && sep[2] == '.';
	if (!(bdf || dbdf) || (sep[k - 1] != ' ' && sep[k - 1] != '\0'))
		return 0;
	unsigned dom = dbdf ? f[0] : 0, bus = f[k - 3], dev = f[k - 2], fn = f[k - 1];
	char why[96];
	if (pci_bdf_check(dom, bus, dev, fn, why, sizeof(why)))
		return pos_fail(&s->at, why);
	d->domain = dom, d->bus = bus, d->dev = dev, d->func = fn;
	return i + (p[i] == ' ');
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

enum ids_shown { IDS_NONE, IDS_BRACKETED, IDS_BARE };

/* The class: "Name [cccc]" (-nn) or a bare "cccc" (-n); says which. */
static enum ids_shown class_field(const char *a, const char *b, struct pci_info *d)
{
	unsigned cc;
	if (b - a == 4 && hexn(a, 4, &cc) == 0) { /* lspci -n: "0200" */
		d->class_code |= cc << 8;
		return IDS_BARE;
	}
	enum ids_shown shown = IDS_NONE;
	if (b - a >= 7 && b[-1] == ']' && b[-6] == '[' && hexn(b - 5, 4, &cc) == 0) {
		d->class_code |= cc << 8;
		b -= 7;
		shown = IDS_BRACKETED;
	}
	copy_span(d->class_name, sizeof(d->class_name), a, b);
	return shown;
}

/* lspci's own cut of a long name: "... [8086..." (the vendor survives). */
static int cut_marker(const char *br, unsigned *v)
{
	return br && hexn(br + 1, 4, v) == 0 && strncmp(br + 5, "...", 3) == 0;
}

/* [a, b) ends in "[x:y]" whose x or y is not four hex digits: an ID pair
 * someone mangled, not a name. */
static int bad_id_group(const char *a, const char *b)
{
	unsigned v;
	while (b > a && b[-1] == ' ')
		b--;
	if (b - a < 3 || b[-1] != ']')
		return 0;
	const char *o = b - 2;
	while (o > a && *o != '[')
		o--;
	const char *c = *o == '[' ? memchr(o, ':', (size_t)(b - o)) : NULL;
	if (!c)
		return 0;
	for (const char *q = o + 1; q < b - 1; q++)
		if (q != c && !isalnum((unsigned char)*q))
			return 0;
	return !(c - o == 5 && b - 1 - c == 5 && hexn(o + 1, 4, &v) == 0 && hexn(c + 1, 4, &v) == 0);
}

/* The device name and its IDs: 1 when the IDs (or lspci's cut marker) are
 * there, 0 when the line shows none, -1 when they are mangled. */
static int name_field(const char *a, const char *b, struct pci_info *d)
{
	unsigned v, dv;
	if (bad_id_group(a, b))
		return -1;
	const char *ids = last_id_pair(a, b, &v, &dv);
	if (!ids && bare_pair(a, b, &v, &dv)) {
		d->vendor = v, d->device = dv;
		return 1;
	}
	int found = 0;
	if (ids) {
		d->vendor = v, d->device = dv;
		b = ids;
		found = 1;
	} else {
		const char *br = strrchr(a, '[');
		if (br && br < b && cut_marker(br, &v)) {
			d->vendor = v;
			b = br;
			found = 1;
		}
	}
	copy_span(d->device_name, sizeof(d->device_name), a, b);
	return found;
}

/* The end of a line no cut shortened: no blank last, no '(' or '[' left
 * open (but lspci's own cut marker). lspci ends no line with a blank. */
static int whole_tail(const char *a, const char *end)
{
	const char *op = NULL, *cp = NULL, *ob = NULL, *cb = NULL;
	unsigned v;
	if (end > a && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == ','))
		return 0;
	for (const char *q = a; q < end; q++) {
		if (*q == '(')
			op = q;
		else if (*q == ')')
			cp = q;
		else if (*q == '[')
			ob = q;
		else if (*q == ']')
			cb = q;
	}
	if (op && (!cp || cp < op))
		return 0;
	return !(ob && (!cb || cb < ob) && !cut_marker(ob, &v));
}

static int add_device(struct lspci_state *s, const struct pci_info *tmp)
{
	struct pci_info *d = pci_list_add(s->l);
	if (!d || grow_array((void **)&s->lines, &s->caplines, s->l->n - 1, sizeof(*s->lines)))
		return pos_fail(&s->at, "out of memory");
	*d = *tmp;
	s->lines[s->l->n - 1] = s->at.line;
	s->cur = d;
	return 0;
}

static int device_line(struct lspci_state *s, const char *p)
{
	struct pci_info tmp;
	pci_info_blank(&tmp);
	int n = parse_bdf(s, p, &tmp);
	if (n < 0)
		return -1;
	if (!n)
		return pos_fail(&s->at, "expected a device line \"[DDDD:]BB:DD.F Class: Name\"");
	const char *rest = p + n;
	const char *colon = strstr(rest, ": ");
	if (!colon)
		return pos_fail(&s->at, s->at.cut
					    ? "device line lacks \"Class: Name\": cut short, the file ends inside it"
					    : "device line lacks \"Class: Name\"");
	const char *end = rest + strlen(rest);
	if (s->at.cut && !whole_tail(colon + 2, end))
		return pos_cut_short(&s->at, "device line");
	tail_fields(colon, &end, &tmp);
	enum ids_shown shown = class_field(rest, colon, &tmp);
	int ids = name_field(colon + 2, end, &tmp);
	if (ids < 0)
		return pos_fail(&s->at, "malformed vendor:device ID (expected [vvvv:dddd], four hex digits each)");
	if (shown == IDS_BARE && !ids)
		return pos_fail(&s->at, "lspci -n device line without its vvvv:dddd IDs");
	if (s->at.cut && shown != IDS_NONE && !ids)
		return pos_cut_short(&s->at, "device line");
	s->cur_shows_ids = shown != IDS_NONE;
	return add_device(s, &tmp);
}

static int speed_of(const char *p)
{
	const char *sp = strstr(p, "Speed ");
	if (!sp)
		return 0;
	double gt = strtod(sp + 6, NULL);
	/* No link is faster than 1000 GT/s: anything else (NaN, 3e34) is unknown. */
	return gt > 0 && gt <= 1000 ? (int)(gt * 10 + 0.5) : 0;
}

static int width_of(const char *p)
{
	const char *w = strstr(p, "Width x");
	long n = w ? strtol(w + 7, NULL, 10) : 0;
	return n > 0 && n <= 64 ? (int)n : 0; /* PCIe links are x1 to x32 */
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

/* What lspci -k / -vv print after a device line and this reader reads. */
static const char *const detail_keys[] = {
    "Subsystem:", "Kernel driver in use:", "Kernel modules:", "Capabilities:", "LnkCap:", "LnkSta:", "Initial VFs:"};

/* The file's last line, without a newline, is a detail line: one a cut
 * shortened is an error. LnkCap, LnkSta and Initial VFs always have lines
 * after them in lspci -vv output, so as the last line they are cut. */
static int cut_detail(struct lspci_state *s, const char *p)
{
	size_t len = strlen(p);
	for (size_t i = 0; i < sizeof(detail_keys) / sizeof(*detail_keys); i++) {
		size_t k = strlen(detail_keys[i]);
		if (strncmp(p, detail_keys[i], len < k ? len : k) != 0)
			continue;
		if (len < k) /* "Kernel driver in" */
			return pos_cut_short(&s->at, "line");
		const char *v = p + k;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v || i >= 4)
			return pos_cut_short(&s->at, "line");
	}
	const char *end = p + len;
	unsigned a, b;
	if (!whole_tail(p, end))
		return pos_cut_short(&s->at, "line");
	if (strncmp(p, "Subsystem:", 10) == 0 && s->cur_shows_ids && !last_id_pair(p, end, &a, &b) &&
	    !bare_pair(p + 10, end, &a, &b) && !cut_marker(strrchr(p, '['), &a))
		return pos_cut_short(&s->at, "Subsystem line");
	return 0;
}

static int detail_line(struct lspci_state *s, const char *p)
{
	struct pci_info *d = s->cur;
	unsigned v, dv;
	if (!d)
		return pos_fail(&s->at, "indented line before any device line");
	if (s->at.cut && cut_detail(s, p))
		return -1;
	if (strncmp(p, "Subsystem:", 10) == 0) {
		if (bad_id_group(p + 10, p + strlen(p)))
			return pos_fail(&s->at, "malformed subsystem ID (expected [vvvv:dddd], four hex digits each)");
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
		return pos_fail(&s->at, "binary data (NUL byte): not lspci text");
	while (len && l[len - 1] == '\r')
		len--;
	l[len] = '\0';
	if (s->at.line == 1 && len >= 3 && !memcmp(l, "\xef\xbb\xbf", 3)) /* UTF-8 BOM from an editor */
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
static int finish(struct lspci_state *s)
{
	size_t a, b;
	int dup = pci_list_duplicate(s->l, &a, &b);
	if (dup < 0)
		return pos_fail(&s->at, "out of memory");
	if (dup) {
		const struct pci_info *d = &s->l->dev[b];
		return pos_fail_at(&s->at, s->lines[b], "device %04x:%02x:%02x.%x listed twice (first at line %ld)",
				   d->domain, d->bus, d->dev, d->func, s->lines[a]);
	}
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
	return 0;
}

static int next_line(void *ctx, char *l, size_t n)
{
	struct lspci_state *s = ctx;
	return n + 1 > LSPCI_MAX_LINE ? pos_fail(&s->at, "line longer than 8192 bytes: not lspci text")
				      : one_line(s, l, n);
}

static int read_lines(struct lspci_state *s, char *text, size_t len)
{
	return lines_each(text, len, &s->at.line, &s->at.cut, next_line, s);
}

int pci_read_lspci_text(const char *path, struct pci_list *l, char *err, size_t errlen)
{
	struct lspci_state s = {.at = {.path = path, .err = err, .errlen = errlen}, .l = l};
	char *buf;
	size_t len;
	snprintf(l->source, sizeof(l->source), "%s", path);
	if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen)) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: larger than 64 MiB: not lspci text", path);
		return -1;
	}
	int rc = read_lines(&s, buf, len);
	if (rc == 0 && s.at.line == 0)
		rc = pos_fail(&s.at, "empty file");
	else if (rc == 0 && l->n == 0)
		rc = pos_fail(&s.at, "no PCI devices found (expected lspci -nn, -nnk or -vvnn output)");
	if (rc == 0)
		rc = finish(&s);
	free(buf);
	free(s.lines);
	return rc;
}
