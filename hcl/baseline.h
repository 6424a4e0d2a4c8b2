/* Cluster CPU baseline for live migration: the newest x86-64 level, EVC-style
 * baseline and hypervisor CPU model every host supports, and who holds the
 * cluster back. */
#ifndef HVCERT_BASELINE_H
#define HVCERT_BASELINE_H
#include "hcl/cpuid_bits.h"
#include "hcl/hcl.h"
#include "probe/probe.h"

#define BASELINE_MAX_HOSTS 64

struct host_rank {
	const char *name;
	int level;
	const struct hcl_baseline *evc;	  /* newest fully supported, NULL none */
	const struct hcl_cpumodel *model; /* newest fully supported, NULL none */
	char evc_missing[512];		  /* what the next baseline needs that this host lacks */
	char model_missing[512];	  /* same for the next CPU model */
};

struct cluster_baseline {
	int mixed_vendors;
	const char *vendor;
	int level;
	const struct hcl_baseline *evc;
	const struct hcl_cpumodel *model;
	struct host_rank host[BASELINE_MAX_HOSTS];
	int nhosts;
};

/* names[i] labels hosts[i]. 0, or -1 with err (e.g. unknown feature). */
int cluster_baseline(const struct hcl_db *db, const struct cpuid_bits *bits, const struct probe *hosts,
		     const char *const *names, int n, struct cluster_baseline *out, char *err, size_t errlen);
/* The same from files: each path a probe document (--save) or a CPU dump
 * of any format probe_load_host reads; data_dir holds cpuid-bits.tsv.
 * 0, or -1 with err naming the file. */
int cluster_baseline_files(const struct hcl_db *db, const char *data_dir, char *const *paths, int n,
			   struct cluster_baseline *out, char *err, size_t errlen);
#endif
