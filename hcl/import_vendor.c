/* Vendor lists: the vSAN HCL JSON and VMware Compatibility Guide CSV
 * exports, to pci records. A certified firmware list becomes fw_min, the
 * lowest version in it. */
#include "common/grow.h"
#include "common/safefile.h"
#include "hcl/hcl.h"
#include "hcl/hcl_write.h"
#include "hcl/import.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The result becomes a key of the record, so it must be a release id the
 * parser takes (hcl_release_id_ok), never something cut to fit. */
int import_release_id(const char *name, char *out, size_t n)
{
	char id[64];
	const char *p = name;
	size_t i = 0, line;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && i + 1 < sizeof(id))
		id[i++] = (char)tolower((unsigned char)*p++);
	line = i;
	if (i + 1 < sizeof(id))
		id[i++] = '/';
	for (; *p && i + 1 < sizeof(id); p++)
		if (*p != ' ')
			id[i++] = (char)tolower((unsigned char)*p);
	id[i] = '\0';
	if (*p || !line || i < line + 2 || !isdigit((unsigned char)id[line + 1]) || !hcl_release_id_ok(id, 0) || i >= n)
		return -1;
	memcpy(out, id, i + 1);
	return 0;
}

/* Numeric-aware version compare: "7.727.02" < "25.5.9". */
static int vercmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
		} else {
			if (*a != *b)
				return (unsigned char)*a - (unsigned char)*b;
			a++, b++;
		}
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* Hex ID "1000" / "0x1000" -> "1000"; NULL/"" -> "*". */
static int id_text(const char *s, char out[8])
{
	if (!s || !*s || strcmp(s, "*") == 0) {
		strcpy(out, "*");
		return 0;
	}
	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
		s += 2;
	size_t n = strlen(s);
	if (n == 0 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	snprintf(out, 8, "%04lx", strtoul(s, NULL, 16));
	return 0;
}

/* Records are gathered, then merged by (IDs, release) and written in the
 * order each first appeared: a device certified with two drivers, or listed
 * twice, becomes one record whose driver lists both, which `hcl lint` (and so
 * certify) accepts. */
struct rec {
	char key[80]; /* ids and release: what lint calls the match key */
	char ids[4][8], rel[48];
	char driver[512], fw[64], name[256];
	size_t order;
};

struct recs {
	struct rec *r;
	size_t n, cap;
};

/* Adds one record; -1 with "WHERE: field: why" when a string cannot be
 * written as it is (the record is then not kept at all). */
static int record(struct recs *b, const char *ids[4], const char *driver, const char *fw, const char *name,
		  const char *release, const char *where, char *err, size_t errlen)
{
	const char *key[3] = {"driver", "fw_min", "name"}, *val[3] = {driver, fw, name};
	char why[160];
	for (int i = 0; i < 3; i++)
		if (val[i] && hcl_quotable(val[i], why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s: %s", where, key[i], why);
			return -1;
		}
	if (driver && strchr(driver, ',')) {
		snprintf(err, errlen, "%s: driver: a driver name has no comma (the record lists drivers with one)",
			 where);
		return -1;
	}
	if (grow_array((void **)&b->r, &b->cap, b->n, sizeof(*b->r))) {
		snprintf(err, errlen, "%s: out of memory", where);
		return -1;
	}
	struct rec *r = &b->r[b->n];
	memset(r, 0, sizeof(*r));
	for (int k = 0; k < 4; k++)
		snprintf(r->ids[k], sizeof(r->ids[k]), "%s", ids[k]);
	snprintf(r->rel, sizeof(r->rel), "%s", release);
	snprintf(r->key, sizeof(r->key), "%s:%s:%s:%s %s", ids[0], ids[1], ids[2], ids[3], release);
	snprintf(r->driver, sizeof(r->driver), "%s", driver ? driver : "");
	snprintf(r->fw, sizeof(r->fw), "%s", fw ? fw : "");
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	r->order = b->n++;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Folds y into x: its driver joins the list, the lower firmware floor wins. */
static void fold(struct rec *x, const struct rec *y)
{
	if (y->driver[0] && !hcl_list_has(x->driver, y->driver)) {
		char d[sizeof(x->driver)];
		snprintf(d, sizeof(d), "%s%s%s", x->driver, x->driver[0] ? "," : "", y->driver);
		memcpy(x->driver, d, sizeof(d));
	}
	if (y->fw[0] && (!x->fw[0] || vercmp(y->fw, x->fw) < 0))
		memcpy(x->fw, y->fw, sizeof(x->fw));
}

/* Merges, writes and frees; returns the number of records written. */
static int flush_records(struct recs *b, const char *source, FILE *out)
{
	size_t n = 0;
	if (b->n)
		qsort(b->r, b->n, sizeof(*b->r), by_key);
	for (size_t i = 0; i < b->n; i++)
		if (n && !strcmp(b->r[n - 1].key, b->r[i].key))
			fold(&b->r[n - 1], &b->r[i]);
		else
			b->r[n++] = b->r[i];
	if (n)
		qsort(b->r, n, sizeof(*b->r), by_order);
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &b->r[i];
		const char *key[3] = {"driver", "fw_min", "name"}, *val[3] = {r->driver, r->fw, r->name};
		fprintf(out, "pci id=%s:%s sub=%s:%s", r->ids[0], r->ids[1], r->ids[2], r->ids[3]);
		for (int k = 0; k < 3; k++)
			if (*val[k])
				hcl_put_quoted(out, key[k], val[k]);
		fprintf(out, " %s=supported", r->rel);
		hcl_put_quoted(out, "source", source);
		fputc('\n', out);
	}
	free(b->r);
	memset(b, 0, sizeof(*b));
	return (int)n;
}

static int source_ok(const char *source, char *err, size_t errlen)
{
	char why[160];
	if (hcl_quotable(source, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "SOURCE: %s", why);
	return -1;
}

static const char *lowest_firmware(json_t *ver)
{
	const char *best = NULL;
	json_t *fws = json_object_get(ver, "firmwares"), *fw;
	size_t i;
	json_array_foreach (fws, i, fw) {
		const char *s = json_string_value(fw);
		if (s && *s && (!best || vercmp(s, best) < 0))
			best = s;
	}
	return best;
}

static int vsan_entry(json_t *e, const char *where, struct recs *out, char *err, size_t errlen)
{
	char id[4][8], rel[96], name[256];
	const char *keys[4] = {"vid", "did", "svid", "ssid"}, *ids[4];
	for (int k = 0; k < 4; k++) {
		if (id_text(json_string_value(json_object_get(e, keys[k])), id[k])) {
			snprintf(err, errlen, "%s.%s: expected a 4-digit hex ID", where, keys[k]);
			return -1;
		}
		ids[k] = id[k];
	}
	if (strcmp(id[0], "*") == 0 || strcmp(id[1], "*") == 0) {
		snprintf(err, errlen, "%s: vid and did are required", where);
		return -1;
	}
	snprintf(name, sizeof(name), "%s %s", json_string_value(json_object_get(e, "vendor")) ?: "",
		 json_string_value(json_object_get(e, "model")) ?: "");
	json_t *rels = json_object_get(e, "releases"), *drivers, *ver;
	const char *rname, *drv, *vname;
	int n = 0;
	json_object_foreach (rels, rname, drivers) {
		if (import_release_id(rname, rel, sizeof(rel))) {
			snprintf(err, errlen, "%s.releases: a key is not a release name like \"ESXi 8.0 U2\"", where);
			return -1;
		}
		json_object_foreach (drivers, drv, ver) {
			const char *fw = NULL;
			json_t *v;
			json_object_foreach (ver, vname, v) {
				const char *f = lowest_firmware(v);
				if (f && (!fw || vercmp(f, fw) < 0))
					fw = f;
			}
			if (record(out, ids, drv, fw, name, rel, where, err, errlen))
				return -1;
			n++;
		}
	}
	return n;
}

int import_vsan_json(const char *path, const char *source, FILE *out, char *err, size_t errlen)
{
	json_error_t je;
	static const char *const kinds[] = {"controller", "ssd", "hdd", "nic"};
	char *buf;
	size_t len;
	if (source_ok(source, err, errlen) || sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen))
		return -1;
	json_t *doc = json_loadb(buf, len, 0, &je);
	free(buf);
	if (!doc) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	json_t *data = json_object_get(doc, "data");
	struct recs recs = {0};
	int rc = 0;
	if (!json_is_object(data)) {
		snprintf(err, errlen, "%s: no \"data\" object (expected vSAN HCL all.json)", path);
		rc = -1;
	}
	for (size_t k = 0; rc == 0 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		json_t *arr = json_object_get(data, kinds[k]), *e;
		size_t i;
		json_array_foreach (arr, i, e) {
			char where[600], sub[256];
			snprintf(where, sizeof(where), "%s: data.%s[%zu]", path, kinds[k], i);
			int n = vsan_entry(e, where, &recs, sub, sizeof(sub));
			if (n < 0) {
				snprintf(err, errlen, "%s", sub);
				rc = -1;
				break;
			}
		}
	}
	json_decref(doc);
	if (rc) {
		free(recs.r);
		return -1;
	}
	return flush_records(&recs, source, out);
}

/* CSV (RFC 4180): splits one line in place; fields may be quoted. */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		char *w = p;
		f[n++] = w;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"', p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			if (*p && *p != ',')
				return -1;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		char end = *p;
		*w = '\0';
		if (end != ',')
			return n;
		p++;
	}
	return -1;
}

enum { C_VENDOR, C_MODEL, C_VID, C_DID, C_SVID, C_SSID, C_RELEASE, C_DRIVER, C_FW, C_NUM };

static int column_of(const char *h)
{
	static const char *const names[C_NUM][4] = {
	    {"vendor", "brand name", "partner", NULL},
	    {"model", "device name", "model/device name", "product"},
	    {"vid", "vendor id", NULL, NULL},
	    {"did", "device id", NULL, NULL},
	    {"svid", "subsystem vendor id", "sub vendor id", NULL},
	    {"ssid", "subsystem id", "sub device id", NULL},
	    {"release", "esxi release", "supported releases", NULL},
	    {"driver", "driver name", NULL, NULL},
	    {"firmware", "firmware version", NULL, NULL},
	};
	for (int c = 0; c < C_NUM; c++)
		for (int k = 0; k < 4 && names[c][k]; k++)
			if (strcasecmp(h, names[c][k]) == 0)
				return c;
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static int csv_header(char *line, int col[C_NUM], const char *path, char *err, size_t errlen)
{
	char *f[64];
	int n = csv_split(line, f, 64);
	for (int c = 0; c < C_NUM; c++)
		col[c] = -1;
	for (int i = 0; i < n; i++) {
		int c = column_of(trim(f[i]));
		if (c >= 0)
			col[c] = i;
	}
	if (col[C_VID] < 0 || col[C_DID] < 0 || col[C_RELEASE] < 0) {
		snprintf(err, errlen, "%s:1: header lacks VID, DID or Release columns", path);
		return -1;
	}
	return 0;
}

static int csv_row(char *line, const int col[C_NUM], long ln, const char *path, struct recs *out, char *err,
		   size_t errlen)
{
	char *f[64], id[4][8], rel[96], name[256];
	const char *ids[4];
	int n = csv_split(line, f, 64);
	const int idc[4] = {C_VID, C_DID, C_SVID, C_SSID};
	if (n < 0) {
		snprintf(err, errlen, "%s:%ld: unterminated quoted field", path, ln);
		return -1;
	}
#define CELL(c) (col[c] >= 0 && col[c] < n ? trim(f[col[c]]) : "")
	for (int k = 0; k < 4; k++) {
		if (id_text(CELL(idc[k]), id[k]) || (k < 2 && strcmp(id[k], "*") == 0)) {
			snprintf(err, errlen, "%s:%ld: bad or missing PCI ID '%s'", path, ln, CELL(idc[k]));
			return -1;
		}
		ids[k] = id[k];
	}
	if (import_release_id(CELL(C_RELEASE), rel, sizeof(rel))) {
		snprintf(err, errlen, "%s:%ld: the Release cell is not a release name like \"ESXi 8.0 U2\"", path, ln);
		return -1;
	}
	char where[4200];
	snprintf(where, sizeof(where), "%s:%ld", path, ln);
	snprintf(name, sizeof(name), "%s %s", CELL(C_VENDOR), CELL(C_MODEL));
	if (record(out, ids, CELL(C_DRIVER), CELL(C_FW), trim(name), rel, where, err, errlen))
		return -1;
#undef CELL
	return 1;
}

int import_vcg_csv(const char *path, const char *source, FILE *out, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long ln = 0;
	int col[C_NUM], rc = 0;
	struct recs recs = {0};
	FILE *f = source_ok(source, err, errlen) ? NULL : sf_fopen(NULL, path, SF_CAP, err, errlen);
	if (!f)
		return -1;
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		ln++;
		if (memchr(line, '\0', (size_t)len)) {
			snprintf(err, errlen, "%s:%ld: NUL byte: not a CSV file", path, ln);
			rc = -1;
		} else if (ln == 1)
			rc = csv_header(line, col, path, err, errlen);
		else if (*trim(line)) {
			int n = csv_row(line, col, ln, path, &recs, err, errlen);
			rc = n < 0 ? -1 : 0;
		}
	}
	if (rc == 0 && ln == 0) {
		snprintf(err, errlen, "%s: empty file", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc) {
		free(recs.r);
		return -1;
	}
	return flush_records(&recs, source, out);
}
