/* Numeric options: the whole argument must be a number in range, or the
 * command stops with the option's name (no strtoul that takes "-5" or "x"). */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cli_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = arg && *arg ? strtod(arg, &end) : NAN;
	if (!arg || !*arg || *end || errno || isnan(v) || v < lo || v > hi) {
		fprintf(stderr, "hvcert: %s: '%s' is not a number from %g to %g\n", opt, arg ? arg : "", lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}
