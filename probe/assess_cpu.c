/* CPU identity, topology, x86-64 level and the features a hypervisor needs. */
#include "probe/assess.h"

#include <stdio.h>
#include <string.h>

#define G "cpu"

struct need {
	enum cpu_feat f;
	const char *label;
	enum status missing; /* status when absent */
	const char *why;     /* what its absence costs */
};

static const struct need needs[] = {
    {F_LM, "LM (64-bit)", ST_FAIL, "no 64-bit hypervisor (KVM, ESXi, Hyper-V) runs without long mode"},
    {F_NX, "NX", ST_FAIL, "KVM, ESXi and Hyper-V require the no-execute bit"},
    {F_LAHF, "LAHF/SAHF", ST_WARN, "part of x86-64-v2: RHEL 9 and newer guests will not boot"},
    {F_CX16, "CMPXCHG16B", ST_WARN, "part of x86-64-v2: RHEL 9 and Windows 11 24H2 guests will not boot"},
    {F_POPCNT, "POPCNT", ST_WARN, "part of x86-64-v2: RHEL 9 and Windows 11 24H2 guests will not boot"},
    {F_SSE42, "SSE4.2", ST_WARN, "part of x86-64-v2: RHEL 9 guests will not boot"},
    {F_AVX, "AVX", ST_WARN, "part of x86-64-v3: RHEL 10 guests will not boot"},
    {F_AVX2, "AVX2", ST_WARN, "part of x86-64-v3: RHEL 10 guests will not boot"},
    {F_AVX512F, "AVX-512F", ST_INFO, "guests cannot use AVX-512 (x86-64-v4)"},
    {F_AES, "AES-NI", ST_WARN, "guest disk/TLS encryption runs in software"},
    {F_XSAVE, "XSAVE", ST_WARN, "ESXi 8.0 U2 requires XSAVE; guests cannot use AVX state"},
    {F_RDRAND, "RDRAND", ST_INFO, "guests lack a hardware random source (use virtio-rng)"},
    {F_INVTSC, "invariant TSC", ST_WARN, "guest clocks drift across P-/C-states; TSC unusable as clocksource"},
    {F_X2APIC, "x2APIC", ST_WARN, "VMs beyond 255 vCPUs and x2APIC virtualization need it"},
    {F_PCID, "PCID", ST_WARN, "Meltdown page-table isolation costs much more without PCID"},
    {F_INVPCID, "INVPCID", ST_INFO, "page-table isolation flushes are slower without INVPCID"},
    {F_PDPE1GB, "1 GiB pages", ST_INFO, "no 1 GiB huge pages for guest memory"},
};

static void identity(const struct probe *p, struct findings *fs)
{
	const struct cpu_info *c = &p->cpu;
	char v[512];
	snprintf(v, sizeof(v), "%s (%s)", cpu_vendor_name(c->vendor), c->vendor_str);
	add_finding(fs, G, "vendor", ST_INFO, v, NULL);
	add_finding(fs, G, "brand", ST_INFO, c->brand[0] ? c->brand : "(no brand string)", NULL);
	snprintf(v, sizeof(v), "family 0x%x model 0x%x stepping %u", c->family, c->model, c->stepping);
	add_finding(fs, G, "signature", ST_INFO, v,
		    "CPUID.1:EAX=0x%08x: base family 0x%x + ext family 0x%x, ext model 0x%x : base model 0x%x",
		    c->signature, c->base_family, c->ext_family, c->ext_model, c->base_model);
	if (p->uarch.found) {
		snprintf(v, sizeof(v), "%s / %s", p->uarch.uarch, p->uarch.platform);
		add_finding(fs, G, "microarchitecture", ST_INFO, v,
			    "data/cpu-uarch.tsv line %ld (%s); libcpuid 0.6 would say \"%s\"", p->uarch.line,
			    p->uarch.source, c->libcpuid_codename);
	} else {
		add_finding(fs, G, "microarchitecture", ST_WARN, "unknown",
			    "family 0x%x model 0x%x stepping %u is not in data/cpu-uarch.tsv", c->family, c->model,
			    c->stepping);
	}
}

static void topology(const struct probe *p, struct findings *fs)
{
	const struct cpu_info *c = &p->cpu;
	char v[512];
	if (!c->threads) {
		add_finding(fs, G, "topology", ST_INFO, "unknown", "no APIC IDs in the source");
		return;
	}
	snprintf(v, sizeof(v), "%u sockets, %u cores, %u threads", c->packages, c->cores, c->threads);
	const char *kt = facts_str(&p->host, "kernel.topology");
	if (kt && strcmp(kt, v) != 0) {
		/* Hypervisors often fill CPUID topology leaves inconsistently. */
		add_finding(fs, G, "topology", ST_INFO, kt,
			    "kernel's view (/proc/cpuinfo); CPUID topology leaves say %s: they are inconsistent here",
			    v);
		return;
	}
	unsigned expect = c->packages * c->pkg_threads;
	if (c->pkg_threads && expect != c->threads)
		add_finding(fs, G, "topology", ST_INFO, v,
			    "CPUID reports %u threads per package (%u per core); the source enumerates %u of %u "
			    "(SMT or cores disabled, or the collector saw one processor group)",
			    c->pkg_threads, c->core_threads, c->threads, expect);
	else
		add_finding(fs, G, "topology", ST_INFO, v,
			    "from %zu APIC IDs; CPUID: %u threads per package, %u per core", p->raw.ncpus,
			    c->pkg_threads, c->core_threads);
}

static void level(const struct probe *p, struct findings *fs)
{
	char v[32];
	int l = p->cpu.x86_64_level;
	snprintf(v, sizeof(v), l ? "x86-64-v%d" : "below x86-64 baseline", l);
	add_finding(fs, G, "x86-64 level", l >= 2 ? ST_INFO : ST_WARN, v,
		    l >= 2 ? NULL : "RHEL 9 and other x86-64-v2 distributions will not run on this CPU");
}

static void features(const struct probe *p, struct findings *fs)
{
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		const struct need *n = &needs[i];
		const struct cpu_feat_desc *d = &cpu_feat_table[n->f];
		int has = p->cpu.feat[n->f];
		char name[48];
		snprintf(name, sizeof(name), "feature %s", n->label);
		if (p->cpu.feat_unknown[n->f]) {
			add_finding(fs, G, name, ST_INFO, "unknown", "CPUID 0x%x:%s[%d] is not in the source (%s)",
				    d->leaf, (const char *[]){"EAX", "EBX", "ECX", "EDX"}[d->reg], d->bit,
				    p->raw.format);
			continue;
		}
		add_finding(fs, G, name, has ? ST_PASS : n->missing, has ? "yes" : "no",
			    has ? "CPUID 0x%x:%s[%d]" : "CPUID 0x%x:%s[%d] clear: %s", d->leaf,
			    (const char *[]){"EAX", "EBX", "ECX", "EDX"}[d->reg], d->bit, n->why);
	}
	if (p->cpu.libcpuid_diff[0])
		add_finding(fs, G, "libcpuid cross-check", ST_INFO, p->cpu.libcpuid_diff,
			    "libcpuid 0.6 decodes these flags differently from the raw CPUID bits; raw bits used");
}

void assess_cpu(const struct probe *p, struct findings *fs)
{
	identity(p, fs);
	topology(p, fs);
	level(p, fs);
	features(p, fs);
}
