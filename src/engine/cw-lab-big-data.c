/* cw-lab-big-data.c: send the file name, not the samples
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same files twice: the workers open them by name, then the parent
 * reads every file's samples (the lesson's pitfall) and sends them through
 * the pipes: wall time and bytes moved.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>
#include <sndfile.h>

#include "cw-protocol.h"

/* what one inline task may carry: the protocol limit less room for the rest */
#define MAX_INLINE_BYTES (CW_PROTOCOL_MAX_PAYLOAD - 1024 * 1024)

void
cw_lab_big_data_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_files = run->inputs->len;

  cw_lab_run_add_batch (run, "file name", CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0);
  cw_lab_run_add_batch (run, "samples", CW_MODE_PROCESSES, n, CW_TASK_AUDIO_INLINE, n_files, 0);
}

gboolean
cw_lab_big_data_read_samples (CwLabRun  *run,
                              GError   **error)
{
  gint64 t0 = g_get_monotonic_time ();

  /* what the lesson's pitfall does in the parent: read every file's
   * samples, to send them through the pipe */
  for (guint i = 0; i < run->inputs->len; i++)
    {
      const char *path = g_ptr_array_index (run->inputs, i);
      SF_INFO info = { 0 };
      SNDFILE *sf = sf_open (path, SFM_READ, &info);
      gint16 *buf;
      gint64 arg;
      gsize n;

      if (sf == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: not an audio file", path);
          return FALSE;
        }
      n = (gsize) info.frames * info.channels;
      /* one frame's worth stays under the protocol's limit */
      if (n * sizeof (gint16) > MAX_INLINE_BYTES)
        n = MAX_INLINE_BYTES / sizeof (gint16) / info.channels * info.channels;
      buf = g_new (gint16, MAX (n, 1));
      n = (gsize) sf_readf_short (sf, buf, n / info.channels) * info.channels;
      sf_close (sf);
      g_ptr_array_add (run->samples, g_bytes_new_take (buf, n * sizeof (gint16)));
      arg = (gint64) info.samplerate | ((gint64) info.channels << 32);
      g_array_append_val (run->sample_args, arg);
    }
  run->read_us = g_get_monotonic_time () - t0;
  return TRUE;
}

static char *
fmt_mib (guint64 bytes)
{
  return cw_lab_format_double (bytes / 1048576.0, 3);
}

CwLabReport *
cw_lab_big_data_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_BIG_DATA, NULL, _("Seconds / MiB through pipes"),
                                    "method", "wall_s", "bytes_to_workers", "bytes_from_workers", "parent_read_s", NULL);
  CwLabStep *names = cw_lab_run_find_step (run, "file name");
  CwLabStep *samples = cw_lab_run_find_step (run, "samples");
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_bytes = cw_lab_report_add_series (report, _("MiB through pipes"), FALSE);
  CwLabStep *both[] = { names, samples };
  guint64 b_names = names->stats.bytes_to_workers + names->stats.bytes_from_workers;
  guint64 b_samples = samples->stats.bytes_to_workers + samples->stats.bytes_from_workers;
  double total_samples = cw_lab_seconds (samples->wall_us + run->read_us);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      CwLabStep *step = both[i];
      g_autofree char *wall = cw_lab_format_double (cw_lab_seconds (step->wall_us), 3);
      g_autofree char *to = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.bytes_to_workers);
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.bytes_from_workers);
      g_autofree char *rd = cw_lab_format_double (step == samples ? cw_lab_seconds (run->read_us) : 0, 3);
      g_autofree char *mib = fmt_mib (step->stats.bytes_to_workers + step->stats.bytes_from_workers);

      cw_lab_series_add_point (s_wall, step->description, i,
                               cw_lab_seconds (step->wall_us + (step == samples ? run->read_us : 0)));
      cw_lab_series_add_point (s_bytes, step->description, i,
                               (step->stats.bytes_to_workers + step->stats.bytes_from_workers) / 1048576.0);
      cw_lab_report_add_row (report, step->description, wall, to, from, rd);
    }

  g_string_append_printf (text,
                          _("Sending each worker only the file's name moved %.1f KiB through the pipes for %u files and took %.2f s. "
                            "Reading the samples in the parent and sending them moved %.1f MiB (%.0f times more) and took %.2f s, "
                            "%.2f s of it the parent reading files one after another while the workers waited. "
                            "Every byte through a pipe is copied twice by the kernel and once more by each side: let the workers open the files themselves."),
                          b_names / 1024.0, names->n_tasks, cw_lab_seconds (names->wall_us),
                          b_samples / 1048576.0, (double) b_samples / MAX (b_names, 1),
                          total_samples, cw_lab_seconds (run->read_us));
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
