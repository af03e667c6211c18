/* test-pool.c: the worker pool in its three modes, its orders and its faults
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-error.h"
#include "cw-pool.h"
#include "cw-test-util.h"

/* what a task does after its last block, when a cancel no longer stops it
 * (close, read back the header, check the input, publish: a few ms under
 * ASan), with room to spare */
#define LAST_STAGES_US (20 * 1000)

/* No run of this suite comes near it; it only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 60

/* ---------------------------------------------------------------------- */
/* the pool's debug messages, as G_MESSAGES_DEBUG=corewave-pool shows them */

static GMutex   log_lock;
static GString *log_capture;  /* while a test captures */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;

  g_mutex_lock (&log_lock);
  if (log_capture != NULL && level == G_LOG_LEVEL_DEBUG && message != NULL
      && g_strcmp0 (domain, "corewave-pool") == 0)
    g_string_append_printf (log_capture, "%s\n", message);
  g_mutex_unlock (&log_lock);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
log_capture_start (void)
{
  g_mutex_lock (&log_lock);
  g_assert_null (log_capture);
  log_capture = g_string_new (NULL);
  g_mutex_unlock (&log_lock);
}

static char *
log_capture_stop (void)
{
  char *text;

  g_mutex_lock (&log_lock);
  text = g_string_free (g_steal_pointer (&log_capture), FALSE);
  g_mutex_unlock (&log_lock);
  return text;
}

/* How many lines of @log match @pattern (a g_pattern_match_simple () glob). */
static guint
log_count (const char *log,
           const char *pattern)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_pattern_match_simple (pattern, lines[i]))
      n++;
  return n;
}

static void
assert_logged (const char *log,
               const char *pattern)
{
  if (log_count (log, pattern) == 0)
    g_error ("no line like \"%s\" in the pool's log:\n%s", pattern, log);
}

static CwPool *
new_pool (CwMode mode,
          guint  n_workers,
          guint  chunk_size)
{
  CwPool *pool = cw_pool_new (mode, n_workers);

  cw_pool_set_chunk_size (pool, chunk_size);
  return pool;
}

static const CwJobSettings synthetic_settings = { .spec = (char *) "copy" };

/* ---------------------------------------------------------------------- */
/* synthetic tasks */

static void
test_mul10 (gconstpointer data)
{
  CwMode mode = GPOINTER_TO_INT (data);
  const guint n = 1000;
  CwPool *pool = new_pool (mode, 2, 0);
  CwTestSource src = { .n = n, .kind = CW_TASK_MUL10 };
  g_autofree const CwResult **by_index = NULL;
  CwTestRun run;

  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);

  by_index = cw_test_assert_each_once (&run, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_OK);
      g_assert_cmpint (by_index[i]->value, ==, 10 * (gint64) i);
      g_assert_cmpuint (by_index[i]->attempts, ==, 1);
      g_assert_null (by_index[i]->error);
    }
  g_assert_cmpuint (run.stats.n_tasks, ==, n);
  g_assert_cmpuint (run.stats.n_ok, ==, n);
  g_assert_cmpuint (run.stats.n_failed, ==, 0);
  g_assert_cmpint (run.stats.mode, ==, mode);
  g_assert_cmpuint (run.stats.n_workers, ==, mode == CW_MODE_SEQUENTIAL ? 1 : 2);

  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

/* Task 0 spins 300 ms, the others 1 ms: two workers, one task per chunk. */
static void
run_slow_first (CwOrder       order,
                CwTestRun    *run,
                CwTestSource *src)
{
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 2, 1);
  static gint64 args[16];

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args[i] = i == 0 ? 300 : 1;
  *src = (CwTestSource) { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };

  cw_test_run_init (run);
  cw_test_run_map (pool, &synthetic_settings, src, order, NULL, run);
  g_assert_no_error (run->error);
  g_assert_true (run->ok);
  g_free (cw_test_assert_each_once (run, src->n));
  for (guint i = 0; i < run->results->len; i++)
    g_assert_cmpint (cw_test_run_result (run, i)->status, ==, CW_STATUS_OK);
  cw_test_close_pool (pool);
}

static void
test_order_ordered (void)
{
  CwTestSource src;
  CwTestRun run;

  run_slow_first (CW_ORDER_ORDERED, &run, &src);
  for (guint i = 0; i < run.results->len; i++)
    g_assert_cmpuint (cw_test_run_result (&run, i)->index, ==, i);
  /* streamed, not held to the end: the fast tail came right after task 0 */
  g_assert_cmpint (g_array_index (run.delivered_us, gint64, 0), >=, cw_test_run_result (&run, 0)->end_us);
  cw_test_run_clear (&run);
}

static void
test_order_unordered (void)
{
  CwTestSource src;
  CwTestRun run;

  run_slow_first (CW_ORDER_UNORDERED, &run, &src);
  /* the slow task 0 does not hold back the fast ones */
  g_assert_cmpuint (cw_test_run_result (&run, 0)->index, !=, 0);
  for (guint i = 0; i < run.results->len; i++)
    if (cw_test_run_result (&run, i)->index == 0)
      {
        /* ...and were delivered while it was still running */
        g_assert_cmpuint (i, >, 0);
        g_assert_cmpint (g_array_index (run.delivered_us, gint64, 0), <, cw_test_run_result (&run, i)->end_us);
      }
  cw_test_run_clear (&run);
}

static void
test_order_all (void)
{
  CwTestSource src;
  CwTestRun run;
  gint64 last_end = G_MININT64;

  run_slow_first (CW_ORDER_ALL, &run, &src);
  for (guint i = 0; i < run.results->len; i++)
    {
      g_assert_cmpuint (cw_test_run_result (&run, i)->index, ==, i);
      last_end = MAX (last_end, cw_test_run_result (&run, i)->end_us);
    }
  /* nothing before the end: not even when the source ran dry with tasks
   * still out, and not before the last task had finished */
  g_assert_cmpuint (src.n_results_seen_at_end, ==, 0);
  for (guint i = 0; i < run.delivered_us->len; i++)
    g_assert_cmpint (g_array_index (run.delivered_us, gint64, i), >=, last_end);
  cw_test_run_clear (&run);
}

static void
test_chunk_sizes (void)
{
  const guint sizes[] = { 1, 3, 0 };
  const guint n = 200;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (CwMode mode = CW_MODE_PROCESSES; mode <= CW_MODE_SEQUENTIAL; mode++)
      {
        CwPool *pool = new_pool (mode, 2, sizes[s]);
        CwTestSource src = { .n = n, .kind = CW_TASK_MUL10 };
        g_autofree const CwResult **by_index = NULL;
        CwTestRun run;

        cw_test_run_init (&run);
        cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_ORDERED, NULL, &run);
        g_assert_true (run.ok);
        by_index = cw_test_assert_each_once (&run, n);
        for (guint i = 0; i < n; i++)
          {
            g_assert_cmpuint (cw_test_run_result (&run, i)->index, ==, i);
            g_assert_cmpint (by_index[i]->value, ==, 10 * (gint64) i);
          }
        g_assert_cmpuint (run.stats.chunk_size, ==, sizes[s]);
        if (sizes[s] > 0)
          {
            g_assert_cmpuint (run.stats.max_chunk_size, ==, sizes[s]);
            g_assert_cmpuint (run.stats.n_trips, ==, (n + sizes[s] - 1) / sizes[s]);
          }
        else
          {
            /* auto starts with one task per chunk and then grows, in
             * sequential mode too (its thread runs a chunk task by task) */
            g_assert_cmpuint (run.stats.max_chunk_size, >=, 1);
            g_assert_cmpuint (run.stats.n_trips, <, n);
            g_assert_cmpfloat (run.stats.auto_task_us, >=, 0);
          }
        cw_test_run_clear (&run);
        cw_test_close_pool (pool);
      }
}

typedef struct
{
  guint    given;
  GThread *main_thread;
  guint    n_results;
  gboolean done;
} SlowSource;

/* The second task takes the main thread 200 ms to make: meanwhile the
 * first one's thread has finished. */
static gboolean
slow_source_next (gpointer  user_data,
                  CwTask   *task)
{
  SlowSource *s = user_data;

  if (s->given >= 4)
    return FALSE;
  if (s->given == 1)
    g_usleep (200 * 1000);
  task->kind = CW_TASK_MUL10;
  task->arg = s->given++;
  return TRUE;
}

static void
on_main_thread_cb (const CwResult *result,
                   gpointer        user_data)
{
  SlowSource *s = user_data;

  g_assert_true (g_thread_self () == s->main_thread);
  s->n_results++;
}

static void
slow_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SlowSource *s = user_data;

  g_assert_true (g_thread_self () == s->main_thread);
  g_assert_true (cw_pool_map_finish (CW_POOL (object), result, NULL, NULL));
  s->done = TRUE;
}

/* A thread's results reach the pool on its main context, also when the
 * main thread is busy outside the main loop as the thread finishes (GLib's
 * g_main_context_invoke () would run them on the thread then, beside the
 * main thread's own dispatch). */
static void
test_threads_hand_back (void)
{
  CwPool *pool = new_pool (CW_MODE_THREADS, 2, 1);
  SlowSource s = { .main_thread = g_thread_self () };

  cw_pool_map_async (pool, &synthetic_settings, slow_source_next, &s, NULL, 4,
                     CW_ORDER_UNORDERED, on_main_thread_cb, &s, NULL, slow_done_cb, &s);
  WAIT_UNTIL (s.done);
  g_assert_cmpuint (s.n_results, ==, 4);
  cw_test_close_pool (pool);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  gint64 *beat = user_data;  /* last beat, longest gap, beats */
  gint64 now = g_get_monotonic_time ();

  beat[1] = MAX (beat[1], now - beat[0]);
  beat[0] = now;
  beat[2]++;
  return G_SOURCE_CONTINUE;
}

/* Sequential mode runs the tasks one after another, in the batch's order,
 * on a thread of its own, and hands each back as it ends: the caller's
 * main loop (the window's) goes on meanwhile. Eight tasks of 100 ms CPU
 * time: run on the main thread, they would let a 5 ms heartbeat beat a
 * dozen times at most; each would be delivered with the others. (No time
 * bounds: a loaded machine stretches anything; the margins are wide.) */
static void
test_sequential (void)
{
  static gint64 args[8];
  CwPool *pool = new_pool (CW_MODE_SEQUENTIAL, 4, 0);
  CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };
  gint64 beat[3] = { g_get_monotonic_time (), 0, 0 };
  const CwResult *last;
  guint id;
  CwTestRun run;

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args[i] = 100;
  id = g_timeout_add (5, heartbeat_cb, beat);
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_source_remove (id);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.stats.n_workers, ==, 1);
  g_free (cw_test_assert_each_once (&run, src.n));
  for (guint i = 0; i < run.results->len; i++)
    {
      const CwResult *r = cw_test_run_result (&run, i);

      /* in order, though unordered would allow any, and never at once */
      g_assert_cmpuint (r->index, ==, i);
      g_assert_cmpuint (r->worker, ==, 0);
      if (i > 0)
        g_assert_cmpint (r->start_us, >=, cw_test_run_result (&run, i - 1)->end_us);
    }
  /* handed back as they ended: the first long before the last ended */
  last = cw_test_run_result (&run, run.results->len - 1);
  g_assert_cmpint (g_array_index (run.delivered_us, gint64, 0), <, last->end_us);
  /* the loop turned all along */
  g_test_message ("%" G_GINT64_FORMAT " heartbeats, the longest gap %.1f ms", beat[2], beat[1] / 1000.0);
  g_assert_cmpint (beat[2], >=, 40);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

static void
applied_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CwResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cw_pool_apply_finish (CW_POOL (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static void
test_apply (gconstpointer data)
{
  CwMode mode = GPOINTER_TO_INT (data);
  CwPool *pool = new_pool (mode, 2, 0);
  CwTask mul = { .kind = CW_TASK_MUL10, .arg = 7 };
  CwTask fib = { .kind = CW_TASK_FIB, .arg = 20 };
  CwTask bad = { .kind = CW_TASK_FIB, .arg = 100 };
  g_autoptr(CwResult) a = NULL;
  g_autoptr(CwResult) b = NULL;
  g_autoptr(CwResult) c = NULL;

  /* three at once on one pool */
  cw_pool_apply_async (pool, &synthetic_settings, &mul, NULL, applied_cb, &a);
  cw_pool_apply_async (pool, &synthetic_settings, &fib, NULL, applied_cb, &b);
  cw_pool_apply_async (pool, &synthetic_settings, &bad, NULL, applied_cb, &c);
  WAIT_UNTIL (a != NULL && b != NULL && c != NULL);

  g_assert_cmpint (a->status, ==, CW_STATUS_OK);
  g_assert_cmpint (a->value, ==, 70);
  g_assert_cmpint (b->status, ==, CW_STATUS_OK);
  g_assert_cmpint (b->value, ==, 6765);
  g_assert_cmpint (c->status, ==, CW_STATUS_FAILED);
  g_assert_nonnull (c->error);
  g_assert_nonnull (strstr (c->error, "fib"));
  cw_test_close_pool (pool);
}

static void
test_errors (gconstpointer data)
{
  CwMode mode = GPOINTER_TO_INT (data);
  CwPool *pool = new_pool (mode, 2, 3);
  gint64 args[10] = { 10, 10, 10, 100, 10, 10, -1, 10, 10, 10 };
  CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_FIB, .args = args };
  g_autofree const CwResult **by_index = NULL;
  CwTestRun run;

  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  by_index = cw_test_assert_each_once (&run, src.n);
  for (guint i = 0; i < src.n; i++)
    if (args[i] == 10)
      {
        g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_OK);
        g_assert_cmpint (by_index[i]->value, ==, 55);
      }
    else
      {
        g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_FAILED);
        g_assert_nonnull (strstr (by_index[i]->error, "fib: n must be between 0 and 92"));
        g_assert_cmpuint (by_index[i]->attempts, ==, 1);
      }
  g_assert_cmpuint (run.stats.n_failed, ==, 2);
  g_assert_cmpuint (run.stats.n_ok, ==, src.n - 2);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

/* ---------------------------------------------------------------------- */
/* faults */

typedef struct
{
  GArray *started;   /* gint32 pids */
  gint32  killed;
  guint   kill_source;
} Killer;

static gboolean
kill_first_worker_cb (gpointer user_data)
{
  Killer *k = user_data;

  k->kill_source = 0;
  k->killed = g_array_index (k->started, gint32, 0);
  g_assert_cmpint (kill (k->killed, SIGKILL), ==, 0);
  return G_SOURCE_REMOVE;
}

static void
worker_started_cb (CwPool *pool,
                   guint   slot,
                   int     pid,
                   Killer *k)
{
  gint32 p = pid;

  g_assert_cmpint (pid, >, 0);
  g_array_append_val (k->started, p);
  /* The pool sends the first chunk right after the spawn: 150 ms later the
   * worker is well inside its 600 ms chunk. */
  if (k->started->len == 1)
    k->kill_source = g_timeout_add (150, kill_first_worker_cb, k);
}

/* @data: also tell the story from the pool's debug messages. */
static void
test_worker_killed (gconstpointer data)
{
  gboolean check_log = GPOINTER_TO_INT (data);
  g_autofree char *log = NULL;
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 2, 2);
  gint64 args[6] = { 300, 300, 300, 300, 300, 300 };
  CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };
  Killer k = { .started = g_array_new (FALSE, FALSE, sizeof (gint32)) };
  g_autofree const CwResult **by_index = NULL;
  guint retried = 0;
  guint64 first_retried = G_MAXUINT64;
  CwTestRun run;

  g_signal_connect (pool, "worker-started", G_CALLBACK (worker_started_cb), &k);
  if (check_log)
    log_capture_start ();
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  if (check_log)
    log = log_capture_stop ();
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpint (k.killed, >, 0);

  by_index = cw_test_assert_each_once (&run, src.n);
  for (guint i = 0; i < src.n; i++)
    {
      const CwResult *r = by_index[i];

      g_assert_cmpint (r->status, ==, CW_STATUS_OK);
      g_assert_null (r->error);
      g_assert_cmpint (r->pid, !=, k.killed);
      if (r->attempts == 2)
        {
          /* the killed chunk: two neighbours */
          if (first_retried == G_MAXUINT64)
            first_retried = r->index;
          else
            g_assert_cmpuint (r->index, ==, first_retried + 1);
          retried++;
        }
      else
        g_assert_cmpuint (r->attempts, ==, 1);
    }
  g_assert_cmpuint (retried, ==, 2);
  g_assert_cmpuint (first_retried % 2, ==, 0);
  g_assert_cmpuint (run.stats.n_retried, ==, 2);
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 1);
  /* two at the start, one in place of the killed one */
  g_assert_cmpuint (k.started->len, ==, 3);

  g_assert_cmpuint (k.kill_source, ==, 0);

  if (check_log)
    {
      g_autofree char *spawned = NULL;
      g_autofree char *died = NULL;
      g_autofree char *lost = NULL;
      g_autofree char *retry_a = NULL;
      g_autofree char *retry_b = NULL;

      spawned = g_strdup_printf ("slot ?: spawned worker %d", k.killed);
      died = g_strdup_printf ("slot ?: worker %d crashed: worker killed by signal 9 (Killed)", k.killed);
      lost = g_strdup_printf ("chunk * lost with worker %d (worker killed by signal 9 (Killed)): "
                              "tasks %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                              " go back for attempt 2*",
                              k.killed, first_retried, first_retried + 1);
      retry_a = g_strdup_printf ("slot ?: retrying task %" G_GUINT64_FORMAT ", attempt 2", first_retried);
      retry_b = g_strdup_printf ("slot ?: retrying task %" G_GUINT64_FORMAT ", attempt 2",
                                 first_retried + 1);

      g_test_message ("the pool's log:\n%s", log);
      assert_logged (log, spawned);
      g_assert_cmpuint (log_count (log, "slot ?: spawned worker *"), ==, 3);
      assert_logged (log, died);
      assert_logged (log, lost);
      assert_logged (log, retry_a);
      assert_logged (log, retry_b);
      assert_logged (log, "slot ?: spawned worker * (respawn)");
      /* a kill from outside is no start failure: no back-off */
      g_assert_cmpuint (log_count (log, "*backing off*"), ==, 0);
    }

  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  g_array_unref (k.started);
}

/* Files of about @seconds: from half to one and a half times, and 0.1 s */
static void
audio_set_init (CwTestAudioSet     *set,
                const char * const *names,
                double              seconds)
{
  guint n = g_strv_length ((char **) names);
  g_autofree double *each = g_new (double, n);

  for (guint i = 0; i < n; i++)
    each[i] = seconds * (1.0 + (i % 3) * 0.5) / 2.0 + 0.1;
  cw_test_audio_set_init (set, names, each);
}

static const CwJobSettings noise_settings = {
  .spec = (char *) "noise:sigma=0.1",
  .format = CW_FORMAT_SAME,
  .seed = 1234,
};

static void
run_crash_on (guint chunk_size)
{
  const char * const names[] = { "a.wav", "b-crashme.wav", "c.wav", "d.wav", "e.wav", NULL };
  g_autofree const CwResult **by_index = NULL;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  /* main () set CW_TEST_CRASH_ON=crashme for every worker */
  g_assert_cmpstr (g_getenv ("CW_TEST_CRASH_ON"), ==, "crashme");
  audio_set_init (&set, names, 0.3);
  pool = new_pool (CW_MODE_PROCESSES, 2, chunk_size);
  src = (CwTestSource) { .n = set.n, .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out };

  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_ORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);

  by_index = cw_test_assert_each_once (&run, set.n);
  for (guint i = 0; i < set.n; i++)
    {
      const CwResult *r = by_index[i];
      g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

      g_assert_cmpstr (r->input_path, ==, set.inputs[i]);
      if (i == 1)
        {
          g_assert_cmpint (r->status, ==, CW_STATUS_FAILED);
          g_assert_nonnull (r->error);
          g_assert_nonnull (strstr (r->error, "signal 11"));
          g_assert_cmpuint (r->attempts, ==, 2);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
          continue;
        }
      /* Its output is there either way: the question is what we report. */
      if (!g_file_test (output, G_FILE_TEST_IS_REGULAR))
        g_error ("task %u: no output; status %d, attempts %u, error %s", i, r->status, r->attempts, r->error);
      g_assert_cmpstr (r->error, ==, NULL);
      g_assert_cmpint (r->status, ==, CW_STATUS_OK);
      g_assert_cmpstr (r->output_path, ==, output);
      g_assert_cmpint (r->frames, >, 0);
      /* re-run when it shared the crasher's chunk, or was queued behind it */
      g_assert_cmpuint (r->attempts, >=, 1);
      g_assert_cmpuint (r->attempts, <=, 2);
    }
  /* the crasher twice */
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 2);
  cw_test_assert_no_part_files (set.out);

  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  cw_test_audio_set_clear (&set);
}

static void
test_crash_on (void)
{
  run_crash_on (1);
}

static void
test_crash_on_chunk_neighbour (void)
{
  run_crash_on (2);
}

/* A result callback that runs the main loop itself (as a dialog's loop
 * would): the worker's watch may run again inside it, and must neither
 * deliver a result twice nor lose one. Chunks of ten 1 ms tasks, which a
 * worker answers every 2 ms, and a callback that waits 3 ms: the next
 * answer is in the pipe when the callback turns the loop. */
static void
nested_loop_hook (const CwResult *result,
                  gpointer        user_data)
{
  g_usleep (3000);
  for (guint i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_nested_main_loop (void)
{
  static gint64 args[40];
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 1, 10);
  CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };
  g_autofree const CwResult **by_index = NULL;
  g_autofree char *log = NULL;
  CwTestRun run;

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args[i] = 1;
  log_capture_start ();
  cw_test_run_init (&run);
  run.hook = nested_loop_hook;
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  by_index = cw_test_assert_each_once (&run, src.n);
  for (guint i = 0; i < src.n; i++)
    g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_OK);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  log = log_capture_stop ();
  g_test_message ("the worker's watch ran inside a result callback %u times",
                  log_count (log, "slot * a main loop runs inside a result callback*"));
}

static void
test_garbage (void)
{
  const guint n = 6;
  CwPool *pool;
  CwTestSource src = { .n = n, .kind = CW_TASK_MUL10 };
  g_autofree const CwResult **by_index = NULL;
  CwTestRun run;

  /* The hook is read from the environment of the workers we spawn: set it
   * in a child of ours before any thread exists, not here. */
  if (cw_test_trap_subprocess (2 * WAIT_TIMEOUT_S))
    return;

  g_setenv ("CW_TEST_GARBAGE", "1", TRUE);
  pool = new_pool (CW_MODE_PROCESSES, 2, 2);
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_unsetenv ("CW_TEST_GARBAGE");

  g_assert_no_error (run.error);
  by_index = cw_test_assert_each_once (&run, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_FAILED);
      g_assert_nonnull (by_index[i]->error);
      g_assert_nonnull (strstr (by_index[i]->error, "Protocol error"));
      g_assert_cmpuint (by_index[i]->attempts, ==, 2);
    }
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);

  /* the pool still works without the hook */
  pool = new_pool (CW_MODE_PROCESSES, 2, 2);
  src = (CwTestSource) { .n = n, .kind = CW_TASK_MUL10 };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.stats.n_ok, ==, n);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

static void
test_bad_worker_path (void)
{
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 2, 1);
  g_autofree char *log = NULL;

  cw_pool_set_worker_path (pool, "/nonexistent/corewave-worker");
  log_capture_start ();
  /* the second batch finds every slot left out: it waits for their
   * back-off, tries again and fails the same way */
  for (guint i = 0; i < 2; i++)
    {
      CwTestSource src = { .n = 5, .kind = CW_TASK_MUL10 };
      CwTestRun run;

      cw_test_run_init (&run);
      cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
      g_assert_false (run.ok);
      g_assert_nonnull (run.error);
      g_assert_nonnull (strstr (run.error->message, "/nonexistent/corewave-worker"));
      g_assert_cmpuint (run.stats.n_workers_unstarted, ==, 2);
      cw_test_run_clear (&run);
    }
  log = log_capture_stop ();
  assert_logged (log, "slot 0: start failure 1 in a row (*): backing off 100 ms*");
  assert_logged (log, "slot 0: left out: *");
  assert_logged (log, "slot 0: back-off over*");
  assert_logged (log, "slot 0: start failure 2 in a row (*): backing off 200 ms*");
  cw_test_close_pool (pool);
}

static void
stamp_cb (CwPool *pool,
          guint   slot,
          int     pid,
          GArray *stamps)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (stamps, now);
}

/* A worker that dies before its hello (here /bin/false) is a start
 * failure: the slot waits 100 ms, then 200 ms, before it spawns again, and
 * the third in a row fails the batch. */
static void
test_start_failures (void)
{
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 1, 1);
  CwTestSource src = { .n = 3, .kind = CW_TASK_MUL10 };
  g_autoptr(GArray) started = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *log = NULL;
  const gint64 *t;
  CwTestRun run;

  cw_pool_set_worker_path (pool, "/bin/false");
  g_signal_connect (pool, "worker-started", G_CALLBACK (stamp_cb), started);
  log_capture_start ();
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  log = log_capture_stop ();

  g_assert_false (run.ok);
  g_assert_error (run.error, CW_ERROR, CW_ERROR_WORKER);
  g_assert_cmpstr (run.error->message, ==,
                   "The worker could not start (worker exited with status 1): /bin/false");
  g_assert_cmpuint (started->len, ==, 3);
  /* timers never fire early: these are lower bounds, whatever the load */
  t = (gint64 *) started->data;
  g_assert_cmpint (t[1] - t[0], >=, 100000);
  g_assert_cmpint (t[2] - t[1], >=, 200000);
  assert_logged (log, "slot 0: worker * crashed before its hello: worker exited with status 1");
  assert_logged (log, "slot 0: start failure 1 in a row (*): backing off 100 ms*");
  assert_logged (log, "slot 0: start failure 2 in a row (*): backing off 200 ms*");
  assert_logged (log, "slot 0: back-off over*");
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

static void
test_cancel (gconstpointer data)
{
  CwMode mode = GPOINTER_TO_INT (data);
  const char * const names[] = {
    "a.wav", "b.wav", "c.wav", "d.wav", "e.wav", "f.wav", "g.wav", "h.wav",
    "i.wav", "j.wav", "k.wav", "l.wav", "m.wav", "n.wav", "o.wav", "p.wav", NULL
  };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree const CwResult **by_index = NULL;
  guint fds_before, n_cancelled = 0;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  audio_set_init (&set, names, 1.0);
  /* the first one short, the second long: the first result (and so the
   * cancel) comes while the other worker is well inside the long file */
  cw_test_write_sine (set.inputs[0], 0.05, 440, 1);
  /* long enough (5 min, about 0.1 s of work under ASan) that the first
   * result comes while it runs, not as it ends */
  cw_test_write_sine (set.inputs[1], 300.0, 440, 2);

  /* warm up GLib's one-time machinery (child watches, thread pools) so the
   * fd count compares like with like */
  pool = new_pool (mode, 2, 1);
  src = (CwTestSource) { .n = 4, .kind = CW_TASK_MUL10 };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);

  /* the warm-up's children: let GLib finish with them first */
  fds_before = cw_test_count_fds_settled ();
  pool = new_pool (mode, 2, 1);
  src = (CwTestSource) { .n = set.n, .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out };
  cw_test_run_init (&run);
  run.cancel_on_first = cancellable;
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, cancellable, &run);

  g_assert_false (run.ok);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (src.given, <, set.n);
  by_index = cw_test_assert_each_once (&run, src.given);
  for (guint i = 0; i < src.given; i++)
    {
      const CwResult *r = by_index[i];
      g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

      if (r->status == CW_STATUS_CANCELLED)
        {
          n_cancelled++;
          if (g_file_test (output, G_FILE_TEST_EXISTS))
            g_error ("task %u (%s) was reported cancelled, after %u results, but its output exists; "
                     "given %u: %s", i, output, run.n_results, src.given, r->error);
        }
      else
        {
          g_assert_cmpint (r->status, ==, CW_STATUS_OK);
          g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
        }
    }
  /* A worker process inside the long file when the first result comes is
   * stopped in the middle of it. (Threads stop between blocks, when they get
   * there; the sequential thread is idle.) On a loaded machine the short
   * file's worker may start so late that the long one is (nearly) done
   * first: a task is stopped between blocks, and after its last block it
   * closes, checks and publishes its file with nothing left to stop. Then there is nothing to cancel, and the rest of
   * the checks still hold. */
  if (mode == CW_MODE_PROCESSES && !(src.given > 1 && by_index[1] != NULL && by_index[1]->status == CW_STATUS_OK
                                     && g_array_index (run.delivered_us, gint64, 0)
                                        >= by_index[1]->end_us - LAST_STAGES_US))
    g_assert_cmpuint (n_cancelled, >=, 1);
  g_assert_cmpuint (run.stats.n_cancelled, ==, n_cancelled);
  g_assert_cmpuint (run.stats.n_tasks, ==, src.given);
  cw_test_assert_no_part_files (set.out);
  cw_test_run_clear (&run);

  cw_test_close_pool (pool);
  /* back where it was: not one more, and not one fewer */
  cw_test_wait_for_fd_count (fds_before);
  g_assert_cmpuint (cw_test_count_fds (), ==, fds_before);
  cw_test_audio_set_clear (&set);
}

/* ---------------------------------------------------------------------- */
/* determinism */

static void
test_determinism (void)
{
  const char * const names[] = { "a.wav", "b.wav", "c.wav", "d.wav", "e.wav", "f.wav", NULL };
  const guint workers[] = { 1, 2, 4 };
  const guint chunks[] = { 1, 3, 0 };
  GBytes *expected[6] = { NULL };
  guint runs = 0;
  CwTestAudioSet set;

  audio_set_init (&set, names, 0.4);
  for (CwMode mode = CW_MODE_PROCESSES; mode <= CW_MODE_SEQUENTIAL; mode++)
    for (guint w = 0; w < G_N_ELEMENTS (workers); w++)
      for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
        for (CwOrder order = CW_ORDER_ORDERED; order <= CW_ORDER_ALL; order++)
          {
            /* one worker whatever it is told */
            if (mode == CW_MODE_SEQUENTIAL && w > 0)
              continue;

            CwPool *pool = new_pool (mode, workers[w], chunks[c]);
            CwTestSource src = { .n = set.n, .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out };
            CwTestRun run;

            cw_test_run_init (&run);
            cw_test_run_map (pool, &noise_settings, &src, order, NULL, &run);
            g_assert_no_error (run.error);
            for (guint i = 0; i < run.results->len; i++)
              if (cw_test_run_result (&run, i)->status != CW_STATUS_OK)
                {
                  const CwResult *r = cw_test_run_result (&run, i);
                  g_autofree char *output = cw_test_output_of (&set, r->input_path);
                  GStatBuf st = { 0 };

                  /* seen once in CI, never reproduced: say all we know */
                  (void) g_stat (output, &st);
                  g_error ("%s failed with mode %s, %u workers, chunk %u, order %s: %s "
                           "(task %" G_GUINT64_FORMAT ", attempts %u, pid %d, ran %" G_GINT64_FORMAT
                           "..%" G_GINT64_FORMAT " µs, now %" G_GINT64_FORMAT " µs; output inode %ju,"
                           " size %jd, changed %jd s ago; %u results, run %u)",
                           r->input_path, cw_mode_to_string (mode), workers[w],
                           chunks[c], cw_order_to_string (order), r->error, (guint64) r->index,
                           r->attempts, (int) r->pid, r->start_us, r->end_us, g_get_monotonic_time (),
                           (uintmax_t) st.st_ino, (intmax_t) st.st_size,
                           (intmax_t) (time (NULL) - st.st_ctime), run.results->len, runs);
                }
            g_assert_cmpuint (run.stats.n_ok, ==, set.n);
            cw_test_close_pool (pool);

            for (guint i = 0; i < set.n; i++)
              {
                g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);
                g_autoptr(GBytes) bytes = cw_test_read_bytes (output);

                if (expected[i] == NULL)
                  {
                    g_autoptr(GBytes) input = cw_test_read_bytes (set.inputs[i]);

                    /* the noise was really added */
                    g_assert_false (g_bytes_equal (bytes, input));
                    g_assert_cmpuint (g_bytes_get_size (bytes), ==, g_bytes_get_size (input));
                    expected[i] = g_bytes_ref (bytes);
                  }
                else if (!g_bytes_equal (bytes, expected[i]))
                  g_error ("%s differs with mode %s, %u workers, chunk %u, order %s",
                           names[i], cw_mode_to_string (mode), workers[w], chunks[c],
                           cw_order_to_string (order));
                g_assert_cmpint (g_unlink (output), ==, 0);
              }
            cw_test_run_clear (&run);
            runs++;
          }
  g_assert_cmpuint (runs, ==, 27 + 27 + 9);
  /* files differ from each other: each has its own noise */
  g_assert_false (g_bytes_equal (expected[0], expected[3]));
  for (guint i = 0; i < set.n; i++)
    g_bytes_unref (expected[i]);
  cw_test_audio_set_clear (&set);
}


/* ---------------------------------------------------------------------- */
/* when a task starts */

typedef struct
{
  GArray *started;    /* Started */
} StartLog;

typedef struct
{
  guint   slot;
  guint64 index;
  gint64  start_us;
  gint64  seen_us;
} Started;

static void
task_started_cb (CwPool   *pool,
                 guint     slot,
                 guint64   index,
                 gint64    start_us,
                 gpointer  user_data)
{
  StartLog *log = user_data;
  Started st = { slot, index, start_us, g_get_monotonic_time () };

  g_array_append_val (log->started, st);
}

/* The pool says when each worker starts a task (a running task is drawn
 * from then): for every task, within 250 ms of the worker's own start and
 * on the slot that ran it; a chunk's later tasks as the ones before them
 * are answered. (A thread hands a chunk back whole: its chunk is one
 * start, its first task's.) */
static void
test_task_started (gconstpointer data)
{
  CwMode mode = GPOINTER_TO_INT (data);
  const guint chunk_sizes[] = { 1, 3 };

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      CwPool *pool = new_pool (mode, 2, chunk_sizes[c]);
      gint64 args[9];
      CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };
      CwTestRun run;
      StartLog log = { g_array_new (FALSE, FALSE, sizeof (Started)) };
      const CwResult **by_index;

      for (guint i = 0; i < src.n; i++)
        args[i] = 60;
      g_signal_connect (pool, "task-started", G_CALLBACK (task_started_cb), &log);
      cw_test_run_init (&run);
      cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
      g_assert_true (run.ok);
      by_index = cw_test_assert_each_once (&run, src.n);

      for (guint i = 0; i < src.n; i++)
        {
          const Started *st = NULL;

          for (guint j = 0; j < log.started->len; j++)
            if (g_array_index (log.started, Started, j).index == i)
              st = &g_array_index (log.started, Started, j);
          g_assert_nonnull (st);
          g_test_message ("chunks of %u: task %u on slot %u: started %+.1f ms from its own start, "
                          "told %+.1f ms after", chunk_sizes[c], i, st->slot,
                          (st->start_us - by_index[i]->start_us) / 1e3,
                          (st->seen_us - by_index[i]->start_us) / 1e3);
          g_assert_cmpuint (st->slot, ==, by_index[i]->worker);
          g_assert_cmpint (ABS (st->start_us - by_index[i]->start_us), <, 250000);
          g_assert_cmpint (st->seen_us - by_index[i]->start_us, <, 250000);
        }
      /* 60-ms tasks are answered one by one in every mode (a thread hands
       * back what it has done every few milliseconds), so each has a start */
      g_assert_cmpuint (log.started->len, ==, src.n);
      g_free (by_index);
      g_array_unref (log.started);
      cw_test_run_clear (&run);
      cw_test_close_pool (pool);
    }
}

/* Auto chunks: the size reported comes with the task time it was chosen
 * from, not a later estimate. */
static void
test_auto_chosen_estimate (void)
{
  CwPool *pool = new_pool (CW_MODE_PROCESSES, 2, 0);
  gint64 args[40];
  CwTestSource src = { .n = G_N_ELEMENTS (args), .kind = CW_TASK_SPIN, .args = args };
  CwTestRun run;
  guint expected;

  /* 10 ms tasks at first, 40 ms later: the chunks were sized on the first */
  for (guint i = 0; i < src.n; i++)
    args[i] = i < 20 ? 10 : 40;
  cw_test_run_init (&run);
  cw_test_run_map (pool, &synthetic_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_true (run.ok);
  g_test_message ("largest chunk %u, chosen from %.0f µs a task; last estimate %.0f µs",
                  run.stats.max_chunk_size, run.stats.auto_chosen_task_us, run.stats.auto_task_us);
  g_assert_cmpfloat (run.stats.auto_chosen_task_us, >, 0);
  /* the size the pool picks for a 0.1 s trip from that estimate, or
   * fewer where the end of the batch capped it */
  expected = (guint) CLAMP (run.stats.auto_target_trip_us / run.stats.auto_chosen_task_us, 1, 16384);
  g_assert_cmpuint (run.stats.max_chunk_size, <=, expected);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
}

int
main (int   argc,
      char *argv[])
{
  static const struct { const char *name; CwMode mode; } modes[] = {
    { "processes", CW_MODE_PROCESSES },
    { "threads", CW_MODE_THREADS },
    { "sequential", CW_MODE_SEQUENTIAL },
  };

  /* Before any thread: the crash hook only fires for inputs named
   * "crashme", and ASan's own SEGV handler would turn that crash into an
   * abort. Both only reach the workers we spawn. */
  {
    const char *asan = g_getenv ("ASAN_OPTIONS");
    g_autofree char *options = g_strdup_printf ("%s%shandle_segv=0", asan ? asan : "", asan ? ":" : "");

    g_setenv ("ASAN_OPTIONS", options, TRUE);
    g_setenv ("CW_TEST_CRASH_ON", "crashme", TRUE);
    g_unsetenv ("CW_TEST_GARBAGE");
  }

  /* before anything logs: the log tests read the pool's debug messages */
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *mul10 = g_strdup_printf ("/cw/pool/mul10/%s", modes[i].name);
      g_autofree char *apply = g_strdup_printf ("/cw/pool/apply/%s", modes[i].name);
      g_autofree char *errors = g_strdup_printf ("/cw/pool/errors/%s", modes[i].name);
      g_autofree char *cancel = g_strdup_printf ("/cw/pool/cancel/%s", modes[i].name);

      g_test_add_data_func (mul10, GINT_TO_POINTER (modes[i].mode), test_mul10);
      g_test_add_data_func (apply, GINT_TO_POINTER (modes[i].mode), test_apply);
      g_test_add_data_func (errors, GINT_TO_POINTER (modes[i].mode), test_errors);
      g_test_add_data_func (cancel, GINT_TO_POINTER (modes[i].mode), test_cancel);
    }
  g_test_add_func ("/cw/pool/order/ordered", test_order_ordered);
  g_test_add_func ("/cw/pool/order/unordered", test_order_unordered);
  g_test_add_func ("/cw/pool/order/all", test_order_all);
  g_test_add_func ("/cw/pool/chunk-sizes", test_chunk_sizes);
  g_test_add_data_func ("/cw/pool/task-started/processes", GINT_TO_POINTER (CW_MODE_PROCESSES), test_task_started);
  g_test_add_data_func ("/cw/pool/task-started/threads", GINT_TO_POINTER (CW_MODE_THREADS), test_task_started);
  g_test_add_func ("/cw/pool/auto-chosen-estimate", test_auto_chosen_estimate);
  g_test_add_func ("/cw/pool/threads-hand-back", test_threads_hand_back);
  g_test_add_func ("/cw/pool/sequential", test_sequential);
  g_test_add_data_func ("/cw/pool/fault/worker-killed", GINT_TO_POINTER (FALSE), test_worker_killed);
  g_test_add_data_func ("/cw/pool/log/worker-killed", GINT_TO_POINTER (TRUE), test_worker_killed);
  g_test_add_func ("/cw/pool/fault/crash-on", test_crash_on);
  g_test_add_func ("/cw/pool/fault/crash-on-chunk-neighbour", test_crash_on_chunk_neighbour);
  g_test_add_func ("/cw/pool/fault/garbage", test_garbage);
  g_test_add_func ("/cw/pool/nested-main-loop", test_nested_main_loop);
  g_test_add_func ("/cw/pool/fault/bad-worker-path", test_bad_worker_path);
  g_test_add_func ("/cw/pool/fault/start-failures", test_start_failures);
  g_test_add_func ("/cw/pool/determinism", test_determinism);

  return g_test_run ();
}
