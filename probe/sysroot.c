#include "probe/sysroot.h"

#include "common/safefile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void sysroot_path(const char *sysroot, const char *abs, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s", sysroot ? sysroot : "", abs);
}

/* Under a bundle the file is resolved inside it and must be a small regular
 * file; live, /proc and /sys files are regular too, so one rule serves both. */
FILE *sysroot_fopen(const char *sysroot, const char *abs)
{
	char err[512];
	FILE *f = sf_fopen(sysroot && *sysroot ? sysroot : NULL, abs, SF_CAP_TREE, err, sizeof(err));
	if (!f && !errno)
		errno = EINVAL;
	return f;
}

int sysroot_read_line(const char *sysroot, const char *abs, char *out, size_t outlen)
{
	FILE *f = sysroot_fopen(sysroot, abs);
	if (!f)
		return -errno;
	out[0] = '\0';
	if (!fgets(out, (int)outlen, f)) {
		int e = ferror(f) ? -EIO : -ENODATA;
		fclose(f);
		return e;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int sysroot_exists(const char *sysroot, const char *abs)
{
	char p[4096];
	struct stat st;
	sysroot_path(sysroot, abs, p, sizeof(p));
	return stat(p, &st) == 0;
}
