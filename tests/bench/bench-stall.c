/* bench-stall.c: how long does the window's main loop stall while results
 * stream in? (the target in docs/benchmarks.md: under 50 ms for 10,000 spin:ms=1 tasks)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window with the Run page's widgets is shown: the CPU meter (fed by the
 * real sampler), the worker timeline and the result list; a process pool runs 10,000 one-millisecond tasks on every core
 * and every result goes into the list, as in the app. A 5 ms heartbeat
 * timeout measures the main loop: any stall shows as a late heartbeat. Run
 * under Xvfb: xvfb-run -a ./build/tests/bench-stall [N_TASKS]
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "cw-cpu-meter.h"
#include "cw-cpu-sampler.h"
#include "cw-pool.h"
#include "cw-result-view.h"
#include "cw-timeline.h"

#define HEARTBEAT_MS 5

typedef struct
{
  guint64       n_tasks;
  guint64       next;
  CwResultView *view;
  CwCpuMeter   *meter;
  CwTimeline   *timeline;
  gint64        last_beat;
  gint64        worst_gap;
  gint64        worst_at;     /* when it ended, since the start */
  gint64        start;
  GArray       *gaps;
  gboolean      done;
} Bench;

static gboolean
next_task (gpointer  user_data,
           CwTask   *task)
{
  Bench *b = user_data;

  if (b->next >= b->n_tasks)
    return FALSE;
  b->next++;
  task->kind = CW_TASK_SPIN;
  task->arg = 1;
  return TRUE;
}

static void
on_result (const CwResult *result,
           gpointer        user_data)
{
  Bench *b = user_data;

  cw_result_view_add (b->view, result);
  cw_timeline_add (b->timeline, result);
}

static void
map_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Bench *b = user_data;

  cw_pool_map_finish (CW_POOL (object), result, NULL, NULL);
  b->done = TRUE;
}

static gboolean
heartbeat (gpointer user_data)
{
  Bench *b = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - b->last_beat;

  b->last_beat = now;
  if (gap > b->worst_gap)
    {
      b->worst_gap = gap;
      b->worst_at = now - b->start;
    }
  g_array_append_val (b->gaps, gap);
  return G_SOURCE_CONTINUE;
}

static void
sample_cb (CwCpuSampler *sampler,
           CwCpuSample  *sample,
           gpointer      user_data)
{
  Bench *b = user_data;

  cw_cpu_meter_push_sample (b->meter, sample);
  cw_timeline_push_cpu (b->timeline, sample);
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { .n_tasks = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10000 };
  g_autoptr(CwPool) pool = NULL;
  g_autoptr(CwCpuSampler) sampler = NULL;
  GtkWidget *window, *box;
  CwJobSettings settings = { .spec = (char *) "copy" };
  gint64 start, p99;
  guint beat;

  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("bench-stall: no display (run under xvfb-run)\n");
      return 77;
    }
  adw_init ();

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  b.meter = CW_CPU_METER (cw_cpu_meter_new ());
  b.view = CW_RESULT_VIEW (cw_result_view_new ());
  b.timeline = CW_TIMELINE (cw_timeline_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (b.view), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (b.meter));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (b.timeline));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (b.view));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  sampler = cw_cpu_sampler_new (250);
  g_signal_connect (sampler, "sample", G_CALLBACK (sample_cb), &b);
  cw_cpu_sampler_start (sampler);

  /* let the window map and draw once before measuring */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  b.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  pool = cw_pool_new (CW_MODE_PROCESSES, g_getenv ("CW_BENCH_WORKERS") ? atoi (g_getenv ("CW_BENCH_WORKERS")) : 0);
  cw_pool_set_worker_nice (pool, 5);  /* as the window does */
  start = b.start = b.last_beat = g_get_monotonic_time ();
  cw_result_view_clear (b.view, start);
  cw_timeline_clear (b.timeline, start, cw_pool_get_n_workers (pool));
  beat = g_timeout_add (HEARTBEAT_MS, heartbeat, &b);
  cw_pool_map_async (pool, &settings, next_task, &b, NULL, b.n_tasks, CW_ORDER_UNORDERED,
                     on_result, &b, NULL, map_done, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  cw_result_view_flush (b.view);
  cw_timeline_set_running (b.timeline, FALSE);
  g_source_remove (beat);

  g_array_sort (b.gaps, compare_gaps);
  p99 = b.gaps->len > 0 ? g_array_index (b.gaps, gint64, b.gaps->len * 99 / 100) : 0;
  g_print ("%" G_GUINT64_FORMAT " spin:ms=1 tasks on %u workers in %.2f s; %u rows in the list, "
           "%u bars on the timeline's first lane\n",
           b.n_tasks, cw_pool_get_n_workers (pool), (g_get_monotonic_time () - start) / 1e6,
           g_list_model_get_n_items (cw_result_view_get_model (b.view)),
           cw_timeline_get_n_bars (b.timeline, 0));
  g_print ("main loop: longest stall %.1f ms (ending at %.2f s), 99th percentile %.1f ms "
           "(heartbeat every %d ms; goal < 50 ms)\n",
           (b.worst_gap - HEARTBEAT_MS * 1000) / 1000.0, b.worst_at / 1e6,
           (p99 - HEARTBEAT_MS * 1000) / 1000.0, HEARTBEAT_MS);

  cw_cpu_sampler_stop (sampler);
  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (b.gaps);
  return b.worst_gap - HEARTBEAT_MS * 1000 < 50000 ? 0 : 1;
}
