/* cw-lab-page.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lesson's experiments (cw-lab.h) with a Run button: one experiment
 * runs at a time, on the queued files or the demo set. Each experiment has
 * its own chart and paragraph in a stack, so a result stays when another
 * experiment is looked at or run. The engine hands over every batch's pool
 * as it starts; the page keeps a reference to the current one to count the
 * bytes crossing its pipes, four times a second, and drops it at the end.
 * Each experiment also has a timeline (one lane per worker, one bar per
 * task) of its latest batch, fed result by result through the engine's
 * observer: live while the batch runs, kept once it ends.
 * Nothing here touches files on the main loop: the engine prepares inputs
 * on its threads and exports are written with GIO's async calls.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-page.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cw-queue-item.h"
#include "cw-timeline.h"

#define PIPE_POLL_MS 250
#define TIMELINE_AXIS_PX 24
#define TIMELINE_LANE_PX 20

struct _CwLabPage
{
  GtkWidget        parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet      *leaflet;
  GtkListBox      *experiment_list;
  GtkDropDown     *experiment_dropdown;
  GtkLabel        *title_label;
  GtkLabel        *about_label;
  GtkLabel        *inputs_label;
  GtkStack        *run_stack;
  GtkSwitch       *quick_switch;
  GtkWidget       *status_box;
  GtkSpinner      *spinner;
  GtkLabel        *status_label;
  GtkLabel        *pipe_label;
  GtkStack        *timeline_stack;
  GtkStack        *result_stack;

  /* one pane per experiment, children of result_stack */
  CwLabChart      *charts[CW_LAB_N_EXPERIMENTS];
  GtkLabel        *explanations[CW_LAB_N_EXPERIMENTS];
  GtkWidget       *done_icons[CW_LAB_N_EXPERIMENTS];
  /* and its latest batch, children of timeline_stack */
  CwTimeline      *timelines[CW_LAB_N_EXPERIMENTS];
  GtkLabel        *timeline_titles[CW_LAB_N_EXPERIMENTS];
  gboolean         has_timeline[CW_LAB_N_EXPERIMENTS];
  CwLabExperiment  selected;
  GListModel      *queue;
  int              max_workers;
  gboolean         blocked;
  gboolean         disposed;

  /* the run */
  gboolean         running;
  CwLabExperiment  running_experiment;
  GCancellable    *cancellable;
  CwPool          *pool;               /* the batch running now */
  guint64          pipe_bytes_before;  /* the run's earlier pools */
  guint            pipe_timer_id;
  gint64           start_us;
};

G_DEFINE_FINAL_TYPE (CwLabPage, cw_lab_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_BLOCKED,
  PROP_MAX_WORKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What each experiment runs and shows, for someone who has not read the
 * lesson (the table of docs/lab.md, in the window). */
static const char *
experiment_about (CwLabExperiment experiment)
{
  switch (experiment)
    {
    case CW_LAB_MODES:
      return _("The batch one file after another, then on 1 to N threads and on 1 to N worker processes, "
               "each setting the fastest of a few runs. The chart shows how much faster each is than one "
               "after another, beside the ideal line. Quick runs CPU-bound tasks instead of files.");
    case CW_LAB_CHUNKS:
      return _("The batch at chunk sizes 1, 2, 4, … files per trip to a worker, and with the automatic "
               "size. The chart shows the wall time and the workers’ peak memory at each size, and "
               "where auto landed.");
    case CW_LAB_OVERHEAD:
      return _("Tiny tasks (multiply a number by 10) done in place, then sent through the pool at chunk "
               "sizes 1, 10, 100, … and auto. The chart shows what a trip to a process costs per task.");
    case CW_LAB_BIG_DATA:
      return _("The batch twice: once sending each worker only the file’s name, once reading the samples "
               "here and sending them through the pipe. The chart shows the time and the bytes that "
               "crossed the pipes.");
    case CW_LAB_SHARED_WORK:
      return _("Naive Fibonacci numbers, one task each on the pool, then one memoised pass in one "
               "process. The chart shows the wall time of both.");
    case CW_LAB_ORDER:
      return _("A few CPU-bound tasks, the first ten times slower than the rest, with results delivered "
               "as submitted (imap) and as completed (imap_unordered). The chart shows when each "
               "result became visible.");
    case CW_LAB_RANDOM_STATE:
      return _("The batch with the noise generator seeded once in the parent, as forked workers inherit "
               "it, then with Corewave’s per-file seeds. The chart shows how many files got the same "
               "noise as another.");
    case CW_LAB_N_EXPERIMENTS:
    default:
      return "";
    }
}

/* Whether @experiment reads audio files; the others run synthetic tasks
 * (the engine decides the same in cw_lab_run_async ()). */
static gboolean
uses_files (CwLabExperiment experiment,
            gboolean        quick)
{
  return !(experiment == CW_LAB_OVERHEAD || experiment == CW_LAB_SHARED_WORK
           || experiment == CW_LAB_ORDER || (experiment == CW_LAB_MODES && quick));
}

static guint
n_queued (CwLabPage *self)
{
  return self->queue != NULL ? g_list_model_get_n_items (self->queue) : 0;
}

/* The queued files, or NULL for the demo set. */
static char **
queued_paths (CwLabPage *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  guint n = n_queued (self);

  if (n == 0)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (self->queue, i);

      g_strv_builder_add (builder, cw_queue_item_get_path (item));
    }
  return g_strv_builder_end (builder);
}

static void
toast (CwLabPage  *self,
       const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static gboolean
has_report (CwLabPage       *self,
            CwLabExperiment  experiment)
{
  return cw_lab_chart_get_report (self->charts[experiment]) != NULL;
}

static void
update_actions (CwLabPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->disposed)
    return;
  gtk_widget_action_set_enabled (widget, "lab.run", !self->running && !self->blocked);
  gtk_widget_action_set_enabled (widget, "lab.cancel", self->running);
  gtk_widget_action_set_enabled (widget, "lab.export-csv", has_report (self, self->selected));
  gtk_widget_action_set_enabled (widget, "lab.export-png", has_report (self, self->selected));
  gtk_stack_set_visible_child_name (self->run_stack, self->running ? "cancel" : "run");
}

static void
update_inputs (CwLabPage *self)
{
  gboolean quick = gtk_switch_get_active (self->quick_switch);
  guint n = n_queued (self);
  g_autofree char *text = NULL;

  if (self->disposed)
    return;
  if (self->blocked && !self->running)
    text = g_strdup (_("A batch is running: the lab waits until it is done, so the two do not measure each other."));
  else if (!uses_files (self->selected, quick))
    text = g_strdup (_("Runs synthetic tasks: no audio files needed."));
  else if (n > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Runs on the %'u queued file.",
                                         "Runs on the %'u queued files.", n), n);
  else if (quick)
    text = g_strdup (_("Runs on a small demo set: 8 sine waves of 2 seconds, written to a scratch folder. "
                       "Queue files to use your own."));
  else
    text = g_strdup (_("Runs on the lesson’s demo set: 24 sine waves of 4 minutes, written once to the cache "
                       "folder. Queue files to use your own."));
  gtk_label_set_label (self->inputs_label, text);
}

static void
show_selected (CwLabPage *self)
{
  CwLabExperiment e = self->selected;

  gtk_label_set_label (self->title_label, cw_lab_experiment_title (e));
  gtk_label_set_label (self->about_label, experiment_about (e));
  gtk_stack_set_visible_child_name (self->result_stack,
                                    has_report (self, e) ? cw_lab_experiment_to_string (e) : "empty");
  /* the timeline shows once the experiment has run a batch */
  if (self->has_timeline[e])
    gtk_stack_set_visible_child_name (self->timeline_stack, cw_lab_experiment_to_string (e));
  gtk_widget_set_visible (GTK_WIDGET (self->timeline_stack), self->has_timeline[e]);
  update_inputs (self);
  update_actions (self);
}

void
cw_lab_page_select (CwLabPage       *self,
                    CwLabExperiment  experiment)
{
  GtkListBoxRow *row;

  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);

  /* the list and the drop-down call back here: only the first call acts */
  if (self->selected == experiment && gtk_drop_down_get_selected (self->experiment_dropdown) == experiment)
    return;
  self->selected = experiment;
  row = gtk_list_box_get_row_at_index (self->experiment_list, experiment);
  if (gtk_list_box_get_selected_row (self->experiment_list) != row)
    gtk_list_box_select_row (self->experiment_list, row);
  if (gtk_drop_down_get_selected (self->experiment_dropdown) != experiment)
    gtk_drop_down_set_selected (self->experiment_dropdown, experiment);
  show_selected (self);
}

static void
row_selected_cb (CwLabPage     *self,
                 GtkListBoxRow *row)
{
  if (row != NULL)
    cw_lab_page_select (self, gtk_list_box_row_get_index (row));
}

static void
dropdown_selected_cb (CwLabPage *self)
{
  guint i = gtk_drop_down_get_selected (self->experiment_dropdown);

  if (i < CW_LAB_N_EXPERIMENTS)
    cw_lab_page_select (self, i);
}

/* ---------------------------------------------------------------------- */
/* the run */

static guint64
pipe_bytes (CwLabPage *self)
{
  guint64 to = 0, from = 0;

  if (self->pool != NULL)
    cw_pool_get_pipe_bytes (self->pool, &to, &from);
  return self->pipe_bytes_before + to + from;
}

static void
update_pipe_label (CwLabPage *self)
{
  g_autofree char *size = g_format_size_full (pipe_bytes (self), G_FORMAT_SIZE_IEC_UNITS | G_FORMAT_SIZE_LONG_FORMAT);
  /* Translators: bytes that crossed the pipes to and from the workers, e.g. "Through the pipes: 2.8 MiB
   * (2,949,120 bytes)" */
  g_autofree char *text = g_strdup_printf (_("Through the pipes: %s"), size);

  if (g_strcmp0 (gtk_label_get_label (self->pipe_label), text) != 0)
    gtk_label_set_label (self->pipe_label, text);
}

static gboolean
pipe_tick_cb (gpointer user_data)
{
  update_pipe_label (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_batch_cb (CwPool     *pool,
             const char *description,
             gpointer    user_data)
{
  CwLabPage *self = user_data;
  g_autofree char *text = NULL;

  if (self->disposed || self->cancellable == NULL)
    return;
  /* a fresh pool per batch: what the last one counted stays in the total */
  self->pipe_bytes_before = pipe_bytes (self);
  g_set_object (&self->pool, pool);
  /* Translators: the experiment's title, then the engine's name for the batch, e.g.
   * "Running “Chunk size”: chunk size 4" */
  text = g_strdup_printf (_("Running “%s”: %s"), cw_lab_experiment_title (self->running_experiment), description);
  gtk_label_set_label (self->status_label, text);
  update_pipe_label (self);
}

/* The engine's observer: the running experiment's timeline follows each
 * batch that counts (not the warm-ups). */
static void
observe_batch_started (CwPool     *pool,
                       const char *description,
                       guint       n_workers,
                       gint64      start_us,
                       gpointer    user_data)
{
  CwLabPage *self = user_data;
  CwLabExperiment e = self->running_experiment;
  g_autofree char *text = NULL;

  if (self->disposed || self->cancellable == NULL)
    return;
  cw_timeline_clear (self->timelines[e], start_us, n_workers);   /* and running */
  /* in the scrolled page it gets its minimum height: lanes to read, a
   * label each up to about 8 workers */
  gtk_widget_set_size_request (GTK_WIDGET (self->timelines[e]), -1,
                               CLAMP (TIMELINE_AXIS_PX + TIMELINE_LANE_PX * n_workers, 96, 240));
  /* Translators: the engine's name for the batch the timeline shows (the
   * latest one, running or done), e.g. "Last batch: chunk size 4" */
  text = g_strdup_printf (_("Last batch: %s"), description);
  gtk_label_set_label (self->timeline_titles[e], text);
  if (!self->has_timeline[e])
    {
      self->has_timeline[e] = TRUE;
      if (e == self->selected)
        show_selected (self);
    }
}

/* 200,000 calls a batch in overhead: mostly an increment (a chunk's
 * mul10 results share one time stamp, so one bar). */
static void
observe_result (const CwResult *result,
                gpointer        user_data)
{
  CwLabPage *self = user_data;

  if (G_LIKELY (!self->disposed))
    cw_timeline_add (self->timelines[self->running_experiment], result);
}

static void
observe_batch_finished (const char *description,
                        gint64      wall_us,
                        gpointer    user_data)
{
  CwLabPage *self = user_data;

  if (!self->disposed)
    cw_timeline_set_running (self->timelines[self->running_experiment], FALSE);
}

static const CwLabObserver lab_observer = {
  .batch_started = observe_batch_started,
  .result = observe_result,
  .batch_finished = observe_batch_finished,
};

static void
set_running (CwLabPage *self,
             gboolean   running)
{
  if (self->running == running)
    return;
  self->running = running;
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  update_inputs (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CwLabPage) self = user_data;
  g_autoptr(GError) error = NULL;
  CwLabReport *report = cw_lab_run_finish (result, &error);
  CwLabExperiment e = self->running_experiment;
  const char *title = cw_lab_experiment_title (e);
  g_autofree char *text = NULL;

  g_clear_handle_id (&self->pipe_timer_id, g_source_remove);
  if (self->disposed)
    {
      g_clear_pointer (&report, cw_lab_report_free);
      g_clear_object (&self->pool);
      g_clear_object (&self->cancellable);
      self->running = FALSE;
      return;
    }
  update_pipe_label (self);
  g_clear_object (&self->pool);
  g_clear_object (&self->cancellable);
  /* cancelled or failed mid-batch: what it got that far stays */
  cw_timeline_set_running (self->timelines[e], FALSE);

  if (report != NULL)
    {
      gtk_label_set_label (self->explanations[e], report->explanation ? report->explanation : "");
      cw_lab_chart_take_report (self->charts[e], report);
      gtk_widget_set_visible (self->done_icons[e], TRUE);
      /* Translators: the experiment's title and how long it ran, e.g. "“Chunk size” took 3.2 s" */
      text = g_strdup_printf (_("“%s” took %.1f s."), title, (g_get_monotonic_time () - self->start_us) / 1e6);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_("“%s” was cancelled."), title);
  else
    {
      /* Translators: the experiment's title and what went wrong */
      text = g_strdup_printf (_("“%s” failed: %s"), title, error->message);
      toast (self, text);
    }
  gtk_label_set_label (self->status_label, text);
  set_running (self, FALSE);
  if (e == self->selected)
    show_selected (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  g_auto(GStrv) inputs = NULL;
  g_autofree char *text = NULL;
  CwLabOptions options = { 0 };

  if (self->running || self->blocked)
    return;

  inputs = queued_paths (self);
  options.inputs = inputs;
  options.max_workers = self->max_workers > 0 ? (guint) self->max_workers : 0;
  options.quick = gtk_switch_get_active (self->quick_switch);

  self->running_experiment = self->selected;
  self->cancellable = g_cancellable_new ();
  self->pipe_bytes_before = 0;
  self->start_us = g_get_monotonic_time ();
  /* Translators: the experiment's title */
  text = g_strdup_printf (_("Preparing “%s”…"), cw_lab_experiment_title (self->selected));
  gtk_label_set_label (self->status_label, text);
  update_pipe_label (self);
  gtk_widget_set_visible (self->status_box, TRUE);
  self->pipe_timer_id = g_timeout_add (PIPE_POLL_MS, pipe_tick_cb, self);
  set_running (self, TRUE);

  cw_lab_run_full_async (self->selected, &options, on_batch_cb, self, &lab_observer, self,
                         self->cancellable, run_done_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* ---------------------------------------------------------------------- */
/* export */

static void
replace_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cw_lab_page_export_async (CwLabPage           *self,
                          CwLabExperiment      experiment,
                          CwLabExportFormat    format,
                          GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const CwLabReport *report;
  GError *error = NULL;

  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_lab_page_export_async);
  report = self->charts[experiment] ? cw_lab_chart_get_report (self->charts[experiment]) : NULL;
  if (report == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("Nothing to export: run the experiment first"));
      return;
    }
  if (format == CW_LAB_EXPORT_CSV)
    {
      char *csv = cw_lab_report_to_csv (report);

      bytes = g_bytes_new_take (csv, strlen (csv));
    }
  else
    {
      /* drawn here (some milliseconds); the file is written off the main loop */
      bytes = cw_lab_chart_render_png_bytes (report, CW_LAB_PAGE_PNG_WIDTH, CW_LAB_PAGE_PNG_HEIGHT, &error);
      if (bytes == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replace_done_cb, g_steal_pointer (&task));
}

gboolean
cw_lab_page_export_finish (CwLabPage     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_lab_page_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CwLabPage *self = CW_LAB_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  name = g_file_get_parse_name (file);
  if (!cw_lab_page_export_finish (self, result, &error))
    /* Translators: a file's name and what went wrong */
    text = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Saved %s"), name);
  if (!self->disposed)
    toast (self, text);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  CwLabPage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && !self->disposed)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      CwLabExperiment e = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "experiment"));
      CwLabExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "format"));

      if (file != NULL)
        cw_lab_page_export_async (self, e, format, file, NULL, export_done_cb, g_object_ref (file));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  CwLabExportFormat format = g_str_equal (action_name, "lab.export-png") ? CW_LAB_EXPORT_PNG : CW_LAB_EXPORT_CSV;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (!has_report (self, self->selected))
    return;
  dialog = gtk_file_chooser_native_new (format == CW_LAB_EXPORT_PNG ? _("Export the Chart") : _("Export the Table"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  name = g_strdup_printf ("corewave-lab-%s.%s", cw_lab_experiment_to_string (self->selected),
                          format == CW_LAB_EXPORT_PNG ? "png" : "csv");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (format == CW_LAB_EXPORT_PNG)
    {
      gtk_file_filter_set_name (filter, _("PNG images"));
      gtk_file_filter_add_mime_type (filter, "image/png");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV tables"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_set_data (G_OBJECT (dialog), "experiment", GUINT_TO_POINTER (self->selected));
  g_object_set_data (G_OBJECT (dialog), "format", GUINT_TO_POINTER (format));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---------------------------------------------------------------------- */

static void
queue_changed_cb (CwLabPage *self)
{
  update_inputs (self);
}

void
cw_lab_page_set_queue (CwLabPage  *self,
                       GListModel *queue)
{
  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (queue == NULL || G_IS_LIST_MODEL (queue));

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, queue_changed_cb, self);
  g_set_object (&self->queue, queue);
  if (queue != NULL)
    g_signal_connect_swapped (queue, "items-changed", G_CALLBACK (queue_changed_cb), self);
  update_inputs (self);
}

CwLabExperiment
cw_lab_page_get_selected (CwLabPage *self)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), 0);
  return self->selected;
}

gboolean
cw_lab_page_get_running (CwLabPage *self)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), FALSE);
  return self->running;
}

CwLabChart *
cw_lab_page_get_chart (CwLabPage       *self,
                       CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return self->charts[experiment];
}

CwTimeline *
cw_lab_page_get_timeline (CwLabPage       *self,
                          CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return self->timelines[experiment];
}

const char *
cw_lab_page_get_explanation (CwLabPage       *self,
                             CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return gtk_label_get_label (self->explanations[experiment]);
}

GtkWidget *
cw_lab_page_new (void)
{
  return g_object_new (CW_TYPE_LAB_PAGE, NULL);
}

/* The drop-down's labels: the button's ellipsized (a long title must not
 * widen a phone's window), the list's wrapped (every title whole). */
static void
title_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (user_data))
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
    }
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
title_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static GtkListItemFactory *
title_factory_new (gboolean in_list)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (title_setup_cb), GINT_TO_POINTER (in_list));
  g_signal_connect (factory, "bind", G_CALLBACK (title_bind_cb), NULL);
  return factory;
}

static void
build_experiments (CwLabPage *self)
{
  g_autoptr(GtkListItemFactory) button_factory = title_factory_new (FALSE);
  g_autoptr(GtkListItemFactory) list_factory = title_factory_new (TRUE);
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  for (CwLabExperiment e = 0; e < CW_LAB_N_EXPERIMENTS; e++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      GtkWidget *label;
      /* Translators: the command that runs the same experiment without the window */
      g_autofree char *command = g_strdup_printf (_("In a terminal: corewave-cli lab %s"),
                                                  cw_lab_experiment_to_string (e));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cw_lab_experiment_title (e));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), cw_lab_experiment_to_string (e));
      gtk_widget_set_tooltip_text (row, command);
      self->done_icons[e] = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_widget_set_visible (self->done_icons[e], FALSE);
      gtk_widget_set_tooltip_text (self->done_icons[e], _("Measured"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->done_icons[e]);
      gtk_list_box_append (self->experiment_list, row);
      gtk_string_list_append (titles, cw_lab_experiment_title (e));

      self->charts[e] = CW_LAB_CHART (cw_lab_chart_new ());
      gtk_box_append (GTK_BOX (pane), GTK_WIDGET (self->charts[e]));
      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "body");
      self->explanations[e] = GTK_LABEL (label);
      gtk_box_append (GTK_BOX (pane), label);
      gtk_stack_add_named (self->result_stack, pane, cw_lab_experiment_to_string (e));

      pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (label, "heading");
      self->timeline_titles[e] = GTK_LABEL (label);
      gtk_box_append (GTK_BOX (pane), label);
      self->timelines[e] = CW_TIMELINE (cw_timeline_new ());
      gtk_box_append (GTK_BOX (pane), GTK_WIDGET (self->timelines[e]));
      gtk_stack_add_named (self->timeline_stack, pane, cw_lab_experiment_to_string (e));
    }
  gtk_drop_down_set_factory (self->experiment_dropdown, button_factory);
  gtk_drop_down_set_list_factory (self->experiment_dropdown, list_factory);
  gtk_drop_down_set_model (self->experiment_dropdown, G_LIST_MODEL (titles));
}

static void
cw_lab_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;
    case PROP_MAX_WORKERS:
      g_value_set_int (value, self->max_workers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_lab_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  switch (prop_id)
    {
    case PROP_BLOCKED:
      if (self->blocked != g_value_get_boolean (value))
        {
          self->blocked = g_value_get_boolean (value);
          update_inputs (self);
          update_actions (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_WORKERS:
      if (self->max_workers != g_value_get_int (value))
        {
          self->max_workers = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_lab_page_dispose (GObject *object)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  /* A run still going ends soon after (its callback holds a reference to
   * the page and only frees what it gets); its pools reap their workers. */
  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pipe_timer_id, g_source_remove);
  g_clear_object (&self->pool);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, queue_changed_cb, self);
  g_clear_object (&self->queue);
  memset (self->charts, 0, sizeof self->charts);
  memset (self->explanations, 0, sizeof self->explanations);
  memset (self->done_icons, 0, sizeof self->done_icons);
  memset (self->timelines, 0, sizeof self->timelines);
  memset (self->timeline_titles, 0, sizeof self->timeline_titles);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_LAB_PAGE);
  G_OBJECT_CLASS (cw_lab_page_parent_class)->dispose (object);
}

static void
cw_lab_page_finalize (GObject *object)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (cw_lab_page_parent_class)->finalize (object);
}

/* Focus goes to the choice of experiment: the sidebar's row, or the
 * drop-down when folded (arrows pick, Ctrl+Enter runs). */
static gboolean
cw_lab_page_grab_focus (GtkWidget *widget)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  GtkListBoxRow *row;

  if (adw_leaflet_get_folded (self->leaflet))
    return gtk_widget_grab_focus (GTK_WIDGET (self->experiment_dropdown));
  row = gtk_list_box_get_row_at_index (self->experiment_list, self->selected);
  return row != NULL && gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
cw_lab_page_class_init (CwLabPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cw_lab_page_get_property;
  object_class->set_property = cw_lab_page_set_property;
  object_class->dispose = cw_lab_page_dispose;
  object_class->finalize = cw_lab_page_finalize;
  widget_class->grab_focus = cw_lab_page_grab_focus;

  /**
   * CwLabPage:running:
   *
   * An experiment runs (until its workers are reaped).
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CwLabPage:blocked:
   *
   * Something else uses the cores (the window's batch): Run waits.
   */
  properties[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CwLabPage:max-workers:
   *
   * The most workers an experiment uses; 0: one per CPU.
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_int ("max-workers", NULL, NULL, 0, CW_POOL_MAX_WORKERS, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-lab-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, experiment_list);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, experiment_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, about_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, inputs_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, run_stack);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, quick_switch);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, pipe_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, result_stack);
  /* not kept, but reachable with gtk_widget_get_template_child () (the tests) */
  gtk_widget_class_bind_template_child_full (widget_class, "run_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "cancel_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "export_csv_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "export_png_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "lab.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "lab.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "lab.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "lab.export-png", NULL, export_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "lab.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "lab.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "lab.cancel", NULL);
}

static void
cw_lab_page_init (CwLabPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  build_experiments (self);
  /* folded, the content shows; the drop-down picks the experiment and
   * names it, in place of the title */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  g_object_bind_property (self->leaflet, "folded", self->title_label, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  self->selected = CW_LAB_N_EXPERIMENTS;   /* so the first select acts */
  g_signal_connect_swapped (self->experiment_list, "row-selected", G_CALLBACK (row_selected_cb), self);
  g_signal_connect_swapped (self->experiment_dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (self->quick_switch, "notify::active", G_CALLBACK (update_inputs), self);
  cw_lab_page_select (self, CW_LAB_MODES);
}
