#include "probe/sources.h"
#include "probe/capture.h"
#include "probe/cpuid_dump.h"
#include "probe/host.h"
#include "probe/probe.h"
#include "probe/sysroot.h"

#include <stddef.h>
#include <string.h>

static int read_cpu(struct probe *p, const char *path, char *err, size_t errlen)
{
	return cpu_raw_read_dump(path, &p->raw, err, errlen);
}

static int read_lspci(struct probe *p, const char *path, char *err, size_t errlen)
{
	return pci_read_lspci_text(path, &p->pci, err, errlen);
}

static int read_pci_dump(struct probe *p, const char *path, char *err, size_t errlen)
{
	return pci_read_dump(path, &p->pci, err, errlen);
}

static int read_topology(struct probe *p, const char *path, char *err, size_t errlen)
{
	return host_read_topology(NULL, path, &p->host, err, errlen);
}

const struct probe_source probe_sources[] = {
    {"load", "FILE", PART_ALL, "a saved probe document (hvcert probe --save)", offsetof(struct probe_opts, load), NULL},
    {"cpuid-dump", "FILE", PART_CPU, "CPUID from a dump (AIDA64, cpuid -r, cpuid_tool, hwloc, /proc/cpuinfo)",
     offsetof(struct probe_opts, cpuid_dump), read_cpu},
    {"lspci", "FILE", PART_PCI, "PCI from lspci -nn/-nnk/-vvnn text", offsetof(struct probe_opts, lspci), read_lspci},
    {"pci-dump", "FILE", PART_PCI, "PCI from a libpci dump (lspci -xxx output)", offsetof(struct probe_opts, pci_dump),
     read_pci_dump},
    {"topology", "FILE", PART_TOPOLOGY, "topology from hwloc XML (lstopo --of xml)",
     offsetof(struct probe_opts, topology), read_topology},
    {"sysroot", "DIR", PART_HOST, "read /sys, /proc and /dev under DIR", offsetof(struct probe_opts, sysroot), NULL},
};
const size_t probe_nsources = sizeof(probe_sources) / sizeof(*probe_sources);

/* Each part's name in messages, and what a captured tree records of it. */
static const struct {
	const char *name, *bundle_record;
} parts[] = {[PART_ALL] = {"the whole probe", NULL},
	     [PART_CPU] = {"CPU", CAPTURE_CPU},
	     [PART_PCI] = {"PCI", NULL},
	     [PART_TOPOLOGY] = {"topology", CAPTURE_TOPOLOGY},
	     [PART_HOST] = {"host", NULL}};

const char *probe_source_value(const struct probe_opts *o, const struct probe_source *s)
{
	return *(const char *const *)((const char *)o + s->field);
}

void probe_source_set(struct probe_opts *o, const struct probe_source *s, const char *value)
{
	*(const char **)((char *)o + s->field) = value;
}

const struct probe_source *probe_source_given(const struct probe_opts *o, enum probe_part part)
{
	for (size_t i = 0; i < probe_nsources; i++)
		if (probe_sources[i].part == part && probe_source_value(o, &probe_sources[i]))
			return &probe_sources[i];
	return NULL;
}

void probe_sources_help(FILE *f)
{
	for (size_t i = 0; i < probe_nsources; i++) {
		char opt[64];
		snprintf(opt, sizeof(opt), "--%s %s", probe_sources[i].option, probe_sources[i].argname);
		fprintf(f, "  %-20s%s\n", opt, probe_sources[i].help);
	}
}

/* Two sources of the same part would be settled silently: refuse. */
static int same_part(const struct probe_opts *o, char *err, size_t errlen)
{
	for (size_t i = 0; i < probe_nsources; i++)
		for (size_t k = i + 1; k < probe_nsources; k++)
			if (probe_sources[i].part == probe_sources[k].part &&
			    probe_source_value(o, &probe_sources[i]) && probe_source_value(o, &probe_sources[k])) {
				snprintf(err, errlen, "--%s and --%s both describe %s: give one",
					 probe_sources[i].option, probe_sources[k].option,
					 parts[probe_sources[i].part].name);
				return -1;
			}
	return 0;
}

/* A saved probe is every part at once. */
static int load_alone(const struct probe_opts *o, char *err, size_t errlen)
{
	if (!o->load)
		return 0;
	for (size_t i = 0; i < probe_nsources; i++)
		if (probe_sources[i].part != PART_ALL && probe_source_value(o, &probe_sources[i])) {
			snprintf(err, errlen, "--load replays a whole saved probe: it cannot be combined with --%s",
				 probe_sources[i].option);
			return -1;
		}
	return 0;
}

/* A dump of a part the bundle records (its CPU, its topology). */
static int bundle_part(const struct probe_opts *o, char *err, size_t errlen)
{
	if (!o->sysroot || !*o->sysroot)
		return 0;
	for (size_t i = 0; i < probe_nsources; i++) {
		const struct probe_source *s = &probe_sources[i];
		const char *rec = parts[s->part].bundle_record;
		if (!rec || !probe_source_value(o, s) || !sysroot_exists(o->sysroot, rec))
			continue;
		char p[4096];
		sysroot_path(o->sysroot, rec, p, sizeof(p));
		snprintf(err, errlen, "--%s and the bundle's %s both describe the %s: give one", s->option, p,
			 parts[s->part].name);
		return -1;
	}
	return 0;
}

int probe_from_sources(struct probe *p, const struct probe_opts *o, char *err, size_t errlen)
{
	if (same_part(o, err, errlen) || load_alone(o, err, errlen) || bundle_part(o, err, errlen))
		return -1;
	if (o->load)
		return probe_load_json(p, o->load, err, errlen) ? -1 : probe_decode(p, o->data_dir, err, errlen);
	return probe_collect(p, o, err, errlen);
}
