/* Modes: how each technique runs a guest. Techniques this host cannot run
 * are listed with the reason rather than silently left out. */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static int native_argv(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len)
{
	if (strcmp(g, "compute") || max < 3)
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
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' --version >/dev/null 2>&1", o->qemu);
	if (system(cmd) == 0)
		return 1;
	snprintf(why, n, "%s not runnable (install qemu-system-x86)", o->qemu);
	return 0;
}

static int qemu_kvm_available(const struct bench_opts *o, char *why, size_t n)
{
	return qemu_available(o, why, n) && have_kvm(why, n);
}

static int qemu_argv_accel(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len,
			   const char *accel)
{
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
	if (max < 30)
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
	for (char *save, *d = o->qemu_data ? strtok_r(dirs, ":", &save) : NULL; d && n < max - 12;
	     d = strtok_r(NULL, ":", &save)) {
		argv[n++] = "-L";
		argv[n++] = d;
	}
	snprintf(buf, len, "%s/guests/%s.elf", o->build, g);
	argv[n++] = "-kernel";
	argv[n++] = buf;
	argv[n++] = "-append";
	argv[n++] = (char *)o->args;
	argv[n] = NULL;
	return n;
}

static int tcg_argv(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len)
{
	return qemu_argv_accel(o, g, argv, max, buf, len, "tcg");
}

static int kvm_qemu_argv(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len)
{
	return qemu_argv_accel(o, g, argv, max, buf, len, "kvm");
}

static void qemu_version(const struct bench_opts *o, char *out, size_t n)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", o->qemu);
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (p && fgets(out, (int)n, p))
		out[strcspn(out, "\n")] = '\0';
	if (p)
		pclose(p);
}

static int vmm_kvm_available(const struct bench_opts *o, char *why, size_t n)
{
	(void)o;
	return have_kvm(why, n);
}

static int vmm_argv(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len)
{
	if (max < 8)
		return -1;
	size_t half = len / 2;
	snprintf(buf, half, "%s/bin/vmm-mini", o->build);
	snprintf(buf + half, len - half, "%s/guests/%s.elf", o->build, g);
	argv[0] = buf, argv[1] = "run", argv[2] = "--stats", argv[3] = buf + half, argv[4] = "--";
	argv[5] = (char *)o->args, argv[6] = NULL;
	return 6;
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

static int not_yet(const struct bench_opts *o, char *why, size_t n)
{
	(void)o;
	snprintf(why, n, "not implemented yet: the bt backend and paravirtual devices are issues 5 and 6");
	return 0;
}

static int no_argv(const struct bench_opts *o, const char *g, char **argv, int max, char *buf, size_t len)
{
	(void)o, (void)g, (void)argv, (void)max, (void)buf, (void)len;
	return -1;
}

static void no_version(const struct bench_opts *o, char *out, size_t n)
{
	(void)o;
	snprintf(out, n, "-");
}

const struct bench_mode bench_modes[] = {
    {"native", native_available, native_argv, native_version},
    {"qemu-tcg", qemu_available, tcg_argv, qemu_version},
    {"kvm", vmm_kvm_available, vmm_argv, vmm_version},
    {"qemu-kvm", qemu_kvm_available, kvm_qemu_argv, qemu_version},
    {"bt", not_yet, no_argv, no_version},
    {"kvm+pv", not_yet, no_argv, no_version},
    {"bt+pv", not_yet, no_argv, no_version},
};
const size_t bench_nmodes = sizeof(bench_modes) / sizeof(bench_modes[0]);
