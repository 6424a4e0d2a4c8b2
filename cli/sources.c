#include "cli/sources.h"

#include "probe/capture.h"
#include "cli/cli.h"
#include "probe/sysroot.h"

#include <stdio.h>

int sources_option(struct sources *s, int c, const char *arg)
{
	switch (c) {
	case 'l': s->load = arg; return 1;
	case 'c': s->o.cpuid_dump = arg; return 1;
	case 'p': s->o.lspci = arg; return 1;
	case 'd': s->o.pci_dump = arg; return 1;
	case 't': s->o.topology = arg; return 1;
	case 'r': s->o.sysroot = arg; return 1;
	case 'D': s->o.data_dir = arg; return 1;
	case 'M': s->o.this_host = 1; return 1;
	default: return 0;
	}
}

int sources_probe(struct sources *s, struct probe *p, char *err, size_t errlen)
{
	if (!s->o.data_dir)
		s->o.data_dir = cli_data_dir();
	if (s->o.lspci && s->o.pci_dump) {
		snprintf(err, errlen, "--lspci and --pci-dump both describe PCI: give one");
		return -1;
	}
	/* Two sources of the same part would be settled silently: refuse. */
	const char *other = s->o.cpuid_dump ? "--cpuid-dump"
			    : s->o.lspci    ? "--lspci"
			    : s->o.pci_dump ? "--pci-dump"
			    : s->o.topology ? "--topology"
			    : s->o.sysroot  ? "--sysroot"
					    : NULL;
	if (s->load && other) {
		snprintf(err, errlen, "--load replays a whole saved probe: it cannot be combined with %s", other);
		return -1;
	}
	if (s->o.sysroot && *s->o.sysroot && (s->o.cpuid_dump || s->o.topology)) {
		char p[4096];
		const char *rec = s->o.cpuid_dump ? CAPTURE_CPU : CAPTURE_TOPOLOGY;
		sysroot_path(s->o.sysroot, rec, p, sizeof(p));
		if (sysroot_exists(s->o.sysroot, rec)) {
			snprintf(err, errlen, "%s and the bundle's %s both describe the %s: give one",
				 s->o.cpuid_dump ? "--cpuid-dump" : "--topology", p,
				 s->o.cpuid_dump ? "CPU" : "topology");
			return -1;
		}
	}
	if (s->load)
		return probe_load_json(p, s->load, err, errlen) ? -1 : probe_decode(p, s->o.data_dir, err, errlen);
	return probe_collect(p, &s->o, err, errlen);
}
