/* DMI, memory and huge pages. */
#include "probe/host.h"
#include "probe/sysroot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void one_file(const char *root, struct factset *s, const char *key, const char *path)
{
	char buf[512];
	int rc = sysroot_read_line(root, path, buf, sizeof(buf));
	if (rc == 0)
		facts_set(s, key, "%s", buf);
	else
		facts_unknown(s, key, "%s: %s", path, strerror(-rc));
}

static void meminfo(const char *root, struct factset *s)
{
	static const struct {
		const char *field, *key;
	} want[] = {{"MemTotal:", "mem.total_kb"},
		    {"HugePages_Total:", "hugepages.total"},
		    {"HugePages_Free:", "hugepages.free"},
		    {"Hugepagesize:", "hugepages.size_kb"}};
	FILE *f = sysroot_fopen(root, "/proc/meminfo");
	char line[256];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		facts_unknown(s, want[i].key, "/proc/meminfo: %s", f ? "field missing" : "not readable");
	while (f && fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			size_t n = strlen(want[i].field);
			long long v;
			if (strncmp(line, want[i].field, n) == 0 && sscanf(line + n, "%lld", &v) == 1)
				facts_set(s, want[i].key, "%lld", v);
		}
	}
	if (f)
		fclose(f);
}

void host_read_platform(const char *root, struct factset *s)
{
	one_file(root, s, "dmi.sys_vendor", "/sys/class/dmi/id/sys_vendor");
	one_file(root, s, "dmi.product_name", "/sys/class/dmi/id/product_name");
	one_file(root, s, "dmi.board_name", "/sys/class/dmi/id/board_name");
	one_file(root, s, "dmi.bios_vendor", "/sys/class/dmi/id/bios_vendor");
	one_file(root, s, "dmi.bios_version", "/sys/class/dmi/id/bios_version");
	one_file(root, s, "dmi.bios_date", "/sys/class/dmi/id/bios_date");
	meminfo(root, s);
	one_file(root, s, "hugepages.1g_total", "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages");
	one_file(root, s, "thp.enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
}

struct kernel_topo {
	int threads;
	long ids[4096][2]; /* (physical id, core id) seen */
	int ncores;
	long pkgs[256];
	int npkgs;
};

static void topo_add(struct kernel_topo *t, long pkg, long core)
{
	int i;
	for (i = 0; i < t->ncores && (t->ids[i][0] != pkg || t->ids[i][1] != core); i++)
		;
	if (i == t->ncores && t->ncores < 4096) {
		t->ids[t->ncores][0] = pkg;
		t->ids[t->ncores++][1] = core;
	}
	for (i = 0; i < t->npkgs && t->pkgs[i] != pkg; i++)
		;
	if (i == t->npkgs && t->npkgs < 256)
		t->pkgs[t->npkgs++] = pkg;
}

static void topo_facts(struct factset *s, const struct kernel_topo *t)
{
	if (!t->ncores) {
		facts_unknown(s, "kernel.topology", "/proc/cpuinfo has no physical id / core id lines");
		return;
	}
	facts_set(s, "kernel.topology", "%d sockets, %d cores, %d threads", t->npkgs, t->ncores, t->threads);
}

/* The kernel's view of the CPU: "flags", (5.9+) "vmx flags", topology. */
static void cpuinfo(const char *root, struct factset *s)
{
	FILE *f = sysroot_fopen(root, "/proc/cpuinfo");
	char line[8192];
	facts_unknown(s, "cpuinfo.flags", "/proc/cpuinfo %s", f ? "has no flags line" : "not readable");
	facts_unknown(s, "cpuinfo.vmx_flags", "/proc/cpuinfo %s",
		      f ? "has no 'vmx flags' line (kernel < 5.9 or no VMX)" : "not readable");
	int got_flags = 0, got_vmx = 0;
	static struct kernel_topo t;
	long pkg = -1;
	memset(&t, 0, sizeof(t));
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		if (strncmp(line, "processor", 9) == 0)
			t.threads++;
		else if (strncmp(line, "physical id", 11) == 0)
			pkg = strtol(colon + 1, NULL, 10);
		else if (strncmp(line, "core id", 7) == 0)
			topo_add(&t, pkg, strtol(colon + 1, NULL, 10));
		line[strcspn(line, "\n")] = '\0';
		const char *v = colon + 1 + (colon[1] == ' ');
		if (!got_flags && strncmp(line, "flags", 5) == 0 && (line[5] == '\t' || line[5] == ' ')) {
			facts_set(s, "cpuinfo.flags", "%s", v);
			got_flags = 1;
		} else if (!got_vmx && strncmp(line, "vmx flags", 9) == 0) {
			facts_set(s, "cpuinfo.vmx_flags", "%s", v);
			got_vmx = 1;
		}
	}
	if (f)
		fclose(f);
	topo_facts(s, &t);
}

void host_read_kernel(const char *root, struct factset *s)
{
	one_file(root, s, "kernel.release", "/proc/sys/kernel/osrelease");
	one_file(root, s, "kernel.cmdline", "/proc/cmdline");
	cpuinfo(root, s);
}
