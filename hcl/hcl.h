/* The hardware compatibility list: releases, their requirements, and CPU,
 * PCI, system, baseline and CPU-model entries (docs/hcl-format.md). */
#ifndef HVCERT_HCL_H
#define HVCERT_HCL_H
#include <stddef.h>
#include <stdint.h>

#define HCL_ANY 0xFFFFFFFFu /* wildcard ID */

enum hcl_state { HS_NONE, HS_SUPPORTED, HS_DEPRECATED, HS_UNSUPPORTED };

struct hcl_loc {
	const char *file; /* interned */
	int line;
};

/* One "RELEASE=STATE" field; release may be "LINE/ *". */
struct hcl_rs {
	const char *release;
	enum hcl_state st;
};

struct hcl_states {
	struct hcl_rs *v;
	int n;
};

struct hcl_release {
	const char *id, *line, *version, *name, *after, *source;
	int devices_complete;
	char classes[16][8];
	int nclasses;
	struct hcl_loc loc;
};

enum hcl_req_kind { RQ_LEVEL, RQ_FEATURE, RQ_VIRT_HW, RQ_VIRT_TDP, RQ_VIRT_PVM, RQ_VIRT_NO_KPTI };

struct hcl_require {
	const char *release, *feature, *source;
	enum hcl_req_kind kind;
	int level;
	enum hcl_state st;
	struct hcl_loc loc;
};

struct hcl_cpu {
	const char *vendor, *platform, *note, *source;
	unsigned fam_lo, fam_hi, mod_lo, mod_hi, step_lo, step_hi;
	struct hcl_states states;
	struct hcl_loc loc;
};

struct hcl_pci {
	uint32_t ven, dev, sven, sdev; /* HCL_ANY for '*' */
	uint32_t class_code;
	int class_digits; /* 0 (any), 2, 4 or 6 */
	const char *driver, *fw_min, *name, *source;
	struct hcl_states states;
	struct hcl_loc loc;
};

struct hcl_system {
	const char *vendor, *product, *source;
	struct hcl_states states;
	struct hcl_loc loc;
};

struct hcl_baseline {
	const char *id, *vendor, *name, *adds, *source; /* adds: comma list */
	int order;
	struct hcl_loc loc;
};

struct hcl_cpumodel {
	const char *id, *vendor, *features, *source; /* features: comma list */
	int order;
	struct hcl_loc loc;
};

#define HCL_ARRAY(T, name)                                                                                             \
	T *name;                                                                                                       \
	size_t n_##name, cap_##name

struct hcl_pool; /* interned strings */

struct hcl_db {
	HCL_ARRAY(struct hcl_release, releases);
	HCL_ARRAY(struct hcl_require, requires);
	HCL_ARRAY(struct hcl_cpu, cpus);
	HCL_ARRAY(struct hcl_pci, pcis);
	HCL_ARRAY(struct hcl_system, systems);
	HCL_ARRAY(struct hcl_baseline, baselines);
	HCL_ARRAY(struct hcl_cpumodel, cpumodels);
	struct hcl_pool *pool;
	int files;
	const char *root; /* the data directory the shipped database is in (borrowed), or NULL */
};

void hcl_init(struct hcl_db *db);
void hcl_free(struct hcl_db *db);
/* A record's file as reports name it: relative to the parent of db->root
 * ("data/hcl/esxi.hcl") when it lies there, else as it was given. */
const char *hcl_file_name(const struct hcl_db *db, const char *file);
/* Parses one file into db. 0, or -1 with "file:line:column: why". */
int hcl_load_file(struct hcl_db *db, const char *path, char *err, size_t errlen);
/* Every *.hcl in dir, in name order. */
int hcl_load_dir(struct hcl_db *db, const char *dir, char *err, size_t errlen);
const char *hcl_intern(struct hcl_db *db, const char *s);

/* LINE/VERSION, lowercase [a-z0-9._-] on each side, at most 47 bytes (a
 * release is a key in RELEASE=STATE fields); allow_glob: LINE/ * too. */
int hcl_release_id_ok(const char *s, int allow_glob);
const char *hcl_state_name(enum hcl_state st);
const struct hcl_release *hcl_release(const struct hcl_db *db, const char *id);
/* The releases named by ids[0..n) (n == 0: every release of db), at most
 * max. 0, or -1 with err "unknown release 'x'; known: ..." (or too many). */
int hcl_releases_named(const struct hcl_db *db, const char *const *ids, size_t n, const struct hcl_release **out,
		       size_t max, size_t *nout, char *err, size_t errlen);
/* Whether a "LINE/ *" or exact pattern covers release id. */
int hcl_release_match(const char *pattern, const char *id);
/* The state an entry gives release id (exact beats LINE/ *), HS_NONE if none. */
enum hcl_state hcl_state_for(const struct hcl_states *s, const char *id);
/* Whether a comma list ("a,b,c") holds word. */
int hcl_list_has(const char *list, const char *word);
#endif
