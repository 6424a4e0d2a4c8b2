/* hvcert certify [--release R]... [--from A --to B] [sources] [--explain]
 *                [--json|--junit|--html] [--hcl DIR|FILE]... */
#include "cli/cli.h"
#include "cli/sources.h"
#include "common/escape.h"
#include "hcl/certify.h"
#include "hcl/lint.h"
#include "reports/certify_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RELEASES 64

static void certify_usage(FILE *f)
{
	fprintf(f, "usage: hvcert certify [options]\n"
		   "  --release R         judge against release R (repeatable; default: every release)\n"
		   "  --from A --to B     upgrade view: what gets worse moving from A to B\n"
		   "  --explain           show the candidate entries and their scores\n"
		   "  --json | --junit | --html   output format (default text, colour on a TTY)\n"
		   "  --no-color          plain text even on a TTY\n"
		   "  --hcl DIR|FILE      HCL database (repeatable; default <data>/hcl)\n");
	sources_help(f);
	fprintf(f, "exit: 0 no release NOT CERTIFIED, 1 some release NOT CERTIFIED, 2 error\n");
}

enum fmt { FMT_TEXT, FMT_JSON, FMT_JUNIT, FMT_HTML };

struct certify_args {
	struct sources src;
	const char *releases[MAX_RELEASES];
	int nrel;
	char *hcl[16];
	int nhcl;
	const char *from, *to;
	int explain, nocolour;
	enum fmt fmt;
};

static int parse(int argc, char **argv, struct certify_args *a)
{
	static const struct option own[] = {{"release", required_argument, 0, 'R'},
					    {"from", required_argument, 0, 'F'},
					    {"to", required_argument, 0, 'T'},
					    {"explain", no_argument, 0, 'x'},
					    {"json", no_argument, 0, 'j'},
					    {"junit", no_argument, 0, 'u'},
					    {"html", no_argument, 0, 'H'},
					    {"no-color", no_argument, 0, 'n'},
					    {"hcl", required_argument, 0, 'B'},
					    {"help", no_argument, 0, 'h'},
					    {0, 0, 0, 0}};
	int c;
	optind = 1;
	while ((c = sources_getopt(argc, argv, own, &a->src)) != -1) {
		switch (c) {
		case 'R':
			if (a->nrel == MAX_RELEASES)
				return fprintf(stderr, "hvcert certify: too many --release\n"), -1;
			a->releases[a->nrel++] = optarg;
			break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'x': a->explain = 1; break;
		case 'j': a->fmt = FMT_JSON; break;
		case 'u': a->fmt = FMT_JUNIT; break;
		case 'H': a->fmt = FMT_HTML; break;
		case 'n': a->nocolour = 1; break;
		case 'B':
			if (a->nhcl == 16)
				return fprintf(stderr, "hvcert certify: too many --hcl\n"), -1;
			a->hcl[a->nhcl++] = optarg;
			break;
		case 'h': certify_usage(stdout); exit(EXIT_OK);
		default: certify_usage(stderr); return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "hvcert certify: unexpected argument '%s'\n", argv[optind]), -1;
	if (!a->from != !a->to)
		return fprintf(stderr, "hvcert certify: --from and --to go together\n"), -1;
	return 0;
}

/* --from A --to B judges exactly A and B, in that order. */
static int resolve(const struct hcl_db *db, struct certify_args *a, const struct hcl_release **rel, size_t *n)
{
	char err[2048];
	if (a->from) {
		a->releases[0] = a->from, a->releases[1] = a->to;
		a->nrel = 2;
	}
	if (hcl_releases_named(db, a->releases, (size_t)a->nrel, rel, MAX_RELEASES, n, err, sizeof(err))) {
		cli_fail("certify", err);
		return -1;
	}
	return 0;
}

static void render(const struct certify_args *a, const struct certify_view *v)
{
	switch (a->fmt) {
	case FMT_JSON: certify_json(stdout, v); break;
	case FMT_JUNIT: certify_junit(stdout, v); break;
	case FMT_HTML: certify_html(stdout, v); break;
	default:
		certify_text(stdout, v);
		if (a->from)
			certify_upgrade_text(stdout, &v->rv[0], &v->rv[1]);
	}
}

static int run(struct certify_args *a, const struct hcl_db *db, const struct probe *p)
{
	const struct hcl_release *rel[MAX_RELEASES];
	struct release_verdict rv[MAX_RELEASES];
	size_t n;
	if (resolve(db, a, rel, &n))
		return EXIT_ERROR;
	int any_not = 0;
	for (size_t i = 0; i < n; i++) {
		certify_release(db, p, rel[i], &rv[i]);
		any_not |= rv[i].overall == V_NOT_CERTIFIED;
	}
	const char *nc = getenv("NO_COLOR");
	struct certify_view v = {p, rv, n, a->explain, !a->nocolour && isatty(1) && !(nc && *nc)};
	render(a, &v);
	for (size_t i = 0; i < n; i++)
		release_verdict_free(&rv[i]);
	return any_not ? EXIT_NOT_OK : EXIT_OK;
}

/* Merged databases that contradict each other would give a verdict that
 * depends on file order: a database lint rejects is not judged with. */
static int lint_ok(const struct hcl_db *db)
{
	char *found = NULL, note[1024];
	size_t len = 0;
	FILE *f = open_memstream(&found, &len);
	if (!f)
		return fprintf(stderr, "hvcert certify: out of memory\n"), 0;
	int n = hcl_lint_data(db, cli_data_dir(), f, note, sizeof(note));
	fclose(f);
	if (*note)
		fprintf(stderr, "hvcert certify: %s (feature lists not checked)\n", note);
	if (n)
		fprintf(stderr, "hvcert certify: the HCL database has %d problem%s (hvcert hcl lint):\n%s", n,
			n == 1 ? "" : "s", found);
	free(found);
	return n == 0;
}

int cmd_certify(int argc, char **argv)
{
	struct certify_args a;
	struct probe p;
	struct hcl_db db;
	char err[1024] = "";
	memset(&a, 0, sizeof(a));
	if (parse(argc, argv, &a))
		return EXIT_ERROR;
	probe_init(&p);
	hcl_init(&db);
	int rc = EXIT_ERROR;
	if (cli_load_hcl(&db, a.nhcl, a.hcl, err, sizeof(err)))
		cli_fail("certify", err);
	else if (lint_ok(&db) && sources_probe(&a.src, &p, err, sizeof(err)) == 0)
		rc = run(&a, &db, &p);
	else if (*err)
		cli_fail("certify", err);
	hcl_free(&db);
	probe_free(&p);
	return rc;
}
