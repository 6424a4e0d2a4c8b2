#include "probe/capture.h"
#include "probe/cpuid_raw.h"
#include "probe/host.h"
#include "probe/probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the readers in probe/ and hwloc's Linux backend and libpci's sysfs
 * method open. Device nodes become empty files: ioctls cannot be replayed. */
static const char *const patterns[] = {"/proc/cpuinfo",
				       "/proc/meminfo",
				       "/proc/interrupts",
				       "/proc/cgroups",
				       "/proc/cmdline",
				       "/proc/sys/kernel/osrelease",
				       "/sys/class/dmi/id/*_vendor",
				       "/sys/class/dmi/id/*_name",
				       "/sys/class/dmi/id/*_version",
				       "/sys/class/dmi/id/bios_date",
				       "/sys/kernel/mm/hugepages/*/nr_hugepages",
				       "/sys/kernel/mm/transparent_hugepage/enabled",
				       "/sys/fs/cgroup/cgroup.controllers",
				       "/sys/firmware/acpi/tables/DMAR",
				       "/sys/firmware/acpi/tables/IVRS",
				       "/sys/class/iommu",
				       "/sys/class/iommu/*",
				       "/sys/kernel/iommu_groups",
				       "/sys/kernel/iommu_groups/*",
				       "/sys/module/kvm",
				       "/sys/module/kvm_*",
				       "/sys/module/kvm_*/parameters/*",
				       "/sys/bus/pci/devices/*/sriov_totalvfs",
				       "/sys/bus/pci/devices/*/config",
				       "/sys/bus/pci/devices/*/vendor",
				       "/sys/bus/pci/devices/*/device",
				       "/sys/bus/pci/devices/*/class",
				       "/sys/bus/pci/devices/*/revision",
				       "/sys/bus/pci/devices/*/subsystem_vendor",
				       "/sys/bus/pci/devices/*/subsystem_device",
				       "/sys/bus/pci/devices/*/irq",
				       "/sys/bus/pci/devices/*/resource",
				       "/sys/bus/pci/devices/*/driver",
				       "/sys/bus/pci/devices/*/iommu_group",
				       "/sys/bus/pci/devices/*/numa_node",
				       "/sys/devices/system/cpu/online",
				       "/sys/devices/system/cpu/possible",
				       "/sys/devices/system/cpu/present",
				       "/sys/devices/system/cpu/cpu*/online",
				       "/sys/devices/system/cpu/cpu*/topology/*",
				       "/sys/devices/system/cpu/cpu*/cache/index*/*",
				       "/sys/devices/system/node/online",
				       "/sys/devices/system/node/node*/cpumap",
				       "/sys/devices/system/node/node*/meminfo",
				       "/sys/devices/system/node/node*/distance",
				       "/dev/kvm",
				       "/dev/vhost-net",
				       "/dev/vhost-vsock",
				       "/dev/net/tun",
				       NULL};

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0)
		return -1;
	/* sysfs files are small; a config space is 4 KiB. */
	ssize_t n = read(in, buf, sizeof(buf));
	close(in);
	if (n < 0)
		return -1;
	/* A fresh tree: nothing may be there already, least of all a link. */
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return -1;
	int rc = write(out, buf, (size_t)n) == n ? 0 : -1;
	if (close(out))
		rc = -1;
	return rc;
}

/* Whether relative `target` of a link at `link` climbs above the tree `to`. */
static int escapes(const char *to, const char *link, const char *target)
{
	int depth = 0;
	for (const char *p = link + strlen(to); *p; p++)
		depth += *p == '/';
	depth--; /* the link's own name */
	for (const char *p = target; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (l && !(l == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return 1;
		p += l + (p[l] == '/');
	}
	return 0;
}

/* libpci resolves the "driver" link with realpath(): give it something to
 * resolve to inside the tree. */
static void make_link_target(const char *to, const char *link, const char *target)
{
	char path[8192];
	const char *slash = strrchr(link, '/');
	if (target[0] == '/' || !slash || escapes(to, link, target))
		return;
	snprintf(path, sizeof(path), "%.*s/%s/", (int)(slash - link), link, target);
	mkdirs(path);
}

static void one(const char *from, const char *src, const char *to, struct capture_stats *st)
{
	char dst[4096];
	struct stat s;
	snprintf(dst, sizeof(dst), "%s%s", to, src + strlen(from));
	if (lstat(src, &s) != 0 || mkdirs(dst) != 0)
		return;
	if (S_ISLNK(s.st_mode)) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			st->links += symlink(target, dst) == 0;
			make_link_target(to, dst, target);
		}
	} else if (S_ISDIR(s.st_mode)) {
		st->dirs += mkdir(dst, 0755) == 0 || errno == EEXIST;
	} else if (S_ISCHR(s.st_mode) || S_ISBLK(s.st_mode)) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, s.st_mode & 07777);
		/* The node's own mode, not the umask's: the probe reports it. */
		if (fd >= 0) {
			st->nodes += fchmod(fd, s.st_mode & 07777) == 0;
			close(fd);
		}
	} else if (copy_file(src, dst) == 0) {
		st->files++;
	} else {
		st->unreadable++;
	}
}

/* The bundle goes into a new directory, or an empty one that is really a
 * directory: never through a link, never over what is there. */
static int fresh_dir(const char *to, char *err, size_t errlen)
{
	struct stat s;
	if (mkdir(to, 0755) == 0)
		return 0;
	if (errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		return -1;
	}
	if (lstat(to, &s) != 0 || !S_ISDIR(s.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a directory (a link or a file): give a new directory", to);
		return -1;
	}
	DIR *d = opendir(to);
	struct dirent *e;
	int empty = d != NULL;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	if (d)
		closedir(d);
	if (!empty) {
		snprintf(err, errlen, "%s is not empty: give a new or empty directory", to);
		return -1;
	}
	return 0;
}

/* Live only: what the CPU and /dev/kvm answer, which no copied file holds. */
static int record_live(const char *to, char *err, size_t errlen)
{
	struct cpu_raw r;
	char path[4096];
	cpu_raw_init(&r);
	int rc = host_record_kvm_dev(to, err, errlen);
	if (rc == 0)
		rc = cpu_raw_read_live(NULL, &r, err, errlen);
	snprintf(path, sizeof(path), "%s%s", to, CAPTURE_CPU);
	if (rc == 0)
		rc = cpu_raw_save_json(&r, path, err, errlen);
	cpu_raw_free(&r);
	snprintf(path, sizeof(path), "%s%s", to, CAPTURE_TOPOLOGY);
	if (rc == 0)
		rc = host_export_topology(path, err, errlen);
	return rc;
}

int capture_tree(const char *from, const char *to, struct capture_stats *st, char *err, size_t errlen)
{
	char pat[8192], root[4096];
	memset(st, 0, sizeof(*st));
	if (fresh_dir(to, err, errlen))
		return -1;
	snprintf(root, sizeof(root), "%s", from ? from : "");
	for (const char *const *p = patterns; *p; p++) {
		glob_t g;
		snprintf(pat, sizeof(pat), "%s%s", root, *p);
		if (glob(pat, GLOB_NOSORT, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++)
			one(root, g.gl_pathv[i], to, st);
		globfree(&g);
	}
	return root[0] ? 0 : record_live(to, err, errlen);
}
