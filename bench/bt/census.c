/* Instruction census of guest images with Zydis: what the binary translator
 * must handle. Decodes the executable PT_LOAD segments of each ELF linearly
 * and counts mnemonics, how many touch memory, branch, use RIP-relative or
 * RSP-based operands, and which are privileged or sensitive by our own
 * table (Zydis' ZYDIS_ATTRIB_IS_PRIVILEGED misses several: issue 5). */
#include <Zydis/Zydis.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct count {
	ZydisMnemonic m;
	unsigned n;
};

static const ZydisMnemonic sensitive[] = {
	ZYDIS_MNEMONIC_CLI, ZYDIS_MNEMONIC_STI, ZYDIS_MNEMONIC_PUSHFQ, ZYDIS_MNEMONIC_POPFQ, ZYDIS_MNEMONIC_IN,
	ZYDIS_MNEMONIC_OUT, ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_HLT, ZYDIS_MNEMONIC_CPUID,
	ZYDIS_MNEMONIC_RDTSC, ZYDIS_MNEMONIC_RDTSCP, ZYDIS_MNEMONIC_RDMSR, ZYDIS_MNEMONIC_WRMSR, ZYDIS_MNEMONIC_INVLPG,
	ZYDIS_MNEMONIC_SYSCALL, ZYDIS_MNEMONIC_SYSRET, ZYDIS_MNEMONIC_INT, ZYDIS_MNEMONIC_INT3, ZYDIS_MNEMONIC_IRETQ,
	ZYDIS_MNEMONIC_SWAPGS, ZYDIS_MNEMONIC_VMCALL, ZYDIS_MNEMONIC_LGDT, ZYDIS_MNEMONIC_LIDT, ZYDIS_MNEMONIC_LTR,
	ZYDIS_MNEMONIC_SGDT, ZYDIS_MNEMONIC_SIDT, ZYDIS_MNEMONIC_SMSW,
	ZYDIS_MNEMONIC_UD2,
};

static int is_sensitive(ZydisMnemonic m)
{
	for (size_t i = 0; i < sizeof(sensitive) / sizeof(*sensitive); i++)
		if (sensitive[i] == m)
			return 1;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	return (int)((const struct count *)b)->n - (int)((const struct count *)a)->n;
}

static int census(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return perror(path), -1;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	uint8_t *img = malloc((size_t)size);
	if (!img || fread(img, 1, (size_t)size, f) != (size_t)size)
		return fclose(f), free(img), -1;
	fclose(f);
	Elf64_Ehdr *h = (Elf64_Ehdr *)img;
	ZydisDecoder dec;
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	static struct count c[ZYDIS_MNEMONIC_MAX_VALUE + 1];
	memset(c, 0, sizeof(c));
	unsigned crmov = 0, total = 0, mem = 0, branch = 0, riprel = 0, rsp = 0, priv_zydis = 0, sens = 0, bad = 0;
	for (int i = 0; i < h->e_phnum; i++) {
		Elf64_Phdr *p = (Elf64_Phdr *)(img + h->e_phoff) + i;
		if (p->p_type != PT_LOAD || !(p->p_flags & PF_X))
			continue;
		for (uint64_t off = 0; off < p->p_filesz;) {
			ZydisDecodedInstruction in;
			ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
			if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, img + p->p_offset + off, p->p_filesz - off, &in, ops))) {
				off++, bad++; /* data or padding inside the segment */
				continue;
			}
			total++;
			c[in.mnemonic].m = in.mnemonic, c[in.mnemonic].n++;
			branch += in.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE;
			priv_zydis += !!(in.attributes & ZYDIS_ATTRIB_IS_PRIVILEGED);
			int control = 0; /* mov to/from CRn is the MOV mnemonic with a control register */
			for (int k = 0; k < in.operand_count_visible; k++)
				control |= ops[k].type == ZYDIS_OPERAND_TYPE_REGISTER &&
					   ZydisRegisterGetClass(ops[k].reg.value) == ZYDIS_REGCLASS_CONTROL;
			sens += is_sensitive(in.mnemonic) || control;
			crmov += control;
			for (int k = 0; k < in.operand_count_visible; k++) {
				if (ops[k].type != ZYDIS_OPERAND_TYPE_MEMORY || in.mnemonic == ZYDIS_MNEMONIC_LEA)
					continue;
				mem++;
				riprel += ops[k].mem.base == ZYDIS_REGISTER_RIP;
				rsp += ops[k].mem.base == ZYDIS_REGISTER_RSP;
				break;
			}
			off += in.length;
		}
	}
	qsort(c, ZYDIS_MNEMONIC_MAX_VALUE + 1, sizeof(*c), by_count);
	printf("%s: %u instructions (%u undecodable bytes), %u with a memory operand (%u RIP-relative, %u "
	       "RSP-based), %u branches, %u sensitive by our table, %u privileged by Zydis\n  top:",
	       path, total, bad, mem, riprel, rsp, branch, sens, priv_zydis);
	for (int i = 0; i < 12 && c[i].n; i++)
		printf(" %s=%u", ZydisMnemonicGetString(c[i].m), c[i].n);
	printf("\n  sensitive: mov_cr=%u", crmov);
	for (int i = 0; c[i].n; i++)
		if (is_sensitive(c[i].m))
			printf(" %s=%u", ZydisMnemonicGetString(c[i].m), c[i].n);
	printf("\n");
	free(img);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		rc |= census(argv[i]) != 0;
	return rc;
}
