/* Two ways in: QEMU's PVH boot enters pvh_start32 in 32-bit protected mode
 * with paging off and EBX = hvm_start_info; vmm-mini enters start64 in long
 * mode on its own identity page tables with RDI = hvm_start_info. Both end in
 * kit_main(start_info) on the kit's stack. */
	.section .note.Xen, "a"
	.align 4
	.long 4			/* namesz: "Xen\0" */
	.long 8			/* descsz: a 64-bit address (QEMU reads 8 bytes for ELF64) */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.quad pvh_start32

	/* What this image supports, for vmm-mini --accel auto: the "hvcert"
	 * note, type 1, a 4-byte bitmask (vmm-mini/vmm.h GUEST_FEAT_*). Bit 0:
	 * the kit boots as a PVM guest when it finds itself on kvm_pvm (pvm.c). */
	.section .note.hvcert, "a"
	.align 4
	.long 7			/* namesz: "hvcert\0" */
	.long 4			/* descsz */
	.long 1			/* HVCERT_NOTE_FEATURES */
	.asciz "hvcert"
	.align 4
	.long 1			/* GUEST_FEAT_PVM */

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	movl %ebx, %edi			/* keep start_info across the switch */
	/* Identity-map the first 4 GiB with 2 MiB pages: PML4 -> PDPT -> 4 PDs. */
	leal boot_pd, %eax
	xorl %ecx, %ecx
1:	movl %ecx, %edx
	shll $21, %edx
	orl $0x83, %edx			/* present, writable, 2 MiB */
	movl %edx, (%eax,%ecx,8)
	movl $0, 4(%eax,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b
	leal boot_pdpt, %eax
	xorl %ecx, %ecx
2:	movl %ecx, %edx
	shll $12, %edx
	addl $boot_pd, %edx
	orl $0x3, %edx
	movl %edx, (%eax,%ecx,8)
	movl $0, 4(%eax,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	leal boot_pdpt, %eax
	orl $0x3, %eax
	movl %eax, boot_pml4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $0xC0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	lgdt boot_gdt_desc
	ljmp $0x08, $start64_from32

	.code64
start64_from32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %edi, %edi			/* zero-extend start_info */
	/* fall through */
	.globl start64
start64:
	cli
	leaq kit_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call kit_main
3:	hlt
	jmp 3b

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_desc:
	.word boot_gdt_desc - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.align 4096
boot_pml4:	.space 4096
boot_pdpt:	.space 4096
boot_pd:	.space 4096 * 4
	.align 16
kit_stack:	.space 65536
	.globl kit_stack_top
kit_stack_top:
