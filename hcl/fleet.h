/* A fleet: many hosts' saved probes (or CPU dumps) judged against the same
 * releases, as one hosts x releases matrix with each host's blockers and
 * the release that the most hosts can run. */
#ifndef HVCERT_FLEET_H
#define HVCERT_FLEET_H
#include "hcl/certify.h"

struct fleet_host {
	char name[128], file[4096], cpu[64];
	struct release_verdict *rv; /* one per fleet release */
};

struct fleet {
	const struct hcl_release **rel;
	size_t nrel;
	struct fleet_host *h;
	size_t nh, caph;
	int *runnable; /* per release: hosts CERTIFIED or WARN on it */
	long best;     /* index into rel of the release most hosts run (ties: the
			* one most hosts run without a warning, then the later in the
			* database: a newer release of its line); -1 if none */
};

/* Judges against rel[0..nrel) (the array is kept, not copied). */
void fleet_init(struct fleet *f, const struct hcl_release **rel, size_t nrel);
/* Adds PATH: a probe document or CPU dump, or a directory of them (its
 * regular files, sorted; hidden files skipped). 0 or -1 + "file: why". */
int fleet_add(struct fleet *f, const struct hcl_db *db, const char *path, const char *data_dir, char *err,
	      size_t errlen);
/* Counts what each release can run and picks the best one. */
void fleet_summarise(struct fleet *f);
void fleet_free(struct fleet *f);
/* Whether release r is run by as many hosts as the best one. */
int fleet_ties(const struct fleet *f, size_t r);
/* Whether a verdict lets a host run a release (CERTIFIED or WARN). */
int fleet_runs(enum verdict v);
#endif
