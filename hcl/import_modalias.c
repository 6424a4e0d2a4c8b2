/* modules.alias ("alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb") and
 * modules.builtin.modinfo ("igb.alias=pci:v..." NUL-separated) to pci
 * records. IDs two drivers claim become one record naming both. Every name
 * written is checked or quoted, so the output parses and lints whatever the
 * files hold; an ID above 0xFFFF (PCI IDs are 16 bits) is an error. */
#include "common/grow.h"
#include "common/safefile.h"
#include "hcl/hcl.h"
#include "hcl/hcl_write.h"
#include "hcl/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ANY	    0xFFFFFFFFu
#define MODNAME_MAX 55	 /* Linux's MODULE_NAME_LEN less the NUL */
#define DRIVERS_MAX 1024 /* one record's driver list */

struct alias {
	uint32_t v, d, sv, sd;
	int bc, sc, pi;	    /* -1 any; only as a suffix (bc* means sc* i*) */
	size_t seq;	    /* input order: a record lists drivers in it */
	long at;	    /* line (modules.alias) or record (modinfo) */
	int src;	    /* index into alias_set.path */
	const char *driver; /* into a file buffer, or the joined list */
};

struct alias_set {
	struct alias *a;
	size_t n, cap;
	long skipped;
	const char *path[2];
	char *buf[2]; /* the files' contents, which drivers point into */
	char *joined; /* driver lists after merge() */
};

static void set_free(struct alias_set *s)
{
	free(s->a);
	free(s->buf[0]);
	free(s->buf[1]);
	free(s->joined);
}

/* "path:line" or "path: record N" of an alias, for messages. */
static const char *where(const struct alias_set *s, int src, long at, char *out, size_t n)
{
	snprintf(out, n, src == 0 ? "%s:%ld" : "%s: record %ld", s->path[src], at);
	return out;
}

/* "v00008086" style field: 8 hex digits or '*' (ANY); returns chars used.
 * *big: digits above 0xFFFF (even FFFFFFFF: only '*' means any). */
static int hexfield(const char *p, const char *tag, int digits, uint32_t *out, int *big)
{
	size_t t = strlen(tag);
	if (strncmp(p, tag, t) != 0)
		return -1;
	p += t;
	if (*p == '*') {
		*out = ANY;
		return (int)t + 1;
	}
	uint32_t v = 0;
	for (int i = 0; i < digits; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		v = v * 16 +
		    (uint32_t)(isdigit((unsigned char)p[i]) ? p[i] - '0' : toupper((unsigned char)p[i]) - 'A' + 10);
	}
	*out = v;
	*big |= v > 0xffff;
	return (int)t + digits;
}

/* "pci:v...d...sv...sd...bc..sc..i..": 0, 1 when no record can say it
 * (partial wildcards: skipped and counted), -1 with why for an ID no PCI
 * device can have. */
static int parse_pci_alias(const char *p, struct alias *a, char *why, size_t n)
{
	static const char *const tags[4] = {"v", "d", "sv", "sd"}, *const names[4] = {"vendor", "device",
										      "subsystem vendor",
										      "subsystem device"};
	uint32_t bc, sc, pi, *id[4] = {&a->v, &a->d, &a->sv, &a->sd};
	int k, big[4] = {0}, cls = 0;
	if (strncmp(p, "pci:", 4) != 0)
		return 1;
	p += 4;
	for (int i = 0; i < 4; i++, p += k)
		if ((k = hexfield(p, tags[i], 8, id[i], &big[i])) < 0)
			return 1;
	if ((k = hexfield(p, "bc", 2, &bc, &cls)) < 0 || (p += k, k = hexfield(p, "sc", 2, &sc, &cls)) < 0 ||
	    (p += k, k = hexfield(p, "i", 2, &pi, &cls)) < 0)
		return 1;
	p += k;
	if (strcmp(p, "*") != 0 && *p != '\0')
		return 1;
	for (int i = 0; i < 4; i++)
		if (big[i]) {
			snprintf(why, n, "%s ID 0x%08x is above 0xFFFF: PCI IDs are 16 bits", names[i], *id[i]);
			return -1;
		}
	/* A record's class is a prefix: base, base+sub or all three. */
	if ((bc == ANY && (sc != ANY || pi != ANY)) || (sc == ANY && pi != ANY))
		return 1;
	a->bc = bc == ANY ? -1 : (int)bc, a->sc = sc == ANY ? -1 : (int)sc, a->pi = pi == ANY ? -1 : (int)pi;
	return 0;
}

/* Linux module names are [A-Za-z0-9_-], at most MODNAME_MAX bytes. */
static int module_name_ok(const char *s, char *why, size_t n)
{
	char b[8];
	size_t len = strlen(s);
	if (len == 0 || len > MODNAME_MAX) {
		snprintf(why, n, "module name of %zu bytes (1 to %d)", len, MODNAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-') {
			snprintf(why, n, "module name: byte %zu is %s, not one of [A-Za-z0-9_-]", i + 1,
				 hcl_byte_name((unsigned char)s[i], b));
			return -1;
		}
	return 0;
}

/* Adds one alias of driver; -1 with err (named by src/at) when it is wrong. */
static int add(struct alias_set *s, const char *pattern, const char *driver, int src, long at, char *err, size_t errlen)
{
	struct alias a = {.seq = s->n, .at = at, .src = src, .driver = driver};
	char why[160], loc[4200];
	int rc = module_name_ok(driver, why, sizeof(why));
	if (rc == 0 && (rc = parse_pci_alias(pattern, &a, why, sizeof(why))) > 0) {
		s->skipped++;
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", where(s, src, at, loc, sizeof(loc)), why);
		return -1;
	}
	if (grow_array((void **)&s->a, &s->cap, s->n, sizeof(*s->a))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->a[s->n++] = a;
	return 0;
}

/* The file whole, or -1 with err; *missing when it does not exist. */
static char *slurp(const char *path, size_t *len, int *missing, char *err, size_t errlen)
{
	char *buf;
	if (sf_read(NULL, path, SF_CAP, &buf, len, err, errlen) == 0)
		return buf;
	*missing = errno == ENOENT;
	return NULL;
}

/* Splits "alias PATTERN MODULE" in place; 0, or -1 when it is not that. */
static int alias_fields(char *line, char **pat, char **mod)
{
	char *save, *tok[4];
	int n = 0;
	for (char *t = strtok_r(line, " \t", &save); t && n < 4; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	if (n != 3)
		return -1;
	*pat = tok[1], *mod = tok[2];
	return 0;
}

static int read_alias_file(const char *path, struct alias_set *s, char *err, size_t errlen)
{
	size_t len;
	int missing = 0;
	char *buf = slurp(path, &len, &missing, err, errlen);
	if (!buf) {
		if (missing)
			snprintf(err, errlen, "%s: %s (run depmod -b ROOT VERSION to create it)", path,
				 strerror(ENOENT));
		return -1;
	}
	s->path[0] = path, s->buf[0] = buf;
	long ln = 0;
	for (char *line = buf, *next; line < buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line)), *pat, *mod;
		next = nl ? nl + 1 : buf + len;
		ln++;
		if (memchr(line, '\0', (size_t)(next - line) - (nl ? 1 : 0))) {
			snprintf(err, errlen, "%s:%ld: NUL byte: not a modules.alias file", path, ln);
			return -1;
		}
		if (nl)
			*nl = '\0';
		if (strncmp(line, "alias pci:", 10) != 0)
			continue;
		if (alias_fields(line, &pat, &mod)) {
			snprintf(err, errlen, "%s:%ld: expected 'alias PATTERN MODULE'", path, ln);
			return -1;
		}
		if (add(s, pat, mod, 0, ln, err, errlen))
			return -1;
	}
	return 0;
}

/* Built-in drivers: "module.alias=pci:..." strings separated by NULs. */
static int read_builtin(const char *path, struct alias_set *s, char *err, size_t errlen)
{
	size_t len;
	int missing = 0;
	char *buf = slurp(path, &len, &missing, err, errlen);
	if (!buf)
		return missing ? 0 : -1; /* older kernels lack it */
	s->path[1] = path, s->buf[1] = buf;
	long rec = 0;
	for (char *r = buf, *next; r < buf + len; r = next) {
		char *dot = strchr(r, '.');
		next = r + strlen(r) + 1;
		rec++;
		if (!dot || strncmp(dot, ".alias=pci:", 11) != 0)
			continue;
		*dot = '\0';
		if (add(s, dot + 7, r, 1, rec, err, errlen))
			return -1;
	}
	return 0;
}

/* The order records are written in: IDs, then the class as one number
 * (how it always was: generated files stay byte for byte), then exactly. */
static int cmp_key(const struct alias *a, const struct alias *b)
{
	uint32_t ka[4] = {a->v, a->d, a->sv, a->sd}, kb[4] = {b->v, b->d, b->sv, b->sd};
	for (int i = 0; i < 4; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	int ca = a->bc * 65536 + a->sc * 256 + a->pi, cb = b->bc * 65536 + b->sc * 256 + b->pi;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return a->bc != b->bc ? a->bc - b->bc : a->sc != b->sc ? a->sc - b->sc : a->pi - b->pi;
}

static int cmp_seq(size_t x, size_t y)
{
	return x < y ? -1 : x > y;
}

static int by_key_driver_seq(const void *x, const void *y)
{
	const struct alias *a = x, *b = y;
	int c = cmp_key(a, b);
	if (!c)
		c = strcmp(a->driver, b->driver);
	return c ? c : cmp_seq(a->seq, b->seq);
}

static int by_key_seq(const void *x, const void *y)
{
	const struct alias *a = x, *b = y;
	int c = cmp_key(a, b);
	return c ? c : cmp_seq(a->seq, b->seq);
}

/* One entry per ID, in output order, naming its drivers in the order they
 * first claimed it: sorting, not searching, so 200,000 aliases take
 * milliseconds. */
static int merge(struct alias_set *s, char *err, size_t errlen)
{
	size_t u = 0, total = 1;
	if (s->n == 0) /* qsort's base may not be NULL */
		return 0;
	qsort(s->a, s->n, sizeof(*s->a), by_key_driver_seq);
	for (size_t i = 0; i < s->n; i++)
		if (u == 0 || cmp_key(&s->a[u - 1], &s->a[i]) || strcmp(s->a[u - 1].driver, s->a[i].driver)) {
			s->a[u++] = s->a[i];
			total += strlen(s->a[i].driver) + 1;
		}
	qsort(s->a, u, sizeof(*s->a), by_key_seq);
	if (!(s->joined = malloc(total))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char *w = s->joined;
	size_t out = 0;
	for (size_t i = 0, j; i < u; i = j) {
		char *list = w;
		for (j = i; j < u && cmp_key(&s->a[i], &s->a[j]) == 0; j++) {
			w += sprintf(w, "%s%s", j > i ? "," : "", s->a[j].driver);
			if (w - list > DRIVERS_MAX) {
				char loc[4200];
				snprintf(err, errlen,
					 "%s: the drivers claiming this ID make a list of more than %d bytes",
					 where(s, s->a[j].src, s->a[j].at, loc, sizeof(loc)), DRIVERS_MAX);
				return -1;
			}
		}
		*w++ = '\0';
		s->a[out] = s->a[i];
		s->a[out++].driver = list;
	}
	s->n = out;
	return 0;
}

static void hex4(char *out, uint32_t v)
{
	if (v == ANY)
		strcpy(out, "*");
	else
		sprintf(out, "%04x", v);
}

static void class_text(const struct alias *a, char *out, size_t n)
{
	if (a->bc < 0)
		snprintf(out, n, "*");
	else if (a->sc < 0)
		snprintf(out, n, "%02x", a->bc);
	else if (a->pi < 0)
		snprintf(out, n, "%02x%02x", a->bc, a->sc);
	else
		snprintf(out, n, "%02x%02x%02x", a->bc, a->sc, a->pi);
}

/* Writes merged entries; skipped: how many patterns no record could say. */
static int emit(const struct alias_set *s, long skipped, const char *release, const char *source, FILE *out)
{
	for (size_t i = 0; i < s->n; i++) {
		char v[12], d[12], sv[12], sd[12], cls[8];
		hex4(v, s->a[i].v), hex4(d, s->a[i].d), hex4(sv, s->a[i].sv), hex4(sd, s->a[i].sd);
		class_text(&s->a[i], cls, sizeof(cls));
		fprintf(out, "pci id=%s:%s sub=%s:%s class=%s driver=%s %s=supported", v, d, sv, sd, cls,
			s->a[i].driver, release);
		hcl_put_quoted(out, "source", source);
		fputc('\n', out);
	}
	if (skipped)
		fprintf(out, "# %ld alias patterns with partial wildcards were not imported\n", skipped);
	return (int)s->n;
}

/* RELEASE and SOURCE come from the command line: a key and a quoted value. */
static int args_ok(const char *release, const char *source, char *err, size_t errlen)
{
	char why[160];
	if (!hcl_release_id_ok(release, 1)) {
		snprintf(err, errlen,
			 "RELEASE is not a release id (LINE/VERSION, lowercase [a-z0-9._-] on each side, at most 47 "
			 "bytes)");
		return -1;
	}
	if (hcl_quotable(source, why, sizeof(why))) {
		snprintf(err, errlen, "SOURCE: %s", why);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Module names in modules.builtin ("kernel/drivers/virtio/virtio_pci.ko"),
 * sorted; *buf holds them. */
static int builtin_names(const char *moddir, char **buf, char ***names, size_t *n, char *err, size_t errlen)
{
	char path[4096];
	size_t len, cap = 0;
	int missing;
	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	if (!(*buf = slurp(path, &len, &missing, err, errlen)))
		return -1;
	*names = NULL, *n = 0;
	for (char *save, *line = strtok_r(*buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *base = strrchr(line, '/'), *dot;
		base = base ? base + 1 : line;
		if (!(dot = strstr(base, ".ko")))
			continue;
		*dot = '\0';
		for (char *c = base; *c; c++)
			if (*c == '-')
				*c = '_';
		if (grow_array((void **)names, &cap, *n, sizeof(**names))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		(*names)[(*n)++] = base;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

int import_builtin_ids(const char *moddir, const char *ref_moddir, const char *release, const char *source, FILE *out,
		       char *err, size_t errlen)
{
	struct alias_set ref = {0};
	char path[4096], *buf = NULL, **names = NULL;
	size_t n = 0, keep = 0;
	snprintf(path, sizeof(path), "%s/modules.alias", ref_moddir);
	int rc = args_ok(release, source, err, errlen);
	if (rc == 0)
		rc = builtin_names(moddir, &buf, &names, &n, err, errlen);
	if (rc == 0)
		rc = read_alias_file(path, &ref, err, errlen);
	if (rc == 0)
		rc = merge(&ref, err, errlen);
	/* An ID several drivers claim has a list, which names no one module. */
	for (size_t i = 0; rc == 0 && i < ref.n; i++)
		if (n && bsearch(&ref.a[i].driver, names, n, sizeof(*names), cmp_str))
			ref.a[keep++] = ref.a[i];
	ref.n = keep;
	if (rc == 0)
		rc = emit(&ref, 0, release, source, out);
	set_free(&ref);
	free(names);
	free(buf);
	return rc;
}

int import_modalias(const char *moddir, const char *release, const char *source, FILE *out, char *err, size_t errlen)
{
	struct alias_set s = {0};
	char path[4096], mpath[4096];
	snprintf(path, sizeof(path), "%s/modules.alias", moddir);
	snprintf(mpath, sizeof(mpath), "%s/modules.builtin.modinfo", moddir);
	int rc = args_ok(release, source, err, errlen);
	if (rc == 0)
		rc = read_alias_file(path, &s, err, errlen);
	if (rc == 0)
		rc = read_builtin(mpath, &s, err, errlen);
	if (rc == 0)
		rc = merge(&s, err, errlen);
	if (rc == 0)
		rc = emit(&s, s.skipped, release, source, out);
	set_free(&s);
	return rc;
}
