/* Every CPUID fixture decodes to what tests/expected/cpuid/<file>.expect says;
 * those values were derived from the raw registers by
 * tests/gen/derive_expected.py (make expected), not by this code. */
#include "tests/unit/check.h"
#include "tests/unit/expect.h"
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

static void expect_uint(const struct expect *e, const char *key, unsigned got, int base)
{
	const char *v = expect_get(e, key);
	CHECK(v != NULL, "expected file lacks %s", key);
	if (v)
		CHECK(strtoul(v, NULL, base) == got, "%s: expected %s, decoded %u (0x%x)", key, v, got, got);
}

static void features(const struct expect *e, const struct cpu_info *c)
{
	for (int i = 0; i < F_NUM; i++) {
		char key[64];
		snprintf(key, sizeof(key), "feat.%s", cpu_feat_table[i].name);
		const char *v = expect_get(e, key);
		if (!v)
			continue;
		/* SYSCALL on Intel is implied by LM (see cpu_decode.c); the
		 * expected file records the raw bit. */
		if (i == F_SYSCALL)
			continue;
		CHECK(atoi(v) == c->feat[i], "%s: expected %s, decoded %d", key, v, c->feat[i]);
	}
}

static const char *fw_name(enum fw_state s)
{
	static const char *const n[] = {"-", "enabled", "unlocked", "disabled"};
	return n[s];
}

static void caps(const struct expect *e, const struct virt_info *v)
{
	int seen = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (strncmp(e->l[i].key, "cap.", 4) != 0)
			continue;
		seen++;
		int got = virt_cap(v, e->l[i].key + 4);
		const char *want = e->l[i].value;
		int w = strcmp(want, "-") == 0 ? TRI_UNKNOWN : atoi(want);
		CHECK(got == w, "%s: expected %s, decoded %d", e->l[i].key, want, got);
	}
	if (v->hw && v->caps_known)
		CHECK(seen > 0, "decoder found capabilities the expected file does not list");
	const char *fw = expect_get(e, "fw");
	if (fw && strcmp(fw, "failed") != 0)
		CHECK(strcmp(fw, fw_name(v->fw)) == 0, "fw: expected %s, decoded %s", fw, fw_name(v->fw));
}

static void one_dump(const char *path)
{
	struct probe p;
	struct probe_opts o = {.cpuid_dump = path, .data_dir = data_dir()};
	struct expect e;
	char err[1024];
	probe_init(&p);
	int rc = probe_collect(&p, &o, err, sizeof(err));
	CHECK(rc == 0, "probe failed: %s", err);
	expect_load_for("cpuid", path, &e);
	if (rc == 0 && e.n) {
		const struct cpu_info *c = &p.cpu;
		CHECK(strcmp(expect_get(&e, "vendor") ? expect_get(&e, "vendor") : "", c->vendor_str) == 0,
		      "vendor: decoded %s", c->vendor_str);
		expect_uint(&e, "signature", c->signature, 16);
		expect_uint(&e, "family", c->family, 16);
		expect_uint(&e, "model", c->model, 16);
		expect_uint(&e, "stepping", c->stepping, 10);
		expect_uint(&e, "hypervisor", (unsigned)c->hypervisor, 10);
		expect_uint(&e, "virt_hw", (unsigned)p.virt.hw, 10);
		expect_uint(&e, "x86_64_level", (unsigned)c->x86_64_level, 10);
		expect_uint(&e, "threads", c->threads, 10);
		features(&e, c);
		caps(&e, &p.virt);
		if (expect_get(&e, "vmcs_revision"))
			expect_uint(&e, "vmcs_revision", p.virt.vmcs_revision, 16);
		if (expect_get(&e, "asids"))
			expect_uint(&e, "asids", p.virt.asids, 10);
		const char *plat = expect_get(&e, "platform");
		CHECK(plat && p.uarch.found && strcmp(plat, p.uarch.platform) == 0, "platform: expected %s, got %s",
		      plat ? plat : "?", p.uarch.found ? p.uarch.platform : "(not in table)");
	}
	expect_free(&e);
	probe_free(&p);
}

void suite_cpuid(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/cpuid", fixtures_dir());
	for_each_file("cpuid", dir, NULL, one_dump);
}
