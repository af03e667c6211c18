/* test-lab-page.c: the Lab page end to end, under Xvfb
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Experiments run for real (quick sizes, real worker processes) through the
 * page's Run button; the tests iterate the main context until the page says
 * it is done, under a watchdog, and never sleep. Then the chart and its
 * timelines, the verdict, the table and the paragraph under it, the pipe
 * counter, the exports and the worker processes are checked; and every
 * experiment runs in a real window 1100 px wide that must stay so.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cw-lab-page.h"
#include "cw-lab-table.h"
#include "cw-queue-item.h"
#include "cw-settings.h"
#include "cw-test-gtk-util.h"
#include "cw-window.h"

/* No quick run comes near it; it only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 300

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
  };

  /* the export menu's items follow their actions; its button follows all three */
  if (g_str_has_prefix (action, "lab.export-"))
    return gtk_widget_get_sensitive (child (f, "export_button"));

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

/* The table on the page is the report's, every cell, and the paragraph
 * sits under it. */
static void
assert_table (CwLabPage         *page,
              CwLabExperiment    experiment,
              const CwLabReport *report)
{
  CwLabTable *table = cw_lab_page_get_table (page, experiment);
  GtkGrid *grid = cw_lab_table_get_grid (table);
  guint n_columns = g_strv_length (report->columns);
  GtkWidget *under = gtk_widget_get_next_sibling (GTK_WIDGET (table));

  for (guint c = 0; c < n_columns; c++)
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_grid_get_child_at (grid, c, 0))), ==, report->headings[c]);
  for (guint r = 0; r < report->rows->len; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        const char *cell = ((char **) g_ptr_array_index (report->rows, r))[c];
        GtkWidget *label = gtk_grid_get_child_at (grid, c, r + 1);

        g_assert_nonnull (label);
        /* the test runs in the C locale: the cell as the CSV has it */
        g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, cell);
      }
  g_assert_null (gtk_grid_get_child_at (grid, 0, report->rows->len + 1));
  g_assert_true (GTK_IS_LABEL (under));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (under)), ==, report->explanation);
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
  g_assert_cmpstr (cw_lab_page_get_verdict (f->page, experiment), !=, "");
  assert_table (f->page, experiment, report);
}

/* The quickest experiment through the Run button: chart, paragraph, the
 * result kept while another experiment is looked at, both exports. */
static void
test_run_and_export (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *csv_path = g_build_filename (f->dir, "overhead.csv", NULL);
  g_autofree char *png_path = g_build_filename (f->dir, "overhead.png", NULL);
  g_autofree char *svg_path = g_build_filename (f->dir, "overhead.svg", NULL);
  g_autofree char *svg = NULL;
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
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==,
                   cw_lab_chart_get_export_height (report, CW_LAB_PAGE_PNG_WIDTH));
  cairo_surface_destroy (surface);

  /* SVG: the same picture, as a drawing */
  g_assert_true (export (f, CW_LAB_OVERHEAD, CW_LAB_EXPORT_SVG, svg_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
  g_assert_true (g_str_has_prefix (svg, "<?xml"));
  g_assert_nonnull (strstr (svg, "<svg"));

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
timeline_tasks (const CwLabTimeline *timeline)
{
  guint n = 0;

  for (guint b = 0; b < timeline->bars->len; b++)
    n += g_array_index (timeline->bars, CwLabBar, b).n_tasks;
  return n;
}

/* Order: each setting's median run kept as a timeline (as submitted above
 * as completed), a lane per worker and every task; the chart grows by
 * their height, and they stay while another experiment is looked at. */
static void
test_timelines (Fixture       *f,
                gconstpointer  data)
{
  const CwLabReport *report;
  const CwLabTimeline *tl;
  CwLabChart *chart = cw_lab_page_get_chart (f->page, CW_LAB_ORDER);
  g_autoptr(CwLabReport) bare = NULL;
  int with, without;

  run_through_button (f, CW_LAB_ORDER);
  assert_report (f, CW_LAB_ORDER);
  report = cw_lab_chart_get_report (chart);
  g_assert_cmpuint (report->timelines->len, ==, 2);
  tl = g_ptr_array_index (report->timelines, 0);
  g_assert_cmpstr (tl->setting, ==, "as submitted");
  g_assert_cmpuint (tl->n_lanes, ==, 2);   /* max-workers */
  g_assert_cmpuint (timeline_tasks (tl), ==, 8);
  tl = g_ptr_array_index (report->timelines, 1);
  g_assert_cmpstr (tl->setting, ==, "as completed");
  g_assert_cmpuint (timeline_tasks (tl), ==, 8);
  for (guint b = 0; b < tl->bars->len; b++)
    g_assert_cmpint (g_array_index (tl->bars, CwLabBar, b).end_us, <=, tl->wall_us);

  /* the timelines are drawn under the chart: it asks for their height */
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, 600, NULL, &with, NULL, NULL);
  bare = cw_lab_report_new (CW_LAB_ORDER, "Task", "Seconds", "a", NULL);
  cw_lab_series_add_point (cw_lab_report_add_series (bare, "s", FALSE), NULL, 0, 1);
  {
    GtkWidget *other = cw_lab_chart_new ();

    g_object_ref_sink (other);
    cw_lab_chart_take_report (CW_LAB_CHART (other), g_steal_pointer (&bare));
    gtk_widget_measure (other, GTK_ORIENTATION_VERTICAL, 600, NULL, &without, NULL, NULL);
    g_object_unref (other);
  }
  g_assert_cmpint (with, >, without + 2 * 20);

  /* another experiment, not run: its pane is empty; back: the same */
  cw_lab_page_select (f->page, CW_LAB_CHUNKS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "result_stack"))), ==, "empty");
  cw_lab_page_select (f->page, CW_LAB_ORDER);
  g_assert_true (cw_lab_chart_get_report (chart) == report);
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
  /* the counter counts every run and the warm-up; the table one run each */
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
      item = cw_queue_item_new (path, NULL, &info);
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

/* What the parent gave @widget: its content width and, around it, what
 * gtk_widget_measure () counts too (CSS padding, border and margin, the
 * widget's margins). */
static int
given_width (GtkWidget *widget)
{
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  GtkBorder padding, border, margin;

  gtk_style_context_get_padding (style, &padding);
  gtk_style_context_get_border (style, &border);
  gtk_style_context_get_margin (style, &margin);
  return gtk_widget_get_width (widget) + padding.left + padding.right + border.left + border.right + margin.left
         + margin.right + gtk_widget_get_margin_start (widget) + gtk_widget_get_margin_end (widget);
}

/* Every mapped widget fits in the width it was given: none asks for
 * more. A horizontally scrolled child (a wide table) may be wider by
 * design: its scroller must fit, its content need not. */
static void
collect_too_wide (GtkWidget *widget,
                  GString   *offenders)
{
  int min;

  if (!gtk_widget_get_mapped (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min > given_width (widget))
    g_string_append_printf (offenders, "%s asks for %d px and has %d\n", G_OBJECT_TYPE_NAME (widget), min,
                            given_width (widget));
  if (GTK_IS_SCROLLED_WINDOW (widget))
    {
      GtkPolicyType h;

      gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (widget), &h, NULL);
      if (h != GTK_POLICY_NEVER)
        return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_too_wide (c, offenders);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Lets the window lay itself out and draw, a few times. */
static void
wait_for_frames (GtkWidget *window)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (window, count_frame_cb, &frames, NULL);

  gtk_widget_queue_draw (window);
  WAIT_UNTIL (frames >= 3);
  gtk_widget_remove_tick_callback (window, id);
}

/* With CW_ARTIFACT_DIR set, what a person sees after @name ran: the
 * window as it is (lab-NAME.png) and the whole pane it scrolls through
 * (lab-NAME-pane.png), drawn by the window's own renderer. */
static void
save_pictures (GtkWidget  *window,
               GtkWidget  *inside_pane,
               const char *name)
{
  const char *dir = g_getenv ("CW_ARTIFACT_DIR");
  GtkWidget *scroller = gtk_widget_get_ancestor (inside_pane, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *pane = gtk_widget_get_first_child (gtk_widget_get_first_child (scroller));
  GtkWidget *widgets[] = { window, pane };
  const char *suffixes[] = { "", "-pane" };

  if (dir == NULL || *dir == '\0')
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0777), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widgets[i]);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      g_autofree char *file = g_strdup_printf ("lab-%s%s.png", name, suffixes[i]);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      int w = gtk_widget_get_width (widgets[i]), h = gtk_widget_get_height (widgets[i]);
      GdkRGBA bg;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (window), "window_bg_color", &bg))
        gdk_rgba_parse (&bg, "white");
G_GNUC_END_IGNORE_DEPRECATIONS
      gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                             &GRAPHENE_RECT_INIT (0, 0, w, h));
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("saved %s (%d × %d)", path, w, h);
    }
}

/* The issue that made this test: after chunks, overhead, shared-work or
 * random-state the window grew from 1100 to 3000 px and more. Every
 * experiment, in the real window 1100 px wide: it stays so, the sidebar
 * stays, nothing asks for more width than it has, and each experiment's
 * status is its own. */
static void
test_layout_1100 (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  CwWindow *window;
  CwLabPage *page;
  GtkWidget *leaflet, *status_box;
  GtkLabel *status;
  int width;

  cw_settings_set_workers (settings, 2);
  window = cw_window_new (NULL, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "lab"));
  page = CW_LAB_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), CW_TYPE_WINDOW, "lab_page"));
  leaflet = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CW_TYPE_LAB_PAGE, "leaflet"));
  status_box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CW_TYPE_LAB_PAGE, "status_box"));
  status = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), CW_TYPE_LAB_PAGE, "status_label"));
  wait_for_frames (GTK_WIDGET (window));
  /* the surface is 1100 px; the window widget inside its resize borders */
  width = gtk_widget_get_width (GTK_WIDGET (window));
  g_assert_cmpint (width, >, 1000);
  g_assert_cmpint (width, <=, 1100);

  for (CwLabExperiment e = 0; e < CW_LAB_N_EXPERIMENTS; e++)
    {
      g_autoptr(GString) offenders = g_string_new (NULL);

      cw_lab_page_select (page, e);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "lab.run", NULL));
      g_assert_true (cw_lab_page_get_running (page));
      WAIT_UNTIL (!cw_lab_page_get_running (page));
      wait_for_frames (GTK_WIDGET (window));
      g_assert_nonnull (cw_lab_chart_get_report (cw_lab_page_get_chart (page, e)));
      g_assert_nonnull (strstr (gtk_label_get_label (status), cw_lab_experiment_title (e)));

      g_test_message ("%s: the window is %d px wide", cw_lab_experiment_to_string (e),
                      gtk_widget_get_width (GTK_WIDGET (window)));
      save_pictures (GTK_WIDGET (window), status_box, cw_lab_experiment_to_string (e));
      collect_too_wide (GTK_WIDGET (window), offenders);
      g_assert_cmpstr (offenders->str, ==, "");
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
      g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));

      /* the next one, not run yet: no status of another's */
      if (e + 1 < CW_LAB_N_EXPERIMENTS)
        {
          cw_lab_page_select (page, e + 1);
          g_assert_false (gtk_widget_get_visible (status_box));
        }
    }
  /* back to each: its own result, its own status */
  for (CwLabExperiment e = 0; e < CW_LAB_N_EXPERIMENTS; e++)
    {
      cw_lab_page_select (page, e);
      g_assert_nonnull (strstr (gtk_label_get_label (status), cw_lab_experiment_title (e)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  cw_test_assert_no_children ();
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
  g_test_add ("/cw/lab-page/timelines", Fixture, NULL, fixture_setup, test_timelines, fixture_teardown);
  g_test_add ("/cw/lab-page/pipe-bytes", Fixture, NULL, fixture_setup, test_pipe_bytes, fixture_teardown);
  g_test_add ("/cw/lab-page/queued-inputs", Fixture, NULL, fixture_setup, test_queued_inputs, fixture_teardown);
  g_test_add ("/cw/lab-page/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/cw/lab-page/blocked", Fixture, NULL, fixture_setup, test_blocked, fixture_teardown);
  g_test_add ("/cw/lab-page/narrow", Fixture, NULL, fixture_setup, test_narrow, fixture_teardown);
  g_test_add_func ("/cw/lab-page/layout-1100", test_layout_1100);
  return g_test_run ();
}
