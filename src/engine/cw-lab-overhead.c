/* cw-lab-overhead.c: the cost of a trip to a process
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mul10, the lesson's trivial task, one after another in this process and
 * then through the pool at several chunk sizes: µs per task. The workers
 * are started before the clock runs: this is the cost of a trip, and a
 * worker's start costs more from a big parent (the window) than from a
 * small one (the CLI).
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

static void
local_mul10 (CwLabRun     *run,
             guint         step_index,
             CwLabMeasure *measure)
{
  CwLabStep *step = cw_lab_run_get_step (run, step_index);
  volatile gint64 sink = 0;
  gint64 t0 = g_get_monotonic_time ();
  CwLabBar bar = { .lane = 0, .n_tasks = step->n_tasks, .status = CW_STATUS_OK };

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
  measure->wall_us = MAX (g_get_monotonic_time () - t0, 1);
  bar.end_us = measure->wall_us;
  measure->timeline = g_new0 (CwLabTimeline, 1);
  measure->timeline->setting = g_strdup (step->description);
  measure->timeline->n_lanes = 1;
  measure->timeline->wall_us = measure->wall_us;
  measure->timeline->bars = g_array_new (FALSE, FALSE, sizeof (CwLabBar));
  g_array_append_val (measure->timeline->bars, bar);
}

void
cw_lab_overhead_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_tasks = run->quick ? 20000 : 200000;
  static const guint sizes[] = { 1, 10, 100, 1000, 10000 };
  CwLabStep *step;

  step = cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "sequential");
  step->local_func = local_mul10;
  step->n_tasks = n_tasks;
  step->show_timeline = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *d = g_strdup_printf ("pool, chunk size %u", sizes[i]);

      if (run->quick && sizes[i] > 1000)
        break;
      step = cw_lab_run_add_batch (run, d, CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7);
      step->chunk_size = sizes[i];
      step->show_timeline = TRUE;
      /* a trip's cost, not a worker's start: forking a big parent (the
       * window) costs ms that a small one (the CLI) does not pay */
      step->spawn_first = TRUE;
      step->spawn_ms = 1;
    }
  step = cw_lab_run_add_batch (run, "pool, chunk size auto", CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7);
  step->chunk_size = 0;
  step->show_timeline = TRUE;
  step->spawn_first = TRUE;
  step->spawn_ms = 1;
  /* pages the worker in: the first pool is not the only one to start cold */
  run->warm_up_step = run->steps->len - 1;
}

/* µs a task, over the runs */
static CwLabStat
per_task (const CwLabStep *step)
{
  CwLabStat stat = cw_lab_step_wall (step);
  double scale = 1e6 / MAX (step->n_tasks, 1);

  stat.median *= scale;
  stat.lo *= scale;
  stat.hi *= scale;
  return stat;
}

CwLabReport *
cw_lab_overhead_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_OVERHEAD, _("Chunk size (tasks per trip)"), _("µs per task"),
                                            "setting", "chunk_size", "runs", "wall_s", "spread_s", "us_per_task",
                                            "largest_chunk", NULL);
  CwLabStep *seq = cw_lab_run_find_step (run, "sequential");
  CwLabStep *k1 = cw_lab_run_find_step (run, "pool, chunk size 1");
  CwLabStep *best = NULL, *autostep = NULL;
  CwLabSeries *s_pool = cw_lab_report_add_series (report, _("Pool (processes)"), FALSE);
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), TRUE);
  CwLabStat S, K1, B, A;
  guint auto_k = 0;
  g_autofree char *s_wall = NULL, *s_us = NULL, *k1_wall = NULL, *k1_us = NULL, *b_us = NULL, *a_us = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Setting"), _("Chunk size"), _("Runs"), _("Wall time (s, median)"),
                              _("Spread (s)"), _("µs per task"), _("Largest chunk"), NULL);
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = cw_lab_run_get_step (run, i);
      const CwLabMeasure *median = cw_lab_step_median_measure (step);
      CwLabStat wall = cw_lab_step_wall (step);
      CwLabStat per = per_task (step);
      g_autofree char *k = step->kind == CW_LAB_STEP_LOCAL ? g_strdup ("")
                           : step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *runs = g_strdup_printf ("%u", wall.n);
      g_autofree char *m = cw_lab_format_double (wall.median, 4);
      g_autofree char *sp = cw_lab_format_double (cw_lab_stat_spread (&wall), 4);
      g_autofree char *us = cw_lab_format_double (per.median, 3);
      g_autofree char *largest = step->kind == CW_LAB_STEP_LOCAL || median == NULL ? g_strdup ("")
                                 : g_strdup_printf ("%u", median->stats.max_chunk_size);

      cw_lab_report_add_row (report, step->description, k, runs, m, sp, us, largest);
      if (step->kind == CW_LAB_STEP_LOCAL)
        continue;
      if (step->chunk_size == 0)
        {
          autostep = step;
          auto_k = median ? median->stats.max_chunk_size : 0;
          cw_lab_series_add_stat (s_pool, "auto", MAX (auto_k, 1), &per);
          continue;
        }
      cw_lab_series_add_stat (s_pool, k, step->chunk_size, &per);
      if (best == NULL || per.median < per_task (best).median)
        best = step;
    }
  g_assert (best != NULL && autostep != NULL);
  S = per_task (seq);
  K1 = per_task (k1);
  B = per_task (best);
  A = per_task (autostep);
  cw_lab_series_add_point (s_seq, NULL, 1, S.median);
  cw_lab_series_add_point (s_seq, NULL, MAX (best->chunk_size, auto_k) * 10.0, S.median);
  report->log_x = TRUE;

  s_wall = cw_lab_text_double (cw_lab_step_wall (seq).median, 4);
  s_us = cw_lab_text_double (S.median, 3);
  k1_wall = cw_lab_text_double (cw_lab_step_wall (k1).median, 4);
  k1_us = cw_lab_text_double (K1.median, 3);
  b_us = cw_lab_text_double (B.median, 3);
  a_us = cw_lab_text_double (A.median, 3);

  g_string_append_printf (text, _("One after another in this process, multiplying %u numbers by 10 took %s s: "
                                  "%s µs a task. "), seq->n_tasks, s_wall, s_us);
  if (cw_lab_stat_differs (&K1, &S) && K1.median > S.median)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append_printf (text, _("Through a pool of %u processes, one task per trip, it took %s s: %s µs a "
                                      "task, %.0f times as long. The message to the worker, the answer back and "
                                      "waking both sides cost far more than the work. "),
                              k1->n_workers, k1_wall, k1_us, K1.median / MAX (S.median, 1e-6));
    }
  else if (cw_lab_stat_differs (&K1, &S))
    {
      report->verdict = CW_LAB_VERDICT_DISAGREED;
      g_string_append_printf (text, _("Through a pool of %u processes, one task per trip, it took %s s: %s µs a "
                                      "task, less than in place, which a trip to another process should never "
                                      "manage: this machine was busy during the loop in place. "),
                              k1->n_workers, k1_wall, k1_us);
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
      g_string_append_printf (text, _("Through a pool of %u processes, one task per trip, it took %s s: %s µs a "
                                      "task, within noise of the loop in place. %s "),
                              k1->n_workers, k1_wall, k1_us, cw_lab_noise_advice (run));
    }

  if (best != k1 && cw_lab_stat_differs (&B, &K1))
    g_string_append_printf (text, _("Chunks spread that cost: with %u tasks per trip it fell to %s µs a task. "),
                            best->chunk_size, b_us);
  else
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "Bigger chunks did not lower that beyond noise: the best, %u task "
                                               "per trip, took %s µs a task. ",
                                               "Bigger chunks did not lower that beyond noise: the best, %u tasks "
                                               "per trip, took %s µs a task. ", best->chunk_size),
                            best->chunk_size, b_us);
  g_string_append_printf (text, _("Auto, sending up to %u tasks per trip, reached %s µs a task, %s "), auto_k, a_us,
                          !cw_lab_stat_differs (&A, &B) ? _("within noise of the best fixed size.")
                          : A.median < B.median ? _("better than the best fixed size.")
                          : _("more than the best fixed size."));
  if (cw_lab_stat_differs (&B, &S) && B.median > S.median)
    g_string_append (text, _("Even so, work this small is faster done in place: a pool pays off only when a task "
                             "takes much longer than the trip."));
  else
    g_string_append (text, _("At its best the pool kept up with the loop in place: the chunks were big enough "
                             "to hide the trips."));
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
