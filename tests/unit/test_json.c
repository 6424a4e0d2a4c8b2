/* --save then --load reports exactly what the original probe did: the
 * document written from the loaded probe is byte-identical. */
#include "tests/unit/check.h"
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

static const char *lspci_for(const char *cpuid_path)
{
	/* Pair each CPU dump with a server listing so PCI round-trips too. */
	static const char *const l[] = {"dell-poweredge-r740.txt", "lenovo-thinksystem-sr645.txt",
					"hpe-proliant-dl360-gen9.txt", "supermicro-x10drh.txt"};
	static char p[512];
	size_t h = strlen(cpuid_path);
	snprintf(p, sizeof(p), "%s/lspci/%s", fixtures_dir(), l[h % 4]);
	return p;
}

static void round_trip(const struct probe_opts *o)
{
	struct probe a, b;
	char err[1024], path[512];
	probe_init(&a);
	probe_init(&b);
	snprintf(path, sizeof(path), "%s/roundtrip.json", scratch_dir());
	int rc = probe_collect(&a, o, err, sizeof(err));
	CHECK(rc == 0, "collect: %s", err);
	if (rc == 0) {
		CHECK(probe_save_json(&a, path, err, sizeof(err)) == 0, "save: %s", err);
		rc = probe_load_json(&b, path, err, sizeof(err));
		CHECK(rc == 0, "load: %s", err);
		if (rc == 0)
			CHECK(probe_decode(&b, o->data_dir, err, sizeof(err)) == 0, "decode: %s", err);
		char *ja = probe_to_json(&a), *jb = probe_to_json(&b);
		CHECK(ja && jb && strcmp(ja, jb) == 0, "documents differ after --load");
		free(ja);
		free(jb);
	}
	probe_free(&a);
	probe_free(&b);
}

static void one(const char *path)
{
	struct probe_opts o = {.cpuid_dump = path, .lspci = lspci_for(path), .data_dir = data_dir()};
	round_trip(&o);
}

static void with_sysroot_and_dump(const char *arg)
{
	char dump[512];
	(void)arg;
	snprintf(dump, sizeof(dump), "%s/pci-dumps/cap-pcie-2", fixtures_dir());
	struct probe_opts o = {.cpuid_dump = lspci_for("x"), .data_dir = data_dir()};
	static char cpu[512];
	snprintf(cpu, sizeof(cpu), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	o.cpuid_dump = cpu;
	o.pci_dump = dump;
	o.sysroot = "tests/data/sysroot/kvm-host";
	o.topology = "tests/data/topology/ci-vm-2cpu.xml";
	round_trip(&o);
}

static void live(const char *arg)
{
	struct probe_opts o = {.data_dir = data_dir()};
	(void)arg;
	round_trip(&o);
}

void suite_json(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/cpuid", fixtures_dir());
	for_each_file("json", dir, NULL, one);
	run_case("json", "sysroot+pci-dump+topology", with_sysroot_and_dump, NULL);
	run_case("json", "live-host", live, NULL);
}
