/* test-window-faults.c: faults through the window, under Xvfb
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A set with a file that crashes its worker every time (CW_TEST_CRASH_ON)
 * and a truncated file: the result list shows both failures with their
 * reasons, the rest are done, and the main loop keeps turning throughout
 * (a heartbeat fires during the batch).
 */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "cw-result-item.h"
#include "cw-settings.h"
#include "cw-test-gtk-util.h"
#include "cw-window.h"

#define HEARTBEAT_MS 20
/* No run comes near it; it only turns a hang into a failure. */
#define IDLE_TIMEOUT_S 90

typedef struct
{
  CwWindow *window;
  guint     beats_while_busy;
  gint64    last_beat_us;
  gint64    max_gap_us;
} Heart;

static gboolean
heartbeat_cb (gpointer user_data)
{
  Heart *h = user_data;
  gint64 now = g_get_monotonic_time ();

  if (cw_window_get_busy (h->window))
    {
      h->max_gap_us = MAX (h->max_gap_us, now - h->last_beat_us);
      h->beats_while_busy++;
      h->last_beat_us = now;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_faults (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *crasher = g_build_filename (dir, "tone-crashme.wav", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.wav", NULL);
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GListModel *results;
  CwWindow *window;
  Heart heart = { 0 };
  guint heartbeat, n_ok = 0, n_crashed = 0, n_broken = 0;

  g_assert_cmpstr (g_getenv ("CW_TEST_CRASH_ON"), ==, "crashme");
  cw_settings_set_output_dir (settings, out);
  cw_settings_set_workers (settings, 2);
  cw_settings_set_order (settings, CW_ORDER_UNORDERED);

  for (guint i = 0; i < 6; i++)
    {
      char *name = g_strdup_printf ("%s/tone%u.wav", dir, i);

      cw_test_write_sine (name, 1.0, 300 + 20 * i, 1);
      g_ptr_array_add (paths, name);
    }
  cw_test_write_sine (crasher, 0.4, 880, 1);
  g_ptr_array_add (paths, g_strdup (crasher));
  /* cut in the middle of its samples: the header probes fine (a file that
   * does not is skipped at the drop, with its reason), the batch finds it
   * holds fewer frames than it promises */
  {
    g_autofree char *whole = g_build_filename (dir, "whole.tmp", NULL);
    g_autofree char *bytes = NULL;
    gsize len;

    cw_test_write_sine (whole, 0.4, 440, 1);
    g_assert_true (g_file_get_contents (whole, &bytes, &len, NULL));
    g_assert_true (g_file_set_contents (broken, bytes, len / 2, NULL));
    g_assert_cmpint (g_remove (whole), ==, 0);
  }
  g_ptr_array_add (paths, g_strdup (broken));
  g_ptr_array_add (paths, NULL);

  window = cw_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (window));
  cw_test_drop_paths (window, (const char * const *) paths->pdata, IDLE_TIMEOUT_S);

  heart.window = window;
  heartbeat = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, &heart);
  /* gaps are measured from Start to the first beat, between beats, and
   * from the last beat to the end of the batch, however short it is */
  heart.last_beat_us = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL));
  cw_test_wait_idle (window, IDLE_TIMEOUT_S);
  heart.max_gap_us = MAX (heart.max_gap_us, g_get_monotonic_time () - heart.last_beat_us);
  g_source_remove (heartbeat);

  results = cw_result_view_get_model (cw_window_get_result_view (window));
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);
      const char *input = cw_result_item_get_input_path (item);
      const char *error = cw_result_item_get_error (item);

      if (g_strcmp0 (input, crasher) == 0)
        {
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_FAILED);
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error, "signal 11"));
          g_assert_cmpuint (cw_result_item_get_attempts (item), ==, 2);
          n_crashed++;
        }
      else if (g_strcmp0 (input, broken) == 0)
        {
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_FAILED);
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error, "truncated file"));
          n_broken++;
        }
      else
        {
          if (cw_result_item_get_status (item) != CW_STATUS_OK)
            g_error ("%s: %s", input, error);
          g_assert_true (g_file_test (cw_result_item_get_output_path (item), G_FILE_TEST_IS_REGULAR));
          n_ok++;
        }
    }
  g_assert_cmpuint (n_crashed, ==, 1);
  g_assert_cmpuint (n_broken, ==, 1);
  g_assert_cmpuint (n_ok, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 8);

  /* the main loop turned all along: from Start to the end of the batch it
   * never stalled for long (two worker deaths and respawns included) */
  g_test_message ("heartbeats while busy: %u, longest gap %.0f ms",
                  heart.beats_while_busy, heart.max_gap_us / 1000.0);
  g_assert_cmpint (heart.max_gap_us, <, 2 * G_USEC_PER_SEC);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  cw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("cw-window-state-XXXXXX", NULL);
  int status;

  /* Before any thread: only the workers we spawn read them; ASan's own SEGV
   * handler would turn the hook's crash into an abort. */
  {
    const char *asan = g_getenv ("ASAN_OPTIONS");
    g_autofree char *options = g_strdup_printf ("%s%shandle_segv=0", asan ? asan : "", asan ? ":" : "");

    g_setenv ("ASAN_OPTIONS", options, TRUE);
    g_setenv ("CW_TEST_CRASH_ON", "crashme", TRUE);
  }
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  if (!cw_test_init_gtk (&argc, &argv))
    {
      cw_test_rm_rf (state);
      return 0;
    }

  g_test_add_func ("/cw/window/faults", test_faults);
  status = g_test_run ();
  cw_test_rm_rf (state);
  return status;
}
