/* vmm-mini run [--accel auto|kvm|bt] [--allow-emulated] [--mem MiB] [--timeout S]
 *              [--max-exits N] [--stats] guest.elf [-- guest args]
 * --accel auto (the default) takes KVM where it gives hardware assistance,
 * or where it is PVM and the guest says (ELF note) it is PVM-aware; else bt.
 * Exit status: the guest's debug-exit value as (v << 1) | 1 (QEMU's
 * isa-debug-exit convention); 0 when the guest halts; 2 bad usage or image;
 * 4 the guest crashed (triple fault, entry failure); 6 watchdog; 8 exit limit. */
#include "vmm-mini/vmm.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct accel_ops *accels[] = {
    &kvm_accel,
#ifndef VMM_NO_BT
    &bt_accel,
#endif
};

/* Every device file registers itself (VMM_DEVICE); these are they. */
static const struct vmm_device *devs[VMM_MAX_DEVICES];
static size_t ndevs;

/* "--disk FILE" */
static const char *option_text(const struct vmm_device *d, char *buf, size_t n)
{
	snprintf(buf, n, "--%s%s%s", d->option, d->argname ? " " : "", d->argname ? d->argname : "");
	return buf;
}

static void usage(FILE *f)
{
	char opt[64];
	fprintf(f, "usage: vmm-mini run [--accel auto|kvm|bt] [--allow-emulated] [--mem MiB] [--timeout SECONDS]\n"
		   "                    [--max-exits N] [--stats]");
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i]->option)
			fprintf(f, " [%s]", option_text(devs[i], opt, sizeof(opt)));
	fprintf(f, " guest.elf [-- guest arguments...]\n"
		   "  --accel     auto (default): KVM when it gives hardware assistance, or when it is PVM and\n"
		   "              the guest is PVM-aware; else the binary translator (bt). It says which and why.\n"
		   "  --allow-emulated  run --accel kvm even where KVM would emulate the guest's kernel code\n"
		   "              (PVM with a guest that is not PVM-aware): to measure that\n");
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i]->option)
			fprintf(f, "  %-11s %s\n", option_text(devs[i], opt, sizeof(opt)),
				devs[i]->help ? devs[i]->help : devs[i]->name);
}

enum want { WANT_ANY, WANT_HW, WANT_PVM };

struct args {
	const struct accel_ops *accel; /* NULL: auto */
	enum want want;		       /* --accel kvm-hw / kvm-pvm: that KVM or nothing */
	int allow_emulated, pvm;
	unsigned long mem, timeout;
	unsigned long long max_exits;
	int stats;
	/* Per registered device with an option: given (arg, or "" for a flag) or NULL. */
	const char *dev_arg[VMM_MAX_DEVICES];
	const char *elf;
	char cmdline[4096];
};

/* A whole decimal number no larger than max: not "-5", "10x" or "". */
static int number(const char *opt, const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v > max)
		return fprintf(stderr, "vmm-mini: %s: '%s' is not a number from 0 to %llu\n", opt, arg, max), -1;
	*out = v;
	return 0;
}

/* The fixed options, then one per device that has one (val: DEV_OPT + index). */
#define DEV_OPT 1000
static const struct option fixed_opts[] = {
    {"accel", required_argument, 0, 'a'},   {"mem", required_argument, 0, 'm'},
    {"timeout", required_argument, 0, 't'}, {"max-exits", required_argument, 0, 'x'},
    {"stats", no_argument, 0, 's'},	    {"help", no_argument, 0, 'h'},
    {"allow-emulated", no_argument, 0, 'e'}};
#define NFIXED (sizeof(fixed_opts) / sizeof(*fixed_opts))

static void options(struct option *opts)
{
	size_t n = NFIXED;
	memcpy(opts, fixed_opts, sizeof(fixed_opts));
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i]->option)
			opts[n++] = (struct option){devs[i]->option, devs[i]->argname ? required_argument : no_argument,
						    0, DEV_OPT + (int)i};
	opts[n] = (struct option){0, 0, 0, 0};
}

static int parse(int argc, char **argv, struct args *a)
{
	unsigned long long v;
	struct option opts[NFIXED + VMM_MAX_DEVICES + 1];
	int c;
	options(opts);
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c >= DEV_OPT && c < DEV_OPT + (int)ndevs) {
			a->dev_arg[c - DEV_OPT] = optarg ? optarg : "";
			continue;
		}
		switch (c) {
		case 'a':
			a->accel = NULL;
			a->want = !strcmp(optarg, "kvm-hw")    ? WANT_HW
				  : !strcmp(optarg, "kvm-pvm") ? WANT_PVM
							       : WANT_ANY;
			for (size_t i = 0; i < sizeof(accels) / sizeof(*accels); i++)
				if (!strcmp(accels[i]->name, optarg) ||
				    (a->want != WANT_ANY && accels[i] == &kvm_accel))
					a->accel = accels[i];
			if (!a->accel && strcmp(optarg, "auto"))
				return fprintf(stderr,
					       "vmm-mini: unknown accelerator '%s' (have: auto, kvm, kvm-hw, kvm-pvm, "
					       "bt)\n",
					       optarg),
				       -1;
			break;
		case 'e': a->allow_emulated = 1; break;
		case 'm':
			if (number("--mem", optarg, 65536, &v))
				return -1;
			a->mem = (unsigned long)v;
			break;
		case 't':
			if (number("--timeout", optarg, 86400, &v))
				return -1;
			a->timeout = (unsigned long)v;
			break;
		case 'x':
			if (number("--max-exits", optarg, ~0ull, &v))
				return -1;
			a->max_exits = v;
			break;
		case 's': a->stats = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc)
		return usage(stderr), -1;
	a->elf = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	for (; optind < argc; optind++) {
		size_t l = strlen(a->cmdline);
		if (l + strlen(argv[optind]) + 2 > sizeof(a->cmdline))
			return fprintf(stderr, "vmm-mini: guest arguments too long\n"), -1;
		snprintf(a->cmdline + l, sizeof(a->cmdline) - l, "%s%s", l ? " " : "", argv[optind]);
	}
	return 0;
}

static int status_of(const struct vm *vm)
{
	switch (vm->stop) {
	case STOP_DEBUG_EXIT: return (vm->exit_value << 1) | 1;
	case STOP_HALT: return 0;
	case STOP_WATCHDOG: return 6;
	case STOP_EXIT_LIMIT: return 8;
	default: return 4;
	}
}

static const struct accel_ops *bt_or_null(void)
{
	return sizeof(accels) / sizeof(*accels) > 1 ? accels[1] : NULL;
}

/* --accel auto, and the check --accel kvm makes: a guest that is not
 * PVM-aware on PVM would have its kernel code emulated (1000x native). */
/* --accel auto, and the checks --accel kvm, kvm-hw and kvm-pvm make: a
 * guest that is not PVM-aware on PVM would have its kernel code emulated
 * (1000x native). Sets a->pvm when the guest runs natively under kvm_pvm. */
static int choose_accel(struct args *a)
{
	char why[256], err[512];
	uint32_t feat;
	if (elf_guest_features(a->elf, &feat, err, sizeof(err)))
		return fprintf(stderr, "vmm-mini: %s\n", err), -1;
	if (a->accel && a->accel != &kvm_accel)
		return 0;
	enum kvm_flavor f = kvm_flavor(why, sizeof(why));
	int pvm_ok = f == KVM_FLAVOR_PVM && (feat & GUEST_FEAT_PVM);
	if (!a->accel) {
		int kvm = f == KVM_FLAVOR_HW || pvm_ok || !bt_or_null();
		a->accel = kvm ? &kvm_accel : bt_or_null();
		a->pvm = kvm && pvm_ok;
		fprintf(stderr, "vmm-mini: accel auto: %s (%s%s)\n", a->pvm ? "kvm-pvm" : a->accel->name, why,
			f != KVM_FLAVOR_PVM ? ""
			: pvm_ok	    ? "; the guest is PVM-aware"
					    : "; the guest is not PVM-aware, so KVM would emulate its kernel code");
		return 0;
	}
	if (a->want == WANT_HW && f != KVM_FLAVOR_HW)
		return fprintf(stderr, "vmm-mini: --accel kvm-hw: %s, not hardware-assisted KVM\n", why), -1;
	if (a->want == WANT_PVM && f != KVM_FLAVOR_PVM)
		return fprintf(stderr, "vmm-mini: --accel kvm-pvm: %s, not kvm_pvm\n", why), -1;
	if (f == KVM_FLAVOR_PVM && !pvm_ok && !a->allow_emulated)
		return fprintf(stderr,
			       "vmm-mini: %s, and %s does not declare PVM support (no 'hvcert' ELF note with the PVM "
			       "bit): PVM would emulate its kernel code instruction by instruction, hundreds of times "
			       "slower than native. Use --accel bt (or auto), a PVM-aware guest, or --allow-emulated "
			       "to measure it anyway.\n",
			       why, a->elf),
		       -1;
	a->pvm = pvm_ok;
	return 0;
}

/* Every device without an option, and those asked for. */
static int add_devices(struct vm *vm, const struct args *a)
{
	for (size_t i = 0; i < ndevs; i++) {
		if (devs[i]->option && !a->dev_arg[i])
			continue;
		const char *arg = devs[i]->argname ? a->dev_arg[i] : NULL;
		if (devs[i]->init && devs[i]->init(vm, arg))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {.mem = 128};
	struct vm vm;
	char err[512];
	ndevs = vmm_devices(devs, VMM_MAX_DEVICES);
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		usage(stderr);
		return 2;
	}
	if (parse(argc - 1, argv + 1, &a) || choose_accel(&a))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vm_init(&vm, a.accel, a.mem, err, sizeof(err))) {
		fprintf(stderr, "vmm-mini: %s\n", err);
		vm_destroy(&vm);
		return 2;
	}
	vm.max_exits = a.max_exits;
	vm.pvm = a.pvm;
	if (add_devices(&vm, &a)) {
		fprintf(stderr, "vmm-mini: %s\n", vm.err);
		vm_destroy(&vm);
		return 2;
	}
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i]->start)
			devs[i]->start(&vm, a.stats);
	int rc = 2;
	if (vm_boot(&vm, a.elf, a.cmdline) || vm_run(&vm, (unsigned)a.timeout)) {
		fprintf(stderr, "vmm-mini: %s\n", vm.err);
	} else {
		rc = status_of(&vm);
		if (vm.stop == STOP_WATCHDOG)
			fprintf(stderr, "vmm-mini: watchdog: guest still running after %lu s\n", a.timeout);
		else if (vm.stop == STOP_EXIT_LIMIT)
			fprintf(stderr, "vmm-mini: stopped after %llu exits (--max-exits)\n", a.max_exits);
		else if (vm.stop == STOP_SHUTDOWN || vm.stop == STOP_FAULT)
			fprintf(stderr, "vmm-mini: %s\n", vm.err);
	}
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i]->stop)
			devs[i]->stop(&vm);
	fflush(stdout);
	if (a.stats) {
		vm_print_stats(&vm, stdout);
		for (size_t i = 0; i < ndevs; i++)
			if (devs[i]->stats)
				devs[i]->stats(&vm, stdout);
	}
	vm_destroy(&vm);
	return rc;
}
