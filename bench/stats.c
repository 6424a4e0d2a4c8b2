#include "bench/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double stats_quantile(const double *s, size_t n, double q)
{
	if (n == 0)
		return 0;
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;
	double frac = pos - (double)i;
	return i + 1 < n ? s[i] + frac * (s[i + 1] - s[i]) : s[n - 1];
}

void stats_summary(const double *x, size_t n, struct summary *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->n = n;
	out->min = s[0], out->max = s[n - 1];
	out->median = stats_quantile(s, n, 0.5);
	out->q1 = stats_quantile(s, n, 0.25), out->q3 = stats_quantile(s, n, 0.75);
	out->spread = out->median != 0 ? (out->q3 - out->q1) / out->median : 0;
	free(s);
}

static unsigned long next(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static double resampled_median(const double *x, size_t n, double *buf, unsigned long *seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[next(seed) % n];
	qsort(buf, n, sizeof(*buf), cmp_double);
	return stats_quantile(buf, n, 0.5);
}

void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, unsigned iters, unsigned long seed,
		    double *lo, double *hi)
{
	double *ratios = malloc(iters * sizeof(double)), *buf = malloc((na > nb ? na : nb) * sizeof(double));
	*lo = *hi = 0;
	if (!ratios || !buf || !na || !nb || !iters) {
		free(ratios), free(buf);
		return;
	}
	unsigned k = 0;
	for (unsigned i = 0; i < iters; i++) {
		double ma = resampled_median(a, na, buf, &seed), mb = resampled_median(b, nb, buf, &seed);
		if (ma > 0)
			ratios[k++] = mb / ma;
	}
	qsort(ratios, k, sizeof(double), cmp_double);
	*lo = stats_quantile(ratios, k, 0.025);
	*hi = stats_quantile(ratios, k, 0.975);
	free(ratios), free(buf);
}

void stats_geomean_ratio_ci(const struct sample_pair *w, size_t k, unsigned iters, unsigned long seed, double *lo,
			    double *hi)
{
	size_t nmax = 1;
	for (size_t j = 0; j < k; j++)
		nmax = w[j].na > nmax ? w[j].na : w[j].nb > nmax ? w[j].nb : nmax;
	double *g = malloc(iters * sizeof(double)), *buf = malloc(nmax * sizeof(double));
	*lo = *hi = 0;
	if (!g || !buf || !k || !iters) {
		free(g), free(buf);
		return;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < iters; i++) {
		double logsum = 0;
		int ok = 1;
		for (size_t j = 0; j < k && ok; j++) {
			double ma = w[j].na ? resampled_median(w[j].a, w[j].na, buf, &seed) : 0;
			double mb = w[j].nb ? resampled_median(w[j].b, w[j].nb, buf, &seed) : 0;
			ok = ma > 0 && mb > 0;
			logsum += ok ? log(mb / ma) : 0;
		}
		if (ok)
			g[n++] = exp(logsum / (double)k);
	}
	qsort(g, n, sizeof(double), cmp_double);
	*lo = stats_quantile(g, n, 0.025);
	*hi = stats_quantile(g, n, 0.975);
	free(g), free(buf);
}

struct ranked {
	double v;
	int group;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct ranked *r = malloc(n * sizeof(*r));
	if (!r || !na || !nb) {
		free(r);
		return 1.0;
	}
	for (size_t i = 0; i < na; i++)
		r[i] = (struct ranked){a[i], 0};
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct ranked){b[i], 1};
	qsort(r, n, sizeof(*r), cmp_ranked);
	double rank_a = 0, tie_term = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && r[j].v == r[i].v)
			j++;
		double avg = (double)(i + j + 1) / 2.0, t = (double)(j - i); /* ranks i+1..j */
		for (size_t k = i; k < j; k++)
			if (r[k].group == 0)
				rank_a += avg;
		tie_term += t * t * t - t;
		i = j;
	}
	free(r);
	double u = rank_a - (double)na * (double)(na + 1) / 2.0, mu = (double)na * (double)nb / 2.0;
	double var = (double)na * (double)nb / 12.0 * ((double)(n + 1) - tie_term / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return 1.0;
	double z = (fabs(u - mu) - 0.5) / sqrt(var); /* continuity correction */
	if (z < 0)
		z = 0;
	return erfc(z / sqrt(2.0));
}

double stats_geomean(const double *x, size_t n)
{
	double s = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] <= 0)
			return 0;
		s += log(x[i]);
	}
	return exp(s / (double)n);
}
