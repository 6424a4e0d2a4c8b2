/* The file layer under hostile trees: what cannot be read is refused at
 * once with the file's name, and what is written appears whole or not. */
#include "tests/unit/check.h"
#include "common/child.h"
#include "common/safefile.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/sf/%s", scratch_dir(), name);
}

static void put(const char *name, const char *text)
{
	char p[512];
	path(p, sizeof(p), name);
	FILE *f = fopen(p, "w");
	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", p);
}

static void not_regular(const char *arg)
{
	char p[512], err[512], *buf;
	size_t len;
	(void)arg;
	path(p, sizeof(p), "fifo");
	CHECK(mkfifo(p, 0600) == 0 || errno == EEXIST, "mkfifo %s", p);
	alarm(5); /* a blocking open would hang the suite: fail it instead */
	CHECK(sf_read(NULL, p, SF_CAP, &buf, &len, err, sizeof(err)) == -1 && strstr(err, "a FIFO"), "fifo: %s", err);
	CHECK(sf_read(NULL, "/dev/zero", SF_CAP, &buf, &len, err, sizeof(err)) == -1 &&
		  strstr(err, "/dev/zero: a character device"),
	      "/dev/zero: %s", err);
	alarm(0);
	path(p, sizeof(p), "");
	CHECK(sf_read(NULL, p, SF_CAP, &buf, &len, err, sizeof(err)) == -1 && strstr(err, "a directory"), "dir: %s",
	      err);
}

static void capped(const char *arg)
{
	char p[512], err[512], *buf = NULL;
	size_t len;
	(void)arg;
	put("ten", "0123456789");
	path(p, sizeof(p), "ten");
	CHECK(sf_read(NULL, p, 10, &buf, &len, err, sizeof(err)) == 0 && len == 10 && buf[10] == '\0', "%s", err);
	free(buf);
	CHECK(sf_read(NULL, p, 9, &buf, &len, err, sizeof(err)) == -1 && strstr(err, "larger than 9 bytes"), "%s", err);
	FILE *f = sf_fopen(NULL, p, SF_CAP, err, sizeof(err));
	char line[32];
	CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "0123456789") && !fgets(line, sizeof(line), f),
	      "stream over the contents");
	if (f)
		fclose(f);
}

/* A bundle whose link points at the host (absolute, or climbing out). */
static void links_stay_inside(const char *arg)
{
	char root[512], p[512], err[1024], *buf = NULL;
	size_t len;
	(void)arg;
	path(root, sizeof(root), "bundle");
	mkdir(root, 0755);
	path(p, sizeof(p), "bundle/proc");
	mkdir(p, 0755);
	put("bundle/proc/cpuinfo", "bundle's own\n");
	put("secret", "host's\n");
	path(p, sizeof(p), "bundle/proc/meminfo");
	CHECK(symlink("../../secret", p) == 0, "symlink");
	CHECK(sf_read(root, "/proc/cpuinfo", SF_CAP, &buf, &len, err, sizeof(err)) == 0 &&
		  !strcmp(buf, "bundle's own\n"),
	      "inside: %s", err);
	free(buf);
	buf = NULL;
	CHECK(sf_read(root, "/proc/meminfo", SF_CAP, &buf, &len, err, sizeof(err)) == -1, "climbing link read: %s",
	      buf ? buf : "");
	CHECK(sf_check_tree(root, err, sizeof(err)) == -1 && strstr(err, "outside the bundle"), "tree: %s", err);
	unlink(p);
	CHECK(symlink("/etc/passwd", p) == 0, "symlink");
	CHECK(sf_read(root, "/proc/meminfo", SF_CAP, &buf, &len, err, sizeof(err)) == -1,
	      "an absolute link resolves inside the bundle (where there is no etc/passwd)");
	CHECK(sf_check_tree(root, err, sizeof(err)) == -1 && strstr(err, "meminfo"), "tree: %s", err);
	unlink(p);
	CHECK(symlink("cpuinfo", p) == 0, "symlink");
	CHECK(sf_check_tree(root, err, sizeof(err)) == 0, "a link inside: %s", err);
	path(p, sizeof(p), "bundle/proc/interrupts");
	CHECK(mkfifo(p, 0600) == 0, "mkfifo");
	CHECK(sf_check_tree(root, err, sizeof(err)) == -1 && strstr(err, "interrupts: a FIFO"), "fifo: %s", err);
	unlink(p);
	path(p, sizeof(p), "nonexistent");
	CHECK(sf_check_tree(p, err, sizeof(err)) == -1 && strstr(err, "No such file"), "typo: %s", err);
	path(p, sizeof(p), "secret");
	CHECK(sf_check_tree(p, err, sizeof(err)) == -1 && strstr(err, "not a directory"), "file: %s", err);
}

static void atomic_writes(const char *arg)
{
	char p[512], target[512], err[512], *buf = NULL;
	size_t len;
	struct sf_out o;
	(void)arg;
	put("victim", "precious\n");
	path(target, sizeof(target), "victim");
	path(p, sizeof(p), "out");
	unlink(p);
	CHECK(symlink(target, p) == 0, "planted link");
	CHECK(sf_write_file(p, "new\n", 4, err, sizeof(err)) == 0, "%s", err);
	CHECK(sf_read(NULL, target, SF_CAP, &buf, &len, err, sizeof(err)) == 0 && !strcmp(buf, "precious\n"),
	      "the link's target is untouched");
	free(buf);
	FILE *f = sf_create(&o, p, err, sizeof(err));
	CHECK(f != NULL, "%s", err);
	if (f) {
		fputs("half", f);
		sf_abort(&o);
	}
	CHECK(sf_read(NULL, p, SF_CAP, &buf, &len, err, sizeof(err)) == 0 && !strcmp(buf, "new\n"),
	      "an aborted write leaves the last good file");
	free(buf);
	CHECK(sf_write_file("/dev/null", "x", 1, err, sizeof(err)) == -1 && strstr(err, "a character device"),
	      "a device node is not replaced: %s", err);
	path(p, sizeof(p), "fifo");
	CHECK(sf_write_file(p, "x", 1, err, sizeof(err)) == -1 && strstr(err, "a FIFO"), "nor a FIFO: %s", err);
}

static int crash(void *ctx, void *out)
{
	(void)ctx, (void)out;
	abort(); /* not SIGSEGV: under ASan that becomes a report and exit 1 */
	return 0;
}
static int spin(void *ctx, void *out)
{
	(void)ctx, (void)out;
	while (pause() < 0 || 1)
		;
	return 0;
}
static int answer(void *ctx, void *out)
{
	*(int *)out = *(int *)ctx * 2;
	return 0;
}

static void children(const char *arg)
{
	char why[128] = "";
	int in = 21, out = 0;
	(void)arg;
	CHECK(child_call(answer, &in, &out, sizeof(out), 5, why, sizeof(why)) == 0 && out == 42, "answer: %s", why);
	CHECK(child_call(crash, NULL, &out, sizeof(out), 5, why, sizeof(why)) == -1 &&
		  !strcmp(why, "killed by SIGABRT"),
	      "crash: %s", why);
	CHECK(child_call(spin, NULL, &out, sizeof(out), 1, why, sizeof(why)) == -1 && strstr(why, "timed out"),
	      "hang: %s", why);
}

void suite_safefile(void)
{
	char d[512];
	path(d, sizeof(d), "");
	mkdir(d, 0755);
	run_case("safefile", "not-regular-refused-at-once", not_regular, NULL);
	run_case("safefile", "size-cap", capped, NULL);
	run_case("safefile", "links-stay-in-the-bundle", links_stay_inside, NULL);
	run_case("safefile", "atomic-writes", atomic_writes, NULL);
	run_case("safefile", "library-in-a-child", children, NULL);
}
