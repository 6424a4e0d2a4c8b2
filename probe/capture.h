/* Copies the parts of /sys, /proc and /dev the probe reads into a tree that
 * `hvcert probe --sysroot DIR` replays: a support bundle of this host. */
#ifndef HVCERT_CAPTURE_H
#define HVCERT_CAPTURE_H
#include <stddef.h>

struct capture_stats {
	int files, dirs, links, nodes, unreadable;
};

/* What a bundle holds besides the tree: answers no file can give. */
#define CAPTURE_CPU "/hvcert/cpu.json" /* the raw CPUID and MSRs (hvcert-cpu/1) */
/* hwloc's view, caches included: on hosts without sysfs cache directories
 * hwloc takes caches from CPUID, which a replay of the tree cannot. */
#define CAPTURE_TOPOLOGY "/hvcert/topology.xml"

/* from: source root ("" for the live system); to: new tree. 0 or -1 + err. */
int capture_tree(const char *from, const char *to, struct capture_stats *st, char *err, size_t errlen);
#endif
