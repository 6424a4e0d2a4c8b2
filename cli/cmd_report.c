/* hvcert report results.json... -o DIR */
#include "reports/bench_report.h"
#include "cli/cli.h"
#include "bench/harness.h"

#include <string.h>

int cmd_report(int argc, char **argv)
{
	json_t *docs[64];
	const char *names[64], *dir = NULL;
	char err[512];
	size_t n = 0;
	int rc = EXIT_ERROR;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] != '-' && n < 64) {
			if (!(docs[n] = bench_load(argv[i], err, sizeof(err)))) {
				cli_fail("report", err);
				goto free_docs;
			}
			names[n++] = argv[i];
		} else {
			fprintf(stderr, "usage: hvcert report results.json... -o DIR\n");
			goto free_docs;
		}
	}
	if (!n || !dir) {
		fprintf(stderr, "usage: hvcert report results.json... -o DIR   (runs in the order given)\n");
		goto free_docs;
	}
	if (bench_report(docs, names, n, dir, err, sizeof(err)))
		cli_fail("report", err);
	else {
		printf("report: %s/index.html, %s/report.md\n", dir, dir);
		rc = EXIT_OK;
	}
free_docs:
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	return rc;
}
