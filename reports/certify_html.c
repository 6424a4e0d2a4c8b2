/* One self-contained HTML page (inline CSS, no scripts) a manager can read. */
#include "reports/certify_report.h"
#include "common/escape.h"

#include <string.h>

static const char *css_class(enum verdict v)
{
	static const char *const c[] = {"ok", "warn", "unl", "bad"};
	return c[v];
}

static void head(FILE *out, const struct certify_view *v)
{
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hvcert certification: ");
	esc_html(out, v->p->cpu.brand);
	fprintf(out,
		"</title>\n<style>\n"
		"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
		"table{border-collapse:collapse;margin:.5em 0 2em;width:100%%}\n"
		"td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\n"
		".ok{background:#d9f2d9}.warn{background:#fff2cc}.unl{background:#e0ecf8}.bad{background:#f8d0d0}\n"
		"small{color:#666}\n</style></head><body>\n<h1>Hypervisor certification</h1>\n<p>");
	esc_html(out, v->p->cpu.brand);
	fprintf(out, " &mdash; ");
	esc_html(out, v->p->uarch.found ? v->p->uarch.platform : "unknown platform");
	fprintf(out, "<br><small>CPU data: ");
	esc_html(out, v->p->raw.source);
	fprintf(out, "; PCI data: ");
	esc_html(out, probe_pci_source(v->p));
	fprintf(out, "</small></p>\n");
}

static void summary(FILE *out, const struct certify_view *v)
{
	fprintf(out, "<section "
		     "id=\"summary\"><h2>Summary</h2>\n<table><tr><th>Release</th><th>Verdict</th><th>Certified</"
		     "th><th>Warn</th>"
		     "<th>Unlisted</th><th>Not certified</th></tr>\n");
	for (size_t i = 0; i < v->n; i++) {
		const struct release_verdict *rv = &v->rv[i];
		fprintf(out, "<tr><td><a href=\"#r%zu\">", i);
		esc_html(out, rv->rel->id);
		fprintf(out, "</a></td><td class=\"%s\">%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
			css_class(rv->overall), verdict_name(rv->overall), rv->counts[V_CERTIFIED], rv->counts[V_WARN],
			rv->counts[V_UNLISTED], rv->counts[V_NOT_CERTIFIED]);
	}
	fprintf(out, "</table></section>\n");
}

/* Where else the same component passes: the fix is that release, or
 * replacing the component when there is none. */
static void elsewhere(FILE *out, const struct certify_view *v, const struct comp_verdict *c)
{
	int n = 0;
	for (size_t i = 0; i < v->n; i++)
		for (size_t k = 0; k < v->rv[i].n; k++) {
			const struct comp_verdict *o = &v->rv[i].c[k];
			if ((o->v == V_CERTIFIED || o->v == V_WARN) && !strcmp(o->component, c->component) &&
			    !strcmp(o->subject, c->subject)) {
				fprintf(out, "%s", n++ ? ", " : "<br>Passes on: ");
				esc_html(out, v->rv[i].rel->id);
			}
		}
	if (!n)
		fprintf(out, "<br>Passes on no release judged here: %s.",
			!strcmp(c->component, "requirement") ? "the host must change (firmware, kernel or CPU)"
							     : "replace it, or ask the vendor for a certification");
}

/* What keeps each release from CERTIFIED, worst first, with the rule that
 * says why and where else the component passes. */
static void blockers(FILE *out, const struct certify_view *v)
{
	fprintf(out, "<section id=\"blockers\"><h2>What blocks certification, and how to fix it</h2>\n");
	for (int want = V_NOT_CERTIFIED; want >= V_WARN; want--)
		for (size_t i = 0; i < v->n; i++) {
			const struct release_verdict *rv = &v->rv[i];
			if ((int)rv->overall != want)
				continue;
			fprintf(out, "<h3 class=\"%s\">", css_class(rv->overall));
			esc_html(out, rv->rel->id);
			fprintf(out, ": %s</h3>\n<ul>\n", verdict_name(rv->overall));
			for (size_t k = 0; k < rv->n; k++) {
				const struct comp_verdict *c = &rv->c[k];
				if ((int)c->v != want && !(want == V_NOT_CERTIFIED && c->v == V_WARN))
					continue;
				fprintf(out, "<li><b>%s</b> ", verdict_name(c->v));
				esc_html(out, c->component), fputc(' ', out), esc_html(out, c->subject);
				fprintf(out, "<br><small>");
				esc_html(out, c->rule);
				fprintf(out, "</small>");
				if (c->v == V_NOT_CERTIFIED)
					elsewhere(out, v, c);
				fprintf(out, "</li>\n");
			}
			fprintf(out, "</ul>\n");
		}
	fprintf(out, "</section>\n");
}

static void release(FILE *out, size_t idx, const struct release_verdict *rv)
{
	fprintf(out, "<h3 id=\"r%zu\">", idx);
	esc_html(out, rv->rel->id);
	fprintf(out, ": ");
	esc_html(out, rv->rel->name ? rv->rel->name : "");
	fprintf(
	    out,
	    "</h3>\n<table><tr><th>Verdict</th><th>Component</th><th>Subject</th><th>Rule</th><th>Source</th></tr>\n");
	for (size_t k = 0; k < rv->n; k++) {
		const struct comp_verdict *c = &rv->c[k];
		fprintf(out, "<tr><td class=\"%s\">%s</td><td>", css_class(c->v), verdict_name(c->v));
		esc_html(out, c->component);
		fprintf(out, "</td><td>");
		esc_html(out, c->subject);
		fprintf(out, "</td><td>");
		esc_html(out, c->rule);
		fprintf(out, "</td><td><small>");
		esc_html(out, c->source);
		fprintf(out, "</small></td></tr>\n");
	}
	fprintf(out, "</table>\n");
	if (rv->out_of_scope)
		fprintf(
		    out,
		    "<p><small>%d PCI devices outside this release's certified classes were not judged.</small></p>\n",
		    rv->out_of_scope);
}

void certify_html(FILE *out, const struct certify_view *v)
{
	head(out, v);
	summary(out, v);
	blockers(out, v);
	fprintf(out, "<section id=\"evidence\"><h2>Evidence: every component judged, per release</h2>\n");
	for (size_t i = 0; i < v->n; i++)
		release(out, i, &v->rv[i]);
	fprintf(out, "</section>\n");
	fprintf(out, "<p><small>Generated by hvcert. Verdicts: CERTIFIED (listed as supported), WARN "
		     "(deprecated, firmware unknown, disabled in firmware, nested), UNLISTED (no entry), NOT CERTIFIED "
		     "(unsupported, missing requirement, no driver).</small></p>\n</body></html>\n");
}
