/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading a published stats file (hwqnic/stats.h) as another user's data:
 * a bounded private copy, taken with pread(2) from a regular file owned by
 * the owner of the process it names, then checked field by field from
 * the copy only. A file that fails any check is refused with the reason.
 */
#ifndef _HWQNIC_TOOLS_STATSFILE_H
#define _HWQNIC_TOOLS_STATSFILE_H

#include <stddef.h>
#include <sys/types.h>

#include <hwqnic/stats.h>

#define STATSFILE_FIELD(f)	(sizeof(((struct hwqnic_stats_file *)0)->f))
#define STATSFILE_COMM_LEN	(STATSFILE_FIELD(comm) + 1)
#define STATSFILE_DEV_LEN	(STATSFILE_FIELD(dev) + 1)
#define STATSFILE_WHY_LEN	128

/* The largest file a reader accepts: HWQNIC_STATS_MAX_QP slots. */
#define STATSFILE_MAX_SIZE	(sizeof(struct hwqnic_stats_file) + \
				 HWQNIC_STATS_MAX_QP * \
				 sizeof(struct hwqnic_stats_qp))

/* Why a file was refused; the first few mean it is not (yet) a device. */
enum statsfile_err {
	STATSFILE_OK,
	STATSFILE_NAME,		/* not named hwqnic.<pid>.<...> */
	STATSFILE_GONE,		/* the file or its process is gone */
	STATSFILE_ACCESS,	/* not ours to read (mode 0600) */
	STATSFILE_UNREADY,	/* empty, or its magic not yet written */
	STATSFILE_TYPE,		/* not a regular file, or linked twice */
	STATSFILE_OWNER,	/* not owned by the process's owner */
	STATSFILE_SIZE,		/* a size its header does not explain */
	STATSFILE_READ,		/* unreadable, or changed while read */
	STATSFILE_FORMAT,	/* magic, version, pid, max_qp or a slot */
	STATSFILE_NOMEM,
};

/* A validated copy: nothing in it points into the file. */
struct statsfile {
	__u32 pid;
	__u32 max_qp;
	/* the writer's bytes, and a NUL */
	char comm[STATSFILE_COMM_LEN];
	char dev[STATSFILE_DEV_LEN];
	struct hwqnic_engine_counters engine;
	unsigned int nqp;		/* the slots in use, by QPN */
	struct hwqnic_stats_qp *qp;
};

/* The pid in a name hwqnic.<pid>.<...>, or -1. */
int statsfile_name_pid(const char *name);

/* The owner of a process (the uid of /proc/<pid>): 0 or an errno value. */
int statsfile_pid_owner(int pid, uid_t *uid);

/*
 * Reads dfd/name, which must name a process owned by `owner`. Returns
 * STATSFILE_OK and fills *sf (statsfile_free() it), or the refusal, with
 * a sentence saying why in why[STATSFILE_WHY_LEN]. Never blocks, never
 * follows a symbolic link, never reads more than STATSFILE_MAX_SIZE.
 */
int statsfile_read(int dfd, const char *name, uid_t owner,
		   struct statsfile *sf, char *why);

/*
 * The checks on a file's content: len bytes copied from a file named
 * for `pid`. Same results as statsfile_read().
 */
int statsfile_parse(const void *buf, size_t len, __u32 pid,
		    struct statsfile *sf, char *why);

void statsfile_free(struct statsfile *sf);

#endif /* _HWQNIC_TOOLS_STATSFILE_H */
