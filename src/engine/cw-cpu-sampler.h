/* cw-cpu-sampler.h: per-core CPU use from /proc/stat, and which worker ran
 * where, off the main thread
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A watched process (a pool's worker) in one sampling interval. */
typedef struct
{
  gint32  pid;
  guint   slot;     /* the pool's slot: the worker's number on screen is slot + 1 */
  int     core;     /* the core it ran on most in the interval; -1 when it did not run */
  double  use;      /* its CPU time in the interval, in cores (1.0: one core throughout) */
} CwCpuProc;

typedef struct
{
  gint64     time_us;      /* g_get_monotonic_time () when taken */
  gint64     interval_us;  /* since the sample before; 0 when unknown */
  guint      n_cpus;       /* entries in usage[], workers[] and worker[]: highest cpuN + 1 */
  double     total;        /* 0..1, the "cpu" line */
  double    *usage;        /* 0..1 per core; -1 for an offline core */
  guint     *workers;      /* per core: how many watched processes ran there in the interval */
  guint     *worker;       /* per core: slot + 1 of the watched process that ran there most, 0 none */
  guint      n_procs;
  CwCpuProc *procs;        /* the watched processes, n_procs of them (NULL when none) */
} CwCpuSample;

/* A watched process's share of a core counts once it ran there this long:
 * a tenth of the interval. */
#define CW_CPU_MARK_MIN 0.1

CwCpuSample *cw_cpu_sample_new      (guint              n_cpus);
void         cw_cpu_sample_free     (CwCpuSample       *sample);
CwCpuSample *cw_cpu_sample_copy     (const CwCpuSample *sample);

/* Parses two /proc/stat texts (an earlier and a later one) into usage since
 * the earlier. busy = user+nice+system+irq+softirq+steal, total = busy+idle+
 * iowait; cores are keyed by their number, not their line. Exposed for tests. */
CwCpuSample *cw_cpu_sample_from_stat (const char *before,
                                      const char *after);
/* Field 39 of a /proc/PID/stat text: the CPU the process last ran on, or -1. */
int          cw_cpu_parse_last_cpu   (const char *pid_stat);
/* Fields 39 and 14 + 15 (user + system time, in clock ticks) of a
 * /proc/PID/stat text; FALSE when it is not one. */
gboolean     cw_cpu_parse_pid_stat   (const char *pid_stat,
                                      int        *last_cpu,
                                      guint64    *ticks);
/* The first field of /proc/PID/schedstat: nanoseconds on a CPU; -1 if none. */
gint64       cw_cpu_parse_schedstat  (const char *schedstat);

/* Where one watched process spent its CPU time in an interval, as the
 * sampler saw it between its probes. */
#define CW_CPU_ACCOUNT_CORES 8
typedef struct
{
  gint32  pid;
  guint   slot;
  guint   n_cores;
  guint   cores[CW_CPU_ACCOUNT_CORES];
  gint64  ns[CW_CPU_ACCOUNT_CORES];
} CwCpuAccount;

/* Adds @ns of CPU time on @core (the last of several cores when it has
 * seen more than CW_CPU_ACCOUNT_CORES). */
void         cw_cpu_account_add      (CwCpuAccount       *account,
                                      guint               core,
                                      gint64              ns);
/* Fills @sample's workers, worker and procs from the processes' own CPU
 * time (@interval_ns long): each process's time goes to the cores it was
 * seen on; a core cannot hold more than the interval, so time beyond it
 * goes to the core with the most busy time nobody accounts for (two busy
 * workers last seen on one core, the other core busy too, ran on both).
 * Exposed for tests. */
void         cw_cpu_sample_attribute (CwCpuSample        *sample,
                                      const CwCpuAccount *accounts,
                                      guint               n_accounts,
                                      gint64              interval_ns);

/* Reads one file of the sampler's source: @name is "stat",
 * "PID/stat" or "PID/schedstat", as under /proc. Returns the text, or
 * NULL when there is none. Called on the sampler's thread. */
typedef char *(*CwCpuReadFunc) (const char *name,
                                gpointer    user_data);

/* A worker to watch: its pid and its pool slot. */
typedef struct
{
  gint32 pid;
  guint  slot;
} CwCpuWorker;

#define CW_TYPE_CPU_SAMPLER (cw_cpu_sampler_get_type ())
G_DECLARE_FINAL_TYPE (CwCpuSampler, cw_cpu_sampler, CW, CPU_SAMPLER, GObject)

/* Samples every @interval_ms on a thread of its own and emits
 * ::sample (CwCpuSample *) on the main context it was created in. */
CwCpuSampler *cw_cpu_sampler_new          (guint              interval_ms);
void          cw_cpu_sampler_start        (CwCpuSampler      *self);
void          cw_cpu_sampler_stop         (CwCpuSampler      *self);
gboolean      cw_cpu_sampler_is_running   (CwCpuSampler      *self);
/* Takes effect at once, also while running (a batch samples faster). */
void          cw_cpu_sampler_set_interval (CwCpuSampler      *self,
                                           guint              interval_ms);
guint         cw_cpu_sampler_get_interval (CwCpuSampler      *self);
/* Samples are handed to the main context at most this often (several at
 * once when the interval is shorter), so a fast sampler does not wake the
 * main loop for each. 0: each as it comes (the default). */
void          cw_cpu_sampler_set_delivery (CwCpuSampler      *self,
                                           guint              min_ms);
/* Which processes to attribute to the cores (the pool's workers). Copied. */
void          cw_cpu_sampler_set_workers  (CwCpuSampler      *self,
                                           const CwCpuWorker *workers,
                                           guint              n_workers);
/* The same with slot i for pids[i]. */
void          cw_cpu_sampler_set_pids     (CwCpuSampler      *self,
                                           const gint32      *pids,
                                           guint              n_pids);
/* The source: a folder laid out like /proc (its "stat", "PID/stat",
 * "PID/schedstat"; NULL: /proc), or a reader of one's files (a test
 * double). Applies from the next start. */
void          cw_cpu_sampler_set_root     (CwCpuSampler      *self,
                                           const char        *root);
void          cw_cpu_sampler_set_reader   (CwCpuSampler      *self,
                                           CwCpuReadFunc      func,
                                           gpointer           user_data,
                                           GDestroyNotify     destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwCpuSample, cw_cpu_sample_free)

G_END_DECLS
