/* cw-window-batch.c: a CwBatch started, shown as it runs, and resumed
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CwBatch plans, runs and logs the batch (src/engine/cw-batch.h); this
 * file only presents it: progress, the meter and the timeline, the results,
 * the summary, and the banner that offers a batch cut short last time.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-window-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "cw-cpus.h"
#include "cw-pool.h"
#include "cw-queue-item.h"
#include "cw-skipped-item.h"
#include "cw-text.h"

/* workers yield to the desktop (and to this window's main loop) */
#define CW_WINDOW_WORKER_NICE 5

/* ---------------------------------------------------------------------- */
/* the CPU meter */

static void
sample_cb (CwCpuSampler *sampler,
           CwCpuSample  *sample,
           gpointer      user_data)
{
  CwWindow *self = user_data;

  cw_cpu_meter_push_sample (self->cpu_meter, sample);
  cw_timeline_push_cpu (self->timeline, sample);
}

void
_cw_window_update_sampler (CwWindow *self)
{
  gboolean visible = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "run") == 0;

  /* Only wake up four times a second when someone can see it or a batch
   * needs its utilisation figure; never while the lab measures: the
   * meter's frames would cost the experiment's workers their cores. */
  if (self->running
      || (visible && gtk_widget_get_mapped (GTK_WIDGET (self)) && !_cw_window_lab_running (self)))
    cw_cpu_sampler_start (self->sampler);
  else
    cw_cpu_sampler_stop (self->sampler);
}

static void
worker_changed (CwWindow *self)
{
  g_autoptr(GArray) pids = NULL;

  if (self->batch == NULL)
    {
      cw_cpu_sampler_set_pids (self->sampler, NULL, 0);
      return;
    }
  pids = cw_pool_get_worker_pids (cw_batch_get_pool (self->batch));
  cw_cpu_sampler_set_pids (self->sampler, (const gint32 *) pids->data, pids->len);
}

static void
worker_started_cb (CwPool   *pool,
                   guint     slot,
                   int       pid,
                   gpointer  user_data)
{
  worker_changed (user_data);
}

static void
worker_exited_cb (CwPool     *pool,
                  guint       slot,
                  int         pid,
                  const char *reason,
                  gpointer    user_data)
{
  worker_changed (user_data);
}

static void
visible_page_cb (CwWindow *self)
{
  _cw_window_update_sampler (self);
}

/* ---------------------------------------------------------------------- */
/* the batch */

static void
update_progress (CwWindow *self)
{
  double elapsed = (g_get_monotonic_time () - self->start_us) / 1e6;
  double rate = elapsed > 0 ? self->done / elapsed : 0;
  g_autofree char *text = NULL;
  g_autofree char *status = NULL;

  gtk_progress_bar_set_fraction (self->progress_bar, self->total > 0 ? (double) self->done / self->total : 0);
  /* Translators: the progress bar's text: files done of the batch's files, e.g. "3 of 24".
   * PRIu64 formats are written <PRIu64> in the .po file. */
  text = g_strdup_printf (_("%'" PRIu64 " of %'" PRIu64), self->done, self->total);
  gtk_progress_bar_set_text (self->progress_bar, text);

  if (rate > 0 && self->done < self->total)
    {
      g_autofree char *eta = cw_text_duration ((self->total - self->done) / rate);

      /* Translators: files per second, then the time left as h:mm:ss or m:ss */
      status = g_strdup_printf (_("%.1f files/s · about %s left"), rate, eta);
    }
  else
    status = g_strdup (_("Starting the workers…"));
  if (self->failed > 0)
    {
      g_autofree char *failed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " failed",
                                                              "%'" PRIu64 " failed", self->failed),
                                                 self->failed);
      char *joined = g_strconcat (status, " · ", failed, NULL);

      g_free (status);
      status = joined;
    }
  gtk_label_set_label (self->status_label, status);
}

static gboolean
tick_cb (gpointer user_data)
{
  update_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
result_cb (const CwResult *result,
           gpointer        user_data)
{
  CwWindow *self = user_data;

  self->done++;
  if (result->status == CW_STATUS_FAILED)
    self->failed++;
  cw_result_view_add (self->result_view, result);
  cw_timeline_add (self->timeline, result);
}

static void
notify_done (CwWindow   *self,
             const char *title,
             const char *body)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;

  /* GNotification needs the session bus (not there under a bare Xvfb) */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)) || g_application_get_dbus_connection (app) == NULL)
    return;
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (app, "batch-finished", notification);
}

/* Every worker is reaped and every line logged: the window is free. */
static void
batch_over (CwWindow *self)
{
  gboolean was_busy = _cw_window_is_busy (self);

  g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  worker_changed (self);
  g_clear_object (&self->batch_cancellable);
  self->running = FALSE;
  _cw_window_update_sampler (self);
  _cw_window_update_busy (self, was_busy);
  _cw_window_trim_memory (self);

  _cw_window_close_if_asked (self);
}

/* "Auto chunk size: measured 25 ms a task, chose 4 for trips of about
 * 0.1 s", or NULL when the size was fixed or never measured */
static char *
describe_auto_chunk (const CwBatchStats *stats)
{
  double trip_s = stats->auto_target_trip_us / 1e6;
  g_autofree char *task = NULL;

  if (stats->chunk_size != 0 || stats->auto_task_us <= 0)
    return NULL;
  if (stats->auto_task_us >= 1000)
    /* Translators: a measured task time in milliseconds */
    task = g_strdup_printf (_("%.0f ms"), stats->auto_task_us / 1e3);
  else
    /* Translators: a measured task time in microseconds */
    task = g_strdup_printf (_("%.0f µs"), stats->auto_task_us);
  if (trip_s <= 0)
    /* Translators: how the automatic chunk size was chosen, e.g. "Auto chunk size: measured 25 ms a
     * task, chose 4" */
    return g_strdup_printf (_("Auto chunk size: measured %s a task, chose %'u"), task, stats->max_chunk_size);
  /* Translators: how the automatic chunk size was chosen, e.g. "Auto chunk size: measured 25 ms a task,
   * chose 4 for trips of about 0.1 s" */
  return g_strdup_printf (_("Auto chunk size: measured %s a task, chose %'u for trips of about %.2g s"),
                          task, stats->max_chunk_size, trip_s);
}

static void
batch_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;
  double wall, cpu, usage;
  g_autofree char *failed = NULL;
  g_autofree char *files = NULL;
  g_autofree char *speedup = NULL;

  cw_batch_run_finish (CW_BATCH (object), result, &error);
  self->stats = *cw_batch_get_stats (CW_BATCH (object));
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  cw_result_view_flush (self->result_view);
  cw_timeline_set_running (self->timeline, FALSE);
  update_progress (self);

  wall = self->stats.wall_us / 1e6;
  cpu = self->stats.cpu_us / 1e6;
  /* the share of every core's time the batch used, from measured CPU time;
   * the meter's samples are too coarse for a batch of a second */
  usage = wall > 0 ? MIN (1.0, cpu / (wall * cw_cpus_usable ())) : 0;
  /* Translators: the number of files that failed, e.g. "2 failed" */
  failed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " failed",
                                         "%'" PRIu64 " failed", self->stats.n_failed),
                            self->stats.n_failed);
  /* Translators: the first part of the summary, files done and the wall time, e.g. "24 files in 1.23 s" */
  files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " file in %.2f s",
                                        "%'" PRIu64 " files in %.2f s", self->stats.n_ok),
                           self->stats.n_ok, wall);
  /* Translators: CPU time / wall time, e.g. "speed-up 1.95× on 2 workers" */
  speedup = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "speed-up %.2f× on %'u worker",
                                          "speed-up %.2f× on %'u workers", self->stats.n_workers),
                             wall > 0 ? cpu / wall : 0.0, self->stats.n_workers);
  g_free (self->summary);
  self->summary = g_strdup_printf (
    /* Translators: the summary: "24 files in 1.23 s", the CPU time in seconds, "speed-up 1.95× on
     * 2 workers", the share of all cores, "0 failed"; e.g. "24 files in 1.23 s · CPU 2.40 s ·
     * speed-up 1.95× on 2 workers · 97 % of all cores · 0 failed" */
    _("%s · CPU %.2f s · %s · %.0f %% of all cores · %s"),
    files, cpu, speedup, usage * 100, failed);

  if (error != NULL && !cancelled)
    {
      g_autofree char *text = g_strdup_printf (_("The batch stopped: %s"), error->message);

      gtk_label_set_label (self->status_label, text);
      _cw_window_toast (self, text);
    }
  else if (cancelled)
    {
      g_autofree char *text = g_strdup_printf (_("Cancelled. %s"), self->summary);

      gtk_label_set_label (self->status_label, text);
    }
  else
    {
      g_autofree char *reasoning = describe_auto_chunk (&self->stats);
      g_autofree char *text = NULL;

      if (reasoning != NULL)
        text = g_strconcat (self->summary, "\n", reasoning, NULL);
      gtk_label_set_label (self->status_label, text != NULL ? text : self->summary);
      notify_done (self, self->stats.n_failed > 0 ? _("Batch finished with failures") : _("Batch finished"),
                   self->summary);
    }
  gtk_progress_bar_set_text (self->progress_bar, cancelled ? _("Cancelled") : _("Done"));

  batch_over (self);
}

/* The batch could not start (planning failed, or the question was
 * answered Cancel): the window is free again. */
static void
batch_not_started (CwWindow   *self,
                   const char *message)
{
  gboolean was_busy = _cw_window_is_busy (self);

  if (message != NULL)
    gtk_label_set_label (self->status_label, message);
  if (self->batch != NULL)
    g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  g_clear_object (&self->batch_cancellable);
  self->running = FALSE;
  _cw_window_update_sampler (self);
  _cw_window_update_busy (self, was_busy);
  _cw_window_close_if_asked (self);
}

static gboolean
is_queued_path (const char *path,
                gpointer    data)
{
  return g_hash_table_contains (data, path);
}

/* What the batch left out (its outputs exist and are kept) joins the
 * Skipped list, in place of what the batch before left out. */
static void
take_batch_skipped (CwWindow *self,
                    CwBatch  *batch)
{
  GPtrArray *notes = cw_batch_get_skipped (batch);
  GListModel *queue = G_LIST_MODEL (self->queue);
  g_autoptr(GHashTable) inputs = NULL;
  g_autoptr(GPtrArray) items = NULL;

  g_list_store_remove_all (self->skipped_by_batch);
  if (notes->len > 0)
    {
      /* a note is "input: reason"; the inputs tell where the path ends */
      inputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
        {
          g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);

          g_hash_table_add (inputs, g_strdup (cw_queue_item_get_path (item)));
        }
      items = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < notes->len; i++)
        g_ptr_array_add (items, cw_skipped_item_new_from_note (g_ptr_array_index (notes, i),
                                                               CW_SKIPPED_BY_BATCH,
                                                               is_queued_path, inputs));
      g_list_store_splice (self->skipped_by_batch, 0, 0, items->pdata, items->len);
    }
  _cw_window_update_queue_summary (self);
}

static void
run_planned (CwWindow *self)
{
  CwBatch *batch = self->batch;
  guint n_resumed;

  self->total = cw_batch_get_n_tasks (batch);
  n_resumed = cw_batch_get_n_resumed (batch);
  if (n_resumed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Resuming: %u file was already done",
                                                            "Resuming: %u files were already done",
                                                            n_resumed),
                                               n_resumed);
      _cw_window_toast (self, text);
    }
  take_batch_skipped (self, batch);
  /* (not before: a question about existing outputs is asked over the page
   * where Start was pressed, not over the last batch's results) */
  adw_view_stack_set_visible_child_name (self->view_stack, "run");

  self->start_us = g_get_monotonic_time ();
  cw_result_view_clear (self->result_view, self->start_us);
  cw_result_view_set_output_dir (self->result_view, cw_batch_get_options (batch)->output_dir);
  cw_timeline_clear (self->timeline, self->start_us, cw_pool_get_n_workers (cw_batch_get_pool (batch)));
  self->tick_id = g_timeout_add (200, tick_cb, self);
  update_progress (self);
  cw_batch_run_async (batch, result_cb, self, self->batch_cancellable, batch_done_cb, g_object_ref (self));
}

/* What the settings and the queue say, or what a recorded batch was.
 * "Ask" plans with CW_EXISTING_FAIL: until a name is found taken, the
 * names are those any answer would give. */
static void
batch_options (CwWindow       *self,
               CwBatchOptions *options)
{
  GListModel *queue = G_LIST_MODEL (self->queue);
  guint n = g_list_model_get_n_items (queue);

  options->mode = cw_settings_get_mode (self->settings);
  options->n_workers = cw_settings_get_workers (self->settings);
  options->chunk_size = cw_settings_get_chunk_size (self->settings);
  options->order = cw_settings_get_order (self->settings);
  /* workers yield to the desktop (and to this window's main loop) */
  options->worker_nice = CW_WINDOW_WORKER_NICE;

  if (self->resume != NULL)
    {
      cw_batch_record_to_options (self->resume, self->record_dir, options);
      return;
    }
  /* each file with where it was found: outputs mirror the added folders */
  options->input_files = g_ptr_array_new_full (n, (GDestroyNotify) cw_input_file_free);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);

      g_ptr_array_add (options->input_files, cw_input_file_new (cw_queue_item_get_path (item),
                                                                cw_queue_item_get_relative (item)));
    }
  options->layout = CW_LAYOUT_TREE;
  options->output_dir = cw_settings_dup_output_dir (self->settings);
  options->spec = cw_settings_build_spec (self->settings);
  options->format = cw_settings_get_format (self->settings);
  cw_settings_get_encoding (self->settings, options->format, &options->bits, &options->has_quality,
                            &options->quality, &options->no_metadata);
  options->seed = cw_settings_get_seed (self->settings);
  switch (cw_settings_get_existing (self->settings))
    {
    case CW_EXISTING_CHOICE_RENAME:
      options->existing = CW_EXISTING_RENAME;
      break;
    case CW_EXISTING_CHOICE_REPLACE:
      options->existing = CW_EXISTING_REPLACE;
      break;
    case CW_EXISTING_CHOICE_SKIP:
      options->existing = CW_EXISTING_SKIP;
      break;
    case CW_EXISTING_CHOICE_ASK:
    default:
      options->existing = CW_EXISTING_FAIL;
      break;
    }
  options->record_dir = g_strdup (self->record_dir);
}

static void begin_batch (CwWindow       *self,
                         CwBatchOptions *options,
                         gboolean        ask_existing);

static void
existing_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      CwWindow         *self)
{
  CwBatchOptions options = { 0 };
  CwExisting existing;

  self->existing_dialog = NULL;
  if (g_str_equal (response, "replace"))
    existing = CW_EXISTING_REPLACE;
  else if (g_str_equal (response, "rename"))
    existing = CW_EXISTING_RENAME;
  else if (g_str_equal (response, "skip"))
    existing = CW_EXISTING_SKIP;
  else
    {
      batch_not_started (self, _("Not started: nothing was written."));
      return;
    }

  /* planned again with the answer (one linear pass): a name moved past a
   * file moves the numbered names after it too */
  g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  batch_options (self, &options);
  options.existing = existing;
  begin_batch (self, &options, FALSE);
  cw_batch_options_clear (&options);
}

/* A question before a batch runs, over the page where Start was pressed:
 * "cancel" (Escape) writes nothing; @status is the Run page's meanwhile. */
static void
present_question (CwWindow   *self,
                  GtkWidget  *dialog,
                  const char *heading,
                  const char *default_response,
                  GCallback   response_cb,
                  const char *status)
{
  /* (what a window list and a screen reader call it) */
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), default_response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", response_cb, self, 0);
  self->existing_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_label_set_label (self->status_label, status);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Before anything is written: outputs are there already. Asked once, for
 * the whole batch. */
static void
ask_about_existing (CwWindow *self)
{
  guint n = cw_batch_get_n_existing (self->batch);
  g_autofree char *folder = cw_text_display_folder (cw_batch_get_options (self->batch)->output_dir);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: the heading of the question asked before a batch whose outputs exist */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u Output Already Exists",
                                          "%'u Outputs Already Exist", n), n);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %u is a number of files, %s the output folder */
                                       "%'u file of this batch already has its output in “%s”. "
                                       "Replace it, keep both (the new output gets a numbered name, "
                                       "“name (1).wav”), or skip that file? Inputs are never replaced.",
                                       "%'u files of this batch already have their outputs in “%s”. "
                                       "Replace them, keep both (the new outputs get numbered names, "
                                       "“name (1).wav”), or skip those files? Inputs are never replaced.",
                                       n),
                          n, folder);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "skip", _("_Skip"),
                                    "rename", _("_Keep Both"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_DESTRUCTIVE);
  present_question (self, dialog, heading, "rename", G_CALLBACK (existing_response_cb),
                    /* Translators: the Run page's status while the question is open */
                    _("Waiting for an answer: what becomes of the existing outputs?"));
}

static void go_on_after_encodings (CwWindow *self);

static void
refused_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     CwWindow         *self)
{
  self->existing_dialog = NULL;
  if (!g_str_equal (response, "skip"))
    {
      batch_not_started (self, _("Not started: nothing was written."));
      return;
    }
  self->drop_refused = TRUE;
  go_on_after_encodings (self);
}

/* Before anything is written: files the output format cannot hold (more
 * channels than MP3 has, …). Asked once; the answer holds for the batch
 * planned again after the question about existing outputs. */
static void
ask_about_refused (CwWindow *self)
{
  guint n = cw_batch_get_n_refused (self->batch);
  g_auto(GStrv) lines = cw_batch_note_lines (cw_batch_get_notes (self->batch), TRUE, 3);
  g_autofree char *list = g_strjoinv ("\n", lines);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: the heading of the question asked before a batch with files the output format cannot hold */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u File Cannot Be Converted",
                                          "%'u Files Cannot Be Converted", n), n);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: %s is a list of files and reasons, one a line */
                                       "The output format cannot hold this file:\n%s\n\n"
                                       "Skip it and convert the rest, or cancel and choose another format?",
                                       "The output format cannot hold these files:\n%s\n\n"
                                       "Skip them and convert the rest, or cancel and choose another format?",
                                       n),
                          list);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "skip", _("_Skip and Convert the Rest"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "skip",
                                              ADW_RESPONSE_SUGGESTED);
  present_question (self, dialog, heading, "skip", G_CALLBACK (refused_response_cb),
                    _("Waiting for an answer: skip the files the format cannot hold?"));
}

/* The planned batch, its encodings answered: existing outputs, then run. */
static void
go_on_after_encodings (CwWindow *self)
{
  CwBatch *batch = self->batch;
  GPtrArray *notes = cw_batch_get_notes (batch);
  guint n_changed;

  if (self->drop_refused)
    cw_batch_drop_refused (batch);
  n_changed = notes->len - cw_batch_get_n_refused (batch);
  if (g_object_get_data (G_OBJECT (batch), "cw-ask-existing") != NULL && cw_batch_get_n_existing (batch) > 0)
    {
      ask_about_existing (self);
      return;
    }
  if (n_changed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            /* Translators: e.g. a 44.1 kHz file to Opus, which has 48 kHz */
                                                            "%'u file is resampled to a rate its output format holds",
                                                            "%'u files are resampled to a rate their output format holds",
                                                            n_changed),
                                               n_changed);
      _cw_window_toast (self, text);
    }
  run_planned (self);
}

static void
plan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  CwBatch *batch = CW_BATCH (object);
  g_autoptr(GError) error = NULL;

  if (!cw_batch_plan_finish (batch, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        batch_not_started (self, NULL);
      else
        {
          _cw_window_toast (self, error->message);
          batch_not_started (self, error->message);
        }
      return;
    }
  if (cw_batch_get_n_refused (batch) > 0 && !self->drop_refused)
    {
      ask_about_refused (self);
      return;
    }
  go_on_after_encodings (self);
}

/* A batch made from @options and planned off the main loop; with
 * @ask_existing, outputs found on disk are asked about before it runs. */
static void
begin_batch (CwWindow       *self,
             CwBatchOptions *options,
             gboolean        ask_existing)
{
  CwPool *pool;

  self->batch = cw_batch_new (options);
  if (ask_existing)
    g_object_set_data (G_OBJECT (self->batch), "cw-ask-existing", GINT_TO_POINTER (TRUE));
  pool = cw_batch_get_pool (self->batch);
  g_signal_connect (pool, "worker-started", G_CALLBACK (worker_started_cb), self);
  g_signal_connect (pool, "worker-exited", G_CALLBACK (worker_exited_cb), self);
  gtk_label_set_label (self->status_label, _("Planning the output names…"));
  cw_batch_plan_async (self->batch, self->batch_cancellable, plan_done_cb, g_object_ref (self));
}

void
_cw_window_start (CwWindow *self)
{
  CwBatchOptions options = { 0 };
  gboolean was_busy = _cw_window_is_busy (self);
  gboolean ask;

  if (self->running || g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    return;
  if (_cw_window_lab_running (self))
    {
      _cw_window_toast (self, _("The lab is running an experiment: start the batch when it is done"));
      return;
    }

  /* a resumed batch keeps what its record says may be replaced */
  ask = self->resume == NULL && cw_settings_get_existing (self->settings) == CW_EXISTING_CHOICE_ASK;
  batch_options (self, &options);
  if (options.format == CW_FORMAT_FLAC && options.bits == CW_BITS_32F)
    {
      _cw_window_toast (self, _("FLAC holds 16 or 24 bits: choose one in Settings, or WAV for 32-bit float"));
      cw_batch_options_clear (&options);
      return;
    }
  self->drop_refused = FALSE;
  g_clear_pointer (&self->resume, cw_batch_record_free);

  self->running = TRUE;
  self->done = self->failed = 0;
  memset (&self->stats, 0, sizeof self->stats);
  g_clear_object (&self->batch_cancellable);
  self->batch_cancellable = g_cancellable_new ();
  cw_cpu_meter_reset (self->cpu_meter);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  _cw_window_update_sampler (self);
  _cw_window_update_busy (self, was_busy);

  begin_batch (self, &options, ask);
  cw_batch_options_clear (&options);
}

/* ---------------------------------------------------------------------- */
/* an interrupted batch */

static void
interrupted_found_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(CwBatchRecord) batch = cw_batch_record_find_finish (result, NULL);
  g_autofree char *text = NULL;
  guint total;

  if (batch == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  total = batch->plan->len;
  if (batch->n_done >= total)
    {
      /* everything was done after all: nothing to offer */
      cw_batch_record_discard (self->record_dir);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "A batch was interrupted: %u of %u file is done.",
                                       "A batch was interrupted: %u of %u files are done.",
                                       total),
                          batch->n_done, total);
  gtk_label_set_label (self->resume_label, text);
  g_clear_pointer (&self->interrupted, cw_batch_record_free);
  self->interrupted = g_steal_pointer (&batch);
  gtk_revealer_set_reveal_child (self->resume_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.discard-batch", TRUE);
}

static void
hide_resume (CwWindow *self)
{
  gtk_revealer_set_reveal_child (self->resume_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.discard-batch", FALSE);
}

void
_cw_window_resume_interrupted (CwWindow *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  CwBatchRecord *batch = self->interrupted;

  if (batch == NULL || self->running)
    return;
  hide_resume (self);

  /* the queue shows the batch's files; the run uses its recorded plan */
  _cw_window_empty_queue (self);
  for (guint i = 0; i < batch->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (batch->plan, i);

      g_ptr_array_add (files, g_file_new_for_path (file->input_path));
    }
  self->resume = g_steal_pointer (&self->interrupted);
  cw_window_add_files (self, (GFile **) files->pdata, files->len);
  cw_window_start_when_ready (self);
}

void
_cw_window_discard_interrupted (CwWindow *self)
{
  hide_resume (self);
  g_clear_pointer (&self->interrupted, cw_batch_record_free);
  cw_batch_record_discard (self->record_dir);
}

void
_cw_window_batch_init (CwWindow *self)
{
  self->sampler = cw_cpu_sampler_new (250);
  g_signal_connect (self->sampler, "sample", G_CALLBACK (sample_cb), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (visible_page_cb), self);
  g_signal_connect_swapped (self, "map", G_CALLBACK (visible_page_cb), self);
  g_signal_connect_swapped (self, "unmap", G_CALLBACK (visible_page_cb), self);

  /* a batch that was cut short last time is offered for resuming */
  self->record_dir = cw_batch_record_default_dir ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.discard-batch", FALSE);
  cw_batch_record_find_async (self->record_dir, self->cancellable, interrupted_found_cb, g_object_ref (self));
}
