/* cw-lab-overhead.c: the cost of a trip to a process
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mul10, the lesson's trivial task, one after another in this process and
 * then through the pool at several chunk sizes: µs per task.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

static void
local_mul10 (CwLabRun *run,
             guint     step_index)
{
  CwLabStep *step = g_ptr_array_index (run->steps, step_index);
  volatile gint64 sink = 0;
  gint64 t0 = g_get_monotonic_time ();

  /* the same task, one after another in this process, through the same
   * function the workers run */
  for (guint i = 0; i < step->n_tasks; i++)
    {
      CwTask task = { .index = i, .kind = CW_TASK_MUL10, .arg = i };
      CwResult result;

      cw_task_run (NULL, NULL, &task, &result, NULL);
      sink += result.value;
    }
  (void) sink;
  step->wall_us = g_get_monotonic_time () - t0;
}

void
cw_lab_overhead_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_tasks = run->quick ? 20000 : 200000;
  static const guint sizes[] = { 1, 10, 100, 1000, 10000 };

  cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "sequential")->local_func = local_mul10;
  cw_lab_run_find_step (run, "sequential")->n_tasks = n_tasks;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *d = g_strdup_printf ("pool, chunk size %u", sizes[i]);

      if (run->quick && sizes[i] > 1000)
        break;
      cw_lab_run_add_batch (run, d, CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7)->chunk_size = sizes[i];
    }
  cw_lab_run_add_batch (run, "pool, chunk size auto", CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7)->chunk_size = 0;
}

CwLabReport *
cw_lab_overhead_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_OVERHEAD, _("Chunk size (tasks per trip)"), _("µs per task"),
                                    "setting", "chunk_size", "wall_s", "us_per_task", NULL);
  CwLabStep *seq = cw_lab_run_find_step (run, "sequential");
  CwLabSeries *s_pool = cw_lab_report_add_series (report, _("Pool (processes)"), FALSE);
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), TRUE);
  double seq_us = (double) MAX (seq->wall_us, 1) / seq->n_tasks;
  double k1_us = 0, best_us = G_MAXDOUBLE, auto_us = 0;
  guint best_k = 0, auto_k = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);
      double per = (double) MAX (step->wall_us, 1) / step->n_tasks;
      g_autofree char *k = step->kind == CW_LAB_STEP_LOCAL ? g_strdup ("")
                           : step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *wall = cw_lab_format_double (cw_lab_seconds (step->wall_us), 4);
      g_autofree char *us = cw_lab_format_double (per, 3);

      cw_lab_report_add_row (report, step->description, k, wall, us);
      if (step->kind == CW_LAB_STEP_LOCAL)
        continue;
      if (step->chunk_size == 0)
        {
          auto_us = per;
          auto_k = step->stats.max_chunk_size;
          cw_lab_series_add_point (s_pool, "auto", MAX (auto_k, 1), per);
          continue;
        }
      cw_lab_series_add_point (s_pool, k, step->chunk_size, per);
      if (step->chunk_size == 1)
        k1_us = per;
      if (per < best_us)
        best_us = per, best_k = step->chunk_size;
    }
  cw_lab_series_add_point (s_seq, NULL, 1, seq_us);
  cw_lab_series_add_point (s_seq, NULL, MAX (best_k, auto_k) * 10.0, seq_us);
  report->log_x = TRUE;

  g_string_append_printf (text,
                          _("Multiplying %u numbers by 10 one after another costs %.3f µs a task. Through a pool of %u processes, one task per trip, "
                            "each costs %.1f µs: the message to the worker, the answer back and waking both sides take %.0f times longer than the work. "),
                          seq->n_tasks, seq_us, run->max_workers, k1_us, k1_us / MAX (seq_us, 0.001));
  g_string_append_printf (text,
                          _("Chunks spread that cost: with %u tasks per trip it falls to %.3f µs, and auto (up to %u per trip) reached %.3f µs. "
                            "Even so, work this small is faster done in place: a pool pays off only when a task takes much longer than the trip."),
                          best_k, best_us, auto_k, auto_us);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
