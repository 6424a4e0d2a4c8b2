/* hvcert probe [--json] [--save FILE] [sources...] */
#include "cli/cli.h"
#include "cli/sources.h"
#include "probe/assess.h"
#include "probe/probe.h"
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void probe_usage(FILE *f)
{
	fprintf(f, "usage: hvcert probe [options]\n"
		   "  --json              print the probe document (JSON) instead of text\n"
		   "  --save FILE         also write the probe document to FILE\n");
	sources_help(f);
	fprintf(f, "  --verbose           list every PCI device and every reason\n"
		   "  --strict            exit 1 when any check FAILs\n");
}

struct probe_args {
	struct sources src;
	const char *save;
	int json, verbose, strict;
};

static int parse(int argc, char **argv, struct probe_args *a)
{
	static const struct option own[] = {{"json", no_argument, 0, 'j'},    {"save", required_argument, 0, 's'},
					    {"verbose", no_argument, 0, 'v'}, {"strict", no_argument, 0, 'S'},
					    {"help", no_argument, 0, 'h'},    {0, 0, 0, 0}};
	int c;
	optind = 1;
	while ((c = sources_getopt(argc, argv, own, &a->src)) != -1) {
		switch (c) {
		case 'j': a->json = 1; break;
		case 's': a->save = optarg; break;
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
	return 0;
}

static int emit(const struct probe *p, const struct probe_args *a)
{
	struct findings fs;
	char err[1024];
	if (a->save && probe_save_json(p, a->save, err, sizeof(err))) {
		cli_fail("probe", err);
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
	if (sources_probe(&a.src, &p, err, sizeof(err)))
		cli_fail("probe", err);
	else
		rc = emit(&p, &a);
	probe_free(&p);
	return rc;
}
