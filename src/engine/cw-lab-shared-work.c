/* cw-lab-shared-work.c: the same work done many times
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fib (0) … fib (N-1) naively, one task per number on N workers, against
 * one process that keeps each number and adds the two before it.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

static void
local_fib_memo (CwLabRun *run,
                guint     step_index)
{
  CwLabStep *step = g_ptr_array_index (run->steps, step_index);
  gint64 t0 = g_get_monotonic_time ();
  g_autofree gint64 *memo = g_new0 (gint64, MAX (step->n_tasks, 2));
  volatile gint64 sink = 0;

  /* fib (i) for every i, each from the two before it: the work the naive
   * tasks repeat in every worker is done once */
  memo[0] = 0;
  memo[1] = 1;
  for (guint i = 2; i < step->n_tasks; i++)
    memo[i] = memo[i - 1] + memo[i - 2];
  for (guint i = 0; i < step->n_tasks; i++)
    sink += memo[i];
  (void) sink;
  step->wall_us = MAX (g_get_monotonic_time () - t0, 1);
}

void
cw_lab_shared_work_plan (CwLabRun *run)
{
  guint n_tasks = run->quick ? 30 : 40;
  CwLabStep *step;

  step = cw_lab_run_add_batch (run, "naive, each task on its own", CW_MODE_PROCESSES, run->max_workers,
                               CW_TASK_FIB, n_tasks, 0);
  step->fib_series = TRUE;
  step->chunk_size = 0;
  step = cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "memoised, one pass");
  step->local_func = local_fib_memo;
  step->n_tasks = n_tasks;
}

CwLabReport *
cw_lab_shared_work_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_SHARED_WORK, NULL, _("Seconds"),
                                    "method", "workers", "tasks", "wall_s", "cpu_s", NULL);
  CwLabStep *naive = cw_lab_run_find_step (run, "naive, each task on its own");
  CwLabStep *memo = cw_lab_run_find_step (run, "memoised, one pass");
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  g_autofree char *nw = g_strdup_printf ("%u", naive->n_workers);
  g_autofree char *nt = g_strdup_printf ("%u", naive->n_tasks);
  g_autofree char *w1 = cw_lab_format_double (cw_lab_seconds (naive->wall_us), 4);
  g_autofree char *c1 = cw_lab_format_double (cw_lab_seconds (naive->stats.cpu_us), 4);
  g_autofree char *w2 = cw_lab_format_double (cw_lab_seconds (memo->wall_us), 6);
  g_autofree char *c2 = cw_lab_format_double (cw_lab_seconds (memo->wall_us), 6);
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_series_add_point (s_wall, naive->description, 0, cw_lab_seconds (naive->wall_us));
  cw_lab_series_add_point (s_wall, memo->description, 1, cw_lab_seconds (memo->wall_us));
  cw_lab_report_add_row (report, naive->description, nw, nt, w1, c1);
  cw_lab_report_add_row (report, memo->description, "1", nt, w2, c2);

  g_string_append_printf (text,
                          _("Computing fib (0) … fib (%u) naively, one task per number on %u worker processes, took %.3f s and %.3f s of CPU: "
                            "every task recomputes all the numbers below its own, and the workers cannot share what the others found. "
                            "One process that keeps each number and adds the two before it took %.1f µs, %.0f times faster. "
                            "Before spreading work over cores, make sure it is not the same work many times."),
                          naive->n_tasks - 1, naive->n_workers, cw_lab_seconds (naive->wall_us),
                          cw_lab_seconds (naive->stats.cpu_us),
                          (double) memo->wall_us, (double) naive->wall_us / MAX (memo->wall_us, 1));
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
