#include "bench/compare.h"
#include "bench/stats.h"

#include "common/dirlist.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_compare_load(struct bench_results *r, const char *path, char *err, size_t errlen)
{
	if (bench_results_load(r, path, err, errlen))
		return -1;
	if (r->n == 0) {
		snprintf(err, errlen, "%s: no results: nothing to compare (was every mode unavailable?)", path);
		bench_results_free(r);
		return -1;
	}
	return 0;
}

/* The median of a row's samples (not the figure the file records: that
 * could be anything). */
static double median_of(const struct bench_row *r)
{
	struct summary s;
	stats_summary(r->v, r->n, &s);
	return s.median;
}

static void compare_row(const struct bench_row *ra, const struct bench_row *rb, double thr, struct bench_row_cmp *c)
{
	c->a = ra, c->b = rb;
	c->median_a = median_of(ra), c->median_b = median_of(rb);
	stats_ratio_ci(ra->v, ra->n, rb->v, rb->n, 2000, 42, &c->lo, &c->hi);
	c->p = stats_mann_whitney(ra->v, ra->n, rb->v, rb->n);
	c->change = c->median_b / c->median_a - 1;
	/* Both tests must agree: with few repetitions a bootstrap interval of
	 * medians can be tighter than the data justify. */
	c->regression = c->lo > 1 + thr && c->p < 0.05;
	c->improved = c->hi < 1 - thr && c->p < 0.05;
}

/* Why run r has no result for row x: what bench recorded about its mode
 * (unavailable with the mode's reason, not selected, runs that failed). */
static void why_absent(const struct bench_results *r, const struct bench_row *x, char *out, size_t n)
{
	json_t *mode = bench_results_mode(r, x->mode);
	const char *reason = json_string_value(json_object_get(mode, "reason"));
	size_t failed = bench_results_failures(r, x->guest, x->workload, x->mode);
	if (json_is_array(json_object_get(r->doc, "modes")) && !mode)
		snprintf(out, n, "it did not run mode %s", x->mode);
	else if (json_is_false(json_object_get(mode, "available")))
		snprintf(out, n, "mode %s was unavailable there: %s", x->mode, reason ? reason : "no reason recorded");
	else if (failed)
		snprintf(out, n, "%zu run%s of %s under %s printed no result there", failed, failed == 1 ? "" : "s",
			 x->guest, x->mode);
	else
		snprintf(out, n, "it has no such result");
}

/* Rows of x that y lacks: all counted, the first BENCH_MISSING_LISTED kept. */
static size_t only_in(const struct bench_results *x, const struct bench_results *y, struct bench_comparison *c)
{
	size_t count = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct bench_row *r = &x->rows[i];
		if (bench_results_find(y, r->guest, r->workload, r->mode) || ++count > BENCH_MISSING_LISTED)
			continue;
		struct bench_missing *m = &c->missing[c->nmissing++];
		m->row = r, m->in = x, m->not_in = y;
		why_absent(y, r, m->why, sizeof(m->why));
	}
	return count;
}

int bench_compare(const struct bench_results *a, const struct bench_results *b, double threshold,
		  struct bench_comparison *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->a = a, c->b = b, c->threshold = threshold;
	c->rows = calloc(a->n + 1, sizeof(*c->rows));
	c->missing = calloc(2 * BENCH_MISSING_LISTED, sizeof(*c->missing));
	if (!c->rows || !c->missing) {
		snprintf(err, errlen, "out of memory comparing %s and %s", a->path, b->path);
		bench_comparison_free(c);
		return -1;
	}
	c->only_a = only_in(a, b, c);
	c->only_b = only_in(b, a, c);
	for (size_t i = 0; i < a->n; i++) {
		const struct bench_row *ra = &a->rows[i],
				       *rb = bench_results_find(b, ra->guest, ra->workload, ra->mode);
		if (!rb)
			continue;
		compare_row(ra, rb, threshold, &c->rows[c->n]);
		c->regressions += c->rows[c->n++].regression;
	}
	return 0;
}

void bench_comparison_free(struct bench_comparison *c)
{
	free(c->rows);
	free(c->missing);
	memset(c, 0, sizeof(*c));
}

/* h->paths: DIR/NAME of every *.json in name order; every one of them is
 * a run, so a FIFO or a directory named so is listed (and refused). */
static int list_runs(struct bench_history *h, const char *dir, char *err, size_t errlen)
{
	size_t n;
	if (dirlist(dir, ".json", 0, &h->paths, &n, err, errlen))
		return -1;
	h->n = n > (size_t)INT_MAX ? INT_MAX : (int)n;
	if (n > (size_t)INT_MAX) {
		snprintf(err, errlen, "%s holds too many results files", dir);
		return -1;
	}
	if (n < 2)
		snprintf(err, errlen, "%s holds %zu results file%s (*.json): --history needs two", dir, n,
			 n == 1 ? "" : "s");
	return n >= 2 ? 0 : -1;
}

/* Medians of last's rows in run k; runs older than the two kept are
 * loaded one at a time. */
static int medians_of_run(struct bench_history *h, int k, char *err, size_t errlen)
{
	struct bench_results o;
	const struct bench_results *x = k == h->n - 1 ? &h->last : k == h->n - 2 ? &h->prev : &o;
	if (x == &o && bench_compare_load(&o, h->paths[k], err, errlen))
		return -1;
	for (size_t j = 0; j < h->last.n; j++) {
		const struct bench_row *r = &h->last.rows[j],
				       *y = bench_results_find(x, r->guest, r->workload, r->mode);
		h->median[j * (size_t)h->n + (size_t)k] = y ? median_of(y) : NAN;
	}
	if (x == &o)
		bench_results_free(&o);
	return 0;
}

int bench_history_load(struct bench_history *h, const char *dir, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	h->dir = dir;
	if (list_runs(h, dir, err, errlen) || bench_compare_load(&h->prev, h->paths[h->n - 2], err, errlen) ||
	    bench_compare_load(&h->last, h->paths[h->n - 1], err, errlen))
		goto free_history;
	h->median = malloc((h->last.n * (size_t)h->n + 1) * sizeof(*h->median));
	if (!h->median) {
		snprintf(err, errlen, "%s: out of memory", dir);
		goto free_history;
	}
	for (int k = 0; k < h->n; k++)
		if (medians_of_run(h, k, err, errlen))
			goto free_history;
	return 0;
free_history:
	bench_history_free(h);
	return -1;
}

void bench_history_free(struct bench_history *h)
{
	bench_results_free(&h->prev);
	bench_results_free(&h->last);
	dirlist_free(h->paths, (size_t)h->n);
	free(h->median);
	memset(h, 0, sizeof(*h));
}
