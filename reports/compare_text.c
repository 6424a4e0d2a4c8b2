#include "reports/compare_text.h"
#include "common/escape.h"

#include <math.h>

static void row_names(FILE *f, const struct bench_row *r)
{
	char g[128], w[128], m[128];
	fprintf(f, "  %-10s %-14s %-9s", esc_term(g, sizeof(g), r->guest), esc_term(w, sizeof(w), r->workload),
		esc_term(m, sizeof(m), r->mode));
}

static void row_text(FILE *f, const struct bench_row_cmp *r)
{
	row_names(f, r->a);
	fprintf(f, " %14.1f %14.1f %+7.1f%% [%+6.1f%%, %+6.1f%%] %8.3g %s\n", r->median_a, r->median_b, r->change * 100,
		(r->lo - 1) * 100, (r->hi - 1) * 100, r->p,
		r->regression ? "REGRESSION"
		: r->improved ? "improved"
			      : "");
}

void compare_text(FILE *f, const struct bench_comparison *c)
{
	char la[512], lb[512];
	size_t missing = c->only_a + c->only_b;
	fprintf(f, "compare %s -> %s (threshold %.0f%%)\n", esc_term(la, sizeof(la), bench_results_label(c->a)),
		esc_term(lb, sizeof(lb), bench_results_label(c->b)), c->threshold * 100);
	fprintf(f, "  %-10s %-14s %-9s %14s %14s %8s %19s %8s\n", "guest", "workload", "mode", "A cyc/iter",
		"B cyc/iter", "change", "95% interval", "p");
	for (size_t i = 0; i < c->n; i++)
		row_text(f, &c->rows[i]);
	if (missing)
		fprintf(
		    f, "not comparable: %zu result%s in one run only (listed on stderr); %d regression%s in the rest\n",
		    missing, missing == 1 ? "" : "s", c->regressions, c->regressions == 1 ? "" : "s");
	else
		fprintf(f, "%d regression%s\n", c->regressions, c->regressions == 1 ? "" : "s");
}

void history_text(FILE *f, const struct bench_history *h)
{
	char dir[1024];
	fprintf(f, "history of %d runs in %s:\n", h->n, esc_term(dir, sizeof(dir), h->dir));
	for (size_t j = 0; j < h->last.n; j++) {
		row_names(f, &h->last.rows[j]);
		for (int k = 0; k < h->n; k++) {
			double m = h->median[j * (size_t)h->n + (size_t)k];
			isnan(m) ? fprintf(f, " %10s", "-") : fprintf(f, " %10.1f", m);
		}
		fputc('\n', f);
	}
}

void compare_missing_text(char *out, size_t n, const struct bench_missing *m)
{
	char name[512];
	bench_row_name(m->row, name, sizeof(name));
	snprintf(out, n, "%s is in %s only, not in %s: %s", name, m->in->path, m->not_in->path, m->why);
}
