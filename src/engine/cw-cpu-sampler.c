/* cw-cpu-sampler.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One thread per running sampler reads /proc/stat and the watched pids'
 * /proc/PID/stat, so the main loop never touches a file. The thread keeps
 * only the newest sample in a mailbox and schedules one idle on the
 * creator's main context when the mailbox was empty: a main loop that stalls
 * for a while gets the latest sample, not a backlog.
 *
 * ::sample is emitted with a CwCpuSample * (G_TYPE_POINTER) owned by the
 * sampler and valid during the emission only: copy it with
 * cw_cpu_sample_copy () to keep it.
 *
 * start, stop, set_pids and the last unref belong to the thread that runs
 * the creating main context.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-sampler.h"

#include <string.h>

/* Linux's NR_CPUS is at most 8192; a larger number is garbage, not a core. */
#define MAX_CPUS 8192

#define MIN_INTERVAL_MS 10

/* ---------------------------------------------------------------------- */
/* samples */

void
cw_cpu_sample_free (CwCpuSample *sample)
{
  if (sample == NULL)
    return;

  g_free (sample->usage);
  g_free (sample->workers);
  g_free (sample);
}

static CwCpuSample *
cw_cpu_sample_alloc (guint n_cpus)
{
  CwCpuSample *sample = g_new0 (CwCpuSample, 1);

  sample->n_cpus = n_cpus;
  sample->usage = g_new (double, MAX (n_cpus, 1));
  sample->workers = g_new0 (guint, MAX (n_cpus, 1));
  for (guint i = 0; i < n_cpus; i++)
    sample->usage[i] = -1;

  return sample;
}

CwCpuSample *
cw_cpu_sample_copy (const CwCpuSample *sample)
{
  CwCpuSample *copy;

  g_return_val_if_fail (sample != NULL, NULL);

  copy = cw_cpu_sample_alloc (sample->n_cpus);
  copy->time_us = sample->time_us;
  copy->total = sample->total;
  if (sample->n_cpus > 0)
    {
      memcpy (copy->usage, sample->usage, sample->n_cpus * sizeof (double));
      memcpy (copy->workers, sample->workers, sample->n_cpus * sizeof (guint));
    }

  return copy;
}

/* ---------------------------------------------------------------------- */
/* parsing */

enum {
  F_USER, F_NICE, F_SYSTEM, F_IDLE, F_IOWAIT, F_IRQ, F_SOFTIRQ, F_STEAL,
  N_FIELDS  /* guest and guest_nice are already inside user and nice */
};

typedef struct
{
  gboolean present;
  guint64  f[N_FIELDS];
} StatLine;

typedef struct
{
  StatLine  all;
  GArray   *cpus;  /* StatLine, indexed by the core's number */
} StatText;

static void
stat_text_clear (StatText *st)
{
  g_clear_pointer (&st->cpus, g_array_unref);
}

/* Reads up to N_FIELDS numbers after "cpu" / "cpuN"; missing ones (old
 * kernels) stay 0. */
static void
parse_fields (const char *p,
              StatLine   *line)
{
  line->present = TRUE;
  for (guint i = 0; i < N_FIELDS; i++)
    {
      char *end;
      guint64 v;

      while (*p == ' ' || *p == '\t')
        p++;
      if (!g_ascii_isdigit (*p))
        break;
      v = g_ascii_strtoull (p, &end, 10);
      if (end == p)
        break;
      line->f[i] = v;
      p = end;
    }
}

static void
stat_text_parse (const char *text,
                 StatText   *st)
{
  const char *line = text;

  memset (st, 0, sizeof *st);
  st->cpus = g_array_new (FALSE, TRUE, sizeof (StatLine));

  while (line != NULL && *line != '\0')
    {
      const char *next = strchr (line, '\n');

      if (strncmp (line, "cpu", 3) == 0)
        {
          if (line[3] == ' ' || line[3] == '\t')
            {
              parse_fields (line + 3, &st->all);
            }
          else if (g_ascii_isdigit (line[3]))
            {
              char *end;
              guint64 n = g_ascii_strtoull (line + 3, &end, 10);

              if (n < MAX_CPUS && (*end == ' ' || *end == '\t'))
                {
                  if (n >= st->cpus->len)
                    g_array_set_size (st->cpus, n + 1);
                  parse_fields (end, &g_array_index (st->cpus, StatLine, n));
                }
            }
        }

      line = next != NULL ? next + 1 : NULL;
    }
}

/* A counter that went backwards (a reset, a wrap, or iowait, which the
 * kernel does not keep monotonic) adds nothing, so usage stays in 0..1. */
static double
usage_between (const StatLine *a,
               const StatLine *b)
{
  guint64 d[N_FIELDS];
  guint64 busy, total;

  for (guint i = 0; i < N_FIELDS; i++)
    d[i] = b->f[i] >= a->f[i] ? b->f[i] - a->f[i] : 0;

  busy = d[F_USER] + d[F_NICE] + d[F_SYSTEM] + d[F_IRQ] + d[F_SOFTIRQ] + d[F_STEAL];
  total = busy + d[F_IDLE] + d[F_IOWAIT];

  if (total == 0)
    return 0.0;

  return CLAMP ((double) busy / (double) total, 0.0, 1.0);
}

CwCpuSample *
cw_cpu_sample_from_stat (const char *before,
                         const char *after)
{
  StatText a, b;
  CwCpuSample *sample;

  g_return_val_if_fail (before != NULL, NULL);
  g_return_val_if_fail (after != NULL, NULL);

  stat_text_parse (before, &a);
  stat_text_parse (after, &b);

  sample = cw_cpu_sample_alloc (b.cpus->len);
  sample->time_us = g_get_monotonic_time ();
  sample->total = a.all.present && b.all.present ? usage_between (&a.all, &b.all) : 0.0;

  for (guint i = 0; i < b.cpus->len; i++)
    {
      const StatLine *lb = &g_array_index (b.cpus, StatLine, i);

      if (!lb->present)
        continue;  /* offline: stays -1 */

      /* A core that just came online has no earlier count yet. */
      if (i < a.cpus->len && g_array_index (a.cpus, StatLine, i).present)
        sample->usage[i] = usage_between (&g_array_index (a.cpus, StatLine, i), lb);
      else
        sample->usage[i] = 0.0;
    }

  stat_text_clear (&a);
  stat_text_clear (&b);

  return sample;
}

int
cw_cpu_parse_last_cpu (const char *pid_stat)
{
  const char *p;

  g_return_val_if_fail (pid_stat != NULL, -1);

  /* Field 2 is "(comm)" and comm may hold spaces and ')': the last ')' ends it. */
  p = strrchr (pid_stat, ')');
  if (p == NULL)
    return -1;
  p++;

  /* After ")" comes field 3; walk to field 39. */
  for (guint field = 3; ; field++)
    {
      const char *start;

      while (*p == ' ')
        p++;
      if (*p == '\0' || *p == '\n')
        return -1;

      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\n')
        p++;

      if (field == 39)
        {
          char *end;
          gint64 cpu;

          if (!g_ascii_isdigit (*start))
            return -1;
          cpu = g_ascii_strtoll (start, &end, 10);
          if (end != p || cpu < 0 || cpu >= MAX_CPUS)
            return -1;
          return (int) cpu;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* the run: what the thread shares with the main context */

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GCond            cond;
  gboolean         stopping;      /* lock */
  GArray          *pids;          /* lock; gint32 */
  CwCpuSample     *mailbox;       /* lock; the newest sample not yet emitted */
  GSource         *idle;          /* lock; scheduled to emit the mailbox */
  guint            interval_ms;
  GMainContext    *context;

  /* Main context only: cleared by stop, so late idles emit nothing. */
  CwCpuSampler    *sampler;
} Run;

static Run *
run_ref (Run *run)
{
  g_atomic_ref_count_inc (&run->ref_count);
  return run;
}

static void
run_unref (Run *run)
{
  if (!g_atomic_ref_count_dec (&run->ref_count))
    return;

  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
  g_clear_pointer (&run->pids, g_array_unref);
  g_clear_pointer (&run->mailbox, cw_cpu_sample_free);
  g_clear_pointer (&run->idle, g_source_unref);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_free (run);
}

/* ---------------------------------------------------------------------- */

struct _CwCpuSampler
{
  GObject  parent_instance;

  guint         interval_ms;
  GMainContext *context;
  GArray       *pids;    /* gint32; handed to each new run */
  Run          *run;     /* NULL when stopped */
  GThread      *thread;
};

G_DEFINE_FINAL_TYPE (CwCpuSampler, cw_cpu_sampler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INTERVAL_MS,
  N_PROPS
};

enum {
  SIGNAL_SAMPLE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
read_proc_file (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;

  return g_steal_pointer (&text);
}

static void
mark_workers (Run         *run,
              CwCpuSample *sample)
{
  g_autoptr(GArray) pids = NULL;

  g_mutex_lock (&run->lock);
  if (run->pids->len > 0)
    pids = g_array_copy (run->pids);
  g_mutex_unlock (&run->lock);

  if (pids == NULL)
    return;

  for (guint i = 0; i < pids->len; i++)
    {
      char path[64];
      g_autofree char *text = NULL;
      int cpu;

      g_snprintf (path, sizeof path, "/proc/%d/stat", g_array_index (pids, gint32, i));
      text = read_proc_file (path);
      if (text == NULL)
        continue;  /* gone already */

      cpu = cw_cpu_parse_last_cpu (text);
      if (cpu >= 0 && (guint) cpu < sample->n_cpus)
        sample->workers[cpu]++;
    }
}

static gboolean
deliver_cb (gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(CwCpuSample) sample = NULL;

  g_mutex_lock (&run->lock);
  sample = g_steal_pointer (&run->mailbox);
  g_clear_pointer (&run->idle, g_source_unref);
  g_mutex_unlock (&run->lock);

  if (sample != NULL && run->sampler != NULL)
    g_signal_emit (run->sampler, signals[SIGNAL_SAMPLE], 0, sample);

  return G_SOURCE_REMOVE;
}

static void
post_sample (Run         *run,
             CwCpuSample *sample)
{
  g_mutex_lock (&run->lock);
  g_clear_pointer (&run->mailbox, cw_cpu_sample_free);
  run->mailbox = sample;

  /* An idle source, not g_main_context_invoke (): from this thread, invoke
   * runs the callback right here when the context is the global default and
   * nobody holds it at that moment. */
  if (run->idle == NULL)
    {
      run->idle = g_idle_source_new ();
      g_source_set_priority (run->idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (run->idle, deliver_cb, run_ref (run), (GDestroyNotify) run_unref);
      g_source_set_static_name (run->idle, "[corewave] cpu sample");
      g_source_attach (run->idle, run->context);
    }
  g_mutex_unlock (&run->lock);
}

/* Waits until @deadline_us; returns FALSE when asked to stop instead. */
static gboolean
wait_until (Run    *run,
            gint64  deadline_us)
{
  gboolean stopping;

  g_mutex_lock (&run->lock);
  while (!run->stopping)
    {
      if (!g_cond_wait_until (&run->cond, &run->lock, deadline_us))
        break;  /* reached the deadline */
    }
  stopping = run->stopping;
  g_mutex_unlock (&run->lock);

  return !stopping;
}

/* Borrows the run: stop joins this thread before it lets the run go. */
static gpointer
sampler_thread (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *before = read_proc_file ("/proc/stat");
  gint64 interval_us = (gint64) run->interval_ms * G_TIME_SPAN_MILLISECOND;
  gint64 deadline = g_get_monotonic_time ();

  for (;;)
    {
      g_autofree char *after = NULL;
      gint64 now;

      /* A fixed grid of deadlines, so the rate does not drift; after a
       * stall (a suspended machine) it restarts from now. */
      deadline += interval_us;
      now = g_get_monotonic_time ();
      if (deadline < now)
        deadline = now + interval_us;

      if (!wait_until (run, deadline))
        break;

      after = read_proc_file ("/proc/stat");
      if (after == NULL)
        continue;

      if (before != NULL)
        {
          CwCpuSample *sample = cw_cpu_sample_from_stat (before, after);

          mark_workers (run, sample);
          post_sample (run, sample);
        }

      g_free (before);
      before = g_steal_pointer (&after);
    }

  return NULL;
}

void
cw_cpu_sampler_start (CwCpuSampler *self)
{
  g_autoptr(GError) error = NULL;
  Run *run;

  g_return_if_fail (CW_IS_CPU_SAMPLER (self));

  if (self->run != NULL)
    return;

  run = g_new0 (Run, 1);
  g_atomic_ref_count_init (&run->ref_count);
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);
  run->pids = g_array_copy (self->pids);
  run->interval_ms = self->interval_ms;
  run->context = g_main_context_ref (self->context);
  run->sampler = self;

  self->thread = g_thread_try_new ("cw-cpu-sampler", sampler_thread, run, &error);
  if (self->thread == NULL)
    {
      g_warning ("Cannot start the CPU sampler: %s", error->message);
      run_unref (run);
      return;
    }

  self->run = run;
}

void
cw_cpu_sampler_stop (CwCpuSampler *self)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));

  if (self->run == NULL)
    return;

  g_mutex_lock (&self->run->lock);
  self->run->stopping = TRUE;
  g_cond_signal (&self->run->cond);
  g_mutex_unlock (&self->run->lock);

  g_clear_pointer (&self->thread, g_thread_join);

  /* The thread is gone; drop a sample still waiting for the main context. */
  self->run->sampler = NULL;
  g_mutex_lock (&self->run->lock);
  if (self->run->idle != NULL)
    g_source_destroy (self->run->idle);
  g_clear_pointer (&self->run->idle, g_source_unref);
  g_mutex_unlock (&self->run->lock);
  g_clear_pointer (&self->run, run_unref);
}

void
cw_cpu_sampler_set_pids (CwCpuSampler *self,
                         const gint32 *pids,
                         guint         n_pids)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));
  g_return_if_fail (pids != NULL || n_pids == 0);

  g_array_set_size (self->pids, 0);
  if (n_pids > 0)
    g_array_append_vals (self->pids, pids, n_pids);

  if (self->run != NULL)
    {
      g_mutex_lock (&self->run->lock);
      g_array_set_size (self->run->pids, 0);
      if (n_pids > 0)
        g_array_append_vals (self->run->pids, pids, n_pids);
      g_mutex_unlock (&self->run->lock);
    }
}

static void
cw_cpu_sampler_dispose (GObject *object)
{
  CwCpuSampler *self = CW_CPU_SAMPLER (object);

  cw_cpu_sampler_stop (self);

  G_OBJECT_CLASS (cw_cpu_sampler_parent_class)->dispose (object);
}

static void
cw_cpu_sampler_finalize (GObject *object)
{
  CwCpuSampler *self = CW_CPU_SAMPLER (object);

  g_clear_pointer (&self->pids, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cw_cpu_sampler_parent_class)->finalize (object);
}

static void
cw_cpu_sampler_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CwCpuSampler *self = CW_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, self->interval_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_cpu_sampler_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CwCpuSampler *self = CW_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL_MS:
      self->interval_ms = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_cpu_sampler_class_init (CwCpuSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_cpu_sampler_dispose;
  object_class->finalize = cw_cpu_sampler_finalize;
  object_class->get_property = cw_cpu_sampler_get_property;
  object_class->set_property = cw_cpu_sampler_set_property;

  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL,
                       MIN_INTERVAL_MS, G_MAXUINT / 1000, 250,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CwCpuSampler::sample:
   * @sample: (type gpointer): a CwCpuSample *, valid during the emission
   */
  signals[SIGNAL_SAMPLE] =
    g_signal_new ("sample",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__POINTER,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
cw_cpu_sampler_init (CwCpuSampler *self)
{
  self->interval_ms = 250;
  self->context = g_main_context_ref_thread_default ();
  self->pids = g_array_new (FALSE, FALSE, sizeof (gint32));
}

CwCpuSampler *
cw_cpu_sampler_new (guint interval_ms)
{
  return g_object_new (CW_TYPE_CPU_SAMPLER,
                       "interval-ms", CLAMP (interval_ms, MIN_INTERVAL_MS, G_MAXUINT / 1000),
                       NULL);
}
