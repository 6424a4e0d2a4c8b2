/* The parts of the bench report a reader needs first: a summary per
 * technique (compute overhead as a geometric mean with its bootstrap
 * interval, the operations it pays most for) and the technique table in the
 * shape of Adams & Agesen's (ASPLOS 2006): cycles per sensitive operation
 * under each technique, with what it pays per operation from the counters
 * of a run of that operation alone, minus the baseline run (bench/modes.c
 * runs nanobench one operation per process). */
#include "reports/bench_summary.h"
#include "common/escape.h"

#include "bench/harness.h"
#include "bench/results.h"
#include "bench/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The techniques: bench_modes but native and the +pv twins, in its order
 * (the three techniques, then the hardware-assisted ones). */
#define NTECH 16
static size_t techniques(const char **out)
{
	size_t n = 0;
	for (size_t m = 0; m < bench_nmodes && n < NTECH; m++)
		if (strcmp(bench_modes[m].name, "native") && !strstr(bench_modes[m].name, "+pv"))
			out[n++] = bench_modes[m].name;
	return n;
}

struct overhead {
	int k;		    /* workloads in the mean */
	double geo, lo, hi; /* geometric mean of median ratios, 95% interval */
	int suspect;	    /* a workload's figure is suspect: not charted, not summarised */
};

static void compute_overhead(const struct bench_results *doc, const char *mode, struct overhead *o)
{
	struct sample_pair w[16];
	double logs = 0;
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < doc->n; i++) {
		const struct bench_row *r = &doc->rows[i];
		if (strcmp(r->guest, "compute") || strcmp(r->mode, mode) || o->k >= 16)
			continue;
		const struct bench_row *nat = bench_results_find(doc, "compute", r->workload, "native");
		o->suspect |= r->suspect != NULL;
		if (!nat || nat->median <= 0 || r->median <= 0)
			continue;
		w[o->k] = (struct sample_pair){.a = nat->v, .na = nat->n, .b = r->v, .nb = r->n};
		logs += log(r->median / nat->median);
		o->k++;
	}
	if (o->k) {
		o->geo = exp(logs / o->k);
		stats_geomean_ratio_ci(w, (size_t)o->k, 2000, 42, &o->lo, &o->hi);
	}
}

static int by_cost(const void *a, const void *b)
{
	double x = (*(const struct bench_row *const *)a)->median, y = (*(const struct bench_row *const *)b)->median;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The nanobench operations of a mode, costliest first (up to max). */
static int costliest(const struct bench_results *doc, const char *mode, const struct bench_row **out, int max)
{
	const struct bench_row *all[64];
	size_t n = 0;
	for (size_t i = 0; i < doc->n; i++) {
		const struct bench_row *r = &doc->rows[i];
		if (!strcmp(r->guest, "nanobench") && !strcmp(r->mode, mode) && n < 64 &&
		    strcmp(r->workload, "lapic_timer")) /* a timer period, not a cost */
			all[n++] = r;
	}
	qsort(all, n, sizeof(*all), by_cost);
	int k = (int)n < max ? (int)n : max;
	memcpy(out, all, (size_t)k * sizeof(*out));
	return k;
}

static int has_mode(const struct bench_results *doc, const char *guest, const char *mode)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcmp(doc->rows[i].guest, guest) && !strcmp(doc->rows[i].mode, mode))
			return 1;
	return 0;
}

void bench_summary(FILE *html, FILE *md, const struct bench_results *doc)
{
	const char *tech[NTECH];
	size_t ntech = techniques(tech);
	fprintf(html, "<h2>Summary</h2>\n<table><tr><th>technique</th><th>compute overhead (x native, geomean "
		      "of medians, 95%% interval)</th><th>pays most for (cycles per operation)</th></tr>\n");
	fprintf(md, "\n## Summary\n\n| technique | compute overhead (x native, geomean, 95%% interval) | pays most "
		    "for (cycles/op) |\n|---|---|---|\n");
	for (size_t t = 0; t < ntech; t++) {
		if (!has_mode(doc, "compute", tech[t]) && !has_mode(doc, "nanobench", tech[t]))
			continue;
		struct overhead o;
		compute_overhead(doc, tech[t], &o);
		char ov[160], pays[400] = "";
		if (o.suspect)
			snprintf(ov, sizeof(ov), "suspect (see below): not the cost of the technique");
		else if (o.k)
			snprintf(ov, sizeof(ov), "%.2fx [%.2f, %.2f] over %d workloads", o.geo, o.lo, o.hi, o.k);
		else
			snprintf(ov, sizeof(ov), "no compute result");
		const struct bench_row *top[3];
		int n = costliest(doc, tech[t], top, 3);
		for (int i = 0; i < n; i++) {
			size_t l = strlen(pays);
			snprintf(pays + l, sizeof(pays) - l, "%s%s %.0f%s", i ? ", " : "", top[i]->workload,
				 top[i]->median, top[i]->suspect ? " (suspect)" : "");
		}
		fprintf(html, "<tr><td>%s</td><td>", tech[t]);
		esc_html(html, ov);
		fprintf(html, "</td><td>");
		esc_html(html, n ? pays : "no nanobenchmarks");
		fprintf(html, "</td></tr>\n");
		fprintf(md, "| %s | %s | ", tech[t], ov);
		esc_md(md, n ? pays : "no nanobenchmarks");
		fprintf(md, " |\n");
	}
	fprintf(html, "</table>\n");
}

/* What a technique pays per operation: the counters that say it, per op
 * (op run minus baseline run, over the operations executed). */
static void pays(const struct bench_results *doc, const struct bench_row *r, const char *mode, char *out, size_t n)
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
	const char *op = r->workload;
	double ops = (double)r->iters;
	ops += ops < 16 ? ops : 16; /* nanobench's warm-up round */
	out[0] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys) && ops > 0; k++) {
		if (strcmp(keys[k].mode, mode))
			continue;
		double v = bench_results_counter(doc, "nanobench", op, mode, keys[k].key),
		       b = bench_results_counter(doc, "nanobench", BENCH_BASELINE_OP, mode, keys[k].key);
		if (v < 0 || b < 0)
			continue;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%.1f %s", l ? ", " : "", (v - b) / ops, keys[k].what);
	}
}

void bench_techniques(FILE *html, FILE *md, const struct bench_results *doc)
{
	const char *modes[NTECH], *tech[NTECH];
	size_t ntech = techniques(tech);
	int nm = 0;
	for (size_t t = 0; t < ntech; t++)
		if (has_mode(doc, "nanobench", tech[t]))
			modes[nm++] = tech[t];
	if (!nm)
		return;
	fprintf(html, "<h2>Sensitive operations by technique (cycles per operation, median)</h2>\n"
		      "<p>The shape of Adams &amp; Agesen's table (ASPLOS 2006). Native: none of these can run in a "
		      "host process. Below each figure, what the technique paid per operation (counters of a run of "
		      "that operation alone, minus a run of none; the result line's console output adds about 0.2 "
		      "port exits per operation at 1000 iterations); &plusmn; is the spread of the repetitions "
		      "(interquartile range / median).</p>\n<table><tr><th>operation</th>");
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
			const struct bench_row *r = bench_results_find(doc, "nanobench", op, modes[m]);
			char p[240];
			if (!r) {
				fprintf(html, "<td>-</td>"), fprintf(md, " - |");
				continue;
			}
			pays(doc, r, modes[m], p, sizeof(p));
			int sus = r->suspect != NULL;
			char sp[32] = "";
			/* The spread of the repetitions: a figure is only as good as it. */
			if (r->spread >= 0)
				snprintf(sp, sizeof(sp), " \u00b1%.0f%%", r->spread * 100);
			fprintf(html, "<td>%.0f%s%s<br><small>", r->median, sp, sus ? " (suspect)" : "");
			esc_html(html, p);
			fprintf(html, "</small></td>");
			fprintf(md, " %.0f%s%s%s", r->median, sp, sus ? " (suspect)" : "", p[0] ? "; " : "");
			esc_md(md, p);
			fprintf(md, " |");
		}
		fprintf(html, "</tr>\n"), fputc('\n', md);
	}
	fprintf(html, "</table>\n");
}
