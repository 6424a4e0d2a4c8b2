/* A small test runner: each case is a function; a case fails when any
 * CHECK in it fails. The runner prints "N passed, N failed" last. */
#ifndef HVCERT_CHECK_H
#define HVCERT_CHECK_H
#include <stdio.h>

extern int check_failures; /* in the current case */

#define CHECK(cond, ...)                                                                                               \
	do {                                                                                                           \
		if (!(cond)) {                                                                                         \
			check_failures++;                                                                              \
			fprintf(stderr, "    %s:%d: check failed: ", __FILE__, __LINE__);                              \
			fprintf(stderr, __VA_ARGS__);                                                                  \
			fputc('\n', stderr);                                                                           \
		}                                                                                                      \
	} while (0)

/* Runs fn(arg) as a case named "group/name". */
void run_case(const char *group, const char *name, void (*fn)(const char *arg), const char *arg);
void skip_case(const char *group, const char *name, const char *why);
/* Directory of ../shared/fixtures and of tests/expected. */
const char *fixtures_dir(void);
const char *expected_dir(void);
const char *data_dir(void);
const char *scratch_dir(void);
/* Calls fn(path) for each regular file in dir whose name ends in suffix
 * (NULL: all), sorted, as cases. */
int for_each_file(const char *group, const char *dir, const char *suffix, void (*fn)(const char *path));

void suite_safefile(void);
void suite_cpuid(void);
void suite_formats(void);
void suite_lspci(void);
void suite_pcidump(void);
void suite_json(void);
void suite_sysroot(void);
void suite_misc(void);
void suite_malformed(void);
void suite_pci_regressions(void);
void suite_hcl(void);
void suite_regressions(void);
void suite_certify(void);
void suite_baseline(void);
void suite_vmm(void);
void suite_pci_more(void);
void suite_encodings(void);
void suite_stats(void);
void suite_virtio(void);
void suite_bt(void);
void suite_misc_vendor(void);
#endif
