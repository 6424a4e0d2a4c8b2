/* The parts of the bench report a reader needs first: a summary per
 * technique (compute overhead as a geometric mean with its bootstrap
 * interval, the operations it pays most for) and the technique table in the
 * shape of Adams & Agesen's (ASPLOS 2006): cycles per sensitive operation
 * under each technique, with what it pays per operation from the counters
 * of a run of that operation alone, minus the baseline run (bench/modes.c
 * runs nanobench one operation per process). */
#include "reports/bench_summary.h"
#include "common/escape.h"

#include "reports/bench_doc.h"

#include "bench/harness.h"
#include "bench/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The three techniques, then the hardware-assisted ones for comparison. */
static const char *const techniques[] = {"bt", "kvm-pvm", "qemu-tcg", "kvm", "qemu-kvm"};
#define NTECH (sizeof(techniques) / sizeof(*techniques))

/* Samples of a result as a malloc'd array; *n their count. */
static double *samples(json_t *r, size_t *n)
{
	json_t *a = json_object_get(r, "cycles_per_iter"), *v;
	size_t i;
	*n = json_array_size(a);
	double *x = *n ? malloc(*n * sizeof(double)) : NULL;
	json_array_foreach (a, i, v)
		if (x)
			x[i] = json_number_value(v);
	return x;
}

struct overhead {
	int k;		    /* workloads in the mean */
	double geo, lo, hi; /* geometric mean of median ratios, 95% interval */
	int suspect;	    /* a workload's figure is suspect: not charted, not summarised */
};

static void compute_overhead(json_t *doc, const char *mode, struct overhead *o)
{
	struct sample_pair w[16];
	double logs = 0, *bufs[32];
	int nb = 0;
	size_t i;
	json_t *r;
	memset(o, 0, sizeof(*o));
	json_array_foreach (json_object_get(doc, "results"), i, r) {
		if (strcmp(bench_doc_str(r, "guest"), "compute") || strcmp(bench_doc_str(r, "mode"), mode) ||
		    o->k >= 16)
			continue;
		json_t *nat = bench_doc_find(doc, "compute", bench_doc_str(r, "workload"), "native");
		o->suspect |= json_is_string(json_object_get(r, "suspect"));
		if (!nat || bench_doc_num(nat, "median") <= 0 || bench_doc_num(r, "median") <= 0)
			continue;
		w[o->k].a = bufs[nb++] = samples(nat, &w[o->k].na);
		w[o->k].b = bufs[nb++] = samples(r, &w[o->k].nb);
		logs += log(bench_doc_num(r, "median") / bench_doc_num(nat, "median"));
		o->k++;
	}
	if (o->k) {
		o->geo = exp(logs / o->k);
		stats_geomean_ratio_ci(w, (size_t)o->k, 2000, 42, &o->lo, &o->hi);
	}
	for (int b = 0; b < nb; b++)
		free(bufs[b]);
}

static int by_cost(const void *a, const void *b)
{
	double x = bench_doc_num(*(json_t *const *)a, "median"), y = bench_doc_num(*(json_t *const *)b, "median");
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The nanobench operations of a mode, costliest first (up to max). */
static int costliest(json_t *doc, const char *mode, json_t **out, int max)
{
	json_t *all[64], *r;
	size_t n = 0, i;
	json_array_foreach (json_object_get(doc, "results"), i, r)
		if (!strcmp(bench_doc_str(r, "guest"), "nanobench") && !strcmp(bench_doc_str(r, "mode"), mode) &&
		    n < 64 && strcmp(bench_doc_str(r, "workload"), "lapic_timer")) /* a timer period, not a cost */
			all[n++] = r;
	qsort(all, n, sizeof(*all), by_cost);
	int k = (int)n < max ? (int)n : max;
	memcpy(out, all, (size_t)k * sizeof(*out));
	return k;
}

static int has_mode(json_t *doc, const char *guest, const char *mode)
{
	size_t i;
	json_t *r;
	json_array_foreach (json_object_get(doc, "results"), i, r)
		if (!strcmp(bench_doc_str(r, "guest"), guest) && !strcmp(bench_doc_str(r, "mode"), mode))
			return 1;
	return 0;
}

void bench_summary(FILE *html, FILE *md, json_t *doc)
{
	fprintf(html, "<h2>Summary</h2>\n<table><tr><th>technique</th><th>compute overhead (x native, geomean "
		      "of medians, 95%% interval)</th><th>pays most for (cycles per operation)</th></tr>\n");
	fprintf(md, "\n## Summary\n\n| technique | compute overhead (x native, geomean, 95%% interval) | pays most "
		    "for (cycles/op) |\n|---|---|---|\n");
	for (size_t t = 0; t < NTECH; t++) {
		if (!has_mode(doc, "compute", techniques[t]) && !has_mode(doc, "nanobench", techniques[t]))
			continue;
		struct overhead o;
		compute_overhead(doc, techniques[t], &o);
		char ov[160], pays[400] = "";
		if (o.suspect)
			snprintf(ov, sizeof(ov), "suspect (see below): not the cost of the technique");
		else if (o.k)
			snprintf(ov, sizeof(ov), "%.2fx [%.2f, %.2f] over %d workloads", o.geo, o.lo, o.hi, o.k);
		else
			snprintf(ov, sizeof(ov), "no compute result");
		json_t *top[3];
		int n = costliest(doc, techniques[t], top, 3);
		for (int i = 0; i < n; i++) {
			size_t l = strlen(pays);
			int sus = json_is_string(json_object_get(top[i], "suspect"));
			snprintf(pays + l, sizeof(pays) - l, "%s%s %.0f%s", i ? ", " : "",
				 bench_doc_str(top[i], "workload"), bench_doc_num(top[i], "median"),
				 sus ? " (suspect)" : "");
		}
		fprintf(html, "<tr><td>%s</td><td>", techniques[t]);
		esc_html(html, ov);
		fprintf(html, "</td><td>");
		esc_html(html, n ? pays : "no nanobenchmarks");
		fprintf(html, "</td></tr>\n");
		fprintf(md, "| %s | %s | ", techniques[t], ov);
		esc_md(md, n ? pays : "no nanobenchmarks");
		fprintf(md, " |\n");
	}
	fprintf(html, "</table>\n");
}

/* Median over repetitions of counter `key` of the runs of (nanobench, op, mode). */
static double counter(json_t *doc, const char *op, const char *mode, const char *key)
{
	double v[64];
	size_t n = 0, i;
	json_t *c;
	json_array_foreach (json_object_get(doc, "vmm_counters"), i, c) {
		if (strcmp(bench_doc_str(c, "guest"), "nanobench") || strcmp(bench_doc_str(c, "workload"), op) ||
		    strcmp(bench_doc_str(c, "mode"), mode) || n == 64)
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

/* What a technique pays per operation: the counters that say it, per op
 * (op run minus baseline run, over the operations executed). */
static void pays(json_t *doc, json_t *r, const char *mode, char *out, size_t n)
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
	const char *op = bench_doc_str(r, "workload");
	json_t *it = json_object_get(r, "iters");
	double ops = json_is_integer(it) ? (double)json_integer_value(it) : 0;
	ops += ops < 16 ? ops : 16; /* nanobench's warm-up round */
	out[0] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys) && ops > 0; k++) {
		if (strcmp(keys[k].mode, mode))
			continue;
		double v = counter(doc, op, mode, keys[k].key), b = counter(doc, BENCH_BASELINE_OP, mode, keys[k].key);
		if (v < 0 || b < 0)
			continue;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%.1f %s", l ? ", " : "", (v - b) / ops, keys[k].what);
	}
}

void bench_techniques(FILE *html, FILE *md, json_t *doc)
{
	const char *modes[NTECH];
	int nm = 0;
	for (size_t t = 0; t < NTECH; t++)
		if (has_mode(doc, "nanobench", techniques[t]))
			modes[nm++] = techniques[t];
	if (!nm)
		return;
	fprintf(html, "<h2>Sensitive operations by technique (cycles per operation, median)</h2>\n"
		      "<p>The shape of Adams &amp; Agesen's table (ASPLOS 2006). Native: none of these can run in a "
		      "host process. Below each figure, what the technique paid per operation (counters of a run of "
		      "that operation alone, minus a run of none; the result line's console output adds about 0.2 "
		      "port exits per operation at 1000 iterations).</p>\n<table><tr><th>operation</th>");
	fprintf(md, "\n## Sensitive operations by technique (cycles/op, median)\n\n| operation |");
	for (int m = 0; m < nm; m++)
		fprintf(html, "<th>%s</th>", modes[m]), fprintf(md, " %s |", modes[m]);
	fprintf(html, "</tr>\n"), fprintf(md, "\n|---|");
	for (int m = 0; m < nm; m++)
		fprintf(md, "---|");
	fputc('\n', md);
	const struct bench_guest *nb = bench_guest("nanobench");
	char ops[512];
	snprintf(ops, sizeof(ops), "%s", nb && nb->split ? nb->split : "");
	for (char *save, *op = strtok_r(ops, ",", &save); op; op = strtok_r(NULL, ",", &save)) {
		if (!strcmp(op, BENCH_BASELINE_OP))
			continue;
		fprintf(html, "<tr><td>%s</td>", op), fprintf(md, "| %s |", op);
		for (int m = 0; m < nm; m++) {
			json_t *r = bench_doc_find(doc, "nanobench", op, modes[m]);
			char p[240];
			if (!r) {
				fprintf(html, "<td>-</td>"), fprintf(md, " - |");
				continue;
			}
			pays(doc, r, modes[m], p, sizeof(p));
			int sus = json_is_string(json_object_get(r, "suspect"));
			fprintf(html, "<td>%.0f%s<br><small>", bench_doc_num(r, "median"), sus ? " (suspect)" : "");
			esc_html(html, p);
			fprintf(html, "</small></td>");
			fprintf(md, " %.0f%s%s", bench_doc_num(r, "median"), sus ? " (suspect)" : "", p[0] ? "; " : "");
			esc_md(md, p);
			fprintf(md, " |");
		}
		fprintf(html, "</tr>\n"), fputc('\n', md);
	}
	fprintf(html, "</table>\n");
}
