/* Reading a bench results document (docs/bench-json.md) for the renderers:
 * lookups that tolerate a field of the wrong type. */
#ifndef HVCERT_BENCH_DOC_H
#define HVCERT_BENCH_DOC_H
#include <jansson.h>
#include <stdio.h>

/* String field k of o, "" when absent or not a string. */
const char *bench_doc_str(json_t *o, const char *k);
/* The result of (guest, workload, mode), or NULL. */
json_t *bench_doc_find(json_t *doc, const char *guest, const char *workload, const char *mode);
/* Number field k of result r, -1 when absent (r may be NULL). */
double bench_doc_num(json_t *r, const char *k);
#endif
