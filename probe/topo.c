/* Topology through hwloc: live, under --sysroot (HWLOC_FSROOT), from the
 * XML a capture recorded, or from an exported XML (--topology FILE). hwloc
 * runs in a child process: an XML of 100,000 nested objects overflows its
 * stack and a PU without complete_cpuset makes it dereference NULL (both
 * upstream), and neither may take hvcert down. */
#include "probe/host.h"

#include "common/child.h"
#include "common/safefile.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XML_DEPTH_MAX 64 /* a real topology nests about 10 objects deep */

enum { C_L1D, C_L2, C_L3, C_NUM };

/* What the child learned; counts are -1 when objects span several depths. */
struct topo_view {
	int ok, packages, numa_nodes, cores, pus;
	int cache_known[C_NUM], cache_count[C_NUM];
	unsigned long long cache_kb[C_NUM];
	char err[256];
};

struct topo_input {
	const char *root, *xml, *name;
	size_t xml_len;
};

static const hwloc_obj_type_t cache_type[C_NUM] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE};
static const char *const cache_key[C_NUM] = {"topo.l1d_kb", "topo.l2_kb", "topo.l3_kb"};

static void measure(hwloc_topology_t t, struct topo_view *v)
{
	v->packages = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	v->numa_nodes = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	v->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	v->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	for (int i = 0; i < C_NUM; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t, cache_type[i], 0);
		v->cache_known[i] = o && o->attr;
		v->cache_kb[i] = v->cache_known[i] ? (unsigned long long)(o->attr->cache.size / 1024) : 0;
		v->cache_count[i] = hwloc_get_nbobjs_by_type(t, cache_type[i]);
	}
}

static int load_child(void *ctx, void *out)
{
	const struct topo_input *in = ctx;
	struct topo_view *v = out;
	hwloc_topology_t t;
	memset(v, 0, sizeof(*v));
	if (hwloc_topology_init(&t) < 0) {
		snprintf(v->err, sizeof(v->err), "hwloc: cannot initialise a topology");
		return 0;
	}
	if (in->xml && hwloc_topology_set_xmlbuffer(t, in->xml, (int)in->xml_len + 1) < 0) {
		snprintf(v->err, sizeof(v->err), "%s: hwloc cannot read this XML topology", in->name);
	} else {
		if (!in->xml && in->root) {
			setenv("HWLOC_FSROOT", in->root, 1);
			/* Its x86 backend would execute CPUID here, not in the tree. */
			setenv("HWLOC_COMPONENTS", "-x86", 1);
		}
		/* hwloc prints its own complaints otherwise; we report them as facts. */
		setenv("HWLOC_HIDE_ERRORS", "2", 0);
		if (hwloc_topology_load(t) < 0)
			snprintf(v->err, sizeof(v->err), "%s: hwloc could not load the topology", in->name);
		else
			measure(t, v), v->ok = 1;
	}
	hwloc_topology_destroy(t);
	return 0;
}

/* Nesting of <object> elements, with the line where it first goes too deep. */
static int xml_depth_ok(const char *x, const char *name, char *err, size_t errlen)
{
	int depth = 0, line = 1;
	for (const char *p = x; *p; p++) {
		if (*p == '\n')
			line++;
		if (*p != '<')
			continue;
		if (!strncmp(p, "</object", 8)) {
			depth--;
		} else if (!strncmp(p, "<object", 7)) {
			const char *end = strchr(p, '>');
			if (end && end > p && end[-1] == '/')
				continue;
			if (++depth > XML_DEPTH_MAX) {
				snprintf(err, errlen,
					 "%s:%d: objects nested more than %d deep: not a machine's topology", name,
					 line, XML_DEPTH_MAX);
				return 0;
			}
		}
	}
	return 1;
}

static void record(const struct topo_view *v, const char *source, struct factset *s)
{
	const int n[] = {v->packages, v->numa_nodes, v->cores, v->pus};
	const char *const key[] = {"topo.packages", "topo.numa_nodes", "topo.cores", "topo.pus"};
	char k[64];
	facts_set(s, "topo.source", "%s", source);
	for (size_t i = 0; i < 4; i++)
		if (n[i] < 0)
			facts_unknown(s, key[i], "hwloc: objects of this type span several depths");
		else
			facts_set(s, key[i], "%d", n[i]);
	for (int i = 0; i < C_NUM; i++) {
		if (v->cache_known[i])
			facts_set(s, cache_key[i], "%llu", v->cache_kb[i]);
		else
			facts_unknown(s, cache_key[i], "hwloc reports no such cache");
		snprintf(k, sizeof(k), "%s_count", cache_key[i]);
		if (v->cache_count[i] < 0)
			facts_unknown(s, k, "hwloc: objects of this type span several depths");
		else
			facts_set(s, k, "%d", v->cache_count[i]);
	}
}

int host_read_topology(const char *root, const char *xml, struct factset *s, char *err, size_t errlen)
{
	struct topo_input in = {.root = root && *root ? root : NULL};
	struct topo_view v;
	char *buf = NULL, why[128];
	int rc = -1;
	in.name = xml ? xml : in.root ? in.root : "live";
	if (xml && (sf_read(NULL, xml, SF_CAP, &buf, &in.xml_len, err, errlen) || !xml_depth_ok(buf, xml, err, errlen)))
		goto free_buf;
	in.xml = buf;
	if (child_call(load_child, &in, &v, sizeof(v), 30, why, sizeof(why))) {
		snprintf(err, errlen, "%s: hwloc failed on this topology (%s)", in.name, why);
		goto free_buf;
	}
	if (!v.ok) {
		snprintf(err, errlen, "%s", v.err);
		goto free_buf;
	}
	if (v.packages <= 0 || v.cores <= 0) {
		snprintf(err, errlen, "%s: hwloc found no packages or cores (no sys/devices/system/cpu?)", in.name);
		goto free_buf;
	}
	record(&v, in.name, s);
	rc = 0;
free_buf:
	free(buf);
	return rc;
}

int host_export_topology(const char *path, char *err, size_t errlen)
{
	hwloc_topology_t t;
	char *xml = NULL;
	int len = 0, rc = -1;
	if (hwloc_topology_init(&t) < 0) {
		snprintf(err, errlen, "hwloc: cannot initialise a topology");
		return -1;
	}
	if (hwloc_topology_load(t) < 0 || hwloc_topology_export_xmlbuffer(t, &xml, &len, 0) < 0 || len < 1)
		snprintf(err, errlen, "%s: hwloc could not export this host's topology", path);
	else
		rc = sf_write_file(path, xml, (size_t)len - 1, err, errlen);
	if (xml)
		hwloc_free_xmlbuffer(t, xml);
	hwloc_topology_destroy(t);
	return rc;
}

void host_mark_not_captured(struct factset *s, const char *why)
{
	for (size_t i = 0; i < s->n; i++) {
		s->f[i].known = 0;
		snprintf(s->f[i].value, sizeof(s->f[i].value), "%s", why);
	}
}
