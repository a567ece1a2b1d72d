// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: results: statistics, the table, the JSON object (hwqperf.h). */
#include "hwqperf.h"

/* The sample of rank ceil(n * permille / 1000) in sorted s[n]. */
static uint64_t rank(const uint64_t *s, uint64_t n, uint64_t permille)
{
	uint64_t i = (n * permille + 999) / 1000;

	return s[i ? i - 1 : 0];
}

void lat_stats(struct run *r, struct result *res)
{
	uint64_t n = r->o->iters * r->o->qps, i, *s = r->samples;
	double div = r->o->op == RIG_READ ? 1000.0 : 2000.0, sum = 0, d;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	res->t_avg = sum / n / div;
	sum = 0;
	for (i = 0; i < n; i++) {
		d = s[i] / div - res->t_avg;
		sum += d * d;
	}
	res->t_stdev = sqrt(sum / n);
	res->t_min = s[0] / div;
	res->t_max = s[n - 1] / div;
	res->t_typical = s[n / 2] / div;
	res->p99 = rank(s, n, 990) / div;
	res->p99_9 = rank(s, n, 999) / div;
}

void bw_stats(const struct run *r, struct result *res)
{
	double msgs = (double)r->o->iters * r->o->qps;
	double sec = (double)r->elapsed_ns / NSEC_PER_SEC;

	res->mib_s = msgs * r->o->size / MIB / sec;
	res->mops = msgs / 1e6 / sec;
}

void print_banner(const struct run *r, const struct cpus *c)
{
	const struct opts *o = r->o;
	const char *engine = getenv("HWQNIC_ENGINE_CPU");

	printf("%s\n", DASHES);
	printf(" hwqperf %s --op %s: RC loopback on %s\n",
	       mode_names[o->mode], rig_op_name(o->op),
	       hwqnic_device_name(r->rig.ctx));
	printf(" QP pairs       : %u\n", o->qps);
	printf(" Message size   : %" PRIu64 " bytes\n", o->size);
	printf(" Iterations     : %" PRIu64 " per QP\n", o->iters);
	printf(" CQ moderation  : %u\n", o->cq_mod);
	printf(" Inline data    : up to %u bytes\n", r->inline_size);
	printf(" Buffer         : %" PRIu64 " bytes per side", o->buf_size);
	if (o->size)
		printf(", %" PRIu64 " message slots", r->nslots);
	printf("\n");
	printf(" Verify         : %s\n", o->verify ? "on" : "off");
	if (c->app >= 0)
		printf(" CPUs           : hwqperf %d, engine %s\n", c->app,
		       engine ? engine : "any");
	else
		printf(" CPUs           : not pinned (one CPU)\n");
	printf("%s\n", DASHES);
	fflush(stdout);
}

void print_lat(const struct opts *o, const struct result *res,
	       const struct cpus *c)
{
	printf(" #bytes #iterations    t_min[usec]    t_max[usec]"
	       "  t_typical[usec]    t_avg[usec]    t_stdev[usec]"
	       "   99%% percentile[usec]   99.9%% percentile[usec]\n");
	printf(" %6" PRIu64 " %11" PRIu64 " %14.2f %14.2f %16.2f %14.2f"
	       " %16.2f %22.2f %24.2f\n", o->size, o->iters * o->qps,
	       res->t_min, res->t_max, res->t_typical, res->t_avg,
	       res->t_stdev, res->p99, res->p99_9);
	printf("%s\n", DASHES);
	if (res->rtt_us < 0) {
		printf(" cache-line round trip, protocol floor: not measured"
		       " (one CPU)\n");
		return;
	}
	printf(" cache-line round trip (CPU %d <-> CPU %d): %.3f usec;"
	       " t_typical / cacheline_rtt = %.2f\n", c->app, c->peer,
	       res->rtt_us, res->t_typical / res->rtt_us);
	printf(" protocol floor (queue data moves, no checks): %.3f usec;"
	       " t_typical / floor = %.2f\n", res->floor_us,
	       res->t_typical / res->floor_us);
}

void print_bw(const struct opts *o, const struct result *res)
{
	printf(" #bytes     #iterations    #qps    BW average[MiB/sec]"
	       "   MsgRate[Mops]\n");
	printf(" %-10" PRIu64 " %-14" PRIu64 " %-7u %-21.2f %.6f\n",
	       o->size, o->iters, o->qps, res->mib_s, res->mops);
	printf("%s\n", DASHES);
	if (res->memcpy_mib_s < 0) {
		printf(" memcpy: not measured (0-byte messages)\n");
		return;
	}
	printf(" memcpy (1 core, %" PRIu64 "-byte chunks): %.2f MiB/sec;"
	       " BW / memcpy = %.3f\n", o->size, res->memcpy_mib_s,
	       res->mib_s / res->memcpy_mib_s);
}

void print_json(const struct opts *o, const struct result *res)
{
	bool lat = o->mode == MODE_LAT;
	double ref = lat ? res->rtt_us : res->memcpy_mib_s;
	double ratio = ref > 0 ? (lat ? res->t_typical : res->mib_s) / ref
			       : -1;
	struct json j;

	json_init(&j, stdout);
	json_object(&j, NULL);
	json_str(&j, "mode", mode_names[o->mode], SIZE_MAX);
	json_str(&j, "op", rig_op_name(o->op), SIZE_MAX);
	json_uint(&j, "size", o->size);
	json_uint(&j, "iters", o->iters);
	json_uint(&j, "qps", o->qps);
	json_uint(&j, "cq_mod", o->cq_mod);
	json_uint(&j, "inline_size", res->inline_size);
	json_uint(&j, "buf_size", o->buf_size);
	json_bool(&j, "verify", o->verify);
	if (lat) {
		json_measured(&j, "t_min", res->t_min, 4);
		json_measured(&j, "t_max", res->t_max, 4);
		json_measured(&j, "t_typical", res->t_typical, 4);
		json_measured(&j, "t_avg", res->t_avg, 4);
		json_measured(&j, "t_stdev", res->t_stdev, 4);
		json_measured(&j, "p99", res->p99, 4);
		json_measured(&j, "p99_9", res->p99_9, 4);
		json_measured(&j, "cacheline_rtt_us", res->rtt_us, 4);
		json_measured(&j, "rtt_ratio", ratio, 4);
		json_measured(&j, "floor_us", res->floor_us, 4);
		json_measured(&j, "floor_ratio", res->floor_us > 0 ?
			      res->t_typical / res->floor_us : -1, 4);
	} else {
		json_measured(&j, "mib_s", res->mib_s, 4);
		json_measured(&j, "mops", res->mops, 4);
		json_measured(&j, "memcpy_mib_s", res->memcpy_mib_s, 4);
		json_measured(&j, "memcpy_ratio", ratio, 4);
	}
	json_close(&j);
	if (json_error(&j))
		msg_warn("JSON output: %s", strerror(json_error(&j)));
}

/* The table of o's mode, or the JSON object */
void report(const struct opts *o, const struct result *res,
	    const struct cpus *c)
{
	if (o->json)
		print_json(o, res);
	else if (o->mode == MODE_LAT)
		print_lat(o, res, c);
	else
		print_bw(o, res);
}
