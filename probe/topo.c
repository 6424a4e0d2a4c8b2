/* Topology through hwloc: live, under --sysroot (HWLOC_FSROOT) or from an
 * exported XML (--topology FILE). */
#include "host.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void count(hwloc_topology_t t, struct factset *s, const char *key, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);
	if (n < 0)
		facts_unknown(s, key, "hwloc: objects of this type span several depths");
	else
		facts_set(s, key, "%d", n);
}

static void caches(hwloc_topology_t t, struct factset *s)
{
	static const struct {
		hwloc_obj_type_t type;
		const char *key;
	} lv[] = {
	    {HWLOC_OBJ_L1CACHE, "topo.l1d_kb"}, {HWLOC_OBJ_L2CACHE, "topo.l2_kb"}, {HWLOC_OBJ_L3CACHE, "topo.l3_kb"}};
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t, lv[i].type, 0);
		char key[64];
		snprintf(key, sizeof(key), "%s", lv[i].key);
		if (o && o->attr)
			facts_set(s, key, "%llu", (unsigned long long)(o->attr->cache.size / 1024));
		else
			facts_unknown(s, key, "hwloc reports no such cache");
		snprintf(key, sizeof(key), "%s_count", lv[i].key);
		count(t, s, key, lv[i].type);
	}
}

int host_read_topology(const char *root, const char *xml, struct factset *s, char *err, size_t errlen)
{
	hwloc_topology_t t;
	if (hwloc_topology_init(&t) < 0) {
		snprintf(err, errlen, "hwloc: cannot initialise a topology");
		return -1;
	}
	if (xml && hwloc_topology_set_xml(t, xml) < 0) {
		snprintf(err, errlen, "%s: hwloc cannot read this XML topology", xml);
		goto fail_topology;
	}
	if (!xml && root && *root) {
		setenv("HWLOC_FSROOT", root, 1);
		/* Its x86 backend would execute CPUID here, not in the tree. */
		setenv("HWLOC_COMPONENTS", "-x86", 1);
	}
	/* hwloc prints its own complaints otherwise; we report them as facts. */
	setenv("HWLOC_HIDE_ERRORS", "2", 0);
	if (hwloc_topology_load(t) < 0) {
		snprintf(err, errlen, "%s: hwloc could not load the topology", xml ? xml : "live");
		goto fail_topology;
	}
	if (hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE) <= 0 || hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) <= 0) {
		snprintf(err, errlen, "%s: hwloc found no packages or cores (no sys/devices/system/cpu?)",
			 xml		 ? xml
			 : root && *root ? root
					 : "live");
		goto fail_topology;
	}
	facts_set(s, "topo.source", "%s", xml ? xml : root && *root ? root : "live");
	count(t, s, "topo.packages", HWLOC_OBJ_PACKAGE);
	count(t, s, "topo.numa_nodes", HWLOC_OBJ_NUMANODE);
	count(t, s, "topo.cores", HWLOC_OBJ_CORE);
	count(t, s, "topo.pus", HWLOC_OBJ_PU);
	caches(t, s);
	hwloc_topology_destroy(t);
	return 0;
fail_topology:
	hwloc_topology_destroy(t);
	return -1;
}

void host_mark_not_captured(struct factset *s, const char *why)
{
	for (size_t i = 0; i < s->n; i++) {
		s->f[i].known = 0;
		snprintf(s->f[i].value, sizeof(s->f[i].value), "%s", why);
	}
}
