/* One probe of one machine: raw inputs (CPUID/MSRs, host facts, PCI) as
 * collected live or replayed, and what is decoded from them. Collection is
 * the only part that does I/O; probe_decode() and assess are pure. */
#ifndef HVCERT_PROBE_H
#define HVCERT_PROBE_H
#include "probe/cpu_decode.h"
#include "probe/cpuid_raw.h"
#include "probe/facts.h"
#include "probe/pci.h"
#include "probe/uarch.h"
#include "probe/virt_caps.h"
#include "probe/virt_facts.h"

/* Where each part comes from (the options of probe/sources.c's table). */
struct probe_opts {
	const char *load;	/* a saved probe document: every part (probe_from_sources) */
	const char *sysroot;	/* replay /sys /proc /dev from here */
	const char *cpuid_dump; /* a CPU dump (any format cpuid_dump.c reads) instead of live CPUID/MSRs */
	const char *lspci;	/* lspci -nn/-nnk/-vvnn text instead of libpci */
	const char *pci_dump;	/* libpci dump (lspci -xxx) instead of live */
	const char *topology;	/* hwloc XML instead of live topology */
	const char *data_dir;	/* where data/cpu-uarch.tsv lives */
	int this_host;		/* dumps given: take what they lack from this host */
};

struct probe {
	/* raw */
	struct cpu_raw raw;
	struct factset host;
	struct pci_list pci;
	int pci_present;    /* a PCI source was read */
	char pci_note[256]; /* why not, when not */
	char host_source[256];
	int host_collected; /* /sys, /proc, /dev were read (live or --sysroot) */
	/* decoded */
	struct cpu_info cpu;
	struct virt_info virt;
	struct virt_facts vf; /* the one judge of virtualization facts */
	struct uarch_match uarch;
};

void probe_init(struct probe *p);
void probe_free(struct probe *p);
/* Reads every source opts selects. 0 or -1 with "file:line: why" in err. */
int probe_collect(struct probe *p, const struct probe_opts *o, char *err, size_t errlen);
/* One host from a file: a probe document (hvcert probe --save) or a CPU
 * dump, told apart by content. 0 or -1 with "file: why" in err. */
int probe_load_host(struct probe *p, const char *path, const char *data_dir, char *err, size_t errlen);
/* Where PCI and topology came from, for reports: a source, "not provided"
 * (dumps of another machine lacked it) or "none" (read, and absent). */
const char *probe_pci_source(const struct probe *p);
const char *probe_topology_source(const struct probe *p);
/* Decodes raw into the decoded half. */
int probe_decode(struct probe *p, const char *data_dir, char *err, size_t errlen);

/* JSON document (docs/probe-json.md), probe_json.c. */
int probe_save_json(const struct probe *p, const char *path, char *err, size_t errlen);
char *probe_to_json(const struct probe *p); /* malloc'd */
int probe_load_json(struct probe *p, const char *path, char *err, size_t errlen);
/* The raw CPU alone ("hvcert-cpu/1"): what `hvcert capture` records so a
 * bundle replays its own CPU, not the one it is replayed on. */
int cpu_raw_save_json(const struct cpu_raw *r, const char *path, char *err, size_t errlen);
int cpu_raw_load_json(const char *path, struct cpu_raw *r, char *err, size_t errlen);
#endif
