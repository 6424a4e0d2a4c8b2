/* hvcert: one program, subcommands. */
#include "cli/cli.h"
#include "common/escape.h"
#include "common/safefile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *help;
} cmds[] = {
    {"probe", cmd_probe, "report what this server (or a dump of one) offers a hypervisor"},
    {"capture", cmd_capture, "copy what probe reads (/sys, /proc, /dev) into a tree for --sysroot"},
    {"certify", cmd_certify, "verdict per component and per hypervisor release from the HCL"},
    {"fleet", cmd_fleet, "many hosts' saved probes or dumps: hosts x releases, blockers, the best release"},
    {"baseline", cmd_baseline, "newest CPU baseline and model a cluster of hosts shares"},
    {"bench", cmd_bench, "run the reference guests in every mode and record overheads"},
    {"compare", cmd_compare, "compare bench results (versions, commits) with confidence intervals"},
    {"report", cmd_report, "charts (gnuplot) and an HTML/Markdown report from bench results"},
    {"hcl", cmd_hcl, "lint the compatibility database, import vendor and kernel device lists"},
};

void cli_fail(const char *cmd, const char *msg)
{
	char b[4096];
	fprintf(stderr, "hvcert %s: %s\n", cmd, esc_term(b, sizeof(b), msg));
}

const char *cli_data_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("HVCERT_DATA");
	struct stat st;
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);
	if (n > 0) {
		dir[n] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash) {
			strcpy(slash, "/../data");
			static char real[PATH_MAX];
			/* Rules cite database files by path: keep it short. */
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
				return realpath(dir, real) ? real : dir;
		}
	}
	return "data";
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hvcert COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nhvcert COMMAND --help for a command's options\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0) {
			int rc = cmds[i].run(argc - 1, argv + 1);
			/* A report that could not be written is not a result. */
			return sf_stdout_ok("hvcert") ? EXIT_ERROR : rc;
		}
	fprintf(stderr, "hvcert: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
