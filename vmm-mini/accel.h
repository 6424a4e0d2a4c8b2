/* The accelerator interface: KVM (kvm.c) and the binary translator (bt/).
 * A machine model drives any accelerator through these operations only. */
#ifndef VMM_ACCEL_H
#define VMM_ACCEL_H
#include <stdint.h>
#include <stdio.h>

enum exit_reason {
	EXIT_IO,
	EXIT_MMIO,
	EXIT_HLT,
	EXIT_SHUTDOWN,
	EXIT_FAIL_ENTRY,
	EXIT_INTERNAL,
	EXIT_HYPERCALL,
	EXIT_INTR,
	EXIT_OTHER,
	EXIT_NUM
};

struct vm_exit {
	enum exit_reason reason;
	struct {
		uint16_t port;
		uint8_t size, out;
		uint32_t count;
		uint8_t *data; /* count * size bytes, owned by the accelerator */
	} io;
	struct {
		uint64_t addr;
		uint8_t len, write;
		uint8_t data[8];
	} mmio;
	uint64_t hw_reason; /* accelerator-specific detail for messages */
	uint64_t rip;
};

/* Long-mode entry state (the machine builds the tables in guest RAM). */
struct boot_state {
	uint64_t rip, rsp, rdi, rsi, cr3, gdt_base;
	uint16_t gdt_limit;
};

struct vm;

struct accel_ops {
	const char *name;
	int (*create)(struct vm *vm);
	int (*map_ram)(struct vm *vm, uint64_t gpa, uint64_t size, void *hva);
	int (*create_vcpu)(struct vm *vm);
	int (*set_boot_state)(struct vm *vm, const struct boot_state *bs);
	/* Runs until an exit the machine must handle; -1 on accelerator error. */
	int (*run)(struct vm *vm, struct vm_exit *e);
	/* Makes a running run() return soon with EXIT_INTR (async-signal-safe). */
	void (*kick)(struct vm *vm);
	uint64_t (*get_rip)(struct vm *vm);
	/* Delivers interrupt `vector` to the vCPU's local APIC as an MSI would
	 * (the LAPIC timer's path); NULL if the accelerator cannot. */
	int (*raise_msi)(struct vm *vm, uint32_t vector);
	/* Signals eventfd fd, without an exit, when the guest writes `len` bytes
	 * equal to datamatch at MMIO address addr; NULL if the accelerator cannot. */
	int (*ioeventfd)(struct vm *vm, uint64_t addr, uint32_t len, uint64_t datamatch, int fd);
	/* Accelerator-specific counters for --stats; NULL if none. */
	void (*print_stats)(struct vm *vm, FILE *out);
	void (*destroy)(struct vm *vm);
};

extern const struct accel_ops kvm_accel;
extern const struct accel_ops bt_accel; /* bt/, absent from builds with VMM_NO_BT */
#endif
