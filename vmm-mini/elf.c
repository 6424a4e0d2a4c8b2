/* ELF64 loader. A guest image is untrusted input: every offset, size and
 * address is checked (overflow-safe) against the file and guest RAM, and the
 * entry point must lie in an executable loaded segment. */
#include "vmm-mini/vmm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELF_MAX_PHDRS 64

static int bad(struct vm *vm, const char *name, const char *why, long idx)
{
	if (idx >= 0)
		return vm_fail(vm, "%s: program header %ld: %s", name, idx, why);
	return vm_fail(vm, "%s: %s", name, why);
}

/* [off, off+len) inside [0, size) without overflow. */
static int within(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int check_header(struct vm *vm, const Elf64_Ehdr *h, size_t size, const char *name)
{
	if (size < sizeof(*h) || memcmp(h->e_ident, ELFMAG, SELFMAG))
		return bad(vm, name, "not an ELF file", -1);
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad(vm, name, "not a little-endian ELF64 image", -1);
	if (h->e_machine != EM_X86_64 || h->e_type != ET_EXEC)
		return bad(vm, name, "not an x86-64 executable (ET_EXEC, EM_X86_64)", -1);
	if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0 || h->e_phnum > ELF_MAX_PHDRS)
		return bad(vm, name, "bad program header table (entry size or count)", -1);
	if (!within(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), size))
		return bad(vm, name, "program header table outside the file", -1);
	return 0;
}

static int check_segment(struct vm *vm, const Elf64_Phdr *p, size_t size, const char *name, long i,
			 uint64_t reserved_below)
{
	char why[200];
	if (!within(p->p_offset, p->p_filesz, size))
		return bad(vm, name, "segment data outside the file", i);
	if (p->p_filesz > p->p_memsz)
		return bad(vm, name, "file size larger than memory size", i);
	if (!within(p->p_paddr, p->p_memsz, vm->ram_size)) {
		snprintf(why, sizeof(why), "segment [0x%llx, +0x%llx) outside guest RAM (%llu MiB)",
			 (unsigned long long)p->p_paddr, (unsigned long long)p->p_memsz,
			 (unsigned long long)(vm->ram_size >> 20));
		return bad(vm, name, why, i);
	}
	if (p->p_paddr < reserved_below) {
		snprintf(why, sizeof(why), "segment at 0x%llx overlaps the boot area below 0x%llx",
			 (unsigned long long)p->p_paddr, (unsigned long long)reserved_below);
		return bad(vm, name, why, i);
	}
	return 0;
}

static int overlaps(const Elf64_Phdr *a, const Elf64_Phdr *b)
{
	return a->p_paddr < b->p_paddr + b->p_memsz && b->p_paddr < a->p_paddr + a->p_memsz;
}

int elf_load_image(struct vm *vm, const uint8_t *img, size_t size, const char *name, uint64_t reserved_below,
		   uint64_t *entry)
{
	Elf64_Ehdr h;
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	int nload = 0, entry_ok = 0;
	if (size >= sizeof(h))
		memcpy(&h, img, sizeof(h));
	if (check_header(vm, &h, size, name))
		return -1;
	memcpy(ph, img + h.e_phoff, h.e_phnum * sizeof(Elf64_Phdr));
	for (long i = 0; i < h.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (check_segment(vm, &ph[i], size, name, i, reserved_below))
			return -1;
		for (long j = 0; j < i; j++)
			if (ph[j].p_type == PT_LOAD && ph[j].p_memsz && overlaps(&ph[i], &ph[j]))
				return bad(vm, name, "segment overlaps another loaded segment", i);
		entry_ok |=
		    (ph[i].p_flags & PF_X) && h.e_entry >= ph[i].p_paddr && h.e_entry < ph[i].p_paddr + ph[i].p_filesz;
		nload++;
	}
	if (!nload)
		return bad(vm, name, "no loadable segment", -1);
	if (!entry_ok)
		return bad(vm, name, "entry point is not inside an executable loaded segment", -1);
	for (long i = 0; i < h.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		memcpy(vm->ram + ph[i].p_paddr, img + ph[i].p_offset, ph[i].p_filesz);
		memset(vm->ram + ph[i].p_paddr + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	*entry = h.e_entry;
	return 0;
}

int elf_load(struct vm *vm, const char *path, uint64_t reserved_below, uint64_t *entry)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */
	if (fd < 0)
		return vm_fail(vm, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > vm->ram_size) {
		close(fd);
		return vm_fail(vm, "%s: not a regular file no larger than guest RAM", path);
	}
	uint8_t *img = malloc((size_t)st.st_size);
	ssize_t got = img ? read(fd, img, (size_t)st.st_size) : -1;
	close(fd);
	int rc = got == st.st_size ? elf_load_image(vm, img, (size_t)st.st_size, path, reserved_below, entry)
				   : vm_fail(vm, "%s: short read", path);
	free(img);
	return rc;
}

/* The guest's own statement of what it supports: an ELF note owned by
 * "hvcert" of type HVCERT_NOTE_FEATURES whose 4-byte descriptor is a
 * bitmask (GUEST_FEAT_*). Notes are read from PT_NOTE segments, every size
 * checked against the segment and the file. 0 (features set, maybe 0
 * without a note) or -1 with a message. */
static uint32_t note_features(const uint8_t *img, size_t size, const Elf64_Phdr *p)
{
	uint64_t off = p->p_offset, end = p->p_offset + p->p_filesz;
	uint32_t feat = 0;
	while (off + 12 <= end) {
		uint32_t nh[3];
		memcpy(nh, img + off, sizeof(nh));
		uint64_t name = off + 12, desc = name + ((nh[0] + 3ull) & ~3ull);
		uint64_t next = desc + ((nh[1] + 3ull) & ~3ull);
		if (next > end || next > size)
			break;
		if (nh[0] == 7 && !memcmp(img + name, "hvcert", 7) && nh[2] == HVCERT_NOTE_FEATURES && nh[1] == 4)
			memcpy(&feat, img + desc, 4);
		off = next;
	}
	return feat;
}

int elf_guest_features(const char *path, uint32_t *features, char *err, size_t errlen)
{
	struct stat st;
	*features = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    st.st_size > (256 << 20)) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file of ELF size");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	uint8_t *img = malloc((size_t)st.st_size);
	ssize_t got = img ? read(fd, img, (size_t)st.st_size) : -1;
	close(fd);
	Elf64_Ehdr h;
	int rc = -1;
	if (got == st.st_size)
		memcpy(&h, img, sizeof(h));
	if (got != st.st_size)
		snprintf(err, errlen, "%s: short read", path);
	else if (memcmp(h.e_ident, ELFMAG, SELFMAG) || h.e_ident[EI_CLASS] != ELFCLASS64 ||
		 h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum > ELF_MAX_PHDRS ||
		 !within(h.e_phoff, (uint64_t)h.e_phnum * sizeof(Elf64_Phdr), (uint64_t)got))
		snprintf(err, errlen, "%s: not an ELF64 image with a valid program header table", path);
	else {
		rc = 0;
		for (int i = 0; i < h.e_phnum; i++) {
			Elf64_Phdr p;
			memcpy(&p, img + h.e_phoff + (uint64_t)i * sizeof(p), sizeof(p));
			if (p.p_type == PT_NOTE && within(p.p_offset, p.p_filesz, (uint64_t)got))
				*features |= note_features(img, (size_t)got, &p);
		}
	}
	free(img);
	return rc;
}
