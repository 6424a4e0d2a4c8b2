/* hvcert report results.json... -o DIR */
#include "bench/results.h"
#include "cli/cli.h"
#include "reports/bench_report.h"

#include <string.h>

#define MAX_RUNS 64

int cmd_report(int argc, char **argv)
{
	struct bench_results runs[MAX_RUNS];
	const char *dir = NULL;
	char err[512];
	size_t n = 0;
	int rc = EXIT_ERROR;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] != '-' && n < MAX_RUNS) {
			if (bench_results_load(&runs[n], argv[i], err, sizeof(err))) {
				cli_fail("report", err);
				goto free_runs;
			}
			n++;
		} else {
			fprintf(stderr, "usage: hvcert report results.json... -o DIR\n");
			goto free_runs;
		}
	}
	if (!n || !dir) {
		fprintf(stderr, "usage: hvcert report results.json... -o DIR   (runs in the order given)\n");
		goto free_runs;
	}
	if (bench_report(runs, n, dir, err, sizeof(err)))
		cli_fail("report", err);
	else {
		printf("report: %s/index.html, %s/report.md\n", dir, dir);
		rc = EXIT_OK;
	}
free_runs:
	for (size_t i = 0; i < n; i++)
		bench_results_free(&runs[i]);
	return rc;
}
