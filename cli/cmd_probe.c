/* hvcert probe [--json] [--save FILE] [--load FILE] [replay sources...] */
#include "assess.h"
#include "cli.h"
#include "probe.h"
#include "report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void probe_usage(FILE *f)
{
	fprintf(f,
		"usage: hvcert probe [options]\n"
		"  --json              print the probe document (JSON) instead of text\n"
		"  --save FILE         also write the probe document to FILE\n"
		"  --load FILE         report from a saved probe document\n"
		"  --cpuid-dump FILE   CPUID/MSR from an AIDA64 dump instead of this CPU\n"
		"  --lspci FILE        PCI from lspci -nn/-nnk/-vvnn text\n"
		"  --pci-dump FILE     PCI from a libpci dump (lspci -xxx output)\n"
		"  --topology FILE     topology from hwloc XML (lstopo --of xml)\n"
		"  --sysroot DIR       read /sys, /proc and /dev under DIR\n"
		"  --data DIR          data directory (default: %s)\n"
		"  --verbose           list every PCI device and every reason\n"
		"  --strict            exit 1 when any check FAILs\n",
		cli_data_dir());
}

struct probe_args {
	struct probe_opts o;
	const char *save, *load;
	int json, verbose, strict;
};

static int parse(int argc, char **argv, struct probe_args *a)
{
	static const struct option opts[] = {{"json", no_argument, 0, 'j'},
					     {"save", required_argument, 0, 's'},
					     {"load", required_argument, 0, 'l'},
					     {"cpuid-dump", required_argument, 0, 'c'},
					     {"lspci", required_argument, 0, 'p'},
					     {"pci-dump", required_argument, 0, 'd'},
					     {"topology", required_argument, 0, 't'},
					     {"sysroot", required_argument, 0, 'r'},
					     {"data", required_argument, 0, 'D'},
					     {"verbose", no_argument, 0, 'v'},
					     {"strict", no_argument, 0, 'S'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = 1; break;
		case 's': a->save = optarg; break;
		case 'l': a->load = optarg; break;
		case 'c': a->o.cpuid_dump = optarg; break;
		case 'p': a->o.lspci = optarg; break;
		case 'd': a->o.pci_dump = optarg; break;
		case 't': a->o.topology = optarg; break;
		case 'r': a->o.sysroot = optarg; break;
		case 'D': a->o.data_dir = optarg; break;
		case 'v': a->verbose = 1; break;
		case 'S': a->strict = 1; break;
		case 'h': probe_usage(stdout); exit(EXIT_OK);
		default: probe_usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hvcert probe: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (a->o.lspci && a->o.pci_dump) {
		fprintf(stderr, "hvcert probe: --lspci and --pci-dump both describe PCI: give one\n");
		return -1;
	}
	if (!a->o.data_dir)
		a->o.data_dir = cli_data_dir();
	return 0;
}

static int obtain(struct probe *p, const struct probe_args *a, char *err, size_t errlen)
{
	if (a->load)
		return probe_load_json(p, a->load, err, errlen) ? -1 : probe_decode(p, a->o.data_dir, err, errlen);
	return probe_collect(p, &a->o, err, errlen);
}

static int emit(const struct probe *p, const struct probe_args *a)
{
	struct findings fs;
	char err[1024];
	if (a->save && probe_save_json(p, a->save, err, sizeof(err))) {
		fprintf(stderr, "hvcert probe: %s\n", err);
		return EXIT_ERROR;
	}
	findings_init(&fs);
	assess(p, &fs);
	if (a->json) {
		char *s = probe_to_json(p);
		if (s)
			printf("%s\n", s);
		free(s);
	} else {
		report_text(stdout, p, &fs, a->verbose);
	}
	int rc = a->strict && findings_worst(&fs) == ST_FAIL ? EXIT_NOT_OK : EXIT_OK;
	findings_free(&fs);
	return rc;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_args a;
	struct probe p;
	char err[1024] = "";
	memset(&a, 0, sizeof(a));
	if (parse(argc, argv, &a))
		return EXIT_ERROR;
	probe_init(&p);
	int rc = EXIT_ERROR;
	if (obtain(&p, &a, err, sizeof(err)))
		fprintf(stderr, "hvcert probe: %s\n", err);
	else
		rc = emit(&p, &a);
	probe_free(&p);
	return rc;
}
