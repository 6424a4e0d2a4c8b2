#ifndef HVCERT_LINT_H
#define HVCERT_LINT_H
#include <stdio.h>

#include "cpuid_bits.h"
#include "hcl.h"

/* Prints one "file:line:column: why" per problem to out; returns how many.
 * bits may be NULL (feature lists of baselines/models are then unchecked). */
int hcl_lint(const struct hcl_db *db, const struct cpuid_bits *bits, FILE *out);
#endif
