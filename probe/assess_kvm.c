/* KVM device, module parameters, and the host services a VMM needs. */
#include "assess.h"

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
	const char *dev = facts_str(&p->host, "dev.kvm");
	const char *vendor_mod = facts_str(&p->host, "kvm.module.vendor");
	if (!dev || strcmp(dev, "absent") == 0) {
		add_finding(
		    fs, G, "/dev/kvm", ST_FAIL, "absent",
		    vendor_mod && strcmp(vendor_mod, "none") == 0
			? "kvm_intel/kvm_amd not loaded: modprobe it (it refuses to load without usable VT-x/AMD-V)"
			: "KVM device node missing: check that the kvm module is loaded and udev created the node");
		return;
	}
	add_finding(fs, G, "/dev/kvm", strstr(dev, "access=rw") ? ST_PASS : ST_WARN, dev,
		    strstr(dev, "access=rw") ? NULL
					     : "this user cannot open /dev/kvm: add it to the node's group (kvm)");
	const struct fact *api = facts_get(&p->host, "kvm.api_version");
	if (api)
		add_finding(fs, G, "KVM API version", api->known && strcmp(api->value, "12") == 0 ? ST_PASS : ST_WARN,
			    api->known ? api->value : "unknown",
			    api->known ? "KVM_GET_API_VERSION (stable API is 12)" : "%s", api->value);
}

static void caps(const struct probe *p, struct findings *fs)
{
	char list[512] = "";
	/* Values are short integers; cut the list rather than the format. */
	for (size_t i = 0; i < p->host.n; i++) {
		const struct fact *f = &p->host.f[i];
		if (strncmp(f->key, "kvm.cap.", 8) || !f->known)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%.40s=%.24s", l ? " " : "", f->key + 8, f->value);
	}
	if (list[0])
		add_finding(fs, G, "KVM capabilities", ST_INFO, list, "KVM_CHECK_EXTENSION");
}

static int yes(const char *v)
{
	return v && (strcmp(v, "Y") == 0 || strcmp(v, "1") == 0 || strcmp(v, "y") == 0);
}

static void params(const struct probe *p, struct findings *fs)
{
	const char *mod = facts_str(&p->host, "kvm.module.vendor");
	if (!mod || strcmp(mod, "none") == 0)
		return;
	int intel = strcmp(mod, "kvm_intel") == 0;
	const char *tdp = facts_str(&p->host, intel ? "kvm.param.ept" : "kvm.param.npt");
	add_finding(fs, G, intel ? "kvm_intel ept" : "kvm_amd npt", yes(tdp) ? ST_PASS : ST_WARN, tdp ? tdp : "unknown",
		    yes(tdp) ? "two-dimensional paging in use" : "KVM falls back to shadow paging: much slower MMU");
	const char *nested = facts_str(&p->host, "kvm.param.nested");
	char how[160];
	snprintf(how, sizeof(how), "echo 'options %s nested=1' > /etc/modprobe.d/kvm-nested.conf; reload %s", mod, mod);
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
	caps(p, fs);
	params(p, fs);
	node(p, fs, "dev.vhost_net", "/dev/vhost-net", "modprobe vhost_net: in-kernel virtio-net data path");
	node(p, fs, "dev.tun", "/dev/net/tun", "modprobe tun: tap networking for guests");
	cgroups(p, fs);
}
