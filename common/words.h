/* Blank-separated word lists ("fpu vme de ...", "kvm kvm_intel"): the form
 * /proc/cpuinfo flags, module lists and HCL driver lists share. */
#ifndef HVCERT_WORDS_H
#define HVCERT_WORDS_H

/* Whether list (NULL allowed) contains w as a whole word: spaces or tabs
 * separate words, so "vmx" is not in "vmxx" nor in "ept_vmx". */
int word_in_list(const char *list, const char *w);
#endif
