/* Statistics on known distributions, and result-file validation. */
#include "bench/harness.h"
#include "bench/results.h"
#include "bench/stats.h"
#include "tests/unit/check.h"

#include <math.h>
#include <string.h>

static void summaries(const char *arg)
{
	double x[] = {9, 1, 8, 2, 7, 3, 6, 4, 5};
	struct summary s;
	(void)arg;
	stats_summary(x, 9, &s);
	CHECK(s.median == 5 && s.min == 1 && s.max == 9, "median %g min %g max %g", s.median, s.min, s.max);
	CHECK(s.q1 == 3 && s.q3 == 7 && fabs(s.spread - 0.8) < 1e-12, "quartiles %g %g spread %g", s.q1, s.q3,
	      s.spread);
	double even[] = {4, 1, 3, 2};
	stats_summary(even, 4, &s);
	CHECK(s.median == 2.5, "even count interpolates: %g", s.median);
	double g[] = {1, 4, 16};
	CHECK(fabs(stats_geomean(g, 3) - 4) < 1e-12, "geomean of 1,4,16 is 4");
	CHECK(stats_geomean((double[]){2, 0}, 2) == 0, "a non-positive value gives 0");
}

/* The numbers the issue gave: crc32 under PVM-emulated "kvm" 470,989,311 cycles
 * against 350,803 native (1343x), TCG about 1.0M. */
static void suspects(const char *arg)
{
	char why[200];
	(void)arg;
	const char *w = bench_suspect("kvm", 470989311, 350803, 1015643, why, sizeof(why));
	CHECK(w && strstr(w, "1343x native"), "1343x native not suspect: %s", w ? w : "(null)");
	w = bench_suspect("qemu-kvm", 30 * 350803., 350803, 20 * 350803., why, sizeof(why));
	CHECK(w && strstr(w, "slower than QEMU TCG"), "30x native but slower than TCG's 20x: %s", w ? w : "(null)");
	CHECK(!bench_suspect("kvm", 1.05 * 350803, 350803, 1015643, why, sizeof(why)), "5%% over native is plausible");
	CHECK(!bench_suspect("kvm+pv", 900, 0, 0, why, sizeof(why)), "no native and no TCG twin: nothing to judge by");
	CHECK(!bench_suspect("bt", 60 * 350803., 350803, 1015643, why, sizeof(why)),
	      "bt is not hardware-assisted: never suspect for being slow");
	CHECK(!bench_suspect("qemu-tcg", 60 * 350803., 350803, 0, why, sizeof(why)), "TCG is the reference");
}

/* Two workloads, each exactly 2x and 8x slower: the geomean is 4 and a
 * resample of constant samples cannot move it. */
static void geomean_interval(const char *arg)
{
	double a[] = {10, 10, 10, 10}, b1[] = {20, 20, 20, 20}, b2[] = {80, 80, 80, 80}, lo, hi;
	(void)arg;
	struct sample_pair w[] = {{a, b1, 4, 4}, {a, b2, 4, 4}};
	stats_geomean_ratio_ci(w, 2, 500, 7, &lo, &hi);
	CHECK(fabs(lo - 4) < 1e-9 && fabs(hi - 4) < 1e-9, "constant 2x and 8x: [%g, %g], want [4, 4]", lo, hi);
	double n1[] = {9, 10, 11, 10, 10}, s1[] = {18, 20, 22, 20, 21};
	struct sample_pair v[] = {{n1, s1, 5, 5}};
	stats_geomean_ratio_ci(v, 1, 2000, 7, &lo, &hi);
	CHECK(lo < 2.0 && hi > 2.0 && lo > 1.5 && hi < 2.6, "noisy 2x: [%g, %g] should hold 2", lo, hi);
}

static void bootstrap(const char *arg)
{
	double a[] = {100, 100, 100, 100, 100}, b[] = {150, 150, 150, 150, 150}, lo, hi;
	(void)arg;
	stats_ratio_ci(a, 5, b, 5, 1000, 1, &lo, &hi);
	CHECK(lo == 1.5 && hi == 1.5, "constant samples: exact ratio (%g, %g)", lo, hi);
	/* Noisy but clearly 2x: the interval must contain 2 and exclude 1. */
	double c[] = {95, 100, 105, 98, 102, 101, 99, 97, 103, 100}, d[10];
	for (int i = 0; i < 10; i++)
		d[i] = 2 * c[(i * 7) % 10];
	stats_ratio_ci(c, 10, d, 10, 2000, 7, &lo, &hi);
	CHECK(lo <= 2 && hi >= 2 && lo > 1.5, "2x interval (%g, %g)", lo, hi);
	double lo2, hi2;
	stats_ratio_ci(c, 10, d, 10, 2000, 7, &lo2, &hi2);
	CHECK(lo == lo2 && hi == hi2, "deterministic for a seed");
}

static void mann_whitney(const char *arg)
{
	double a[] = {1, 2, 3, 4, 5, 6, 7, 8}, b[] = {11, 12, 13, 14, 15, 16, 17, 18};
	(void)arg;
	double p = stats_mann_whitney(a, 8, b, 8);
	/* Complete separation of 8 vs 8: exact two-sided p = 2/12870 = 0.000155;
	 * the normal approximation with continuity correction gives ~0.00104. */
	CHECK(p < 0.002, "separated samples p=%g", p);
	CHECK(stats_mann_whitney(a, 8, a, 8) > 0.9, "identical samples p=%g", stats_mann_whitney(a, 8, a, 8));
	double t1[] = {1, 1, 1, 1}, t2[] = {1, 1, 1, 1};
	CHECK(stats_mann_whitney(t1, 4, t2, 4) == 1.0, "all ties: no evidence");
}

static const char *write_tmp(const char *name, const char *content)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
	FILE *f = fopen(path, "w");
	if (f)
		fputs(content, f), fclose(f);
	return path;
}

static void result_files(const char *arg)
{
	static const struct {
		const char *name, *content, *want;
	} cases[] = {
	    {"garbage.json", "{\"schema\": ", ":1:"},
	    {"other.json", "{\"schema\": \"hvcert-probe/1\"}", "not an hvcert bench result"},
	    {"old.json", "{\"schema\": \"hvcert-bench/0\", \"results\": []}", "another hvcert version"},
	    {"noresults.json", "{\"schema\": \"hvcert-bench/1\"}", "no results array"},
	    {"nosamples.json",
	     "{\"schema\": \"hvcert-bench/1\", \"results\": [{\"guest\": \"compute\", \"workload\": \"crc32\", "
	     "\"mode\": \"native\", \"cycles_per_iter\": []}]}",
	     "(compute, crc32, native): no samples"},
	};
	char err[512];
	(void)arg;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = write_tmp(cases[i].name, cases[i].content);
		struct bench_results r;
		int rc = bench_results_load(&r, p, err, sizeof(err));
		CHECK(rc && strstr(err, cases[i].name) && strstr(err, cases[i].want), "%s: \"%s\"", cases[i].name, err);
		if (!rc)
			bench_results_free(&r);
	}
	struct bench_results ok;
	int rc = bench_results_load(
	    &ok,
	    write_tmp("ok.json", "{\"schema\": \"hvcert-bench/1\", \"results\": [{\"guest\": \"compute\", "
				 "\"workload\": \"crc32\", \"mode\": \"native\", \"cycles_per_iter\": [1.5]}]}"),
	    err, sizeof(err));
	CHECK(rc == 0 && ok.n == 1 && ok.rows[0].n == 1 && ok.rows[0].v[0] == 1.5 &&
		  bench_results_find(&ok, "compute", "crc32", "native") == &ok.rows[0] &&
		  !bench_results_find(&ok, "compute", "crc32", "bt"),
	      "valid file refused or misread: %s", err);
	if (rc == 0)
		bench_results_free(&ok);
}

void suite_stats(void)
{
	run_case("stats", "summary", summaries, NULL);
	run_case("stats", "implausible hardware-assisted figures are suspect", suspects, NULL);
	run_case("stats", "bootstrap ratio interval", bootstrap, NULL);
	run_case("stats", "geometric-mean interval", geomean_interval, NULL);
	run_case("stats", "mann-whitney", mann_whitney, NULL);
	run_case("stats", "result file validation", result_files, NULL);
}
