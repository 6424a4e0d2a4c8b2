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

	VEC 0,0
	VEC 1,0
	VEC 2,0
	VEC 3,0
	VEC 4,0
	VEC 5,0
	VEC 6,0
	VEC 7,0
	VEC 8,1
	VEC 9,0
	VEC 10,1
	VEC 11,1
	VEC 12,1
	VEC 13,1
	VEC 14,1
	VEC 15,0
	VEC 16,0
	VEC 17,1
	VEC 18,0
	VEC 19,0
	VEC 20,0
	VEC 21,1
	VEC 32,0
	VEC 33,0
	VEC 34,0

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
	.quad isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7, isr8, isr9, isr10
	.quad isr11, isr12, isr13, isr14, isr15, isr16, isr17, isr18, isr19, isr20, isr21
	.quad isr32, isr33, isr34

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
