#include "reports/fleet_report.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *host(const struct fleet *f, const struct fleet_host *h)
{
	json_t *rels = json_object(), *blk = json_object();
	for (size_t r = 0; r < f->nrel; r++) {
		const struct release_verdict *rv = &h->rv[r];
		json_t *list = json_array();
		json_object_set_new(rels, f->rel[r]->id, json_string(verdict_name(rv->overall)));
		for (size_t k = 0; k < rv->n; k++)
			if (rv->c[k].v == V_NOT_CERTIFIED)
				json_array_append_new(list,
						      json_pack("{s:s,s:s,s:s}", "component", rv->c[k].component,
								"subject", rv->c[k].subject, "rule", rv->c[k].rule));
		if (json_array_size(list))
			json_object_set_new(blk, f->rel[r]->id, list);
		else
			json_decref(list);
	}
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "name", h->name, "file", h->file, "cpu", h->cpu, "releases", rels,
			 "blockers", blk);
}

void fleet_json(FILE *out, const struct fleet *f)
{
	json_t *hosts = json_array(), *rels = json_array();
	for (size_t i = 0; i < f->nh; i++)
		json_array_append_new(hosts, host(f, &f->h[i]));
	for (size_t r = 0; r < f->nrel; r++)
		json_array_append_new(rels, json_pack("{s:s,s:s?,s:i}", "id", f->rel[r]->id, "name", f->rel[r]->name,
						      "hosts_runnable", f->runnable[r]));
	json_t *ties = json_array();
	for (size_t r = 0; r < f->nrel; r++)
		if (fleet_ties(f, r))
			json_array_append_new(ties, json_string(f->rel[r]->id));
	json_t *doc = json_pack("{s:s,s:s?,s:o,s:i,s:o,s:o}", "schema", "hvcert-fleet/1", "best_release",
				f->best >= 0 ? f->rel[f->best]->id : NULL, "best_releases", ties, "hosts_total",
				(int)f->nh, "releases", rels, "hosts", hosts);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (s)
		fprintf(out, "%s\n", s);
	free(s);
	json_decref(doc);
}
