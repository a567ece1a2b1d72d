// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: results: statistics, the tables as perftest prints them, CSV,
 * the JSON object (hwqperf.h).
 */
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
	res->messages = n;
	res->avg_us = sum / n / div;
	sum = 0;
	for (i = 0; i < n; i++) {
		d = s[i] / div - res->avg_us;
		sum += d * d;
	}
	res->stdev_us = sqrt(sum / n);
	res->min_us = s[0] / div;
	res->max_us = s[n - 1] / div;
	res->typical_us = s[n / 2] / div;
	res->p99_us = rank(s, n, 990) / div;
	res->p99_9_us = rank(s, n, 999) / div;
}

void bw_stats(const struct run *r, struct result *res)
{
	double msgs = (double)r->iters * r->o->qps;
	double sec = (double)r->elapsed_ns / NSEC_PER_SEC;

	res->messages = r->iters * r->o->qps;
	res->duration_s = sec;
	res->mib_per_s = msgs * r->o->size / MIB / sec;
	res->mpps = msgs / 1e6 / sec;
	/*
	 * The best whole slice, or the average when higher: the run is an
	 * interval too (and a run shorter than a slice has only it).
	 */
	res->peak_mib_per_s = MAX(r->peak_per_ns * 1e9 * r->o->size / MIB,
				  res->mib_per_s);
}

void print_banner(const struct run *r, const struct cpus *c)
{
	const struct opts *o = r->o;
	const char *engine = getenv("HWQNIC_ENGINE_CPU");

	printf("%s\n", DASHES);
	if (o->role == ROLE_CLIENT)
		printf(" hwqperf %s --op %s: RC from %s to %s (QP %u)\n",
		       mode_names[o->mode], rig_op_name(o->op),
		       hwqnic_device_name(r->rig.ctx), o->server,
		       r->peer.qpn);
	else
		printf(" hwqperf %s --op %s: RC loopback on %s\n",
		       mode_names[o->mode], rig_op_name(o->op),
		       hwqnic_device_name(r->rig.ctx));
	printf(" QP pairs       : %u\n", o->qps);
	if (o->all_sizes)
		printf(" Message size   : %d to %" PRIu64 " bytes (-a)\n",
		       ALL_MIN_SIZE, (uint64_t)(o->has_buf ?
		       MIN(o->buf_size, ALL_MAX_SIZE) : ALL_MAX_SIZE));
	else
		printf(" Message size   : %" PRIu64 " bytes\n", o->size);
	if (o->duration_ns)
		printf(" Duration       : %.3f s\n",
		       (double)o->duration_ns / NSEC_PER_SEC);
	else
		printf(" Iterations     : %" PRIu64 " per QP\n", o->iters);
	printf(" CQ moderation  : %u\n", o->cq_mod);
	printf(" Inline data    : up to %u bytes\n", r->inline_size);
	printf(" Buffer         : %" PRIu64 " bytes per side", o->buf_size);
	if (o->all_sizes) {
		if (!o->has_buf)
			printf(" (at least the message size)");
	} else if (o->size) {
		printf(", %" PRIu64 " message slots", r->nslots);
	}
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

/* perftest's heads (ib_*_lat, ib_write_bw): scripts parse by position */
#define LAT_HEAD " #bytes #iterations    t_min[usec]    t_max[usec]" \
	"  t_typical[usec]    t_avg[usec]    t_stdev[usec]" \
	"   99% percentile[usec]   99.9% percentile[usec]"
#define BW_HEAD	" #bytes     #iterations    BW peak[MB/sec]" \
	"    BW average[MB/sec]   MsgRate[Mpps]"
/* CSV: the JSON keys of a row, in the table's order */
#define LAT_CSV	"size,messages,min_us,max_us,typical_us,avg_us,stdev_us," \
	"p99_us,p99_9_us,cacheline_rtt_us,floor_us"
#define BW_CSV	"size,messages,peak_mib_per_s,mib_per_s,mpps," \
	"memcpy_mib_per_s"

void print_head(const struct opts *o)
{
	bool lat = o->mode == MODE_LAT;

	if (o->csv)
		printf("%s\n", lat ? LAT_CSV : BW_CSV);
	else
		printf("%s\n", lat ? LAT_HEAD : BW_HEAD);
	fflush(stdout);
}

/* A CSV field: v with its decimals, or empty when not measured */
static void csv_field(double v, int decimals)
{
	if (v >= 0 && isfinite(v))
		printf(",%.*f", decimals, v);
	else
		printf(",");
}

void print_row(const struct opts *o, const struct result *res)
{
	if (o->csv) {
		printf("%" PRIu64 ",%" PRIu64, res->size, res->messages);
		if (o->mode == MODE_LAT) {
			csv_field(res->min_us, 4);
			csv_field(res->max_us, 4);
			csv_field(res->typical_us, 4);
			csv_field(res->avg_us, 4);
			csv_field(res->stdev_us, 4);
			csv_field(res->p99_us, 4);
			csv_field(res->p99_9_us, 4);
			csv_field(res->rtt_us, 4);
			csv_field(res->floor_us, 4);
		} else {
			csv_field(res->peak_mib_per_s, 2);
			csv_field(res->mib_per_s, 2);
			csv_field(res->mpps, 6);
			csv_field(res->memcpy_mib_per_s, 2);
		}
		printf("\n");
	} else if (o->mode == MODE_LAT) {
		printf(" %6" PRIu64 " %11" PRIu64 " %14.2f %14.2f %16.2f"
		       " %14.2f %16.2f %22.2f %24.2f\n", res->size,
		       res->messages, res->min_us, res->max_us,
		       res->typical_us, res->avg_us, res->stdev_us,
		       res->p99_us, res->p99_9_us);
	} else {
		/* ib_write_bw's REPORT_FMT, tabs and all */
		printf(" %-7" PRIu64 "    %-10" PRIu64 "       %-7.2f"
		       "            %-7.2f\t\t   %-7.6f\n", res->size,
		       res->messages, res->peak_mib_per_s, res->mib_per_s,
		       res->mpps);
	}
	fflush(stdout);
}

/* The same-run references under the table, a line per size */
static void print_refs(const struct opts *o, const struct result *res,
		       const struct cpus *c)
{
	if (o->mode == MODE_BW && res->memcpy_mib_per_s < 0) {
		printf(" memcpy: not measured (0-byte messages)\n");
	} else if (o->mode == MODE_BW) {
		printf(" memcpy (1 core, %" PRIu64 "-byte chunks): %.2f "
		       "MiB/sec; BW / memcpy = %.3f\n", res->size,
		       res->memcpy_mib_per_s,
		       res->mib_per_s / res->memcpy_mib_per_s);
	} else if (res->rtt_us < 0) {
		printf(" cache-line round trip, protocol floor: not measured"
		       " (one CPU)\n");
	} else {
		printf(" cache-line round trip (CPU %d <-> CPU %d): %.3f usec;"
		       " t_typical / cacheline_rtt = %.2f\n", c->app, c->peer,
		       res->rtt_us, res->typical_us / res->rtt_us);
		printf(" protocol floor (queue data moves, no checks), %"
		       PRIu64 " bytes: %.3f usec; t_typical / floor = %.2f\n",
		       res->size, res->floor_us,
		       res->typical_us / res->floor_us);
	}
}

/* One row's figures, by docs/json.md's keys */
static void json_row(struct json *j, const struct opts *o,
		     const struct result *res)
{
	double ratio;

	json_uint(j, "size", res->size);
	json_uint(j, "buf_size", res->buf_size);
	json_uint(j, "messages", res->messages);
	if (o->mode == MODE_LAT) {
		json_measured(j, "min_us", res->min_us, 4);
		json_measured(j, "max_us", res->max_us, 4);
		json_measured(j, "typical_us", res->typical_us, 4);
		json_measured(j, "avg_us", res->avg_us, 4);
		json_measured(j, "stdev_us", res->stdev_us, 4);
		json_measured(j, "p99_us", res->p99_us, 4);
		json_measured(j, "p99_9_us", res->p99_9_us, 4);
		json_measured(j, "cacheline_rtt_us", res->rtt_us, 4);
		json_measured(j, "rtt_ratio", res->rtt_us > 0 ?
			      res->typical_us / res->rtt_us : -1, 4);
		json_measured(j, "floor_us", res->floor_us, 4);
		json_measured(j, "floor_ratio", res->floor_us > 0 ?
			      res->typical_us / res->floor_us : -1, 4);
		return;
	}
	ratio = res->memcpy_mib_per_s > 0 ?
		res->mib_per_s / res->memcpy_mib_per_s : -1;
	json_measured(j, "duration_s", res->duration_s, 6);
	json_measured(j, "peak_mib_per_s", res->peak_mib_per_s, 4);
	json_measured(j, "mib_per_s", res->mib_per_s, 4);
	json_measured(j, "mpps", res->mpps, 6);
	json_measured(j, "memcpy_mib_per_s", res->memcpy_mib_per_s, 4);
	json_measured(j, "memcpy_ratio", ratio, 4);
}

/*
 * One object: the run's metadata and parameters, then one size's figures
 * at the top, or with -a a "results" array of them.
 */
static void print_json(const struct opts *o, const struct result *res,
		       unsigned int n)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_head_bench(&j, msg_name(), res[0].backend);
	json_str(&j, "mode", mode_names[o->mode], SIZE_MAX);
	json_str(&j, "op", rig_op_name(o->op), SIZE_MAX);
	if (o->duration_ns)
		json_null(&j, "iters");
	else
		json_uint(&j, "iters", o->iters);
	json_uint(&j, "qps", o->qps);
	json_uint(&j, "cq_mod", o->cq_mod);
	json_uint(&j, "inline_size", res[0].inline_size);
	json_bool(&j, "verify", o->verify);
	if (!o->all_sizes) {
		json_row(&j, o, &res[0]);
	} else {
		json_array(&j, "results");
		for (i = 0; i < n; i++) {
			json_object(&j, NULL);
			json_row(&j, o, &res[i]);
			json_close(&j);
		}
		json_close(&j);
	}
	json_close(&j);
	if (json_error(&j))
		msg_warn("JSON output: %s", strerror(json_error(&j)));
}

/* After the rows: the table's end and the references, or the JSON */
void report(const struct opts *o, const struct result *res, unsigned int n,
	    const struct cpus *c)
{
	unsigned int i;

	if (o->json) {
		print_json(o, res, n);
		return;
	}
	if (o->csv)
		return;
	printf("%s\n", DASHES);
	for (i = 0; i < n; i++)
		print_refs(o, &res[i], c);
}
