/* hvcert compare's text: the rows both runs have, the verdict line, and
 * --history's trend table (bench/compare.h computes them). */
#ifndef HVCERT_COMPARE_TEXT_H
#define HVCERT_COMPARE_TEXT_H
#include "bench/compare.h"

#include <stdio.h>

/* The table and the last line: "N regressions", or "not comparable: ..."
 * when a row is in one run only (never "0 regressions" then: a gate
 * grepping for it must not pass). */
void compare_text(FILE *f, const struct bench_comparison *c);
/* One line per row of the newest run with its median in every run. */
void history_text(FILE *f, const struct bench_history *h);
/* "(g, w, m) is in A only, not in B: why" of missing row i. */
void compare_missing_text(char *out, size_t n, const struct bench_missing *m);
#endif
