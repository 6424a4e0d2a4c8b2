/* Runs guests in modes, repeats, parses @result lines, summarises. */
#include "bench/harness.h"
#include "bench/results.h"
#include "bench/stats.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX (4 << 20)

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Runs argv with stdout captured (stderr dropped), killing it after timeout. */
static int run_capture(char **argv, unsigned timeout_s, char **out, double *wall_ms, int *status)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0)
		return close(fd[0]), close(fd[1]), -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(fd[1], 1);
		dup2(fd[1], 2); /* messages land in the failure record */
		if (null >= 0)
			dup2(null, 0);
		close(fd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	char *buf = malloc(OUT_MAX + 1);
	size_t len = 0;
	double deadline = t0 + timeout_s * 1e3;
	/* poll, not a bare read: a run that hangs without printing must still
	 * end at its timeout. */
	while (buf && len < OUT_MAX && now_ms() < deadline) {
		struct pollfd pf = {fd[0], POLLIN, 0};
		int wait = (int)(deadline - now_ms()) + 1;
		if (poll(&pf, 1, wait > 0 ? wait : 0) <= 0)
			continue;
		ssize_t n = read(fd[0], buf + len, OUT_MAX - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd[0]);
	if (now_ms() >= deadline || len == OUT_MAX)
		kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	*wall_ms = now_ms() - t0;
	if (buf)
		buf[len] = '\0';
	*out = buf;
	return buf ? 0 : -1;
}

struct sample {
	char guest[32], workload[32], mode[32], checksum[24];
	uint64_t iters;
	double *v; /* cycles per iteration, one per rep */
	double *wall;
	size_t n;
};

struct table {
	struct sample *s;
	size_t n;
	json_t *failures; /* runs that printed no result */
	json_t *exits;	  /* vmm-mini's exit counters per run */
};

static struct sample *slot(struct table *t, const char *g, const char *w, const char *m, size_t reps)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].guest, g) && !strcmp(t->s[i].workload, w) && !strcmp(t->s[i].mode, m))
			return &t->s[i];
	struct sample *ns = realloc(t->s, (t->n + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	t->s = ns;
	struct sample *s = &t->s[t->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->guest, sizeof(s->guest), "%s", g);
	snprintf(s->workload, sizeof(s->workload), "%s", w);
	snprintf(s->mode, sizeof(s->mode), "%s", m);
	s->v = calloc(reps, sizeof(double));
	s->wall = calloc(reps, sizeof(double));
	return s;
}

/* "@result name=crc32 iters=20 cycles=123 per_iter=6 checksum=0x..." */
static void parse(struct table *t, const char *out, const char *g, const char *m, size_t reps, double wall)
{
	for (const char *p = out; (p = strstr(p, "@result name=")); p++) {
		char name[32], sum[24];
		unsigned long long iters, cycles;
		if (sscanf(p, "@result name=%31s iters=%llu cycles=%llu per_iter=%*u checksum=%23s", name, &iters,
			   &cycles, sum) != 4 ||
		    !iters || !strcmp(name, BENCH_BASELINE_OP))
			continue;
		struct sample *s = slot(t, g, name, m, reps);
		if (!s || s->n == reps)
			continue;
		s->iters = iters;
		snprintf(s->checksum, sizeof(s->checksum), "%s", sum);
		s->wall[s->n] = wall;
		s->v[s->n++] = (double)cycles / (double)iters;
	}
}

/* vmm-mini --stats: "@vmm accel=bt ... exits_io=625 ...", "@bt blocks=..."
 * and "@kvm exits=..." (KVM's own statistics) lines; every numeric
 * key=value becomes a counter ("bt_" and "kvm_" for the latter two). */
static json_t *vmm_counters(const char *out)
{
	json_t *c = json_object();
	static const char *const tags[] = {"@vmm ", "@bt ", "@kvm "}, *const prefix[] = {"", "bt_", "kvm_"};
	for (int t = 0; t < 3; t++) {
		const char *p = strstr(out, tags[t]);
		if (!p)
			continue;
		const char *end = strchr(p, '\n');
		for (p += strlen(tags[t]); p && *p && (!end || p < end);) {
			char key[48];
			unsigned long long v;
			int n = 0;
			if (sscanf(p, "%40[a-z_0-9]=%llu%n", key, &v, &n) == 2 && n && (p[n] == ' ' || p[n] == '\n')) {
				char k[64];
				snprintf(k, sizeof(k), "%s%s", prefix[t], key);
				json_object_set_new(c, k, json_integer((json_int_t)v));
			}
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
	}
	if (!json_object_size(c)) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static int selected(const char *list, const char *name)
{
	if (!list)
		return 1;
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !strncmp(p, name, n))
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

static const char *native_checksum(const struct table *t, const struct sample *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].mode, "native") && !strcmp(t->s[i].guest, s->guest) &&
		    !strcmp(t->s[i].workload, s->workload))
			return t->s[i].checksum;
	return NULL;
}

static double native_median(const struct table *t, const struct sample *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].mode, "native") && !strcmp(t->s[i].guest, s->guest) &&
		    !strcmp(t->s[i].workload, s->workload) && t->s[i].n) {
			struct summary m;
			stats_summary(t->s[i].v, t->s[i].n, &m);
			return m.median;
		}
	return 0;
}

const char *bench_suspect(const char *mode, double median, double native, double tcg, char *why, size_t n)
{
	const struct bench_mode *m = NULL;
	for (size_t i = 0; i < bench_nmodes; i++)
		if (!strcmp(bench_modes[i].name, mode))
			m = &bench_modes[i];
	if (!m || !m->hw_assisted || median <= 0)
		return NULL;
	if (native > 0 && median > 50 * native) {
		snprintf(why, n,
			 "%.0fx native: a hardware-assisted mode this slow is emulating, not measuring the technique",
			 median / native);
		return why;
	}
	if (tcg > 0 && median > tcg) {
		snprintf(why, n, "slower than QEMU TCG (%.0f vs %.0f cycles): not hardware-assisted speed", median,
			 tcg);
		return why;
	}
	return NULL;
}

/* The QEMU TCG median of the same workload (the +pv twin for PV modes). */
static double tcg_median(const struct table *t, const struct sample *s)
{
	const char *tcg = strstr(s->mode, "+pv") ? "qemu-tcg+pv" : "qemu-tcg";
	for (size_t i = 0; i < t->n; i++) {
		const struct sample *q = &t->s[i];
		if (strcmp(q->mode, tcg) || strcmp(q->guest, s->guest) || strcmp(q->workload, s->workload) || !q->n)
			continue;
		struct summary qs;
		stats_summary(q->v, q->n, &qs);
		return qs.median;
	}
	return 0;
}

static json_t *results_json(const struct table *t)
{
	json_t *a = json_array();
	for (size_t i = 0; i < t->n; i++) {
		const struct sample *s = &t->s[i];
		struct summary m;
		char why[200];
		if (!s->n)
			continue;
		stats_summary(s->v, s->n, &m);
		double nat = native_median(t, s);
		const char *ncs = native_checksum(t, s);
		struct bench_row r = {.guest = s->guest,
				      .workload = s->workload,
				      .mode = s->mode,
				      .checksum = s->checksum,
				      .iters = (long long)s->iters,
				      .v = s->v,
				      .wall = s->wall,
				      .n = s->n,
				      .median = m.median,
				      .min = m.min,
				      .spread = m.spread,
				      .overhead = nat > 0 ? m.median / nat : -1,
				      .matches_native = ncs ? !strcmp(ncs, s->checksum) : -1};
		r.suspect = bench_suspect(s->mode, m.median, nat, tcg_median(t, s), why, sizeof(why));
		json_array_append_new(a, bench_row_json(&r));
	}
	return a;
}

static uint64_t fnv_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint64_t h = 1469598103934665603ull;
	int c;
	while (f && (c = fgetc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ull;
	if (f)
		fclose(f);
	return f ? h : 0;
}

static json_t *guests_json(const struct bench_opts *o, const char *const *guests, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		char path[1024], h[32];
		snprintf(path, sizeof(path), "%s/guests/%s.elf", o->build, bench_guest(guests[i])->elf);
		snprintf(h, sizeof(h), "fnv1a64:%016llx", (unsigned long long)fnv_file(path));
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "name", guests[i], "file", path, "hash", h));
	}
	return a;
}

static void progress(const struct bench_opts *o, const char *g, const char *m, unsigned rep, double t0, double done,
		     double total)
{
	if (!o->progress)
		return;
	double el = (now_ms() - t0) / 1e3, eta = done > 0 ? el / done * (total - done) : 0;
	fprintf(stderr, "\r\033[K%-10s %-9s rep %u/%u  %3.0f%%  ETA %.0f s", g, m, rep + 1, o->reps,
		100.0 * done / total, eta);
}

/* The mode's own words for why it printed no result: its first line of
 * output that is not one of the guests' "@" lines. */
static void first_message(const char *out, char *why, size_t n)
{
	for (const char *p = out; p && *p;) {
		size_t l = strcspn(p, "\n");
		if (l && *p != '@') {
			snprintf(why, n, "%.*s", (int)(l < 480 ? l : 480), p);
			return;
		}
		p += l + (p[l] == '\n');
	}
	snprintf(why, n, "no output");
}

#define SMOKE_S	   8
#define SMOKE_ARGS "iters=1 mem_mb=1 bytes=64 sectors=8"

/* A mode is available only if a tiny run of it finishes with a result in
 * a few seconds: no mode that cannot finish is started for real. */
static int smoke(const struct bench_opts *o, const struct bench_mode *m, char *why, size_t n, double *ms)
{
	static const char *const try[] = {"compute", "pvstream"};
	struct bench_opts so = *o;
	so.args = SMOKE_ARGS;
	*ms = 0;
	for (size_t i = 0; i < sizeof(try) / sizeof(*try); i++) {
		char *argv[64], buf[2048], *out = NULL;
		int status;
		if (m->argv(&so, bench_guest(try[i]), argv, 64, buf, sizeof(buf)) < 0)
			continue;
		if (run_capture(argv, SMOKE_S, &out, ms, &status)) {
			snprintf(why, n, "cannot run %s", argv[0]);
			return 0;
		}
		int ok = strstr(out, "@result ") != NULL;
		if (!ok && *ms >= SMOKE_S * 1e3)
			snprintf(
			    why, n,
			    "a smoke run (%s %s) did not finish in %d s: this technique cannot run the profile here",
			    try[i], SMOKE_ARGS, SMOKE_S);
		else if (!ok)
			first_message(out, why, n);
		free(out);
		return ok;
	}
	snprintf(why, n, "no workload of this mode to smoke-test");
	return 0;
}

/* One run of guest g in mode m (only: the one operation it runs, or NULL). */
static void run_one(const struct bench_opts *o, struct table *t, const struct bench_guest *g,
		    const struct bench_mode *m, unsigned rep, const char *only)
{
	char *argv[64], buf[2048], *out = NULL;
	double wall;
	int status = -1;
	struct bench_opts ro = *o;
	ro.only = only;
	if (m->argv(&ro, g, argv, 64, buf, sizeof(buf)) < 0)
		return;
	if (run_capture(argv, o->timeout_s, &out, &wall, &status) == 0) {
		parse(t, out, g->name, m->name, o->reps, wall);
		json_t *c = vmm_counters(out);
		if (c)
			json_array_append_new(t->exits,
					      json_pack("{s:s,s:s?,s:s,s:i,s:o}", "guest", g->name, "workload", only,
							"mode", m->name, "rep", (int)rep, "counters", c));
	}
	if (!out || !strstr(out, "@result ")) {
		/* Not a measurement: say so instead of leaving a hole. */
		json_array_append_new(t->failures, json_pack("{s:s,s:s?,s:s,s:i,s:i,s:s}", "guest", g->name, "workload",
							     only, "mode", m->name, "rep", (int)rep, "status", status,
							     "output", out ? out : ""));
		fprintf(stderr, "hvcert bench: %s%s%s in %s (rep %u) printed no result (status %d)\n", g->name,
			only ? "/" : "", only ? only : "", m->name, rep + 1, status);
	}
	free(out);
}

/* The first name of a comma list that is not in the table, or NULL. */
static const char *unknown(const char *list, int modes, char *word, size_t n)
{
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");
		snprintf(word, n, "%.*s", (int)l, p);
		int found = 0;
		for (size_t i = 0; i < (modes ? bench_nmodes : bench_nguests); i++)
			found |= !strcmp(word, modes ? bench_modes[i].name : bench_guests[i].name);
		if (!found)
			return word;
		p += l + (p[l] == ',');
	}
	return NULL;
}

int bench_unknown_names(const char *modes, const char *guests, char *err, size_t errlen)
{
	char w[48];
	const char *kind = unknown(modes, 1, w, sizeof(w)) ? "mode" : unknown(guests, 0, w, sizeof(w)) ? "guest" : NULL;
	if (kind) {
		snprintf(err, errlen, "unknown %s '%s' (see --help)", kind, w);
		return -1;
	}
	if ((modes && !*modes) || (guests && !*guests)) {
		snprintf(err, errlen, "an empty --modes or --guests list selects nothing");
		return -1;
	}
	return 0;
}

json_t *bench_run(const struct bench_opts *o, char *err, size_t errlen)
{
	const char *guests[16];
	size_t ng = 0;
	struct table t = {0};
	json_t *modes = json_array();
	t.failures = json_array();
	t.exits = json_array();
	for (size_t i = 0; i < bench_nguests && ng < 16; i++)
		if (selected(o->guests, bench_guests[i].name))
			guests[ng++] = bench_guests[i].name;
	const struct bench_mode *run[16];
	size_t nrun = 0;
	int fd = -1;
	snprintf(((struct bench_opts *)o)->disk, sizeof(o->disk), "/tmp/hvcert-bench-disk-XXXXXX");
	if ((fd = mkstemp(((struct bench_opts *)o)->disk)) < 0 || ftruncate(fd, 16 << 20)) {
		snprintf(err, errlen, "cannot create a scratch disk image");
		if (fd >= 0)
			close(fd), unlink(o->disk);
		json_decref(modes), json_decref(t.failures), json_decref(t.exits);
		return NULL;
	}
	close(fd);
	for (size_t m = 0; m < bench_nmodes; m++) {
		char why[512] = "", ver[256] = "";
		if (!selected(o->modes, bench_modes[m].name))
			continue;
		double ms = 0;
		int ok =
		    bench_modes[m].available(o, why, sizeof(why)) && smoke(o, &bench_modes[m], why, sizeof(why), &ms);
		if (ok) {
			bench_modes[m].version(o, ver, sizeof(ver));
			run[nrun++] = &bench_modes[m];
		} else if (o->progress) {
			fprintf(stderr, "\r\033[Khvcert bench: %s unavailable: %s\n", bench_modes[m].name, why);
		}
		json_array_append_new(modes, json_pack("{s:s,s:b,s:s,s:s,s:f}", "name", bench_modes[m].name,
						       "available", ok, "reason", why, "version", ver, "smoke_ms", ms));
	}
	double t0 = now_ms(), total = (double)(nrun * ng * o->reps), done = 0;
	for (unsigned rep = 0; rep < o->reps; rep++)
		for (size_t m = 0; m < nrun; m++)
			for (size_t g = 0; g < ng; g++) {
				progress(o, guests[g], run[m]->name, rep, t0, done, total);
				done++;
				const struct bench_guest *bg = bench_guest(guests[g]);
				if (!bg->split) {
					run_one(o, &t, bg, run[m], rep, NULL);
					continue;
				}
				/* One process per operation: the counters then belong to it. */
				char ops[512];
				snprintf(ops, sizeof(ops), "%s", bg->split);
				for (char *save, *op = strtok_r(ops, ",", &save); op; op = strtok_r(NULL, ",", &save))
					run_one(o, &t, bg, run[m], rep, op);
			}
	if (o->progress)
		fprintf(stderr, "\r\033[K");
	unlink(o->disk);
	json_t *doc = json_pack("{s:s,s:s?,s:{s:s?,s:s?,s:s?,s:i,s:i},s:o,s:o,s:o}", "schema", BENCH_SCHEMA, "label",
				o->label, "options", "modes", o->modes, "guests", o->guests, "args", o->args, "reps",
				(int)o->reps, "timeout_s", (int)o->timeout_s, "modes", modes, "guests",
				guests_json(o, guests, ng), "results", results_json(&t));
	json_object_set_new(doc, "failures", t.failures);
	json_object_set_new(doc, "vmm_counters", t.exits);
	for (size_t i = 0; i < t.n; i++)
		free(t.s[i].v), free(t.s[i].wall);
	free(t.s);
	if (!doc)
		snprintf(err, errlen, "cannot build the results document");
	return doc;
}
