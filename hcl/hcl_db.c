/* Lifetime and lookups of the loaded database. */
#include "hcl/hcl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hcl_pool_free(struct hcl_pool *p);

void hcl_init(struct hcl_db *db)
{
	memset(db, 0, sizeof(*db));
}

void hcl_free(struct hcl_db *db)
{
	for (size_t i = 0; i < db->n_cpus; i++)
		free(db->cpus[i].states.v);
	for (size_t i = 0; i < db->n_pcis; i++)
		free(db->pcis[i].states.v);
	for (size_t i = 0; i < db->n_systems; i++)
		free(db->systems[i].states.v);
	free(db->releases);
	free(db->requires);
	free(db->cpus);
	free(db->pcis);
	free(db->systems);
	free(db->baselines);
	free(db->cpumodels);
	hcl_pool_free(db->pool);
	hcl_init(db);
}

const char *hcl_state_name(enum hcl_state st)
{
	static const char *const n[] = {"none", "supported", "deprecated", "unsupported"};
	return st <= HS_UNSUPPORTED ? n[st] : "?";
}

const struct hcl_release *hcl_release(const struct hcl_db *db, const char *id)
{
	for (size_t i = 0; i < db->n_releases; i++)
		if (strcmp(db->releases[i].id, id) == 0)
			return &db->releases[i];
	return NULL;
}

int hcl_releases_named(const struct hcl_db *db, const char *const *ids, size_t n, const struct hcl_release **out,
		       size_t max, size_t *nout, char *err, size_t errlen)
{
	*nout = 0;
	for (size_t i = 0; !n && i < db->n_releases && *nout < max; i++)
		out[(*nout)++] = &db->releases[i];
	for (size_t i = 0; i < n; i++) {
		const struct hcl_release *r = hcl_release(db, ids[i]);
		if (r && *nout == max) {
			snprintf(err, errlen, "more than %zu releases", max);
			return -1;
		}
		if (!r) {
			int l = snprintf(err, errlen, "unknown release '%s'; known:", ids[i]);
			for (size_t k = 0; k < db->n_releases && l > 0 && (size_t)l < errlen; k++)
				l += snprintf(err + l, errlen - (size_t)l, " %s", db->releases[k].id);
			return -1;
		}
		out[(*nout)++] = r;
	}
	return 0;
}

int hcl_release_match(const char *pattern, const char *id)
{
	size_t n = strlen(pattern);
	if (n >= 2 && strcmp(pattern + n - 2, "/*") == 0)
		return strncmp(pattern, id, n - 1) == 0;
	return strcmp(pattern, id) == 0;
}

enum hcl_state hcl_state_for(const struct hcl_states *s, const char *id)
{
	enum hcl_state glob = HS_NONE;
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].release, id) == 0)
			return s->v[i].st;
		if (hcl_release_match(s->v[i].release, id))
			glob = s->v[i].st;
	}
	return glob;
}

int hcl_list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

const char *hcl_file_name(const struct hcl_db *db, const char *file)
{
	size_t n = db->root ? strlen(db->root) : 0;
	if (!n || !file || strncmp(file, db->root, n) != 0 || file[n] != '/')
		return file;
	const char *slash = strrchr(db->root, '/');
	return file + (slash ? (size_t)(slash - db->root) + 1 : 0);
}
