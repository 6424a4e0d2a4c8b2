/* hvcert bench [--modes LIST] [--guests LIST] [--reps N] [--label L]
 *              [--qemu PATH [--qemu-data DIR]] [--args "..."] -o results.json */
#include "hcl/certify.h"
#include "cli/cli.h"
#include "common/safefile.h"
#include "bench/harness.h"
#include "probe/probe.h"

#include <errno.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef HVCERT_GIT
#define HVCERT_GIT "unknown"
#endif

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

/* Host PMU through perf_event: absent in most VMs (as here). */
static json_t *pmu_status(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE, a.size = sizeof(a), a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.disabled = 1, a.exclude_kernel = 1, a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd >= 0) {
		close(fd);
		return json_string("available");
	}
	char why[160];
	snprintf(why, sizeof(why), "unavailable: perf_event_open(instructions): %s; cycles come from the guests' RDTSC",
		 strerror(errno));
	return json_string(why);
}

static json_t *certification(const struct probe *p)
{
	struct hcl_db db;
	char err[512];
	json_t *o = json_object();
	hcl_init(&db);
	if (cli_load_hcl(&db, 0, NULL, err, sizeof(err)) == 0)
		for (size_t i = 0; i < db.n_releases; i++) {
			struct release_verdict rv;
			certify_release(&db, p, &db.releases[i], &rv);
			json_object_set_new(o, db.releases[i].id, json_string(verdict_name(rv.overall)));
			release_verdict_free(&rv);
		}
	hcl_free(&db);
	return o;
}

static json_t *host_json(void)
{
	struct probe p;
	struct probe_opts o = {.data_dir = cli_data_dir()};
	char err[512];
	probe_init(&p);
	json_t *h;
	if (probe_collect(&p, &o, err, sizeof(err)) == 0) {
		const char *kr = facts_str(&p.host, "kernel.release");
		h = json_pack("{s:s,s:s?,s:s?,s:s,s:s,s:s,s:o,s:o}", "cpu", p.cpu.brand, "platform",
			      p.uarch.found ? p.uarch.platform : NULL, "kernel", kr, "running_under",
			      p.cpu.hypervisor ? p.cpu.hv_name : "bare metal", "hardware_virtualization",
			      p.virt.hw ? "present" : "absent", "kvm", p.vf.kvm_module, "pmu", pmu_status(),
			      "certification", certification(&p));
	} else {
		h = json_pack("{s:s}", "error", err);
	}
	probe_free(&p);
	return h;
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

/* Through the temp file sf_create opened: a lost write is an error and
 * leaves the previous results file. */
static int write_results(json_t *doc, struct sf_out *o, char *err, size_t errlen)
{
	if (json_dumpf(doc, o->f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) || fputc('\n', o->f) == EOF) {
		snprintf(err, errlen, "%s: write failed: %s", o->path, strerror(errno));
		sf_abort(o);
		return -1;
	}
	return sf_commit(o, err, errlen);
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
	char err[512], date[32], mods[4096];
	/* An unpacked QEMU must load its own accelerator modules, not the
	 * installed build's (QEMU refuses modules of another build). */
	const char *bin = strstr(o.qemu, "/usr/bin/qemu-system-x86_64");
	if (bin && !getenv("QEMU_MODULE_DIR")) {
		char root[4096], *real;
		snprintf(root, sizeof(root), "%.*s", (int)(bin - o.qemu), o.qemu);
		real = realpath(root, NULL);
		snprintf(mods, sizeof(mods), "%s/usr/lib/x86_64-linux-gnu/qemu", real ? real : root);
		free(real);
		setenv("QEMU_MODULE_DIR", mods, 1);
		/* Firmware (SeaBIOS, option ROMs) comes from the installed data package. */
		if (!o.qemu_data)
			o.qemu_data = "/usr/share/seabios:/usr/share/qemu:/usr/lib/ipxe/qemu";
	}
	time_t now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
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
	json_object_set_new(doc, "date", json_string(date));
	json_object_set_new(doc, "hvcert", json_string(HVCERT_GIT));
	json_object_set_new(doc, "host", host_json());
	int rc = write_results(doc, &so, err, sizeof(err));
	json_decref(doc);
	if (rc) {
		cli_fail("bench", err);
		return EXIT_ERROR;
	}
	fprintf(stderr, "hvcert bench: wrote %s\n", out);
	return EXIT_OK;
}
