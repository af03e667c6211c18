/* test-lab-page.c: the Lab page end to end, under Xvfb
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Experiments run for real (quick sizes, real worker processes) through the
 * page's Run button; the tests iterate the main context until the page says
 * it is done, under a watchdog, and never sleep. Then the chart, the
 * paragraph, the pipe counter, the exports and the worker processes are
 * checked.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cw-lab-page.h"
#include "cw-queue-item.h"
#include "cw-test-util.h"

/* No quick run comes near it; it only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 180

typedef struct
{
  char      *dir;
  GtkWidget *window;
  CwLabPage *page;
} Fixture;

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->page), CW_TYPE_LAB_PAGE, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (child (f, name)));
}

/* A button bound to an action is sensitive exactly when the action is enabled. */
static gboolean
action_enabled (Fixture    *f,
                const char *action)
{
  static const char * const buttons[][2] = {
    { "lab.run", "run_button" },
    { "lab.cancel", "cancel_button" },
    { "lab.export-csv", "export_csv_button" },
    { "lab.export-png", "export_png_button" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (g_str_equal (buttons[i][0], action))
      {
        GtkWidget *button = child (f, buttons[i][1]);

        g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, action);
        return gtk_widget_get_sensitive (button);
      }
  g_assert_not_reached ();
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("cw-lab-page-XXXXXX", NULL);
  f->window = gtk_window_new ();
  f->page = CW_LAB_PAGE (cw_lab_page_new ());
  g_object_set (f->page, "max-workers", 2, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 760);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->page)) > 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* Presses the page's Run button and waits for the experiment's end. */
static void
run_through_button (Fixture         *f,
                    CwLabExperiment  experiment)
{
  cw_lab_page_select (f->page, experiment);
  g_assert_cmpint (cw_lab_page_get_selected (f->page), ==, experiment);
  g_assert_true (gtk_widget_get_sensitive (child (f, "run_button")));
  /* what a click does (gtk_widget_activate () would click after 250 ms) */
  g_signal_emit_by_name (child (f, "run_button"), "clicked");
  g_assert_true (cw_lab_page_get_running (f->page));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "run_stack"))), ==, "cancel");
  g_assert_false (action_enabled (f, "lab.run"));
  g_assert_true (action_enabled (f, "lab.cancel"));
  WAIT_UNTIL (!cw_lab_page_get_running (f->page));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "run_stack"))), ==, "run");
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
export (Fixture            *f,
        CwLabExperiment     experiment,
        CwLabExportFormat   format,
        const char         *path,
        GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  cw_lab_page_export_async (f->page, experiment, format, file, NULL, export_done_cb, &result);
  WAIT_UNTIL (result != NULL);
  return cw_lab_page_export_finish (f->page, result, error);
}

static void
assert_report (Fixture         *f,
               CwLabExperiment  experiment)
{
  const CwLabReport *report = cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, experiment));
  guint n_points = 0;

  g_assert_nonnull (report);
  g_assert_cmpint (report->experiment, ==, experiment);
  g_assert_cmpuint (report->series->len, >=, 1);
  for (guint s = 0; s < report->series->len; s++)
    n_points += ((CwLabSeries *) g_ptr_array_index (report->series, s))->points->len;
  g_assert_cmpuint (n_points, >=, 1);
  g_assert_cmpuint (strlen (cw_lab_page_get_explanation (f->page, experiment)), >, 40);
  g_assert_cmpstr (cw_lab_page_get_explanation (f->page, experiment), ==, report->explanation);
}

/* The quickest experiment through the Run button: chart, paragraph, the
 * result kept while another experiment is looked at, both exports. */
static void
test_run_and_export (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *csv_path = g_build_filename (f->dir, "overhead.csv", NULL);
  g_autofree char *png_path = g_build_filename (f->dir, "overhead.png", NULL);
  g_autofree char *header = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *png = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  const CwLabReport *report;
  cairo_surface_t *surface;
  gsize length;
  guint n_fds;

  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (f, "quick_switch"))));
  g_assert_false (action_enabled (f, "lab.export-csv"));
  run_through_button (f, CW_LAB_OVERHEAD);
  assert_report (f, CW_LAB_OVERHEAD);
  g_assert_nonnull (strstr (label_text (f, "status_label"), "took"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "result_stack"))), ==, "overhead");
  g_assert_true (action_enabled (f, "lab.export-csv"));
  g_assert_true (action_enabled (f, "lab.export-png"));
  report = cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_OVERHEAD));

  /* another experiment, not run: nothing shown, nothing to export; back:
   * the result is still there */
  cw_lab_page_select (f->page, CW_LAB_ORDER);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "result_stack"))), ==, "empty");
  g_assert_false (action_enabled (f, "lab.export-csv"));
  g_assert_false (export (f, CW_LAB_ORDER, CW_LAB_EXPORT_CSV, csv_path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (csv_path, G_FILE_TEST_EXISTS));
  cw_lab_page_select (f->page, CW_LAB_OVERHEAD);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "result_stack"))), ==, "overhead");
  g_assert_true (cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_OVERHEAD)) == report);

  /* CSV: the report's columns, then one line per row */
  g_assert_true (export (f, CW_LAB_OVERHEAD, CW_LAB_EXPORT_CSV, csv_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  header = g_strjoinv (",", report->columns);
  g_assert_cmpstr (lines[0], ==, header);
  g_assert_cmpuint (g_strv_length (lines), ==, report->rows->len + 2);   /* and the final newline */

  /* PNG: the signature, the export's size, readable */
  g_assert_true (export (f, CW_LAB_OVERHEAD, CW_LAB_EXPORT_PNG, png_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png_path, &png, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
  surface = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, CW_LAB_PAGE_PNG_WIDTH);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, CW_LAB_PAGE_PNG_HEIGHT);
  cairo_surface_destroy (surface);

  /* an export that cannot be written is an error, not a crash */
  g_assert_false (export (f, CW_LAB_OVERHEAD, CW_LAB_EXPORT_CSV, "/nonexistent/folder/x.csv", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  cw_test_assert_no_children ();

  /* a second run (and export) leaves no descriptor behind: the first one
   * opened what GTK opens once */
  n_fds = cw_test_count_fds ();
  run_through_button (f, CW_LAB_OVERHEAD);
  assert_report (f, CW_LAB_OVERHEAD);
  g_assert_true (export (f, CW_LAB_OVERHEAD, CW_LAB_EXPORT_PNG, png_path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cw_test_count_fds (), ==, n_fds);
  cw_test_assert_no_children ();
}

static guint
timeline_bars (CwTimeline *timeline)
{
  guint n = 0;

  for (guint l = 0; l < cw_timeline_get_n_lanes (timeline); l++)
    n += cw_timeline_get_n_bars (timeline, l);
  return n;
}

/* The experiment's timeline is under the status line; its title names
 * the batch. */
static void
assert_timeline_shown (Fixture         *f,
                       CwLabExperiment  experiment,
                       const char      *batch)
{
  CwTimeline *timeline = cw_lab_page_get_timeline (f->page, experiment);
  GtkWidget *title = gtk_widget_get_prev_sibling (GTK_WIDGET (timeline));

  g_assert_true (gtk_widget_get_visible (child (f, "timeline_stack")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "timeline_stack"))), ==,
                   cw_lab_experiment_to_string (experiment));
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (timeline)));
  g_assert_true (GTK_IS_LABEL (title));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (title)), batch));
}

/* Order: the timeline of the last batch ("as completed"), a lane per
 * worker and a bar per task; it stays while another experiment is looked
 * at, and is hidden for one not run yet. */
static void
test_timeline (Fixture       *f,
               gconstpointer  data)
{
  CwTimeline *timeline = cw_lab_page_get_timeline (f->page, CW_LAB_ORDER);
  const CwLabReport *report;
  guint n_tasks = 0;

  g_assert_false (gtk_widget_get_visible (child (f, "timeline_stack")));
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 0);

  run_through_button (f, CW_LAB_ORDER);
  assert_report (f, CW_LAB_ORDER);
  report = cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_ORDER));
  g_assert_cmpstr (report->columns[0], ==, "order");
  for (guint r = 0; r < report->rows->len; r++)
    if (g_strcmp0 (((char **) g_ptr_array_index (report->rows, r))[0], "unordered") == 0)
      n_tasks++;
  g_assert_cmpuint (n_tasks, >, 0);

  assert_timeline_shown (f, CW_LAB_ORDER, "as completed");
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 2);   /* max-workers */
  g_assert_cmpuint (timeline_bars (timeline), ==, n_tasks);
  for (guint l = 0; l < 2; l++)
    g_assert_cmpuint (cw_timeline_get_n_bars (timeline, l), >, 0);

  /* not run: no timeline; another experiment's stays as it was */
  cw_lab_page_select (f->page, CW_LAB_CHUNKS);
  g_assert_false (gtk_widget_get_visible (child (f, "timeline_stack")));
  g_assert_cmpuint (cw_timeline_get_n_lanes (cw_lab_page_get_timeline (f->page, CW_LAB_CHUNKS)), ==, 0);
  cw_lab_page_select (f->page, CW_LAB_ORDER);
  WAIT_UNTIL (gtk_widget_is_drawable (GTK_WIDGET (timeline)));
  assert_timeline_shown (f, CW_LAB_ORDER, "as completed");
  g_assert_true (cw_lab_page_get_timeline (f->page, CW_LAB_ORDER) == timeline);
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 2);
  g_assert_cmpuint (timeline_bars (timeline), ==, n_tasks);
  cw_test_assert_no_children ();
}

/* "x MiB (N bytes)" → N */
static guint64
label_bytes (const char *text)
{
  const char *open = strrchr (text, '(');
  guint64 n = 0;

  g_assert_nonnull (open);
  for (const char *p = open + 1; *p != '\0' && *p != ' '; p++)
    if (g_ascii_isdigit (*p))
      n = n * 10 + (guint64) (*p - '0');
  return n;
}

/* Big data: the pipe counter moves, and ends at least at what the batches
 * counted (the samples crossed the pipes). */
static void
test_pipe_bytes (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *before = g_strdup (label_text (f, "pipe_label"));
  const CwLabReport *report;
  guint64 counted = 0;

  run_through_button (f, CW_LAB_BIG_DATA);
  assert_report (f, CW_LAB_BIG_DATA);
  g_assert_true (gtk_widget_get_visible (child (f, "status_box")));
  g_assert_cmpstr (label_text (f, "pipe_label"), !=, before);
  g_assert_nonnull (strstr (label_text (f, "pipe_label"), "MiB"));

  report = cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_BIG_DATA));
  g_assert_cmpstr (report->columns[6], ==, "bytes_to_workers");
  g_assert_cmpstr (report->columns[7], ==, "bytes_from_workers");
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      counted += g_ascii_strtoull (row[6], NULL, 10) + g_ascii_strtoull (row[7], NULL, 10);
    }
  g_assert_cmpuint (counted, >, 1024 * 1024);
  g_assert_cmpuint (label_bytes (label_text (f, "pipe_label")), >=, counted);
  cw_test_assert_no_children ();
}

/* With files queued, they are the inputs (not the demo set). */
static void
test_queued_inputs (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GListStore) queue = g_list_store_new (CW_TYPE_QUEUE_ITEM);
  const CwLabReport *report;

  cw_lab_page_set_queue (f->page, G_LIST_MODEL (queue));
  cw_lab_page_select (f->page, CW_LAB_RANDOM_STATE);
  g_assert_nonnull (strstr (label_text (f, "inputs_label"), "demo set"));
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/tone%u.wav", f->dir, i);
      CwAudioInfo info = { 0 };
      g_autoptr(CwQueueItem) item = NULL;

      cw_test_write_sine (path, 0.5, 220 * (i + 1), 1);
      g_assert_true (cw_audio_probe (path, &info, NULL));
      item = cw_queue_item_new (path, &info);
      g_list_store_append (queue, item);
    }
  g_assert_nonnull (strstr (label_text (f, "inputs_label"), "4 queued files"));
  cw_lab_page_select (f->page, CW_LAB_SHARED_WORK);
  g_assert_nonnull (strstr (label_text (f, "inputs_label"), "synthetic"));

  run_through_button (f, CW_LAB_RANDOM_STATE);
  assert_report (f, CW_LAB_RANDOM_STATE);
  report = cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_RANDOM_STATE));
  g_assert_cmpstr (report->columns[2], ==, "files");
  for (guint r = 0; r < report->rows->len; r++)
    g_assert_cmpstr (((char **) g_ptr_array_index (report->rows, r))[2], ==, "4");
  /* the inputs are untouched, nothing was written beside them */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/tone%u.wav", f->dir, i);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (dir) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 4);
  }
  cw_lab_page_set_queue (f->page, NULL);
  cw_test_assert_no_children ();
}

static void
cancel_when_running_cb (GObject    *label,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  Fixture *f = user_data;

  /* the first batch has started: stop */
  if (strstr (gtk_label_get_label (GTK_LABEL (label)), "Running") != NULL)
    gtk_widget_activate_action (GTK_WIDGET (f->page), "lab.cancel", NULL);
}

/* Cancel mid-experiment: no report, no worker left, the page can run again. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  gulong handler = g_signal_connect (child (f, "status_label"), "notify::label",
                                     G_CALLBACK (cancel_when_running_cb), f);

  run_through_button (f, CW_LAB_CHUNKS);
  g_signal_handler_disconnect (child (f, "status_label"), handler);
  g_assert_null (cw_lab_chart_get_report (cw_lab_page_get_chart (f->page, CW_LAB_CHUNKS)));
  g_assert_nonnull (strstr (label_text (f, "status_label"), "cancelled"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "result_stack"))), ==, "empty");
  g_assert_true (action_enabled (f, "lab.run"));
  cw_test_assert_no_children ();
}

/* A batch in the window holds the lab back, and lets it go. */
static void
test_blocked (Fixture       *f,
              gconstpointer  data)
{
  g_assert_true (action_enabled (f, "lab.run"));
  g_object_set (f->page, "blocked", TRUE, NULL);
  g_assert_false (action_enabled (f, "lab.run"));
  g_assert_nonnull (strstr (label_text (f, "inputs_label"), "batch is running"));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->page), "lab.run", NULL)
                  && cw_lab_page_get_running (f->page));
  g_assert_false (cw_lab_page_get_running (f->page));
  g_object_set (f->page, "blocked", FALSE, NULL);
  g_assert_true (action_enabled (f, "lab.run"));
}

/* A phone's width: the sidebar folds away, the drop-down picks, nothing is
 * wider than the window. */
static void
test_narrow (Fixture       *f,
             gconstpointer  data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (child (f, "experiment_dropdown"));
  int min;

  gtk_widget_measure (GTK_WIDGET (f->page), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_assert_cmpint (min, <=, 360);
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (child (f, "leaflet"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dropdown)));

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 720);
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->page)) <= 360);
  WAIT_UNTIL (adw_leaflet_get_folded (ADW_LEAFLET (child (f, "leaflet"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dropdown)));

  gtk_drop_down_set_selected (dropdown, CW_LAB_ORDER);
  g_assert_cmpint (cw_lab_page_get_selected (f->page), ==, CW_LAB_ORDER);
  g_assert_cmpstr (label_text (f, "title_label"), ==, cw_lab_experiment_title (CW_LAB_ORDER));
  cw_lab_page_select (f->page, CW_LAB_CHUNKS);
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, CW_LAB_CHUNKS);

  /* focus goes to the choice of experiment */
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (f->page)));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), GTK_WIDGET (dropdown))
                 || gtk_root_get_focus (GTK_ROOT (f->window)) == GTK_WIDGET (dropdown));
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("WAYLAND_DISPLAY");
  gtk_disable_setlocale ();
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add ("/cw/lab-page/run-and-export", Fixture, NULL, fixture_setup, test_run_and_export, fixture_teardown);
  g_test_add ("/cw/lab-page/timeline", Fixture, NULL, fixture_setup, test_timeline, fixture_teardown);
  g_test_add ("/cw/lab-page/pipe-bytes", Fixture, NULL, fixture_setup, test_pipe_bytes, fixture_teardown);
  g_test_add ("/cw/lab-page/queued-inputs", Fixture, NULL, fixture_setup, test_queued_inputs, fixture_teardown);
  g_test_add ("/cw/lab-page/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/cw/lab-page/blocked", Fixture, NULL, fixture_setup, test_blocked, fixture_teardown);
  g_test_add ("/cw/lab-page/narrow", Fixture, NULL, fixture_setup, test_narrow, fixture_teardown);
  return g_test_run ();
}
