/* Bench reports: gnuplot charts (PNG and SVG) and one self-contained HTML
 * page (PNG charts inlined) plus Markdown, from one or more result files. */
#ifndef HVCERT_BENCH_REPORT_H
#define HVCERT_BENCH_REPORT_H
#include <stddef.h>

struct bench_results;
/* runs[0..n) in version order (the trend chart's x axis); the last is the
 * run the tables describe. 0 or -1 with err. */
int bench_report(const struct bench_results *runs, size_t n, const char *dir, char *err, size_t errlen);
#endif
