#include "bench/overhead.h"
#include "bench/harness.h"
#include "bench/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t bench_techniques_of(const char **out)
{
	size_t n = 0;
	for (size_t m = 0; m < bench_nmodes && n < BENCH_MAX_TECHNIQUES; m++)
		if (strcmp(bench_modes[m].name, "native") && !strstr(bench_modes[m].name, "+pv"))
			out[n++] = bench_modes[m].name;
	return n;
}

int bench_has_mode(const struct bench_results *r, const char *guest, const char *mode)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rows[i].guest, guest) && !strcmp(r->rows[i].mode, mode))
			return 1;
	return 0;
}

void bench_compute_overhead(const struct bench_results *r, const char *mode, struct bench_overhead *o)
{
	struct sample_pair w[16];
	double logs = 0;
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_row *x = &r->rows[i];
		if (strcmp(x->guest, "compute") || strcmp(x->mode, mode) || o->k >= 16)
			continue;
		const struct bench_row *nat = bench_results_find(r, "compute", x->workload, "native");
		o->suspect |= x->suspect != NULL;
		if (!nat || nat->median <= 0 || x->median <= 0)
			continue;
		w[o->k] = (struct sample_pair){.a = nat->v, .na = nat->n, .b = x->v, .nb = x->n};
		logs += log(x->median / nat->median);
		o->k++;
	}
	if (o->k) {
		o->geo = exp(logs / o->k);
		stats_geomean_ratio_ci(w, (size_t)o->k, 2000, 42, &o->lo, &o->hi);
	}
}

double bench_recorded_overhead(const struct bench_results *r, const char *guest, const char *mode)
{
	double ov[64];
	size_t k = 0;
	for (size_t i = 0; i < r->n && k < 64; i++)
		if (!strcmp(r->rows[i].guest, guest) && !strcmp(r->rows[i].mode, mode) && r->rows[i].overhead > 0)
			ov[k++] = r->rows[i].overhead;
	return k ? stats_geomean(ov, k) : 0;
}

static int by_cost(const void *a, const void *b)
{
	double x = (*(const struct bench_row *const *)a)->median, y = (*(const struct bench_row *const *)b)->median;
	return x < y ? 1 : x > y ? -1 : 0;
}

int bench_costliest(const struct bench_results *r, const char *mode, const struct bench_row **out, int max)
{
	const struct bench_row *all[64];
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_row *x = &r->rows[i];
		if (!strcmp(x->guest, "nanobench") && !strcmp(x->mode, mode) && n < 64 &&
		    strcmp(x->workload, "lapic_timer"))
			all[n++] = x;
	}
	if (n)
		qsort(all, n, sizeof(*all), by_cost);
	int k = (int)n < max ? (int)n : max;
	memcpy(out, all, (size_t)k * sizeof(*out));
	return k;
}

int bench_paid(const struct bench_results *r, const struct bench_row *op, const char *mode, struct bench_paid *out,
	       int max)
{
	static const struct {
		const char *mode, *key, *what;
	} keys[] = {{"bt", "bt_callouts", "callouts"},
		    {"bt", "bt_signals", "host signals"},
		    {"kvm-pvm", "kvm_exits", "exits"},
		    {"kvm-pvm", "kvm_insn_emulation", "emulated insns"},
		    {"kvm-pvm", "exits_io", "exits to vmm-mini"},
		    {"kvm", "kvm_exits", "exits"},
		    {"kvm", "exits_io", "exits to vmm-mini"}};
	double ops = (double)op->iters;
	int n = 0;
	ops += ops < 16 ? ops : 16; /* nanobench's warm-up round */
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys) && ops > 0 && n < max; k++) {
		if (strcmp(keys[k].mode, mode))
			continue;
		double v = bench_results_counter(r, "nanobench", op->workload, mode, keys[k].key),
		       b = bench_results_counter(r, "nanobench", BENCH_BASELINE_OP, mode, keys[k].key);
		if (v >= 0 && b >= 0)
			out[n++] = (struct bench_paid){keys[k].what, (v - b) / ops};
	}
	return n;
}
