// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The embedded engine's sleep with a port bound (osdep_user.c): it ends
 * when the port's descriptor has frames, when the host wakes it, and when
 * its nap is over; a wake that comes before the sleep is not lost. The
 * sleeper's nap is far longer than the bound each join waits, so only the
 * event can end it in time.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>

#include "../lib/helpers.h"
#include "osdep.h"

static struct hwqnic_osdev od;
static u32 word;
static u64 nap_ns;

static void *sleeper(void *arg)
{
	(void)arg;
	hwqnic_os_engine_wait(&od, &word, 5, nap_ns);
	return NULL;
}

/* Starts a sleeper, does what, then joins it within the bound. */
static bool woken_by(void (*what)(int pfd), int pfd)
{
	struct timespec ts;
	pthread_t t;

	if (pthread_create(&t, NULL, sleeper, NULL))
		return false;
	/* give it time to sleep; it must end either way */
	u_sleep_us(20000);
	what(pfd);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += u_timeout_ns() / 1000000000ULL;
	if (pthread_timedjoin_np(t, NULL, &ts)) {
		/* it is stuck: end it with what the engine's close does */
		hwqnic_os_engine_wake(&od, &word);
		pthread_join(t, NULL);
		return false;
	}
	return true;
}

static void frame_arrives(int pfd)
{
	(void)!write(pfd, "f", 1);
}

static void host_wakes(int pfd)
{
	(void)pfd;
	hwqnic_os_engine_wake(&od, &word);
}

static void nothing(int pfd)
{
	(void)pfd;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

int main(void)
{
	int port[2];
	char c;
	u64 n;

	if (pipe(port))
		tap_skip_all("no pipe");
	od.port_fd = port[0];
	od.wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	od.port_wait = true;
	nap_ns = 4 * u_timeout_ns();
	word = 5;

	ok(woken_by(frame_arrives, port[1]),
	   "a frame on the port's descriptor ends the sleep");
	ok(read(port[0], &c, 1) == 1, "the frame is still there to take");
	ok(woken_by(host_wakes, -1) && word == 6,
	   "the host's wake ends it: the word moved, the eventfd written");
	ok(!readable(od.wake_efd), "the sleeper read the eventfd empty");
	word = 5;
	n = 1;
	(void)!write(od.wake_efd, &n, sizeof(n));
	ok(woken_by(nothing, -1),
	   "a wake written before the sleep began ends it at once");
	word = 6;
	ok(woken_by(nothing, -1), "a word already moved: no sleep at all");
	word = 5;
	nap_ns = 1000000;
	ok(woken_by(nothing, -1), "nothing happens: the nap ends it");

	close(port[0]);
	close(port[1]);
	close(od.wake_efd);
	return tap_done();
}
