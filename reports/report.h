/* Renderers for findings. Text here; JSON is the probe document itself. */
#ifndef HVCERT_REPORT_H
#define HVCERT_REPORT_H
#include <stdio.h>

#include "probe/assess.h"

/* verbose: also print INFO reasons and every PCI device. */
void report_text(FILE *out, const struct probe *p, const struct findings *fs, int verbose);
#endif
