#include "hcl/baseline.h"

#include <stdio.h>
#include <string.h>

/* Bits a host's CPUID does not limit under KVM: KVM emulates x2APIC, the
 * TSC-deadline timer, ARAT and IA32_ARCH_CAPABILITIES and sets "hypervisor"
 * itself (arch/x86/kvm/cpuid.c kvm_set_cpu_caps); QEMU's KVM path drops
 * acpi, monitor and the nested-SVM bits from named models by default
 * (target/i386/kvm/kvm-cpu.c kvm_default_props). */
static const char *const synthesised[] = {
    "x2apic", "tsc_deadline_timer", "hypervisor",    "arat", "arch_capabilities", "acpi", "monitor", "svm",
    "npt",    "nrip_save",	    "svme_addr_chk", NULL};

static int is_synthesised(const char *f)
{
	for (const char *const *s = synthesised; *s; s++)
		if (strcmp(*s, f) == 0)
			return 1;
	return 0;
}

/* Features of list the host lacks, appended to missing; count, -1 unknown name. */
/* Intel reports SYSCALL only to 64-bit CPUID callers; LM implies it (as in
 * cpu_decode.c). */
static int host_has(const struct cpuid_bits *bits, const struct probe *p, const char *name)
{
	if (strcmp(name, "syscall") == 0 && p->cpu.vendor == CV_INTEL && p->cpu.feat[F_LM])
		return 1;
	return cpuid_bits_has(bits, &p->raw, name);
}

static int lacks(const struct cpuid_bits *bits, const struct probe *p, const char *list, char *missing, size_t n,
		 const char **unknown)
{
	char tmp[8192];
	int count = 0;
	snprintf(tmp, sizeof(tmp), "%s", list);
	for (char *save, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (is_synthesised(t))
			continue;
		int has = host_has(bits, p, t);
		if (has < 0) {
			*unknown = list;
			return -1;
		}
		if (has)
			continue;
		count++;
		size_t l = strlen(missing);
		if (missing && l + strlen(t) + 2 < n)
			snprintf(missing + l, n - l, "%s%s", l ? "," : "", t);
	}
	return count;
}

static int same_vendor(const char *a, const char *b)
{
	/* Hygon parts share AMD's ladder (Zen derivatives). */
	int amd_a = !strcmp(a, "AuthenticAMD") || !strcmp(a, "HygonGenuine");
	int amd_b = !strcmp(b, "AuthenticAMD") || !strcmp(b, "HygonGenuine");
	return !strcmp(a, b) || (amd_a && amd_b);
}

/* Newest EVC-style baseline the host meets: baselines are cumulative, so the
 * walk stops at the first order the host misses. */
static int host_evc(const struct hcl_db *db, const struct cpuid_bits *bits, const struct probe *p, struct host_rank *h,
		    const char **unknown)
{
	h->evc = NULL;
	for (int order = 1; order <= 10000; order++) {
		const struct hcl_baseline *b = NULL;
		for (size_t i = 0; i < db->n_baselines && !b; i++)
			if (db->baselines[i].order == order && same_vendor(db->baselines[i].vendor, p->cpu.vendor_str))
				b = &db->baselines[i];
		if (!b)
			break;
		h->evc_missing[0] = '\0';
		int miss = lacks(bits, p, b->adds, h->evc_missing, sizeof(h->evc_missing), unknown);
		if (miss < 0)
			return -1;
		if (miss > 0)
			return 0;
		h->evc = b;
	}
	h->evc_missing[0] = '\0';
	return 0;
}

static int host_model(const struct hcl_db *db, const struct cpuid_bits *bits, const struct probe *p,
		      struct host_rank *h, const char **unknown)
{
	const struct hcl_cpumodel *next = NULL;
	h->model = NULL;
	for (size_t i = 0; i < db->n_cpumodels; i++) {
		const struct hcl_cpumodel *m = &db->cpumodels[i];
		char scratch[4];
		if (strcmp(m->vendor, p->cpu.vendor_str) != 0)
			continue; /* models carry a vendor string: Hygon has its own */
		scratch[0] = '\0';
		int miss = lacks(bits, p, m->features, scratch, 1, unknown);
		if (miss < 0)
			return -1;
		if (miss == 0 && (!h->model || m->order > h->model->order))
			h->model = m;
	}
	/* The next newer model, to say what this host lacks for it. */
	for (size_t i = 0; i < db->n_cpumodels; i++) {
		const struct hcl_cpumodel *m = &db->cpumodels[i];
		if (!strcmp(m->vendor, p->cpu.vendor_str) && (!h->model || m->order > h->model->order) &&
		    (!next || m->order < next->order))
			next = m;
	}
	h->model_missing[0] = '\0';
	if (next)
		lacks(bits, p, next->features, h->model_missing, sizeof(h->model_missing), unknown);
	return 0;
}

/* The newest model every host supports (models are not strictly cumulative:
 * a -noTSX variant may fit where an older model with TSX does not). */
static int common_model(const struct hcl_db *db, const struct cpuid_bits *bits, const struct probe *hosts, int n,
			struct cluster_baseline *out)
{
	out->model = NULL;
	for (size_t i = 0; i < db->n_cpumodels; i++) {
		const struct hcl_cpumodel *m = &db->cpumodels[i];
		int all = !strcmp(m->vendor, out->vendor);
		for (int h = 0; all && h < n; h++) {
			char none[1] = "";
			const char *unknown = NULL;
			int miss = lacks(bits, &hosts[h], m->features, none, 1, &unknown);
			if (miss < 0)
				return -1;
			all = miss == 0;
		}
		if (all && (!out->model || m->order > out->model->order))
			out->model = m;
	}
	return 0;
}

int cluster_baseline(const struct hcl_db *db, const struct cpuid_bits *bits, const struct probe *hosts,
		     const char *const *names, int n, struct cluster_baseline *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (n < 1 || n > BASELINE_MAX_HOSTS) {
		snprintf(err, errlen, "give 1 to %d hosts", BASELINE_MAX_HOSTS);
		return -1;
	}
	out->vendor = hosts[0].cpu.vendor_str;
	out->level = 4;
	out->nhosts = n;
	for (int i = 0; i < n; i++) {
		struct host_rank *h = &out->host[i];
		const char *unknown = NULL;
		h->name = names[i];
		h->level = hosts[i].cpu.x86_64_level;
		/* Ladders treat Hygon as AMD, but a guest cannot migrate across vendors. */
		out->mixed_vendors |= strcmp(out->vendor, hosts[i].cpu.vendor_str) != 0;
		if (host_evc(db, bits, &hosts[i], h, &unknown) || host_model(db, bits, &hosts[i], h, &unknown)) {
			snprintf(err, errlen, "a feature in \"%.200s\" is not in data/cpuid-bits.tsv", unknown);
			return -1;
		}
		if (h->level < out->level)
			out->level = h->level;
		if (i == 0 || !h->evc || (out->evc && h->evc->order < out->evc->order))
			out->evc = i == 0 || out->evc ? h->evc : NULL;
	}
	if (!out->mixed_vendors && common_model(db, bits, hosts, n, out))
		return snprintf(err, errlen, "unknown feature in a cpumodel"), -1;
	if (out->mixed_vendors)
		out->evc = NULL, out->model = NULL;
	return 0;
}

int cluster_baseline_files(const struct hcl_db *db, const char *data_dir, char *const *paths, int n,
			   struct cluster_baseline *b, char *err, size_t errlen)
{
	/* Static: a probe is large and a cluster has up to 64 hosts. */
	static struct probe hosts[BASELINE_MAX_HOSTS];
	struct cpuid_bits bits;
	char path[4096];
	int rc = -1, loaded = 0;
	if (n < 1 || n > BASELINE_MAX_HOSTS) {
		snprintf(err, errlen, "a baseline needs 1 to %d hosts, not %d", BASELINE_MAX_HOSTS, n);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cpuid-bits.tsv", data_dir);
	if (cpuid_bits_load(path, &bits, err, errlen))
		return -1;
	for (; loaded < n; loaded++) {
		probe_init(&hosts[loaded]);
		if (probe_load_host(&hosts[loaded], paths[loaded], data_dir, err, errlen)) {
			loaded++;
			goto free_hosts;
		}
	}
	rc = cluster_baseline(db, &bits, hosts, (const char *const *)paths, n, b, err, errlen);
free_hosts:
	for (int i = 0; i < loaded; i++)
		probe_free(&hosts[i]);
	cpuid_bits_free(&bits);
	return rc;
}
