#include "reports/fleet_report.h"

#include "common/escape.h"

#include <string.h>

static const char *code(enum verdict v)
{
	static const char *const c[] = {"CERT", "WARN", "UNLISTED", "NOT"};
	return c[v];
}

static int name_width(const struct fleet *f)
{
	int w = 4;
	for (size_t i = 0; i < f->nh; i++)
		if ((int)strlen(f->h[i].name) > w)
			w = (int)strlen(f->h[i].name);
	return w > 40 ? 40 : w;
}

static void matrix(FILE *out, const struct fleet *f)
{
	char b[256];
	int w = name_width(f);
	fprintf(out, "%-*s", w, "host");
	for (size_t r = 0; r < f->nrel; r++)
		fprintf(out, "  %-*s", (int)strlen(f->rel[r]->id) > 8 ? (int)strlen(f->rel[r]->id) : 8,
			esc_term(b, sizeof(b), f->rel[r]->id));
	fputc('\n', out);
	for (size_t i = 0; i < f->nh; i++) {
		fprintf(out, "%-*.*s", w, w, esc_term(b, sizeof(b), f->h[i].name));
		for (size_t r = 0; r < f->nrel; r++)
			fprintf(out, "  %-*s", (int)strlen(f->rel[r]->id) > 8 ? (int)strlen(f->rel[r]->id) : 8,
				code(f->h[i].rv[r].overall));
		fputc('\n', out);
	}
}

/* What keeps each host off each release it cannot run. */
static void blockers(FILE *out, const struct fleet *f)
{
	char a[1024], b[1024], c[1024];
	int any = 0;
	for (size_t i = 0; i < f->nh; i++)
		for (size_t r = 0; r < f->nrel; r++) {
			const struct release_verdict *rv = &f->h[i].rv[r];
			for (size_t k = 0; k < rv->n; k++) {
				if (rv->c[k].v != V_NOT_CERTIFIED)
					continue;
				if (!any++)
					fprintf(out, "\nBlockers (NOT CERTIFIED components):\n");
				fprintf(out, "  %s on %s: %s %s\n      %s\n", esc_term(a, sizeof(a), f->h[i].name),
					f->rel[r]->id, rv->c[k].component, esc_term(b, sizeof(b), rv->c[k].subject),
					esc_term(c, sizeof(c), rv->c[k].rule));
			}
		}
}

void fleet_text(FILE *out, const struct fleet *f)
{
	fprintf(out, "hvcert fleet: %zu host%s, %zu release%s\n", f->nh, f->nh == 1 ? "" : "s", f->nrel,
		f->nrel == 1 ? "" : "s");
	if (f->best >= 0) {
		fprintf(out, "best release: %s (%d of %zu hosts can run it)", f->rel[f->best]->id, f->runnable[f->best],
			f->nh);
		for (size_t r = 0, n = 0; r < f->nrel; r++)
			if ((long)r != f->best && fleet_ties(f, r))
				fprintf(out, "%s%s", n++ ? ", " : "; as many run ", f->rel[r]->id);
		fprintf(out, "\n\n");
	} else
		fprintf(out, "best release: none (no host is CERTIFIED or WARN on any release)\n\n");
	matrix(out, f);
	fprintf(out, "(CERT certified, WARN runs with a warning, UNLISTED not in the list, NOT not certified)\n");
	blockers(out, f);
	fprintf(out, "\nhosts that can run each release:");
	for (size_t r = 0; r < f->nrel; r++)
		fprintf(out, "%s %s %d", r ? "," : "", f->rel[r]->id, f->runnable[r]);
	fputc('\n', out);
}
