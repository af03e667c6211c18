/* bench-collection.c: a folder of 20,000 files dropped on the window
 * (the targets in docs/benchmarks.md: a main-loop stall under 50 ms while
 * it is walked, probed, queued and run; planning linear in the files; the
 * app's memory growing by at most a few hundred bytes a file)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes a collection of short WAV files (200 "albums" of 100 tracks with
 * the same names, as a music folder has), drops its top folder on a real
 * CwWindow, waits until it is queued, starts the batch (a plain
 * conversion) and waits until the workers are reaped. A 5 ms heartbeat
 * measures the main loop throughout; /proc/self/status gives the RSS.
 * Planning alone (CwBatch with the queue's files) is timed at a quarter,
 * half and all of the files. Run under Xvfb:
 * xvfb-run -a ./build/tests/bench-collection [N_FILES]
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cw-batch.h"
#include "cw-queue-item.h"
#include "cw-test-gtk-util.h"

#define HEARTBEAT_MS 5
#define PER_ALBUM 100

typedef struct
{
  gint64 last_beat;
  gint64 worst_gap;
} Heart;

static gboolean
heartbeat_cb (gpointer user_data)
{
  Heart *heart = user_data;
  gint64 now = g_get_monotonic_time ();

  heart->worst_gap = MAX (heart->worst_gap, now - heart->last_beat);
  heart->last_beat = now;
  return G_SOURCE_CONTINUE;
}

static double
stall_ms (Heart *heart)
{
  return MAX (0, heart->worst_gap - HEARTBEAT_MS * 1000) / 1000.0;
}

/* bytes malloc hands out now (every arena), for the live heap beside RSS */
static gint64
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) (info.uordblks + info.hblkhd);
}

static void
heart_reset (Heart *heart)
{
  heart->last_beat = g_get_monotonic_time ();
  heart->worst_gap = 0;
}

/* VmRSS or VmHWM of this process, in KiB */
static gint64
status_kib (const char *field)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL) || (at = strstr (text, field)) == NULL)
    return 0;
  return g_ascii_strtoll (at + strlen (field) + 1, NULL, 10);
}

/* Lets the window's memory trim (a thread) run, then reads the RSS. */
static gint64
settled_rss_kib (void)
{
  gint64 until = g_get_monotonic_time () + 600 * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  return status_kib ("VmRSS:");
}

/* 0.02 s of a tone, 16-bit mono at 8 kHz: a file of about 350 bytes */
static GBytes *
small_wav (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "tone.wav", NULL);
  SF_INFO info = { .samplerate = 8000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);
  short samples[160];
  g_autofree char *contents = NULL;
  gsize length;

  g_assert (file != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    samples[i] = (short) (8000 * ((i / 10) % 2 ? 1 : -1));
  sf_write_short (file, samples, G_N_ELEMENTS (samples));
  sf_close (file);
  g_assert (g_file_get_contents (path, &contents, &length, NULL));
  g_unlink (path);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static char *
write_collection (const char *top,
                  guint       n_files)
{
  g_autoptr(GBytes) wav = small_wav (top);
  char *music = g_build_filename (top, "Music", NULL);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *album = g_strdup_printf ("%s/Artist %03u/Album", music, i / PER_ALBUM);
      g_autofree char *path = g_strdup_printf ("%s/%02u Track.wav", album, i % PER_ALBUM);
      gsize length;
      const char *data = g_bytes_get_data (wav, &length);

      if (i % PER_ALBUM == 0)
        g_assert (g_mkdir_with_parents (album, 0755) == 0);
      g_assert (g_file_set_contents (path, data, length, NULL));
    }
  return music;
}

/* µs per file to plan the first @n queued files (a fresh output folder) */
static double
plan_us_per_file (GListModel *queue,
                  guint       n,
                  const char *out)
{
  CwBatchOptions options = { .spec = (char *) "copy", .n_workers = 1, .existing = CW_EXISTING_FAIL };
  g_autoptr(CwBatch) batch = NULL;
  gint64 start;

  options.input_files = g_ptr_array_new_full (n, (GDestroyNotify) cw_input_file_free);
  options.output_dir = (char *) out;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);

      g_ptr_array_add (options.input_files, cw_input_file_new (cw_queue_item_get_path (item),
                                                               cw_queue_item_get_relative (item)));
    }
  batch = cw_batch_new (&options);
  g_ptr_array_unref (options.input_files);
  start = g_get_monotonic_time ();
  g_assert (cw_batch_plan (batch, NULL, NULL));
  return (g_get_monotonic_time () - start) / (double) n;
}

int
main (int   argc,
      char *argv[])
{
  guint n_files = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  g_autofree char *top = g_dir_make_tmp ("cw-bench-collection-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (top, "out", NULL);
  g_autofree char *state = g_build_filename (top, "state", NULL);
  g_autofree char *music = NULL;
  g_autoptr(CwSettings) settings = NULL;
  const char *drop[] = { NULL, NULL };
  CwWindow *window;
  Heart heart = { 0 };
  guint beat;
  gint64 t0, peak_queue_kib, peak_kib, rss_before, rss_queued, rss_after, heap_before, heap_queued, heap_after;
  double queue_s, queue_stall, run_s, run_stall, plan_us[3];
  gboolean ok;

  g_setenv ("XDG_STATE_HOME", state, TRUE);
  if (!cw_test_init_gtk (&argc, &argv))
    {
      cw_test_rm_rf (top);
      return 77;
    }
  music = write_collection (top, n_files);
  drop[0] = music;

  settings = cw_settings_new ();
  cw_settings_set_output_dir (settings, out);
  cw_settings_set_existing (settings, CW_EXISTING_CHOICE_ASK);
  g_assert (cw_settings_apply_spec (settings, "copy", NULL));
  window = cw_window_new (NULL, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  rss_before = status_kib ("VmRSS:");
  heap_before = heap_in_use ();

  /* dropped: walked and probed on a thread, queued a few times a second */
  beat = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, &heart);
  heart_reset (&heart);
  t0 = g_get_monotonic_time ();
  cw_test_drop_paths (window, drop, 600);
  queue_s = (g_get_monotonic_time () - t0) / 1e6;
  queue_stall = stall_ms (&heart);
  rss_queued = settled_rss_kib ();
  heap_queued = heap_in_use ();
  g_assert (g_list_model_get_n_items (cw_window_get_queue (window)) == n_files);

  /* the peak from here on is the batch's ("5" resets VmHWM, Linux 4.0) */
  peak_queue_kib = status_kib ("VmHWM:");
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);

  /* the batch: planned in a thread, run on the workers, shown */
  heart_reset (&heart);
  t0 = g_get_monotonic_time ();
  g_assert (gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL));
  cw_test_wait_idle (window, 600);
  run_s = (g_get_monotonic_time () - t0) / 1e6;
  run_stall = stall_ms (&heart);
  rss_after = settled_rss_kib ();
  heap_after = heap_in_use ();
  g_source_remove (beat);

  peak_kib = status_kib ("VmHWM:");

  /* planning alone, a quarter, a half and all of it (after the figures
   * of the window's memory, so its own plans do not count there) */
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *scratch = g_strdup_printf ("%s/plan-%u", top, k);

      plan_us[k] = plan_us_per_file (cw_window_get_queue (window), n_files >> (2 - k), scratch);
    }

  g_print ("%u files in %u folders, dropped on the window (Xvfb, %s)\n", n_files,
           (n_files + PER_ALBUM - 1) / PER_ALBUM, g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "gl");
  g_print ("queued (walked, probed, listed) in %.2f s; longest main-loop stall %.1f ms\n", queue_s, queue_stall);
  g_print ("planning alone: %.1f / %.1f / %.1f us a file for %u / %u / %u files\n",
           plan_us[0], plan_us[1], plan_us[2], n_files >> 2, n_files >> 1, n_files);
  /* (printf: the summary is UTF-8 whatever the locale) */
  printf ("batch (plan + run, a plain conversion): %.2f s, %s; longest main-loop stall %.1f ms\n", run_s,
          cw_window_get_summary (window), run_stall);
  g_print ("app RSS: %.1f MiB before; queued %.1f MiB (+%.0f B a file), peak while queueing %.1f MiB; "
           "after the batch %.1f MiB (+%.0f B a file), peak while it ran %.1f MiB (+%.0f B a file "
           "over the queued RSS)\n",
           rss_before / 1024.0, rss_queued / 1024.0, (rss_queued - rss_before) * 1024.0 / n_files,
           peak_queue_kib / 1024.0, rss_after / 1024.0, (rss_after - rss_before) * 1024.0 / n_files,
           peak_kib / 1024.0, (peak_kib - rss_queued) * 1024.0 / n_files);
  g_print ("live heap: +%.0f B a file queued, +%.0f B a file after the batch (its results listed)\n",
           (heap_queued - heap_before) / (double) n_files, (heap_after - heap_before) / (double) n_files);

  ok = queue_stall < 50 && run_stall < 50;
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cw_test_rm_rf (top);
  return ok ? 0 : 1;
}
