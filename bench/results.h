/* A bench results file (docs/bench-json.md), typed: the one place that
 * knows its schema. bench writes rows through bench_row_json and the
 * document through bench_results_save; compare and report load it with
 * bench_results_load and read rows, never the JSON's field names. */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H
#include <jansson.h>
#include <stddef.h>

#define BENCH_SCHEMA "hvcert-bench/1"
/* Bench runs at most 1000 repetitions, and no profile has more rows than
 * this: beyond either a file is not one bench wrote (and compare's
 * bootstrap over it would run for hours). */
#define BENCH_MAX_SAMPLES 1000
#define BENCH_MAX_RESULTS 4096

/* One (guest, workload, mode) row. Figures a file does not hold (or holds
 * as something other than a number) are -1; a loaded row's strings and
 * samples belong to its bench_results. */
struct bench_row {
	const char *guest, *workload, *mode, *checksum;
	long long iters;	    /* operations per repetition, 0 if unknown */
	const double *v;	    /* cycles per iteration, one per repetition */
	const double *wall;	    /* wall-clock ms per repetition (writing only) */
	size_t n;		    /* repetitions */
	double median, min, spread; /* spread: IQR / median */
	double overhead;	    /* median / native median of the same run */
	int matches_native;	    /* checksum equals native's: 1, 0, -1 no native row */
	const char *suspect;	    /* why the figure is implausible, or NULL */
};

/* The result object of a row, as bench writes it. */
json_t *bench_row_json(const struct bench_row *r);

/* "(guest, workload, mode)" of a row. */
void bench_row_name(const struct bench_row *r, char *out, size_t n);

struct bench_results {
	json_t *doc;		/* the whole document (provenance: host, modes) */
	const char *path;	/* as given to bench_results_load */
	struct bench_row *rows; /* in file order */
	size_t n;
	json_t *index; /* row key -> row number + 1 */
};

/* Reads and validates a results file (a regular file, through
 * common/safefile): the schema, and every result a (guest, workload, mode)
 * row of its own whose samples are 1..BENCH_MAX_SAMPLES finite positive
 * numbers. 0, or -1 with err naming the file and the row. */
int bench_results_load(struct bench_results *r, const char *path, char *err, size_t errlen);
void bench_results_free(struct bench_results *r);
/* The row of (guest, workload, mode), or NULL. */
const struct bench_row *bench_results_find(const struct bench_results *r, const char *guest, const char *workload,
					   const char *mode);
/* The run's --label, or its path when it has none. */
const char *bench_results_label(const struct bench_results *r);
/* What the run recorded about mode: its entry in "modes", or NULL. */
json_t *bench_results_mode(const struct bench_results *r, const char *mode);
/* Runs of guest (workload, or all of a guest's when the failure names
 * none) under mode that printed no result. */
size_t bench_results_failures(const struct bench_results *r, const char *guest, const char *workload, const char *mode);
/* Median over repetitions of vmm-mini counter key in the runs of
 * (guest, workload, mode); -1 when no run recorded counters. */
double bench_results_counter(const struct bench_results *r, const char *guest, const char *workload, const char *mode,
			     const char *key);

/* Writes doc to path through a temporary beside it, renamed over path when
 * whole: a lost write is -1 with err, and leaves the previous file. */
struct sf_out;
int bench_results_save(json_t *doc, struct sf_out *o, char *err, size_t errlen);
#endif
