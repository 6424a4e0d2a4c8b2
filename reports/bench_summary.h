/* The bench report's summary and technique table (bench_summary.c). */
#ifndef HVCERT_BENCH_SUMMARY_H
#define HVCERT_BENCH_SUMMARY_H
#include <stdio.h>

/* Per technique: compute overhead (geomean, 95% interval), costliest operations. */
struct bench_results;
void bench_summary(FILE *html, FILE *md, const struct bench_results *doc);
/* Per sensitive operation: cycles under each technique and what it paid. */
void bench_techniques(FILE *html, FILE *md, const struct bench_results *doc);
#endif
