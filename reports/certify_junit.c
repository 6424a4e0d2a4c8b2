/* JUnit XML: a testsuite per release, a testcase per component; NOT
 * CERTIFIED is a failure, WARN and UNLISTED are reported as skipped with
 * the reason, so CI dashboards show them without failing the build. */
#include "reports/certify_report.h"
#include "common/escape.h"

static void testcase(FILE *out, const char *rel, const struct comp_verdict *c)
{
	fprintf(out, "  <testcase classname=\"");
	esc_html(out, rel);
	fprintf(out, ".%s\" name=\"", c->component);
	esc_html(out, c->subject);
	fprintf(out, "\">\n");
	if (c->v == V_NOT_CERTIFIED || c->v == V_WARN || c->v == V_UNLISTED) {
		fprintf(out, "   <%s message=\"%s: ", c->v == V_NOT_CERTIFIED ? "failure" : "skipped",
			verdict_name(c->v));
		esc_html(out, c->rule);
		fprintf(out, "\"/>\n");
	}
	fprintf(out, "   <system-out>");
	esc_html(out, c->rule);
	fprintf(out, " [");
	esc_html(out, c->source);
	fprintf(out, "]</system-out>\n  </testcase>\n");
}

void certify_junit(FILE *out, const struct certify_view *v)
{
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvcert certify\">\n");
	for (size_t i = 0; i < v->n; i++) {
		const struct release_verdict *rv = &v->rv[i];
		fprintf(out, " <testsuite name=\"");
		esc_html(out, rv->rel->id);
		fprintf(out, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\">\n", rv->n, rv->counts[V_NOT_CERTIFIED],
			rv->counts[V_WARN] + rv->counts[V_UNLISTED]);
		for (size_t k = 0; k < rv->n; k++)
			testcase(out, rv->rel->id, &rv->c[k]);
		fprintf(out, " </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}
