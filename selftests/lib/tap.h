/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TAP output for hwqnic's C tests (selftests/lib/tap.c): one ok() per
 * check, diag() for comments, the plan printed last by tap_done(). A test
 * that cannot run says why with tap_skip_all() (nothing checked, the plan
 * "1..0 # SKIP why"); a single check that cannot run, with tap_skip().
 */
#ifndef _HWQNIC_SELFTESTS_LIB_TAP_H
#define _HWQNIC_SELFTESTS_LIB_TAP_H

#include <stdint.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Prints "ok N - ..." or "not ok N - ..."; returns cond. */
TAP_PRINTF(2, 3) int ok(int cond, const char *fmt, ...);
/*
 * A check that passes when why is NULL; when not, the line ends with
 * ": why". For helpers that return NULL or what went wrong.
 */
TAP_PRINTF(2, 3) int ok_why(const char *why, const char *fmt, ...);
/* A "# ..." line. */
TAP_PRINTF(1, 2) void diag(const char *fmt, ...);
/* "ok N - what # SKIP why": a check that cannot run here. */
TAP_PRINTF(2, 3) void tap_skip(const char *what, const char *why, ...);
/* "1..0 # SKIP why" and exit(0): nothing of the test can run here. */
TAP_PRINTF(1, 2) __attribute__((noreturn)) void tap_skip_all(const char *why,
							     ...);
/* Prints the plan; the exit status for main(): 1 when a check failed. */
int tap_done(void);

/*
 * Every following ok() and diag() line starts with "prefix: " (NULL: none);
 * the backends' passes name themselves so.
 */
void tap_prefix(const char *prefix);

/*
 * Moves the count of checks into memory that children forked from now on
 * share, so that the checks of a child and of its parent number as one
 * stream; 0 or an errno value.
 */
int tap_share(void);

/* xorshift64*: reproducible randomness; tests print their seed. */
uint64_t tap_rand(uint64_t *s);
/* The seed: HWQNIC_SEED when set, else the clock; it is printed. */
uint64_t tap_seed(void);

#endif /* _HWQNIC_SELFTESTS_LIB_TAP_H */
