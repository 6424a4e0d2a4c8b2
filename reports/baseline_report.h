/* Renderers of a cluster baseline (hcl/baseline.h). */
#ifndef HVCERT_BASELINE_REPORT_H
#define HVCERT_BASELINE_REPORT_H
#include "hcl/baseline.h"

#include <stdio.h>

/* Each host's level, baseline and model, the cluster's, and who holds it back. */
void baseline_text(FILE *f, const struct cluster_baseline *b);
void baseline_json(FILE *f, const struct cluster_baseline *b);
#endif
