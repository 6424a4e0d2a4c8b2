#include "reports/certify_report.h"

#include "common/escape.h"

#include <string.h>

static const char *colour_of(enum verdict v)
{
	static const char *const c[] = {"\033[32m", "\033[33m", "\033[36m", "\033[31m"};
	return c[v];
}

static void verdict(FILE *out, enum verdict v, int colour)
{
	if (colour)
		fprintf(out, "%s%-13s\033[0m", colour_of(v), verdict_name(v));
	else
		fprintf(out, "%-13s", verdict_name(v));
}

static void one_release(FILE *out, const struct certify_view *v, const struct release_verdict *rv)
{
	char a[4096], b[4096];
	fprintf(out, "\n== %s: %s ==\n", esc_term(a, sizeof(a), rv->rel->id),
		esc_term(b, sizeof(b), rv->rel->name ? rv->rel->name : ""));
	for (size_t i = 0; i < rv->n; i++) {
		const struct comp_verdict *c = &rv->c[i];
		fprintf(out, "  ");
		verdict(out, c->v, v->colour);
		fprintf(out, " %-11s %s\n", c->component, esc_term(a, sizeof(a), c->subject));
		fprintf(out, "  %13s %-11s %s\n", "", "rule", esc_term(a, sizeof(a), c->rule));
		if (c->source[0])
			fprintf(out, "  %13s %-11s %s\n", "", "source", esc_term(a, sizeof(a), c->source));
		if (v->explain && c->explain[0])
			fprintf(out, "  %13s %-11s %s\n", "", "candidates", esc_term(a, sizeof(a), c->explain));
	}
	if (rv->out_of_scope)
		fprintf(out, "  (%d PCI devices outside this release's certified classes not judged)\n",
			rv->out_of_scope);
	fprintf(out, "  overall: ");
	verdict(out, rv->overall, v->colour);
	fprintf(out, " (%d certified, %d warn, %d unlisted, %d not certified)\n", rv->counts[V_CERTIFIED],
		rv->counts[V_WARN], rv->counts[V_UNLISTED], rv->counts[V_NOT_CERTIFIED]);
}

void certify_text(FILE *out, const struct certify_view *v)
{
	const struct cpu_info *c = &v->p->cpu;
	char a[4096], b[4096], d[4096];
	fprintf(out, "hvcert certify: %s (%s); cpu from %s; pci from %s\n", esc_term(a, sizeof(a), c->brand),
		v->p->uarch.found ? v->p->uarch.platform : "unknown platform", esc_term(b, sizeof(b), v->p->raw.source),
		esc_term(d, sizeof(d), probe_pci_source(v->p)));
	for (size_t i = 0; i < v->n; i++)
		one_release(out, v, &v->rv[i]);
	fprintf(out, "\nSummary:\n");
	for (size_t i = 0; i < v->n; i++) {
		fprintf(out, "  %-16s ", esc_term(a, sizeof(a), v->rv[i].rel->id));
		verdict(out, v->rv[i].overall, v->colour);
		fputc('\n', out);
	}
}

/* What gets worse from a to b: components matched by kind and subject. */
void certify_upgrade_text(FILE *out, const struct release_verdict *a, const struct release_verdict *b)
{
	int worse = 0;
	fprintf(out, "\nUpgrade %s -> %s: what breaks or degrades\n", a->rel->id, b->rel->id);
	for (size_t i = 0; i < b->n; i++) {
		const struct comp_verdict *nb = &b->c[i];
		enum verdict before = V_UNLISTED;
		int found = 0;
		for (size_t k = 0; k < a->n && !found; k++)
			if (!strcmp(a->c[k].component, nb->component) && !strcmp(a->c[k].subject, nb->subject))
				before = a->c[k].v, found = 1;
		if (found && nb->v <= before)
			continue;
		if (!found && nb->v == V_CERTIFIED)
			continue;
		char subj[512], rule[1024];
		fprintf(out, "  %-13s -> %-13s %-11s %s\n      %s\n", found ? verdict_name(before) : "(new check)",
			verdict_name(nb->v), nb->component, esc_term(subj, sizeof(subj), nb->subject),
			esc_term(rule, sizeof(rule), nb->rule));
		worse++;
	}
	fprintf(out, "  %d component%s worse on %s; overall %s -> %s\n", worse, worse == 1 ? "" : "s", b->rel->id,
		verdict_name(a->overall), verdict_name(b->overall));
}
