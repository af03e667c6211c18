/* cw-cpu-sampler.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One thread per running sampler reads /proc/stat every interval, and the
 * watched workers' /proc/PID/schedstat and /proc/PID/stat more often (a
 * probe every 10 ms for a few workers, less often for many), so that it
 * knows on which core each spent its time (cw-cpu-sample.c does the
 * arithmetic). The main loop never touches a file.
 *
 * Samples wait in a short queue; the thread schedules one source on the
 * creator's main context when the queue was empty, no sooner than the
 * delivery spacing allows, and that source emits ::sample for each. A main
 * loop that stalls gets the latest samples, not an unbounded backlog.
 *
 * ::sample is emitted with a CwCpuSample * (G_TYPE_POINTER) owned by the
 * sampler and valid during the emission only: copy it with
 * cw_cpu_sample_copy () to keep it.
 *
 * start, stop, the setters and the last unref belong to the thread that
 * runs the creating main context.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-sampler.h"

#include <string.h>
#include <unistd.h>

#define MIN_INTERVAL_MS   10
#define MIN_PROBE_US      (10 * G_TIME_SPAN_MILLISECOND)
/* probing a worker costs two small reads: about this long apart per worker */
#define PROBE_PER_WORKER_US (2 * G_TIME_SPAN_MILLISECOND)
/* samples kept for a main loop that does not take them */
#define MAX_QUEUED        64

/* ---------------------------------------------------------------------- */
/* the run: what the thread shares with the main context */

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GCond            cond;
  gboolean         stopping;      /* lock */
  GArray          *workers;       /* lock; CwCpuWorker */
  gboolean         workers_changed; /* lock */
  guint            interval_ms;   /* lock */
  guint            delivery_ms;   /* lock */
  GPtrArray       *queue;         /* lock; CwCpuSample*, not yet emitted */
  GSource         *source;        /* lock; scheduled to emit the queue */
  gint64           delivered_us;  /* lock; when the queue was last emptied */
  GMainContext    *context;

  /* the thread's, set before it starts */
  CwCpuReadFunc    read_func;
  gpointer         read_data;
  char            *root;

  /* Main context only: cleared by stop, so late sources emit nothing. */
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
  g_clear_pointer (&run->workers, g_array_unref);
  g_clear_pointer (&run->queue, g_ptr_array_unref);
  g_clear_pointer (&run->source, g_source_unref);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_free (run->root);
  g_free (run);
}

/* ---------------------------------------------------------------------- */

struct _CwCpuSampler
{
  GObject  parent_instance;

  guint          interval_ms;
  guint          delivery_ms;
  GMainContext  *context;
  GArray        *workers;    /* CwCpuWorker; handed to each new run */
  char          *root;
  CwCpuReadFunc  read_func;
  gpointer       read_data;
  GDestroyNotify read_destroy;
  Run           *run;        /* NULL when stopped */
  GThread       *thread;
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

/* ---------------------------------------------------------------------- */
/* the thread */

static char *
run_read (Run        *run,
          const char *name)
{
  g_autofree char *path = NULL;
  char *text = NULL;

  if (run->read_func != NULL)
    return run->read_func (name, run->read_data);

  path = g_build_filename (run->root != NULL ? run->root : "/proc", name, NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

/* A watched worker, as the thread follows it. */
typedef struct
{
  CwCpuWorker   id;
  gint64        last_ns;    /* its CPU time at the last probe; -1 before the first */
  int           last_core;
  CwCpuAccount  account;    /* this interval's */
} Watched;

static double
ns_per_tick (void)
{
  static double ns = 0;

  if (ns == 0)
    {
      long hz = sysconf (_SC_CLK_TCK);

      ns = 1e9 / (hz > 0 ? hz : 100);
    }
  return ns;
}

/* Reads one worker's CPU time and core; its time since the last probe goes
 * to the core it was on then and the one it is on now. */
static void
probe (Run     *run,
       Watched *w)
{
  char name[64];
  g_autofree char *stat = NULL;
  g_autofree char *schedstat = NULL;
  guint64 ticks = 0;
  gint64 ns;
  int core = -1;

  g_snprintf (name, sizeof name, "%d/stat", w->id.pid);
  stat = run_read (run, name);
  if (stat == NULL || !cw_cpu_parse_pid_stat (stat, &core, &ticks))
    return;  /* gone already */
  g_snprintf (name, sizeof name, "%d/schedstat", w->id.pid);
  schedstat = run_read (run, name);
  ns = schedstat != NULL ? cw_cpu_parse_schedstat (schedstat) : -1;
  if (ns < 0)
    ns = (gint64) (ticks * ns_per_tick ());  /* no schedstat: clock ticks */

  if (w->last_ns >= 0 && ns > w->last_ns)
    {
      gint64 delta = ns - w->last_ns;

      if (w->last_core < 0 || w->last_core == core)
        cw_cpu_account_add (&w->account, core, delta);
      else
        {
          /* it moved in between: when is unknown, so half each */
          cw_cpu_account_add (&w->account, w->last_core, delta / 2);
          cw_cpu_account_add (&w->account, core, delta - delta / 2);
        }
    }
  w->last_ns = ns;
  w->last_core = core;
}

/* Takes the workers to watch when they changed, keeping what is known of
 * those still there. */
static void
update_watched (Run    *run,
                GArray *watched)
{
  g_autoptr(GArray) workers = NULL;
  g_autoptr(GArray) old = NULL;

  g_mutex_lock (&run->lock);
  if (run->workers_changed)
    {
      workers = g_array_copy (run->workers);
      run->workers_changed = FALSE;
    }
  g_mutex_unlock (&run->lock);
  if (workers == NULL)
    return;

  old = g_array_copy (watched);
  g_array_set_size (watched, 0);
  for (guint i = 0; i < workers->len; i++)
    {
      const CwCpuWorker *id = &g_array_index (workers, CwCpuWorker, i);
      Watched w = { *id, -1, -1, { id->pid, id->slot, 0, { 0 }, { 0 } } };

      for (guint j = 0; j < old->len; j++)
        if (g_array_index (old, Watched, j).id.pid == id->pid)
          {
            w = g_array_index (old, Watched, j);
            w.id.slot = w.account.slot = id->slot;
            break;
          }
      g_array_append_val (watched, w);
    }
}

static gboolean
deliver_cb (gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(GPtrArray) samples = NULL;

  g_mutex_lock (&run->lock);
  samples = g_steal_pointer (&run->queue);
  run->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_cpu_sample_free);
  g_clear_pointer (&run->source, g_source_unref);
  run->delivered_us = g_get_monotonic_time ();
  g_mutex_unlock (&run->lock);

  for (guint i = 0; i < samples->len && run->sampler != NULL; i++)
    g_signal_emit (run->sampler, signals[SIGNAL_SAMPLE], 0, g_ptr_array_index (samples, i));

  return G_SOURCE_REMOVE;
}

static void
post_sample (Run         *run,
             CwCpuSample *sample)
{
  g_mutex_lock (&run->lock);
  if (run->queue->len >= MAX_QUEUED)
    g_ptr_array_remove_index (run->queue, 0);
  g_ptr_array_add (run->queue, sample);

  /* A source attached from here, not g_main_context_invoke (): from this
   * thread, invoke runs the callback right here when the context is the
   * global default and nobody holds it at that moment. */
  if (run->source == NULL)
    {
      gint64 wait_us = run->delivered_us + (gint64) run->delivery_ms * 1000 - g_get_monotonic_time ();

      run->source = wait_us > 1000 ? g_timeout_source_new (wait_us / 1000) : g_idle_source_new ();
      g_source_set_priority (run->source, G_PRIORITY_DEFAULT);
      g_source_set_callback (run->source, deliver_cb, run_ref (run), (GDestroyNotify) run_unref);
      g_source_set_static_name (run->source, "[corewave] cpu sample");
      g_source_attach (run->source, run->context);
    }
  g_mutex_unlock (&run->lock);
}

/* Waits until @deadline_us (or a change of settings); returns FALSE when
 * asked to stop instead. */
static gboolean
wait_until (Run    *run,
            gint64  deadline_us,
            guint  *interval_ms)
{
  gboolean stopping;

  g_mutex_lock (&run->lock);
  while (!run->stopping && run->interval_ms == *interval_ms && !run->workers_changed)
    {
      if (!g_cond_wait_until (&run->cond, &run->lock, deadline_us))
        break;  /* reached the deadline */
    }
  stopping = run->stopping;
  *interval_ms = run->interval_ms;
  g_mutex_unlock (&run->lock);

  return !stopping;
}

/* Borrows the run: stop joins this thread before it lets the run go. */
static gpointer
sampler_thread (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *before = run_read (run, "stat");
  g_autoptr(GArray) watched = g_array_new (FALSE, FALSE, sizeof (Watched));
  guint interval_ms;
  gint64 last_sample, next_sample;

  g_mutex_lock (&run->lock);
  interval_ms = run->interval_ms;
  g_mutex_unlock (&run->lock);
  last_sample = g_get_monotonic_time ();
  next_sample = last_sample + (gint64) interval_ms * 1000;

  for (;;)
    {
      gint64 interval_us = (gint64) interval_ms * 1000;
      gint64 probe_us, deadline, now;
      guint old_interval = interval_ms;

      update_watched (run, watched);
      for (guint i = 0; i < watched->len; i++)
        if (g_array_index (watched, Watched, i).last_ns < 0)
          probe (run, &g_array_index (watched, Watched, i));

      probe_us = watched->len == 0 ? interval_us
                                   : CLAMP ((gint64) watched->len * PROBE_PER_WORKER_US,
                                            MIN_PROBE_US, interval_us);
      now = g_get_monotonic_time ();
      deadline = MIN (now + probe_us, next_sample);

      if (!wait_until (run, deadline, &interval_ms))
        break;
      now = g_get_monotonic_time ();
      if (interval_ms != old_interval)
        {
          /* a new rate: the next sample is one new interval after the last */
          next_sample = last_sample + (gint64) interval_ms * 1000;
          if (next_sample < now)
            next_sample = now;
          continue;
        }
      for (guint i = 0; i < watched->len; i++)
        probe (run, &g_array_index (watched, Watched, i));
      if (now < next_sample)
        continue;

      {
        g_autofree char *after = run_read (run, "stat");
        g_autofree CwCpuAccount *accounts = NULL;
        CwCpuSample *sample;

        /* A source that did not move at all (a made-up one between its
         * writes: a real /proc/stat counts idle time too) has no news. */
        if (after != NULL && before != NULL && strcmp (after, before) == 0)
          {
            next_sample = now + interval_us;
            continue;
          }
        if (after == NULL || before == NULL)
          {
            g_free (before);
            before = g_steal_pointer (&after);
            last_sample = now;
            next_sample = now + interval_us;
            continue;
          }
        sample = cw_cpu_sample_from_stat (before, after);
        sample->time_us = now;
        sample->interval_us = now - last_sample;
        accounts = g_new0 (CwCpuAccount, MAX (watched->len, 1));
        for (guint i = 0; i < watched->len; i++)
          {
            Watched *w = &g_array_index (watched, Watched, i);

            accounts[i] = w->account;
            w->account.n_cores = 0;
          }
        cw_cpu_sample_attribute (sample, accounts, watched->len, sample->interval_us * 1000);
        post_sample (run, sample);

        g_free (before);
        before = g_steal_pointer (&after);
        last_sample = now;
        /* A fixed grid of deadlines, so the rate does not drift; after a
         * stall (a suspended machine) it restarts from now. */
        next_sample += interval_us;
        if (next_sample < now)
          next_sample = now + interval_us;
      }
    }

  return NULL;
}

/* ---------------------------------------------------------------------- */
/* the object */

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
  run->workers = g_array_copy (self->workers);
  run->workers_changed = TRUE;
  run->interval_ms = self->interval_ms;
  run->delivery_ms = self->delivery_ms;
  run->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_cpu_sample_free);
  run->context = g_main_context_ref (self->context);
  run->read_func = self->read_func;
  run->read_data = self->read_data;
  run->root = g_strdup (self->root);
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

  /* The thread is gone; drop samples still waiting for the main context. */
  self->run->sampler = NULL;
  g_mutex_lock (&self->run->lock);
  if (self->run->source != NULL)
    g_source_destroy (self->run->source);
  g_clear_pointer (&self->run->source, g_source_unref);
  g_mutex_unlock (&self->run->lock);
  g_clear_pointer (&self->run, run_unref);
}

gboolean
cw_cpu_sampler_is_running (CwCpuSampler *self)
{
  g_return_val_if_fail (CW_IS_CPU_SAMPLER (self), FALSE);

  return self->run != NULL;
}

void
cw_cpu_sampler_set_interval (CwCpuSampler *self,
                             guint         interval_ms)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));

  interval_ms = CLAMP (interval_ms, MIN_INTERVAL_MS, G_MAXUINT / 1000);
  if (self->interval_ms == interval_ms)
    return;
  self->interval_ms = interval_ms;
  if (self->run != NULL)
    {
      g_mutex_lock (&self->run->lock);
      self->run->interval_ms = interval_ms;
      g_cond_signal (&self->run->cond);
      g_mutex_unlock (&self->run->lock);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
}

guint
cw_cpu_sampler_get_interval (CwCpuSampler *self)
{
  g_return_val_if_fail (CW_IS_CPU_SAMPLER (self), 0);

  return self->interval_ms;
}

void
cw_cpu_sampler_set_delivery (CwCpuSampler *self,
                             guint         min_ms)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));

  self->delivery_ms = min_ms;
  if (self->run != NULL)
    {
      g_mutex_lock (&self->run->lock);
      self->run->delivery_ms = min_ms;
      g_mutex_unlock (&self->run->lock);
    }
}

void
cw_cpu_sampler_set_workers (CwCpuSampler      *self,
                            const CwCpuWorker *workers,
                            guint              n_workers)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));
  g_return_if_fail (workers != NULL || n_workers == 0);

  g_array_set_size (self->workers, 0);
  if (n_workers > 0)
    g_array_append_vals (self->workers, workers, n_workers);

  if (self->run != NULL)
    {
      g_mutex_lock (&self->run->lock);
      g_array_set_size (self->run->workers, 0);
      if (n_workers > 0)
        g_array_append_vals (self->run->workers, workers, n_workers);
      self->run->workers_changed = TRUE;
      g_cond_signal (&self->run->cond);
      g_mutex_unlock (&self->run->lock);
    }
}

void
cw_cpu_sampler_set_pids (CwCpuSampler *self,
                         const gint32 *pids,
                         guint         n_pids)
{
  g_autofree CwCpuWorker *workers = NULL;

  g_return_if_fail (CW_IS_CPU_SAMPLER (self));
  g_return_if_fail (pids != NULL || n_pids == 0);

  workers = g_new0 (CwCpuWorker, MAX (n_pids, 1));
  for (guint i = 0; i < n_pids; i++)
    {
      workers[i].pid = pids[i];
      workers[i].slot = i;
    }
  cw_cpu_sampler_set_workers (self, workers, n_pids);
}

void
cw_cpu_sampler_set_root (CwCpuSampler *self,
                         const char   *root)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));

  g_free (self->root);
  self->root = g_strdup (root);
}

void
cw_cpu_sampler_set_reader (CwCpuSampler   *self,
                           CwCpuReadFunc   func,
                           gpointer        user_data,
                           GDestroyNotify  destroy)
{
  g_return_if_fail (CW_IS_CPU_SAMPLER (self));
  g_return_if_fail (self->run == NULL);

  if (self->read_destroy != NULL)
    self->read_destroy (self->read_data);
  self->read_func = func;
  self->read_data = user_data;
  self->read_destroy = destroy;
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

  if (self->read_destroy != NULL)
    self->read_destroy (self->read_data);
  g_clear_pointer (&self->workers, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->root);

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
      cw_cpu_sampler_set_interval (self, g_value_get_uint (value));
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
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
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
  self->workers = g_array_new (FALSE, FALSE, sizeof (CwCpuWorker));
}

CwCpuSampler *
cw_cpu_sampler_new (guint interval_ms)
{
  return g_object_new (CW_TYPE_CPU_SAMPLER,
                       "interval-ms", CLAMP (interval_ms, MIN_INTERVAL_MS, G_MAXUINT / 1000),
                       NULL);
}
