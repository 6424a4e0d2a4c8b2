#include "hcl/fleet.h"

#include "common/dirlist.h"
#include "common/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void fleet_init(struct fleet *f, const struct hcl_release **rel, size_t nrel)
{
	memset(f, 0, sizeof(*f));
	f->rel = rel, f->nrel = nrel, f->best = -1;
}

int fleet_runs(enum verdict v)
{
	return v == V_CERTIFIED || v == V_WARN;
}

/* "dir/host-17.json" -> "host-17" */
static void host_name(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	snprintf(out, n, "%s", b);
	char *dot = strrchr(out, '.');
	if (dot && dot != out)
		*dot = '\0';
}

static int add_file(struct fleet *f, const struct hcl_db *db, const char *path, const char *data_dir, char *err,
		    size_t errlen)
{
	struct probe p;
	if (grow_array((void **)&f->h, &f->caph, f->nh, sizeof(*f->h))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	struct fleet_host *h = &f->h[f->nh];
	memset(h, 0, sizeof(*h));
	probe_init(&p);
	if (probe_load_host(&p, path, data_dir, err, errlen)) {
		probe_free(&p);
		return -1;
	}
	h->rv = calloc(f->nrel ? f->nrel : 1, sizeof(*h->rv));
	if (!h->rv) {
		snprintf(err, errlen, "%s: out of memory", path);
		probe_free(&p);
		return -1;
	}
	host_name(path, h->name, sizeof(h->name));
	snprintf(h->file, sizeof(h->file), "%s", path);
	snprintf(h->cpu, sizeof(h->cpu), "%s", p.cpu.brand);
	for (size_t r = 0; r < f->nrel; r++)
		certify_release(db, &p, f->rel[r], &h->rv[r]);
	probe_free(&p);
	f->nh++;
	return 0;
}

/* Every regular file of dir: links, FIFOs and subdirectories are not hosts. */
static int add_dir(struct fleet *f, const struct hcl_db *db, const char *dir, const char *data_dir, char *err,
		   size_t errlen)
{
	char **names;
	size_t n;
	int rc = 0;
	if (dirlist(dir, NULL, DIRLIST_REGULAR, &names, &n, err, errlen))
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_file(f, db, names[i], data_dir, err, errlen);
	dirlist_free(names, n);
	if (rc == 0 && n == 0) {
		snprintf(err, errlen, "%s: no host files in this directory", dir);
		rc = -1;
	}
	return rc;
}

int fleet_add(struct fleet *f, const struct hcl_db *db, const char *path, const char *data_dir, char *err,
	      size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return add_dir(f, db, path, data_dir, err, errlen);
	return add_file(f, db, path, data_dir, err, errlen);
}

void fleet_summarise(struct fleet *f)
{
	int best_cert = -1;
	free(f->runnable);
	f->runnable = calloc(f->nrel ? f->nrel : 1, sizeof(*f->runnable));
	f->best = -1;
	for (size_t r = 0; f->runnable && r < f->nrel; r++) {
		int cert = 0;
		for (size_t i = 0; i < f->nh; i++) {
			f->runnable[r] += fleet_runs(f->h[i].rv[r].overall);
			cert += f->h[i].rv[r].overall == V_CERTIFIED;
		}
		/* Most hosts run it; among equals, the one most hosts run without a warning. */
		if (f->runnable[r] > 0 && (f->best < 0 || f->runnable[r] > f->runnable[f->best] ||
					   (f->runnable[r] == f->runnable[f->best] && cert >= best_cert)))
			f->best = (long)r, best_cert = cert;
	}
}

int fleet_ties(const struct fleet *f, size_t r)
{
	return f->best >= 0 && r < f->nrel && f->runnable[r] == f->runnable[f->best];
}

void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->nh; i++) {
		for (size_t r = 0; r < f->nrel; r++)
			release_verdict_free(&f->h[i].rv[r]);
		free(f->h[i].rv);
	}
	free(f->h);
	free(f->runnable);
	memset(f, 0, sizeof(*f));
}
