/* cw-lab-shared-work.c: the same work done many times
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fib (0) … fib (N-1) naively, one number after another in this process,
 * then one task per number on the worker processes, against one process
 * that keeps each number and adds the two before it.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <time.h>

#include <glib/gi18n-lib.h>

/* fib (0..38): about 0.1 s of naive work, several times a worker's
 * start; fib (0..39) is the lesson's */
#define QUICK_NUMBERS 39
#define FULL_NUMBERS  40

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The naive tasks, one after another in this process, through the
 * function the workers run: the baseline the workers' speed-up is
 * measured against. */
static void
local_fib_naive (CwLabRun     *run,
                 guint         step_index,
                 CwLabMeasure *measure)
{
  CwLabStep *step = cw_lab_run_get_step (run, step_index);
  gint64 t0 = g_get_monotonic_time ();
  gint64 cpu0 = thread_cpu_us ();

  measure->timeline = g_new0 (CwLabTimeline, 1);
  measure->timeline->setting = g_strdup (step->description);
  measure->timeline->n_lanes = 1;
  measure->timeline->bars = g_array_new (FALSE, FALSE, sizeof (CwLabBar));
  for (guint i = 0; i < step->n_tasks; i++)
    {
      CwTask task = { .index = i, .kind = CW_TASK_FIB, .arg = i };
      CwResult result;
      CwLabBar bar = { .lane = 0, .n_tasks = 1 };

      cw_task_run (NULL, NULL, &task, &result, NULL);
      bar.start_us = result.start_us - t0;
      bar.end_us = result.end_us - t0;
      bar.status = result.status;
      g_array_append_val (measure->timeline->bars, bar);
      cw_result_clear (&result);
    }
  measure->wall_us = MAX (g_get_monotonic_time () - t0, 1);
  measure->stats.cpu_us = thread_cpu_us () - cpu0;
  measure->timeline->wall_us = measure->wall_us;
  cw_lab_timeline_finish (measure->timeline);
}

/* fib (i) for every i, each from the two before it: the work the naive
 * tasks repeat in every worker, done once. It takes nanoseconds: timed
 * over as many passes as fit in 2 ms. */
static void
local_fib_memo (CwLabRun     *run,
                guint         step_index,
                CwLabMeasure *measure)
{
  CwLabStep *step = cw_lab_run_get_step (run, step_index);
  g_autofree gint64 *memo = g_new0 (gint64, MAX (step->n_tasks, 2));
  volatile gint64 sink = 0;
  gint64 t0 = g_get_monotonic_time (), elapsed;
  guint64 passes = 0;

  do
    {
      memo[0] = 0;
      memo[1] = 1;
      for (guint i = 2; i < step->n_tasks; i++)
        memo[i] = memo[i - 1] + memo[i - 2];
      for (guint i = 0; i < step->n_tasks; i++)
        sink += memo[i];
      passes++;
      elapsed = g_get_monotonic_time () - t0;
    }
  while (elapsed < 2000);
  (void) sink;
  measure->wall_us = elapsed;
  measure->passes = passes;
  measure->stats.cpu_us = elapsed;
}

void
cw_lab_shared_work_plan (CwLabRun *run)
{
  guint n_tasks = run->quick ? QUICK_NUMBERS : FULL_NUMBERS;
  g_autofree char *parallel = g_strdup_printf ("naive, %u processes", run->max_workers);
  CwLabStep *step;

  step = cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "naive, one process");
  step->local_func = local_fib_naive;
  step->n_tasks = n_tasks;
  step->n_workers = 1;
  step->show_timeline = TRUE;
  step = cw_lab_run_add_batch (run, parallel, CW_MODE_PROCESSES, run->max_workers, CW_TASK_FIB, n_tasks, 0);
  step->fib_series = TRUE;
  step->chunk_size = 1;
  step->show_timeline = TRUE;
  step = cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "memoised, one pass");
  step->local_func = local_fib_memo;
  step->n_tasks = n_tasks;
  step->n_workers = 1;
  /* pages the worker in and warms the CPU for the first naive run */
  run->warm_up_step = 1;
}

static double
cpu_s (const CwLabMeasure *measure)
{
  return cw_lab_seconds (measure->stats.cpu_us) / MAX (measure->passes, 1);
}

CwLabReport *
cw_lab_shared_work_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_SHARED_WORK, NULL, _("Seconds"),
                                            "method", "workers", "tasks", "runs", "wall_s", "spread_s", "cpu_s",
                                            "speedup", NULL);
  CwLabStep *single = cw_lab_run_get_step (run, 0);
  CwLabStep *parallel = cw_lab_run_get_step (run, 1);
  CwLabStep *memo = cw_lab_run_get_step (run, 2);
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_cpu = cw_lab_report_add_series (report, _("CPU time (s)"), FALSE);
  CwLabStat W[3], C[3];
  CwLabStep *steps[] = { single, parallel, memo };
  int decimals[3];
  char *speedups[3] = { NULL, NULL, NULL };
  g_autofree char *t1 = NULL, *t1_sp = NULL, *tp = NULL, *tp_sp = NULL, *cpu_p = NULL, *tm = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Method"), _("Workers"), _("Tasks"), _("Runs"), _("Wall time (s, median)"),
                              _("Spread (s)"), _("CPU time (s, median)"), _("Speed-up over one process"), NULL);
  W[0] = cw_lab_step_wall (single);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      CwLabStep *step = steps[i];
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *t = g_strdup_printf ("%u", step->n_tasks);
      g_autofree char *runs = NULL, *wall = NULL, *sp = NULL, *cpu = NULL;

      double up;

      W[i] = cw_lab_step_wall (step);
      C[i] = cw_lab_step_stat (step, cpu_s);
      up = W[0].median / MAX (W[i].median, 1e-12);
      /* three significant digits: 0.490 s and 0.0000000450 s alike */
      decimals[i] = MAX (3, cw_lab_decimals_for (W[i].median, 3));
      runs = g_strdup_printf ("%u", W[i].n);
      wall = cw_lab_format_double (W[i].median, decimals[i]);
      sp = cw_lab_format_double (cw_lab_stat_spread (&W[i]), decimals[i]);
      cpu = cw_lab_format_double (C[i].median, decimals[i]);
      cw_lab_series_add_stat (s_wall, step->description, i, &W[i]);
      cw_lab_series_add_stat (s_cpu, step->description, i, &C[i]);
      /* 1.92, and 9640000 rather than 9640000.00 */
      speedups[i] = cw_lab_format_double (up, up < 100 ? 2 : 0);
      cw_lab_report_add_row (report, step->description, w, t, runs, wall, sp, cpu, speedups[i]);
    }

  t1 = cw_lab_text_double (W[0].median, decimals[0]);
  t1_sp = cw_lab_text_double (cw_lab_stat_spread (&W[0]), decimals[0]);
  tp = cw_lab_text_double (W[1].median, decimals[1]);
  tp_sp = cw_lab_text_double (cw_lab_stat_spread (&W[1]), decimals[1]);
  cpu_p = cw_lab_text_double (C[1].median, decimals[1]);
  tm = cw_lab_text_double (W[2].median, decimals[2]);

  g_string_append_printf (text, _("Naive Fibonacci, fib (0) … fib (%u), one task per number, took %s s in one "
                                  "process (spread %s s) and %s s on %u worker processes (spread %s s)"),
                          single->n_tasks - 1, t1, t1_sp, tp, parallel->n_workers, tp_sp);
  if (!cw_lab_stat_differs (&W[1], &W[0]))
    g_string_append (text, _(", within noise of one process. "));
  else if (W[1].median < W[0].median)
    g_string_append_printf (text, _(", %s× faster. "), speedups[1]);
  else
    g_string_append (text, _(", slower than one process. "));
  g_string_append_printf (text, _("Every task recomputes all the numbers below its own and the workers cannot "
                                  "share what the others found: together they still spent %s s of CPU. "), cpu_p);
  if (cw_lab_stat_differs (&W[2], &W[1]) && W[2].median < W[1].median)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append_printf (text, _("One process that keeps each number and adds the two before it took %s s, "
                                      "%s× faster than the naive one: more cores can divide the time by %u at "
                                      "most, doing each number once divided it by far more. Before spreading work "
                                      "over cores, make sure it is not the same work many times."),
                              tm, speedups[2], parallel->n_workers);
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
      g_string_append_printf (text, _("One process that keeps each number took %s s, within noise of the naive "
                                      "work: at this size there is too little repeated work to show. %s"),
                              tm, cw_lab_noise_advice (run));
    }
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (speedups); i++)
    g_free (speedups[i]);
  return report;
}
