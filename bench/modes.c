/* Modes: how each technique runs a guest. Techniques this host cannot run
 * are listed with the reason rather than silently left out. */
#include "bench/harness.h"

#include "common/spawn.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef HVCERT_GIT
#define HVCERT_GIT "unknown"
#endif

static int have_kvm(char *why, size_t n)
{
	if (access("/dev/kvm", R_OK | W_OK) == 0)
		return 1;
	snprintf(why, n,
		 "no usable /dev/kvm on this host (the nested rig checks KVM functionally; its timings "
		 "would be TCG's)");
	return 0;
}

static int native_available(const struct bench_opts *o, char *why, size_t n)
{
	(void)o, (void)why, (void)n;
	return 1;
}

const struct bench_guest bench_guests[] = {
    {"compute", "compute", "", 0, 0, NULL},
    {"nanobench", "nanobench", "", 0, 0,
     "-,cpuid,rdtsc,pio_out,pio_in,cr8_write,cr3_reload,invlpg,pushf_popf,cli_sti,syscall,div0,pagefault,pte_update,"
     "vmcall,lapic_timer"},
    {"iostream", "iostream", "", 0, 0, NULL},
    {"pvstream", "pvstream", "batch=256", 1, 0, NULL},
    {"pvblk-b1", "pvblk", "batch=1", 1, 1, NULL},
    {"pvblk-b8", "pvblk", "batch=8", 1, 1, NULL},
    {"pvblk-b64", "pvblk", "batch=64", 1, 1, NULL},
    {"pvblk-b256", "pvblk", "batch=256", 1, 1, NULL},
};
const size_t bench_nguests = sizeof(bench_guests) / sizeof(bench_guests[0]);

const struct bench_guest *bench_guest(const char *name)
{
	for (size_t i = 0; i < bench_nguests; i++)
		if (!strcmp(bench_guests[i].name, name))
			return &bench_guests[i];
	return NULL;
}

/* The guest's command line: the run's arguments, then the workload's own. */
static const char *cmdline(const struct bench_opts *o, const struct bench_guest *g)
{
	static char c[1024];
	snprintf(c, sizeof(c), "%s%s%s%s%s", o->args, *o->args && *g->args ? " " : "", g->args, o->only ? " only=" : "",
		 o->only ? o->only : "");
	return c;
}

static int native_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		       size_t len)
{
	if (strcmp(g->name, "compute") || max < 3)
		return -1; /* privileged nanobenchmarks and port I/O have no native twin */
	/* The guest gets one command line; the native twin gets it as words. */
	int n = snprintf(buf, len, "%s/compute-native", o->build) + 1, argc = 1;
	argv[0] = buf;
	if ((size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s", o->args);
	for (char *save, *w = (size_t)n < len ? strtok_r(buf + n, " ", &save) : NULL; w && argc < max - 1;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

static void native_version(const struct bench_opts *o, char *out, size_t n)
{
	(void)o;
	snprintf(out, n, "host CPU");
}

static int qemu_available(const struct bench_opts *o, char *why, size_t n)
{
	char line[256];
	char *const argv[] = {(char *)o->qemu, "--version", NULL};
	if (spawn_line(argv, line, sizeof(line)) == 0)
		return 1;
	snprintf(why, n, "%s not runnable (install qemu-system-x86)", o->qemu);
	return 0;
}

static int qemu_kvm_available(const struct bench_opts *o, char *why, size_t n)
{
	return qemu_available(o, why, n) && have_kvm(why, n);
}

static int qemu_argv_accel(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
			   size_t len, const char *accel, int pv)
{
	static char drive[700];
	if (g->pv != pv)
		return -1; /* emulated-device guests on the PC machine, PV ones on microvm */
	static const char *fixed[] = {"-cpu",
				      "max",
				      "-m",
				      "256",
				      "-nographic",
				      "-nodefaults",
				      "-serial",
				      "stdio",
				      "-no-reboot",
				      "-device",
				      "isa-debug-exit,iobase=0xf4,iosize=0x04"};
	int n = 0;
	if (max < 48) /* 14 fixed, up to 6 for -L, 10 for microvm and devices, 4 for the guest */
		return -1;
	argv[n++] = (char *)o->qemu;
	argv[n++] = "-accel";
	argv[n++] = (char *)accel;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		argv[n++] = (char *)fixed[i];
	/* -L takes one directory; a colon list becomes several (firmware lives
	 * in /usr/share/seabios and /usr/share/qemu on Debian). */
	static char dirs[1024];
	snprintf(dirs, sizeof(dirs), "%s", o->qemu_data ? o->qemu_data : "");
	for (char *save, *d = o->qemu_data ? strtok_r(dirs, ":", &save) : NULL; d && n < 20;
	     d = strtok_r(NULL, ":", &save)) {
		argv[n++] = "-L";
		argv[n++] = d;
	}
	if (pv) {
		argv[n++] = "-M", argv[n++] = "microvm", argv[n++] = "-global";
		argv[n++] = "virtio-mmio.force-legacy=false";
		if (g->disk) {
			snprintf(drive, sizeof(drive), "file=%s,if=none,id=d0,format=raw", o->disk);
			argv[n++] = "-drive", argv[n++] = drive, argv[n++] = "-device",
			argv[n++] = "virtio-blk-device,drive=d0";
		} else {
			argv[n++] = "-device", argv[n++] = "virtio-serial-device", argv[n++] = "-chardev";
			argv[n++] = "null,id=c0", argv[n++] = "-device", argv[n++] = "virtconsole,chardev=c0";
		}
	}
	snprintf(buf, len, "%s/guests/%s.elf", o->build, g->elf);
	argv[n++] = "-kernel";
	argv[n++] = buf;
	argv[n++] = "-append";
	argv[n++] = (char *)cmdline(o, g);
	argv[n] = NULL;
	return n;
}

static int tcg_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		    size_t len)
{
	return qemu_argv_accel(o, g, argv, max, buf, len, "tcg", 0);
}

static int tcg_pv_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		       size_t len)
{
	return qemu_argv_accel(o, g, argv, max, buf, len, "tcg", 1);
}

static int kvm_qemu_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
			 size_t len)
{
	return qemu_argv_accel(o, g, argv, max, buf, len, "kvm", 0);
}

static void qemu_version(const struct bench_opts *o, char *out, size_t n)
{
	char *const argv[] = {(char *)o->qemu, "--version", NULL};
	spawn_line(argv, out, n);
}

static int vmm_kvm_available(const struct bench_opts *o, char *why, size_t n)
{
	(void)o;
	return have_kvm(why, n);
}

static int vmm_argv_pv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		       size_t len, int pv, const char *accel)
{
	int n = 0;
	if (max < 12 || g->pv != pv)
		return -1;
	size_t half = len / 2;
	snprintf(buf, half, "%s/bin/vmm-mini", o->build);
	snprintf(buf + half, len - half, "%s/guests/%s.elf", o->build, g->elf);
	argv[n++] = buf, argv[n++] = "run", argv[n++] = "--stats", argv[n++] = "--accel", argv[n++] = (char *)accel;
	if (g->disk)
		argv[n++] = "--disk", argv[n++] = (char *)o->disk;
	else if (pv)
		argv[n++] = "--pv";
	argv[n++] = buf + half, argv[n++] = "--", argv[n++] = (char *)cmdline(o, g), argv[n] = NULL;
	return n;
}

/* kvm: hardware-assisted KVM only (vmm-mini refuses kvm_pvm for it). */
static int vmm_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		    size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 0, "kvm-hw");
}

static int vmm_pv_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		       size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 1, "kvm-hw");
}

/* kvm-pvm: the guests as PVM guests under kvm_pvm (paravirtual CPU). */
static int pvm_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		    size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 0, "kvm-pvm");
}

static int pvm_pv_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		       size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 1, "kvm-pvm");
}

static int bt_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf, size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 0, "bt");
}

static int bt_pv_argv(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		      size_t len)
{
	return vmm_argv_pv(o, g, argv, max, buf, len, 1, "bt");
}

static void vmm_version(const struct bench_opts *o, char *out, size_t n)
{
	(void)o;
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
	char rel[128] = "?";
	if (f && fgets(rel, sizeof(rel), f))
		rel[strcspn(rel, "\n")] = '\0';
	if (f)
		fclose(f);
	snprintf(out, n, "vmm-mini on KVM of Linux %s", rel);
}

/* The module and every parameter it has: kvm_pvm's differ between builds. */
static void pvm_version(const struct bench_opts *o, char *out, size_t n)
{
	char kern[160], params[1024] = "";
	vmm_version(o, kern, sizeof(kern));
	glob_t g;
	if (glob("/sys/module/kvm_pvm/parameters/*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			FILE *f = fopen(g.gl_pathv[i], "r");
			char v[64] = "?";
			if (f && fgets(v, sizeof(v), f))
				v[strcspn(v, "\n")] = '\0';
			if (f)
				fclose(f);
			size_t l = strlen(params);
			snprintf(params + l, sizeof(params) - l, "%s%s=%s", l ? " " : "",
				 strrchr(g.gl_pathv[i], '/') + 1, v);
		}
		globfree(&g);
	}
	snprintf(out, n, "%.150s, module kvm_pvm (%.700s)", kern, params[0] ? params : "no parameters readable");
}

/* The translator runs anywhere vmm-mini was built with it. */
static int bt_available(const struct bench_opts *o, char *why, size_t n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/bin/vmm-mini", o->build);
	if (access(path, X_OK) == 0)
		return 1;
	snprintf(why, n, "%s not built", path);
	return 0;
}

static void bt_version(const struct bench_opts *o, char *out, size_t n)
{
	(void)o;
	snprintf(out, n, "vmm-mini binary translator %s", HVCERT_GIT);
}

/* In the order reports show them: native, the three techniques (binary
 * translation, PVM's paravirtual CPU, emulation by QEMU), then the
 * hardware-assisted ones for comparison; each +pv twin after its mode. */
const struct bench_mode bench_modes[] = {
    {"native", 0, native_available, native_argv, native_version},
    {"bt", 0, bt_available, bt_argv, bt_version},
    {"bt+pv", 0, bt_available, bt_pv_argv, bt_version},
    {"kvm-pvm", 0, vmm_kvm_available, pvm_argv, pvm_version},
    {"kvm-pvm+pv", 0, vmm_kvm_available, pvm_pv_argv, pvm_version},
    {"qemu-tcg", 0, qemu_available, tcg_argv, qemu_version},
    {"qemu-tcg+pv", 0, qemu_available, tcg_pv_argv, qemu_version},
    {"kvm", 1, vmm_kvm_available, vmm_argv, vmm_version},
    {"kvm+pv", 1, vmm_kvm_available, vmm_pv_argv, vmm_version},
    {"qemu-kvm", 1, qemu_kvm_available, kvm_qemu_argv, qemu_version},
};
const size_t bench_nmodes = sizeof(bench_modes) / sizeof(bench_modes[0]);
