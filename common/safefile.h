/* The one file layer for what hvcert reads from elsewhere and what it
 * writes. Reading: regular files only (a FIFO, a device or a socket is
 * refused without blocking), a size cap, and under a bundle root every path
 * is resolved inside the root (openat2 RESOLVE_IN_ROOT), so a planted link
 * cannot reach the host's files. Writing: a temporary beside the target,
 * every write and the close checked, then rename(): a kill or a full disk
 * leaves the last good file, and a link planted at the target is replaced,
 * never followed. Convention: -1 (or NULL) with "path: why" in err. */
#ifndef HVCERT_SAFEFILE_H
#define HVCERT_SAFEFILE_H
#include <stddef.h>
#include <stdio.h>

#define SF_CAP	    (64u << 20) /* any one input file */
#define SF_CAP_TREE (16u << 20) /* any one file of a bundle */

/* fd of PATH (inside ROOT when ROOT is not NULL or ""), regular file only. */
int sf_open(const char *root, const char *path, char *err, size_t errlen);
/* The whole file, NUL-terminated (*len excludes the NUL), at most CAP bytes. */
int sf_read(const char *root, const char *path, size_t cap, char **buf, size_t *len, char *err, size_t errlen);
/* A read-only stream over the file's contents, read at once with sf_read. */
FILE *sf_fopen(const char *root, const char *path, size_t cap, char *err, size_t errlen);
/* A bundle (--sysroot) before anything reads it: an existing directory
 * whose entries are directories, regular files of at most SF_CAP_TREE bytes
 * and relative links that stay inside it. Libraries we hand the tree to
 * (libpci, hwloc) open its files themselves: this is what protects them. */
int sf_check_tree(const char *root, char *err, size_t errlen);

struct sf_out {
	FILE *f;
	char path[4096], tmp[4096];
};
/* Starts writing PATH (through o->f); sf_commit makes it appear. */
FILE *sf_create(struct sf_out *o, const char *path, char *err, size_t errlen);
/* Flushes, checks every write, closes and renames over PATH; on failure
 * the temporary is removed and PATH is what it was. */
int sf_commit(struct sf_out *o, char *err, size_t errlen);
void sf_abort(struct sf_out *o);
/* sf_create + one write + sf_commit. */
int sf_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* stdout at exit: a lost write (a full disk, a closed pipe) is an error. */
int sf_stdout_ok(const char *prog);
#endif
