/* hvcert compare A.json B.json [--threshold PCT] | --history DIR
 * Per workload and mode: the change of the median with a bootstrap 95%
 * interval and a Mann-Whitney p-value. A regression is a slowdown whose
 * whole interval lies beyond the threshold with p < 0.05; exit 1 when there
 * is one. */
#include "cli.h"
#include "harness.h"
#include "stats.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static size_t samples(json_t *r, double *out, size_t max)
{
	size_t i, n = 0;
	json_t *v;
	json_array_foreach (json_object_get(r, "cycles_per_iter"), i, v) {
		if (n < max && json_is_number(v))
			out[n++] = json_number_value(v);
	}
	return n;
}

static json_t *find(json_t *doc, json_t *like)
{
	size_t i;
	json_t *r;
	json_array_foreach (json_object_get(doc, "results"), i, r) {
		if (json_equal(json_object_get(r, "guest"), json_object_get(like, "guest")) &&
		    json_equal(json_object_get(r, "workload"), json_object_get(like, "workload")) &&
		    json_equal(json_object_get(r, "mode"), json_object_get(like, "mode")))
			return r;
	}
	return NULL;
}

static const char *label_of(json_t *d, const char *path)
{
	const char *l = json_string_value(json_object_get(d, "label"));
	return l ? l : path;
}

/* Prints the comparison; returns the number of regressions. */
static int compare(json_t *a, json_t *b, const char *na, const char *nb, double thr)
{
	size_t i;
	json_t *ra;
	int regressions = 0;
	printf("compare %s -> %s (threshold %.0f%%)\n", label_of(a, na), label_of(b, nb), thr * 100);
	printf("  %-10s %-14s %-9s %14s %14s %8s %19s %8s\n", "guest", "workload", "mode", "A cyc/iter", "B cyc/iter",
	       "change", "95% interval", "p");
	json_array_foreach (json_object_get(a, "results"), i, ra) {
		json_t *rb = find(b, ra);
		double xa[1000], xb[1000], lo, hi;
		if (!rb)
			continue;
		size_t n_a = samples(ra, xa, 1000), n_b = samples(rb, xb, 1000);
		struct summary sa, sb;
		stats_summary(xa, n_a, &sa);
		stats_summary(xb, n_b, &sb);
		stats_ratio_ci(xa, n_a, xb, n_b, 2000, 42, &lo, &hi);
		double p = stats_mann_whitney(xa, n_a, xb, n_b), ch = sa.median > 0 ? sb.median / sa.median - 1 : 0;
		/* Both tests must agree: with few repetitions a bootstrap interval of
		 * medians can be tighter than the data justify. */
		int slower = lo > 1 + thr && p < 0.05, faster = hi < 1 - thr && p < 0.05;
		const char *flag = slower ? "REGRESSION" : faster ? "improved" : "";
		regressions += slower;
		printf("  %-10s %-14s %-9s %14.1f %14.1f %+7.1f%% [%+6.1f%%, %+6.1f%%] %8.3g %s\n",
		       json_string_value(json_object_get(ra, "guest")),
		       json_string_value(json_object_get(ra, "workload")),
		       json_string_value(json_object_get(ra, "mode")), sa.median, sb.median, ch * 100, (lo - 1) * 100,
		       (hi - 1) * 100, p, flag);
	}
	printf("%d regression%s\n", regressions, regressions == 1 ? "" : "s");
	return regressions;
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

/* History: every result in DIR (name order), trend per workload, then the
 * newest against the one before it. */
static int history(const char *dir, double thr)
{
	struct dirent **names;
	int n = scandir(dir, &names, json_name, by_name), rc = EXIT_ERROR;
	json_t *docs[256];
	char paths[256][512], err[512];
	int nd = 0;
	for (int i = 0; i < n; i++) {
		if (nd < 256) {
			snprintf(paths[nd], sizeof(paths[0]), "%s/%s", dir, names[i]->d_name);
			docs[nd] = bench_load(paths[nd], err, sizeof(err));
			if (docs[nd])
				nd++;
			else
				fprintf(stderr, "hvcert compare: skipping %s\n", err);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	if (nd < 2) {
		fprintf(stderr, "hvcert compare: %s holds fewer than two valid results\n", dir);
	} else {
		printf("history of %d runs in %s:\n", nd, dir);
		size_t i;
		json_t *r;
		json_array_foreach (json_object_get(docs[nd - 1], "results"), i, r) {
			printf("  %-10s %-14s %-9s", json_string_value(json_object_get(r, "guest")),
			       json_string_value(json_object_get(r, "workload")),
			       json_string_value(json_object_get(r, "mode")));
			for (int k = 0; k < nd; k++) {
				json_t *x = find(docs[k], r);
				printf(" %10.1f", x ? json_number_value(json_object_get(x, "median")) : 0.0);
			}
			putchar('\n');
		}
		rc = compare(docs[nd - 2], docs[nd - 1], paths[nd - 2], paths[nd - 1], thr) ? EXIT_NOT_OK : EXIT_OK;
	}
	for (int k = 0; k < nd; k++)
		json_decref(docs[k]);
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
	if (hist)
		return history(hist, thr);
	if (nf != 2) {
		fprintf(stderr, "usage: hvcert compare A.json B.json [--threshold PCT] | --history DIR\n");
		return EXIT_ERROR;
	}
	char err[512];
	json_t *a = bench_load(files[0], err, sizeof(err)), *b = a ? bench_load(files[1], err, sizeof(err)) : NULL;
	int rc = EXIT_ERROR;
	if (!a || !b)
		fprintf(stderr, "hvcert compare: %s\n", err);
	else
		rc = compare(a, b, files[0], files[1], thr) ? EXIT_NOT_OK : EXIT_OK;
	json_decref(a);
	json_decref(b);
	return rc;
}
