/* Consistency of the whole database; syntax is checked while parsing. */
#include "hcl/lint.h"

#include "probe/cpu_decode.h"

#include <stdlib.h>
#include <string.h>

struct lint {
	const struct hcl_db *db;
	FILE *out;
	int n;
};

static void problem(struct lint *l, const struct hcl_loc *loc, const char *fmt, const char *a, const char *b)
{
	fprintf(l->out, "%s:%d:1: ", loc->file, loc->line);
	fprintf(l->out, fmt, a ? a : "", b ? b : "");
	fputc('\n', l->out);
	l->n++;
}

static int declared(const struct hcl_db *db, const char *pattern)
{
	for (size_t i = 0; i < db->n_releases; i++)
		if (hcl_release_match(pattern, db->releases[i].id))
			return 1;
	return 0;
}

static void states_declared(struct lint *l, const struct hcl_states *s, const struct hcl_loc *loc)
{
	for (int i = 0; i < s->n; i++)
		if (!declared(l->db, s->v[i].release))
			problem(l, loc, "unknown release '%s' (declare it with a release record)%s", s->v[i].release,
				NULL);
}

static void releases(struct lint *l)
{
	const struct hcl_db *db = l->db;
	for (size_t i = 0; i < db->n_releases; i++) {
		const struct hcl_release *r = &db->releases[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(db->releases[j].id, r->id) == 0)
				problem(l, &r->loc, "duplicate release '%s' (first declared at %s)", r->id,
					db->releases[j].loc.file);
		if (r->after && !hcl_release((struct hcl_db *)db, r->after))
			problem(l, &r->loc, "after=%s is not a declared release%s", r->after, NULL);
	}
	for (size_t i = 0; i < db->n_requires; i++) {
		const struct hcl_require *q = &db->requires[i];
		if (!declared(db, q->release))
			problem(l, &q->loc, "unknown release '%s'%s", q->release, NULL);
		if (q->kind == RQ_FEATURE) {
			int known = 0;
			for (int f = 0; f < F_NUM; f++)
				known |= strcmp(cpu_feat_table[f].name, q->feature) == 0;
			if (!known)
				problem(l, &q->loc,
					"unknown feature '%s' (names of cpu_feat_table, /proc/cpuinfo spelling)%s",
					q->feature, NULL);
		}
	}
}

static int same_states_release(const struct hcl_states *a, const struct hcl_states *b, const char **rel)
{
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			if (strcmp(a->v[i].release, b->v[j].release) == 0) {
				*rel = a->v[i].release;
				return 1;
			}
	return 0;
}

static void cpus(struct lint *l)
{
	const struct hcl_db *db = l->db;
	for (size_t i = 0; i < db->n_cpus; i++) {
		const struct hcl_cpu *a = &db->cpus[i];
		states_declared(l, &a->states, &a->loc);
		for (size_t j = 0; j < i; j++) {
			const struct hcl_cpu *b = &db->cpus[j];
			const char *rel;
			int overlap = strcmp(a->vendor, b->vendor) == 0 && a->fam_lo <= b->fam_hi &&
				      b->fam_lo <= a->fam_hi && a->mod_lo <= b->mod_hi && b->mod_lo <= a->mod_hi &&
				      a->step_lo <= b->step_hi && b->step_lo <= a->step_hi;
			int same_range = a->fam_lo == b->fam_lo && a->fam_hi == b->fam_hi && a->mod_lo == b->mod_lo &&
					 a->mod_hi == b->mod_hi && a->step_lo == b->step_lo && a->step_hi == b->step_hi;
			/* A narrower entry overriding a wider one is how exceptions are
			 * written; only equal ranges are ambiguous. */
			if (overlap && same_range && same_states_release(&a->states, &b->states, &rel)) {
				char where[300];
				snprintf(where, sizeof(where), "%s:%d", b->loc.file, b->loc.line);
				problem(l, &a->loc, "duplicate cpu entry for release %s (same ranges as %s)", rel,
					where);
			}
		}
	}
}

static int pci_key_cmp(const void *x, const void *y)
{
	const struct hcl_pci *a = *(const struct hcl_pci *const *)x, *b = *(const struct hcl_pci *const *)y;
	uint32_t ka[6] = {a->ven, a->dev, a->sven, a->sdev, a->class_code, (uint32_t)a->class_digits};
	uint32_t kb[6] = {b->ven, b->dev, b->sven, b->sdev, b->class_code, (uint32_t)b->class_digits};
	for (int i = 0; i < 6; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

static void pcis(struct lint *l)
{
	const struct hcl_db *db = l->db;
	const struct hcl_pci **idx = malloc(db->n_pcis * sizeof(*idx) + 1);
	if (!idx)
		return;
	for (size_t i = 0; i < db->n_pcis; i++) {
		idx[i] = &db->pcis[i];
		states_declared(l, &db->pcis[i].states, &db->pcis[i].loc);
	}
	qsort(idx, db->n_pcis, sizeof(*idx), pci_key_cmp);
	for (size_t i = 1; i < db->n_pcis; i++) {
		const char *rel;
		if (pci_key_cmp(&idx[i - 1], &idx[i]) ||
		    !same_states_release(&idx[i - 1]->states, &idx[i]->states, &rel))
			continue;
		/* The later in load order (files, then lines) is the duplicate. */
		const struct hcl_pci *a = idx[i - 1] < idx[i] ? idx[i] : idx[i - 1];
		const struct hcl_pci *b = a == idx[i] ? idx[i - 1] : idx[i];
		char where[300];
		snprintf(where, sizeof(where), "%s:%d", b->loc.file, b->loc.line);
		problem(l, &a->loc, "duplicate pci entry for release %s (same match key as %s)", rel, where);
	}
	free(idx);
}

static void ladder_names(struct lint *l, const char *list, const struct cpuid_bits *bits, const struct hcl_loc *loc)
{
	char tmp[8192];
	snprintf(tmp, sizeof(tmp), "%s", list);
	for (char *save, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!cpuid_bits_find(bits, t))
			problem(l, loc, "feature '%s' is not in data/cpuid-bits.tsv%s", t, NULL);
}

static void ladders(struct lint *l, const struct cpuid_bits *bits)
{
	const struct hcl_db *db = l->db;
	for (size_t i = 0; i < db->n_baselines; i++) {
		const struct hcl_baseline *b = &db->baselines[i];
		for (size_t j = 0; j < i; j++) {
			if (strcmp(db->baselines[j].id, b->id) == 0)
				problem(l, &b->loc, "duplicate baseline id '%s'%s", b->id, NULL);
			else if (strcmp(db->baselines[j].vendor, b->vendor) == 0 && db->baselines[j].order == b->order)
				problem(l, &b->loc, "baseline '%s' has the same order as '%s'", b->id,
					db->baselines[j].id);
		}
		if (bits)
			ladder_names(l, b->adds, bits, &b->loc);
	}
	for (size_t i = 0; i < db->n_cpumodels; i++) {
		const struct hcl_cpumodel *m = &db->cpumodels[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(db->cpumodels[j].id, m->id) == 0)
				problem(l, &m->loc, "duplicate cpumodel id '%s'%s", m->id, NULL);
		if (bits)
			ladder_names(l, m->features, bits, &m->loc);
	}
}

int hcl_lint(const struct hcl_db *db, const struct cpuid_bits *bits, FILE *out)
{
	struct lint l = {db, out, 0};
	releases(&l);
	cpus(&l);
	pcis(&l);
	for (size_t i = 0; i < db->n_systems; i++)
		states_declared(&l, &db->systems[i].states, &db->systems[i].loc);
	ladders(&l, bits);
	return l.n;
}

int hcl_lint_data(const struct hcl_db *db, const char *data_dir, FILE *out, char *note, size_t n)
{
	struct cpuid_bits bits;
	char path[4096];
	snprintf(path, sizeof(path), "%s/cpuid-bits.tsv", data_dir);
	note[0] = '\0';
	int have_bits = cpuid_bits_load(path, &bits, note, n) == 0;
	int problems = hcl_lint(db, have_bits ? &bits : NULL, out);
	if (have_bits)
		cpuid_bits_free(&bits);
	return problems;
}
