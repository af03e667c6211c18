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

#include <string.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "cw-lab-page.h"
#include "cw-result-item.h"
#include "cw-settings.h"
#include "cw-test-gtk-util.h"
#include "cw-window.h"
#include "cw-window-private.h"   /* the sampler, to count its samples */

/* No run of this suite comes near them; they only turn a hang into a failure. */
#define IDLE_TIMEOUT_S 60
#define WAIT_TIMEOUT_S 60

typedef struct
{
  char       *dir;      /* inputs */
  char       *out;      /* outputs */
  CwSettings *settings;
  CwWindow   *window;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cw_test_make_tmp_dir ();
  f->out = g_build_filename (f->dir, "out", NULL);
  f->settings = cw_settings_new ();
  /* (the schema's defaults but for these; the memory backend is shared
   * by every case) */
  cw_settings_set_order (f->settings, CW_ORDER_UNORDERED);
  cw_settings_set_chunk_size (f->settings, 0);
  cw_settings_set_output_dir (f->settings, f->out);
  cw_settings_set_workers (f->settings, 2);
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
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->out);
}

static void
activate (Fixture    *f,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));
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

      cw_test_write_sine (name, 0.5, 440 + 10 * i, 1);
    }
  cw_test_write_sine (loose, 0.25, 220, 1);
  g_assert_true (g_file_set_contents (notes, "not audio", -1, NULL));

  /* the folder twice: its files are queued once; notes.txt is skipped */
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  cw_settings_set_order (f->settings, CW_ORDER_ORDERED);
  activate (f, "win.start");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);

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
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 6);
  g_assert_cmpuint (cw_test_count_files (f->out, ".part"), ==, 0);
  g_assert_true (g_str_has_prefix (cw_window_get_summary (f->window), "6 files in "));
  cw_test_assert_no_children ();
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
  cw_test_write_sine (slow, 400, 330, 1);
  g_ptr_array_add (paths, g_steal_pointer (&slow));
  for (guint i = 0; i < 6; i++)
    {
      char *name = g_strdup_printf ("%s/b-fast%u.wav", f->dir, i);

      cw_test_write_sine (name, 0.1, 500 + i, 1);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  cw_test_drop_paths (f->window, (const char * const *) paths->pdata, IDLE_TIMEOUT_S);

  cw_settings_set_order (f->settings, CW_ORDER_UNORDERED);
  cw_settings_set_chunk_size (f->settings, 1);
  activate (f, "win.start");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);

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
  cw_test_assert_no_children ();
}

/* Writes @n tones of @seconds, @prefix00.wav and on, and drops them. */
static void
drop_tones (Fixture    *f,
            const char *prefix,
            guint       n,
            double      seconds)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      char *name = g_strdup_printf ("%s/%s%02u.wav", f->dir, prefix, i);

      cw_test_write_sine (name, seconds, 300 + i, 1);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  cw_test_drop_paths (f->window, (const char * const *) paths->pdata, IDLE_TIMEOUT_S);
}

typedef struct
{
  Fixture *f;
  guint    after;    /* results shown */
  guint    source;
} CancelAfter;

static gboolean
cancel_after_cb (gpointer user_data)
{
  CancelAfter *cancel = user_data;
  CwResultView *view = cw_window_get_result_view (cancel->f->window);

  cw_result_view_flush (view);
  if (g_list_model_get_n_items (cw_result_view_get_model (view)) < cancel->after)
    return G_SOURCE_CONTINUE;
  activate (cancel->f, "win.cancel");
  cancel->source = 0;
  return G_SOURCE_REMOVE;
}

/* One worker, one file a trip, and the file @hang_on never ends (a worker
 * test hook): the batch is still running when the cancel comes, after
 * @after results, however slow or fast the machine is. */
static void
run_action_and_cancel (Fixture    *f,
                       const char *action,
                       const char *hang_on,
                       guint       after)
{
  CancelAfter cancel = { .f = f, .after = after };

  cw_settings_set_workers (f->settings, 1);
  cw_settings_set_chunk_size (f->settings, 1);
  g_setenv ("CW_TEST_HANG_ON", hang_on, TRUE);
  activate (f, action);
  cancel.source = g_idle_add (cancel_after_cb, &cancel);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_clear_handle_id (&cancel.source, g_source_remove);
  g_unsetenv ("CW_TEST_HANG_ON");
}

static void
run_and_cancel (Fixture    *f,
                const char *hang_on,
                guint       after)
{
  run_action_and_cancel (f, "win.start", hang_on, after);
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
  GListModel *results;
  guint ok = 0, cancelled = 0;

  /* the seventh file never ends: cancelled after the first result */
  drop_tones (f, "long", 12, 60);
  run_and_cancel (f, "long06", 1);

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
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, ok);
  g_assert_cmpuint (cw_test_count_files (f->out, ".part"), ==, 0);
  cw_test_assert_no_children ();
}

/* Closing the window mid-batch ends every worker and leaves no partial
 * file; the window goes only once they are reaped. */
static void
test_close_mid_batch (Fixture       *f,
                      gconstpointer  data)
{
  drop_tones (f, "big", 8, 120);
  cw_settings_set_chunk_size (f->settings, 1);
  g_object_set (f->settings, CW_SETTINGS_KEY_NORMALIZE_ENABLED, TRUE, NULL);
  activate (f, "win.start");
  g_assert_true (cw_window_get_busy (f->window));

  /* the window hides at once, and goes (is finalized) once the workers
   * are reaped */
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_nonnull (f->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  WAIT_UNTIL (f->window == NULL);
  g_object_set (f->settings, CW_SETTINGS_KEY_NORMALIZE_ENABLED, FALSE, NULL);

  g_assert_cmpuint (cw_test_count_files (f->out, ".part"), ==, 0);
  cw_test_assert_no_children ();
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
 * the files already done (they are not written again) and does the rest.
 * A file the user put at an output's name meanwhile is kept; a resumed
 * batch cut short again remembers what the resume did. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GHashTable) done_before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *record = g_build_filename (g_get_user_state_dir (), "corewave", "batch", NULL);
  g_autofree char *mine = g_build_filename (f->out, "part09.wav", NULL);
  GtkRevealer *revealer;
  GtkLabel *label;
  GListModel *results;
  guint n_first = 0;

  /* the seventh file hangs: the first run cannot finish on its own */
  drop_tones (f, "part", 10, 60);
  run_and_cancel (f, "part06", 3);

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

  /* the user's own file at a name the batch planned and has not written */
  g_assert_true (g_file_set_contents (mine, "MINE", -1, NULL));

  /* Corewave opens again: it offers the batch */
  new_window (f);
  revealer = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "resume_revealer"));
  label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "resume_label"));
  WAIT_UNTIL_S (gtk_revealer_get_reveal_child (revealer), 30);
  g_assert_nonnull (strstr (gtk_label_get_label (label), "of 10 files are done"));

  /* the resume is cut short too, at part08, after part06 and part07 */
  run_action_and_cancel (f, "win.resume", "part08", 8 - n_first);

  /* and again: only part08 and part09 are left, so the resumed files
   * were logged */
  new_window (f);
  revealer = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "resume_revealer"));
  WAIT_UNTIL_S (gtk_revealer_get_reveal_child (revealer), 30);
  activate (f, "win.resume");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);

  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);
      const char *input = cw_result_item_get_input_path (item);

      if (g_str_has_suffix (input, "part09.wav"))
        {
          /* not the batch's: kept, and that file says why */
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_FAILED);
          g_assert_nonnull (strstr (cw_result_item_get_error (item), "output exists"));
        }
      else
        {
          g_assert_true (g_str_has_suffix (input, "part08.wav"));
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_OK);
          g_assert_false (g_hash_table_contains (done_before, cw_result_item_get_output_path (item)));
        }
    }
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (mine, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "MINE");
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
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 10);
  g_assert_cmpuint (cw_test_count_files (f->out, ".part"), ==, 0);

  /* finished: nothing is offered any more */
  new_window (f);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  cw_test_assert_no_children ();
}

/* A sample of the window's CPU sampler while the lab runs. */
static void
count_sample_cb (CwCpuSampler *sampler,
                 CwCpuSample  *sample,
                 gpointer      user_data)
{
  CwLabPage *lab = g_object_get_data (G_OBJECT (sampler), "lab");

  if (lab != NULL && cw_lab_page_get_running (lab))
    (*(guint *) user_data)++;
}

/* The Lab page: Alt+4's action shows it with the experiments focused; it
 * takes the queue and the worker count; a batch and an experiment never
 * run at once; closing the window mid-experiment waits for its workers. */
static void
test_lab (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *tone = g_build_filename (f->dir, "tone.wav", NULL);
  const char *paths[] = { tone, NULL };
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "view_stack"));
  CwLabPage *lab = CW_LAB_PAGE (gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, "lab_page"));
  GtkLabel *inputs = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (lab), CW_TYPE_LAB_PAGE, "inputs_label"));
  GtkWidget *focus;
  gboolean blocked;
  int workers;
  guint samples = 0;
  gulong handler;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.page", "s", "lab"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "lab");
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (lab)));
  g_object_get (lab, "max-workers", &workers, NULL);
  g_assert_cmpint (workers, ==, 2);

  cw_test_write_sine (tone, 0.5, 440, 1);
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  cw_lab_page_select (lab, CW_LAB_RANDOM_STATE);
  g_assert_nonnull (strstr (gtk_label_get_label (inputs), "1 queued file"));

  /* the batch holds the lab back while it runs */
  activate (f, "win.start");
  g_object_get (lab, "blocked", &blocked, NULL);
  g_assert_true (blocked);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_object_get (lab, "blocked", &blocked, NULL);
  g_assert_false (blocked);

  /* the lab holds the batch back while it runs; and while it measures,
   * the Run page's meter gets no samples, even when shown */
  adw_view_stack_set_visible_child_name (stack, "lab");
  cw_lab_page_select (lab, CW_LAB_OVERHEAD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab), "lab.run", NULL));
  g_assert_true (cw_lab_page_get_running (lab));
  activate (f, "win.start");
  g_assert_false (cw_window_get_busy (f->window));
  g_object_set_data (G_OBJECT (f->window->sampler), "lab", lab);
  handler = g_signal_connect (f->window->sampler, "sample", G_CALLBACK (count_sample_cb), &samples);
  adw_view_stack_set_visible_child_name (stack, "run");
  WAIT_UNTIL_S (!cw_lab_page_get_running (lab), 120);
  g_signal_handler_disconnect (f->window->sampler, handler);
  g_assert_cmpuint (samples, ==, 0);
  adw_view_stack_set_visible_child_name (stack, "lab");
  g_assert_nonnull (cw_lab_chart_get_report (cw_lab_page_get_chart (lab, CW_LAB_OVERHEAD)));
  cw_test_assert_no_children ();

  /* closed mid-experiment: hidden at once, gone once its workers are reaped */
  cw_lab_page_select (lab, CW_LAB_RANDOM_STATE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab), "lab.run", NULL));
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_nonnull (f->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  WAIT_UNTIL_S (f->window == NULL, 60);
  cw_test_assert_no_children ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("cw-window-state-XXXXXX", NULL);
  int status;

  /* the windows record their batches here, not in the user's state folder */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  if (!cw_test_init_gtk (&argc, &argv))
    {
      cw_test_rm_rf (state);
      return 0;
    }

  g_test_add ("/cw/window/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/cw/window/drop-and-run", Fixture, NULL, fixture_setup, test_drop_and_run, fixture_teardown);
  g_test_add ("/cw/window/unordered", Fixture, NULL, fixture_setup, test_unordered, fixture_teardown);
  g_test_add ("/cw/window/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/cw/window/close-mid-batch", Fixture, NULL, fixture_setup, test_close_mid_batch, fixture_teardown);
  g_test_add ("/cw/window/resume", Fixture, NULL, fixture_setup, test_resume, fixture_teardown);
  g_test_add ("/cw/window/lab", Fixture, NULL, fixture_setup, test_lab, fixture_teardown);
  status = g_test_run ();
  cw_test_rm_rf (state);
  return status;
}
