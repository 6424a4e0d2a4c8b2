#include "sources.h"

#include "cli.h"

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
	if (s->load)
		return probe_load_json(p, s->load, err, errlen) ? -1 : probe_decode(p, s->o.data_dir, err, errlen);
	return probe_collect(p, &s->o, err, errlen);
}
