/* cw-lab-chunks.c: tasks per trip, 1, 2, 4, ... and auto
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same batch with ever bigger chunks, then the pool's own choice: wall
 * time, the time a worker sat idle at the end, the workers' own peak
 * memory, and where auto landed. There are always more tasks than workers
 * times the biggest chunk, so the last chunk lands on one worker while
 * another has nothing left: the effect the lesson warns about, drawn in
 * each setting's timeline.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

/* The quick run: uneven CPU-bound tasks (like files of different
 * lengths), 12 a worker, so chunks of 8 make one and a half chunks a
 * worker: half the workers get a second chunk, the others wait. */
static const gint64 quick_spin_ms[] = { 4, 8, 12 };
#define QUICK_TASKS_A_WORKER 12

void
cw_lab_chunks_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_tasks = run->quick ? QUICK_TASKS_A_WORKER * n : run->inputs->len;
  CwTaskKind kind = run->quick ? CW_TASK_SPIN : CW_TASK_AUDIO;
  CwLabStep *step;

  /* 1, 2, 4, … while workers × size stays below the tasks */
  for (guint k = 1; k == 1 || (guint64) n * k < n_tasks; k *= 2)
    {
      g_autofree char *d = g_strdup_printf ("chunk size %u", k);

      step = cw_lab_run_add_batch (run, d, CW_MODE_PROCESSES, n, kind, n_tasks, 0);
      step->chunk_size = k;
      step->show_timeline = TRUE;
      if (run->quick)
        {
          step->spin_ms = quick_spin_ms;
          step->n_spin_ms = G_N_ELEMENTS (quick_spin_ms);
        }
    }
  step = cw_lab_run_add_batch (run, "chunk size auto", CW_MODE_PROCESSES, n, kind, n_tasks, 0);
  step->chunk_size = 0;
  step->show_timeline = TRUE;
  if (run->quick)
    {
      step->spin_ms = quick_spin_ms;
      step->n_spin_ms = G_N_ELEMENTS (quick_spin_ms);
    }
  run->warm_up_step = run->steps->len - 1;
}

static double
peak_mib (const CwLabMeasure *measure)
{
  return measure->workers_peak_kb / 1024.0;
}

/* The seconds the first worker to run out of work waited for the last,
 * in the run the timeline shows. */
static double
idle_at_end_s (const CwLabStep *step)
{
  const CwLabMeasure *median = cw_lab_step_median_measure (step);

  if (median == NULL || median->timeline == NULL)
    return 0;
  return cw_lab_seconds (cw_lab_timeline_idle_at_end (median->timeline));
}

CwLabReport *
cw_lab_chunks_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_CHUNKS, _("Chunk size (tasks per trip)"), _("Seconds / MiB"),
                                            "chunk_size", "runs", "wall_s", "spread_s", "trips", "largest_chunk",
                                            "idle_at_end_s", "workers_peak_mib", "auto_task_ms", "auto_target_s", NULL);
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_mem = cw_lab_report_add_series (report, _("Workers’ peak memory (MiB)"), FALSE);
  CwLabSeries *s_auto = cw_lab_report_add_series (report, _("Auto"), FALSE);
  CwLabStep *best = NULL, *worst = NULL, *largest = NULL, *autostep = NULL;
  const CwLabMeasure *auto_median;
  CwLabStat B, W, A;
  double mem_min = G_MAXDOUBLE, mem_max = -1;
  CwLabStep *mem_min_step = NULL, *mem_max_step = NULL;
  guint n_fixed = 0;
  gboolean files;
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Chunk size"), _("Runs"), _("Wall time (s, median)"), _("Spread (s)"),
                              _("Trips"), _("Largest chunk"), _("Idle at the end (s)"),
                              _("Workers’ peak memory (MiB)"), _("Auto: a task (ms)"), _("Auto: trip aimed at (s)"),
                              NULL);
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = cw_lab_run_get_step (run, i);
      const CwLabMeasure *median = cw_lab_step_median_measure (step);
      CwLabStat wall = cw_lab_step_wall (step);
      CwLabStat mem = cw_lab_step_stat (step, peak_mib);
      g_autofree char *k = step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *runs = g_strdup_printf ("%u", wall.n);
      g_autofree char *m = cw_lab_format_double (wall.median, 3);
      g_autofree char *sp = cw_lab_format_double (cw_lab_stat_spread (&wall), 3);
      g_autofree char *trips = g_strdup_printf ("%" G_GUINT64_FORMAT, median ? median->stats.n_trips : 0);
      g_autofree char *largest_k = g_strdup_printf ("%u", median ? median->stats.max_chunk_size : 0);
      g_autofree char *idle = cw_lab_format_double (idle_at_end_s (step), 3);
      g_autofree char *mib = cw_lab_format_double (mem.median, 1);
      g_autofree char *task_ms = NULL, *target = NULL;

      if (step->chunk_size == 0 && median != NULL)
        {
          task_ms = cw_lab_format_double (MAX (median->stats.auto_task_us, 0) / 1000.0, 1);
          target = cw_lab_format_double (median->stats.auto_target_trip_us / 1e6, 2);
        }
      cw_lab_report_add_row (report, k, runs, m, sp, trips, largest_k, idle, mib,
                             task_ms ? task_ms : "", target ? target : "");
      if (mem.median < mem_min)
        mem_min = mem.median, mem_min_step = step;
      if (mem.median > mem_max)
        mem_max = mem.median, mem_max_step = step;
      if (step->chunk_size == 0)
        {
          autostep = step;
          cw_lab_series_add_stat (s_auto, "auto", MAX (median ? median->stats.max_chunk_size : 1, 1), &wall);
          continue;
        }
      cw_lab_series_add_stat (s_wall, k, step->chunk_size, &wall);
      cw_lab_series_add_stat (s_mem, k, step->chunk_size, &mem);
      n_fixed++;
      if (best == NULL || wall.median < cw_lab_step_wall (best).median)
        best = step;
      if (worst == NULL || wall.median > cw_lab_step_wall (worst).median)
        worst = step;
      if (largest == NULL || step->chunk_size > largest->chunk_size)
        largest = step;
    }
  report->log_x = TRUE;

  /* every plan has fixed sizes and an auto step (scan-build in CI) */
  g_assert (best != NULL && worst != NULL && largest != NULL && autostep != NULL);
  g_assert (mem_min_step != NULL && mem_max_step != NULL);
  files = best->task_kind == CW_TASK_AUDIO;
  B = cw_lab_step_wall (best);
  W = cw_lab_step_wall (worst);
  A = cw_lab_step_wall (autostep);
  auto_median = cw_lab_step_median_measure (autostep);

  if (n_fixed < 2)
    {
      report->verdict = CW_LAB_VERDICT_UNTESTED;
      g_string_append_printf (text, _("With %u tasks for %u workers, only chunks of one leave every worker a chunk, "
                                      "so there are no chunk sizes to compare: queue more files than workers. "),
                              best->n_tasks, best->n_workers);
    }
  else
    {
      g_autofree char *b_s = cw_lab_text_double (B.median, 3);
      g_autofree char *b_sp = cw_lab_text_double (cw_lab_stat_spread (&B), 3);
      g_autofree char *w_s = cw_lab_text_double (W.median, 3);
      g_autofree char *w_sp = cw_lab_text_double (cw_lab_stat_spread (&W), 3);

      g_string_append_printf (text, _("The fastest fixed chunk size was %u (%s s, spread %s s) and the slowest %u "
                                      "(%s s, spread %s s). "),
                              best->chunk_size, b_s, b_sp, worst->chunk_size, w_s, w_sp);
      if (cw_lab_stat_differs (&B, &W))
        {
          report->verdict = CW_LAB_VERDICT_AGREED;
          if (worst == largest)
            {
              g_autofree char *idle = cw_lab_text_double (idle_at_end_s (worst), 3);
              guint n_chunks = (worst->n_tasks + worst->chunk_size - 1) / worst->chunk_size;

              g_string_append_printf (text, _("In chunks of %u, the %u tasks made %u trips for %u workers, so the "
                                              "end of the batch waited for a worker still busy with its last chunk: "
                                              "the first worker to run out of work sat idle for %s s (its timeline "
                                              "shows the gap). "),
                                      worst->chunk_size, worst->n_tasks, n_chunks, worst->n_workers, idle);
            }
          else if (worst->chunk_size == 1)
            g_string_append (text, _("One task per trip was the slowest: every trip costs a message each way, and "
                                     "with tasks this short that adds up. "));
        }
      else
        {
          report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
          g_string_append_printf (text, _("That is within noise: some runs of each beat some runs of the other, so "
                                          "at this size the chunk size made no difference this machine can show. "
                                          "%s "), cw_lab_noise_advice (run));
        }
    }

  {
    g_autofree char *task_ms = cw_lab_text_double (auto_median ? MAX (auto_median->stats.auto_task_us, 0) / 1000.0 : 0, 1);
    g_autofree char *target = cw_lab_text_double (auto_median ? auto_median->stats.auto_target_trip_us / 1e6 : 0, 2);
    g_autofree char *a_s = cw_lab_text_double (A.median, 3);

    g_string_append_printf (text, _("Auto measured %s ms a task and, aiming at trips of about %s s, sent at most %u "
                                    "at a time: %s s, "),
                            task_ms, target, auto_median ? auto_median->stats.max_chunk_size : 0, a_s);
    if (!cw_lab_stat_differs (&A, &B))
      g_string_append (text, _("within noise of the fastest fixed size. "));
    else if (A.median < B.median)
      g_string_append (text, _("faster than the fastest fixed size. "));
    else
      g_string_append (text, _("slower than the fastest fixed size. "));
  }

  {
    g_autofree char *lo = cw_lab_text_double (mem_min, 1);
    g_autofree char *hi = cw_lab_text_double (mem_max, 1);

    if (g_str_equal (lo, hi))
      g_string_append_printf (text, _("The workers’ own peak memory was %s MiB at every chunk size: %s"), lo,
                              files ? _("a chunk carries file names, not samples, and a worker streams one file "
                                        "at a time.")
                                    : _("a chunk of these tasks carries only their numbers."));
    else if (mem_max - mem_min <= 1.0)
      g_string_append_printf (text, _("The workers’ own peak memory stayed between %s and %s MiB at every chunk "
                                      "size: %s"),
                              lo, hi,
                              files ? _("a chunk carries file names, not samples, and a worker streams one file "
                                        "at a time.")
                                    : _("a chunk of these tasks carries only their numbers."));
    else
      {
        g_autofree char *k_lo = mem_min_step->chunk_size ? g_strdup_printf ("%u", mem_min_step->chunk_size)
                                                         : g_strdup ("auto");
        g_autofree char *k_hi = mem_max_step->chunk_size ? g_strdup_printf ("%u", mem_max_step->chunk_size)
                                                         : g_strdup ("auto");

        g_string_append_printf (text, _("The workers’ own peak memory went from %s MiB at chunk size %s to %s MiB "
                                        "at chunk size %s."), lo, k_lo, hi, k_hi);
      }
  }
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
