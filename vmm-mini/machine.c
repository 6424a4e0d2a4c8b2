/* The machine: RAM in a memfd, boot state for the 64-bit entry (a GDT and
 * identity page tables built here, as Firecracker does for Linux), the run
 * loop with its exit statistics and watchdog. */
#include "vmm-mini/vmm.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Boot area below 1 MiB (guest images must load above it). */
#define GDT_GPA	       0x500
#define START_INFO_GPA 0x6000
#define MEMMAP_GPA     0x6100
#define CMDLINE_GPA    0x7000
#define CMDLINE_MAX    4096
#define PML4_GPA       0x9000
#define PDPT_GPA       0xA000
#define PD_GPA	       0xB000 /* four PDs: 0xB000-0xEFFF */
#define BOOT_AREA_END  0x100000

static struct vm *watched; /* the VM the SIGALRM watchdog kicks */
static volatile sig_atomic_t watchdog_fired;
static struct timespec t_start;

__attribute__((constructor)) static void note_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &t_start);
}

static double ms_since_start(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t_start.tv_sec) * 1e3 + (double)(t.tv_nsec - t_start.tv_nsec) / 1e6;
}

int vm_fail(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return -1;
}

void vm_stop(struct vm *vm, enum stop_reason why, int value)
{
	if (vm->stop == STOP_NONE) {
		vm->stop = why;
		vm->exit_value = value;
	}
}

void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

int vm_add_device(struct vm *vm, const struct device_ops *ops, void *state)
{
	if (vm->ndev == VMM_MAX_DEVICES)
		return vm_fail(vm, "too many devices");
	vm->dev[vm->ndev++] = (struct device){ops, state, ops->mmio, ops->mmio_len};
	return 0;
}

int vm_add_mmio_device(struct vm *vm, const struct device_ops *ops, void *state, uint64_t base, uint64_t len)
{
	if (vm_add_device(vm, ops, state))
		return -1;
	vm->dev[vm->ndev - 1].mmio = base, vm->dev[vm->ndev - 1].mmio_len = len;
	return 0;
}

int vm_raise_msi(struct vm *vm, uint32_t vector)
{
	if (!vm->accel || !vm->accel->raise_msi)
		return -1;
	return vm->accel->raise_msi(vm, vector);
}

/* The linker collects the VMM_DEVICE entries between these; weak, so a
 * program without devices (a unit test) still links. */
extern const struct vmm_device *const __start_vmm_devices[] __attribute__((weak));
extern const struct vmm_device *const __stop_vmm_devices[] __attribute__((weak));

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct vmm_device *const *)a)->name, (*(const struct vmm_device *const *)b)->name);
}

size_t vmm_devices(const struct vmm_device **out, size_t max)
{
	size_t n = 0;
	for (const struct vmm_device *const *d = __start_vmm_devices; d && d < __stop_vmm_devices && n < max; d++)
		out[n++] = *d;
	/* Link order is file order; name order does not depend on the build. */
	if (n)
		qsort(out, n, sizeof(*out), by_name);
	return n;
}

int vm_init(struct vm *vm, const struct accel_ops *accel, uint64_t ram_mib, char *err, size_t errlen)
{
	memset(vm, 0, sizeof(*vm));
	vm->accel = accel;
	vm->mem_fd = -1;
	vm->console = stdout;
	int rc = -1;
	if (ram_mib < 2 || ram_mib > 65536) {
		vm_fail(vm, "guest memory must be 2 MiB to 64 GiB, not %llu MiB", (unsigned long long)ram_mib);
		goto out;
	}
	vm->ram_size = ram_mib << 20;
	vm->mem_fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (vm->mem_fd < 0 || ftruncate(vm->mem_fd, (off_t)vm->ram_size) < 0) {
		vm_fail(vm, "guest RAM memfd: %s", strerror(errno));
		goto out;
	}
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->mem_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		vm_fail(vm, "mmap guest RAM: %s", strerror(errno));
		goto out;
	}
	rc = accel->create(vm) || accel->map_ram(vm, 0, vm->ram_size, vm->ram) ? -1 : 0;
out:
	if (rc)
		snprintf(err, errlen, "%s", vm->err);
	return rc;
}

void vm_destroy(struct vm *vm)
{
	if (vm->accel && vm->accel_state)
		vm->accel->destroy(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->mem_fd >= 0)
		close(vm->mem_fd);
	vm->ram = NULL;
	vm->mem_fd = -1;
}

static void put64(struct vm *vm, uint64_t gpa, uint64_t v)
{
	memcpy(vm->ram + gpa, &v, 8);
}

/* GDT: null, 64-bit code (0x08), data (0x10). Identity map of 4 GiB. */
static void boot_tables(struct vm *vm)
{
	put64(vm, GDT_GPA, 0);
	put64(vm, GDT_GPA + 8, 0x00af9b000000ffffull);
	put64(vm, GDT_GPA + 16, 0x00cf93000000ffffull);
	memset(vm->ram + PML4_GPA, 0, 0x6000);
	/* PVM shadows every guest page as a user page and refaults forever on
	 * supervisor-only ones: a PVM guest's boot tables carry U/S. */
	uint64_t us = vm->pvm ? 4 : 0;
	put64(vm, PML4_GPA, PDPT_GPA | 3 | us);
	for (uint64_t i = 0; i < 4; i++)
		put64(vm, PDPT_GPA + i * 8, (PD_GPA + i * 0x1000) | 3 | us);
	for (uint64_t i = 0; i < 2048; i++)
		put64(vm, PD_GPA + i * 8, (i << 21) | 0x83 | us);
}

/* PVH start info (the same structure QEMU passes), so a guest has one way
 * to find its command line and memory size. */
static int start_info(struct vm *vm, const char *cmdline)
{
	size_t n = strlen(cmdline);
	if (n >= CMDLINE_MAX)
		return vm_fail(vm, "command line longer than %d bytes", CMDLINE_MAX - 1);
	memcpy(vm->ram + CMDLINE_GPA, cmdline, n + 1);
	uint32_t si[16] = {0};
	si[0] = 0x336ec578, si[1] = 1;	 /* magic, version */
	si[6] = CMDLINE_GPA;		 /* cmdline_paddr (low half) */
	si[10] = MEMMAP_GPA, si[12] = 1; /* memmap_paddr, entries */
	memcpy(vm->ram + START_INFO_GPA, si, sizeof(si));
	uint64_t map[3] = {0, vm->ram_size, 1}; /* addr, size, type RAM */
	memcpy(vm->ram + MEMMAP_GPA, map, sizeof(map));
	return 0;
}

int vm_boot(struct vm *vm, const char *elf_path, const char *cmdline)
{
	uint64_t entry;
	if (vm->ram_size < BOOT_AREA_END * 2)
		return vm_fail(vm, "guest memory too small for the boot area");
	if (elf_load(vm, elf_path, BOOT_AREA_END, &entry) || start_info(vm, cmdline))
		return -1;
	boot_tables(vm);
	struct boot_state bs = {
	    .rip = entry, .rdi = START_INFO_GPA, .cr3 = PML4_GPA, .gdt_base = GDT_GPA, .gdt_limit = 23};
	return vm->accel->create_vcpu(vm) || vm->accel->set_boot_state(vm, &bs) ? -1 : 0;
}

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
	if (watched)
		watched->accel->kick(watched);
}

static void arm_watchdog(struct vm *vm, unsigned seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* no SA_RESTART: KVM_RUN must return EINTR; SA_ONSTACK: under bt the
	 * stack pointer is the guest's while translated code runs */
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGALRM, &sa, NULL);
	watched = vm;
	struct itimerval it = {{0, 0}, {(time_t)seconds, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void handle(struct vm *vm, struct vm_exit *e)
{
	switch (e->reason) {
	case EXIT_IO: bus_io(vm, e); break;
	case EXIT_MMIO: bus_mmio(vm, e); break;
	case EXIT_HLT: vm_stop(vm, STOP_HALT, 0); break;
	case EXIT_SHUTDOWN:
		/* The CPU resets the vCPU on shutdown: its RIP would say nothing. */
		vm_fail(vm, "guest shut down (triple fault: an exception while delivering a double fault)");
		vm_stop(vm, STOP_SHUTDOWN, 0);
		break;
	case EXIT_FAIL_ENTRY:
	case EXIT_INTERNAL:
	case EXIT_OTHER: {
		char detail[sizeof(vm->err)];
		snprintf(detail, sizeof(detail), "%s%s", vm->err[0] ? ": " : "",
			 vm->err); /* the accelerator's reason */
		vm_fail(vm, "guest stopped: %s (reason 0x%llx) at rip=0x%llx%s",
			e->reason == EXIT_FAIL_ENTRY ? "VM entry failed"
			: e->reason == EXIT_INTERNAL ? "accelerator internal error (e.g. emulation failure)"
						     : "unexpected exit",
			(unsigned long long)e->hw_reason, (unsigned long long)vm->accel->get_rip(vm), detail);
		vm_stop(vm, STOP_FAULT, 0);
		break;
	}
	case EXIT_INTR:
		if (watchdog_fired)
			vm_stop(vm, STOP_WATCHDOG, 0);
		break;
	default: break;
	}
}

int vm_run(struct vm *vm, unsigned watchdog_s)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	if (watchdog_s)
		arm_watchdog(vm, watchdog_s);
	vm->stats.t_first_run_ms = ms_since_start();
	while (vm->stop == STOP_NONE) {
		if (vm->accel->run(vm, &e))
			return -1;
		vm->stats.exits[e.reason < EXIT_NUM ? e.reason : EXIT_OTHER]++;
		handle(vm, &e);
		uint64_t total = 0;
		for (int i = 0; i < EXIT_NUM; i++)
			total += vm->stats.exits[i];
		if (vm->max_exits && total >= vm->max_exits)
			vm_stop(vm, STOP_EXIT_LIMIT, 0);
	}
	vm->stats.t_exit_ms = ms_since_start();
	if (watchdog_s) {
		struct itimerval off = {{0, 0}, {0, 0}};
		setitimer(ITIMER_REAL, &off, NULL);
	}
	return 0;
}

void vm_print_stats(const struct vm *vm, FILE *out)
{
	static const char *const names[EXIT_NUM] = {"io",	"mmio",	     "hlt",  "shutdown", "fail_entry",
						    "internal", "hypercall", "intr", "other"};
	fprintf(out, "@vmm accel=%s%s first_run_ms=%.3f exit_ms=%.3f", vm->accel->name, vm->pvm ? "-pvm" : "",
		vm->stats.t_first_run_ms, vm->stats.t_exit_ms);
	for (int i = 0; i < EXIT_NUM; i++)
		if (vm->stats.exits[i])
			fprintf(out, " exits_%s=%llu", names[i], (unsigned long long)vm->stats.exits[i]);
	fprintf(out, " unhandled_io=%llu unhandled_mmio=%llu\n", (unsigned long long)vm->stats.unhandled_io,
		(unsigned long long)vm->stats.unhandled_mmio);
	if (vm->accel->print_stats && vm->accel_state)
		vm->accel->print_stats((struct vm *)vm, out);
}
