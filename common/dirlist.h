/* The entries of a directory of inputs (a fleet's host files, a history of
 * bench runs), as paths, in name order: one listing for every command that
 * takes a directory. */
#ifndef HVCERT_DIRLIST_H
#define HVCERT_DIRLIST_H
#include <stddef.h>

enum {
	DIRLIST_REGULAR = 1, /* only regular files (lstat: not links, FIFOs, subdirectories) */
};

/* "dir/name" of each entry not starting with '.' whose name ends in suffix
 * (NULL: any, and a name that is only the suffix does not count), in
 * strcmp order. 0 with *out (dirlist_free) and *n, or -1 with err
 * ("dir: why"). */
int dirlist(const char *dir, const char *suffix, int flags, char ***out, size_t *n, char *err, size_t errlen);
void dirlist_free(char **list, size_t n);
#endif
