// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Published stats files, read as untrusted data (hwqnic/stats.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hwqnic/stats.h>

static int __attribute__((format(printf, 3, 4)))
refuse(char *why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, HWQNIC_STATS_WHY_LEN, fmt, ap);
	va_end(ap);
	return err;
}

int hwqnic_stats_name_pid(const char *name)
{
	static const char prefix[] = HWQNIC_STATS_PREFIX;
	long pid = 0;

	if (strncmp(name, prefix, sizeof(prefix) - 1))
		return -1;
	name += sizeof(prefix) - 1;
	if (*name < '1' || *name > '9')
		return -1;
	for (; *name >= '0' && *name <= '9'; name++) {
		pid = pid * 10 + (*name - '0');
		if (pid > INT_MAX)
			return -1;
	}
	return *name == '.' && name[1] ? (int)pid : -1;
}

int hwqnic_stats_pid_owner(int pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st))
		return errno;
	*uid = st.st_uid;
	return 0;
}

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:	return "a FIFO";
	case S_IFDIR:	return "a directory";
	case S_IFSOCK:	return "a socket";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFLNK:	return "a symbolic link";
	}
	return "of an unknown type";
}

static int check_open(int dfd, const char *name, int mode, int *fd,
		      char *why)
{
	/* no blocking open of a FIFO, no symlink to elsewhere, no tty */
	*fd = openat(dfd, name, mode | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
		     O_NOCTTY);
	if (*fd >= 0)
		return HWQNIC_STATS_OK;
	if (errno == ENOENT)
		return refuse(why, HWQNIC_STATS_EGONE, "gone");
	if (errno == EACCES || errno == EPERM)
		return refuse(why, HWQNIC_STATS_EACCESS, "not readable by us");
	if (errno == ELOOP)
		return refuse(why, HWQNIC_STATS_ETYPE, "a symbolic link");
	return refuse(why, HWQNIC_STATS_EREAD, "cannot open: %s",
		      strerror(errno));
}

static int check_stat(int fd, int pid, uid_t owner, size_t *size, char *why)
{
	struct stat st;

	if (fstat(fd, &st))
		return refuse(why, HWQNIC_STATS_EREAD, "cannot stat: %s",
			      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(why, HWQNIC_STATS_ETYPE, "not a regular file (%s)",
			      file_type(st.st_mode));
	if (st.st_uid != owner)
		return refuse(why, HWQNIC_STATS_EOWNER, "owned by uid %u, not by "
			      "process %d's owner (uid %u)",
			      (unsigned int)st.st_uid, pid,
			      (unsigned int)owner);
	if (st.st_nlink != 1)
		return refuse(why, HWQNIC_STATS_ETYPE, "%ju links, not 1",
			      (uintmax_t)st.st_nlink);
	if (!st.st_size)
		return refuse(why, HWQNIC_STATS_EUNREADY, "empty");
	if (st.st_size < 0 || (uintmax_t)st.st_size > HWQNIC_STATS_MAX_SIZE)
		return refuse(why, HWQNIC_STATS_ESIZE, "%jd bytes, above the "
			      "largest stats file (%zu)", (intmax_t)st.st_size,
			      HWQNIC_STATS_MAX_SIZE);
	*size = st.st_size;
	return HWQNIC_STATS_OK;
}

/* All of [0, size) or less if the file shrank; -1 on an error. */
static ssize_t read_all(int fd, void *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = pread(fd, (char *)buf + got, size - got, got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

/* The checks of hwqnic_stats_read() on the file open at fd. */
static int read_fd(int fd, int pid, uid_t owner, struct hwqnic_stats *sf,
		   char *why)
{
	size_t size = 0;
	ssize_t got;
	void *buf;
	int rc;

	memset(sf, 0, sizeof(*sf));
	rc = check_stat(fd, pid, owner, &size, why);
	if (rc)
		return rc;
	buf = malloc(size);
	if (!buf)
		return refuse(why, HWQNIC_STATS_ENOMEM, "out of memory");
	got = read_all(fd, buf, size);
	if (got < 0)
		rc = refuse(why, HWQNIC_STATS_EREAD, "cannot read: %s",
			    strerror(errno));
	else if ((size_t)got < size)
		rc = refuse(why, HWQNIC_STATS_EREAD, "shrank while read");
	else
		rc = hwqnic_stats_parse(buf, size, pid, sf, why);
	free(buf);
	return rc;
}

int hwqnic_stats_read(int dfd, const char *name, uid_t owner,
		      struct hwqnic_stats *sf, char *why)
{
	int pid = hwqnic_stats_name_pid(name), fd, rc;

	memset(sf, 0, sizeof(*sf));
	if (pid < 0)
		return refuse(why, HWQNIC_STATS_ENAME, "not a stats file's name");
	rc = check_open(dfd, name, O_RDONLY, &fd, why);
	if (rc)
		return rc;
	rc = read_fd(fd, pid, owner, sf, why);
	close(fd);
	return rc;
}

int hwqnic_stats_set_sample(int dfd, const char *name, uid_t owner,
			    __u32 period, char *why)
{
	int pid = hwqnic_stats_name_pid(name), fd, rc;
	__u32 word = period ? HWQNIC_SAMPLE_CTL(period) : 0;
	struct hwqnic_stats sf;
	ssize_t n;

	if (period > HWQNIC_SAMPLE_MAX)
		return refuse(why, HWQNIC_STATS_EFORMAT, "period %u, above %u",
			      period, HWQNIC_SAMPLE_MAX);
	if (pid < 0)
		return refuse(why, HWQNIC_STATS_ENAME, "not a stats file's name");
	rc = check_open(dfd, name, O_RDWR, &fd, why);
	if (rc)
		return rc;
	/* the file written is the one checked: same descriptor */
	rc = read_fd(fd, pid, owner, &sf, why);
	hwqnic_stats_free(&sf);
	if (!rc) {
		n = pwrite(fd, &word, sizeof(word),
			   offsetof(struct hwqnic_stats_file, sample_ctl));
		if (n != (ssize_t)sizeof(word))
			rc = refuse(why, HWQNIC_STATS_EREAD, "cannot write: %s",
				    n < 0 ? strerror(errno) : "short write");
	}
	close(fd);
	return rc;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

int hwqnic_stats_parse(const void *buf, size_t len, __u32 pid,
		       struct hwqnic_stats *sf, char *why)
{
	const size_t qsize = sizeof(struct hwqnic_stats_qp);
	const unsigned char *slots;
	struct hwqnic_stats_file h;
	unsigned int i, n = 0;
	__u32 qpn;

	memset(sf, 0, sizeof(*sf));
	if (len < sizeof(h))
		return refuse(why, HWQNIC_STATS_ESIZE, "%zu bytes, less than a "
			      "header", len);
	memcpy(&h, buf, sizeof(h));
	if (!h.magic)
		return refuse(why, HWQNIC_STATS_EUNREADY, "no magic yet");
	if (h.magic != HWQNIC_STATS_MAGIC)
		return refuse(why, HWQNIC_STATS_EFORMAT, "magic 0x%08x, not 0x%08x",
			      h.magic, HWQNIC_STATS_MAGIC);
	if (h.version != HWQNIC_STATS_VERSION)
		return refuse(why, HWQNIC_STATS_EFORMAT, "version %u, not %u",
			      h.version, HWQNIC_STATS_VERSION);
	if (h.pid != pid)
		return refuse(why, HWQNIC_STATS_EFORMAT, "says pid %u, named for "
			      "%u", h.pid, pid);
	if (h.flags & ~HWQNIC_STATS_FLAGS)
		return refuse(why, HWQNIC_STATS_EFORMAT, "flags 0x%x, unknown "
			      "0x%x", h.flags, h.flags & ~HWQNIC_STATS_FLAGS);
	if (!all_zero(h.rsvd1, sizeof(h.rsvd1)))
		return refuse(why, HWQNIC_STATS_EFORMAT, "reserved words not "
			      "zero");
	/* a device on no netdev counts no packet: anything else is made up */
	if (!(h.flags & HWQNIC_STATS_F_NETDEV) &&
	    (!all_zero(h.netdev, sizeof(h.netdev)) ||
	     !all_zero(&h.wire, sizeof(h.wire))))
		return refuse(why, HWQNIC_STATS_EFORMAT, "wire counters on a "
			      "device bound to no netdev");
	if ((h.flags & HWQNIC_STATS_F_NETDEV) && !h.netdev[0])
		return refuse(why, HWQNIC_STATS_EFORMAT, "bound to a netdev "
			      "with no name");
	if (h.max_qp > HWQNIC_STATS_MAX_QP)
		return refuse(why, HWQNIC_STATS_EFORMAT, "max_qp %u, above %u",
			      h.max_qp, HWQNIC_STATS_MAX_QP);
	if (len != sizeof(h) + h.max_qp * qsize)
		return refuse(why, HWQNIC_STATS_ESIZE, "%zu bytes, not the %zu of "
			      "%u QP slots", len, sizeof(h) + h.max_qp * qsize,
			      h.max_qp);

	slots = (const unsigned char *)buf + sizeof(h);
	for (i = 0; i < h.max_qp; i++) {
		memcpy(&qpn, slots + i * qsize +
		       offsetof(struct hwqnic_stats_qp, qpn), sizeof(qpn));
		if (qpn && qpn != HWQNIC_QPN_BASE + i)
			return refuse(why, HWQNIC_STATS_EFORMAT, "slot %u holds "
				      "QPN %u", i, qpn);
		if (qpn && !(h.flags & HWQNIC_STATS_F_NETDEV) &&
		    !all_zero(slots + i * qsize +
			      offsetof(struct hwqnic_stats_qp, w),
			      sizeof(struct hwqnic_qp_wire_counters)))
			return refuse(why, HWQNIC_STATS_EFORMAT, "slot %u: wire "
				      "counters on a device bound to no netdev",
				      i);
		n += !!qpn;
	}
	sf->qp = malloc(n ? n * qsize : 1);
	if (!sf->qp)
		return refuse(why, HWQNIC_STATS_ENOMEM, "out of memory");
	for (i = 0; i < h.max_qp && sf->nqp < n; i++) {
		memcpy(&qpn, slots + i * qsize +
		       offsetof(struct hwqnic_stats_qp, qpn), sizeof(qpn));
		if (qpn)
			memcpy(&sf->qp[sf->nqp++], slots + i * qsize, qsize);
	}
	sf->pid = h.pid;
	sf->max_qp = h.max_qp;
	memcpy(sf->comm, h.comm, sizeof(h.comm));
	memcpy(sf->dev, h.dev, sizeof(h.dev));
	sf->engine = h.engine;
	sf->flags = h.flags;
	sf->sample_ctl = h.sample_ctl;
	memcpy(sf->netdev, h.netdev, sizeof(h.netdev));
	sf->wire = h.wire;
	return HWQNIC_STATS_OK;
}

void hwqnic_stats_free(struct hwqnic_stats *sf)
{
	free(sf->qp);
	sf->qp = NULL;
	sf->nqp = 0;
}
