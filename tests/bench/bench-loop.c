/* bench-loop.c: how long does a batch hold its caller's main loop, per mode?
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-loop [MODE [KIND [COUNT [ARG]]]]
 *   (default: every mode, mul10, 1,000,000 tasks, 2 workers)
 * A 1 ms heartbeat at the default priority runs on the caller's main
 * context while the pool runs the batch; the longest gap between two beats
 * is the longest the batch held the loop (the window's drawing, at a lower
 * priority, waits at least that long). Prints the batch's wall time, the
 * longest gap and the 99th percentile of the gaps. Engine only, no display
 * (bench-stall measures the window itself).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-pool.h"

#define HEARTBEAT_MS 1

typedef struct
{
  CwTaskKind kind;
  gint64     arg;
  guint64    n_tasks;
  guint64    next;
  guint64    n_results;
  gint64     last_beat;
  gint64     worst_gap;
  GArray    *gaps;
  gboolean   done;
  gboolean   ok;
} Bench;

static gboolean
next_task (gpointer  user_data,
           CwTask   *task)
{
  Bench *b = user_data;

  if (b->next >= b->n_tasks)
    return FALSE;
  task->kind = b->kind;
  task->arg = b->kind == CW_TASK_MUL10 ? (gint64) b->next : b->arg;
  b->next++;
  return TRUE;
}

static void
on_result (const CwResult *result,
           gpointer        user_data)
{
  Bench *b = user_data;

  b->n_results++;
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  Bench *b = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - b->last_beat;

  g_array_append_val (b->gaps, gap);
  b->worst_gap = MAX (b->worst_gap, gap);
  b->last_beat = now;
  return G_SOURCE_CONTINUE;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Bench *b = user_data;

  b->ok = cw_pool_map_finish (CW_POOL (object), result, NULL, NULL);
  b->done = TRUE;
}

static int
compare_gint64 (const void *a,
                const void *c)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) c;

  return (x > y) - (x < y);
}

static void
run (CwMode      mode,
     CwTaskKind  kind,
     guint64     count,
     gint64      arg)
{
  Bench b = { .kind = kind, .arg = arg, .n_tasks = count, .gaps = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  g_autoptr(CwPool) pool = cw_pool_new (mode, 2);
  gint64 t0;
  guint beat;
  gint64 p99 = 0;

  t0 = b.last_beat = g_get_monotonic_time ();
  beat = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, &b);
  cw_pool_map_async (pool, &(CwJobSettings) { .spec = (char *) "copy" }, next_task, &b, NULL,
                     count, CW_ORDER_UNORDERED, on_result, &b, NULL, done_cb, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (beat);
  /* the gap between the last beat and the end counts too */
  heartbeat_cb (&b);

  if (b.gaps->len > 0)
    {
      g_array_sort (b.gaps, compare_gint64);
      p99 = g_array_index (b.gaps, gint64, (b.gaps->len * 99) / 100);
    }
  printf ("%-10s %s x %" G_GUINT64_FORMAT ": %s, %.1f ms; main loop: longest gap %.2f ms, "
          "99th percentile %.2f ms (%u beats)\n",
          cw_mode_to_string (mode), cw_task_kind_to_string (kind), count,
          b.ok && b.n_results == count ? "ok" : "FAILED", (g_get_monotonic_time () - t0) / 1e3,
          b.worst_gap / 1e3, p99 / 1e3, b.gaps->len);
  g_array_unref (b.gaps);
}

int
main (int   argc,
      char *argv[])
{
  CwMode mode = CW_MODE_PROCESSES;
  CwTaskKind kind = CW_TASK_MUL10;
  guint64 count = argc > 3 ? g_ascii_strtoull (argv[3], NULL, 10) : 1000000;
  gint64 arg = argc > 4 ? g_ascii_strtoll (argv[4], NULL, 10) : 1;

  if (argc > 2 && !cw_task_kind_from_string (argv[2], &kind))
    {
      fprintf (stderr, "bench-loop: unknown kind %s\n", argv[2]);
      return 2;
    }
  if (argc > 1 && strcmp (argv[1], "all") != 0)
    {
      if (!cw_mode_from_string (argv[1], &mode))
        {
          fprintf (stderr, "bench-loop: unknown mode %s\n", argv[1]);
          return 2;
        }
      run (mode, kind, count, arg);
      return 0;
    }
  for (mode = CW_MODE_PROCESSES; mode <= CW_MODE_SEQUENTIAL; mode++)
    run (mode, kind, count, arg);
  return 0;
}
