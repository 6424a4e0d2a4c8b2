/* hvcert baseline HOST... : each HOST a probe document (--save) or a
 * CPU dump (probe_load_host tells them apart). */
#include "cli/cli.h"
#include "hcl/baseline.h"
#include "reports/baseline_report.h"

#include <stdio.h>
#include <string.h>

static void baseline_usage(FILE *f)
{
	fprintf(f, "usage: hvcert baseline [--json] [--hcl DIR|FILE]... HOST...\n"
		   "  HOST: a probe document (hvcert probe --save) or an AIDA64 CPUID dump\n"
		   "  prints the newest x86-64 level, EVC-style baseline and QEMU CPU model\n"
		   "  all hosts share for live migration, and which host holds the cluster back\n");
}

int cmd_baseline(int argc, char **argv)
{
	char *hcl[16];
	int nhcl = 0, as_json = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (strcmp(argv[i], "--hcl") == 0 && i + 1 < argc && nhcl < 16)
			hcl[nhcl++] = argv[++i];
		else {
			baseline_usage(strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? EXIT_ERROR : EXIT_OK;
		}
	}
	if (i == argc || argc - i > BASELINE_MAX_HOSTS) {
		baseline_usage(stderr);
		return EXIT_ERROR;
	}
	struct hcl_db db;
	char err[1024];
	hcl_init(&db);
	int rc = EXIT_ERROR;
	static struct cluster_baseline b;
	if (cli_load_hcl(&db, nhcl, hcl, err, sizeof(err)) ||
	    cluster_baseline_files(&db, cli_data_dir(), argv + i, argc - i, &b, err, sizeof(err)))
		cli_fail("baseline", err);
	else {
		as_json ? baseline_json(stdout, &b) : baseline_text(stdout, &b);
		rc = EXIT_OK;
	}
	hcl_free(&db);
	return rc;
}
