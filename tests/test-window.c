/* test-window.c: the window end to end, under Xvfb
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Files go in through the window's real drop target, a batch runs on real
 * worker processes, and the result list, the order semantics, the outputs
 * and cancelling are checked. Nothing waits on time: the tests iterate the
 * main context until the window says it is idle, under a watchdog.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>
#include <sys/wait.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cw-result-item.h"
#include "cw-settings.h"
#include "cw-window.h"

typedef struct
{
  char       *dir;      /* inputs */
  char       *out;      /* outputs */
  CwSettings *settings;
  CwWindow   *window;
} Fixture;

static void
write_sine (const char *path,
            double      seconds,
            double      freq)
{
  SF_INFO info = { .samplerate = 44100, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  SNDFILE *f = sf_open (path, SFM_WRITE, &info);
  gint64 frames = (gint64) (seconds * 44100);
  short block[4096];

  g_assert_nonnull (f);
  for (gint64 done = 0; done < frames;)
    {
      gint64 n = MIN ((gint64) G_N_ELEMENTS (block), frames - done);

      for (gint64 i = 0; i < n; i++)
        block[i] = (short) (16000 * sin (2 * G_PI * freq * (done + i) / 44100.0));
      g_assert_cmpint (sf_writef_short (f, block, n), ==, n);
      done += n;
    }
  g_assert_cmpint (sf_close (f), ==, 0);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
    }
  g_remove (path);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("the window did not become idle in time");
  return G_SOURCE_REMOVE;
}

static void
wait_idle (Fixture *f)
{
  guint watchdog = g_timeout_add_seconds (60, watchdog_cb, NULL);

  /* let queued drops and starts begin, then wait for them to end */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  while (cw_window_get_busy (f->window))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GSettings *s;

  f->dir = g_dir_make_tmp ("cw-window-XXXXXX", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  f->settings = cw_settings_new ();
  s = cw_settings_get_gsettings (f->settings);
  g_settings_reset (s, "order");
  g_settings_reset (s, "workers");
  g_settings_reset (s, "chunk-size");
  g_settings_set_string (s, "output-dir", f->out);
  g_settings_set_int (s, "workers", 2);
  f->window = cw_window_new (NULL, f->settings);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&f->settings);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->out);
}

/* Drops @paths on the window through its own GtkDropTarget. */
static void
drop_paths (Fixture            *f,
            const char * const *paths)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->window));
  GtkDropTarget *target = NULL;
  GSList *list = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  for (guint i = 0; paths[i] != NULL; i++)
    list = g_slist_append (list, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (list));
  g_slist_free_full (list, g_object_unref);

  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_assert_true (handled);
  wait_idle (f);
}

static void
activate (Fixture    *f,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      n++;
  return n;
}

static void
assert_no_children (void)
{
  /* every worker was reaped: no child, zombie or not, is left */
  g_assert_cmpint (waitpid (-1, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 0);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL)
                  && cw_window_get_busy (f->window));
  g_assert_false (cw_window_get_busy (f->window));
}

static void
test_drop_and_run (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "in", NULL);
  g_autofree char *notes = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *loose = g_build_filename (f->dir, "loose one.wav", NULL);
  const char *paths[] = { folder, loose, folder, NULL };
  GListModel *results;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/tone%u.wav", folder, i);

      write_sine (name, 0.5, 440 + 10 * i);
    }
  write_sine (loose, 0.25, 220);
  g_assert_true (g_file_set_contents (notes, "not audio", -1, NULL));

  /* the folder twice: its files are queued once; notes.txt is skipped */
  drop_paths (f, paths);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  g_settings_set_string (cw_settings_get_gsettings (f->settings), "order", "ordered");
  activate (f, "win.start");
  wait_idle (f);

  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);

      /* As submitted: arrival i+1 is task i+1 */
      g_assert_cmpuint (cw_result_item_get_arrival (item), ==, i + 1);
      g_assert_cmpuint (cw_result_item_get_submission (item), ==, i + 1);
      g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_OK);
      g_assert_true (g_file_test (cw_result_item_get_output_path (item), G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpuint (count_files (f->out, ".wav"), ==, 6);
  g_assert_cmpuint (count_files (f->out, ".part"), ==, 0);
  g_assert_true (g_str_has_prefix (cw_window_get_summary (f->window), "6 files in "));
  assert_no_children ();
}

static void
test_unordered (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *slow = g_build_filename (f->dir, "a-slow.wav", NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GListModel *results;
  g_autoptr(CwResultItem) first = NULL;

  /* task 1 is long; with two workers the short ones finish before it */
  write_sine (slow, 400, 330);
  g_ptr_array_add (paths, g_steal_pointer (&slow));
  for (guint i = 0; i < 6; i++)
    {
      char *name = g_strdup_printf ("%s/b-fast%u.wav", f->dir, i);

      write_sine (name, 0.1, 500 + i);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  drop_paths (f, (const char * const *) paths->pdata);

  g_settings_set_string (cw_settings_get_gsettings (f->settings), "order", "unordered");
  g_settings_set_int (cw_settings_get_gsettings (f->settings), "chunk-size", 1);
  activate (f, "win.start");
  wait_idle (f);

  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);

      g_test_message ("arrival %" G_GUINT64_FORMAT ": task %" G_GUINT64_FORMAT " on worker %u, %.3f-%.3f s",
                      cw_result_item_get_arrival (item), cw_result_item_get_submission (item),
                      cw_result_item_get_worker (item), cw_result_item_get_start_s (item),
                      cw_result_item_get_end_s (item));
    }
  first = g_list_model_get_item (results, 0);
  g_assert_cmpuint (cw_result_item_get_arrival (first), ==, 1);
  g_assert_cmpuint (cw_result_item_get_submission (first), !=, 1);
  assert_no_children ();
}

static gboolean
cancel_after_first_cb (gpointer user_data)
{
  Fixture *f = user_data;
  CwResultView *view = cw_window_get_result_view (f->window);

  cw_result_view_flush (view);
  if (g_list_model_get_n_items (cw_result_view_get_model (view)) == 0)
    return G_SOURCE_CONTINUE;
  activate (f, "win.cancel");
  return G_SOURCE_REMOVE;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_progress_bar (Fixture *f)
{
  GtkWidget *bar = find_widget (GTK_WIDGET (f->window), GTK_TYPE_PROGRESS_BAR);

  g_assert_nonnull (bar);
  return bar;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GListModel *results;
  guint ok = 0, cancelled = 0;

  for (guint i = 0; i < 12; i++)
    {
      char *name = g_strdup_printf ("%s/long%02u.wav", f->dir, i);

      write_sine (name, 60, 300 + i);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  drop_paths (f, (const char * const *) paths->pdata);

  g_settings_set_int (cw_settings_get_gsettings (f->settings), "workers", 1);
  g_settings_set_int (cw_settings_get_gsettings (f->settings), "chunk-size", 1);
  /* The seventh file never ends (a worker test hook), so the batch is still
   * running when the cancel comes, however slow or fast the machine is. */
  g_setenv ("CW_TEST_HANG_ON", "long06", TRUE);
  activate (f, "win.start");
  g_idle_add (cancel_after_first_cb, f);
  wait_idle (f);
  g_unsetenv ("CW_TEST_HANG_ON");

  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);

      if (cw_result_item_get_status (item) == CW_STATUS_OK)
        ok++;
      else if (cw_result_item_get_status (item) == CW_STATUS_CANCELLED)
        cancelled++;
    }
  /* the batch stopped early: a file in progress is cancelled (or had just
   * finished), the rest were never sent */
  g_assert_cmpuint (ok, >=, 1);
  g_assert_cmpuint (ok, <=, 6);
  g_assert_cmpuint (ok + cancelled, ==, g_list_model_get_n_items (results));
  g_assert_true (g_str_has_prefix (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (find_progress_bar (f))), "Cancelled"));
  /* finished files stay, nothing partial is left */
  g_assert_cmpuint (count_files (f->out, ".wav"), ==, ok);
  g_assert_cmpuint (count_files (f->out, ".part"), ==, 0);
  assert_no_children ();
}

/* Closing the window mid-batch ends every worker and leaves no partial
 * file; the window goes only once they are reaped. */
static void
test_close_mid_batch (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint watchdog;

  for (guint i = 0; i < 8; i++)
    {
      char *name = g_strdup_printf ("%s/big%02u.wav", f->dir, i);

      write_sine (name, 120, 300 + i);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  drop_paths (f, (const char * const *) paths->pdata);

  g_settings_set_int (cw_settings_get_gsettings (f->settings), "chunk-size", 1);
  g_settings_set_boolean (cw_settings_get_gsettings (f->settings), "normalize-enabled", TRUE);
  activate (f, "win.start");
  g_assert_true (cw_window_get_busy (f->window));

  /* the window hides at once, and goes (is finalized) once the workers
   * are reaped */
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_nonnull (f->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  watchdog = g_timeout_add_seconds (60, watchdog_cb, NULL);
  while (f->window != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
  g_settings_reset (cw_settings_get_gsettings (f->settings), "normalize-enabled");

  g_assert_cmpuint (count_files (f->out, ".part"), ==, 0);
  assert_no_children ();
}

static gboolean
cancel_after_three_cb (gpointer user_data)
{
  Fixture *f = user_data;
  CwResultView *view = cw_window_get_result_view (f->window);

  cw_result_view_flush (view);
  if (g_list_model_get_n_items (cw_result_view_get_model (view)) < 3)
    return G_SOURCE_CONTINUE;
  activate (f, "win.cancel");
  return G_SOURCE_REMOVE;
}

static void
new_window (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  /* the old window's record is written and closed when it goes */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  f->window = cw_window_new (NULL, f->settings);
  gtk_window_present (GTK_WINDOW (f->window));
}

/* A batch cut short is offered again by the next window: resuming it skips
 * the files already done (they are not written again) and does the rest. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) done_before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *record = g_build_filename (g_get_user_state_dir (), "corewave", "batch", NULL);
  GtkRevealer *revealer;
  GtkLabel *label;
  GListModel *results;
  guint watchdog, n_first = 0;

  for (guint i = 0; i < 10; i++)
    {
      char *name = g_strdup_printf ("%s/part%02u.wav", f->dir, i);

      write_sine (name, 60, 300 + i);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  drop_paths (f, (const char * const *) paths->pdata);

  g_settings_set_int (cw_settings_get_gsettings (f->settings), "workers", 1);
  g_settings_set_int (cw_settings_get_gsettings (f->settings), "chunk-size", 1);
  /* the seventh file hangs: the first run cannot finish on its own */
  g_setenv ("CW_TEST_HANG_ON", "part06", TRUE);
  activate (f, "win.start");
  g_idle_add (cancel_after_three_cb, f);
  wait_idle (f);
  g_unsetenv ("CW_TEST_HANG_ON");

  /* what the first run finished, and when */
  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);
      GStatBuf st;

      if (cw_result_item_get_status (item) != CW_STATUS_OK)
        continue;
      g_assert_cmpint (g_stat (cw_result_item_get_output_path (item), &st), ==, 0);
      g_hash_table_insert (done_before, g_strdup (cw_result_item_get_output_path (item)),
                           g_strdup_printf ("%ju:%jd", (uintmax_t) st.st_ino, (intmax_t) st.st_mtime));
      n_first++;
    }
  g_assert_cmpuint (n_first, >=, 3);
  g_assert_cmpuint (n_first, <=, 6);

  /* Corewave opens again: it offers the batch */
  new_window (f);
  revealer = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "resume_revealer"));
  label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "resume_label"));
  watchdog = g_timeout_add_seconds (30, watchdog_cb, NULL);
  while (!gtk_revealer_get_reveal_child (revealer))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
  g_assert_nonnull (strstr (gtk_label_get_label (label), "of 10 files are done"));

  activate (f, "win.resume");
  wait_idle (f);

  /* the rest was done, the first run's files were left alone */
  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 10 - n_first);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);

      g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_OK);
      g_assert_false (g_hash_table_contains (done_before, cw_result_item_get_output_path (item)));
    }
  {
    GHashTableIter iter;
    gpointer path, stamp;

    g_hash_table_iter_init (&iter, done_before);
    while (g_hash_table_iter_next (&iter, &path, &stamp))
      {
        GStatBuf st;
        g_autofree char *now = NULL;

        g_assert_cmpint (g_stat (path, &st), ==, 0);
        now = g_strdup_printf ("%ju:%jd", (uintmax_t) st.st_ino, (intmax_t) st.st_mtime);
        g_assert_cmpstr (now, ==, stamp);
      }
  }
  g_assert_cmpuint (count_files (f->out, ".wav"), ==, 10);
  g_assert_cmpuint (count_files (f->out, ".part"), ==, 0);

  /* finished: nothing is offered any more */
  new_window (f);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  assert_no_children ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("cw-window-state-XXXXXX", NULL);
  int status;

  /* the windows record their batches here, not in the user's state folder */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");
  gtk_disable_setlocale ();
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      rm_rf (state);
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add ("/cw/window/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/cw/window/drop-and-run", Fixture, NULL, fixture_setup, test_drop_and_run, fixture_teardown);
  g_test_add ("/cw/window/unordered", Fixture, NULL, fixture_setup, test_unordered, fixture_teardown);
  g_test_add ("/cw/window/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/cw/window/close-mid-batch", Fixture, NULL, fixture_setup, test_close_mid_batch, fixture_teardown);
  g_test_add ("/cw/window/resume", Fixture, NULL, fixture_setup, test_resume, fixture_teardown);
  status = g_test_run ();
  rm_rf (state);
  return status;
}
