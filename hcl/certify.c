/* One release, one probe: CPU support, requirements, system, PCI devices. */
#include "hcl/certify.h"
#include "common/grow.h"
#include "common/words.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *verdict_name(enum verdict v)
{
	static const char *const n[] = {"CERTIFIED", "WARN", "UNLISTED", "NOT CERTIFIED"};
	return v <= V_NOT_CERTIFIED ? n[v] : "?";
}

static struct comp_verdict *add(struct release_verdict *rv, const char *component, enum verdict v)
{
	if (grow_array((void **)&rv->c, &rv->cap, rv->n, sizeof(*rv->c)))
		return NULL;
	struct comp_verdict *c = &rv->c[rv->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->component, sizeof(c->component), "%s", component);
	c->v = v;
	return c;
}

static void appendf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t n, const char *fmt, ...)
{
	size_t l = strlen(buf);
	if (l + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
}

static void decided_by(const struct hcl_db *db, struct comp_verdict *cv, const struct hcl_loc *loc)
{
	snprintf(cv->rule_file, sizeof(cv->rule_file), "%s", hcl_file_name(db, loc->file));
	cv->rule_line = loc->line;
}

static enum verdict of_state(enum hcl_state st)
{
	return st == HS_SUPPORTED ? V_CERTIFIED : st == HS_DEPRECATED ? V_WARN : V_NOT_CERTIFIED;
}

/* Whether any entry of this kind states something about the release. */
static int release_has_cpu_list(const struct hcl_db *db, const char *rel)
{
	for (size_t i = 0; i < db->n_cpus; i++)
		if (hcl_state_for(&db->cpus[i].states, rel) != HS_NONE)
			return 1;
	return 0;
}

static void cpu_support(const struct hcl_db *db, const struct probe *p, const char *rel, struct release_verdict *rv)
{
	const struct cpu_info *c = &p->cpu;
	const struct hcl_cpu *best = NULL;
	long best_span = -1;
	char explain[1024] = "";
	for (size_t i = 0; i < db->n_cpus; i++) {
		const struct hcl_cpu *e = &db->cpus[i];
		long span = hcl_cpu_span(e, c->vendor_str, c->family, c->model, c->stepping);
		enum hcl_state st = hcl_state_for(&e->states, rel);
		if (span < 0 || st == HS_NONE)
			continue;
		appendf(explain, sizeof(explain), "%s:%d %s span=%ld %s; ", hcl_file_name(db, e->loc.file), e->loc.line,
			e->platform ? e->platform : "?", span, hcl_state_name(st));
		if (!best || span < best_span)
			best = e, best_span = span;
	}
	int has_list = release_has_cpu_list(db, rel);
	enum verdict v = best ? of_state(hcl_state_for(&best->states, rel)) : has_list ? V_UNLISTED : V_CERTIFIED;
	struct comp_verdict *cv = add(rv, "cpu", v);
	if (!cv)
		return;
	snprintf(cv->cpu.vendor, sizeof(cv->cpu.vendor), "%s", c->vendor_str);
	cv->cpu.family = c->family, cv->cpu.model = c->model, cv->cpu.stepping = c->stepping;
	cv->cpu.signature = c->signature;
	snprintf(cv->subject, sizeof(cv->subject), "%s (%s, family 0x%x model 0x%x stepping %u)", c->brand,
		 p->uarch.found ? p->uarch.platform : "unknown platform", c->family, c->model, c->stepping);
	if (best) {
		decided_by(db, cv, &best->loc);
		snprintf(cv->rule, sizeof(cv->rule), "%s:%d: %s is %s for %s%s%s", hcl_file_name(db, best->loc.file),
			 best->loc.line, best->platform ? best->platform : "entry",
			 hcl_state_name(hcl_state_for(&best->states, rel)), rel, best->note ? "; " : "",
			 best->note ? best->note : "");
		snprintf(cv->source, sizeof(cv->source), "%s", best->source ? best->source : "");
	} else {
		snprintf(cv->rule, sizeof(cv->rule), "%s",
			 has_list ? "no CPU entry of this release matches this signature"
				  : "the release lists no CPUs: judged by its requirements alone");
	}
	snprintf(cv->explain, sizeof(cv->explain), "%s", explain[0] ? explain : "no candidates");
}

static int feat_index(const char *name)
{
	for (int i = 0; i < F_NUM; i++)
		if (strcmp(cpu_feat_table[i].name, name) == 0)
			return i;
	return -1;
}

static enum verdict judge(const struct hcl_db *db, const struct probe *p, const struct hcl_require *q, char *subject,
			  size_t sn, char *why, size_t wn);

/* What a VT-less host can still run: PVM-aware guests, if kvm_pvm serves
 * /dev/kvm, or if this CPU meets what the database's pvm releases require
 * of the hardware (their requirements but the host kernel's kvm_pvm, which
 * is software to install). Appended to the hardware-virtualization verdict. */
static void pvm_hint(const struct hcl_db *db, const struct probe *p, char *why, size_t n)
{
	size_t l = strlen(why);
	if (p->vf.pv_guests == TRI_YES) {
		snprintf(why + l, n - l,
			 "; PVM-aware guests still run here: kvm_pvm serves /dev/kvm (release line pvm)");
		return;
	}
	for (size_t r = 0; r < db->n_releases; r++) {
		const struct hcl_release *rel = &db->releases[r];
		int fits = rel->line && !strcmp(rel->line, "pvm");
		for (size_t i = 0; fits && i < db->n_requires; i++) {
			const struct hcl_require *q = &db->requires[i];
			char subject[200], w[1000];
			if (hcl_release_match(q->release, rel->id) && q->kind != RQ_VIRT_PVM && q->kind != RQ_VIRT_HW)
				fits = judge(db, p, q, subject, sizeof(subject), w, sizeof(w)) != V_NOT_CERTIFIED;
		}
		if (fits) {
			snprintf(
			    why + l, n - l,
			    "; a PVM host kernel (kvm_pvm) could still run PVM-aware guests on this CPU (release %s)",
			    rel->id);
			return;
		}
	}
}

/* VT-x/AMD-V usable: present, not off in firmware, visible to the kernel
 * (the facts decoded once in probe/virt_facts.c). */
static enum verdict virt_hw(const struct hcl_db *db, const struct probe *p, enum hcl_state st, char *why, size_t n)
{
	const struct virt_facts *f = &p->vf;
	const char *tech = f->tech ? f->tech : "VT-x/AMD-V";
	if (!f->present && (p->cpu.feat_unknown[F_VMX] || p->cpu.feat_unknown[F_SVM])) {
		snprintf(why, n, "unknown: %s does not say whether VT-x/AMD-V is there", p->raw.source);
		return V_WARN;
	}
	if (!f->present) {
		snprintf(why, n, "%s absent%s", tech, f->nested ? " (this is a VM without nested virtualization)" : "");
		pvm_hint(db, p, why, n);
		return of_state(st);
	}
	if (f->fw_enabled == TRI_NO) {
		snprintf(why, n, "%s disabled in firmware (%s): enable it in BIOS setup", tech, p->virt.fw_detail);
		return V_WARN;
	}
	if (f->kernel_visible == TRI_NO) {
		snprintf(why, n, "%s present but hidden by the kernel (no '%s' in /proc/cpuinfo)", tech, f->flag);
		return V_WARN;
	}
	if (f->nested) {
		snprintf(why, n, "%s present, running nested under %s", tech, f->hypervisor);
		return V_WARN;
	}
	if (f->fw_enabled == TRI_UNKNOWN && f->kernel_visible == TRI_UNKNOWN) {
		snprintf(why, n, "%s present; firmware enablement unknown (%s)", tech, p->virt.fw_detail);
		return V_WARN;
	}
	snprintf(why, n, "%s present and enabled", tech);
	return V_CERTIFIED;
}

/* kvm_pvm serves /dev/kvm: only the host's facts can tell. */
static enum verdict virt_pvm(const struct probe *p, enum hcl_state st, char *why, size_t n)
{
	const struct virt_facts *f = &p->vf;
	if (!f->host_known) {
		snprintf(why, n, "host facts not captured (a dump): whether the host kernel has kvm_pvm is unknown");
		return V_WARN;
	}
	if (f->pv_guests == TRI_YES) {
		snprintf(why, n, "kvm_pvm serves /dev/kvm (%.400s)", f->kvm_evidence);
		return V_CERTIFIED;
	}
	snprintf(why, n, "%s", f->pv_why);
	return of_state(st);
}

/* Linux turns page-table isolation on for CPUs that may be vulnerable to
 * Meltdown: Intel without IA32_ARCH_CAPABILITIES.RDCL_NO. AMD and Hygon
 * are not affected (arch/x86/kernel/cpu/common.c cpu_vuln_whitelist). */
static enum verdict virt_no_kpti(const struct probe *p, enum hcl_state st, char *why, size_t n)
{
	const char *flags = facts_str(&p->host, "cpuinfo.flags");
	if (flags) {
		int pti = word_in_list(flags, "pti");
		snprintf(why, n, "%s",
			 pti ? "the host kernel runs with KPTI ('pti' in /proc/cpuinfo)"
			     : "no 'pti' in /proc/cpuinfo: the host kernel does not isolate page tables");
		return pti ? of_state(st) : V_CERTIFIED;
	}
	if (p->cpu.vendor == CV_AMD || p->cpu.vendor == CV_HYGON) {
		snprintf(why, n, "%s CPUs are not affected by Meltdown: Linux does not enable KPTI", p->cpu.vendor_str);
		return V_CERTIFIED;
	}
	uint64_t caps;
	int enumerated = cpu_raw_bit(&p->raw, 7, 0, REG_EDX, 29);
	int rc = enumerated ? cpu_raw_msr(&p->raw, 0x10A, &caps) : -1;
	if (enumerated && rc == 0) {
		int rdcl_no = caps & 1;
		snprintf(why, n, "IA32_ARCH_CAPABILITIES=0x%llx: RDCL_NO=%d, so Linux %s KPTI",
			 (unsigned long long)caps, rdcl_no, rdcl_no ? "does not enable" : "enables");
		return rdcl_no ? V_CERTIFIED : of_state(st);
	}
	if (!enumerated) {
		snprintf(why, n, "no IA32_ARCH_CAPABILITIES (CPUID.7:EDX[29] clear): Linux enables KPTI on this CPU");
		return of_state(st);
	}
	snprintf(why, n, "IA32_ARCH_CAPABILITIES not captured: whether Linux enables KPTI is unknown");
	return V_WARN;
}

static enum verdict virt_tdp(const struct probe *p, enum hcl_state st, char *why, size_t n)
{
	int vmx = virt_is_vmx(&p->virt, &p->cpu);
	int cap = virt_cap(&p->virt, vmx ? "ept" : "npt");
	const char *name = vmx ? "EPT" : "NPT";
	if (!p->virt.hw) {
		snprintf(why, n, "no hardware virtualization, so no %s", name);
		return of_state(st);
	}
	if (cap == TRI_UNKNOWN) {
		snprintf(why, n, "%s unknown: %s", name, p->virt.caps_note);
		return V_WARN;
	}
	snprintf(why, n, "%s %s", name, cap ? "present" : "absent");
	return cap ? V_CERTIFIED : of_state(st);
}

/* The level the CPU would have if every feature the source cannot show
 * were there: a requirement above what is shown but within this is unknown. */
static int level_if_unknown_present(const struct cpu_info *c)
{
	unsigned char f[F_NUM];
	for (int i = 0; i < F_NUM; i++)
		f[i] = c->feat[i] || c->feat_unknown[i];
	return cpu_x86_64_level(f);
}

/* One requirement's verdict, what it is about and why. */
static enum verdict judge(const struct hcl_db *db, const struct probe *p, const struct hcl_require *q, char *subject,
			  size_t sn, char *why, size_t wn)
{
	switch (q->kind) {
	case RQ_LEVEL:
		snprintf(subject, sn, "x86-64-v%d", q->level);
		if (p->cpu.x86_64_level < q->level && level_if_unknown_present(&p->cpu) >= q->level) {
			snprintf(why, wn, "unknown: x86-64-v%d from what %s shows, v%d if what it cannot show is there",
				 p->cpu.x86_64_level, p->raw.source, level_if_unknown_present(&p->cpu));
			return V_WARN;
		}
		snprintf(why, wn, "CPU is x86-64-v%d", p->cpu.x86_64_level);
		return p->cpu.x86_64_level >= q->level ? V_CERTIFIED : of_state(q->st);
	case RQ_FEATURE: {
		int i = feat_index(q->feature);
		snprintf(subject, sn, "CPU feature %s", q->feature);
		if (i >= 0 && !p->cpu.feat[i] && p->cpu.feat_unknown[i]) {
			snprintf(why, wn, "unknown: %s cannot say", p->raw.source);
			return V_WARN;
		}
		snprintf(why, wn, i < 0 ? "unknown feature name" : p->cpu.feat[i] ? "present" : "absent");
		return i >= 0 && p->cpu.feat[i] ? V_CERTIFIED : of_state(q->st);
	}
	case RQ_VIRT_HW: snprintf(subject, sn, "hardware virtualization"); return virt_hw(db, p, q->st, why, wn);
	case RQ_VIRT_PVM: snprintf(subject, sn, "kvm_pvm host kernel"); return virt_pvm(p, q->st, why, wn);
	case RQ_VIRT_NO_KPTI: snprintf(subject, sn, "host without KPTI"); return virt_no_kpti(p, q->st, why, wn);
	default: snprintf(subject, sn, "EPT/NPT (two-dimensional paging)"); return virt_tdp(p, q->st, why, wn);
	}
}

static void requirement(const struct hcl_db *db, const struct probe *p, const struct hcl_require *q,
			struct release_verdict *rv)
{
	char subject[200], why[1000];
	enum verdict v = judge(db, p, q, subject, sizeof(subject), why, sizeof(why));
	struct comp_verdict *cv = add(rv, "requirement", v);
	if (!cv)
		return;
	snprintf(cv->subject, sizeof(cv->subject), "%s", subject);
	decided_by(db, cv, &q->loc);
	snprintf(cv->rule, sizeof(cv->rule), "%s:%d: %s required (%s when missing): %s", hcl_file_name(db, q->loc.file),
		 q->loc.line, subject, hcl_state_name(q->st), why);
	snprintf(cv->source, sizeof(cv->source), "%s", q->source ? q->source : "");
}

static void system_entry(const struct hcl_db *db, const struct probe *p, const char *rel, struct release_verdict *rv)
{
	const char *vendor = facts_str(&p->host, "dmi.sys_vendor"), *product = facts_str(&p->host, "dmi.product_name");
	int listed = 0;
	for (size_t i = 0; i < db->n_systems; i++) {
		const struct hcl_system *e = &db->systems[i];
		enum hcl_state st = hcl_state_for(&e->states, rel);
		if (st == HS_NONE)
			continue;
		listed = 1;
		if (!vendor || !product || strcasecmp(vendor, e->vendor) || strcasecmp(product, e->product))
			continue;
		struct comp_verdict *cv = add(rv, "system", of_state(st));
		if (!cv)
			return;
		snprintf(cv->subject, sizeof(cv->subject), "%s %s", vendor, product);
		decided_by(db, cv, &e->loc);
		snprintf(cv->rule, sizeof(cv->rule), "%s:%d: %s for %s", hcl_file_name(db, e->loc.file), e->loc.line,
			 hcl_state_name(st), rel);
		snprintf(cv->source, sizeof(cv->source), "%s", e->source ? e->source : "");
		return;
	}
	if (!listed)
		return;
	struct comp_verdict *cv = add(rv, "system", V_UNLISTED);
	if (!cv)
		return;
	snprintf(cv->subject, sizeof(cv->subject), "%s %s", vendor ? vendor : "(DMI unknown)", product ? product : "");
	snprintf(cv->rule, sizeof(cv->rule), "no system entry of this release matches");
}

static int in_scope(const struct hcl_release *rel, const struct pci_info *d)
{
	char cls[8];
	snprintf(cls, sizeof(cls), "%04x", d->class_code >> 8);
	for (int i = 0; i < rel->nclasses; i++)
		if (strncmp(rel->classes[i], cls, strlen(rel->classes[i])) == 0)
			return 1;
	return 0;
}

static void pci_subject(const struct pci_info *d, char *out, size_t n)
{
	char ids[48];
	if (d->vendor == PCI_ID_UNKNOWN || d->device == PCI_ID_UNKNOWN)
		snprintf(ids, sizeof(ids), "[%04x:????]", d->vendor & 0xffff);
	else
		snprintf(ids, sizeof(ids), "[%04x:%04x]", d->vendor, d->device);
	snprintf(out, n, "%04x:%02x:%02x.%x %s %.120s", d->domain, d->bus, d->dev, d->func, ids,
		 d->device_name[0] ? d->device_name : d->class_name);
}

static const struct hcl_pci *best_pci(const struct hcl_db *db, const struct pci_info *d, const char *rel, char *explain,
				      size_t n)
{
	const struct hcl_pci *best = NULL;
	int best_score = -1, shown = 0;
	for (size_t i = 0; i < db->n_pcis; i++) {
		const struct hcl_pci *e = &db->pcis[i];
		if (hcl_state_for(&e->states, rel) == HS_NONE)
			continue;
		int s = hcl_pci_score(e, d);
		if (s < 0)
			continue;
		if (shown++ < 6)
			appendf(explain, n, "%s:%d score=%d driver=%s; ", hcl_file_name(db, e->loc.file), e->loc.line,
				s, e->driver ? e->driver : "-");
		if (s > best_score)
			best = e, best_score = s;
	}
	return best;
}

static void pci_device(const struct hcl_db *db, const struct hcl_release *rel, const struct pci_info *d,
		       struct release_verdict *rv)
{
	char explain[1024] = "";
	const struct hcl_pci *e = NULL;
	int unknown_id = d->vendor == PCI_ID_UNKNOWN || d->device == PCI_ID_UNKNOWN;
	if (!unknown_id)
		e = best_pci(db, d, rel->id, explain, sizeof(explain));
	enum verdict v = e					? of_state(hcl_state_for(&e->states, rel->id))
			 : unknown_id || !rel->devices_complete ? V_UNLISTED
								: V_NOT_CERTIFIED;
	if (e && v == V_CERTIFIED && e->fw_min)
		v = V_WARN; /* firmware versions are not visible to the probe */
	struct comp_verdict *cv = add(rv, "pci", v);
	if (!cv)
		return;
	pci_subject(d, cv->subject, sizeof(cv->subject));
	cv->pci.domain = d->domain, cv->pci.bus = d->bus, cv->pci.dev = d->dev, cv->pci.func = d->func;
	cv->pci.vendor = d->vendor, cv->pci.device = d->device, cv->pci.class_code = d->class_code;
	cv->pci.subvendor = d->subvendor, cv->pci.subdevice = d->subdevice;
	cv->pci.driver_known = d->driver_known;
	snprintf(cv->pci.driver, sizeof(cv->pci.driver), "%s", d->driver);
	if (e) {
		decided_by(db, cv, &e->loc);
		snprintf(cv->rule, sizeof(cv->rule), "%s:%d: driver %s, %s for %s%s%s%s",
			 hcl_file_name(db, e->loc.file), e->loc.line, e->driver ? e->driver : "-",
			 hcl_state_name(hcl_state_for(&e->states, rel->id)), rel->id,
			 e->fw_min ? "; needs firmware >= " : "", e->fw_min ? e->fw_min : "",
			 e->fw_min ? " (installed firmware unknown)" : "");
		snprintf(cv->source, sizeof(cv->source), "%s", e->source ? e->source : "");
	} else if (unknown_id) {
		snprintf(cv->rule, sizeof(cv->rule), "the device ID is not in the listing (lspci cut the line)");
	} else {
		snprintf(cv->rule, sizeof(cv->rule), "%s",
			 rel->devices_complete ? "no driver of this release claims this device ID"
					       : "no entry of this release lists this device");
	}
	snprintf(cv->explain, sizeof(cv->explain), "%s", explain[0] ? explain : "no candidates");
}

static enum verdict overall(struct release_verdict *rv)
{
	memset(rv->counts, 0, sizeof(rv->counts));
	for (size_t i = 0; i < rv->n; i++)
		rv->counts[rv->c[i].v]++;
	if (rv->counts[V_NOT_CERTIFIED])
		return V_NOT_CERTIFIED;
	if (rv->counts[V_WARN] || rv->counts[V_UNLISTED])
		return V_WARN;
	return V_CERTIFIED;
}

void certify_release(const struct hcl_db *db, const struct probe *p, const struct hcl_release *rel,
		     struct release_verdict *rv)
{
	memset(rv, 0, sizeof(*rv));
	rv->rel = rel;
	cpu_support(db, p, rel->id, rv);
	for (size_t i = 0; i < db->n_requires; i++)
		if (hcl_release_match(db->requires[i].release, rel->id))
			requirement(db, p, &db->requires[i], rv);
	if (p->host_collected)
		system_entry(db, p, rel->id, rv);
	for (size_t i = 0; p->pci_present && i < p->pci.n; i++) {
		if (in_scope(rel, &p->pci.dev[i]))
			pci_device(db, rel, &p->pci.dev[i], rv);
		else
			rv->out_of_scope++;
	}
	rv->overall = overall(rv);
}

void release_verdict_free(struct release_verdict *rv)
{
	free(rv->c);
	memset(rv, 0, sizeof(*rv));
}
