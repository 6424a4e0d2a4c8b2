#include "reports/bench_doc.h"

#include <string.h>

const char *bench_doc_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

json_t *bench_doc_find(json_t *doc, const char *guest, const char *workload, const char *mode)
{
	size_t i;
	json_t *r;
	json_array_foreach (json_object_get(doc, "results"), i, r)
		if (!strcmp(bench_doc_str(r, "guest"), guest) && !strcmp(bench_doc_str(r, "workload"), workload) &&
		    !strcmp(bench_doc_str(r, "mode"), mode))
			return r;
	return NULL;
}

double bench_doc_num(json_t *r, const char *k)
{
	json_t *v = r ? json_object_get(r, k) : NULL;
	return json_is_number(v) ? json_number_value(v) : -1;
}
