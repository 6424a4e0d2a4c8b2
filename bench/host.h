/* Provenance of a bench run: the host it ran on (what probe says of it and
 * its certification under every release of the HCL), its PMU, the build,
 * and the environment an unpacked QEMU needs. */
#ifndef BENCH_HOST_H
#define BENCH_HOST_H
#include <jansson.h>
#include <time.h>

struct bench_opts;
struct hcl_db;

/* Sets "date" (started), "hvcert" (the build) and "host" of a results
 * document. data_dir: where cpu-uarch.tsv is; db: the HCL to certify the
 * host against (an empty one records no certification). */
void bench_provenance(json_t *doc, time_t started, const char *data_dir, const struct hcl_db *db);
/* "available", or "unavailable: why" (perf_event_open of the instructions
 * counter; absent in most VMs). */
json_t *bench_pmu_status(void);
/* A QEMU unpacked under DIR/usr/bin/ (scripts/get-qemu.sh) must load its
 * own accelerator modules, not the installed build's (QEMU refuses modules
 * of another build), and its firmware from the installed data package:
 * sets QEMU_MODULE_DIR and o->qemu_data unless the caller chose them. */
void bench_unpacked_qemu(struct bench_opts *o);
#endif
