#include "probe/cpuid_raw.h"
#include "common/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cpu_raw_init(struct cpu_raw *r)
{
	memset(r, 0, sizeof(*r));
}

void cpu_raw_free(struct cpu_raw *r)
{
	free(r->leaves);
	free(r->msrs);
	free(r->apic_ids);
	cpu_raw_init(r);
}

int cpu_raw_add_leaf(struct cpu_raw *r, uint32_t leaf, uint32_t sub, const uint32_t v[4])
{
	uint32_t dummy[4];
	if (cpu_raw_get(r, leaf, sub, dummy) == 0)
		return 0;
	if (grow_array((void **)&r->leaves, &r->capleaves, r->nleaves, sizeof(*r->leaves)))
		return -ENOMEM;
	struct cpuid_entry *e = &r->leaves[r->nleaves++];
	e->leaf = leaf;
	e->subleaf = sub;
	memcpy(e->r, v, sizeof(e->r));
	return 0;
}

int cpu_raw_add_msr(struct cpu_raw *r, uint32_t index, uint64_t value, int state)
{
	for (size_t i = 0; i < r->nmsrs; i++)
		if (r->msrs[i].index == index)
			return 0;
	if (grow_array((void **)&r->msrs, &r->capmsrs, r->nmsrs, sizeof(*r->msrs)))
		return -ENOMEM;
	r->msrs[r->nmsrs++] = (struct msr_entry){index, value, state};
	return 0;
}

int cpu_raw_add_cpu(struct cpu_raw *r, uint32_t apic_id)
{
	if (grow_array((void **)&r->apic_ids, &r->capcpus, r->ncpus, sizeof(*r->apic_ids)))
		return -ENOMEM;
	r->apic_ids[r->ncpus++] = apic_id;
	return 0;
}

int cpu_raw_get(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	for (size_t i = 0; i < r->nleaves; i++) {
		if (r->leaves[i].leaf == leaf && r->leaves[i].subleaf == sub) {
			memcpy(out, r->leaves[i].r, sizeof(r->leaves[i].r));
			return 0;
		}
	}
	memset(out, 0, 4 * sizeof(uint32_t));
	return -1;
}

int cpu_raw_msr(const struct cpu_raw *r, uint32_t index, uint64_t *out)
{
	for (size_t i = 0; i < r->nmsrs; i++) {
		if (r->msrs[i].index != index)
			continue;
		if (r->msrs[i].state != MSR_OK)
			return -EIO;
		*out = r->msrs[i].value;
		return 0;
	}
	return -ENOENT;
}

int cpu_raw_bit(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit)
{
	uint32_t v[4];
	if (cpu_raw_get(r, leaf, sub, v))
		return 0;
	return (v[reg] >> bit) & 1;
}
