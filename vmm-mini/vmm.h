/* vmm-mini: a minimal VMM. Layers, top to bottom:
 *   main.c      command line, exit code
 *   machine.c   guest RAM (memfd), boot state, the run loop, exit statistics
 *   elf.c       ELF64 loader (validates everything against guest RAM)
 *   bus.c       port I/O and MMIO dispatch to devices (devices/ one per file,
 *               each registering itself with VMM_DEVICE: main walks them)
 *   accel.h     the accelerator interface; kvm.c implements it
 * Errors: functions return 0 or -1 and write a message into vm->err. */
#ifndef VMM_H
#define VMM_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm-mini/accel.h"

#define VMM_MAX_DEVICES 16

struct vm;

/* A device claims a port range and/or an MMIO range. */
struct device_ops {
	const char *name;
	uint16_t port, nports;
	uint64_t mmio, mmio_len;
	/* data holds `size` bytes (1, 2 or 4 for ports; up to 8 for MMIO). */
	void (*io_in)(struct vm *vm, void *dev, uint16_t port, void *data, int size);
	void (*io_out)(struct vm *vm, void *dev, uint16_t port, const void *data, int size);
	void (*mmio_read)(struct vm *vm, void *dev, uint64_t addr, void *data, int len);
	void (*mmio_write)(struct vm *vm, void *dev, uint64_t addr, const void *data, int len);
};

/* A device as the machine's builder sees it (kvmtool's style): each device
 * file carries its option, help and init, and registers itself with
 * VMM_DEVICE(def); main parses the options and inits what was asked for. */
struct vmm_device {
	const char *name;
	const char *option;  /* long option that adds it; NULL: every machine has it */
	const char *argname; /* the option's argument ("FILE"), NULL for a flag */
	const char *help;    /* the option's usage text */
	/* Adds the device to vm; arg is the option's argument (NULL for a
	 * flag or an always-present device). 0, or -1 with vm->err. */
	int (*init)(struct vm *vm, const char *arg);
	/* Optional, around the run: after every device was added (verbose:
	 * --stats, say what was set up), and after the guest stopped. */
	void (*start)(struct vm *vm, int verbose);
	void (*stop)(struct vm *vm);
	/* Optional --stats lines ("@..."). */
	void (*stats)(const struct vm *vm, FILE *out);
};
#define VMM_DEVICE(def)                                                                                                \
	static const struct vmm_device *const vmm_device_##def                                                         \
	    __attribute__((used, section("vmm_devices"), aligned(sizeof(void *)))) = &def
/* The registered devices in name order; returns how many. */
size_t vmm_devices(const struct vmm_device **out, size_t max);

struct device {
	const struct device_ops *ops;
	void *state;
	uint64_t mmio, mmio_len; /* this instance's range (virtio slots); else the ops' */
};

enum stop_reason { STOP_NONE, STOP_DEBUG_EXIT, STOP_HALT, STOP_SHUTDOWN, STOP_FAULT, STOP_WATCHDOG, STOP_EXIT_LIMIT };

struct vm_stats {
	uint64_t exits[EXIT_NUM];
	uint64_t unhandled_io, unhandled_mmio;
	double t_first_run_ms, t_exit_ms; /* from process start */
};

struct vm {
	const struct accel_ops *accel;
	void *accel_state;
	int mem_fd;
	uint8_t *ram;
	uint64_t ram_size;
	struct device dev[VMM_MAX_DEVICES];
	int ndev;
	FILE *console;
	enum stop_reason stop;
	int exit_value;	    /* value written to the debug-exit port */
	uint64_t max_exits; /* 0: unlimited */
	int pvm;	    /* run a PVM-aware guest natively under kvm_pvm (kvm.c) */
	struct vm_stats stats;
	char err[512];
};

/* The page vmm-mini registers as a PVM guest's vif page (boot area). */
#define PVM_VIF_GPA 0x5000

/* machine.c */
int vm_init(struct vm *vm, const struct accel_ops *accel, uint64_t ram_mib, char *err, size_t errlen);
void vm_destroy(struct vm *vm);
int vm_add_device(struct vm *vm, const struct device_ops *ops, void *state);
int vm_add_mmio_device(struct vm *vm, const struct device_ops *ops, void *state, uint64_t base, uint64_t len);
/* A device's interrupt: an MSI to the LAPIC vector through the
 * accelerator; -1 when it cannot deliver one. */
int vm_raise_msi(struct vm *vm, uint32_t vector);
/* Loads the ELF, writes the boot structures and the command line, and
 * prepares the vCPU for the 64-bit entry. */
int vm_boot(struct vm *vm, const char *elf_path, const char *cmdline);
/* Runs until the guest stops; watchdog_s 0 = none. */
int vm_run(struct vm *vm, unsigned watchdog_s);
void vm_print_stats(const struct vm *vm, FILE *out);
void vm_stop(struct vm *vm, enum stop_reason why, int value);
int vm_fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Guest-physical to host pointer; NULL if [gpa, gpa+len) is not all RAM. */
void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len);

/* elf.c: validates and copies PT_LOAD segments into RAM; *entry gets e_entry. */
int elf_load(struct vm *vm, const char *path, uint64_t reserved_below, uint64_t *entry);
int elf_load_image(struct vm *vm, const uint8_t *img, size_t size, const char *name, uint64_t reserved_below,
		   uint64_t *entry);

/* What a guest image says it supports (the "hvcert" ELF note, type 1). */
#define HVCERT_NOTE_FEATURES 1
#define GUEST_FEAT_PVM	     (1u << 0) /* boots as a PVM guest when it finds itself on PVM */
int elf_guest_features(const char *path, uint32_t *features, char *err, size_t errlen);

/* kvm.c: what serves /dev/kvm, decided by asking it (a scratch vCPU's PVM
 * MSRs) and by sysfs; why says how it was decided or why there is none. */
enum kvm_flavor { KVM_FLAVOR_NONE, KVM_FLAVOR_HW, KVM_FLAVOR_PVM };
enum kvm_flavor kvm_flavor(char *why, size_t n);

/* bus.c */
void bus_io(struct vm *vm, struct vm_exit *e);
void bus_mmio(struct vm *vm, struct vm_exit *e);
#endif
