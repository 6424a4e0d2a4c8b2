/* Verdicts against the real database. Expectations come from data with its
 * own authority: the "Kernel driver in use" lines of real servers' lspci
 * listings, the kernels' own alias lists, and hand-derived CPU verdicts whose
 * reasons cite the database lines (tests/expected/certify-cpu.txt). */
#include "hcl/certify.h"
#include "tests/unit/check.h"
#include "tests/unit/expect.h"

#include <stdlib.h>
#include <string.h>

static struct hcl_db db;
static int db_ok;

static const struct hcl_release *rel(const char *id)
{
	const struct hcl_release *r = hcl_release(&db, id);
	CHECK(r != NULL, "release %s not in data/hcl", id);
	return r;
}

static const char *skylake(void)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/cpuid/GenuineIntel0050654_SkylakeXeon_CPUID5.txt", fixtures_dir());
	return p;
}

static int collect(struct probe *p, const char *cpuid, const char *lspci)
{
	struct probe_opts o = {.cpuid_dump = cpuid, .lspci = lspci, .data_dir = data_dir()};
	char err[1024];
	probe_init(p);
	int rc = probe_collect(p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	return rc;
}

static const struct comp_verdict *pci_verdict(const struct release_verdict *rv, const struct pci_info *d)
{
	char bdf[32];
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x ", d->domain, d->bus, d->dev, d->func);
	for (size_t i = 0; i < rv->n; i++)
		if (!strcmp(rv->c[i].component, "pci") && !strncmp(rv->c[i].subject, bdf, strlen(bdf)))
			return &rv->c[i];
	return NULL;
}

/* A driver a real server bound to a device, in a kernel close to ours, must
 * be among the drivers our list names for it: in-scope devices only. */
static void drivers_in_use(const char *lspci)
{
	static const char *const releases[] = {"kvm/linux-6.1", "kvm/linux-6.12"};
	struct probe p;
	if (!db_ok || collect(&p, skylake(), lspci))
		return;
	int checked = 0;
	for (size_t r = 0; r < 2; r++) {
		struct release_verdict rv;
		const struct hcl_release *re = rel(releases[r]);
		if (!re)
			break;
		certify_release(&db, &p, re, &rv);
		for (size_t i = 0; i < p.pci.n; i++) {
			const struct pci_info *d = &p.pci.dev[i];
			const struct comp_verdict *cv = pci_verdict(&rv, d);
			if (!cv || !d->driver[0])
				continue;
			checked++;
			char want[64];
			snprintf(want, sizeof(want), "driver %s", d->driver);
			CHECK(cv->v == V_CERTIFIED && strstr(cv->rule, d->driver),
			      "%s %s: bound to %s there, we say %s: %s", releases[r], cv->subject, d->driver,
			      verdict_name(cv->v), cv->rule);
		}
		release_verdict_free(&rv);
	}
	CHECK(checked > 0, "no in-scope device with a bound driver: the check proved nothing");
	probe_free(&p);
}

/* ixgb (82597EX) was removed from Linux before 6.12: the upgrade breaks it. */
static void removed_driver(const char *arg)
{
	struct probe p;
	(void)arg;
	if (!db_ok || collect(&p, skylake(), "tests/data/lspci-ixgb.txt"))
		return;
	const struct hcl_release *a = rel("kvm/linux-6.1"), *b = rel("kvm/linux-6.12");
	if (a && b) {
		struct release_verdict ra, rb;
		certify_release(&db, &p, a, &ra);
		certify_release(&db, &p, b, &rb);
		const struct comp_verdict *va = pci_verdict(&ra, &p.pci.dev[1]), *vb = pci_verdict(&rb, &p.pci.dev[1]);
		CHECK(va && va->v == V_CERTIFIED && strstr(va->rule, "ixgb"), "6.1 drives 82597EX with ixgb");
		CHECK(vb && vb->v == V_NOT_CERTIFIED && strstr(vb->rule, "no driver"), "6.12 has no driver for it");
		CHECK(ra.overall != V_NOT_CERTIFIED && rb.overall == V_NOT_CERTIFIED, "overall %s -> %s",
		      verdict_name(ra.overall), verdict_name(rb.overall));
		CHECK(ra.out_of_scope == 1, "the host bridge is out of scope (%d)", ra.out_of_scope);
		release_verdict_free(&ra);
		release_verdict_free(&rb);
	}
	probe_free(&p);
}

static const struct comp_verdict *find_comp(const struct release_verdict *rv, const char *component,
					    const char *subject)
{
	for (size_t i = 0; i < rv->n; i++)
		if (!strcmp(rv->c[i].component, component) && strstr(rv->c[i].subject, subject))
			return &rv->c[i];
	return NULL;
}

static enum verdict verdict_of(const char *s)
{
	for (int v = V_CERTIFIED; v <= V_NOT_CERTIFIED; v++)
		if (!strcmp(verdict_name((enum verdict)v), s))
			return (enum verdict)v;
	return (enum verdict) - 1;
}

/* tests/expected/certify-cpu.txt: "FIXTURE RELEASE COMPONENT|SUBJECT VERDICT" */
static void cpu_line(const char *line)
{
	char fx[160], re[48], what[96], v1[32], v2[32] = "";
	if (sscanf(line, "%159s %47s %95s %31s %31s", fx, re, what, v1, v2) < 4) {
		CHECK(0, "bad line: %s", line);
		return;
	}
	if (v2[0])
		strcat(strcat(v1, " "), v2);
	char path[512], *bar = strchr(what, '|');
	struct probe p;
	snprintf(path, sizeof(path), "%s/cpuid/%s", fixtures_dir(), fx);
	const struct hcl_release *r = rel(re);
	if (!bar || !r || collect(&p, path, NULL))
		return;
	*bar = '\0';
	for (char *u = bar + 1; *u; u++)
		if (*u == '_')
			*u = ' ';
	struct release_verdict rv;
	certify_release(&db, &p, r, &rv);
	const struct comp_verdict *cv = !strcmp(what, "overall") ? NULL : find_comp(&rv, what, bar + 1);
	enum verdict got = !strcmp(what, "overall") ? rv.overall : cv ? cv->v : (enum verdict) - 1;
	CHECK(got == verdict_of(v1), "%s %s %s|%s: expected %s, got %s (%s)", fx, re, what, bar + 1, v1,
	      (int)got >= 0 ? verdict_name(got) : "no such component", cv ? cv->rule : "");
	release_verdict_free(&rv);
	probe_free(&p);
}

static void cpu_expectations(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;
	CHECK(f != NULL, "cannot open %s", path);
	while (f && db_ok && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		cpu_line(line);
		n++;
	}
	if (f)
		fclose(f);
	CHECK(n > 0, "no expectations");
}

/* DMI system entries: vendor and product must both match, case-insensitively. */
static void system_entries(const char *arg)
{
	struct hcl_db tdb;
	struct probe p;
	struct release_verdict rv;
	char err[1024], cpu[512];
	(void)arg;
	hcl_init(&tdb);
	snprintf(cpu, sizeof(cpu), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	struct probe_opts o = {.cpuid_dump = cpu, .sysroot = "tests/data/sysroot/kvm-host", .data_dir = data_dir()};
	probe_init(&p);
	int rc = hcl_load_file(&tdb, "tests/data/hcl/systems.hcl", err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	rc = rc ? rc : probe_collect(&p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	if (rc == 0) {
		certify_release(&tdb, &p, hcl_release(&tdb, "test/1"), &rv);
		const struct comp_verdict *cv = find_comp(&rv, "system", "PowerEdge R630");
		CHECK(cv && cv->v == V_WARN && strstr(cv->rule, "systems.hcl:5"), "R630 is deprecated for test/1: %s",
		      cv ? cv->rule : "no system component");
		release_verdict_free(&rv);
	}
	probe_free(&p);
	hcl_free(&tdb);
}

/* The libpci dumps certified against Debian's 6.12 kernel. Expected from
 * that kernel's modules.alias (data/hcl/kvm-linux-6.12.hcl lines cited in
 * each rule): igb claims 8086:10c9, virtio_pci (built in, IDs from 6.1) all
 * of 1af4, e100 8086:1229, ahci 8086:3a22 by ID, mpt3sas 1000:0072; the
 * ThunderX NIC 177d:a01e has only an arm64 driver (thunder_nicvf), so no
 * amd64 kernel claims it. */
static void pci_dumps(const char *arg)
{
	static const struct {
		const char *dump, *bdf, *driver;
		enum verdict v;
	} want[] = {
	    {"cap-pcie-2", "0000:01:00.0", "igb", V_CERTIFIED},
	    {"cap-vendor-virtio", "0000:00:09.0", "virtio_pci", V_CERTIFIED},
	    {"PCI-X-bridges-and-domains", "0001:21:01.0", "e100", V_CERTIFIED},
	    {"tree-asus-p6t6", "0000:00:1f.2", "ahci", V_CERTIFIED},
	    {"tree-asus-p6t6", "0000:04:00.0", "mpt3sas", V_CERTIFIED},
	    {"cap-ea-1", "0002:01:00.0", "no driver", V_NOT_CERTIFIED},
	};
	(void)arg;
	const struct hcl_release *r = rel("kvm/linux-6.12");
	for (size_t i = 0; r && i < sizeof(want) / sizeof(want[0]); i++) {
		char path[512], err[1024];
		struct probe p;
		struct probe_opts o = {.cpuid_dump = skylake(), .data_dir = data_dir()};
		snprintf(path, sizeof(path), "%s/pci-dumps/%s", fixtures_dir(), want[i].dump);
		o.pci_dump = path;
		probe_init(&p);
		if (probe_collect(&p, &o, err, sizeof(err))) {
			CHECK(0, "%s", err);
			continue;
		}
		struct release_verdict rv;
		certify_release(&db, &p, r, &rv);
		const struct comp_verdict *cv = find_comp(&rv, "pci", want[i].bdf);
		CHECK(cv && cv->v == want[i].v && strstr(cv->rule, want[i].driver), "%s %s: %s %s", want[i].dump,
		      want[i].bdf, cv ? verdict_name(cv->v) : "missing", cv ? cv->rule : "");
		release_verdict_free(&rv);
		probe_free(&p);
	}
}

/* The captured PVM host (tests/data/sysroot/pvm-host): kvm_pvm in sysfs and
 * a vCPU answering MSR 0x4b564d11 = "PVM", an EPYC without SVM, no 'pti'. */
static void pvm_host(const char *arg)
{
	(void)arg;
	struct probe p;
	struct probe_opts o = {.sysroot = "tests/data/sysroot/pvm-host", .data_dir = data_dir()};
	char err[1024];
	probe_init(&p);
	int rc = probe_collect(&p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	const struct hcl_release *pvm = rel("pvm/virt-pvm"), *kvm = rel("kvm/linux-6.12");
	if (rc || !pvm || !kvm)
		return probe_free(&p);
	struct release_verdict rv;
	certify_release(&db, &p, pvm, &rv);
	CHECK(rv.overall == V_CERTIFIED, "pvm/virt-pvm: %s", verdict_name(rv.overall));
	release_verdict_free(&rv);
	certify_release(&db, &p, kvm, &rv);
	const struct comp_verdict *hw = find_comp(&rv, "requirement", "hardware virtualization");
	CHECK(hw && hw->v == V_NOT_CERTIFIED, "kvm/linux-6.12 hardware virtualization: %s",
	      hw ? verdict_name(hw->v) : "missing");
	CHECK(hw && strstr(hw->rule, "PVM-aware guests still run here"), "no PVM hint: %s", hw ? hw->rule : "");
	release_verdict_free(&rv);
	probe_free(&p);
}

void suite_certify(void)
{
	char path[512], err[1024];
	hcl_init(&db);
	snprintf(path, sizeof(path), "%s/hcl", data_dir());
	db_ok = hcl_load_dir(&db, path, err, sizeof(err)) == 0;
	if (!db_ok) {
		skip_case("certify", "all", err); /* the lint case fails loudly for this */
		return;
	}
	snprintf(path, sizeof(path), "%s/lspci", fixtures_dir());
	for_each_file("certify-drivers", path, ".txt", drivers_in_use);
	run_case("certify", "removed driver breaks the 6.12 upgrade", removed_driver, NULL);
	run_case("certify", "system (DMI) entries", system_entries, NULL);
	run_case("certify", "libpci dumps on kvm/linux-6.12", pci_dumps, NULL);
	run_case("certify", "a captured PVM host", pvm_host, NULL);
	run_case("certify", "cpu verdicts (tests/expected/certify-cpu.txt)", cpu_expectations,
		 "tests/expected/certify-cpu.txt");
	hcl_free(&db);
}
