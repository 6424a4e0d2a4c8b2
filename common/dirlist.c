#include "common/dirlist.h"
#include "common/grow.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wanted(const char *dir, const char *name, const char *suffix, int flags, char *path, size_t n)
{
	size_t l = strlen(name), s = suffix ? strlen(suffix) : 0;
	struct stat st;
	if (name[0] == '.' || (suffix && (l <= s || strcmp(name + l - s, suffix))))
		return 0;
	snprintf(path, n, "%s/%s", dir, name);
	return !(flags & DIRLIST_REGULAR) || (lstat(path, &st) == 0 && S_ISREG(st.st_mode));
}

int dirlist(const char *dir, const char *suffix, int flags, char ***out, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;
	*out = NULL, *n = 0;
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char p[4096];
		if (!wanted(dir, e->d_name, suffix, flags, p, sizeof(p)))
			continue;
		if (grow_array((void **)out, &cap, *n, sizeof(**out)) || !((*out)[*n] = strdup(p))) {
			/* A partial list would be a silent partial answer. */
			closedir(d);
			dirlist_free(*out, *n);
			*out = NULL, *n = 0;
			snprintf(err, errlen, "%s: out of memory listing the directory", dir);
			return -1;
		}
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_name);
	return 0;
}

void dirlist_free(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}
