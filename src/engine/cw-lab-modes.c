/* cw-lab-modes.c: sequential vs threads vs processes
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same batch one after another, then on 1..N threads and 1..N worker
 * processes: the speed-up over sequential beside the ideal line.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

/* the quick run burns CPU time in spin tasks: the same shape, in seconds,
 * and no file cache to favour anyone. 30 ms a task: N processes take
 * about 0.2 s, so starting the workers (a few ms each, more from the
 * window's big process than from the CLI's) stays a small part of it. */
#define QUICK_SPIN_MS        30
#define QUICK_TASKS_A_WORKER  6

void
cw_lab_modes_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  CwTaskKind kind = run->quick ? CW_TASK_SPIN : CW_TASK_AUDIO;
  guint n_tasks = run->quick ? MAX (QUICK_TASKS_A_WORKER * n, 12) : run->inputs->len;
  gint64 arg = run->quick ? QUICK_SPIN_MS : 0;

  cw_lab_run_add_batch (run, "sequential", CW_MODE_SEQUENTIAL, 1, kind, n_tasks, arg)->show_timeline = TRUE;
  for (guint w = 1; w <= n; w++)
    {
      g_autofree char *t = g_strdup_printf ("threads, %u", w);
      g_autofree char *p = g_strdup_printf ("processes, %u", w);

      /* the timelines of the ends of the line: threads above processes */
      cw_lab_run_add_batch (run, t, CW_MODE_THREADS, w, kind, n_tasks, arg)->show_timeline = w == n;
      cw_lab_run_add_batch (run, p, CW_MODE_PROCESSES, w, kind, n_tasks, arg)->show_timeline = w == n;
    }
  /* the files into the page cache and the worker into memory, for all */
  run->warm_up_step = run->steps->len - 1;
}

static CwLabStep *
find_mode (CwLabRun *run,
           CwMode    mode,
           guint     n_workers)
{
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = cw_lab_run_get_step (run, i);

      if (step->mode == mode && step->n_workers == n_workers)
        return step;
    }
  return NULL;
}

CwLabReport *
cw_lab_modes_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_MODES, _("Workers"), _("Speed-up over sequential"),
                                            "mode", "workers", "runs", "wall_s", "spread_s", "speedup", NULL);
  CwLabStep *seq = find_mode (run, CW_MODE_SEQUENTIAL, 1);
  CwLabStep *proc = find_mode (run, CW_MODE_PROCESSES, run->max_workers);
  CwLabStep *thr = find_mode (run, CW_MODE_THREADS, run->max_workers);
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), FALSE);
  CwLabSeries *s_thr = cw_lab_report_add_series (report, _("Threads"), FALSE);
  CwLabSeries *s_proc = cw_lab_report_add_series (report, _("Processes"), FALSE);
  CwLabSeries *s_ideal = cw_lab_report_add_series (report, _("Ideal"), TRUE);
  guint n = run->max_workers;
  CwLabStat S, P, T;
  g_autofree char *seq_s = NULL, *seq_spread = NULL, *proc_s = NULL, *proc_spread = NULL;
  g_autofree char *thr_s = NULL, *speedup = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  /* every plan has these three (scan-build in CI checks the dereferences) */
  g_assert (seq != NULL && proc != NULL && thr != NULL);
  cw_lab_report_set_headings (report, _("Mode"), _("Workers"), _("Runs"), _("Wall time (s, median)"),
                              _("Spread (s)"), _("Speed-up"), NULL);
  S = cw_lab_step_wall (seq);
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = cw_lab_run_get_step (run, i);
      CwLabStat wall = cw_lab_step_wall (step);
      CwLabStat up = {
        .median = S.median / MAX (wall.median, 1e-9),
        .lo = S.median / MAX (wall.hi, 1e-9),
        .hi = S.median / MAX (wall.lo, 1e-9),
        .n = wall.n,
      };
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *runs = g_strdup_printf ("%u", wall.n);
      g_autofree char *m = cw_lab_format_double (wall.median, 3);
      g_autofree char *sp = cw_lab_format_double (cw_lab_stat_spread (&wall), 3);
      g_autofree char *u = cw_lab_format_double (up.median, 2);
      CwLabSeries *series = step->mode == CW_MODE_SEQUENTIAL ? s_seq
                            : step->mode == CW_MODE_THREADS ? s_thr : s_proc;

      cw_lab_series_add_stat (series, step->description, step->n_workers, &up);
      cw_lab_report_add_row (report, cw_mode_to_string (step->mode), w, runs, m, sp, u);
    }
  for (guint w = 1; w <= n; w++)
    cw_lab_series_add_point (s_ideal, NULL, w, w);

  P = cw_lab_step_wall (proc);
  T = cw_lab_step_wall (thr);
  seq_s = cw_lab_text_double (S.median, 3);
  seq_spread = cw_lab_text_double (cw_lab_stat_spread (&S), 3);
  proc_s = cw_lab_text_double (P.median, 3);
  proc_spread = cw_lab_text_double (cw_lab_stat_spread (&P), 3);
  thr_s = cw_lab_text_double (T.median, 3);
  speedup = cw_lab_text_double (S.median / MAX (P.median, 1e-9), 2);

  g_string_append_printf (text, _("One after another, the %u %s took %s s (the median of %u runs, spread %s s). "),
                          seq->n_tasks, seq->task_kind == CW_TASK_SPIN ? _("CPU-bound tasks") : _("files"),
                          seq_s, S.n, seq_spread);
  if (n < 2)
    {
      report->verdict = CW_LAB_VERDICT_UNTESTED;
      g_string_append (text, _("Corewave may use one CPU here, so there is nothing to spread the batch over: "
                               "the lesson needs two cores or more."));
      report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
      return report;
    }
  if (cw_lab_stat_differs (&P, &S) && P.median < S.median)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append_printf (text, _("On %u worker processes they took %s s (spread %s s): %s× faster"),
                              n, proc_s, proc_spread, speedup);
      if (S.median / MAX (P.median, 1e-9) >= 0.85 * n)
        g_string_append_printf (text, _(", close to the ideal %u×. "), n);
      else if (seq->task_kind == CW_TASK_SPIN)
        g_string_append_printf (text, _(", short of the ideal %u×: starting the workers and handing out the tasks "
                                        "do not shrink with more workers, and other programs on this machine took "
                                        "their share of the cores. "), n);
      else
        g_string_append_printf (text, _(", short of the ideal %u×: reading and writing the files, starting the "
                                        "workers and other programs on this machine do not shrink with more "
                                        "workers. "), n);
    }
  else if (cw_lab_stat_differs (&P, &S))
    {
      report->verdict = CW_LAB_VERDICT_DISAGREED;
      g_string_append_printf (text, _("On %u worker processes they took %s s (spread %s s), longer than one after "
                                      "another: starting the workers and moving the results cost more than the "
                                      "cores saved, or other programs had the cores. "),
                              n, proc_s, proc_spread);
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
      g_string_append_printf (text, _("On %u worker processes they took %s s (spread %s s): within noise, some "
                                      "runs of each beat some runs of the other, so this run cannot tell the two "
                                      "apart on this machine. %s "),
                              n, proc_s, proc_spread, cw_lab_noise_advice (run));
    }

  if (!cw_lab_stat_differs (&T, &P))
    g_string_append_printf (text, _("Threads took %s s, within noise of processes: C threads are not held back by "
                                    "a global lock as Python’s are, so they scale as processes do; processes cost "
                                    "a start-up and a pipe per trip, but a crash in one file cannot take the "
                                    "others down."), thr_s);
  else if (T.median < P.median)
    g_string_append_printf (text, _("Threads were faster, %s s: C threads have no global lock (the lesson’s Python "
                                    "threads do) and need no worker start-up and no pipes."), thr_s);
  else
    g_string_append_printf (text, _("Threads were slower here, %s s. C threads have no global lock to wait for, "
                                    "so the gap comes from this machine (other programs, the threads’ shared "
                                    "memory allocator), not from the language: run it again to see whether it "
                                    "stays."), thr_s);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
