#include "common/safefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

static void joined(const char *root, const char *path, char *out, size_t n)
{
	if (root && *root)
		snprintf(out, n, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
	else
		snprintf(out, n, "%s", path);
}

static const char *kind(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISDIR(m)  ? "a directory"
			     : "not a regular file";
}

/* Kernels before 5.6 lack openat2: the same containment from realpath(). */
static int open_inside_fallback(const char *root, const char *path)
{
	char full[PATH_MAX], real[PATH_MAX], realroot[PATH_MAX];
	joined(root, path, full, sizeof(full));
	if (!realpath(root, realroot) || !realpath(full, real))
		return -1;
	size_t n = strlen(realroot);
	if (strncmp(real, realroot, n) != 0 || (real[n] != '/' && real[n] != '\0')) {
		errno = EXDEV;
		return -1;
	}
	return open(real, OPEN_FLAGS);
}

static int open_inside(const char *root, const char *path)
{
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	struct open_how how = {.flags = OPEN_FLAGS, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	while (*path == '/')
		path++;
	int fd = (int)syscall(SYS_openat2, dir, *path ? path : ".", &how, sizeof(how));
	int e = errno;
	close(dir);
	if (fd < 0 && (e == ENOSYS || e == EPERM))
		return open_inside_fallback(root, path);
	errno = e;
	return fd;
}

int sf_open(const char *root, const char *path, char *err, size_t errlen)
{
	char name[PATH_MAX];
	struct stat st;
	joined(root, path, name, sizeof(name));
	int fd = root && *root ? open_inside(root, path) : open(path, OPEN_FLAGS);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name,
			 errno == EXDEV ? "a link leads outside the bundle" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", name, kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static int read_fd(int fd, size_t cap, char **buf, size_t *len)
{
	size_t n = 0, size = 4096;
	char *b = malloc(size);
	for (;;) {
		if (!b)
			return -ENOMEM;
		if (n + 1 >= size) {
			char *nb = size > cap ? NULL : realloc(b, size * 2);
			if (!nb) {
				free(b);
				return size > cap ? -EFBIG : -ENOMEM;
			}
			b = nb, size *= 2;
		}
		ssize_t r = read(fd, b + n, size - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(b);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			free(b);
			return -EFBIG;
		}
	}
	b[n] = '\0';
	*buf = b, *len = n;
	return 0;
}

int sf_read(const char *root, const char *path, size_t cap, char **buf, size_t *len, char *err, size_t errlen)
{
	char name[PATH_MAX];
	int fd = sf_open(root, path, err, errlen);
	if (fd < 0)
		return -1;
	int rc = read_fd(fd, cap, buf, len);
	close(fd);
	if (rc == 0)
		return 0;
	joined(root, path, name, sizeof(name));
	if (rc == -EFBIG)
		snprintf(err, errlen, "%s: larger than %zu bytes: not an input hvcert reads", name, cap);
	else
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
	errno = -rc;
	return -1;
}

struct mem {
	char *buf;
	size_t len, pos;
};

static ssize_t mem_read(void *c, char *out, size_t n)
{
	struct mem *m = c;
	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(out, m->buf + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int mem_close(void *c)
{
	struct mem *m = c;
	free(m->buf);
	free(m);
	return 0;
}

FILE *sf_fopen(const char *root, const char *path, size_t cap, char *err, size_t errlen)
{
	struct mem *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (sf_read(root, path, cap, &m->buf, &m->len, err, errlen)) {
		free(m);
		return NULL;
	}
	FILE *f = fopencookie(m, "r", (cookie_io_functions_t){.read = mem_read, .close = mem_close});
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		mem_close(m);
	}
	return f;
}

struct walk {
	char realroot[PATH_MAX];
	size_t entries;
	char *err;
	size_t errlen;
};

static int check_link(struct walk *w, const char *full)
{
	char real[PATH_MAX];
	if (!realpath(full, real))
		return 0; /* leads nowhere: nothing to read through it */
	size_t n = strlen(w->realroot);
	if (strncmp(real, w->realroot, n) == 0 && (real[n] == '/' || real[n] == '\0'))
		return 0;
	snprintf(w->err, w->errlen, "%s: a link that leads outside the bundle (to %s)", full, real);
	return -1;
}

static int check_entry(struct walk *w, const char *full, const struct stat *st, int depth);

static int check_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d) {
		snprintf(w->err, w->errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char full[PATH_MAX];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= (int)sizeof(full)) {
			snprintf(w->err, w->errlen, "%s/...: path too long", dir);
			rc = -1;
		} else if (lstat(full, &st) != 0) {
			snprintf(w->err, w->errlen, "%s: %s", full, strerror(errno));
			rc = -1;
		} else {
			rc = check_entry(w, full, &st, depth);
		}
	}
	closedir(d);
	return rc;
}

static int check_entry(struct walk *w, const char *full, const struct stat *st, int depth)
{
	if (++w->entries > 1000000) {
		snprintf(w->err, w->errlen, "%s: more than a million entries: not a bundle hvcert captured", full);
		return -1;
	}
	if (S_ISLNK(st->st_mode))
		return check_link(w, full);
	if (S_ISDIR(st->st_mode)) {
		if (depth >= 64) {
			snprintf(w->err, w->errlen, "%s: nested more than 64 directories deep", full);
			return -1;
		}
		return check_dir(w, full, depth + 1);
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(w->err, w->errlen, "%s: %s in a bundle (a capture holds only files, directories and links)",
			 full, kind(st->st_mode));
		return -1;
	}
	if ((unsigned long long)st->st_size > SF_CAP_TREE) {
		snprintf(w->err, w->errlen, "%s: %lld bytes, more than any file a bundle holds (%u)", full,
			 (long long)st->st_size, SF_CAP_TREE);
		return -1;
	}
	return 0;
}

int sf_check_tree(const char *root, char *err, size_t errlen)
{
	struct walk w = {.err = err, .errlen = errlen};
	struct stat st;
	if (stat(root, &st) != 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a directory (a bundle is a directory `hvcert capture` made)", root,
			 kind(st.st_mode));
		return -1;
	}
	if (!realpath(root, w.realroot)) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	return check_dir(&w, root, 0);
}

FILE *sf_create(struct sf_out *o, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(o->tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return NULL;
	}
	/* A device, FIFO or directory there is not ours to replace: as root,
	 * `-o /dev/full` would otherwise turn the node into a file. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a file hvcert may replace", path, kind(st.st_mode));
		return NULL;
	}
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file beside it: %s", path, strerror(errno));
		return NULL;
	}
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0 || !(o->f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return NULL;
	}
	return o->f;
}

int sf_commit(struct sf_out *o, char *err, size_t errlen)
{
	int bad = fflush(o->f) != 0 || ferror(o->f);
	int e = errno;
	if (fclose(o->f) != 0 && !bad)
		bad = 1, e = errno;
	o->f = NULL;
	if (bad) {
		snprintf(err, errlen, "%s: write failed: %s", o->path, strerror(e ? e : EIO));
		unlink(o->tmp);
		return -1;
	}
	if (rename(o->tmp, o->path) != 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

void sf_abort(struct sf_out *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
}

int sf_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	struct sf_out o;
	FILE *f = sf_create(&o, path, err, errlen);
	if (!f)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		sf_abort(&o);
		return -1;
	}
	return sf_commit(&o, err, errlen);
}

int sf_stdout_ok(const char *prog)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;
	if (fclose(stdout) != 0 && !bad)
		bad = 1, e = errno;
	if (bad)
		fprintf(stderr, "%s: standard output: %s (the report was not written)\n", prog, strerror(e ? e : EIO));
	return bad ? -1 : 0;
}
