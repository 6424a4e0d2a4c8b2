/*
 * kvmcheck: proves /dev/kvm works inside the nested-KVM rig (tests/rig/).
 *
 * Creates a VM with 64 KiB of memory and one vCPU, loads a 16-bit real-mode
 * guest at guest address 0x1000 that does
 *     mov al, 0x2a ; out 0xf4, al ; hlt
 * and runs it until KVM_EXIT_HLT. Prints what it saw as
 *     @kvmcheck io port=0xPORT value=N hlt=0|1
 * and exits 0 only for "port=0xf4 value=42 hlt=1". Every failing step says
 * which ioctl failed and why, on stderr, and exits 1.
 *
 * Built statically (gcc -static -O2) because the rig's initramfs has no libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE 0x10000u /* 64 KiB of guest memory at guest physical 0 */
#define CODE_GPA 0x1000u  /* where the guest code is loaded and starts */
#define MAX_EXITS 16      /* the guest needs 2 (IO, HLT): more is a bug */

static void die(const char *what)
{
	fprintf(stderr, "kvmcheck: %s failed: %s\n", what, strerror(errno));
	exit(1);
}

static const char *exit_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

int main(void)
{
	static const uint8_t code[] = {
		0xb0, 0x2a, /* mov al, 0x2a */
		0xe6, 0xf4, /* out 0xf4, al */
		0xf4,       /* hlt */
	};

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");

	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (api < 0)
		die("KVM_GET_API_VERSION");
	printf("@kvmcheck api=%d\n", api);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvmcheck: KVM API version %d, expected %d\n", api, KVM_API_VERSION);
		return 1;
	}

	int vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm < 0)
		die("KVM_CREATE_VM");

	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(mem + CODE_GPA, code, sizeof code);

	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");

	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	if ((size_t)run_size < sizeof(struct kvm_run)) {
		fprintf(stderr, "kvmcheck: KVM_GET_VCPU_MMAP_SIZE %d is smaller than struct kvm_run\n", run_size);
		return 1;
	}
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	/* Real mode, CS base 0 selector 0: the guest starts at 0x0000:0x1000. */
	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	struct kvm_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.rip = CODE_GPA;
	regs.rflags = 0x2; /* bit 1 is reserved and must be set */
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	int saw_io = 0, saw_hlt = 0;
	unsigned io_port = 0, io_value = 0;
	for (int i = 0; i < MAX_EXITS && !saw_hlt; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			saw_hlt = 1;
			break;
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 || run->io.count != 1) {
				fprintf(stderr, "kvmcheck: unexpected IO exit: dir=%u size=%u count=%u port=0x%x\n",
					run->io.direction, run->io.size, run->io.count, run->io.port);
				return 1;
			}
			saw_io++;
			io_port = run->io.port;
			io_value = *((uint8_t *)run + run->io.data_offset);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "kvmcheck: KVM_RUN exit FAIL_ENTRY, hardware reason 0x%llx\n",
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return 1;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "kvmcheck: KVM_RUN exit INTERNAL_ERROR, suberror %u\n",
				run->internal.suberror);
			return 1;
		default:
			fprintf(stderr, "kvmcheck: unexpected KVM_RUN exit %u (%s)\n", run->exit_reason,
				exit_name(run->exit_reason));
			return 1;
		}
	}
	if (!saw_hlt)
		fprintf(stderr, "kvmcheck: no HLT exit after %d KVM_RUN calls\n", MAX_EXITS);
	if (saw_io != 1)
		fprintf(stderr, "kvmcheck: saw %d IO exits, expected 1\n", saw_io);

	printf("@kvmcheck io port=0x%x value=%u hlt=%d\n", io_port, io_value, saw_hlt);
	fflush(stdout);
	return (saw_io == 1 && io_port == 0xf4 && io_value == 42 && saw_hlt) ? 0 : 1;
}
