/* cw-lab-chunks.c: files per trip, 1, 2, 4, ... and auto
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same batch of files with ever bigger chunks, then the pool's own
 * choice: wall time and the workers' peak memory, and where auto landed.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

void
cw_lab_chunks_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_files = run->inputs->len;
  guint top = MAX (n_files / n, 1);

  for (guint k = 1; k <= top; k *= 2)
    {
      g_autofree char *d = g_strdup_printf ("chunk size %u", k);

      cw_lab_run_add_batch (run, d, CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0)->chunk_size = k;
    }
  cw_lab_run_add_batch (run, "chunk size auto", CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0)->chunk_size = 0;
}

CwLabReport *
cw_lab_chunks_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_CHUNKS, _("Chunk size (files per trip)"), _("Seconds / MiB"),
                                    "chunk_size", "wall_s", "peak_worker_rss_mib", "trips", NULL);
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_mem = cw_lab_report_add_series (report, _("Peak worker memory (MiB)"), FALSE);
  CwLabSeries *s_auto = cw_lab_report_add_series (report, _("Auto"), FALSE);
  CwLabStep *best = NULL, *autostep = NULL;
  double mem_min = G_MAXDOUBLE, mem_max = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);
      g_autofree char *k = step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *wall = cw_lab_format_double (cw_lab_seconds (step->wall_us), 3);
      g_autofree char *mem = cw_lab_format_double (step->stats.worker_peak_rss_kb / 1024.0, 1);
      g_autofree char *trips = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.n_trips);

      cw_lab_report_add_row (report, k, wall, mem, trips);
      if (step->chunk_size == 0)
        {
          autostep = step;
          cw_lab_series_add_point (s_auto, "auto", MAX (step->stats.max_chunk_size, 1), cw_lab_seconds (step->wall_us));
          continue;
        }
      cw_lab_series_add_point (s_wall, k, step->chunk_size, cw_lab_seconds (step->wall_us));
      cw_lab_series_add_point (s_mem, k, step->chunk_size, step->stats.worker_peak_rss_kb / 1024.0);
      mem_min = MIN (mem_min, step->stats.worker_peak_rss_kb / 1024.0);
      mem_max = MAX (mem_max, step->stats.worker_peak_rss_kb / 1024.0);
      if (best == NULL || step->wall_us < best->wall_us)
        best = step;
    }
  report->log_x = TRUE;

  /* every chunk run has fixed sizes and an auto step (scan-build in CI) */
  g_assert (best != NULL && autostep != NULL);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "The fastest fixed chunk size was %u file per trip (%.2f s). ",
                                             "The fastest fixed chunk size was %u files per trip (%.2f s). ", best->chunk_size),
                          best->chunk_size, cw_lab_seconds (best->wall_us));
  g_string_append_printf (text,
                          _("Auto measured %.0f ms a file and sent at most %u at a time, aiming at trips of about %.1f s: it took %.2f s, %s the best fixed size. "),
                          MAX (autostep->stats.auto_task_us, 0) / 1000.0, autostep->stats.max_chunk_size,
                          autostep->stats.auto_target_trip_us / 1e6, cw_lab_seconds (autostep->wall_us),
                          autostep->wall_us <= best->wall_us * 1.1 ? _("within 10% of") : _("slower than"));
  g_string_append (text, _("Big chunks save trips, which matters only when tasks are short; with files that take tens of milliseconds "
                           "the end of the batch decides: a worker still busy with a big last chunk while the other has nothing left. "));
  if (mem_max <= 1.2 * mem_min)
    g_string_append_printf (text, _("Worker memory stayed between %.1f and %.1f MiB: a worker streams one file at a time, whatever the chunk."),
                            mem_min, mem_max);
  else
    g_string_append_printf (text, _("Worker memory went from %.1f to %.1f MiB across the settings."), mem_min, mem_max);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
