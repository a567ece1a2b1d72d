// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The process's open descriptors: see fds.h. */
#include <dirent.h>

#include "fds.h"

int u_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	/* ".", "..", and the one opendir() holds */
	return n - 3;
}
