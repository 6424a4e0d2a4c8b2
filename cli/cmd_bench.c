/* hvcert bench [--modes LIST] [--guests LIST] [--reps N] [--label L]
 *              [--qemu PATH [--qemu-data DIR]] [--args "..."] -o results.json */
#include "bench/harness.h"
#include "bench/host.h"
#include "bench/results.h"
#include "cli/cli.h"
#include "common/safefile.h"
#include "hcl/hcl.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: hvcert bench [options] -o results.json\n"
		   "  --modes LIST      native,qemu-tcg,kvm,qemu-kvm,bt,kvm+pv,bt+pv (default: all; unavailable\n"
		   "                    ones are recorded as skipped with the reason)\n"
		   "  --guests LIST     compute,nanobench,iostream (default: all)\n"
		   "  --reps N          repetitions (default 5)\n"
		   "  --args \"...\"      guest command line (default: the guests' own defaults)\n"
		   "  --label TEXT      name of this run, e.g. the hypervisor version under test\n"
		   "  --qemu PATH       qemu-system-x86_64 to run (default: the installed one)\n"
		   "  --qemu-data DIRS  its firmware directories (-L, colon-separated), for an unpacked QEMU\n"
		   "  --build DIR       where the guests and vmm-mini are (default: next to hvcert)\n"
		   "  --timeout S       per run (default 300)\n");
}

static const char *default_build(void)
{
	static char dir[4096];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return "build";
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {{"modes", required_argument, 0, 'm'},
					     {"guests", required_argument, 0, 'g'},
					     {"reps", required_argument, 0, 'r'},
					     {"args", required_argument, 0, 'a'},
					     {"label", required_argument, 0, 'l'},
					     {"qemu", required_argument, 0, 'q'},
					     {"qemu-data", required_argument, 0, 'L'},
					     {"build", required_argument, 0, 'b'},
					     {"timeout", required_argument, 0, 't'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	struct bench_opts o = {.build = default_build(),
			       .qemu = "qemu-system-x86_64",
			       .args = "",
			       .reps = 5,
			       .timeout_s = 300,
			       .progress = isatty(2)};
	const char *out = NULL;
	double num;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.modes = optarg; break;
		case 'g': o.guests = optarg; break;
		case 'r':
			if (cli_number("--reps", optarg, 1, 1000, &num))
				return EXIT_ERROR;
			o.reps = (unsigned)num;
			break;
		case 'a': o.args = optarg; break;
		case 'l': o.label = optarg; break;
		case 'q': o.qemu = optarg; break;
		case 'L': o.qemu_data = optarg; break;
		case 'b': o.build = optarg; break;
		case 't':
			if (cli_number("--timeout", optarg, 1, 86400, &num))
				return EXIT_ERROR;
			o.timeout_s = (unsigned)num;
			break;
		case 'o': out = optarg; break;
		case 'h': bench_usage(stdout); return EXIT_OK;
		default: bench_usage(stderr); return EXIT_ERROR;
		}
	}
	if (!out || o.reps < 1 || o.reps > 1000 || optind != argc) {
		bench_usage(stderr);
		return EXIT_ERROR;
	}
	char bad[128];
	if (bench_unknown_names(o.modes, o.guests, bad, sizeof(bad))) {
		fprintf(stderr, "hvcert bench: %s\n", bad);
		return EXIT_ERROR;
	}
	char err[512];
	bench_unpacked_qemu(&o);
	time_t started = time(NULL);
	/* Opened before the run: a typo in -o must not cost hours of it. */
	struct sf_out so;
	if (!sf_create(&so, out, err, sizeof(err))) {
		cli_fail("bench", err);
		return EXIT_ERROR;
	}
	json_t *doc = bench_run(&o, err, sizeof(err));
	if (!doc) {
		cli_fail("bench", err);
		sf_abort(&so);
		return EXIT_ERROR;
	}
	struct hcl_db db;
	char hcl_err[512];
	hcl_init(&db);
	/* A database that does not load certifies nothing: the run still counts. */
	if (cli_load_hcl(&db, 0, NULL, hcl_err, sizeof(hcl_err)))
		hcl_free(&db), hcl_init(&db);
	bench_provenance(doc, started, cli_data_dir(), &db);
	hcl_free(&db);
	int rc = bench_results_save(doc, &so, err, sizeof(err));
	json_decref(doc);
	if (rc) {
		cli_fail("bench", err);
		return EXIT_ERROR;
	}
	fprintf(stderr, "hvcert bench: wrote %s\n", out);
	return EXIT_OK;
}
