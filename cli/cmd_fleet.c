/* hvcert fleet [--release R]... [--hcl DIR|FILE]... [--json|--junit|--html] FILE_OR_DIR... */
#include "cli/cli.h"
#include "hcl/fleet.h"
#include "reports/fleet_report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RELEASES 64

static void fleet_usage(FILE *f)
{
	fprintf(f, "usage: hvcert fleet [options] FILE_OR_DIR...\n"
		   "  FILE: a saved probe (hvcert probe --save) or a CPU dump; DIR: every such file in it\n"
		   "  --release R         judge against release R (repeatable; default: every release)\n"
		   "  --json | --junit | --html   output format (default text)\n"
		   "  --hcl DIR|FILE      HCL database (repeatable; default <data>/hcl)\n"
		   "  --data DIR          data directory\n"
		   "exit: 0 one release every host can run, 1 none, 2 error\n");
}

struct fleet_args {
	const char *releases[MAX_RELEASES], *data;
	int nrel, nhcl;
	char *hcl[16];
	char fmt; /* 't', 'j', 'u', 'H' */
};

static int parse(int argc, char **argv, struct fleet_args *a)
{
	static const struct option opts[] = {{"release", required_argument, 0, 'R'}, {"hcl", required_argument, 0, 'B'},
					     {"data", required_argument, 0, 'D'},    {"json", no_argument, 0, 'j'},
					     {"junit", no_argument, 0, 'u'},	     {"html", no_argument, 0, 'H'},
					     {"help", no_argument, 0, 'h'},	     {0, 0, 0, 0}};
	int c;
	a->fmt = 't';
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			if (a->nrel == MAX_RELEASES)
				return fprintf(stderr, "hvcert fleet: too many --release\n"), -1;
			a->releases[a->nrel++] = optarg;
			break;
		case 'B':
			if (a->nhcl == 16)
				return fprintf(stderr, "hvcert fleet: too many --hcl\n"), -1;
			a->hcl[a->nhcl++] = optarg;
			break;
		case 'D': a->data = optarg; break;
		case 'j':
		case 'u':
		case 'H': a->fmt = (char)c; break;
		case 'h': fleet_usage(stdout); exit(EXIT_OK);
		default: fleet_usage(stderr); return -1;
		}
	}
	if (optind == argc)
		return fleet_usage(stderr), -1;
	return 0;
}

static void render(const struct fleet_args *a, const struct fleet *f)
{
	switch (a->fmt) {
	case 'j': fleet_json(stdout, f); break;
	case 'u': fleet_junit(stdout, f); break;
	case 'H': fleet_html(stdout, f); break;
	default: fleet_text(stdout, f);
	}
}

int cmd_fleet(int argc, char **argv)
{
	struct fleet_args a;
	struct hcl_db db;
	struct fleet f;
	const struct hcl_release *rel[MAX_RELEASES];
	size_t nrel;
	char err[1024];
	memset(&a, 0, sizeof(a));
	if (parse(argc, argv, &a))
		return EXIT_ERROR;
	const char *data = a.data ? a.data : cli_data_dir();
	hcl_init(&db);
	int rc = EXIT_ERROR;
	if (cli_load_hcl(&db, a.nhcl, a.hcl, err, sizeof(err))) {
		cli_fail("fleet", err);
		goto free_db;
	}
	if (hcl_releases_named(&db, a.releases, (size_t)a.nrel, rel, MAX_RELEASES, &nrel, err, sizeof(err))) {
		cli_fail("fleet", err);
		goto free_db;
	}
	fleet_init(&f, rel, nrel);
	for (int i = optind; i < argc; i++)
		if (fleet_add(&f, &db, argv[i], data, err, sizeof(err))) {
			cli_fail("fleet", err);
			goto free_fleet;
		}
	fleet_summarise(&f);
	render(&a, &f);
	rc = f.best >= 0 && (size_t)f.runnable[f.best] == f.nh ? EXIT_OK : EXIT_NOT_OK;
free_fleet:
	fleet_free(&f);
free_db:
	hcl_free(&db);
	return rc;
}
