/* Live twin of cpuid_aida.c: executes CPUID on this CPU, reads the MSRs a
 * hypervisor check needs through /dev/cpu/0/msr and the APIC IDs of all
 * logical CPUs from /proc/cpuinfo (both under --sysroot, so a captured tree
 * replays). */
#include "common/safefile.h"
#include "probe/cpuid_raw.h"
#include "probe/sysroot.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cpuid_at(uint32_t leaf, uint32_t sub, uint32_t v[4])
{
	__cpuid_count(leaf, sub, v[0], v[1], v[2], v[3]);
}

/* Leaves whose subleaves carry data, and how many to read at most. */
static int max_subleaf(uint32_t leaf, const uint32_t v0[4])
{
	switch (leaf) {
	case 0x4:
	case 0x8000001D: return 16; /* until cache type 0 */
	case 0x7:
	case 0x14:
	case 0x17:
	case 0x18:
	case 0x1D:
	case 0x20:
	case 0x23: return (int)(v0[0] < 32 ? v0[0] : 32);
	case 0xB:
	case 0x1F: return 8;
	case 0xD: return 63;
	case 0xF:
	case 0x10:
	case 0x12: return 4;
	case 0x24: return 1;
	default: return 0;
	}
}

static int subleaf_empty(uint32_t leaf, uint32_t sub, const uint32_t v[4])
{
	if (leaf == 0x4)
		return (v[0] & 0x1f) == 0;
	if (leaf == 0x8000001D)
		return (v[0] & 0x1f) == 0;
	if (leaf == 0xB || leaf == 0x1F)
		return sub > 0 && ((v[2] >> 8) & 0xff) == 0;
	return 0;
}

static int add_range(struct cpu_raw *r, uint32_t first, uint32_t last)
{
	for (uint32_t leaf = first; leaf <= last; leaf++) {
		uint32_t v[4];
		cpuid_at(leaf, 0, v);
		if (cpu_raw_add_leaf(r, leaf, 0, v))
			return -ENOMEM;
		int n = max_subleaf(leaf, v);
		for (int s = 1; s <= n; s++) {
			uint32_t w[4];
			cpuid_at(leaf, (uint32_t)s, w);
			if (subleaf_empty(leaf, (uint32_t)s, w))
				break;
			if ((leaf == 0xD && !w[0] && !w[1] && !w[2] && !w[3]))
				continue;
			if (cpu_raw_add_leaf(r, leaf, (uint32_t)s, w))
				return -ENOMEM;
		}
	}
	return 0;
}

static int read_leaves(struct cpu_raw *r)
{
	uint32_t v[4];
	cpuid_at(0, 0, v);
	uint32_t maxb = v[0] > 0x40 ? 0x40 : v[0];
	cpuid_at(0x80000000, 0, v);
	uint32_t maxe = (v[0] >= 0x80000000 && v[0] <= 0x800000ff) ? v[0] : 0x80000000;
	int rc = add_range(r, 0, maxb);
	if (!rc)
		rc = add_range(r, 0x80000000, maxe);
	cpuid_at(1, 0, v);
	if (!rc && (v[REG_ECX] >> 31) & 1) {
		cpuid_at(0x40000000, 0, v);
		uint32_t maxh = (v[0] >= 0x40000000 && v[0] <= 0x400000ff) ? v[0] : 0x40000000;
		rc = add_range(r, 0x40000000, maxh);
	}
	return rc;
}

static const uint32_t intel_msrs[] = {0x3A,  0x10A, 0x480, 0x481, 0x482, 0x483, 0x484, 0x485, 0x486, 0x487, 0x488,
				      0x489, 0x48A, 0x48B, 0x48C, 0x48D, 0x48E, 0x48F, 0x490, 0x491, 0x492};
static const uint32_t amd_msrs[] = {0xC0010114, 0x10A};

static void read_msrs(const char *sysroot, struct cpu_raw *r)
{
	uint32_t v[4];
	cpu_raw_get(r, 0, 0, v);
	int intel = v[REG_EBX] == 0x756e6547; /* "Genu" */
	const uint32_t *list = intel ? intel_msrs : amd_msrs;
	size_t n = intel ? sizeof(intel_msrs) / sizeof(*list) : sizeof(amd_msrs) / sizeof(*list);
	char path[4096];
	sysroot_path(sysroot, "/dev/cpu/0/msr", path, sizeof(path));
	/* In a bundle the node is a captured file, resolved inside the bundle. */
	int fd = sysroot && *sysroot ? sf_open(sysroot, "/dev/cpu/0/msr", path, sizeof(path))
				     : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(r->msr_note, sizeof(r->msr_note),
			 "MSR not readable (/dev/cpu/0/msr: %s): load the msr module (modprobe msr) and run as root",
			 strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t val = 0;
		ssize_t got = pread(fd, &val, sizeof(val), (off_t)list[i]);
		cpu_raw_add_msr(r, list[i], val, got == (ssize_t)sizeof(val) ? MSR_OK : MSR_FAILED);
	}
	close(fd);
}

/* One APIC ID per "apicid" line of /proc/cpuinfo; falls back to this CPU's. */
static void read_apic_ids(const char *sysroot, struct cpu_raw *r)
{
	FILE *f = sysroot_fopen(sysroot, "/proc/cpuinfo");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "apicid", 6) != 0)
			continue;
		char *colon = strchr(line, ':');
		if (colon)
			cpu_raw_add_cpu(r, (uint32_t)strtoul(colon + 1, NULL, 10));
	}
	if (f)
		fclose(f);
	if (r->ncpus == 0) {
		uint32_t v[4];
		cpu_raw_get(r, 1, 0, v);
		cpu_raw_add_cpu(r, v[REG_EBX] >> 24);
	}
}

int cpu_raw_read_live(const char *sysroot, struct cpu_raw *r, char *err, size_t errlen)
{
	snprintf(r->source, sizeof(r->source), "live");
	if (read_leaves(r)) {
		snprintf(err, errlen, "CPUID: out of memory");
		return -1;
	}
	read_msrs(sysroot, r);
	read_apic_ids(sysroot, r);
	return 0;
}
