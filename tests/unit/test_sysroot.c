/* Host scenarios replayed from tests/data/sysroot/<name>/ with a real CPU
 * dump; tests/data/sysroot/<name>.expect lists findings that must appear:
 * "group|name|STATUS|text the value or reason contains". */
#include "probe/assess.h"
#include "tests/unit/check.h"

#include <string.h>

static const char *haswell(void)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	return p;
}

static int has_finding(const struct findings *fs, const char *group, const char *name, const char *st, const char *text)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		if (strcmp(f->group, group) || strcmp(f->name, name) || strcmp(status_name(f->st), st))
			continue;
		if (!*text || strstr(f->value, text) || strstr(f->reason, text))
			return 1;
	}
	return 0;
}

static void scenario(const char *expect_path)
{
	char root[512], line[512], err[1024];
	snprintf(root, sizeof(root), "%.*s", (int)(strlen(expect_path) - strlen(".expect")), expect_path);
	struct probe p;
	/* A bundle `hvcert capture` wrote carries its own CPU; hand-made trees get a Haswell. */
	char rec[600];
	snprintf(rec, sizeof(rec), "%s/hvcert/cpu.json", root);
	FILE *own = fopen(rec, "r");
	struct probe_opts o = {.cpuid_dump = own ? NULL : haswell(), .sysroot = root, .data_dir = data_dir()};
	if (own)
		fclose(own);
	struct findings fs;
	probe_init(&p);
	findings_init(&fs);
	int rc = probe_collect(&p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	if (rc == 0)
		assess(&p, &fs);
	FILE *f = fopen(expect_path, "r");
	int n = 0;
	while (rc == 0 && f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		char *g = strtok(line, "|"), *nm = strtok(NULL, "|"), *st = strtok(NULL, "|"), *tx = strtok(NULL, "|");
		CHECK(g && nm && st, "bad expect line in %s", expect_path);
		if (g && nm && st)
			CHECK(has_finding(&fs, g, nm, st, tx ? tx : ""), "missing finding %s|%s|%s|%s", g, nm, st,
			      tx ? tx : "");
		n++;
	}
	if (f)
		fclose(f);
	CHECK(n > 0, "no expectations in %s", expect_path);
	findings_free(&fs);
	probe_free(&p);
}

void suite_sysroot(void)
{
	for_each_file("sysroot", "tests/data/sysroot", ".expect", scenario);
}
