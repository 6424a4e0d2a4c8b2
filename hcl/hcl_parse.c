/* Records to structs, with file:line:column errors (docs/hcl-format.md). */
#include "common/grow.h"
#include "common/safefile.h"
#include "hcl/hcl.h"
#include "hcl/hcl_lex.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void hcl_pool_free(struct hcl_pool *p);

struct pctx {
	struct hcl_db *db;
	const char *file; /* interned */
	int line;
	struct hcl_rec *rec;
	char *err;
	size_t errlen;
};

static int perr(struct pctx *c, int col, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file, c->line, col, msg);
	return -1;
}

static struct hcl_field *get(struct pctx *c, const char *key)
{
	for (int i = 0; i < c->rec->nf; i++)
		if (strcmp(c->rec->f[i].key, key) == 0) {
			c->rec->f[i].used = 1;
			return &c->rec->f[i];
		}
	return NULL;
}

static int need(struct pctx *c, const char *key, struct hcl_field **out)
{
	*out = get(c, key);
	if (!*out)
		return perr(c, c->rec->kcol, "%s record lacks its key", key);
	return 0;
}

static const char *str(struct pctx *c, const char *key)
{
	struct hcl_field *f = get(c, key);
	return f ? hcl_intern(c->db, f->val) : NULL;
}

static int parse_hex(const char *s, uint32_t *out, int digits)
{
	char *end;
	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	if (!isxdigit((unsigned char)*s) || (digits && (int)strlen(s) != digits))
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 16);
	if (*end || errno || v > 0xffffffffUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "0x6", "0x30-0x3f", decimal when base 10, "*" when allowed. */
static int parse_range(const char *s, int base, unsigned *lo, unsigned *hi)
{
	char tmp[64], *dash;
	uint32_t a, b;
	if (strcmp(s, "*") == 0) {
		*lo = 0, *hi = 0xffffffffu;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s", s);
	dash = strchr(tmp, '-');
	if (dash)
		*dash = '\0';
	if (base == 16 ? parse_hex(tmp, &a, 0) : (sscanf(tmp, "%u", &a) != 1 || !isdigit((unsigned char)tmp[0])))
		return -1;
	b = a;
	if (dash && (base == 16 ? parse_hex(dash + 1, &b, 0)
				: (sscanf(dash + 1, "%u", &b) != 1 || !isdigit((unsigned char)dash[1]))))
		return -1;
	if (b < a)
		return -1;
	*lo = a, *hi = b;
	return 0;
}

int hcl_release_id_ok(const char *s, int allow_glob)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/') || strlen(s) > HCL_KEY_MAX)
		return 0;
	if (allow_glob && strcmp(slash + 1, "*") == 0)
		return 1;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._-/", *p)))
			return 0;
	return 1;
}

static enum hcl_state state_of(const char *s)
{
	return strcmp(s, "supported") == 0     ? HS_SUPPORTED
	       : strcmp(s, "deprecated") == 0  ? HS_DEPRECATED
	       : strcmp(s, "unsupported") == 0 ? HS_UNSUPPORTED
					       : HS_NONE;
}

/* Every unused field whose key is a release becomes a RELEASE=STATE. */
static int states(struct pctx *c, struct hcl_states *out)
{
	out->v = NULL;
	out->n = 0;
	for (int i = 0; i < c->rec->nf; i++) {
		struct hcl_field *f = &c->rec->f[i];
		if (f->used || !strchr(f->key, '/'))
			continue;
		f->used = 1;
		if (!hcl_release_id_ok(f->key, 1))
			return perr(c, f->col, "bad release id '%s'", f->key);
		enum hcl_state st = state_of(f->val);
		if (st == HS_NONE)
			return perr(c, f->vcol, "state must be supported, deprecated or unsupported, not '%s'", f->val);
		struct hcl_rs *nv = realloc(out->v, (size_t)(out->n + 1) * sizeof(*nv));
		if (!nv)
			return perr(c, f->col, "out of memory%s", NULL);
		out->v = nv;
		out->v[out->n++] = (struct hcl_rs){hcl_intern(c->db, f->key), st};
	}
	return 0;
}

static int leftovers(struct pctx *c)
{
	for (int i = 0; i < c->rec->nf; i++)
		if (!c->rec->f[i].used)
			return perr(c, c->rec->f[i].col, "unknown key '%s'", c->rec->f[i].key);
	return 0;
}

#define PUSH(c, arr)                                                                                                   \
	(grow_array((void **)&(c)->db->arr, &(c)->db->cap_##arr, (c)->db->n_##arr, sizeof(*(c)->db->arr))              \
	     ? NULL                                                                                                    \
	     : memset(&(c)->db->arr[(c)->db->n_##arr++], 0, sizeof(*(c)->db->arr)))

static int rec_release(struct pctx *c)
{
	struct hcl_field *id, *cls;
	if (need(c, "id", &id) || need(c, "source", &(struct hcl_field *){0}))
		return -1;
	if (!hcl_release_id_ok(id->val, 0))
		return perr(c, id->vcol, "bad release id '%s' (want line/version, lowercase, at most 47 characters)",
			    id->val);
	struct hcl_release *r = PUSH(c, releases);
	if (!r)
		return perr(c, 1, "out of memory%s", NULL);
	r->loc = (struct hcl_loc){c->file, c->line};
	r->id = hcl_intern(c->db, id->val);
	r->line = str(c, "line"), r->version = str(c, "version"), r->name = str(c, "name");
	r->after = str(c, "after"), r->source = str(c, "source");
	struct hcl_field *dev = get(c, "devices");
	if (dev && strcmp(dev->val, "complete") && strcmp(dev->val, "partial"))
		return perr(c, dev->vcol, "devices must be complete or partial, not '%s'", dev->val);
	r->devices_complete = dev && strcmp(dev->val, "complete") == 0;
	if ((cls = get(c, "classes"))) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", cls->val);
		for (char *save, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			uint32_t v;
			size_t n = strlen(t);
			if ((n != 2 && n != 4) || parse_hex(t, &v, (int)n) || r->nclasses == 16)
				return perr(c, cls->vcol, "classes: 2 or 4 hex digits each, at most 16 ('%s')", t);
			snprintf(r->classes[r->nclasses++], sizeof(r->classes[0]), "%s", t);
		}
	}
	if (r->after && !hcl_release_id_ok(r->after, 0))
		return perr(c, get(c, "after")->vcol, "bad release id '%s'", r->after);
	return leftovers(c);
}

static int rec_require(struct pctx *c)
{
	struct hcl_field *rel, *st;
	if (need(c, "release", &rel) || need(c, "state", &st) || need(c, "source", &(struct hcl_field *){0}))
		return -1;
	if (!hcl_release_id_ok(rel->val, 1))
		return perr(c, rel->vcol, "bad release id '%s'", rel->val);
	struct hcl_require *q = PUSH(c, requires);
	if (!q)
		return perr(c, 1, "out of memory%s", NULL);
	q->loc = (struct hcl_loc){c->file, c->line};
	q->release = hcl_intern(c->db, rel->val);
	q->source = str(c, "source");
	q->st = state_of(st->val);
	if (q->st != HS_UNSUPPORTED && q->st != HS_DEPRECATED)
		return perr(c, st->vcol, "require state must be unsupported or deprecated, not '%s'", st->val);
	struct hcl_field *lv = get(c, "level"), *ft = get(c, "feature"), *vt = get(c, "virt");
	if (!!lv + !!ft + !!vt != 1)
		return perr(c, c->rec->kcol, "require needs exactly one of level=, feature=, virt=%s", NULL);
	if (lv) {
		q->kind = RQ_LEVEL;
		q->level = atoi(lv->val);
		if (q->level < 1 || q->level > 4 || strlen(lv->val) != 1)
			return perr(c, lv->vcol, "level must be 1-4 (x86-64-vN), not '%s'", lv->val);
	} else if (ft) {
		q->kind = RQ_FEATURE;
		q->feature = hcl_intern(c->db, ft->val);
	} else {
		static const struct {
			const char *name;
			enum hcl_req_kind kind;
		} virt[] = {
		    {"hw", RQ_VIRT_HW}, {"tdp", RQ_VIRT_TDP}, {"pvm", RQ_VIRT_PVM}, {"no-kpti", RQ_VIRT_NO_KPTI}};
		size_t i = 0;
		while (i < sizeof(virt) / sizeof(virt[0]) && strcmp(virt[i].name, vt->val))
			i++;
		if (i == sizeof(virt) / sizeof(virt[0]))
			return perr(c, vt->vcol, "virt must be hw, tdp, pvm or no-kpti, not '%s'", vt->val);
		q->kind = virt[i].kind;
	}
	return leftovers(c);
}

static int vendor_ok(const char *v)
{
	return strcmp(v, "GenuineIntel") == 0 || strcmp(v, "AuthenticAMD") == 0 || strcmp(v, "HygonGenuine") == 0;
}

static int rec_cpu(struct pctx *c)
{
	struct hcl_field *v, *fam, *mod, *step = NULL;
	if (need(c, "vendor", &v) || need(c, "family", &fam) || need(c, "model", &mod) ||
	    need(c, "source", &(struct hcl_field *){0}))
		return -1;
	struct hcl_cpu *e = PUSH(c, cpus);
	if (!e)
		return perr(c, 1, "out of memory%s", NULL);
	e->loc = (struct hcl_loc){c->file, c->line};
	if (!vendor_ok(v->val))
		return perr(c, v->vcol, "unknown vendor '%s'", v->val);
	e->vendor = hcl_intern(c->db, v->val);
	if (parse_range(fam->val, 16, &e->fam_lo, &e->fam_hi) || strcmp(fam->val, "*") == 0)
		return perr(c, fam->vcol, "family: hex value or lo-hi range, not '%s'", fam->val);
	if (parse_range(mod->val, 16, &e->mod_lo, &e->mod_hi))
		return perr(c, mod->vcol, "model: hex value, lo-hi range or *, not '%s'", mod->val);
	e->step_lo = 0, e->step_hi = 0xffffffffu;
	if ((step = get(c, "stepping")) && parse_range(step->val, 10, &e->step_lo, &e->step_hi))
		return perr(c, step->vcol, "stepping: decimal, lo-hi or *, not '%s'", step->val);
	e->platform = str(c, "platform"), e->note = str(c, "note"), e->source = str(c, "source");
	if (states(c, &e->states))
		return -1;
	if (e->states.n == 0)
		return perr(c, c->rec->kcol, "cpu entry states no release%s", NULL);
	return leftovers(c);
}

/* "8086:10c9" with '*' halves. */
static int parse_pair(const char *s, uint32_t *a, uint32_t *b)
{
	char x[8], y[8];
	const char *colon = strchr(s, ':');
	if (!colon || colon - s > 4 || strlen(colon + 1) > 4)
		return -1;
	snprintf(x, sizeof(x), "%.*s", (int)(colon - s), s);
	snprintf(y, sizeof(y), "%s", colon + 1);
	if (strcmp(x, "*") == 0)
		*a = HCL_ANY;
	else if (parse_hex(x, a, 4))
		return -1;
	if (strcmp(y, "*") == 0)
		*b = HCL_ANY;
	else if (parse_hex(y, b, 4))
		return -1;
	return 0;
}

static int rec_pci(struct pctx *c)
{
	struct hcl_field *id, *sub, *cls;
	if (need(c, "id", &id) || need(c, "source", &(struct hcl_field *){0}))
		return -1;
	struct hcl_pci *e = PUSH(c, pcis);
	if (!e)
		return perr(c, 1, "out of memory%s", NULL);
	e->loc = (struct hcl_loc){c->file, c->line};
	if (parse_pair(id->val, &e->ven, &e->dev))
		return perr(c, id->vcol, "id: VVVV:DDDD in hex, '*' for any, not '%s'", id->val);
	e->sven = e->sdev = HCL_ANY;
	if ((sub = get(c, "sub")) && parse_pair(sub->val, &e->sven, &e->sdev))
		return perr(c, sub->vcol, "sub: SVVV:SDDD in hex, '*' for any, not '%s'", sub->val);
	if ((cls = get(c, "class")) && strcmp(cls->val, "*") != 0) {
		size_t n = strlen(cls->val);
		if ((n != 2 && n != 4 && n != 6) || parse_hex(cls->val, &e->class_code, (int)n))
			return perr(c, cls->vcol, "class: *, or 2, 4 or 6 hex digits, not '%s'", cls->val);
		e->class_digits = (int)n;
	}
	e->driver = str(c, "driver"), e->fw_min = str(c, "fw_min"), e->name = str(c, "name");
	e->source = str(c, "source");
	if (states(c, &e->states))
		return -1;
	if (e->states.n == 0)
		return perr(c, c->rec->kcol, "pci entry states no release%s", NULL);
	return leftovers(c);
}

static int rec_system(struct pctx *c)
{
	struct hcl_field *v, *p;
	if (need(c, "vendor", &v) || need(c, "product", &p) || need(c, "source", &(struct hcl_field *){0}))
		return -1;
	struct hcl_system *e = PUSH(c, systems);
	if (!e)
		return perr(c, 1, "out of memory%s", NULL);
	e->loc = (struct hcl_loc){c->file, c->line};
	e->vendor = hcl_intern(c->db, v->val), e->product = hcl_intern(c->db, p->val), e->source = str(c, "source");
	if (states(c, &e->states))
		return -1;
	return e->states.n ? leftovers(c) : perr(c, c->rec->kcol, "system entry states no release%s", NULL);
}

static int ladder_common(struct pctx *c, const char **id, const char **vendor, int *order)
{
	struct hcl_field *fid, *v, *o;
	if (need(c, "id", &fid) || need(c, "vendor", &v) || need(c, "order", &o) ||
	    need(c, "source", &(struct hcl_field *){0}))
		return -1;
	if (!vendor_ok(v->val))
		return perr(c, v->vcol, "unknown vendor '%s'", v->val);
	char *end;
	long n = strtol(o->val, &end, 10);
	if (*end || n < 1 || n > 10000)
		return perr(c, o->vcol, "order must be a positive integer, not '%s'", o->val);
	*id = hcl_intern(c->db, fid->val), *vendor = hcl_intern(c->db, v->val), *order = (int)n;
	return 0;
}

static int rec_baseline(struct pctx *c)
{
	struct hcl_baseline b = {0};
	struct hcl_field *adds;
	if (ladder_common(c, &b.id, &b.vendor, &b.order) || need(c, "adds", &adds))
		return -1;
	b.name = str(c, "name"), b.adds = hcl_intern(c->db, adds->val), b.source = str(c, "source");
	b.loc = (struct hcl_loc){c->file, c->line};
	struct hcl_baseline *e = PUSH(c, baselines);
	if (!e)
		return perr(c, 1, "out of memory%s", NULL);
	*e = b;
	return leftovers(c);
}

static int rec_cpumodel(struct pctx *c)
{
	struct hcl_cpumodel m = {0};
	struct hcl_field *ft;
	if (ladder_common(c, &m.id, &m.vendor, &m.order) || need(c, "features", &ft))
		return -1;
	m.features = hcl_intern(c->db, ft->val), m.source = str(c, "source");
	m.loc = (struct hcl_loc){c->file, c->line};
	get(c, "family"), get(c, "model"), get(c, "stepping"), get(c, "name"); /* informative */
	struct hcl_cpumodel *e = PUSH(c, cpumodels);
	if (!e)
		return perr(c, 1, "out of memory%s", NULL);
	*e = m;
	return leftovers(c);
}

static const struct {
	const char *kind;
	int (*fn)(struct pctx *);
} kinds[] = {{"release", rec_release}, {"require", rec_require},   {"cpu", rec_cpu},	      {"pci", rec_pci},
	     {"system", rec_system},   {"baseline", rec_baseline}, {"cpumodel", rec_cpumodel}};

static int schema_line(struct pctx *c, const char *line, int *seen)
{
	const char *p = line + strspn(line, " \t");
	if (strncmp(p, "schema", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
		return 0;
	p += 6 + strspn(p + 6, " \t");
	if (strcmp(p, "1") != 0 && strncmp(p, "1 ", 2) != 0 && strncmp(p, "1#", 2) != 0)
		return perr(c, (int)(p - line) + 1, "unsupported schema '%s' (this hvcert reads schema 1)", p);
	*seen = 1;
	return 1;
}

static int one_line(struct pctx *c, const char *line, int *schema_seen)
{
	int col;
	const char *why;
	int s = schema_line(c, line, schema_seen);
	if (s)
		return s < 0 ? -1 : 0;
	if (hcl_lex(line, c->rec, &col, &why))
		return perr(c, col, "%s", why);
	if (!c->rec->kind[0])
		return 0;
	if (!*schema_seen)
		return perr(c, 1, "the first record must be 'schema 1'%s", NULL);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, c->rec->kind) == 0)
			return kinds[i].fn(c);
	return perr(c, c->rec->kcol, "unknown record kind '%s'", c->rec->kind);
}

int hcl_load_file(struct hcl_db *db, const char *path, char *err, size_t errlen)
{
	struct pctx c = {db, hcl_intern(db, path), 0, NULL, err, errlen};
	FILE *f = sf_fopen(NULL, path, SF_CAP, err, errlen);
	if (!f)
		return -1;
	c.rec = malloc(sizeof(*c.rec));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = c.rec ? 0 : -1, schema = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		c.line++;
		if (memchr(line, '\0', (size_t)n))
			rc = perr(&c, 1, "NUL byte: not a text file%s", NULL);
		else if (n > 60000)
			rc = perr(&c, 1, "line longer than 60000 bytes%s", NULL);
		else {
			line[strcspn(line, "\r\n")] = '\0';
			rc = one_line(&c, line, &schema);
		}
	}
	if (rc == 0 && !schema)
		rc = perr(&c, 1, "no 'schema 1' record: not an HCL file%s", NULL);
	db->files++;
	free(line);
	free(c.rec);
	fclose(f);
	return rc;
}

static int hcl_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 4 && strcmp(e->d_name + n - 4, ".hcl") == 0;
}

int hcl_load_dir(struct hcl_db *db, const char *dir, char *err, size_t errlen)
{
	struct dirent **names;
	int n = scandir(dir, &names, hcl_name, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (rc == 0)
			rc = hcl_load_file(db, path, err, errlen);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && n == 0) {
		snprintf(err, errlen, "%s: no *.hcl files", dir);
		rc = -1;
	}
	return rc;
}
