#include "certify_report.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *component(const struct comp_verdict *c)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "component", c->component, "subject", c->subject, "verdict",
			 verdict_name(c->v), "rule", c->rule, "source", c->source, "candidates", c->explain);
}

void certify_json(FILE *out, const struct certify_view *v)
{
	json_t *rels = json_array();
	for (size_t i = 0; i < v->n; i++) {
		const struct release_verdict *rv = &v->rv[i];
		json_t *comps = json_array();
		for (size_t k = 0; k < rv->n; k++)
			json_array_append_new(comps, component(&rv->c[k]));
		json_array_append_new(rels, json_pack("{s:s,s:s?,s:s,s:i,s:o}", "release", rv->rel->id, "name",
						      rv->rel->name, "verdict", verdict_name(rv->overall),
						      "pci_out_of_scope", rv->out_of_scope, "components", comps));
	}
	json_t *doc = json_pack("{s:s,s:s,s:s?,s:o}", "schema", "hvcert-certify/1", "cpu", v->p->cpu.brand, "platform",
				v->p->uarch.found ? v->p->uarch.platform : NULL, "releases", rels);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (s)
		fprintf(out, "%s\n", s);
	free(s);
	json_decref(doc);
}
