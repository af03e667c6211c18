/* test-cpu-sampler.c: /proc/stat parsing and the live sampler
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include <gio/gio.h>

#include "cw-cpu-sampler.h"
#include "cw-test-util.h"

/* No run comes near it; it only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 20

/* ---------------------------------------------------------------------- */
/* parsing */

static void
test_parse_two_cores (void)
{
  const char *before =
    "cpu  100 0 100 800 0 0 0 0 0 0\n"
    "cpu0 50 0 50 400 0 0 0 0 0 0\n"
    "cpu1 50 0 50 400 0 0 0 0 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 999\n";
  const char *after =
    "cpu  200 10 130 1060 0 0 0 0 0 0\n"
    "cpu0 130 10 60 400 0 0 0 0 0 0\n"    /* +100 busy, +0 idle: 100 % */
    "cpu1 70 0 70 660 0 0 0 0 0 0\n"      /* +40 busy, +260 idle */
    "intr 12400 0 0\n";
  g_autoptr(CwCpuSample) sample = cw_cpu_sample_from_stat (before, after);
  g_autoptr(CwCpuSample) copy = NULL;

  g_assert_nonnull (sample);
  g_assert_cmpuint (sample->n_cpus, ==, 2);
  g_assert_cmpfloat_with_epsilon (sample->usage[0], 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->usage[1], 40.0 / 300.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->total, 140.0 / 400.0, 1e-9);
  g_assert_cmpuint (sample->workers[0], ==, 0);
  g_assert_cmpuint (sample->workers[1], ==, 0);
  g_assert_cmpint (sample->time_us, >, 0);

  copy = cw_cpu_sample_copy (sample);
  g_assert_cmpuint (copy->n_cpus, ==, 2);
  g_assert_true (copy->usage != sample->usage);
  g_assert_cmpfloat (copy->usage[1], ==, sample->usage[1]);
  g_assert_cmpfloat (copy->total, ==, sample->total);
}

static void
test_parse_offline_core (void)
{
  /* cpu1 is offline: no line at all. Cores are keyed by number. */
  const char *before =
    "cpu  10 0 10 80 0 0 0 0 0 0\n"
    "cpu0 5 0 5 40 0 0 0 0 0 0\n"
    "cpu2 5 0 5 40 0 0 0 0 0 0\n";
  const char *after =
    "cpu  30 0 10 140 0 0 0 0 0 0\n"
    "cpu0 5 0 5 100 0 0 0 0 0 0\n"
    "cpu2 25 0 5 40 0 0 0 0 0 0\n";
  g_autoptr(CwCpuSample) sample = cw_cpu_sample_from_stat (before, after);

  g_assert_cmpuint (sample->n_cpus, ==, 3);
  g_assert_cmpfloat_with_epsilon (sample->usage[0], 0.0, 1e-9);
  g_assert_cmpfloat (sample->usage[1], ==, -1.0);
  g_assert_cmpfloat_with_epsilon (sample->usage[2], 1.0, 1e-9);
}

static void
test_parse_steal (void)
{
  /* Only steal grows (a starved VM): all of it is busy. iowait is not. */
  const char *before =
    "cpu  0 0 0 0 0 0 0 0 0 0\n"
    "cpu0 0 0 0 0 0 0 0 0 0 0\n"
    "cpu1 0 0 0 0 0 0 0 0 0 0\n";
  const char *after =
    "cpu  0 0 0 0 50 0 0 50 0 0\n"
    "cpu0 0 0 0 0 0 0 0 50 0 0\n"
    "cpu1 0 0 0 0 50 0 0 0 0 0\n";
  g_autoptr(CwCpuSample) sample = cw_cpu_sample_from_stat (before, after);

  g_assert_cmpuint (sample->n_cpus, ==, 2);
  g_assert_cmpfloat_with_epsilon (sample->usage[0], 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->usage[1], 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->total, 0.5, 1e-9);
}

static void
test_parse_guest_not_counted_twice (void)
{
  /* guest is already inside user: 50 user (of which 50 guest) + 50 idle. */
  const char *before = "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n";
  const char *after = "cpu  50 0 0 50 0 0 0 0 50 0\ncpu0 50 0 0 50 0 0 0 0 50 0\n";
  g_autoptr(CwCpuSample) sample = cw_cpu_sample_from_stat (before, after);

  g_assert_cmpfloat_with_epsilon (sample->usage[0], 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->total, 0.5, 1e-9);
}

static void
test_parse_counter_reset (void)
{
  /* cpu0: every counter reset (hotplug); cpu1: only idle went back while
   * user grew a lot; cpu2: iowait went backwards (the kernel allows it). */
  const char *before =
    "cpu  18446744073709551600 0 100 900 10 0 0 0 0 0\n"
    "cpu0 1000 1000 1000 1000 1000 1000 1000 1000 0 0\n"
    "cpu1 100 0 0 5000 0 0 0 0 0 0\n"
    "cpu2 100 0 0 100 500 0 0 0 0 0\n";
  const char *after =
    "cpu  5 0 50 100 0 0 0 0 0 0\n"
    "cpu0 1 0 0 2 0 0 0 0 0 0\n"
    "cpu1 400 0 0 10 0 0 0 0 0 0\n"
    "cpu2 150 0 0 150 400 0 0 0 0 0\n";
  g_autoptr(CwCpuSample) sample = cw_cpu_sample_from_stat (before, after);

  g_assert_cmpuint (sample->n_cpus, ==, 3);
  for (guint i = 0; i < sample->n_cpus; i++)
    {
      g_assert_cmpfloat (sample->usage[i], >=, 0.0);
      g_assert_cmpfloat (sample->usage[i], <=, 1.0);
    }
  g_assert_cmpfloat (sample->total, >=, 0.0);
  g_assert_cmpfloat (sample->total, <=, 1.0);
  g_assert_cmpfloat_with_epsilon (sample->usage[1], 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->usage[2], 0.5, 1e-9);
}

static void
test_parse_garbage (void)
{
  g_autoptr(CwCpuSample) empty = cw_cpu_sample_from_stat ("", "");
  g_autoptr(CwCpuSample) junk = NULL;
  g_autoptr(CwCpuSample) huge = NULL;

  g_assert_cmpuint (empty->n_cpus, ==, 0);
  g_assert_cmpfloat (empty->total, ==, 0.0);

  junk = cw_cpu_sample_from_stat ("cpu\ncpux 1 2\ncpu0\n", "cpu0 x y\ncpu1");
  g_assert_cmpuint (junk->n_cpus, ==, 1);  /* a bare "cpu1" is no core line */
  g_assert_cmpfloat (junk->usage[0], ==, 0.0);

  /* A preposterous core number does not allocate gigabytes. */
  huge = cw_cpu_sample_from_stat ("cpu99999999999 1 1 1 1\n", "cpu99999999999 2 2 2 2\n");
  g_assert_cmpuint (huge->n_cpus, ==, 0);
}

static void
test_parse_last_cpu (void)
{
  /* The real layout with a comm holding spaces and ")" and "(": field 39 is 7. */
  const char *tricky =
    "4242 (my ) (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 "
    "1 0 123456 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 7 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  const char *plain =
    "1 (init) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 10 100 10 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 123 0 0 0 0 0\n";
  g_autofree char *self_stat = NULL;

  g_assert_cmpint (cw_cpu_parse_last_cpu (tricky), ==, 7);
  g_assert_cmpint (cw_cpu_parse_last_cpu (plain), ==, 123);
  g_assert_cmpint (cw_cpu_parse_last_cpu ("12 (short) R 1 2 3\n"), ==, -1);
  g_assert_cmpint (cw_cpu_parse_last_cpu ("no parenthesis 1 2 3"), ==, -1);
  g_assert_cmpint (cw_cpu_parse_last_cpu (""), ==, -1);

  /* And the kernel's own text for this process. */
  g_assert_true (g_file_get_contents ("/proc/self/stat", &self_stat, NULL, NULL));
  g_assert_cmpint (cw_cpu_parse_last_cpu (self_stat), >=, 0);
}


static void
test_parse_pid_stat (void)
{
  const char *line =
    "4242 (my ) (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 "
    "1 0 123456 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 7 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0\n";
  guint64 ticks = 0;
  int cpu = -1;

  g_assert_true (cw_cpu_parse_pid_stat (line, &cpu, &ticks));
  g_assert_cmpint (cpu, ==, 7);
  g_assert_cmpuint (ticks, ==, 8);   /* utime 5 + stime 3 */
  g_assert_false (cw_cpu_parse_pid_stat ("12 (x) R 1 2", &cpu, &ticks));

  g_assert_cmpint (cw_cpu_parse_schedstat ("123456789 1000 42\n"), ==, 123456789);
  g_assert_cmpint (cw_cpu_parse_schedstat ("x 1 2\n"), ==, -1);
  g_assert_cmpint (cw_cpu_parse_schedstat (""), ==, -1);
  g_assert_cmpint (cw_cpu_parse_schedstat ("99999999999999999999999 1 1\n"), ==, -1);
}

/* ---------------------------------------------------------------------- */
/* which worker ran where */

#define MS 1000000  /* ns */

static CwCpuSample *
busy_cores (guint         n,
            const double *usage)
{
  CwCpuSample *sample = cw_cpu_sample_new (n);

  for (guint i = 0; i < n; i++)
    sample->usage[i] = usage[i];
  return sample;
}

static guint
n_marked (const CwCpuSample *sample)
{
  guint n = 0;

  for (guint i = 0; i < sample->n_cpus; i++)
    n += sample->workers[i] > 0;
  return n;
}

static void
test_attribute_apart (void)
{
  const double usage[] = { 1.0, 1.0, 0.0 };
  g_autoptr(CwCpuSample) sample = busy_cores (3, usage);
  CwCpuAccount a[2] = { { .pid = 10, .slot = 0 }, { .pid = 11, .slot = 1 } };

  cw_cpu_account_add (&a[0], 0, 95 * MS);
  cw_cpu_account_add (&a[1], 1, 97 * MS);
  cw_cpu_sample_attribute (sample, a, 2, 100 * MS);

  g_assert_cmpuint (sample->workers[0], ==, 1);
  g_assert_cmpuint (sample->workers[1], ==, 1);
  g_assert_cmpuint (sample->workers[2], ==, 0);
  g_assert_cmpuint (sample->worker[0], ==, 1);
  g_assert_cmpuint (sample->worker[1], ==, 2);
  g_assert_cmpuint (sample->n_procs, ==, 2);
  g_assert_cmpint (sample->procs[0].pid, ==, 10);
  g_assert_cmpint (sample->procs[0].core, ==, 0);
  g_assert_cmpfloat_with_epsilon (sample->procs[0].use, 0.95, 1e-9);
  g_assert_cmpint (sample->procs[1].core, ==, 1);
}

/* The case: two busy workers both last seen on core 0, both cores
 * busy. One core cannot hold 1.9 cores of work: they ran on both. */
static void
test_attribute_same_last_core (void)
{
  const double usage[] = { 1.0, 1.0 };
  g_autoptr(CwCpuSample) sample = busy_cores (2, usage);
  CwCpuAccount a[2] = { { .pid = 10, .slot = 0 }, { .pid = 11, .slot = 1 } };

  cw_cpu_account_add (&a[0], 0, 95 * MS);
  cw_cpu_account_add (&a[1], 0, 96 * MS);
  cw_cpu_sample_attribute (sample, a, 2, 100 * MS);

  g_assert_cmpuint (n_marked (sample), ==, 2);
  g_assert_cmpuint (sample->worker[0], !=, 0);
  g_assert_cmpuint (sample->worker[1], !=, 0);
  g_assert_cmpuint (sample->worker[0], !=, sample->worker[1]);
  /* a process's use stays its own, wherever it went */
  g_assert_cmpfloat_with_epsilon (sample->procs[0].use, 0.95, 1e-9);
  g_assert_cmpfloat_with_epsilon (sample->procs[1].use, 0.96, 1e-9);

  /* the same with the other core idle: nowhere else to go, one core */
  {
    const double one[] = { 1.0, 0.0 };
    g_autoptr(CwCpuSample) other = busy_cores (2, one);

    cw_cpu_sample_attribute (other, a, 2, 100 * MS);
    g_assert_cmpuint (other->workers[0], ==, 2);
    g_assert_cmpuint (other->workers[1], ==, 0);
  }
}

/* Eight workers on two cores: four on each, counted as such. */
static void
test_attribute_shared_cores (void)
{
  const double usage[] = { 1.0, 1.0 };
  g_autoptr(CwCpuSample) sample = busy_cores (2, usage);
  CwCpuAccount a[8] = { { 0 } };

  for (guint i = 0; i < 8; i++)
    {
      a[i].pid = 100 + i;
      a[i].slot = i;
      cw_cpu_account_add (&a[i], i % 2, 24 * MS);
    }
  cw_cpu_sample_attribute (sample, a, 8, 100 * MS);
  g_assert_cmpuint (sample->workers[0], ==, 4);
  g_assert_cmpuint (sample->workers[1], ==, 4);

  /* all eight last seen on core 0: half of them must have been on 1 */
  {
    g_autoptr(CwCpuSample) piled = busy_cores (2, usage);

    for (guint i = 0; i < 8; i++)
      {
        a[i].n_cores = 0;
        cw_cpu_account_add (&a[i], 0, 24 * MS);
      }
    cw_cpu_sample_attribute (piled, a, 8, 100 * MS);
    g_assert_cmpuint (piled->workers[0], >=, 3);
    g_assert_cmpuint (piled->workers[1], >=, 3);
  }
}

static void
test_attribute_idle_and_odd (void)
{
  const double usage[] = { 0.5, 0.0 };
  g_autoptr(CwCpuSample) sample = busy_cores (2, usage);
  CwCpuAccount a[3] = { { .pid = 1, .slot = 0 }, { .pid = 2, .slot = 1 }, { .pid = 3, .slot = 2 } };

  /* a worker that hardly ran, one on a core the sample does not have, and
   * one spread thin over many cores */
  cw_cpu_account_add (&a[0], 0, 5 * MS);
  cw_cpu_account_add (&a[1], 9, 80 * MS);
  cw_cpu_account_add (&a[2], 0, 5 * MS);
  cw_cpu_account_add (&a[2], 1, 7 * MS);
  cw_cpu_sample_attribute (sample, a, 3, 100 * MS);
  g_assert_cmpuint (sample->workers[1], ==, 1);   /* the thin one, on its main core */
  g_assert_cmpuint (sample->worker[1], ==, 3);
  g_assert_cmpuint (sample->workers[0], ==, 0);
  g_assert_cmpint (sample->procs[1].core, ==, -1);

  /* more cores than an account holds: the last place takes the rest */
  a[0].n_cores = 0;
  for (guint c = 0; c < CW_CPU_ACCOUNT_CORES + 3; c++)
    cw_cpu_account_add (&a[0], c, MS);
  g_assert_cmpuint (a[0].n_cores, ==, CW_CPU_ACCOUNT_CORES);
  g_assert_cmpint (a[0].ns[CW_CPU_ACCOUNT_CORES - 1], ==, 4 * MS);

  /* nothing watched: no marks, no processes */
  cw_cpu_sample_attribute (sample, NULL, 0, 100 * MS);
  g_assert_cmpuint (n_marked (sample), ==, 0);
  g_assert_null (sample->procs);
}

/* ---------------------------------------------------------------------- */
/* the live sampler */

typedef struct
{
  guint        n_samples;
  guint        n_cpus;
  gboolean     bad;
  GThread     *main_thread;
  gint64       worker_cpu;   /* -1 until the watched pid was seen */
  guint        worker_hits;
} SampleLog;

static void
sample_cb (CwCpuSampler *sampler,
           CwCpuSample  *sample,
           gpointer      user_data)
{
  SampleLog *log = user_data;
  guint marked = 0;

  if (g_thread_self () != log->main_thread)
    log->bad = TRUE;
  if (sample->n_cpus == 0 || sample->total < 0 || sample->total > 1)
    log->bad = TRUE;

  for (guint i = 0; i < sample->n_cpus; i++)
    {
      if (sample->usage[i] > 1 || (sample->usage[i] < 0 && sample->usage[i] != -1))
        log->bad = TRUE;
      if (sample->workers[i] > 0)
        {
          log->worker_cpu = i;
          marked += sample->workers[i];
        }
    }
  if (marked > 0)
    log->worker_hits++;

  log->n_samples++;
  log->n_cpus = sample->n_cpus;
}

static void
test_live_samples (void)
{
  g_autoptr(CwCpuSampler) sampler = cw_cpu_sampler_new (50);
  SampleLog log = { .main_thread = g_thread_self (), .worker_cpu = -1 };
  gint64 start;

  g_signal_connect (sampler, "sample", G_CALLBACK (sample_cb), &log);

  start = g_get_monotonic_time ();
  cw_cpu_sampler_start (sampler);
  cw_cpu_sampler_start (sampler);  /* a second start does nothing */
  WAIT_UNTIL (log.n_samples >= 3);
  g_assert_false (log.bad);
  g_assert_cmpuint (log.n_cpus, >=, 1);
  /* 3 samples at 50 ms: well under a second even on a loaded machine. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  /* Stop is prompt (the thread waits on a condition, not in sleep) and
   * nothing is emitted afterwards, not even a sample already queued. */
  start = g_get_monotonic_time ();
  cw_cpu_sampler_stop (sampler);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  {
    guint n = log.n_samples;

    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpuint (log.n_samples, ==, n);
  }

  /* And it starts again. */
  cw_cpu_sampler_start (sampler);
  {
    guint n = log.n_samples;

    WAIT_UNTIL (log.n_samples >= n + 2);
  }
  g_assert_false (log.bad);

  /* Dispose stops it: the thread is joined within the last unref. */
  g_assert_finalize_object (g_steal_pointer (&sampler));
}

static void
test_slow_interval_stops_promptly (void)
{
  g_autoptr(CwCpuSampler) sampler = cw_cpu_sampler_new (60 * 1000);
  gint64 start;

  cw_cpu_sampler_start (sampler);
  start = g_get_monotonic_time ();
  g_assert_finalize_object (g_steal_pointer (&sampler));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
}

static void
wait_child_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
test_live_worker_marked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(CwCpuSampler) sampler = NULL;
  SampleLog log = { .main_thread = g_thread_self (), .worker_cpu = -1 };
  gboolean child_done = FALSE;
  gint32 pid;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                            "sh", "-c", "while :; do :; done", NULL);
  g_assert_no_error (error);
  /* Record the pid now: it is cleared once the child is reaped. */
  pid = (gint32) g_ascii_strtoll (g_subprocess_get_identifier (child), NULL, 10);
  g_assert_cmpint (pid, >, 0);

  sampler = cw_cpu_sampler_new (50);
  g_signal_connect (sampler, "sample", G_CALLBACK (sample_cb), &log);
  cw_cpu_sampler_set_pids (sampler, &pid, 1);
  cw_cpu_sampler_start (sampler);

  WAIT_UNTIL (log.worker_hits >= 2);
  g_assert_false (log.bad);
  g_assert_cmpint (log.worker_cpu, >=, 0);
  g_assert_cmpint (log.worker_cpu, <, log.n_cpus);

  /* Unwatched, the marks go away with the next samples. */
  cw_cpu_sampler_set_pids (sampler, NULL, 0);
  {
    guint n = log.n_samples;
    guint hits;

    WAIT_UNTIL (log.n_samples >= n + 2);  /* one may have been read before */
    hits = log.worker_hits;
    n = log.n_samples;
    WAIT_UNTIL (log.n_samples >= n + 2);
    g_assert_cmpuint (log.worker_hits, ==, hits);
  }

  cw_cpu_sampler_stop (sampler);
  g_subprocess_force_exit (child);
  g_subprocess_wait_async (child, NULL, wait_child_cb, &child_done);
  WAIT_UNTIL (child_done);
  g_assert_true (g_subprocess_get_if_signaled (child));

  g_assert_finalize_object (g_steal_pointer (&sampler));
}


/* A made-up 16-core machine, read through the sampler's reader: every
 * read of "stat" advances each core by 10 ticks, core c busy for c of
 * them; workers 500 + k run on core 2k + 1 and gain 20 ms a probe. */
typedef struct
{
  GMutex lock;
  guint  n_stat;
  guint  n_probes[4];
} FakeMachine;

static char *
fake_read (const char *name,
           gpointer    user_data)
{
  FakeMachine *m = user_data;
  g_autoptr(GString) text = g_string_new (NULL);
  int pid;

  g_mutex_lock (&m->lock);
  if (g_str_equal (name, "stat"))
    {
      guint t = ++m->n_stat;

      g_string_append_printf (text, "cpu  %u 0 0 %u 0 0 0 0 0 0\n", t * 10 * 8, t * 10 * 8);
      for (guint c = 0; c < 16; c++)
        g_string_append_printf (text, "cpu%u %u 0 0 %u 0 0 0 0 0 0\n",
                                c, t * (10 * c / 15), t * (10 - 10 * c / 15));
    }
  else if (sscanf (name, "%d/", &pid) == 1 && pid >= 500 && pid < 504)
    {
      guint k = pid - 500;

      if (g_str_has_suffix (name, "/schedstat"))
        g_string_append_printf (text, "%" G_GUINT64_FORMAT " 0 0\n",
                                (guint64) ++m->n_probes[k] * 20 * 1000000);
      else
        g_string_append_printf (text, "%d (corewave-worker) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 "
                                "20 0 1 0 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 17 %u 0 0 0 0 0\n",
                                pid, 2 * k + 1);
    }
  else
    {
      g_mutex_unlock (&m->lock);
      return NULL;
    }
  g_mutex_unlock (&m->lock);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct
{
  guint n_samples;
  guint n_cpus;
  guint worker_on[16];
  guint interval_fast;  /* samples less than 40 ms apart */
} FakeLog;

static void
fake_sample_cb (CwCpuSampler *sampler,
                CwCpuSample  *sample,
                gpointer      user_data)
{
  FakeLog *log = user_data;

  log->n_samples++;
  log->n_cpus = sample->n_cpus;
  for (guint c = 0; c < MIN (sample->n_cpus, 16); c++)
    if (sample->worker[c] > 0)
      log->worker_on[c] = sample->worker[c];
  if (sample->interval_us > 0 && sample->interval_us < 40000)
    log->interval_fast++;
}

static void
test_live_reader (void)
{
  g_autoptr(CwCpuSampler) sampler = cw_cpu_sampler_new (100);
  FakeMachine machine = { 0 };
  FakeLog log = { 0 };
  const CwCpuWorker workers[] = { { 500, 0 }, { 501, 1 }, { 503, 3 } };

  g_mutex_init (&machine.lock);
  cw_cpu_sampler_set_reader (sampler, fake_read, &machine, NULL);
  cw_cpu_sampler_set_workers (sampler, workers, G_N_ELEMENTS (workers));
  g_signal_connect (sampler, "sample", G_CALLBACK (fake_sample_cb), &log);
  cw_cpu_sampler_start (sampler);
  WAIT_UNTIL (log.n_samples >= 3 && log.worker_on[7] != 0);

  /* the made-up machine's cores, and each worker on its own, by slot */
  g_assert_cmpuint (log.n_cpus, ==, 16);
  g_assert_cmpuint (log.worker_on[1], ==, 1);
  g_assert_cmpuint (log.worker_on[3], ==, 2);
  g_assert_cmpuint (log.worker_on[7], ==, 4);
  g_assert_cmpuint (log.worker_on[5], ==, 0);

  /* faster while running, as a batch asks */
  cw_cpu_sampler_set_interval (sampler, 20);
  g_assert_cmpuint (cw_cpu_sampler_get_interval (sampler), ==, 20);
  WAIT_UNTIL (log.interval_fast >= 3);

  cw_cpu_sampler_stop (sampler);
  g_assert_finalize_object (g_steal_pointer (&sampler));
  g_mutex_clear (&machine.lock);
}

/* A folder laid out like /proc works the same: its counters move as the
 * test rewrites them; while they stand still there is no sample. */
typedef struct
{
  char  *path;
  guint  t;
} MovingStat;

static gboolean
move_stat_cb (gpointer user_data)
{
  MovingStat *m = user_data;
  g_autofree char *text = NULL;

  m->t++;
  text = g_strdup_printf ("cpu  %u 0 0 %u 0 0 0 0 0 0\ncpu0 %u 0 0 %u 0 0 0 0 0 0\n"
                          "cpu2 %u 0 0 %u 0 0 0 0 0 0\n", 2 * m->t, 2 * m->t, m->t, m->t, m->t, m->t);
  g_assert_true (g_file_set_contents (m->path, text, -1, NULL));
  return G_SOURCE_CONTINUE;
}

static void
test_live_root (void)
{
  g_autoptr(CwCpuSampler) sampler = cw_cpu_sampler_new (30);
  g_autofree char *dir = cw_test_make_tmp_dir ();
  MovingStat moving = { g_build_filename (dir, "stat", NULL), 0 };
  FakeLog log = { 0 };
  guint id;

  move_stat_cb (&moving);
  cw_cpu_sampler_set_root (sampler, dir);
  g_signal_connect (sampler, "sample", G_CALLBACK (fake_sample_cb), &log);
  cw_cpu_sampler_start (sampler);
  id = g_timeout_add (10, move_stat_cb, &moving);
  WAIT_UNTIL (log.n_samples >= 2);
  g_assert_cmpuint (log.n_cpus, ==, 3);   /* cpu1 offline */
  g_source_remove (id);
  cw_cpu_sampler_stop (sampler);
  cw_test_rm_rf (dir);
  g_free (moving.path);
  g_assert_finalize_object (g_steal_pointer (&sampler));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/cpu-sampler/parse/two-cores", test_parse_two_cores);
  g_test_add_func ("/cw/cpu-sampler/parse/offline-core", test_parse_offline_core);
  g_test_add_func ("/cw/cpu-sampler/parse/steal", test_parse_steal);
  g_test_add_func ("/cw/cpu-sampler/parse/guest", test_parse_guest_not_counted_twice);
  g_test_add_func ("/cw/cpu-sampler/parse/counter-reset", test_parse_counter_reset);
  g_test_add_func ("/cw/cpu-sampler/parse/garbage", test_parse_garbage);
  g_test_add_func ("/cw/cpu-sampler/parse/last-cpu", test_parse_last_cpu);
  g_test_add_func ("/cw/cpu-sampler/parse/pid-stat", test_parse_pid_stat);
  g_test_add_func ("/cw/cpu-sampler/attribute/apart", test_attribute_apart);
  g_test_add_func ("/cw/cpu-sampler/attribute/same-last-core", test_attribute_same_last_core);
  g_test_add_func ("/cw/cpu-sampler/attribute/shared-cores", test_attribute_shared_cores);
  g_test_add_func ("/cw/cpu-sampler/attribute/idle-and-odd", test_attribute_idle_and_odd);
  g_test_add_func ("/cw/cpu-sampler/live/samples", test_live_samples);
  g_test_add_func ("/cw/cpu-sampler/live/reader", test_live_reader);
  g_test_add_func ("/cw/cpu-sampler/live/root", test_live_root);
  g_test_add_func ("/cw/cpu-sampler/live/stop-promptly", test_slow_interval_stops_promptly);
  g_test_add_func ("/cw/cpu-sampler/live/worker-marked", test_live_worker_marked);

  return g_test_run ();
}
