/* hvcert compare A.json B.json [--threshold PCT] | --history DIR
 * Per workload and mode: the change of the median with a bootstrap 95%
 * interval and a Mann-Whitney p-value. A regression is a slowdown whose
 * whole interval lies beyond the threshold with p < 0.05; exit 1 when there
 * is one. A CI gate must not pass on nothing: a file without results or
 * with impossible samples, or a row only one run has, is exit 2. */
#include "cli/cli.h"
#include "common/escape.h"
#include "bench/harness.h"
#include "bench/stats.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A loaded results file and its rows by bench_row_key. */
struct run {
	json_t *doc, *rows;
	const char *path;
};

static int load(struct run *r, const char *path)
{
	char err[1024];
	size_t i;
	json_t *x;
	r->path = path;
	r->rows = NULL;
	if (!(r->doc = bench_load(path, err, sizeof(err)))) {
		cli_fail("compare", err);
		return -1;
	}
	if (json_array_size(json_object_get(r->doc, "results")) == 0) {
		fprintf(stderr, "hvcert compare: %s: no results: nothing to compare (was every mode unavailable?)\n",
			path);
		json_decref(r->doc);
		r->doc = NULL;
		return -1;
	}
	r->rows = json_object();
	json_array_foreach (json_object_get(r->doc, "results"), i, x) {
		char *k = bench_row_key(x);
		if (k)
			json_object_set(r->rows, k, x);
		free(k);
	}
	return 0;
}

static void unload(struct run *r)
{
	json_decref(r->doc);
	json_decref(r->rows);
	r->doc = r->rows = NULL;
}

static json_t *find(const struct run *r, json_t *like)
{
	char *k = bench_row_key(like);
	json_t *x = k ? json_object_get(r->rows, k) : NULL;
	free(k);
	return x;
}

/* bench_load guarantees 1..BENCH_MAX_SAMPLES positive numbers. */
static size_t samples(json_t *r, double *out)
{
	size_t i, n = 0;
	json_t *v;
	json_array_foreach (json_object_get(r, "cycles_per_iter"), i, v) {
		if (n < BENCH_MAX_SAMPLES)
			out[n++] = json_number_value(v);
	}
	return n;
}

static double median(json_t *r)
{
	double x[BENCH_MAX_SAMPLES];
	struct summary s;
	stats_summary(x, samples(r, x), &s);
	return s.median;
}

static const char *label_of(const struct run *r)
{
	const char *l = json_string_value(json_object_get(r->doc, "label"));
	return l ? l : r->path;
}

/* Why run r has no result for row x: what bench recorded about its mode
 * (unavailable with the mode's reason, not selected, runs that failed). */
static void why_absent(const struct run *r, json_t *x, char *out, size_t n)
{
	const char *g = json_string_value(json_object_get(x, "guest")),
		   *w = json_string_value(json_object_get(x, "workload")),
		   *m = json_string_value(json_object_get(x, "mode"));
	json_t *modes = json_object_get(r->doc, "modes"), *e, *mode = NULL;
	size_t i, failed = 0;
	json_array_foreach (modes, i, e)
		if (!mode && json_is_string(json_object_get(e, "name")) &&
		    !strcmp(json_string_value(json_object_get(e, "name")), m))
			mode = e;
	const char *reason = json_string_value(json_object_get(mode, "reason"));
	json_array_foreach (json_object_get(r->doc, "failures"), i, e) {
		const char *fg = json_string_value(json_object_get(e, "guest")),
			   *fw = json_string_value(json_object_get(e, "workload")),
			   *fm = json_string_value(json_object_get(e, "mode"));
		failed += fg && fm && !strcmp(fg, g) && !strcmp(fm, m) && (!fw || !strcmp(fw, w));
	}
	if (json_is_array(modes) && !mode)
		snprintf(out, n, "it did not run mode %s", m);
	else if (json_is_false(json_object_get(mode, "available")))
		snprintf(out, n, "mode %s was unavailable there: %s", m, reason ? reason : "no reason recorded");
	else if (failed)
		snprintf(out, n, "%zu run%s of %s under %s printed no result there", failed, failed == 1 ? "" : "s", g,
			 m);
	else
		snprintf(out, n, "it has no such result");
}

/* Lists on stderr each row of x that y lacks (the first LIST_MAX: each
 * explanation scans y's failures); returns how many. */
#define LIST_MAX 50
static int only_in(const struct run *x, const struct run *y)
{
	size_t i;
	json_t *r;
	int n = 0;
	json_array_foreach (json_object_get(x->doc, "results"), i, r) {
		char name[512], why[700];
		if (find(y, r) || ++n > LIST_MAX)
			continue;
		bench_row_name(r, name, sizeof(name));
		why_absent(y, r, why, sizeof(why));
		char msg[1800];
		snprintf(msg, sizeof(msg), "%s is in %s only, not in %s: %s", name, x->path, y->path, why);
		cli_fail("compare", msg);
	}
	if (n > LIST_MAX)
		fprintf(stderr, "hvcert compare: and %d more results in %s only\n", n - LIST_MAX, x->path);
	return n;
}

/* Prints one row's comparison; 1 if it is a regression. */
static int compare_row(json_t *ra, json_t *rb, double thr)
{
	double xa[BENCH_MAX_SAMPLES], xb[BENCH_MAX_SAMPLES], lo, hi;
	size_t n_a = samples(ra, xa), n_b = samples(rb, xb);
	struct summary sa, sb;
	stats_summary(xa, n_a, &sa);
	stats_summary(xb, n_b, &sb);
	stats_ratio_ci(xa, n_a, xb, n_b, 2000, 42, &lo, &hi);
	double p = stats_mann_whitney(xa, n_a, xb, n_b), ch = sb.median / sa.median - 1;
	/* Both tests must agree: with few repetitions a bootstrap interval of
	 * medians can be tighter than the data justify. */
	int slower = lo > 1 + thr && p < 0.05, faster = hi < 1 - thr && p < 0.05;
	char g[128], w[128], m[128];
	printf("  %-10s %-14s %-9s %14.1f %14.1f %+7.1f%% [%+6.1f%%, %+6.1f%%] %8.3g %s\n",
	       esc_term(g, sizeof(g), json_string_value(json_object_get(ra, "guest"))),
	       esc_term(w, sizeof(w), json_string_value(json_object_get(ra, "workload"))),
	       esc_term(m, sizeof(m), json_string_value(json_object_get(ra, "mode"))), sa.median, sb.median, ch * 100,
	       (lo - 1) * 100, (hi - 1) * 100, p,
	       slower	? "REGRESSION"
	       : faster ? "improved"
			: "");
	return slower;
}

/* Prints the comparison of the rows both runs have; the exit status. */
static int compare(const struct run *a, const struct run *b, double thr)
{
	size_t i;
	json_t *ra, *rb;
	int regressions = 0, missing = only_in(a, b) + only_in(b, a);
	char la[512], lb[512];
	printf("compare %s -> %s (threshold %.0f%%)\n", esc_term(la, sizeof(la), label_of(a)),
	       esc_term(lb, sizeof(lb), label_of(b)), thr * 100);
	printf("  %-10s %-14s %-9s %14s %14s %8s %19s %8s\n", "guest", "workload", "mode", "A cyc/iter", "B cyc/iter",
	       "change", "95% interval", "p");
	json_array_foreach (json_object_get(a->doc, "results"), i, ra)
		if ((rb = find(b, ra)))
			regressions += compare_row(ra, rb, thr);
	if (missing) {
		/* Not "0 regressions": a gate grepping for it must not pass. */
		printf("not comparable: %d result%s in one run only (listed on stderr); %d regression%s in the rest\n",
		       missing, missing == 1 ? "" : "s", regressions, regressions == 1 ? "" : "s");
		return EXIT_ERROR;
	}
	printf("%d regression%s\n", regressions, regressions == 1 ? "" : "s");
	return regressions ? EXIT_NOT_OK : EXIT_OK;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int json_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

/* The trend: each row of the newest run (last) with its median in every
 * run (NAN where a run lacks it). Older runs than the two loaded (prev,
 * last) are loaded one at a time. */
static int trend(const char *dir, char **paths, int n, const struct run *prev, const struct run *last, double *med)
{
	size_t j;
	json_t *r;
	for (int k = 0; k < n; k++) {
		struct run o;
		const struct run *x = k == n - 1 ? last : k == n - 2 ? prev : &o;
		if (x == &o && load(&o, paths[k]))
			return -1;
		json_array_foreach (json_object_get(last->doc, "results"), j, r) {
			json_t *y = find(x, r);
			med[j * (size_t)n + (size_t)k] = y ? median(y) : NAN;
		}
		if (x == &o)
			unload(&o);
	}
	printf("history of %d runs in %s:\n", n, dir);
	json_array_foreach (json_object_get(last->doc, "results"), j, r) {
		char g[128], w[128], m[128];
		printf("  %-10s %-14s %-9s", esc_term(g, sizeof(g), json_string_value(json_object_get(r, "guest"))),
		       esc_term(w, sizeof(w), json_string_value(json_object_get(r, "workload"))),
		       esc_term(m, sizeof(m), json_string_value(json_object_get(r, "mode"))));
		for (int k = 0; k < n; k++)
			isnan(med[j * (size_t)n + (size_t)k]) ? printf(" %10s", "-")
							      : printf(" %10.1f", med[j * (size_t)n + (size_t)k]);
		putchar('\n');
	}
	return 0;
}

/* History: every results file in DIR (name order), trend per row, then
 * the newest against the one before it. Every file must be sound. */
static int history(const char *dir, double thr)
{
	struct dirent **names;
	int n = scandir(dir, &names, json_name, by_name), rc = EXIT_ERROR;
	if (n < 0) {
		fprintf(stderr, "hvcert compare: %s: %s\n", dir, strerror(errno));
		return EXIT_ERROR;
	}
	char **paths = calloc((size_t)n + 1, sizeof(*paths));
	for (int i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
		if (paths && (paths[i] = malloc(len)))
			snprintf(paths[i], len, "%s/%s", dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	struct run a = {0}, b = {0};
	int ok = paths != NULL;
	for (int i = 0; ok && i < n; i++)
		ok = paths[i] != NULL;
	if (!ok)
		fprintf(stderr, "hvcert compare: %s: out of memory\n", dir);
	else if (n < 2)
		fprintf(stderr, "hvcert compare: %s holds %d results file%s (*.json): --history needs two\n", dir, n,
			n == 1 ? "" : "s");
	else if (load(&a, paths[n - 2]) == 0 && load(&b, paths[n - 1]) == 0) {
		size_t nr = json_array_size(json_object_get(b.doc, "results"));
		double *med = malloc(nr * (size_t)n * sizeof(*med));
		if (!med)
			fprintf(stderr, "hvcert compare: %s: out of memory\n", dir);
		else if (trend(dir, paths, n, &a, &b, med) == 0)
			rc = compare(&a, &b, thr);
		free(med);
	}
	unload(&a);
	unload(&b);
	for (int i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	double thr = 0.05;
	const char *files[2], *hist = NULL;
	int nf = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			if (cli_number("--threshold", argv[++i], 0, 1000, &thr))
				return EXIT_ERROR;
			thr /= 100.0;
		} else if (!strcmp(argv[i], "--history") && i + 1 < argc)
			hist = argv[++i];
		else if (argv[i][0] != '-' && nf < 2)
			files[nf++] = argv[i];
		else {
			fprintf(stderr, "usage: hvcert compare A.json B.json [--threshold PCT] | --history DIR\n");
			return EXIT_ERROR;
		}
	}
	if (hist && !nf)
		return history(hist, thr);
	if (hist || nf != 2) {
		fprintf(stderr, "usage: hvcert compare A.json B.json [--threshold PCT] | --history DIR\n");
		return EXIT_ERROR;
	}
	struct run a = {0}, b = {0};
	int rc = EXIT_ERROR;
	if (load(&a, files[0]) == 0 && load(&b, files[1]) == 0)
		rc = compare(&a, &b, thr);
	unload(&a);
	unload(&b);
	return rc;
}
