/* Comparing bench runs (versions, commits): per (guest, workload, mode)
 * the change of the median with a bootstrap 95% interval and a
 * Mann-Whitney p-value. A regression is a slowdown whose whole interval
 * lies beyond the threshold with p < 0.05. A gate must not pass on
 * nothing, so a row only one run has is recorded with why the other lacks
 * it (docs/bench-json.md). reports/compare_text.c prints the result. */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H
#include "bench/results.h"

struct bench_row_cmp {
	const struct bench_row *a, *b;
	double median_a, median_b, change; /* change: median_b / median_a - 1 */
	double lo, hi;			   /* 95% interval of the ratio of medians */
	double p;			   /* Mann-Whitney p-value */
	int regression, improved;
};

/* A row of one run that the other lacks, and why (what that run recorded). */
struct bench_missing {
	const struct bench_row *row;
	const struct bench_results *in, *not_in;
	char why[700];
};

/* Missing rows explained per direction (each explanation scans the other
 * run's failures); beyond, only counted. */
#define BENCH_MISSING_LISTED 50

struct bench_comparison {
	const struct bench_results *a, *b;
	double threshold;
	struct bench_row_cmp *rows; /* rows both runs have, in a's order */
	size_t n;
	struct bench_missing *missing; /* a's rows b lacks, then b's rows a lacks */
	size_t nmissing;
	size_t only_a, only_b; /* all of them, listed or not */
	int regressions;
};

/* Loads a run to compare: bench_results_load, and at least one result
 * (a run where every mode was unavailable measured nothing). */
int bench_compare_load(struct bench_results *r, const char *path, char *err, size_t errlen);
/* 0, or -1 (out of memory) with err. */
int bench_compare(const struct bench_results *a, const struct bench_results *b, double threshold,
		  struct bench_comparison *out, char *err, size_t errlen);
void bench_comparison_free(struct bench_comparison *c);

/* Every results file of a directory (*.json, name order): the medians of
 * the newest run's rows in each run (NAN where a run lacks one), and the
 * last two runs loaded for bench_compare. */
struct bench_history {
	const char *dir;
	char **paths;
	int n;
	struct bench_results prev, last;
	double *median; /* median[row * n + run] for the rows of last */
};
/* 0, or -1 with err: a directory that cannot be read, fewer than two
 * files, or any file that is not sound. */
int bench_history_load(struct bench_history *h, const char *dir, char *err, size_t errlen);
void bench_history_free(struct bench_history *h);
#endif
