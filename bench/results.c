/* The results file: rows to JSON and back, validation, lookups. */
#include "bench/results.h"
#include "bench/stats.h"
#include "common/safefile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *array_of(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; v && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

json_t *bench_row_json(const struct bench_row *r)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:o,s:o,s:f,s:f,s:f,s:o}", "guest", r->guest, "workload",
			      r->workload, "mode", r->mode, "iters", (json_int_t)r->iters, "checksum", r->checksum,
			      "cycles_per_iter", array_of(r->v, r->n), "wall_ms", array_of(r->wall, r->n), "median",
			      r->median, "min", r->min, "spread", r->spread, "overhead_vs_native",
			      r->overhead > 0 ? json_real(r->overhead) : json_null());
	/* A run is only a measurement if it computed the right thing. */
	json_object_set_new(o, "matches_native", r->matches_native < 0 ? json_null() : json_boolean(r->matches_native));
	json_object_set_new(o, "suspect", r->suspect ? json_string(r->suspect) : json_null());
	return o;
}

void bench_row_name(const struct bench_row *r, char *out, size_t n)
{
	snprintf(out, n, "(%s, %s, %s)", r->guest, r->workload, r->mode);
}

/* Unambiguous whatever the strings hold: lengths first, so "a b" + "c"
 * and "a" + "b c" stay two keys. Caller frees. */
static char *row_key(const char *g, const char *w, const char *m)
{
	size_t n = strlen(g) + strlen(w) + strlen(m) + 48;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%zu:%s%zu:%s%s", strlen(g), g, strlen(w), w, m);
	return k;
}

static const char *str_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static double num_of(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* What is wrong with samples of one row, or NULL: each must be a finite
 * positive number of cycles per iteration. */
static const char *bad_samples(json_t *s, char *why, size_t n)
{
	size_t i;
	json_t *v;
	if (!json_is_array(s))
		return "cycles_per_iter is not a list of samples";
	if (json_array_size(s) == 0)
		return "no samples (cycles_per_iter is empty)";
	if (json_array_size(s) > BENCH_MAX_SAMPLES) {
		snprintf(why, n, "more than %d samples (bench runs at most %d repetitions)", BENCH_MAX_SAMPLES,
			 BENCH_MAX_SAMPLES);
		return why;
	}
	json_array_foreach (s, i, v) {
		double x = json_number_value(v);
		if (!json_is_number(v))
			snprintf(why, n, "sample %zu is not a number", i + 1);
		else if (!isfinite(x) || x <= 0)
			snprintf(why, n, "sample %zu is %g: cycles per iteration are positive", i + 1, x);
		else
			continue;
		return why;
	}
	return NULL;
}

/* Result i of the file as a row; -1 with err when it lacks a name,
 * repeats a row or has implausible samples. */
static int read_row(struct bench_results *r, size_t i, json_t *o, char *err, size_t errlen)
{
	struct bench_row *w = &r->rows[i];
	const char *g = json_string_value(json_object_get(o, "guest")),
		   *wl = json_string_value(json_object_get(o, "workload")),
		   *m = json_string_value(json_object_get(o, "mode"));
	char name[512], why[160];
	const char *bad = NULL;
	if (!g || !wl || !m || !*g || !*wl || !*m) {
		snprintf(err, errlen, "%s: result %zu lacks a guest, workload or mode name", r->path, i + 1);
		return -1;
	}
	*w = (struct bench_row){.guest = g, .workload = wl, .mode = m, .checksum = str_of(o, "checksum")};
	bench_row_name(w, name, sizeof(name));
	char *key = row_key(g, wl, m);
	json_t *dup = key ? json_object_get(r->index, key) : NULL;
	if (!key)
		snprintf(err, errlen, "%s: out of memory", r->path);
	else if (dup)
		snprintf(err, errlen, "%s: result %zu %s repeats result %lld", r->path, i + 1, name,
			 (long long)json_integer_value(dup));
	else if ((bad = bad_samples(json_object_get(o, "cycles_per_iter"), why, sizeof(why))))
		snprintf(err, errlen, "%s: result %zu %s: %s", r->path, i + 1, name, bad);
	else
		json_object_set_new(r->index, key, json_integer((json_int_t)i + 1));
	free(key);
	if (!key || dup || bad)
		return -1;
	json_t *s = json_object_get(o, "cycles_per_iter"), *v, *it = json_object_get(o, "iters"),
	       *mn = json_object_get(o, "matches_native");
	double *x = malloc(json_array_size(s) * sizeof(*x));
	size_t k;
	if (!x) {
		snprintf(err, errlen, "%s: out of memory", r->path);
		return -1;
	}
	json_array_foreach (s, k, v)
		x[k] = json_number_value(v);
	w->v = x, w->n = json_array_size(s);
	w->iters = json_is_integer(it) ? (long long)json_integer_value(it) : 0;
	w->median = num_of(o, "median"), w->min = num_of(o, "min"), w->spread = num_of(o, "spread");
	w->overhead = num_of(o, "overhead_vs_native");
	w->matches_native = json_is_boolean(mn) ? json_is_true(mn) : -1;
	w->suspect = json_string_value(json_object_get(o, "suspect"));
	return 0;
}

static int read_rows(struct bench_results *r, json_t *res, char *err, size_t errlen)
{
	size_t i;
	json_t *o;
	if (json_array_size(res) > BENCH_MAX_RESULTS) {
		snprintf(err, errlen, "%s: more than %d results: not a file hvcert bench wrote", r->path,
			 BENCH_MAX_RESULTS);
		return -1;
	}
	r->index = json_object();
	r->rows = calloc(json_array_size(res) + 1, sizeof(*r->rows));
	if (!r->index || !r->rows) {
		snprintf(err, errlen, "%s: out of memory", r->path);
		return -1;
	}
	json_array_foreach (res, i, o) {
		if (read_row(r, i, o, err, errlen))
			return -1;
		r->n++;
	}
	return 0;
}

static json_t *load_json(const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	json_error_t je;
	if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen))
		return NULL;
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!d)
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	return d;
}

int bench_results_load(struct bench_results *r, const char *path, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	if (!(r->doc = load_json(path, err, errlen)))
		return -1;
	const char *schema = json_string_value(json_object_get(r->doc, "schema"));
	json_t *res = json_object_get(r->doc, "results");
	const char *why = !schema				 ? "no schema field: not an hvcert bench result"
			  : strncmp(schema, "hvcert-bench/", 13) ? "not an hvcert bench result"
			  : strcmp(schema, BENCH_SCHEMA)
			      ? "result schema from another hvcert version (this one reads " BENCH_SCHEMA ")"
			  : !json_is_array(res) ? "no results array"
						: NULL;
	if (why)
		snprintf(err, errlen, "%s: %s", path, why);
	if (why || read_rows(r, res, err, errlen)) {
		bench_results_free(r);
		return -1;
	}
	return 0;
}

void bench_results_free(struct bench_results *r)
{
	for (size_t i = 0; r->rows && i < r->n; i++)
		free((void *)r->rows[i].v);
	free(r->rows);
	json_decref(r->index);
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

const struct bench_row *bench_results_find(const struct bench_results *r, const char *guest, const char *workload,
					   const char *mode)
{
	char *k = row_key(guest, workload, mode);
	json_t *i = k ? json_object_get(r->index, k) : NULL;
	free(k);
	return i ? &r->rows[json_integer_value(i) - 1] : NULL;
}

const char *bench_results_label(const struct bench_results *r)
{
	const char *l = json_string_value(json_object_get(r->doc, "label"));
	return l ? l : r->path;
}

json_t *bench_results_mode(const struct bench_results *r, const char *mode)
{
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(r->doc, "modes"), i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		if (n && !strcmp(n, mode))
			return e;
	}
	return NULL;
}

size_t bench_results_failures(const struct bench_results *r, const char *guest, const char *workload, const char *mode)
{
	size_t i, n = 0;
	json_t *e;
	json_array_foreach (json_object_get(r->doc, "failures"), i, e) {
		const char *fg = json_string_value(json_object_get(e, "guest")),
			   *fw = json_string_value(json_object_get(e, "workload")),
			   *fm = json_string_value(json_object_get(e, "mode"));
		n += fg && fm && !strcmp(fg, guest) && !strcmp(fm, mode) && (!fw || !strcmp(fw, workload));
	}
	return n;
}

/* At most this many runs of one row are counted (bench's --reps is
 * larger, but a row's counters settle long before). */
#define COUNTER_RUNS 64

double bench_results_counter(const struct bench_results *r, const char *guest, const char *workload, const char *mode,
			     const char *key)
{
	double v[COUNTER_RUNS];
	size_t n = 0, i;
	json_t *c;
	json_array_foreach (json_object_get(r->doc, "vmm_counters"), i, c) {
		if (strcmp(str_of(c, "guest"), guest) || strcmp(str_of(c, "workload"), workload) ||
		    strcmp(str_of(c, "mode"), mode) || n == COUNTER_RUNS)
			continue;
		json_t *x = json_object_get(json_object_get(c, "counters"), key);
		v[n++] = json_is_integer(x) ? (double)json_integer_value(x) : 0;
	}
	if (!n)
		return -1;
	struct summary s;
	stats_summary(v, n, &s);
	return s.median;
}

int bench_results_save(json_t *doc, struct sf_out *o, char *err, size_t errlen)
{
	if (json_dumpf(doc, o->f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) || fputc('\n', o->f) == EOF) {
		snprintf(err, errlen, "%s: write failed: %s", o->path, strerror(errno));
		sf_abort(o);
		return -1;
	}
	return sf_commit(o, err, errlen);
}
