/* hvcert baseline's text and JSON (schema hvcert-baseline/1). */
#include "reports/baseline_report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *name_of(const void *x, int evc)
{
	if (!x)
		return "none";
	return evc ? ((const struct hcl_baseline *)x)->id : ((const struct hcl_cpumodel *)x)->id;
}

void baseline_text(FILE *f, const struct cluster_baseline *b)
{
	fprintf(f, "hvcert baseline: %d host%s\n\n", b->nhosts, b->nhosts == 1 ? "" : "s");
	fprintf(f, "  %-34s %-6s %-22s %s\n", "host", "level", "EVC-style baseline", "newest QEMU model");
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		const char *base = strrchr(h->name, '/');
		fprintf(f, "  %-34.34s v%-5d %-22s %s\n", base ? base + 1 : h->name, h->level, name_of(h->evc, 1),
			name_of(h->model, 0));
	}
	fprintf(f, "\ncluster: x86-64-v%d, baseline %s, CPU model %s\n", b->level, name_of(b->evc, 1),
		name_of(b->model, 0));
	if (b->mixed_vendors) {
		fprintf(f, "  mixed CPU vendors: live migration between hosts of different CPU vendors is not\n"
			   "  supported (the guest would see its vendor change); only the x86-64 level is common\n");
		return;
	}
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		const char *base = strrchr(h->name, '/') ? strrchr(h->name, '/') + 1 : h->name;
		if (h->evc == b->evc && h->evc_missing[0])
			fprintf(f, "  %s holds the baseline at %s: the next baseline needs %s\n", base,
				name_of(h->evc, 1), h->evc_missing);
		if (h->model == b->model && h->model_missing[0])
			fprintf(f, "  %s holds the CPU model at %s: the next model needs %s\n", base,
				name_of(h->model, 0), h->model_missing);
	}
}

void baseline_json(FILE *f, const struct cluster_baseline *b)
{
	json_t *hosts = json_array();
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		json_array_append_new(hosts, json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "host", h->name, "level", h->level,
						       "baseline", name_of(h->evc, 1), "cpu_model",
						       name_of(h->model, 0), "lacks_for_next_baseline", h->evc_missing,
						       "lacks_for_next_model", h->model_missing));
	}
	json_t *doc = json_pack("{s:s,s:b,s:i,s:s,s:s,s:o}", "schema", "hvcert-baseline/1", "mixed_vendors",
				b->mixed_vendors, "level", b->level, "baseline", name_of(b->evc, 1), "cpu_model",
				name_of(b->model, 0), "hosts", hosts);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fprintf(f, "%s\n", s ? s : "{}");
	free(s);
	json_decref(doc);
}
