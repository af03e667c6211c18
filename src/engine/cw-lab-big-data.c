/* cw-lab-big-data.c: send the file name, not the samples
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same files twice a round: the workers open them by name; then the
 * parent reads every file's samples (the lesson's pitfall) and sends them
 * through the pipes. Wall time, the parent's reading and bytes moved.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>
#include <sndfile.h>

#include "cw-protocol.h"

/* what one inline task may carry: the protocol limit less room for the rest */
#define MAX_INLINE_BYTES (CW_PROTOCOL_MAX_PAYLOAD - 1024 * 1024)

/* The quick set: long enough that 8 files' samples (42 MB) take a
 * measurable time through the pipes, short enough to write in a blink. */
#define QUICK_SECONDS 60.0

/* What the lesson's pitfall does in the parent, every round: read every
 * file's samples, to send them through the pipe. */
static void
local_read_samples (CwLabRun     *run,
                    guint         step_index,
                    CwLabMeasure *measure)
{
  gint64 t0 = g_get_monotonic_time ();

  g_ptr_array_set_size (run->samples, 0);
  g_array_set_size (run->sample_args, 0);
  for (guint i = 0; i < run->inputs->len; i++)
    {
      const char *path = g_ptr_array_index (run->inputs, i);
      SF_INFO info = { 0 };
      SNDFILE *sf = sf_open (path, SFM_READ, &info);
      gint16 *buf;
      gint64 arg;
      gsize n = 0;

      /* a file libsndfile cannot read goes as no samples: its inline task
       * fails with a reason, like any other bad file */
      if (sf != NULL && info.channels > 0)
        {
          n = (gsize) info.frames * info.channels;
          /* one frame's worth stays under the protocol's limit */
          if (n * sizeof (gint16) > MAX_INLINE_BYTES)
            n = MAX_INLINE_BYTES / sizeof (gint16) / info.channels * info.channels;
        }
      buf = g_new (gint16, MAX (n, 1));
      if (sf != NULL && n > 0)
        n = (gsize) sf_readf_short (sf, buf, n / info.channels) * info.channels;
      if (sf != NULL)
        sf_close (sf);
      g_ptr_array_add (run->samples, g_bytes_new_take (buf, n * sizeof (gint16)));
      arg = (gint64) info.samplerate | ((gint64) info.channels << 32);
      g_array_append_val (run->sample_args, arg);
    }
  measure->wall_us = MAX (g_get_monotonic_time () - t0, 1);
}

void
cw_lab_big_data_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_files = run->inputs->len;
  CwLabStep *step;

  if (run->quick)
    run->demo_seconds = QUICK_SECONDS;
  step = cw_lab_run_add_batch (run, "file name", CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0);
  step->show_timeline = TRUE;
  step = cw_lab_run_add_step (run, CW_LAB_STEP_LOCAL, "reading samples");
  step->local_func = local_read_samples;
  step = cw_lab_run_add_batch (run, "samples", CW_MODE_PROCESSES, n, CW_TASK_AUDIO_INLINE, n_files, 0);
  step->show_timeline = TRUE;
  /* the files into the page cache, for both ways alike */
  run->warm_up_step = 0;
}

static CwLabStat
pipe_total (const CwLabStep *batch,
            const CwLabStep *read)
{
  guint n = batch->measures->len;
  g_autofree double *values = g_new0 (double, MAX (n, 1));
  CwLabStat stat;

  /* round r's reading, then round r's batch */
  for (guint i = 0; i < n; i++)
    {
      const CwLabMeasure *b = g_ptr_array_index (batch->measures, i);
      const CwLabMeasure *r = read != NULL && i < read->measures->len ? g_ptr_array_index (read->measures, i) : NULL;

      values[i] = cw_lab_seconds (b->wall_us + (r != NULL ? r->wall_us : 0));
    }
  cw_lab_stat_init (&stat, values, n);
  return stat;
}

static guint64
pipe_bytes (const CwLabStep *step)
{
  const CwLabMeasure *median = cw_lab_step_median_measure (step);

  return median != NULL ? median->stats.bytes_to_workers + median->stats.bytes_from_workers : 0;
}

CwLabReport *
cw_lab_big_data_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_BIG_DATA, NULL, _("Seconds / MiB through pipes"),
                                            "method", "runs", "batch_s", "parent_read_s", "total_s", "spread_s",
                                            "bytes_to_workers", "bytes_from_workers", "pipe_mib", NULL);
  CwLabStep *names = cw_lab_run_find_step (run, "file name");
  CwLabStep *read = cw_lab_run_find_step (run, "reading samples");
  CwLabStep *samples = cw_lab_run_find_step (run, "samples");
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Total time (s)"), FALSE);
  CwLabSeries *s_bytes = cw_lab_report_add_series (report, _("MiB through pipes"), FALSE);
  CwLabStep *both[] = { names, samples };
  CwLabStat N = pipe_total (names, NULL), S = pipe_total (samples, read), R = cw_lab_step_wall (read);
  guint64 b_names = pipe_bytes (names), b_samples = pipe_bytes (samples);
  g_autofree char *n_mib = cw_lab_text_double (b_names / 1048576.0, 3);
  g_autofree char *s_mib = cw_lab_text_double (b_samples / 1048576.0, 3);
  g_autofree char *n_s = cw_lab_text_double (N.median, 3);
  g_autofree char *n_sp = cw_lab_text_double (cw_lab_stat_spread (&N), 3);
  g_autofree char *s_s = cw_lab_text_double (S.median, 3);
  g_autofree char *s_sp = cw_lab_text_double (cw_lab_stat_spread (&S), 3);
  g_autofree char *r_s = cw_lab_text_double (R.median, 3);
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Method"), _("Runs"), _("Batch (s, median)"), _("Reading here (s, median)"),
                              _("Total (s, median)"), _("Spread of the total (s)"), _("Bytes to the workers"),
                              _("Bytes back"), _("MiB through the pipes"), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      CwLabStep *step = both[i];
      const CwLabMeasure *median = cw_lab_step_median_measure (step);
      CwLabStat batch = cw_lab_step_wall (step);
      CwLabStat total = step == samples ? S : N;
      guint64 bytes = pipe_bytes (step);
      g_autofree char *runs = g_strdup_printf ("%u", batch.n);
      g_autofree char *b = cw_lab_format_double (batch.median, 3);
      g_autofree char *rd = cw_lab_format_double (step == samples ? R.median : 0, 3);
      g_autofree char *t = cw_lab_format_double (total.median, 3);
      g_autofree char *sp = cw_lab_format_double (cw_lab_stat_spread (&total), 3);
      g_autofree char *to = g_strdup_printf ("%" G_GUINT64_FORMAT, median ? median->stats.bytes_to_workers : 0);
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, median ? median->stats.bytes_from_workers : 0);
      g_autofree char *mib = cw_lab_format_double (bytes / 1048576.0, 3);

      cw_lab_series_add_stat (s_wall, step->description, i, &total);
      cw_lab_series_add_point (s_bytes, step->description, i, bytes / 1048576.0);
      cw_lab_report_add_row (report, step->description, runs, b, rd, t, sp, to, from, mib);
    }

  g_string_append_printf (text, _("Sending each worker only the file’s name moved %s MiB through the pipes for %u "
                                  "files and took %s s (spread %s s). Reading the samples here and sending them "
                                  "moved %s MiB, %.0f times as much, and took %s s (spread %s s), %s s of it "
                                  "reading the files in this process while the workers waited. "),
                          n_mib, names->n_tasks, n_s, n_sp, s_mib, (double) b_samples / MAX (b_names, 1), s_s, s_sp,
                          r_s);
  if (cw_lab_stat_differs (&S, &N) && S.median > N.median)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append (text, _("Every byte through a pipe is copied by the kernel on its way in and on its way "
                               "out, and the parent reads every file alone: let the workers open the files "
                               "themselves."));
    }
  else if (cw_lab_stat_differs (&S, &N))
    {
      report->verdict = CW_LAB_VERDICT_DISAGREED;
      g_string_append (text, _("Sending the samples was faster here, beyond noise: on this machine the pipes "
                               "moved the data faster than the workers read the files themselves."));
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
      g_string_append_printf (text, _("That is within noise: some runs of each beat some runs of the other, so at "
                                      "this size the copies cost too little to show on this machine. %s"),
                              cw_lab_noise_advice (run));
    }
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
