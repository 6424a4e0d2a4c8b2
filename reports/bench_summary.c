/* The parts of the bench report a reader needs first: a summary per
 * technique (compute overhead as a geometric mean with its bootstrap
 * interval, the operations it pays most for) and the technique table in the
 * shape of Adams & Agesen's (ASPLOS 2006): cycles per sensitive operation
 * under each technique, with what it paid per operation. The figures come
 * from bench/overhead.c; this file only lays them out. */
#include "reports/bench_summary.h"
#include "common/escape.h"

#include "bench/harness.h"
#include "bench/overhead.h"

#include <stdio.h>
#include <string.h>

void bench_summary(FILE *html, FILE *md, const struct bench_results *doc)
{
	const char *tech[BENCH_MAX_TECHNIQUES];
	size_t ntech = bench_techniques_of(tech);
	fprintf(html, "<h2>Summary</h2>\n<table><tr><th>technique</th><th>compute overhead (x native, geomean "
		      "of medians, 95%% interval)</th><th>pays most for (cycles per operation)</th></tr>\n");
	fprintf(md, "\n## Summary\n\n| technique | compute overhead (x native, geomean, 95%% interval) | pays most "
		    "for (cycles/op) |\n|---|---|---|\n");
	for (size_t t = 0; t < ntech; t++) {
		if (!bench_has_mode(doc, "compute", tech[t]) && !bench_has_mode(doc, "nanobench", tech[t]))
			continue;
		struct bench_overhead o;
		bench_compute_overhead(doc, tech[t], &o);
		char ov[160], pays[400] = "";
		if (o.suspect)
			snprintf(ov, sizeof(ov), "suspect (see below): not the cost of the technique");
		else if (o.k)
			snprintf(ov, sizeof(ov), "%.2fx [%.2f, %.2f] over %d workloads", o.geo, o.lo, o.hi, o.k);
		else
			snprintf(ov, sizeof(ov), "no compute result");
		const struct bench_row *top[3];
		int n = bench_costliest(doc, tech[t], top, 3);
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

/* "1.0 callouts, 0.0 host signals" */
static void pays(const struct bench_results *doc, const struct bench_row *r, const char *mode, char *out, size_t n)
{
	struct bench_paid p[8];
	int k = bench_paid(doc, r, mode, p, 8);
	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%.1f %s", l ? ", " : "", p[i].per_op, p[i].what);
	}
}

void bench_techniques(FILE *html, FILE *md, const struct bench_results *doc)
{
	const char *modes[BENCH_MAX_TECHNIQUES], *tech[BENCH_MAX_TECHNIQUES];
	size_t ntech = bench_techniques_of(tech);
	int nm = 0;
	for (size_t t = 0; t < ntech; t++)
		if (bench_has_mode(doc, "nanobench", tech[t]))
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
