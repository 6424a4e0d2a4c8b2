#ifndef HVCERT_LINT_H
#define HVCERT_LINT_H
#include <stdio.h>

#include "hcl/cpuid_bits.h"
#include "hcl/hcl.h"

/* Prints one "file:line:column: why" per problem to out; returns how many.
 * bits may be NULL (feature lists of baselines/models are then unchecked). */
int hcl_lint(const struct hcl_db *db, const struct cpuid_bits *bits, FILE *out);
/* hcl_lint with DATA_DIR/cpuid-bits.tsv; when that cannot be read, note
 * says why (else it is "") and feature lists go unchecked. */
int hcl_lint_data(const struct hcl_db *db, const char *data_dir, FILE *out, char *note, size_t n);
#endif
