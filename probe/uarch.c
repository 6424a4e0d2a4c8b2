#include "probe/uarch.h"
#include "common/safefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct range {
	unsigned lo, hi;
};

static int parse_range(const char *s, int base, struct range *r)
{
	char *end;
	if (strcmp(s, "*") == 0) {
		r->lo = 0, r->hi = ~0u;
		return 0;
	}
	errno = 0;
	unsigned long lo = strtoul(s, &end, base);
	if (end == s || errno)
		return -1;
	unsigned long hi = lo;
	if (*end == '-') {
		const char *h = end + 1;
		hi = strtoul(h, &end, base);
		if (end == h || errno)
			return -1;
	}
	if (*end || hi < lo)
		return -1;
	r->lo = (unsigned)lo, r->hi = (unsigned)hi;
	return 0;
}

/* Splits a TAB-separated line in place into exactly n fields. */
static int split(char *line, char **f, int n)
{
	int i = 0;
	f[i++] = line;
	for (char *p = line; *p && i <= n; p++) {
		if (*p == '\t') {
			*p = '\0';
			if (i < n)
				f[i] = p + 1;
			i++;
		}
	}
	return i == n ? 0 : -1;
}

static int row(char *line, const char *vendor, unsigned fam, unsigned model, unsigned step, struct uarch_match *m,
	       const char **why)
{
	char *f[7];
	struct range rf, rm, rs;
	if (split(line, f, 7)) {
		*why = "expected 7 TAB-separated fields";
		return -1;
	}
	if (parse_range(f[1], 16, &rf) || parse_range(f[2], 16, &rm) || parse_range(f[3], 10, &rs)) {
		*why = "bad family, model or stepping (hex 0x.., ranges lo-hi, stepping decimal or *)";
		return -1;
	}
	if (strcmp(f[0], vendor) || fam < rf.lo || fam > rf.hi || model < rm.lo || model > rm.hi || step < rs.lo ||
	    step > rs.hi)
		return 0;
	m->found = 1;
	snprintf(m->uarch, sizeof(m->uarch), "%s", f[4]);
	snprintf(m->platform, sizeof(m->platform), "%s", f[5]);
	snprintf(m->source, sizeof(m->source), "%s", f[6]);
	return 1;
}

int uarch_lookup(const char *path, const char *vendor, unsigned fam, unsigned model, unsigned step,
		 struct uarch_match *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	FILE *f = sf_fopen(NULL, path, SF_CAP, err, errlen);
	if (!f)
		return -1;
	char line[1024];
	long ln = 0;
	int header = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!header) {
			header = 1;
			continue;
		}
		const char *why = NULL;
		int r = row(line, vendor, fam, model, step, m, &why);
		if (r < 0) {
			snprintf(err, errlen, "%s:%ld: %s", path, ln, why);
			rc = -1;
		} else if (r > 0) {
			m->line = ln;
			break;
		}
	}
	fclose(f);
	return rc;
}
