/* Where each part of a probe comes from: one table of the sources a
 * command line can name (a saved probe, CPU dumps, PCI listings, hwloc XML,
 * a captured tree), each with its option, help and reader. The CLI builds
 * its options and help from it, probe.c picks readers from it, so an
 * option, its help text and its replay twin cannot drift apart. */
#ifndef HVCERT_PROBE_SOURCES_H
#define HVCERT_PROBE_SOURCES_H
#include <stddef.h>
#include <stdio.h>

struct probe;
struct probe_opts;

/* The part of a probe a source describes. */
enum probe_part { PART_ALL, PART_CPU, PART_PCI, PART_TOPOLOGY, PART_HOST };

struct probe_source {
	const char *option;  /* long option, without "--" */
	const char *argname; /* FILE or DIR */
	enum probe_part part;
	const char *help;
	size_t field; /* offsetof(struct probe_opts, ...): where the option's value goes */
	/* Reads the part from path (a dump of another machine); NULL for the
	 * whole-probe and whole-host sources, which probe.c handles itself. */
	int (*read)(struct probe *p, const char *path, char *err, size_t errlen);
};

extern const struct probe_source probe_sources[];
extern const size_t probe_nsources;

/* The value o holds for s, or NULL (not given). */
const char *probe_source_value(const struct probe_opts *o, const struct probe_source *s);
/* Stores a value for s in o. */
void probe_source_set(struct probe_opts *o, const struct probe_source *s, const char *value);
/* The given source of part (the first in table order), or NULL. */
const struct probe_source *probe_source_given(const struct probe_opts *o, enum probe_part part);
/* The sources' help lines ("  --cpuid-dump FILE   CPUID from ..."). */
void probe_sources_help(FILE *f);
/* Refuses sources that contradict each other (two of the same part, a
 * saved probe with anything else, a dump of a part a bundle records), then
 * fills p: a saved probe, or probe_collect. 0 or -1 with err. */
int probe_from_sources(struct probe *p, const struct probe_opts *o, char *err, size_t errlen);
#endif
