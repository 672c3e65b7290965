// SPDX-License-Identifier: GPL-2.0
/*
 * uselib: a dynamically linked program for tests/vm. Without arguments it
 * calls into libipetlib.so (found by ld.so through LD_LIBRARY_PATH); with
 * "dlopen PATH" it loads PATH at run time and prints "OK" or dlerror().
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int ipetlib_answer(void);

int main(int argc, char **argv)
{
	void *h;

	if (argc > 2 && !strcmp(argv[1], "dlopen")) {
		h = dlopen(argv[2], RTLD_NOW);
		printf("%s\n", h ? "OK" : dlerror());
		return !h;
	}
	printf("answer=%d\n", ipetlib_answer());
	return 0;
}
