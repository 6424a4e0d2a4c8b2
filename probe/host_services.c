/* Device nodes and cgroups a VMM needs; KVM module parameters. */
#include "probe/host.h"
#include "probe/sysroot.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "present crw-rw---- root:kvm rw" style facts for a device node. */
static void dev_node(const char *root, struct factset *s, const char *key, const char *path)
{
	char p[4096];
	struct stat st;
	sysroot_path(root, path, p, sizeof(p));
	if (stat(p, &st) != 0) {
		facts_set(s, key, "absent");
		return;
	}
	struct passwd *pw = getpwuid(st.st_uid);
	struct group *gr = getgrgid(st.st_gid);
	char owner[64], group[64];
	snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
	snprintf(group, sizeof(group), "%s", gr ? gr->gr_name : "?");
	int rw = access(p, R_OK | W_OK) == 0;
	facts_set(s, key, "present mode=%04o owner=%s group=%s access=%s", (unsigned)(st.st_mode & 07777), owner, group,
		  rw ? "rw" : "denied");
}

static int visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Entries of a directory, sorted so reports are stable; count or -errno. */
static int list_dir(const char *root, const char *path, char *out, size_t n)
{
	char p[4096];
	struct dirent **names;
	sysroot_path(root, path, p, sizeof(p));
	int count = scandir(p, &names, visible, alphasort);
	if (count < 0)
		return -errno;
	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		size_t l = strlen(out);
		if (l + strlen(names[i]->d_name) + 2 < n)
			snprintf(out + l, n - l, "%s%s", l ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return count;
}

static void cgroups(const char *root, struct factset *s)
{
	char buf[512];
	if (sysroot_read_line(root, "/sys/fs/cgroup/cgroup.controllers", buf, sizeof(buf)) == 0) {
		facts_set(s, "cgroup.version", "2");
		facts_set(s, "cgroup.controllers", "%s", buf);
		return;
	}
	/* v1 (or hybrid): the enabled hierarchies of /proc/cgroups. */
	FILE *f = sysroot_fopen(root, "/proc/cgroups");
	if (!f) {
		facts_unknown(s, "cgroup.version",
			      "neither /sys/fs/cgroup/cgroup.controllers nor /proc/cgroups readable");
		facts_unknown(s, "cgroup.controllers", "cgroups not visible");
		return;
	}
	char line[256], list[512] = "";
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		int h, n, en;
		if (line[0] == '#' || sscanf(line, "%63s %d %d %d", name, &h, &n, &en) != 4 || !en || !h)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? " " : "", name);
	}
	fclose(f);
	facts_set(s, "cgroup.version", "1");
	facts_set(s, "cgroup.controllers", "%s", list);
}

void host_read_services(const char *root, struct factset *s)
{
	dev_node(root, s, "dev.kvm", "/dev/kvm");
	dev_node(root, s, "dev.vhost_net", "/dev/vhost-net");
	dev_node(root, s, "dev.vhost_vsock", "/dev/vhost-vsock");
	dev_node(root, s, "dev.tun", "/dev/net/tun");
	cgroups(root, s);
}

static void sriov(const char *root, struct factset *s)
{
	char list[1024] = "", devs[16384];
	int n = 0;
	if (list_dir(root, "/sys/bus/pci/devices", devs, sizeof(devs)) < 0) {
		facts_unknown(s, "sriov.devices", "/sys/bus/pci/devices not readable");
		return;
	}
	for (char *save, *dev = strtok_r(devs, " ", &save); dev; dev = strtok_r(NULL, " ", &save)) {
		char f[512], v[32];
		snprintf(f, sizeof(f), "/sys/bus/pci/devices/%.200s/sriov_totalvfs", dev);
		if (sysroot_read_line(root, f, v, sizeof(v)) != 0 || atoi(v) <= 0)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s=%s", l ? " " : "", dev, v);
		n++;
	}
	facts_set(s, "sriov.count", "%d", n);
	facts_set(s, "sriov.devices", "%s", list);
}

/* Interrupt remapping shows as "IR-" irq chips in /proc/interrupts. */
static void intr_remap(const char *root, struct factset *s)
{
	FILE *f = sysroot_fopen(root, "/proc/interrupts");
	if (!f) {
		facts_unknown(s, "iommu.intr_remap", "/proc/interrupts not readable");
		return;
	}
	char line[4096];
	int ir = 0;
	while (!ir && fgets(line, sizeof(line), f))
		ir = strstr(line, " IR-") != NULL;
	fclose(f);
	facts_set(s, "iommu.intr_remap", "%s", ir ? "active" : "inactive");
}

void host_read_iommu(const char *root, struct factset *s)
{
	char list[1024];
	facts_set(s, "acpi.dmar", "%s", sysroot_exists(root, "/sys/firmware/acpi/tables/DMAR") ? "present" : "absent");
	facts_set(s, "acpi.ivrs", "%s", sysroot_exists(root, "/sys/firmware/acpi/tables/IVRS") ? "present" : "absent");
	int n = list_dir(root, "/sys/class/iommu", list, sizeof(list));
	if (n < 0)
		facts_unknown(s, "iommu.units", "/sys/class/iommu: %s", strerror(-n));
	else
		facts_set(s, "iommu.units", "%d", n);
	n = list_dir(root, "/sys/kernel/iommu_groups", list, sizeof(list));
	if (n < 0)
		facts_unknown(s, "iommu.groups", "/sys/kernel/iommu_groups: %s", strerror(-n));
	else
		facts_set(s, "iommu.groups", "%d", n);
	intr_remap(root, s);
	sriov(root, s);
}

static void module_params(const char *root, struct factset *s, const char *mod, const char *const *params)
{
	char path[256], key[64], v[128];
	for (; *params; params++) {
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, *params);
		snprintf(key, sizeof(key), "kvm.param.%s", *params);
		int rc = sysroot_read_line(root, path, v, sizeof(v));
		if (rc == 0)
			facts_set(s, key, "%s", v);
		else
			facts_unknown(s, key, "%s: %s", path, strerror(-rc));
	}
}

/* Every parameter of a module we know nothing about (kvm_pvm's differ
 * between builds): they are its evidence, so all of them are kept. */
static void all_params(const char *root, struct factset *s, const char *mod)
{
	char dir[256], names[4096];
	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	int n = list_dir(root, dir, names, sizeof(names));
	if (n < 0) {
		facts_unknown(s, "kvm.params", "%s: %s", dir, strerror(-n));
		return;
	}
	const char *list[64];
	int k = 0;
	for (char *save, *w = strtok_r(names, " ", &save); w && k < 63; w = strtok_r(NULL, " ", &save))
		if (strlen(w) < 40)
			list[k++] = w;
	list[k] = NULL;
	facts_set(s, "kvm.params", "%d", k);
	module_params(root, s, mod, list);
}

/* The vendor modules present: kvm_intel, kvm_amd, kvm_pvm or another
 * kvm_* (sorted, blank separated; "none"). */
static void vendor_modules(const char *root, char *out, size_t n)
{
	char names[16384];
	out[0] = '\0';
	if (list_dir(root, "/sys/module", names, sizeof(names)) < 0)
		return;
	for (char *save, *w = strtok_r(names, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strncmp(w, "kvm_", 4) != 0 || strlen(w) > 31)
			continue;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%s", l ? " " : "", w);
	}
}

void host_read_kvm(const char *root, struct factset *s)
{
	static const char *const intel[] = {"ept",  "nested", "enable_apicv",	    "unrestricted_guest",
					    "vpid", "pml",    "enable_shadow_vmcs", NULL};
	static const char *const amd[] = {"npt", "nested", "avic", "sev", "sev_es", "sev_snp", "vgif", NULL};
	char mods[256];
	vendor_modules(root, mods, sizeof(mods));
	facts_set(s, "kvm.module.kvm", "%s", sysroot_exists(root, "/sys/module/kvm") ? "loaded" : "absent");
	facts_set(s, "kvm.module.vendor", "%s", mods[0] ? mods : "none");
	char first[32];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(mods, " "), mods);
	if (!strcmp(first, "kvm_intel"))
		module_params(root, s, first, intel);
	else if (!strcmp(first, "kvm_amd"))
		module_params(root, s, first, amd);
	else if (first[0])
		all_params(root, s, first);
}
