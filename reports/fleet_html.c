/* The fleet as one page, summary first: the release most hosts can run,
 * then hosts x releases, then what blocks each host and the evidence. */
#include "reports/fleet_report.h"

#include "common/escape.h"

static const char *css_class(enum verdict v)
{
	static const char *const c[] = {"cert", "warn", "unl", "not"};
	return c[v];
}

static void summary(FILE *out, const struct fleet *f)
{
	fprintf(out, "<section id=\"summary\"><h2>Summary</h2>\n<p class=\"best\">");
	if (f->best >= 0) {
		fprintf(out, "Best release: <b>");
		esc_html(out, f->rel[f->best]->id);
		fprintf(out, "</b>, which %d of %zu hosts can run", f->runnable[f->best], f->nh);
		for (size_t r = 0, n = 0; r < f->nrel; r++)
			if ((long)r != f->best && fleet_ties(f, r))
				fprintf(out, "%s", n++ ? ", " : "; as many run "), esc_html(out, f->rel[r]->id);
		fprintf(out, ".</p>\n");
	} else {
		fprintf(out, "No release: no host is certified (or certified with a warning) on any release.</p>\n");
	}
	fprintf(out, "<table><tr><th>release</th><th>hosts that can run it</th></tr>\n");
	for (size_t r = 0; r < f->nrel; r++) {
		fprintf(out, "<tr><td>");
		esc_html(out, f->rel[r]->id);
		fprintf(out, "</td><td>%d of %zu</td></tr>\n", f->runnable[r], f->nh);
	}
	fprintf(out, "</table></section>\n");
}

static void matrix(FILE *out, const struct fleet *f)
{
	fprintf(out, "<section id=\"matrix\"><h2>Hosts by release</h2>\n<table><tr><th>host</th>");
	for (size_t r = 0; r < f->nrel; r++)
		fprintf(out, "<th>"), esc_html(out, f->rel[r]->id), fprintf(out, "</th>");
	fprintf(out, "</tr>\n");
	for (size_t i = 0; i < f->nh; i++) {
		fprintf(out, "<tr><td>");
		esc_html(out, f->h[i].name);
		fprintf(out, "</td>");
		for (size_t r = 0; r < f->nrel; r++)
			fprintf(out, "<td class=\"%s\">%s</td>", css_class(f->h[i].rv[r].overall),
				verdict_name(f->h[i].rv[r].overall));
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</table></section>\n");
}

static void blockers(FILE *out, const struct fleet *f)
{
	fprintf(out, "<section id=\"blockers\"><h2>What blocks each host</h2>\n");
	for (size_t i = 0; i < f->nh; i++) {
		int any = 0;
		for (size_t r = 0; r < f->nrel; r++)
			for (size_t k = 0; k < f->h[i].rv[r].n; k++) {
				const struct comp_verdict *c = &f->h[i].rv[r].c[k];
				if (c->v != V_NOT_CERTIFIED)
					continue;
				if (!any++)
					fprintf(out, "<h3>"), esc_html(out, f->h[i].name),
					    fprintf(out, "</h3>\n<ul>\n");
				fprintf(out, "<li><b>"), esc_html(out, f->rel[r]->id), fprintf(out, "</b>: ");
				esc_html(out, c->component), fputc(' ', out), esc_html(out, c->subject);
				fprintf(out, " <small>("), esc_html(out, c->rule), fprintf(out, ")</small></li>\n");
			}
		if (any)
			fprintf(out, "</ul>\n");
	}
	fprintf(out, "</section>\n");
}

static void evidence(FILE *out, const struct fleet *f)
{
	fprintf(out,
		"<section id=\"evidence\"><h2>Hosts</h2>\n<table><tr><th>host</th><th>CPU</th><th>file</th></tr>\n");
	for (size_t i = 0; i < f->nh; i++) {
		fprintf(out, "<tr><td>"), esc_html(out, f->h[i].name), fprintf(out, "</td><td>");
		esc_html(out, f->h[i].cpu), fprintf(out, "</td><td>"), esc_html(out, f->h[i].file);
		fprintf(out, "</td></tr>\n");
	}
	fprintf(out, "</table></section>\n");
}

void fleet_html(FILE *out, const struct fleet *f)
{
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hvcert fleet</title>\n"
		"<style>body{font:14px/1.4 sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
		"td,th{border:1px solid #ccc;padding:.2em .5em}.cert{background:#d4f4d4}.warn{background:#fff2c0}"
		".unl{background:#e0ecf8}.not{background:#f8d0d0}</style></head><body>\n"
		"<h1>Fleet certification</h1>\n");
	summary(out, f);
	matrix(out, f);
	blockers(out, f);
	evidence(out, f);
	fprintf(out, "</body></html>\n");
}
