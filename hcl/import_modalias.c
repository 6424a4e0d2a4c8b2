/* modules.alias ("alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb") and
 * modules.builtin.modinfo ("igb.alias=pci:v..." NUL-separated) to pci
 * records. IDs two drivers claim become one record naming both. */
#include "grow.h"
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ANY 0xFFFFFFFFu

struct alias {
	uint32_t v, d, sv, sd;
	int bc, sc, pi; /* -1 any */
	char driver[128];
};

struct alias_set {
	struct alias *a;
	size_t n, cap;
	long skipped;
};

/* "v00008086" style field: 8 hex digits or '*'; returns chars used. */
static int hexfield(const char *p, const char *tag, int digits, uint32_t *out)
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
	return (int)t + digits;
}

/* Parses "pci:v...d...sv...sd...bc..sc..i.." */
static int parse_pci_alias(const char *p, struct alias *a)
{
	uint32_t bc, sc, pi;
	int n;
	if (strncmp(p, "pci:", 4) != 0)
		return -1;
	p += 4;
	if ((n = hexfield(p, "v", 8, &a->v)) < 0 || (p += n, n = hexfield(p, "d", 8, &a->d)) < 0 ||
	    (p += n, n = hexfield(p, "sv", 8, &a->sv)) < 0 || (p += n, n = hexfield(p, "sd", 8, &a->sd)) < 0 ||
	    (p += n, n = hexfield(p, "bc", 2, &bc)) < 0 || (p += n, n = hexfield(p, "sc", 2, &sc)) < 0 ||
	    (p += n, n = hexfield(p, "i", 2, &pi)) < 0)
		return -1;
	p += n;
	if (strcmp(p, "*") != 0 && *p != '\0')
		return -1;
	if ((a->v != ANY && a->v > 0xffff) || (a->d != ANY && a->d > 0xffff))
		return -1;
	a->bc = bc == ANY ? -1 : (int)bc, a->sc = sc == ANY ? -1 : (int)sc, a->pi = pi == ANY ? -1 : (int)pi;
	return 0;
}

static int same_key(const struct alias *x, const struct alias *y)
{
	return x->v == y->v && x->d == y->d && x->sv == y->sv && x->sd == y->sd && x->bc == y->bc && x->sc == y->sc &&
	       x->pi == y->pi;
}

static int add(struct alias_set *s, const char *pattern, const char *driver)
{
	struct alias a;
	if (parse_pci_alias(pattern, &a)) {
		s->skipped++;
		return 0;
	}
	snprintf(a.driver, sizeof(a.driver), "%s", driver);
	for (size_t i = 0; i < s->n; i++) {
		if (!same_key(&s->a[i], &a))
			continue;
		size_t l = strlen(s->a[i].driver);
		char comma[140];
		snprintf(comma, sizeof(comma), ",%s", driver);
		if (strcmp(s->a[i].driver, driver) && !strstr(s->a[i].driver, comma) &&
		    l + strlen(comma) < sizeof(a.driver))
			strcat(s->a[i].driver, comma);
		return 0;
	}
	if (grow_array((void **)&s->a, &s->cap, s->n, sizeof(*s->a)))
		return -1;
	s->a[s->n++] = a;
	return 0;
}

static int read_alias_file(const char *path, struct alias_set *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long ln = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s (run depmod -b ROOT VERSION to create it)", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char pat[512], drv[128];
		ln++;
		if (strncmp(line, "alias pci:", 10) != 0)
			continue;
		if (sscanf(line, "alias %511s %127s", pat, drv) != 2) {
			snprintf(err, errlen, "%s:%ld: expected 'alias PATTERN MODULE'", path, ln);
			fclose(f);
			return -1;
		}
		if (add(s, pat, drv)) {
			snprintf(err, errlen, "out of memory");
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Built-in drivers: "module.alias=pci:..." strings separated by NULs. */
static int read_builtin(const char *path, struct alias_set *s)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0; /* older kernels lack it */
	char rec[1024];
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF) {
		if (c != '\0' && n + 1 < sizeof(rec)) {
			rec[n++] = (char)c;
			continue;
		}
		rec[n] = '\0';
		n = 0;
		char *dot = strstr(rec, ".alias=pci:");
		if (!dot)
			continue;
		*dot = '\0';
		if (add(s, dot + 7, rec)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static void hex4(char *out, uint32_t v)
{
	if (v == ANY)
		strcpy(out, "*");
	else
		sprintf(out, "%04x", v & 0xffff);
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

static int cmp_alias(const void *x, const void *y)
{
	const struct alias *a = x, *b = y;
	uint32_t ka[4] = {a->v, a->d, a->sv, a->sd}, kb[4] = {b->v, b->d, b->sv, b->sd};
	for (int i = 0; i < 4; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return (a->bc * 65536 + a->sc * 256 + a->pi) - (b->bc * 65536 + b->sc * 256 + b->pi);
}

static int emit(struct alias_set *s, const char *release, const char *source, FILE *out)
{
	qsort(s->a, s->n, sizeof(*s->a), cmp_alias);
	for (size_t i = 0; i < s->n; i++) {
		char v[8], d[8], sv[8], sd[8], cls[8];
		hex4(v, s->a[i].v), hex4(d, s->a[i].d), hex4(sv, s->a[i].sv), hex4(sd, s->a[i].sd);
		class_text(&s->a[i], cls, sizeof(cls));
		fprintf(out, "pci id=%s:%s sub=%s:%s class=%s driver=%s %s=supported source=\"%s\"\n", v, d, sv, sd,
			cls, s->a[i].driver, release, source);
	}
	if (s->skipped)
		fprintf(out, "# %ld alias patterns with partial wildcards were not imported\n", s->skipped);
	return (int)s->n;
}

/* Module names in modules.builtin ("kernel/drivers/virtio/virtio_pci.ko"). */
static int builtin_names(const char *moddir, char names[][64], int max)
{
	char path[4096], line[512];
	int n = 0;
	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	FILE *f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		char *base = strrchr(line, '/'), *dot;
		base = base ? base + 1 : line;
		if (!(dot = strstr(base, ".ko")))
			continue;
		*dot = '\0';
		for (char *c = base; *c; c++)
			if (*c == '-')
				*c = '_';
		snprintf(names[n++], 64, "%s", base);
	}
	if (f)
		fclose(f);
	return f ? n : -1;
}

int import_builtin_ids(const char *moddir, const char *ref_moddir, const char *release, const char *source, FILE *out,
		       char *err, size_t errlen)
{
	static char names[4096][64];
	struct alias_set ref = {0}, pick = {0};
	char path[4096];
	int n = builtin_names(moddir, names, 4096), rc = 0;
	if (n < 0) {
		snprintf(err, errlen, "%s/modules.builtin: %s", moddir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/modules.alias", ref_moddir);
	rc = read_alias_file(path, &ref, err, errlen);
	for (size_t i = 0; rc == 0 && i < ref.n; i++)
		for (int k = 0; k < n; k++)
			if (strcmp(ref.a[i].driver, names[k]) == 0) {
				if (grow_array((void **)&pick.a, &pick.cap, pick.n, sizeof(*pick.a)))
					rc = -1;
				else
					pick.a[pick.n++] = ref.a[i];
				break;
			}
	if (rc == 0)
		rc = emit(&pick, release, source, out);
	free(ref.a);
	free(pick.a);
	return rc;
}

int import_modalias(const char *moddir, const char *release, const char *source, FILE *out, char *err, size_t errlen)
{
	struct alias_set s = {0};
	char path[4096];
	snprintf(path, sizeof(path), "%s/modules.alias", moddir);
	int rc = read_alias_file(path, &s, err, errlen);
	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", moddir);
	if (rc == 0 && read_builtin(path, &s)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = emit(&s, release, source, out);
	free(s.a);
	return rc;
}
