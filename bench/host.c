#include "bench/host.h"
#include "bench/harness.h"
#include "hcl/certify.h"
#include "probe/probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef HVCERT_GIT
#define HVCERT_GIT "unknown"
#endif

json_t *bench_pmu_status(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE, a.size = sizeof(a), a.config = PERF_COUNT_HW_INSTRUCTIONS;
	a.disabled = 1, a.exclude_kernel = 1, a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd >= 0) {
		close(fd);
		return json_string("available");
	}
	char why[160];
	snprintf(why, sizeof(why), "unavailable: perf_event_open(instructions): %s; cycles come from the guests' RDTSC",
		 strerror(errno));
	return json_string(why);
}

static json_t *certification(const struct hcl_db *db, const struct probe *p)
{
	json_t *o = json_object();
	for (size_t i = 0; i < db->n_releases; i++) {
		struct release_verdict rv;
		certify_release(db, p, &db->releases[i], &rv);
		json_object_set_new(o, db->releases[i].id, json_string(verdict_name(rv.overall)));
		release_verdict_free(&rv);
	}
	return o;
}

static json_t *host_json(const char *data_dir, const struct hcl_db *db)
{
	struct probe p;
	struct probe_opts o = {.data_dir = data_dir};
	char err[512];
	probe_init(&p);
	json_t *h;
	if (probe_collect(&p, &o, err, sizeof(err)) == 0) {
		const char *kr = facts_str(&p.host, "kernel.release");
		h = json_pack("{s:s,s:s?,s:s?,s:s,s:s,s:s,s:o,s:o}", "cpu", p.cpu.brand, "platform",
			      p.uarch.found ? p.uarch.platform : NULL, "kernel", kr, "running_under",
			      p.cpu.hypervisor ? p.cpu.hv_name : "bare metal", "hardware_virtualization",
			      p.virt.hw ? "present" : "absent", "kvm", p.vf.kvm_module, "pmu", bench_pmu_status(),
			      "certification", certification(db, &p));
	} else {
		h = json_pack("{s:s}", "error", err);
	}
	probe_free(&p);
	return h;
}

void bench_provenance(json_t *doc, time_t started, const char *data_dir, const struct hcl_db *db)
{
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
	json_object_set_new(doc, "date", json_string(date));
	json_object_set_new(doc, "hvcert", json_string(HVCERT_GIT));
	json_object_set_new(doc, "host", host_json(data_dir, db));
}

void bench_unpacked_qemu(struct bench_opts *o)
{
	static char mods[4096];
	const char *bin = strstr(o->qemu, "/usr/bin/qemu-system-x86_64");
	if (!bin || getenv("QEMU_MODULE_DIR"))
		return;
	char root[4096], *real;
	snprintf(root, sizeof(root), "%.*s", (int)(bin - o->qemu), o->qemu);
	real = realpath(root, NULL);
	snprintf(mods, sizeof(mods), "%s/usr/lib/x86_64-linux-gnu/qemu", real ? real : root);
	free(real);
	setenv("QEMU_MODULE_DIR", mods, 1);
	if (!o->qemu_data)
		o->qemu_data = "/usr/share/seabios:/usr/share/qemu:/usr/lib/ipxe/qemu";
}
