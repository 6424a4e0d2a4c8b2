/* Exception entry: every vector pushes (error code or 0, vector), saves the
 * GPRs as struct trap_frame and calls kit_trap(frame); kit_trap may change
 * frame->rip to resume elsewhere. Also the SYSCALL entry and ring-3 switch. */
	.text
	.macro VEC n, has_error
	.globl isr\n
isr\n:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
	.endm

	/* Every vector has a gate: an interrupt the kit did not ask for (a late
	 * timer tick, a stray MSI) reaches kit_trap, never a missing IDT entry.
	 * Vectors 8, 10-14, 17, 21, 29 and 30 push an error code. */
	.altmacro
	.set n, 0
	.rept 256
	.if n == 8 || (n >= 10 && n <= 14) || n == 17 || n == 21 || n == 29 || n == 30
	VEC %n,1
	.else
	VEC %n,0
	.endif
	.set n, n + 1
	.endr
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call kit_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.data
	.globl isr_table
isr_table:
	.macro ISRADDR k
	.quad isr\k
	.endm
	.set n, 0
	.rept 256
	ISRADDR %n
	.set n, n + 1
	.endr
	.text
/* SYSCALL: RAX=0 is a bare round trip; RAX=1 leaves ring 3 for good. */
	.globl kit_syscall_entry
kit_syscall_entry:
	testq %rax, %rax
	jnz 1f
	sysretq
1:	movq user_saved_rsp(%rip), %rsp
	movq %rdi, %rax			/* user result */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* uint64_t kit_user_enter(fn, arg, user_stack_top): iretq to ring 3 at
 * user_trampoline with fn in %rsi and arg in %rdi. */
	.globl kit_user_enter
kit_user_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_saved_rsp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rax, %rsi
	pushq $0x23			/* user SS */
	pushq %rdx			/* user RSP */
	pushq $0x2			/* RFLAGS: IF off */
	pushq $0x2b			/* user CS (64-bit) */
	leaq user_trampoline(%rip), %rax
	pushq %rax
	iretq

user_trampoline:
	call *%rsi
	movq %rax, %rdi
	movl $1, %eax
	syscall
	ud2

	.bss
	.align 8
user_saved_rsp: .quad 0
