/* Renderers for certification verdicts: text (colour on a TTY), JSON,
 * JUnit XML (one test case per component) and a self-contained HTML page. */
#ifndef HVCERT_CERTIFY_REPORT_H
#define HVCERT_CERTIFY_REPORT_H
#include <stdio.h>

#include "hcl/certify.h"

struct certify_view {
	const struct probe *p;
	const struct release_verdict *rv;
	size_t n;
	int explain, colour;
};

void certify_text(FILE *out, const struct certify_view *v);
void certify_json(FILE *out, const struct certify_view *v);
void certify_junit(FILE *out, const struct certify_view *v);
void certify_html(FILE *out, const struct certify_view *v);
/* --from A --to B: the components that get worse from a to b (matched by
 * kind and subject, a check b adds counts unless it passes). */
void certify_upgrade_text(FILE *out, const struct release_verdict *a, const struct release_verdict *b);
#endif
