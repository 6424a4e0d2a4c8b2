#include "cli/sources.h"
#include "cli/cli.h"
#include "probe/sources.h"

#include <stdio.h>
#include <string.h>

/* getopt values of the source options: SOURCE_OPT + their table index. */
#define SOURCE_OPT	   2000
#define SOURCE_MAX_OPTIONS 16
enum { OPT_THIS_HOST = SOURCE_OPT + 100, OPT_DATA };

/* out = the source options followed by own (terminated by a zero entry). */
static void sources_options(struct option *out, const struct option *own)
{
	size_t n = 0;
	for (size_t i = 0; i < probe_nsources; i++)
		out[n++] = (struct option){probe_sources[i].option, required_argument, 0, SOURCE_OPT + (int)i};
	out[n++] = (struct option){"this-host", no_argument, 0, OPT_THIS_HOST};
	out[n++] = (struct option){"data", required_argument, 0, OPT_DATA};
	for (; own->name; own++)
		out[n++] = *own;
	out[n] = (struct option){0, 0, 0, 0};
}

void sources_help(FILE *f)
{
	probe_sources_help(f);
	fprintf(f, "  --this-host         with dumps: take what they lack from this machine (else: not provided)\n"
		   "  --data DIR          data directory\n");
}

/* 1 when c was a source option (and is stored), 0 otherwise. */
static int sources_option(struct sources *s, int c, const char *arg)
{
	if (c >= SOURCE_OPT && c < SOURCE_OPT + (int)probe_nsources) {
		probe_source_set(&s->o, &probe_sources[c - SOURCE_OPT], arg);
		return 1;
	}
	if (c == OPT_THIS_HOST)
		return s->o.this_host = 1;
	if (c == OPT_DATA) {
		s->o.data_dir = arg;
		return 1;
	}
	return 0;
}

int sources_getopt(int argc, char **argv, const struct option *own, struct sources *s)
{
	struct option opts[SOURCE_MAX_OPTIONS + 32];
	size_t n = 0;
	while (own[n].name)
		n++;
	if (n > 31)
		return '?'; /* a command with more options than this needs a larger table */
	sources_options(opts, own);
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1 && sources_option(s, c, optarg))
		;
	return c;
}

int sources_probe(struct sources *s, struct probe *p, char *err, size_t errlen)
{
	if (!s->o.data_dir)
		s->o.data_dir = cli_data_dir();
	return probe_from_sources(p, &s->o, err, errlen);
}
