/* hvcert hcl lint [DIR...] | import-modalias | import-vsan | import-csv */
#include "cli/cli.h"
#include "hcl/hcl.h"
#include "hcl/import.h"
#include "hcl/lint.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void hcl_usage(FILE *f)
{
	fprintf(f,
		"usage: hvcert hcl lint [DIR|FILE ...]            (default: %s/hcl)\n"
		"       hvcert hcl import-modalias RELEASE MODDIR SOURCE\n"
		"       hvcert hcl import-vsan ALL.JSON SOURCE\n"
		"       hvcert hcl import-csv EXPORT.CSV SOURCE\n"
		"imports print HCL records on stdout; MODDIR is a lib/modules/VERSION tree\n"
		"with modules.alias (depmod -b ROOT VERSION makes it)\n",
		cli_data_dir());
}

/* Loads each argument (a directory of *.hcl or one file) into db. */
int cli_load_hcl(struct hcl_db *db, int n, char **paths, char *err, size_t errlen)
{
	char dflt[4096];
	snprintf(dflt, sizeof(dflt), "%s/hcl", cli_data_dir());
	db->root = cli_data_dir();
	if (n == 0)
		return hcl_load_dir(db, dflt, err, errlen);
	for (int i = 0; i < n; i++) {
		struct stat st;
		/* Anything but a directory is one file, which the parser opens
		 * only if it is a regular file (a FIFO or a device: exit 2). */
		int rc = stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode) ? hcl_load_dir(db, paths[i], err, errlen)
									 : hcl_load_file(db, paths[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int lint(int argc, char **argv)
{
	struct hcl_db db;
	char err[1024];
	hcl_init(&db);
	int rc = cli_load_hcl(&db, argc, argv, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
	} else {
		char note[1024];
		int n = hcl_lint_data(&db, cli_data_dir(), stderr, note, sizeof(note));
		if (*note)
			fprintf(stderr, "hvcert hcl lint: %s (feature lists not checked)\n", note);
		printf("%d files, %zu releases, %zu requirements, %zu cpu, %zu pci, %zu system, %zu baseline, %zu "
		       "cpumodel "
		       "entries: %d problems\n",
		       db.files, db.n_releases, db.n_requires, db.n_cpus, db.n_pcis, db.n_systems, db.n_baselines,
		       db.n_cpumodels, n);
		rc = n ? EXIT_NOT_OK : EXIT_OK;
	}
	hcl_free(&db);
	return rc < 0 ? EXIT_ERROR : rc;
}

static int imported(int n, const char *err)
{
	if (n < 0) {
		cli_fail("hcl", err);
		return EXIT_ERROR;
	}
	fprintf(stderr, "hvcert hcl: %d records\n", n);
	return EXIT_OK;
}

int cmd_hcl(int argc, char **argv)
{
	char err[1024];
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		hcl_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_ERROR : EXIT_OK;
	}
	if (strcmp(argv[1], "lint") == 0)
		return lint(argc - 2, argv + 2);
	if (strcmp(argv[1], "import-modalias") == 0 && argc == 5)
		return imported(import_modalias(argv[3], argv[2], argv[4], stdout, err, sizeof(err)), err);
	if (strcmp(argv[1], "import-builtin") == 0 && argc == 6)
		return imported(import_builtin_ids(argv[3], argv[4], argv[2], argv[5], stdout, err, sizeof(err)), err);
	if (strcmp(argv[1], "import-vsan") == 0 && argc == 4)
		return imported(import_vsan_json(argv[2], argv[3], stdout, err, sizeof(err)), err);
	if (strcmp(argv[1], "import-csv") == 0 && argc == 4)
		return imported(import_vcg_csv(argv[2], argv[3], stdout, err, sizeof(err)), err);
	hcl_usage(stderr);
	return EXIT_ERROR;
}
