/* JUnit XML of a fleet: a testsuite per release, a testcase per host;
 * NOT CERTIFIED fails with the blockers, WARN and UNLISTED are skipped
 * with the reason, as in certify --junit. */
#include "reports/fleet_report.h"

#include "common/escape.h"

static void testcase(FILE *out, const struct release_verdict *rv, const struct fleet_host *h)
{
	fprintf(out, "  <testcase classname=\"");
	esc_html(out, rv->rel->id);
	fprintf(out, "\" name=\"");
	esc_html(out, h->name);
	fprintf(out, "\">");
	if (rv->overall == V_NOT_CERTIFIED) {
		fprintf(out, "<failure message=\"NOT CERTIFIED\">");
		for (size_t k = 0; k < rv->n; k++)
			if (rv->c[k].v == V_NOT_CERTIFIED) {
				esc_html(out, rv->c[k].component), fputc(' ', out), esc_html(out, rv->c[k].subject);
				fprintf(out, ": "), esc_html(out, rv->c[k].rule), fputc('\n', out);
			}
		fprintf(out, "</failure>");
	} else if (rv->overall != V_CERTIFIED) {
		fprintf(out, "<skipped message=\"%s\"/>", verdict_name(rv->overall));
	}
	fprintf(out, "</testcase>\n");
}

void fleet_junit(FILE *out, const struct fleet *f)
{
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvcert fleet\">\n");
	for (size_t r = 0; r < f->nrel; r++) {
		int fail = 0, skip = 0;
		for (size_t i = 0; i < f->nh; i++)
			fail += f->h[i].rv[r].overall == V_NOT_CERTIFIED,
			    skip += f->h[i].rv[r].overall == V_WARN || f->h[i].rv[r].overall == V_UNLISTED;
		fprintf(out, " <testsuite name=\"");
		esc_html(out, f->rel[r]->id);
		fprintf(out, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\">\n", f->nh, fail, skip);
		for (size_t i = 0; i < f->nh; i++)
			testcase(out, &f->h[i].rv[r], &f->h[i]);
		fprintf(out, " </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}
