// SPDX-License-Identifier: GPL-2.0
/* ipetlib: a shared library that ld.so maps with PROT_EXEC (tests/vm). */
int ipetlib_answer(void)
{
	return 42;
}
