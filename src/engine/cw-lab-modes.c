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

void
cw_lab_modes_plan (CwLabRun *run)
{
  /* the quick run burns CPU in spin tasks: the same shape, in seconds */
  CwTaskKind kind = run->quick ? CW_TASK_SPIN : CW_TASK_AUDIO;
  guint n_tasks = run->quick ? 12 : run->inputs->len;
  gint64 arg = run->quick ? 40 : 0;

  /* the fastest of a few runs: other programs on a busy machine slow a
   * run down, never speed it up */
  guint repeats = run->quick ? 3 : 2;

  cw_lab_run_add_batch (run, "sequential", CW_MODE_SEQUENTIAL, 1, kind, n_tasks, arg)->repeats = repeats;
  for (guint w = 1; w <= run->max_workers; w++)
    {
      g_autofree char *t = g_strdup_printf ("threads, %u", w);
      g_autofree char *p = g_strdup_printf ("processes, %u", w);

      cw_lab_run_add_batch (run, t, CW_MODE_THREADS, w, kind, n_tasks, arg)->repeats = repeats;
      cw_lab_run_add_batch (run, p, CW_MODE_PROCESSES, w, kind, n_tasks, arg)->repeats = repeats;
    }
}

CwLabReport *
cw_lab_modes_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_MODES, _("Workers"), _("Speed-up over sequential"),
                                    "mode", "workers", "wall_s", "speedup", NULL);
  CwLabStep *seq = cw_lab_run_find_step (run, "sequential");
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), FALSE);
  CwLabSeries *s_thr = cw_lab_report_add_series (report, _("Threads"), FALSE);
  CwLabSeries *s_proc = cw_lab_report_add_series (report, _("Processes"), FALSE);
  CwLabSeries *s_ideal = cw_lab_report_add_series (report, _("Ideal"), TRUE);
  guint n = run->max_workers;
  double best_thr = 0, best_proc = 0;
  CwLabStep *top_thr = NULL, *top_proc = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);
      double speedup = (double) seq->wall_us / MAX (step->wall_us, 1);
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *wall = cw_lab_format_double (cw_lab_seconds (step->wall_us), 3);
      g_autofree char *sp = cw_lab_format_double (speedup, 2);
      CwLabSeries *series = step->mode == CW_MODE_SEQUENTIAL ? s_seq
                            : step->mode == CW_MODE_THREADS ? s_thr : s_proc;

      cw_lab_series_add_point (series, step->description, step->n_workers, speedup);
      cw_lab_report_add_row (report, cw_mode_to_string (step->mode), w, wall, sp);
      if (step->mode == CW_MODE_THREADS && step->n_workers == n)
        best_thr = speedup, top_thr = step;
      if (step->mode == CW_MODE_PROCESSES && step->n_workers == n)
        best_proc = speedup, top_proc = step;
    }
  for (guint w = 1; w <= n; w++)
    cw_lab_series_add_point (s_ideal, NULL, w, w);

  /* every run has a processes step at the top worker count (it would be a
   * NULL dereference below; scan-build in CI checks for one) */
  g_assert (top_proc != NULL);
  g_string_append_printf (text,
                          _("With %u worker processes the batch of %u %s took %.2f s instead of %.2f s one after another: "),
                          n, seq->n_tasks, seq->task_kind == CW_TASK_SPIN ? _("CPU-bound tasks") : _("files"),
                          cw_lab_seconds (top_proc->wall_us), cw_lab_seconds (seq->wall_us));
  if (best_proc >= 0.85 * n)
    g_string_append_printf (text, _("%.2f× faster, close to the ideal %u×. "), best_proc, n);
  else if (best_proc > 1.05)
    g_string_append_printf (text, _("%.2f× faster, short of the ideal %u×: reading and writing files, starting the workers "
                                    "and other programs on this machine do not shrink with more workers. "), best_proc, n);
  else
    g_string_append_printf (text, _("no faster (%.2f×). The batch is too short, or this machine too busy, for more workers to help: "
                                    "starting them and moving results cost more than they save. "), best_proc);
  if (top_thr != NULL && best_thr >= 0.85 * best_proc)
    g_string_append_printf (text,
                            _("Threads reached %.2f×: C threads are not held back by a global lock as Python's are, so they scale as "
                              "processes do; processes cost a start-up and a pipe per trip, but a crash in one file cannot take the others down."),
                            best_thr);
  else
    g_string_append_printf (text,
                            _("Threads reached %.2f× here, behind processes. C threads have no global lock to wait for, as "
                              "Python's do, so the gap comes from this run (other programs, the page cache, the threads' shared "
                              "memory allocator), not from the language: run it again to see how much it moves."),
                            best_thr);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
