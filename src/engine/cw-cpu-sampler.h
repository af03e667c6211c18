/* cw-cpu-sampler.h: per-core CPU use from /proc/stat, off the main thread
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  gint64   time_us;        /* g_get_monotonic_time () when taken */
  guint    n_cpus;         /* entries in usage[] and workers[]: highest cpuN + 1 */
  double   total;          /* 0..1, the "cpu" line */
  double  *usage;          /* 0..1 per core; -1 for an offline core */
  guint   *workers;        /* per core: how many watched processes last ran there */
} CwCpuSample;

void         cw_cpu_sample_free     (CwCpuSample *sample);
CwCpuSample *cw_cpu_sample_copy     (const CwCpuSample *sample);

/* Parses two /proc/stat texts (an earlier and a later one) into usage since
 * the earlier. busy = user+nice+system+irq+softirq+steal, total = busy+idle+
 * iowait; cores are keyed by their number, not their line. Exposed for tests. */
CwCpuSample *cw_cpu_sample_from_stat (const char *before,
                                      const char *after);
/* Field 39 of a /proc/PID/stat text: the CPU the process last ran on, or -1. */
int          cw_cpu_parse_last_cpu   (const char *pid_stat);

#define CW_TYPE_CPU_SAMPLER (cw_cpu_sampler_get_type ())
G_DECLARE_FINAL_TYPE (CwCpuSampler, cw_cpu_sampler, CW, CPU_SAMPLER, GObject)

/* Samples every @interval_ms on a thread of its own and emits
 * ::sample (CwCpuSample *) on the main context it was created in. */
CwCpuSampler *cw_cpu_sampler_new          (guint         interval_ms);
void          cw_cpu_sampler_start        (CwCpuSampler *self);
void          cw_cpu_sampler_stop         (CwCpuSampler *self);
/* Which processes' cores to mark (the pool's workers). Copied. */
void          cw_cpu_sampler_set_pids     (CwCpuSampler *self,
                                           const gint32 *pids,
                                           guint         n_pids);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwCpuSample, cw_cpu_sample_free)

G_END_DECLS
