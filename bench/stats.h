/* Statistics for repeated measurements. Pure functions; deterministic
 * (the bootstrap uses its own seeded generator). */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H
#include <stddef.h>

struct summary {
	size_t n;
	double median, min, max, q1, q3;
	double spread; /* (q3 - q1) / median: relative interquartile range */
};

/* Sorts a copy; n >= 1. */
void stats_summary(const double *x, size_t n, struct summary *out);
double stats_quantile(const double *sorted, size_t n, double q);
/* Bootstrap 95% interval of median(b)/median(a) (iters resamples, seeded). */
void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, unsigned iters, unsigned long seed,
		    double *lo, double *hi);
/* Two-sided Mann-Whitney U test (normal approximation with tie correction):
 * the p-value that a and b come from the same distribution. */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb);
/* Bootstrap 95% interval of the geometric mean over k workloads of
 * median(b_j)/median(a_j): each resample redraws every workload's samples. */
struct sample_pair {
	const double *a, *b;
	size_t na, nb;
};
void stats_geomean_ratio_ci(const struct sample_pair *w, size_t k, unsigned iters, unsigned long seed, double *lo,
			    double *hi);
/* Geometric mean of positive values; 0 if any is not positive. */
double stats_geomean(const double *x, size_t n);
#endif
