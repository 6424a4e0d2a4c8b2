/* What a run says each technique costs, computed once for every renderer:
 * the compute overhead as a geometric mean with its bootstrap interval, the
 * operations a technique pays most for, and what it paid per operation
 * (vmm-mini's counters of a run of that operation alone, minus the baseline
 * run: bench/modes.c runs nanobench one operation per process). */
#ifndef BENCH_OVERHEAD_H
#define BENCH_OVERHEAD_H
#include "bench/results.h"

/* The techniques: bench_modes but native and the +pv twins, in its order
 * (the three techniques, then the hardware-assisted ones). */
#define BENCH_MAX_TECHNIQUES 16
size_t bench_techniques_of(const char **out);
/* Whether the run has a result of guest under mode. */
int bench_has_mode(const struct bench_results *r, const char *guest, const char *mode);

struct bench_overhead {
	int k;		    /* workloads in the mean */
	double geo, lo, hi; /* geometric mean of median ratios to native, 95% interval */
	int suspect;	    /* a workload's figure is suspect: not the technique's cost */
};
/* Over the compute workloads that have a native row (at most 16). */
void bench_compute_overhead(const struct bench_results *r, const char *mode, struct bench_overhead *o);
/* Geometric mean of the overheads a guest's rows under mode record; 0 if none. */
double bench_recorded_overhead(const struct bench_results *r, const char *guest, const char *mode);
/* The nanobench operations of a mode, costliest first (up to max; the
 * LAPIC timer's period is not a cost). */
int bench_costliest(const struct bench_results *r, const char *mode, const struct bench_row **out, int max);

struct bench_paid {
	const char *what; /* "callouts", "host signals", "exits", ... */
	double per_op;
};
/* What mode paid per operation of nanobench row `op`: each counter that
 * says it, op run minus baseline run over the operations executed. Returns
 * how many (up to max). */
int bench_paid(const struct bench_results *r, const struct bench_row *op, const char *mode, struct bench_paid *out,
	       int max);
#endif
