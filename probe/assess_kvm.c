/* KVM device, module parameters, and the host services a VMM needs. */
#include "common/words.h"
#include "probe/assess.h"

#include <stdio.h>
#include <string.h>

#define G "kvm"

static int host_known(const struct probe *p, struct findings *fs, const char *group)
{
	if (p->host_collected)
		return 1;
	add_finding(fs, group, "host facts", ST_INFO, "not captured", "%s", p->host_source);
	return 0;
}

static void dev_kvm(const struct probe *p, struct findings *fs)
{
	const struct virt_facts *f = &p->vf;
	const char *dev = facts_str(&p->host, "dev.kvm");
	if (f->node != TRI_YES) {
		add_finding(
		    fs, G, "/dev/kvm", ST_FAIL, dev ? dev : "unknown",
		    f->kvm == KVM_IMPL_NONE && f->present
			? "kvm_intel/kvm_amd not loaded: modprobe it (it refuses to load without usable VT-x/AMD-V)"
			: "KVM device node missing: no KVM module serves it (kvm_intel/kvm_amd need VT-x/AMD-V, "
			  "kvm_pvm a PVM host kernel)");
		return;
	}
	add_finding(fs, G, "/dev/kvm", f->node_access ? ST_PASS : ST_WARN, dev,
		    f->node_access ? NULL : "this user cannot open /dev/kvm: add it to the node's group (kvm)");
	const struct fact *api = facts_get(&p->host, "kvm.api_version");
	if (api)
		add_finding(fs, G, "KVM API version", api->known && strcmp(api->value, "12") == 0 ? ST_PASS : ST_WARN,
			    api->known ? api->value : "unknown",
			    api->known ? "KVM_GET_API_VERSION (stable API is 12)" : "%s", api->value);
}

/* What serves /dev/kvm, and the two things a user wants to know of it. */
static void implementation(const struct probe *p, struct findings *fs)
{
	const struct virt_facts *f = &p->vf;
	static const char *const what[] = {
	    "unknown", "none", "kvm_intel (VT-x)", "kvm_amd (AMD-V)", "kvm_pvm (PVM, Pagetable-based Virtual Machine)",
	    "other"};
	char v[96];
	snprintf(v, sizeof(v), "%s", f->kvm == KVM_IMPL_OTHER ? f->kvm_module : what[f->kvm]);
	add_finding(fs, G, "KVM implementation", ST_INFO, v, "%s",
		    f->kvm_evidence[0] ? f->kvm_evidence : "no KVM module in /sys/module and no /dev/kvm answers");
	finding_notable(fs);
	enum status hw = f->hw_guests == TRI_YES  ? (f->nested ? ST_WARN : ST_PASS)
			 : f->hw_guests == TRI_NO ? ST_FAIL
						  : ST_WARN;
	add_finding(fs, G, "unmodified guests", hw,
		    f->hw_guests == TRI_YES	  ? "hardware-assisted"
		    : f->hw_guests == TRI_UNKNOWN ? "unknown"
						  : "no hardware assistance",
		    "%s", f->hw_why);
	add_finding(fs, G, "PVM-aware guests", f->pv_guests == TRI_YES ? ST_PASS : ST_INFO,
		    f->pv_guests == TRI_YES	  ? "paravirtual (kvm_pvm)"
		    : f->pv_guests == TRI_UNKNOWN ? "unknown"
						  : "not available",
		    "%s", f->pv_why);
	if (f->pv_guests == TRI_YES)
		finding_notable(fs);
}

/* Where kvm-ok (cpu-checker) and virt-host-validate (libvirt) would answer
 * differently from us, say what they conclude and why. */
static void tools(const struct probe *p, struct findings *fs)
{
	const struct virt_facts *f = &p->vf;
	if (f->kvm_ok == TRI_UNKNOWN)
		return;
	char v[160];
	snprintf(v, sizeof(v), "kvm-ok %s, virt-host-validate hardware virtualization %s",
		 f->kvm_ok == TRI_YES ? "PASS" : "FAIL", f->vhv_hw == TRI_YES ? "PASS" : "FAIL");
	int differ = (f->kvm_ok == TRI_YES) != (f->hw_guests == TRI_YES) || f->pv_guests == TRI_YES;
	add_finding(fs, G, "kvm-ok, virt-host-validate", ST_INFO, v, "%s%s", differ ? "they differ from hvcert: " : "",
		    f->tools_why);
	if (differ)
		finding_notable(fs);
}

/* "name=value ..." of the known facts under a key prefix; values are short,
 * so the list is cut rather than the format. */
static void fact_list(const struct probe *p, const char *prefix, char *list, size_t n)
{
	size_t pl = strlen(prefix);
	list[0] = '\0';
	for (size_t i = 0; i < p->host.n; i++) {
		const struct fact *f = &p->host.f[i];
		if (strncmp(f->key, prefix, pl) || !f->known)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, n - l, "%s%.40s=%.24s", l ? " " : "", f->key + pl, f->value);
	}
}

static void caps(const struct probe *p, struct findings *fs)
{
	char list[512];
	fact_list(p, "kvm.cap.", list, sizeof(list));
	if (list[0])
		add_finding(fs, G, "KVM capabilities", ST_INFO, list, "KVM_CHECK_EXTENSION");
}

static int yes(const char *v)
{
	return v && (strcmp(v, "Y") == 0 || strcmp(v, "1") == 0 || strcmp(v, "y") == 0);
}

/* A module whose parameters we have no rules for (kvm_pvm's differ
 * between builds): all of them, as evidence of what runs. */
static void other_params(const struct probe *p, struct findings *fs, const char *mod)
{
	char list[512], name[64];
	fact_list(p, "kvm.param.", list, sizeof(list));
	snprintf(name, sizeof(name), "%.*s parameters", (int)strcspn(mod, " "), mod);
	add_finding(fs, G, name, ST_INFO, list[0] ? list : "none readable", "/sys/module/%.*s/parameters",
		    (int)strcspn(mod, " "), mod);
}

static void params(const struct probe *p, struct findings *fs)
{
	const char *mod = facts_str(&p->host, "kvm.module.vendor");
	if (!mod || strcmp(mod, "none") == 0)
		return;
	if (strncmp(mod, "kvm_intel", 9) && strncmp(mod, "kvm_amd", 7))
		return other_params(p, fs, mod);
	int intel = strncmp(mod, "kvm_intel", 9) == 0;
	const char *tdp = facts_str(&p->host, intel ? "kvm.param.ept" : "kvm.param.npt");
	add_finding(fs, G, intel ? "kvm_intel ept" : "kvm_amd npt", yes(tdp) ? ST_PASS : ST_WARN, tdp ? tdp : "unknown",
		    yes(tdp) ? "two-dimensional paging in use" : "KVM falls back to shadow paging: much slower MMU");
	const char *nested = facts_str(&p->host, "kvm.param.nested");
	char how[160], m[16];
	snprintf(m, sizeof(m), "%s", intel ? "kvm_intel" : "kvm_amd");
	snprintf(how, sizeof(how), "echo 'options %s nested=1' > /etc/modprobe.d/kvm-nested.conf; reload %s", m, m);
	add_finding(fs, G, "nested virtualization", ST_INFO, nested ? nested : "unknown",
		    yes(nested) ? "guests may run their own hypervisor" : "to let guests run KVM: %s", how);
	const char *apicv = facts_str(&p->host, intel ? "kvm.param.enable_apicv" : "kvm.param.avic");
	add_finding(fs, G, intel ? "kvm_intel enable_apicv" : "kvm_amd avic", ST_INFO, apicv ? apicv : "unknown",
		    "interrupt virtualization cuts exits for timer and IPI heavy guests");
}

static void node(const struct probe *p, struct findings *fs, const char *key, const char *label, const char *fix)
{
	const char *v = facts_str(&p->host, key);
	int present = v && strncmp(v, "present", 7) == 0;
	add_finding(fs, "services", label, present ? ST_PASS : ST_WARN, v ? v : "unknown", present ? NULL : "%s", fix);
}

/* Only controllers that exist in the running hierarchy are checked: a v2
 * host has no "devices" or "blkio" controller and is not warned for them. */
static void cgroups(const struct probe *p, struct findings *fs)
{
	static const char *const v2[] = {"cpu", "cpuset", "memory", "io", "pids", NULL};
	static const char *const v1[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "blkio", NULL};
	const char *ver = facts_str(&p->host, "cgroup.version");
	const char *ctl = facts_str(&p->host, "cgroup.controllers");
	if (!ver || !ctl) {
		add_finding(fs, "services", "cgroups", ST_WARN, "unknown", "cgroup hierarchy not visible");
		return;
	}
	char missing[128] = "";
	for (const char *const *c = strcmp(ver, "2") == 0 ? v2 : v1; *c; c++) {
		if (word_in_list(ctl, *c))
			continue;
		size_t l = strlen(missing);
		snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? " " : "", *c);
	}
	char v[600];
	snprintf(v, sizeof(v), "v%s: %s", ver, ctl);
	add_finding(fs, "services", "cgroups", missing[0] ? ST_WARN : ST_PASS, v,
		    missing[0] ? "controllers libvirt uses for VM resource limits are missing: %s" : NULL, missing);
}

void assess_kvm(const struct probe *p, struct findings *fs)
{
	if (!host_known(p, fs, G))
		return;
	dev_kvm(p, fs);
	implementation(p, fs);
	tools(p, fs);
	caps(p, fs);
	params(p, fs);
	node(p, fs, "dev.vhost_net", "/dev/vhost-net", "modprobe vhost_net: in-kernel virtio-net data path");
	node(p, fs, "dev.tun", "/dev/net/tun", "modprobe tun: tap networking for guests");
	cgroups(p, fs);
}
