/* The overhead harness: runs every reference guest in every available mode
 * (native, QEMU TCG, KVM, ...) several times and records what the guests
 * report (@result lines) with provenance. Result files: docs/bench-json.md. */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H
#include <jansson.h>
#include <stddef.h>

struct bench_opts {
	const char *build;     /* where guests and binaries are */
	const char *modes;     /* comma list; NULL = all */
	const char *guests;    /* comma list; NULL = every bench_guests entry */
	const char *qemu;      /* qemu-system-x86_64 to use */
	const char *qemu_data; /* -L directory, for an unpacked QEMU build */
	const char *label;     /* names this run (e.g. the hypervisor version) */
	const char *args;      /* guest command line */
	unsigned reps, timeout_s;
	int progress;	  /* progress line on stderr */
	char disk[512];	  /* scratch disk image for virtio-blk runs */
	const char *only; /* one operation of a split guest (only=...), or NULL */
};

/* A workload: a guest ELF plus arguments; pv ones need virtio devices. */
/* The pseudo-operation a split guest runs first: none of its operations,
 * so its counters (boot, console) are what the others are counted against. */
#define BENCH_BASELINE_OP "-"

struct bench_guest {
	const char *name, *elf, *args;
	int pv, disk;
	/* Operations run one per process (only=OP), so each has its own
	 * counters; NULL: one process for the whole guest. */
	const char *split;
};
extern const struct bench_guest bench_guests[];
extern const size_t bench_nguests;
const struct bench_guest *bench_guest(const char *name);

struct bench_guest;

struct bench_mode {
	const char *name;
	/* A hardware-assisted technique: its figures are suspect when they
	 * look like emulation (over 50x native, or slower than QEMU TCG). */
	int hw_assisted;
	/* 1 available, 0 not (why says so). */
	int (*available)(const struct bench_opts *o, char *why, size_t n);
	/* argv for running guest g; returns argc or -1 when the mode does not run g. */
	int (*argv)(const struct bench_opts *o, const struct bench_guest *g, char **argv, int max, char *buf,
		    size_t buflen);
	/* Version string of what this mode runs. */
	void (*version)(const struct bench_opts *o, char *out, size_t n);
};

extern const struct bench_mode bench_modes[];
extern const size_t bench_nmodes;

/* Why a figure of `mode` is implausible for its technique (a hardware-
 * assisted mode over 50x native or slower than QEMU TCG's `tcg`), or NULL.
 * native, tcg: medians of the same workload in the same run (0 if none). */
const char *bench_suspect(const char *mode, double median, double native, double tcg, char *why, size_t n);
/* -1 with "unknown mode 'x'" when a --modes or --guests name is not ours. */
int bench_unknown_names(const char *modes, const char *guests, char *err, size_t errlen);
/* Runs the profile; returns the results document (caller decrefs) or NULL. */
json_t *bench_run(const struct bench_opts *o, char *err, size_t errlen);
#endif
