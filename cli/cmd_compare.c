/* hvcert compare A.json B.json [--threshold PCT] | --history DIR
 * Exit 1 when there is a regression; 2 when the runs cannot be compared
 * (a file without results or with impossible samples, a row only one run
 * has): a CI gate must not pass on nothing. bench/compare.c decides. */
#include "bench/compare.h"
#include "cli/cli.h"
#include "reports/compare_text.h"

#include <stdio.h>
#include <string.h>

#define USAGE "usage: hvcert compare A.json B.json [--threshold PCT] | --history DIR\n"

/* Each row in one run only on stderr, then the table; the exit status. */
static int print_comparison(const struct bench_results *a, const struct bench_results *b, double thr)
{
	struct bench_comparison c;
	char err[512], msg[1800];
	if (bench_compare(a, b, thr, &c, err, sizeof(err))) {
		cli_fail("compare", err);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < c.nmissing; i++) {
		compare_missing_text(msg, sizeof(msg), &c.missing[i]);
		cli_fail("compare", msg);
		const struct bench_missing *m = &c.missing[i];
		size_t only = m->in == a ? c.only_a : c.only_b;
		int last_of_side = i + 1 == c.nmissing || c.missing[i + 1].in != m->in;
		if (last_of_side && only > BENCH_MISSING_LISTED) {
			snprintf(msg, sizeof(msg), "and %zu more results in %s only", only - BENCH_MISSING_LISTED,
				 m->in->path);
			cli_fail("compare", msg);
		}
	}
	compare_text(stdout, &c);
	int rc = c.only_a + c.only_b ? EXIT_ERROR : c.regressions ? EXIT_NOT_OK : EXIT_OK;
	bench_comparison_free(&c);
	return rc;
}

static int history(const char *dir, double thr)
{
	struct bench_history h;
	char err[1024];
	if (bench_history_load(&h, dir, err, sizeof(err))) {
		cli_fail("compare", err);
		return EXIT_ERROR;
	}
	history_text(stdout, &h);
	int rc = print_comparison(&h.prev, &h.last, thr);
	bench_history_free(&h);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	double thr = 0.05;
	const char *files[2], *hist = NULL;
	int nf = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			if (cli_number("--threshold", argv[++i], 0, 1000, &thr))
				return EXIT_ERROR;
			thr /= 100.0;
		} else if (!strcmp(argv[i], "--history") && i + 1 < argc)
			hist = argv[++i];
		else if (argv[i][0] != '-' && nf < 2)
			files[nf++] = argv[i];
		else {
			fprintf(stderr, USAGE);
			return EXIT_ERROR;
		}
	}
	if (hist && !nf)
		return history(hist, thr);
	if (hist || nf != 2) {
		fprintf(stderr, USAGE);
		return EXIT_ERROR;
	}
	struct bench_results a, b;
	char err[1024];
	if (bench_compare_load(&a, files[0], err, sizeof(err))) {
		cli_fail("compare", err);
		return EXIT_ERROR;
	}
	int rc = EXIT_ERROR;
	if (bench_compare_load(&b, files[1], err, sizeof(err)) == 0) {
		rc = print_comparison(&a, &b, thr);
		bench_results_free(&b);
	} else {
		cli_fail("compare", err);
	}
	bench_results_free(&a);
	return rc;
}
