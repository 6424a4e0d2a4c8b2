/* Firmware (DMI), kernel, memory, huge pages, topology, IOMMU, SR-IOV. */
#include "probe/assess.h"

#include <stdio.h>
#include <string.h>

#define G "platform"

/* Adds an INFO finding for a fact, known or not. */
static void fact_info(const struct probe *p, struct findings *fs, const char *key, const char *label)
{
	const struct fact *f = facts_get(&p->host, key);
	if (!f)
		return;
	add_finding(fs, G, label, ST_INFO, f->known ? f->value : "unknown", f->known ? NULL : "%s", f->value);
}

static void memory(const struct probe *p, struct findings *fs)
{
	long long kb = facts_int(&p->host, "mem.total_kb", -1);
	char v[256];
	if (kb >= 0) {
		snprintf(v, sizeof(v), "%.1f GiB", (double)kb / (1024.0 * 1024.0));
		add_finding(fs, G, "memory", ST_INFO, v, "/proc/meminfo MemTotal");
	}
	long long hp = facts_int(&p->host, "hugepages.total", -1);
	long long hsz = facts_int(&p->host, "hugepages.size_kb", -1);
	long long g1 = facts_int(&p->host, "hugepages.1g_total", -1);
	const char *thp = facts_str(&p->host, "thp.enabled");
	if (hp < 0 && !thp)
		return;
	char g1s[32];
	snprintf(g1s, sizeof(g1s), g1 < 0 ? "not supported by this kernel" : "%lld", g1);
	snprintf(v, sizeof(v), "%lld x %lld kB reserved, 1 GiB pages: %s, THP: %s", hp, hsz, g1s,
		 thp ? thp : "unknown");
	add_finding(fs, G, "huge pages", ST_INFO, v, "hugetlbfs backing cuts guest TLB misses (EPT/NPT walks)");
}

static void topology(const struct probe *p, struct findings *fs)
{
	const struct fact *f = facts_get(&p->host, "topo.source");
	if (!f)
		return;
	if (!f->known) {
		add_finding(fs, G, "topology (hwloc)", ST_INFO, "unknown", "%s", f->value);
		return;
	}
	char v[512], l3[64];
	long long l3n = facts_int(&p->host, "topo.l3_kb_count", -1), l3kb = facts_int(&p->host, "topo.l3_kb", -1);
	if (l3n > 0 && l3kb > 0)
		snprintf(l3, sizeof(l3), "L3 %lld x %lld KiB", l3n, l3kb);
	else
		snprintf(l3, sizeof(l3), "no L3 reported");
	snprintf(v, sizeof(v), "%lld packages, %lld NUMA nodes, %lld cores, %lld PUs; %s",
		 facts_int(&p->host, "topo.packages", -1), facts_int(&p->host, "topo.numa_nodes", -1),
		 facts_int(&p->host, "topo.cores", -1), facts_int(&p->host, "topo.pus", -1), l3);
	add_finding(fs, G, "topology (hwloc)", ST_INFO, v, "hwloc (its source is on the report's first line)");
}

static void iommu(const struct probe *p, struct findings *fs)
{
	const char *dmar = facts_str(&p->host, "acpi.dmar"), *ivrs = facts_str(&p->host, "acpi.ivrs");
	long long units = facts_int(&p->host, "iommu.units", -1), groups = facts_int(&p->host, "iommu.groups", -1);
	int table = (dmar && strcmp(dmar, "present") == 0) || (ivrs && strcmp(ivrs, "present") == 0);
	char v[256];
	if (!dmar && !ivrs)
		return;
	snprintf(v, sizeof(v), "ACPI %s, %lld units, %lld groups",
		 dmar && !strcmp(dmar, "present")   ? "DMAR"
		 : ivrs && !strcmp(ivrs, "present") ? "IVRS"
						    : "no DMAR/IVRS",
		 units, groups);
	if (groups > 0)
		add_finding(fs, G, "IOMMU", ST_PASS, v, "active: devices can be assigned to guests (VFIO)");
	else if (table)
		add_finding(fs, G, "IOMMU", ST_WARN, v,
			    "firmware describes an IOMMU but the kernel does not use it: boot with intel_iommu=on "
			    "(Intel) or check amd_iommu= (AMD)");
	else
		add_finding(fs, G, "IOMMU", ST_WARN, v,
			    "no DMAR/IVRS table: VT-d/AMD-Vi absent or disabled in firmware; no PCI passthrough");
	const char *ir = facts_str(&p->host, "iommu.intr_remap");
	if (ir)
		add_finding(fs, G, "interrupt remapping", strcmp(ir, "active") == 0 ? ST_PASS : ST_WARN, ir,
			    strcmp(ir, "active") == 0 ? "IR- irq chips in /proc/interrupts"
						      : "without it, VFIO refuses device assignment unless "
							"allow_unsafe_interrupts=1");
}

static void sriov(const struct probe *p, struct findings *fs)
{
	const char *list = facts_str(&p->host, "sriov.devices");
	long long n = facts_int(&p->host, "sriov.count", -1);
	if (!list)
		return;
	char v[600];
	snprintf(v, sizeof(v), "%lld capable%s%s", n, n > 0 ? ": " : "", list);
	add_finding(fs, G, "SR-IOV", ST_INFO, v, "sysfs sriov_totalvfs (physical function = VFs it can create)");
}

void assess_platform(const struct probe *p, struct findings *fs)
{
	if (p->host_collected) {
		fact_info(p, fs, "dmi.sys_vendor", "system vendor");
		fact_info(p, fs, "dmi.product_name", "product");
		fact_info(p, fs, "dmi.bios_vendor", "BIOS vendor");
		fact_info(p, fs, "dmi.bios_version", "BIOS version");
		fact_info(p, fs, "dmi.bios_date", "BIOS date");
		fact_info(p, fs, "kernel.release", "kernel");
		memory(p, fs);
	}
	topology(p, fs);
	if (p->host_collected) {
		iommu(p, fs);
		sriov(p, fs);
	}
}
