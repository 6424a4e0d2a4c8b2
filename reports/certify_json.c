#include "reports/certify_report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *id_or_null(uint32_t v)
{
	char b[8];
	if (v == PCI_ID_UNKNOWN)
		return json_null();
	snprintf(b, sizeof(b), "%04x", v & 0xffff);
	return json_string(b);
}

/* The fields that say which CPU or device a verdict is about. */
static void identity(json_t *o, const struct comp_verdict *c)
{
	char b[32];
	if (!strcmp(c->component, "cpu")) {
		snprintf(b, sizeof(b), "0x%08x", c->cpu.signature);
		json_object_set_new(o, "vendor", json_string(c->cpu.vendor));
		json_object_set_new(o, "family", json_integer(c->cpu.family));
		json_object_set_new(o, "model", json_integer(c->cpu.model));
		json_object_set_new(o, "stepping", json_integer(c->cpu.stepping));
		json_object_set_new(o, "signature", json_string(b));
	} else if (!strcmp(c->component, "pci")) {
		snprintf(b, sizeof(b), "%04x:%02x:%02x.%x", c->pci.domain, c->pci.bus, c->pci.dev, c->pci.func);
		json_object_set_new(o, "bdf", json_string(b));
		json_object_set_new(o, "vendor_id", id_or_null(c->pci.vendor));
		json_object_set_new(o, "device_id", id_or_null(c->pci.device));
		json_object_set_new(o, "subvendor_id", id_or_null(c->pci.subvendor));
		json_object_set_new(o, "subdevice_id", id_or_null(c->pci.subdevice));
		snprintf(b, sizeof(b), "%04x", c->pci.class_code >> 8);
		json_object_set_new(o, "class", json_string(b));
		json_object_set_new(o, "driver",
				    c->pci.driver_known && c->pci.driver[0] ? json_string(c->pci.driver) : json_null());
	}
}

static json_t *component(const struct comp_verdict *c)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "kind", c->component, "component", c->component, "subject",
			      c->subject, "verdict", verdict_name(c->v));
	identity(o, c);
	json_object_set_new(o, "rule", json_string(c->rule));
	json_object_set_new(o, "rule_file", c->rule_file[0] ? json_string(c->rule_file) : json_null());
	json_object_set_new(o, "rule_line", c->rule_file[0] ? json_integer(c->rule_line) : json_null());
	json_object_set_new(o, "source", json_string(c->source));
	json_object_set_new(o, "candidates", json_string(c->explain));
	return o;
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
	json_t *sources = json_pack("{s:s,s:s,s:s,s:s}", "cpu", v->p->raw.source, "pci", probe_pci_source(v->p), "host",
				    v->p->host_source, "topology", probe_topology_source(v->p));
	json_t *doc =
	    json_pack("{s:s,s:s,s:s?,s:o,s:o}", "schema", "hvcert-certify/2", "cpu", v->p->cpu.brand, "platform",
		      v->p->uarch.found ? v->p->uarch.platform : NULL, "sources", sources, "releases", rels);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (s)
		fprintf(out, "%s\n", s);
	free(s);
	json_decref(doc);
}
