#include "probe/probe.h"
#include "probe/capture.h"
#include "probe/host.h"
#include "probe/sources.h"
#include "probe/sysroot.h"

#include "common/safefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	cpu_raw_init(&p->raw);
	facts_init(&p->host);
	pci_list_init(&p->pci);
}

void probe_free(struct probe *p)
{
	cpu_raw_free(&p->raw);
	facts_free(&p->host);
	pci_list_free(&p->pci);
}

/* Dumps describe another machine: what they do not give is "not provided",
 * never this host's, unless the user asked for this host's (--this-host). */
static int replaying(const struct probe_opts *o)
{
	int dumps =
	    probe_source_given(o, PART_CPU) || probe_source_given(o, PART_PCI) || probe_source_given(o, PART_TOPOLOGY);
	return dumps && !(o->sysroot && *o->sysroot) && !o->this_host;
}

/* The first dump given of a part other than the CPU (for messages). */
static const char *other_dump(const struct probe_opts *o)
{
	const struct probe_source *s = probe_source_given(o, PART_PCI);
	if (!s)
		s = probe_source_given(o, PART_TOPOLOGY);
	return s ? probe_source_value(o, s) : "";
}

/* A bundle carries the CPU it was captured on (hvcert/cpu.json); replaying
 * it elsewhere must not judge the replaying machine's CPU instead. */
static int collect_cpu(struct probe *p, const struct probe_opts *o, char *err, size_t errlen)
{
	char rec[4096];
	const struct probe_source *s = probe_source_given(o, PART_CPU);
	if (!s && replaying(o)) {
		snprintf(err, errlen,
			 "%s describes another machine and no CPU dump was given: add --cpuid-dump FILE "
			 "(its CPU), or --this-host to judge this machine's CPU with it",
			 other_dump(o));
		return -1;
	}
	if (s)
		return s->read(p, probe_source_value(o, s), err, errlen);
	if (o->sysroot && *o->sysroot && sysroot_exists(o->sysroot, CAPTURE_CPU)) {
		sysroot_path(o->sysroot, CAPTURE_CPU, rec, sizeof(rec));
		if (cpu_raw_load_json(rec, &p->raw, err, errlen))
			return -1;
		snprintf(p->raw.source, sizeof(p->raw.source), "%.200s (captured)", rec);
		return 0;
	}
	return cpu_raw_read_live(o->sysroot, &p->raw, err, errlen);
}

static int collect_pci(struct probe *p, const struct probe_opts *o, char *err, size_t errlen)
{
	int rc;
	const struct probe_source *s = probe_source_given(o, PART_PCI);
	if (s)
		rc = s->read(p, probe_source_value(o, s), err, errlen);
	else if (replaying(o)) {
		/* A dump of another machine says nothing of this one's bus. */
		snprintf(p->pci_note, sizeof(p->pci_note), "not provided (give --lspci or --pci-dump)");
		return 0;
	} else {
		rc = pci_read_libpci(o->sysroot, &p->pci, err, errlen);
		if (rc) {
			/* No PCI bus (containers, some VMs) is a fact, not a failure. */
			snprintf(p->pci_note, sizeof(p->pci_note), "%s", err);
			pci_list_free(&p->pci);
			return 0;
		}
	}
	p->pci_present = rc == 0;
	return rc;
}

static void collect_host(struct probe *p, const struct probe_opts *o)
{
	const char *root = o->sysroot;
	host_read_platform(root, &p->host);
	host_read_kernel(root, &p->host);
	host_read_services(root, &p->host);
	host_read_iommu(root, &p->host);
	host_read_kvm(root, &p->host);
	host_read_kvm_dev(root, &p->host);
	snprintf(p->host_source, sizeof(p->host_source), "%s", root && *root ? root : "live");
	p->host_collected = 1;
}

static int collect_topology(struct probe *p, const struct probe_opts *o, char *err, size_t errlen)
{
	const struct probe_source *s = probe_source_given(o, PART_TOPOLOGY);
	if (!s && replaying(o))
		return 0;
	char why[512], rec[4096];
	if (s)
		return s->read(p, probe_source_value(o, s), err, errlen);
	if (o->sysroot && *o->sysroot && sysroot_exists(o->sysroot, CAPTURE_TOPOLOGY)) {
		sysroot_path(o->sysroot, CAPTURE_TOPOLOGY, rec, sizeof(rec));
		return host_read_topology(NULL, rec, &p->host, err, errlen);
	}
	/* The live (or captured) tree may lack what hwloc needs: a fact. */
	if (host_read_topology(o->sysroot, NULL, &p->host, why, sizeof(why)))
		facts_unknown(&p->host, "topo.source", "%s", why);
	return 0;
}

int probe_collect(struct probe *p, const struct probe_opts *o, char *err, size_t errlen)
{
	/* A bundle is checked whole before anything reads it: libpci and hwloc
	 * open its files themselves. A typo is an error, not an empty host. */
	if (o->sysroot && *o->sysroot && sf_check_tree(o->sysroot, err, errlen))
		return -1;
	if (collect_cpu(p, o, err, errlen))
		return -1;
	if (collect_pci(p, o, err, errlen))
		return -1;
	/* Host facts describe the machine we run on: only meaningful live or
	 * from a captured tree, not next to another machine's CPUID dump. */
	if (!replaying(o))
		collect_host(p, o);
	else
		snprintf(p->host_source, sizeof(p->host_source),
			 "not provided (replaying dumps; use --sysroot for host facts)");
	if (collect_topology(p, o, err, errlen))
		return -1;
	return probe_decode(p, o->data_dir, err, errlen);
}

int probe_decode(struct probe *p, const char *data_dir, char *err, size_t errlen)
{
	char path[4096];
	if (cpu_decode(&p->raw, &p->cpu, err, errlen))
		return -1;
	virt_decode(&p->raw, &p->cpu, &p->virt);
	virt_facts_decode(&p->cpu, &p->virt, &p->host, p->host_collected, &p->vf);
	snprintf(path, sizeof(path), "%s/cpu-uarch.tsv", data_dir ? data_dir : "data");
	return uarch_lookup(path, p->cpu.vendor_str, p->cpu.family, p->cpu.model, p->cpu.stepping, &p->uarch, err,
			    errlen);
}

int probe_load_host(struct probe *p, const char *path, const char *data_dir, char *err, size_t errlen)
{
	struct probe_opts o = {.cpuid_dump = path, .data_dir = data_dir};
	char *buf;
	size_t len;
	if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen))
		return -1;
	size_t k = strspn(buf, " \t\r\n");
	int json = buf[k] == '{';
	free(buf);
	if (json)
		return probe_load_json(p, path, err, errlen) ? -1 : probe_decode(p, data_dir, err, errlen);
	return probe_collect(p, &o, err, errlen);
}

const char *probe_pci_source(const struct probe *p)
{
	if (p->pci_present)
		return p->pci.source;
	return strncmp(p->pci_note, "not provided", 12) == 0 ? "not provided" : "none";
}

const char *probe_topology_source(const struct probe *p)
{
	const char *t = facts_str(&p->host, "topo.source");
	if (t)
		return t;
	return strncmp(p->host_source, "not provided", 12) == 0 ? "not provided" : "none";
}
