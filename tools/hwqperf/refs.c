// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: the CPUs, and the references measured in the same run: the
 * cache-line round trip and the protocol floor (lat), memcpy (bw).
 */
#include "hwqperf.h"

/* Pins hwqperf to the first CPU it may use and the engine to the second. */
void setup_cpus(struct cpus *c)
{
	cpu_set_t set;
	char buf[16];
	int i;

	c->count = 1;
	c->app = c->peer = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	c->count = CPU_COUNT(&set);
	if (c->count < 2)
		return;
	for (i = 0; i < CPU_SETSIZE && c->peer < 0; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (c->app < 0)
			c->app = i;
		else
			c->peer = i;
	}
	CPU_ZERO(&set);
	CPU_SET(c->app, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("sched_setaffinity(CPU %d): %s", c->app, strerror(errno));
	snprintf(buf, sizeof(buf), "%d", c->peer);
	if (setenv("HWQNIC_ENGINE_CPU", buf, 0))
		fail("setenv: %s", strerror(errno));
}

static struct {
	_Alignas(64) _Atomic uint64_t v;
	char pad[64 - sizeof(uint64_t)];
} rtt_line;

static void *rtt_peer(void *arg)
{
	uint64_t rounds = *(const uint64_t *)arg, i;

	for (i = 0; i < rounds; i++) {
		while (atomic_load_explicit(&rtt_line.v,
					    memory_order_acquire) != 2 * i + 1)
			;
		atomic_store_explicit(&rtt_line.v, 2 * i + 2,
				      memory_order_release);
	}
	return NULL;
}

/* Ping-pongs the line for RTT_ITERS rounds; returns the time taken. */
static uint64_t rtt_batch(uint64_t *v)
{
	uint64_t t0 = rig_now_ns(), i;

	for (i = 0; i < RTT_ITERS; i++) {
		atomic_store_explicit(&rtt_line.v, ++*v, memory_order_release);
		++*v;
		while (atomic_load_explicit(&rtt_line.v,
					    memory_order_acquire) != *v)
			;
	}
	return rig_now_ns() - t0;
}

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A thread running fn(arg) on c->peer, the CPU the engine will run on. */
static pthread_t start_on_peer(const struct cpus *c, void *(*fn)(void *),
			       void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->peer, &set);
	msg_check(pthread_attr_init(&attr), "pthread_attr_init");
	msg_check(pthread_attr_setaffinity_np(&attr, sizeof(set), &set),
	      "pthread_attr_setaffinity_np");
	msg_check(pthread_create(&thread, &attr, fn, arg), "pthread_create");
	pthread_attr_destroy(&attr);
	return thread;
}

/* Median cache-line round trip between c->app and c->peer, ns; or -1. */
double measure_rtt(const struct cpus *c)
{
	static uint64_t rounds = (RTT_BATCHES + 1) * RTT_ITERS;
	uint64_t samples[RTT_BATCHES], v = 0;
	pthread_t thread;
	int b;

	if (c->peer < 0)
		return -1;
	atomic_store(&rtt_line.v, 0);
	thread = start_on_peer(c, rtt_peer, &rounds);
	rtt_batch(&v);				/* warm-up */
	for (b = 0; b < RTT_BATCHES; b++)
		samples[b] = rtt_batch(&v);
	msg_check(pthread_join(thread, NULL), "pthread_join");
	qsort(samples, RTT_BATCHES, sizeof(samples[0]), cmp_u64);
	return (double)samples[RTT_BATCHES / 2] / RTT_ITERS;
}

char *map_anon(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap(%" PRIu64 " bytes): %s", len, strerror(errno));
	return p;
}

/* memcpy of SIZE-byte chunks walking through two buffers; MiB/s or -1. */
double measure_memcpy(const struct opts *o)
{
	uint64_t len = MAX(MIN(MEMCPY_BUF, o->buf_size), o->size);
	uint64_t size = o->size;
	uint64_t span, every, off = 0, bytes = 0, t0, t, i;
	char *src, *dst;

	if (!size)
		return -1;
	span = len / size * size;
	every = MAX(1, MIB / size);
	src = map_anon(len);
	dst = map_anon(len);
	memset(src, 0x5a, len);
	memset(dst, 0xa5, len);
	t0 = rig_now_ns();
	do {
		for (i = 0; i < every; i++) {
			memcpy(dst + off, src + off, size);
			off += size;
			if (off >= span)
				off = 0;
		}
		__asm__ __volatile__("" : : : "memory");
		bytes += every * size;
		t = rig_now_ns() - t0;
	} while (t < MEMCPY_NS);
	munmap(src, len);
	munmap(dst, len);
	return (double)bytes / MIB / ((double)t / NSEC_PER_SEC);
}

/*
 * The protocol floor: a lat iteration in which nothing but the queue
 * protocol's data moves between the two CPUs. A thread on the engine's CPU
 * plays a NIC that checks and translates nothing, and hwqperf's thread
 * plays both hosts as lat_iter() does. Per message the host writes a
 * one-line WQE and rings; the NIC copies the WQE and the payload (and for
 * SEND a receive WQE) and writes the CQEs the real run gets; the host
 * waits as the real run does and, for SEND, reposts the receive.
 */
struct floor_cqe {
	_Atomic uint64_t seq;		/* message number, written last */
	uint64_t rsvd[3];
};

/* Each line has one writer, as in the core. */
struct floor_side {
	_Alignas(64) char *buf;		/* payload; set before the run */
	_Alignas(64) uint64_t wqe[FLOOR_RING][8];
	uint64_t rqe[FLOOR_RING][8];
	struct floor_cqe cq[4 * FLOOR_RING];
	uint64_t cq_prod;		/* the NIC's */
	_Alignas(64) uint64_t cq_cons;	/* the host's, */
	uint64_t seen;			/* and the last number it took */
};

static struct {
	_Alignas(64) _Atomic uint64_t db;	/* last message rung */
	enum rig_op op;
	uint64_t size;
	struct floor_side side[2];
} fl;

/* Message m's sender: the sides take turns, but only side 0 reads. */
static unsigned int floor_sender(uint64_t m)
{
	return fl.op == RIG_READ ? 0 : (m - 1) & 1;
}

static void floor_cqe(struct floor_side *s, uint64_t m)
{
	struct floor_cqe *e = &s->cq[s->cq_prod++ % (4 * FLOOR_RING)];

	e->rsvd[0] = m;
	atomic_store_explicit(&e->seq, m, memory_order_release);
}

static void *floor_nic(void *arg)
{
	uint64_t last = 0, m, w[8];
	struct floor_side *s, *t;
	const void *next;

	(void)arg;
	for (;;) {
		/* as the engine does, fetch the next WQE with each look */
		next = fl.side[floor_sender(last + 1)].wqe[(last + 1) % FLOOR_RING];
		do {
			__builtin_prefetch(next);
			m = atomic_load_explicit(&fl.db, memory_order_acquire);
		} while (m == last);
		if (m == UINT64_MAX)
			return NULL;
		last = m;
		s = &fl.side[floor_sender(m)];
		t = &fl.side[1 - floor_sender(m)];
		memcpy(w, s->wqe[m % FLOOR_RING], sizeof(w));
		switch (fl.op) {
		case RIG_SEND:
			memcpy(w, t->rqe[m % FLOOR_RING], 32);
			memcpy(t->buf, s->buf, fl.size);
			floor_cqe(t, m);
			break;
		case RIG_WRITE:
			memcpy(t->buf, s->buf, fl.size);
			break;
		case RIG_READ:
			memcpy(s->buf, t->buf, fl.size);
			break;
		}
		if (w[1])
			floor_cqe(s, m);
	}
}

/* The host: take side s's CQEs up to message m's. */
static void floor_wait(struct floor_side *s, uint64_t m)
{
	struct floor_cqe *e;
	uint64_t seq;

	while (s->seen < m) {
		e = &s->cq[s->cq_cons % (4 * FLOOR_RING)];
		seq = atomic_load_explicit(&e->seq, memory_order_acquire);
		if (seq > s->seen) {
			s->seen = seq;
			s->cq_cons++;
		}
	}
}

static void floor_post(uint64_t m, bool signal)
{
	uint64_t *w = fl.side[floor_sender(m)].wqe[m % FLOOR_RING];

	w[0] = m;
	w[1] = signal;
	atomic_store_explicit(&fl.db, m, memory_order_release);
}

static void floor_iter(const struct opts *o, uint64_t k, uint64_t *m)
{
	bool signal = (k + 1) % o->cq_mod == 0;
	unsigned int h;
	char tag, *last;

	for (h = 0; h < (o->op == RIG_READ ? 1 : 2); h++) {
		struct floor_side *s = &fl.side[floor_sender(++*m)];
		struct floor_side *t = &fl.side[1 - floor_sender(*m)];

		switch (o->op) {
		case RIG_SEND:
			floor_post(*m, signal);
			floor_wait(t, *m);
			t->rqe[*m % FLOOR_RING][0] = *m;
			break;
		case RIG_WRITE:
			tag = (char)*m | 1;
			s->buf[o->size - 1] = tag;
			last = &t->buf[o->size - 1];
			__atomic_store_n(last, 0, __ATOMIC_RELAXED);
			floor_post(*m, signal);
			while (__atomic_load_n(last, __ATOMIC_ACQUIRE) != tag)
				;
			if (signal)
				floor_wait(s, *m);
			break;
		case RIG_READ:
			floor_post(*m, true);
			floor_wait(s, *m);
			break;
		}
	}
}

/* Median one-way (READ: round-trip) floor between c->app and c->peer, ns. */
double measure_floor(const struct opts *o, const struct cpus *c)
{
	uint64_t iters = MIN(FLOOR_ITERS, FLOOR_BYTES / MAX(1, o->size));
	uint64_t len = MAX(o->size, 64), samples[FLOOR_BATCHES], m = 0, t0, k;
	pthread_t thread;
	int b;

	if (c->peer < 0)
		return -1;
	iters = MAX(1, iters);
	memset(&fl, 0, sizeof(fl));
	fl.op = o->op;
	fl.size = o->size;
	fl.side[0].buf = map_anon(len);
	fl.side[1].buf = map_anon(len);
	memset(fl.side[0].buf, 1, len);
	memset(fl.side[1].buf, 2, len);
	thread = start_on_peer(c, floor_nic, NULL);
	for (b = -1; b < FLOOR_BATCHES; b++) {	/* batch -1: warm-up */
		t0 = rig_now_ns();
		for (k = 0; k < iters; k++)
			floor_iter(o, k, &m);
		if (b >= 0)
			samples[b] = rig_now_ns() - t0;
	}
	atomic_store_explicit(&fl.db, UINT64_MAX, memory_order_release);
	msg_check(pthread_join(thread, NULL), "pthread_join");
	munmap(fl.side[0].buf, len);
	munmap(fl.side[1].buf, len);
	qsort(samples, FLOOR_BATCHES, sizeof(samples[0]), cmp_u64);
	return (double)samples[FLOOR_BATCHES / 2] / iters /
	       (o->op == RIG_READ ? 1 : 2);
}

/* The references of o's mode, in res; those not measured stay -1. */
void measure_refs(const struct opts *o, const struct cpus *c,
		  struct result *res)
{
	res->rtt_us = res->floor_us = res->memcpy_mib_per_s = -1;
	if (o->mode == MODE_LAT && c->peer >= 0) {
		res->rtt_us = measure_rtt(c) / 1000;
		res->floor_us = measure_floor(o, c) / 1000;
	} else if (o->mode == MODE_BW) {
		res->memcpy_mib_per_s = measure_memcpy(o);
	}
}
