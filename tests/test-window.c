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
#include <sys/stat.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "cw-demo.h"
#include "cw-lab-page.h"
#include "cw-queue-item.h"
#include "cw-result-item.h"
#include "cw-settings.h"
#include "cw-skipped-dialog.h"
#include "cw-skipped-item.h"
#include "cw-spec.h"
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
  f->settings = cw_test_settings_new (f->out, 0);
  g_assert_true (cw_settings_apply_spec (f->settings, "copy", NULL));
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
  g_autofree char *loose_out = g_build_filename (f->out, "loose one.wav", NULL);
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
  /* the folder's files in a folder of its own, the loose file at the top */
  {
    g_autofree char *tree = g_build_filename (f->out, "in", NULL);

    g_assert_cmpuint (cw_test_count_files (tree, ".wav"), ==, 5);
    g_assert_cmpuint (cw_test_count_files (tree, ".part"), ==, 0);
  }
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 1);
  g_assert_true (g_file_test (loose_out, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (cw_test_count_files (f->out, ".part"), ==, 0);
  g_assert_true (g_str_has_prefix (cw_window_get_summary (f->window), "6 of 6 files done · "));
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

static void run_action_and_cancel_full (Fixture    *f,
                                        const char *action,
                                        guint       workers,
                                        const char *hang_on,
                                        guint       after);

/* As completed: task 1 never ends (a worker test hook) while the other
 * worker does the six short files, so they arrive first however slow the
 * machine is (ASan, a loaded CI); cancelled after their six results, task
 * 1 arrives last, cancelled. */
static void
test_unordered (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GListModel *results;

  g_ptr_array_add (paths, g_build_filename (f->dir, "a-slow.wav", NULL));
  cw_test_write_sine (g_ptr_array_index (paths, 0), 0.1, 330, 1);
  for (guint i = 0; i < 6; i++)
    {
      char *name = g_strdup_printf ("%s/b-fast%u.wav", f->dir, i);

      cw_test_write_sine (name, 0.1, 500 + i, 1);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  cw_test_drop_paths (f->window, (const char * const *) paths->pdata, IDLE_TIMEOUT_S);

  cw_settings_set_order (f->settings, CW_ORDER_UNORDERED);
  run_action_and_cancel_full (f, "win.start", 2, "a-slow", 6);

  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);

      g_test_message ("arrival %" G_GUINT64_FORMAT ": task %" G_GUINT64_FORMAT " on worker %u, %.3f-%.3f s",
                      cw_result_item_get_arrival (item), cw_result_item_get_submission (item),
                      cw_result_item_get_worker (item), cw_result_item_get_start_s (item),
                      cw_result_item_get_end_s (item));
      g_assert_cmpuint (cw_result_item_get_arrival (item), ==, i + 1);
      if (i < 6)
        {
          g_assert_cmpuint (cw_result_item_get_submission (item), !=, 1);
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_OK);
        }
      else
        {
          g_assert_cmpuint (cw_result_item_get_submission (item), ==, 1);
          g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_CANCELLED);
        }
    }
  cw_settings_set_workers (f->settings, 2);
  cw_test_assert_no_children ();
}

/* One worker, one file a trip, and the file @hang_on never ends (a worker
 * test hook): the batch is still running when the cancel comes, after
 * @after results, however slow or fast the machine is. */
static void
run_action_and_cancel_full (Fixture    *f,
                            const char *action,
                            guint       workers,
                            const char *hang_on,
                            guint       after)
{
  CancelAfter cancel = { .f = f, .after = after };

  cw_settings_set_workers (f->settings, workers);
  cw_settings_set_chunk_size (f->settings, 1);
  g_setenv ("CW_TEST_HANG_ON", hang_on, TRUE);
  activate (f, action);
  cancel.source = g_idle_add (cancel_after_cb, &cancel);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_clear_handle_id (&cancel.source, g_source_remove);
  g_unsetenv ("CW_TEST_HANG_ON");
}

static void
run_action_and_cancel (Fixture    *f,
                       const char *action,
                       const char *hang_on,
                       guint       after)
{
  run_action_and_cancel_full (f, action, 1, hang_on, after);
}

static void
run_and_cancel (Fixture    *f,
                const char *hang_on,
                guint       after)
{
  run_action_and_cancel (f, "win.start", hang_on, after);
}

static GtkWidget *
find_progress_bar (Fixture *f)
{
  GtkWidget *bar = cw_test_find_widget (GTK_WIDGET (f->window), cw_test_widget_is_a,
                                        GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR));

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

static gpointer
template_child (Fixture    *f,
                const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), CW_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* The file @relative (below @root) with a tone, its folders made. */
static char *
write_tone_at (const char *root,
               const char *relative,
               double      frequency)
{
  char *path = g_build_filename (root, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  cw_test_write_sine (path, 0.2, frequency, 1);
  return path;
}

static void
assert_regular (const char *dir,
                const char *relative)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("no output %s", path);
}

/* Folders dropped keep their trees, each under its own name, however they
 * were added: same-named files from two albums never meet; the list tells
 * them apart by their folders, and each result row names its output. */
static void
test_tree (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *music = g_build_filename (f->dir, "Music", NULL);
  g_autofree char *album_a = g_build_filename (music, "Album A", NULL);
  g_autofree char *album_b = g_build_filename (music, "Album B", NULL);
  g_autofree char *single = NULL;
  const char *two[] = { album_a, NULL };
  const char *three[] = { album_b, NULL };
  const char *four[] = { NULL, NULL };
  GListModel *queue = cw_window_get_queue (f->window);
  GListModel *results;
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_free (write_tone_at (music, "Album A/01.wav", 300));
  g_free (write_tone_at (music, "Album B/01.wav", 400));
  g_free (write_tone_at (music, "Album B/CD 2/01.wav", 500));
  single = write_tone_at (f->dir, "single/01.wav", 600);
  four[0] = single;

  /* one drop each: a folder, another folder, a file by itself */
  cw_test_drop_paths (f->window, two, IDLE_TIMEOUT_S);
  cw_test_drop_paths (f->window, three, IDLE_TIMEOUT_S);
  cw_test_drop_paths (f->window, four, IDLE_TIMEOUT_S);
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);
      static const char * const relatives[] = { "Album A/01.wav", "Album B/01.wav", "Album B/CD 2/01.wav", NULL };

      g_assert_cmpstr (cw_queue_item_get_display_name (item), ==, "01.wav");
      g_assert_cmpstr (cw_queue_item_get_relative (item), ==, relatives[i]);
      g_hash_table_add (folders, cw_queue_item_dup_folder (item));
    }
  /* the folder column tells the four apart */
  g_assert_cmpuint (g_hash_table_size (folders), ==, 4);

  activate (f, "win.start");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  assert_regular (f->out, "Album A/01.wav");
  assert_regular (f->out, "Album B/01.wav");
  assert_regular (f->out, "Album B/CD 2/01.wav");
  assert_regular (f->out, "01.wav");
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 1);

  /* each row shows its output below the output folder (the Run page
   * folds the results away until they are opened) */
  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 4);
  gtk_expander_set_expanded (GTK_EXPANDER (gtk_widget_get_template_child (GTK_WIDGET (cw_window_get_run_page (f->window)),
                                                                          CW_TYPE_RUN_PAGE, "results_expander")),
                             TRUE);
  cw_result_view_flush (cw_window_get_result_view (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_nonnull (cw_test_find_widget (GTK_WIDGET (cw_window_get_result_view (f->window)),
                                         cw_test_widget_shows, "Album B/CD 2/01.wav"));
  cw_test_assert_no_children ();
}

/* Start, pressed on the Files page */
static void
start_from_files (Fixture *f)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.page", "s", "queue"));
  activate (f, "win.start");
}

/* Waits for the existing-outputs question, checks its heading, answers. */
static void
answer_existing (Fixture    *f,
                 const char *heading,
                 const char *response)
{
  AdwMessageDialog *dialog = NULL;

  WAIT_UNTIL_S ((dialog = cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, IDLE_TIMEOUT_S);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  g_assert_true (cw_window_get_busy (f->window));
  /* asked where Start was pressed, before the Run page shows anything */
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (template_child (f, "view_stack")), ==, "queue");
  /* as its button does: the answer, then the question goes */
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gint64
mtime_ns (const char *dir,
          const char *relative)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Outputs already there are asked about once, before anything runs, and
 * the answer is what the batch does: Cancel writes nothing, Skip keeps
 * them and lists their inputs as skipped, Keep Both numbers the new ones,
 * Replace replaces them. The Settings row decides without asking. */
static void
test_existing (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *album = g_build_filename (f->dir, "Album", NULL);
  const char *paths[] = { album, NULL };
  GListModel *skipped = cw_window_get_skipped (f->window);
  gint64 before;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("Album/%02u.wav", i);

      g_free (write_tone_at (f->dir, name, 300 + 50 * i));
    }
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);

  /* nothing there yet: no question */
  start_from_files (f);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_null (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  before = mtime_ns (f->out, "Album/01.wav");

  /* Cancel: nothing runs, nothing is written */
  start_from_files (f);
  answer_existing (f, "3 Outputs Already Exist", "cancel");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_cmpint (mtime_ns (f->out, "Album/01.wav"), ==, before);
  {
    g_autofree char *tree = g_build_filename (f->out, "Album", NULL);

    g_assert_cmpuint (cw_test_count_files (tree, ".wav"), ==, 3);
  }

  /* Escape (Cancel) while asked: the question goes, nothing runs */
  start_from_files (f);
  WAIT_UNTIL_S (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL, IDLE_TIMEOUT_S);
  activate (f, "win.cancel");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_null (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpint (mtime_ns (f->out, "Album/01.wav"), ==, before);

  /* Skip: kept, and the Skipped list says why */
  start_from_files (f);
  answer_existing (f, "3 Outputs Already Exist", "skip");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_cmpint (mtime_ns (f->out, "Album/01.wav"), ==, before);
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 3);
  {
    g_autoptr(CwSkippedItem) item = g_list_model_get_item (skipped, 1);
    g_autofree char *input = g_build_filename (album, "01.wav", NULL);

    g_assert_cmpstr (cw_skipped_item_get_path (item), ==, input);
    g_assert_cmpint (cw_skipped_item_get_when (item), ==, CW_SKIPPED_BY_BATCH);
    g_assert_nonnull (strstr (cw_skipped_item_get_reason (item), "exists"));
  }
  g_assert_true (gtk_widget_get_visible (template_child (f, "run_skipped_button")));

  /* Keep Both: numbered names beside the old ones; the batch before's
   * skipped files are no longer listed */
  start_from_files (f);
  answer_existing (f, "3 Outputs Already Exist", "rename");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  assert_regular (f->out, "Album/01 (1).wav");
  g_assert_cmpint (mtime_ns (f->out, "Album/01.wav"), ==, before);
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 0);

  /* Replace: the same names, written again */
  start_from_files (f);
  answer_existing (f, "3 Outputs Already Exist", "replace");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (template_child (f, "view_stack")), ==, "run");
  g_assert_cmpint (mtime_ns (f->out, "Album/01.wav"), !=, before);
  {
    g_autofree char *tree = g_build_filename (f->out, "Album", NULL);

    g_assert_cmpuint (cw_test_count_files (tree, ".wav"), ==, 6);
  }

  /* decided in Settings: not asked */
  cw_settings_set_existing (f->settings, CW_EXISTING_CHOICE_SKIP);
  start_from_files (f);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_null (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 3);
  cw_settings_set_existing (f->settings, CW_EXISTING_CHOICE_ASK);
  cw_test_assert_no_children ();
}

/* The Settings page's encoding rows reach the outputs as corewave-cli's
 * options do (byte for byte); a file the format cannot hold is asked about
 * once before anything runs (Cancel writes nothing; Skip lists it as
 * skipped and converts the rest), and the answer holds through the
 * question about existing outputs; FLAC in 32-bit float never starts. */
static void
test_encodings (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *album = g_build_filename (f->dir, "Album", NULL);
  g_autofree char *six = g_build_filename (album, "six.wav", NULL);
  g_autofree char *cli_out = g_build_filename (f->dir, "cli", NULL);
  const char *paths[] = { album, NULL };
  GListModel *skipped = cw_window_get_skipped (f->window);

  g_free (write_tone_at (f->dir, "Album/01.wav", 300));
  g_free (write_tone_at (f->dir, "Album/02.wav", 350));
  cw_test_write_sine (six, 0.2, 440, 6);
  cw_settings_set_format (f->settings, CW_FORMAT_MP3);
  g_object_set (f->settings, CW_SETTINGS_KEY_QUALITY_ENABLED, TRUE, CW_SETTINGS_KEY_QUALITY, 0.2,
                CW_SETTINGS_KEY_KEEP_TAGS, FALSE, NULL);
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);

  start_from_files (f);
  answer_existing (f, "1 File Cannot Be Converted", "cancel");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_false (g_file_test (f->out, G_FILE_TEST_EXISTS) && cw_test_count_files (f->out, ".mp3") > 0);

  start_from_files (f);
  answer_existing (f, "1 File Cannot Be Converted", "skip");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  {
    g_autofree char *tree = g_build_filename (f->out, "Album", NULL);

    g_assert_cmpuint (cw_test_count_files (tree, ".mp3"), ==, 2);
  }
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 1);
  {
    g_autoptr(CwSkippedItem) item = g_list_model_get_item (skipped, 0);

    g_assert_cmpstr (cw_skipped_item_get_path (item), ==, six);
    g_assert_nonnull (strstr (cw_skipped_item_get_reason (item), "MP3 holds at most 2 channels"));
  }
  /* what corewave-cli makes of the same settings, byte for byte */
  {
    g_autofree char *one = g_build_filename (album, "01.wav", NULL);
    g_autofree char *two = g_build_filename (album, "02.wav", NULL);
    g_autofree char *mine = g_build_filename (f->out, "Album", "02.mp3", NULL);
    g_autofree char *theirs = g_build_filename (cli_out, "02.mp3", NULL);
    int status = cw_test_run_cli (NULL, NULL, one, two, "-o", cli_out, "-t", "copy", "-f", "mp3",
                                  "--quality", "0.2", "--no-metadata", "-q");
    g_autoptr(GBytes) window_bytes = NULL;
    g_autoptr(GBytes) cli_bytes = NULL;

    g_assert_cmpint (status, ==, 0);
    window_bytes = cw_test_read_bytes (mine);
    cli_bytes = cw_test_read_bytes (theirs);
    g_assert_true (g_bytes_equal (window_bytes, cli_bytes));
  }

  /* both questions: the files the format cannot hold, then the outputs
   * already there, each once */
  start_from_files (f);
  answer_existing (f, "1 File Cannot Be Converted", "skip");
  answer_existing (f, "2 Outputs Already Exist", "replace");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_null (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (template_child (f, "view_stack")), ==, "run");

  /* FLAC has no 32-bit float: not started, nothing asked */
  cw_settings_set_format (f->settings, CW_FORMAT_FLAC);
  g_object_set (f->settings, CW_SETTINGS_KEY_BITS, "32f", NULL);
  start_from_files (f);
  g_assert_false (cw_window_get_busy (f->window));
  g_assert_null (cw_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  /* (the memory backend is shared by every case) */
  g_object_set (f->settings, CW_SETTINGS_KEY_BITS, "same", CW_SETTINGS_KEY_QUALITY_ENABLED, FALSE,
                CW_SETTINGS_KEY_KEEP_TAGS, TRUE, NULL);
  cw_settings_set_format (f->settings, CW_FORMAT_SAME);
  cw_test_assert_no_children ();
}

static GtkSelectionModel *
queue_selection (Fixture *f)
{
  return gtk_column_view_get_model (GTK_COLUMN_VIEW (template_child (f, "queue_view")));
}

static char *
queue_names (Fixture *f)
{
  GListModel *queue = cw_window_get_queue (f->window);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);

      g_string_append_printf (names, "%s%s", i > 0 ? " " : "", cw_queue_item_get_display_name (item));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Selected files leave the queue (Delete, the context menu) and come back
 * with Undo, where they were; Clear too. */
static void
test_remove_and_undo (Fixture       *f,
                      gconstpointer  data)
{
  GtkSelectionModel *selection;
  GtkColumnView *view = template_child (f, "queue_view");
  g_autoptr(GListModel) controllers = NULL;
  gboolean delete_bound = FALSE;
  GtkPopover *menu = NULL;
  g_autofree char *names = NULL;

  drop_tones (f, "t", 6, 0.1);
  selection = queue_selection (f);
  /* nothing selected, nothing to undo: nothing happens */
  activate (f, "win.remove-files");
  activate (f, "win.undo-remove");
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  /* t01 and t03..t04 */
  gtk_selection_model_select_item (selection, 1, TRUE);
  gtk_selection_model_select_range (selection, 3, 2, FALSE);
  activate (f, "win.remove-files");
  names = queue_names (f);
  g_assert_cmpstr (names, ==, "t00.wav t02.wav t05.wav");
  activate (f, "win.undo-remove");
  g_clear_pointer (&names, g_free);
  names = queue_names (f);
  g_assert_cmpstr (names, ==, "t00.wav t01.wav t02.wav t03.wav t04.wav t05.wav");
  /* once */
  activate (f, "win.undo-remove");
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  /* removed files can be added again, and are queued once */
  gtk_selection_model_select_item (selection, 0, TRUE);
  activate (f, "win.remove-files");
  drop_tones (f, "t", 6, 0.1);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  /* Clear, then Undo */
  activate (f, "win.clear-queue");
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 0);
  activate (f, "win.undo-remove");
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 6);

  /* Delete where the list has the focus, and a context menu that removes */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (strstr (trigger, "Delete") != NULL && GTK_IS_NAMED_ACTION (action)
              && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "win.remove-files"))
            delete_bound = TRUE;
        }
    }
  g_assert_true (delete_bound);
  gtk_selection_model_select_item (selection, 2, TRUE);
  activate (f, "win.queue-menu");
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child))
      menu = GTK_POPOVER (child);
  g_assert_nonnull (menu);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  gtk_popover_popdown (menu);

  /* Add Folder… is on the Files page with files queued */
  g_assert_nonnull (cw_test_find_widget (template_child (f, "queue_stack"), cw_test_widget_activates,
                                         "win.open-folder"));
}

/* What adding left out is listed with its reason, from the Files page;
 * Clear takes it with the queue, Undo brings it back. */
static void
test_skipped (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->dir, "mixed", NULL);
  g_autofree char *notes = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *empty = g_build_filename (folder, "empty.wav", NULL);
  g_autofree char *good = g_build_filename (folder, "good.wav", NULL);
  const char *paths[] = { folder, NULL };
  GListModel *skipped = cw_window_get_skipped (f->window);
  CwSkippedDialog *dialog;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (notes, "not audio", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  cw_test_write_sine (good, 0.1, 440, 1);
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);
  /* twice: each file listed once */
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);

  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CwSkippedItem) item = g_list_model_get_item (skipped, i);

      g_assert_cmpint (cw_skipped_item_get_when (item), ==, CW_SKIPPED_WHEN_ADDED);
      g_assert_cmpstr (cw_skipped_item_get_reason (item), !=, "");
      if (g_str_equal (cw_skipped_item_get_path (item), notes))
        g_assert_cmpstr (cw_skipped_item_get_reason (item), ==, "not an audio file");
      else
        {
          /* the engine's reason quotes the whole path; the row, only the name */
          g_assert_cmpstr (cw_skipped_item_get_path (item), ==, empty);
          g_assert_cmpstr (cw_skipped_item_get_reason (item), ==, "empty file: “empty.wav” has 0 bytes");
        }
    }
  g_assert_true (gtk_widget_get_visible (template_child (f, "skipped_button")));

  activate (f, "win.show-skipped");
  dialog = cw_test_find_toplevel (CW_TYPE_SKIPPED_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (cw_skipped_dialog_get_model (dialog) == skipped);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  gtk_window_close (GTK_WINDOW (dialog));

  activate (f, "win.clear-queue");
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 0);
  g_assert_false (gtk_widget_get_visible (template_child (f, "skipped_button")));
  activate (f, "win.undo-remove");
  g_assert_cmpuint (g_list_model_get_n_items (skipped), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 1);
}

/* A person's own files are converted, not changed; the demo set selects
 * the lesson's noise, unless stages were picked. */
static void
test_demo_selects_noise (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *demo = cw_demo_set_dir (CW_DEMO_COUNT, CW_DEMO_SECONDS);
  g_autofree char *spec = NULL;

  /* a stand-in for the demo set (the real one is 24 × 4 minutes) */
  for (guint i = 0; i < CW_DEMO_COUNT; i++)
    {
      g_autofree char *name = g_strdup_printf ("example%02u.wav", i);

      g_free (write_tone_at (demo, name, 440 + 10 * i));
    }

  spec = cw_settings_build_spec (f->settings);
  g_assert_cmpstr (spec, ==, "copy");
  activate (f, "win.demo");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_clear_pointer (&spec, g_free);
  spec = cw_settings_build_spec (f->settings);
  g_assert_cmpstr (spec, ==, CW_DEFAULT_SPEC);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, CW_DEMO_COUNT);

  /* stages picked: the demo set keeps them */
  g_assert_true (cw_settings_apply_spec (f->settings, "gain:db=-6", NULL));
  activate (f, "win.demo");
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_clear_pointer (&spec, g_free);
  spec = cw_settings_build_spec (f->settings);
  g_assert_cmpstr (spec, ==, "gain:db=-6");
  g_assert_true (cw_settings_apply_spec (f->settings, "copy", NULL));
  cw_test_rm_rf (demo);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("cw-window-state-XXXXXX", NULL);
  g_autofree char *cache = g_dir_make_tmp ("cw-window-cache-XXXXXX", NULL);
  int status;

  /* the windows record their batches here, not in the user's state folder,
   * and the demo set is looked for here, not in the user's cache */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  if (!cw_test_init_gtk (&argc, &argv))
    {
      cw_test_rm_rf (state);
      cw_test_rm_rf (cache);
      return 0;
    }

  g_test_add ("/cw/window/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/cw/window/drop-and-run", Fixture, NULL, fixture_setup, test_drop_and_run, fixture_teardown);
  g_test_add ("/cw/window/unordered", Fixture, NULL, fixture_setup, test_unordered, fixture_teardown);
  g_test_add ("/cw/window/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/cw/window/close-mid-batch", Fixture, NULL, fixture_setup, test_close_mid_batch, fixture_teardown);
  g_test_add ("/cw/window/resume", Fixture, NULL, fixture_setup, test_resume, fixture_teardown);
  g_test_add ("/cw/window/lab", Fixture, NULL, fixture_setup, test_lab, fixture_teardown);
  g_test_add ("/cw/window/tree", Fixture, NULL, fixture_setup, test_tree, fixture_teardown);
  g_test_add ("/cw/window/existing", Fixture, NULL, fixture_setup, test_existing, fixture_teardown);
  g_test_add ("/cw/window/encodings", Fixture, NULL, fixture_setup, test_encodings, fixture_teardown);
  g_test_add ("/cw/window/remove-and-undo", Fixture, NULL, fixture_setup, test_remove_and_undo, fixture_teardown);
  g_test_add ("/cw/window/skipped", Fixture, NULL, fixture_setup, test_skipped, fixture_teardown);
  g_test_add ("/cw/window/demo-selects-noise", Fixture, NULL, fixture_setup, test_demo_selects_noise, fixture_teardown);
  status = g_test_run ();
  cw_test_rm_rf (state);
  cw_test_rm_rf (cache);
  return status;
}
