#include "tests/unit/check.h"

#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int check_failures;
static int passed, failed, skipped;
static const char *only; /* run only cases whose group/name contains this */

static int selected(const char *group, const char *name)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", group, name);
	return !only || strstr(full, only);
}

void run_case(const char *group, const char *name, void (*fn)(const char *), const char *arg)
{
	if (!selected(group, name))
		return;
	check_failures = 0;
	fn(arg);
	if (check_failures) {
		failed++;
		printf("FAIL %s/%s\n", group, name);
	} else {
		passed++;
		printf("ok   %s/%s\n", group, name);
	}
	fflush(stdout);
}

void skip_case(const char *group, const char *name, const char *why)
{
	if (!selected(group, name))
		return;
	skipped++;
	printf("SKIP %s/%s: %s\n", group, name, why);
}

static const char *env_or(const char *var, const char *dflt)
{
	const char *v = getenv(var);
	return v && *v ? v : dflt;
}

const char *fixtures_dir(void)
{
	return env_or("HVCERT_FIXTURES", "../shared/fixtures");
}

const char *expected_dir(void)
{
	return env_or("HVCERT_EXPECTED", "tests/expected");
}

const char *data_dir(void)
{
	return env_or("HVCERT_DATA", "data");
}

const char *scratch_dir(void)
{
	static char dir[256];
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/hvcert-test-XXXXXX", env_or("TMPDIR", "/tmp"));
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return dir;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = suffix ? strlen(suffix) : 0;
	return a >= b && strcmp(s + a - b, suffix ? suffix : "") == 0;
}

int for_each_file(const char *group, const char *dir, const char *suffix, void (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	char *names[512];
	int n = 0;
	struct dirent *e;
	if (!d) {
		skip_case(group, dir, "directory not found");
		return 0;
	}
	while ((e = readdir(d)) && n < 512) {
		char p[1024];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && has_suffix(e->d_name, suffix) && stat(p, &st) == 0 && S_ISREG(st.st_mode))
			names[n++] = strdup(p);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp);
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(names[i], '/') + 1;
		run_case(group, base, fn, names[i]);
		free(names[i]);
	}
	return n;
}

static int remove_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	return remove(p);
}

int main(int argc, char **argv)
{
	only = argc > 1 ? argv[1] : NULL;
	suite_safefile();
	suite_misc();
	suite_misc_vendor();
	suite_cpuid();
	suite_formats();
	suite_lspci();
	suite_pci_regressions();
	suite_pci_more();
	suite_pcidump();
	suite_json();
	suite_sysroot();
	suite_malformed();
	suite_regressions();
	suite_encodings();
	suite_hcl();
	suite_certify();
	suite_baseline();
	suite_vmm();
	suite_stats();
	suite_virtio();
	suite_bt();
	if (nftw(scratch_dir(), remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", scratch_dir());
	printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
