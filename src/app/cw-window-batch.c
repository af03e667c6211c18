/* cw-window-batch.c: a CwBatch started, shown as it runs, and resumed
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CwBatch plans, runs and logs the batch (src/engine/cw-batch.h); this
 * file only presents it on the Run page (cw-run-page.c): progress, the
 * meter and the timeline, the results, the summary, and the banner that
 * offers a batch cut short last time. It also runs the CPU sampler: twice
 * a second while the Run page is seen, every 50 ms while a batch runs
 * (for the replay), its samples handed over five times a second.
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

/* the sampler: idle, while a batch runs (a replay's resolution), and how
 * often its samples reach the main loop (and the page redraws: at
 * 1920x1080 with cairo a redraw of the meter and the timeline is a few
 * milliseconds of the window's CPU, so five a second, not ten) */
#define SAMPLE_IDLE_MS   500
#define SAMPLE_BATCH_MS   50
#define SAMPLE_DELIVER_MS 200

/* ---------------------------------------------------------------------- */
/* the CPU meter */

static void
sample_cb (CwCpuSampler *sampler,
           CwCpuSample  *sample,
           gpointer      user_data)
{
  CwWindow *self = user_data;

  cw_run_page_push_sample (self->run_page, sample);
}

void
_cw_window_update_sampler (CwWindow *self)
{
  gboolean visible = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "run") == 0;

  /* Only wake up when someone can see it or a batch is recorded (faster
   * while a batch runs, so a replay has something to slow down); never
   * while the lab measures: the meter's frames would cost the
   * experiment's workers their cores. */
  cw_cpu_sampler_set_interval (self->sampler, self->running ? SAMPLE_BATCH_MS : SAMPLE_IDLE_MS);
  if (self->running
      || (visible && gtk_widget_get_mapped (GTK_WIDGET (self)) && !_cw_window_lab_running (self)))
    cw_cpu_sampler_start (self->sampler);
  else
    cw_cpu_sampler_stop (self->sampler);
}

static void
workers_changed (CwWindow *self)
{
  cw_cpu_sampler_set_workers (self->sampler, (const CwCpuWorker *) self->workers->data, self->workers->len);
}

/* The sampler attributes the cores to the workers by pid, and names them
 * by their slot: the timeline lane, the number and the colour. */
static void
worker_started_cb (CwPool   *pool,
                   guint     slot,
                   int       pid,
                   gpointer  user_data)
{
  CwWindow *self = user_data;
  CwCpuWorker worker = { pid, slot };

  for (guint i = 0; i < self->workers->len; i++)
    if (g_array_index (self->workers, CwCpuWorker, i).slot == slot)
      {
        g_array_remove_index (self->workers, i);
        break;
      }
  g_array_append_val (self->workers, worker);
  workers_changed (self);
}

static void
worker_exited_cb (CwPool     *pool,
                  guint       slot,
                  int         pid,
                  const char *reason,
                  gpointer    user_data)
{
  CwWindow *self = user_data;

  for (guint i = 0; i < self->workers->len; i++)
    if (g_array_index (self->workers, CwCpuWorker, i).pid == pid)
      {
        g_array_remove_index (self->workers, i);
        workers_changed (self);
        break;
      }
}

static void
task_started_cb (CwPool   *pool,
                 guint     slot,
                 guint64   index,
                 gint64    start_us,
                 gpointer  user_data)
{
  CwWindow *self = user_data;

  cw_run_page_task_started (self->run_page, slot, index, start_us);
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

  /* Translators: the progress bar's text: files done of the batch's files, e.g. "3 of 24".
   * PRIu64 formats are written <PRIu64> in the .po file. */
  text = g_strdup_printf (_("%'" PRIu64 " of %'" PRIu64), self->done, self->total);

  if (rate > 0 && self->done < self->total)
    {
      g_autofree char *eta = cw_text_duration ((self->total - self->done) / rate);

      /* Translators: files per second, then the time left as h:mm:ss or m:ss */
      status = g_strdup_printf (_("%.1f files/s · about %s left"), rate, eta);
    }
  else if (self->done == 0 && elapsed > 0.5)
    status = g_strdup (_("Working on the first files…"));
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
  cw_run_page_set_progress (self->run_page, self->total > 0 ? (double) self->done / self->total : 0,
                            text, status);
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
  /* the workers' own CPU time, not this window's */
  self->workers_cpu_us += MAX (result->cpu_us, 0);
  cw_run_page_add_result (self->run_page, result);
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
  g_array_set_size (self->workers, 0);
  workers_changed (self);
  g_clear_object (&self->batch_cancellable);
  self->running = FALSE;
  _cw_window_update_sampler (self);
  _cw_window_update_busy (self, was_busy);
  _cw_window_trim_memory (self);

  _cw_window_close_if_asked (self);
}

/* "Auto chunk size: 3 tasks a trip, chosen from a measured 40 ms a task
 * for trips of about 0.1 s": the size and the estimate it came from (the
 * pool keeps the estimate each chunk size was chosen with), or NULL when
 * the size was fixed or never measured */
static char *
describe_auto_chunk (const CwBatchStats *stats)
{
  double trip_s = stats->auto_target_trip_us / 1e6;
  double task_us = stats->auto_chosen_task_us;
  g_autofree char *task = NULL;

  if (stats->chunk_size != 0 || task_us <= 0 || stats->max_chunk_size == 0)
    return NULL;
  if (task_us >= 1000)
    /* Translators: a measured task time in milliseconds */
    task = g_strdup_printf (_("%.0f ms"), task_us / 1e3);
  else
    /* Translators: a measured task time in microseconds */
    task = g_strdup_printf (_("%.0f µs"), task_us);
  if (trip_s <= 0)
    /* Translators: how the automatic chunk size was chosen, e.g. "Auto chunk size: 4 tasks a trip,
     * chosen from a measured 25 ms a task" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Auto chunk size: %'u task a trip, chosen from a measured %s a task",
                                         "Auto chunk size: %'u tasks a trip, chosen from a measured %s a task",
                                         stats->max_chunk_size),
                            stats->max_chunk_size, task);
  /* Translators: how the automatic chunk size was chosen, e.g. "Auto chunk size: 4 tasks a trip,
   * chosen from a measured 25 ms a task for trips of about 0.1 s" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Auto chunk size: %'u task a trip, chosen from a measured %s a task "
                                       "for trips of about %.2g s",
                                       "Auto chunk size: %'u tasks a trip, chosen from a measured %s a task "
                                       "for trips of about %.2g s",
                                       stats->max_chunk_size),
                          stats->max_chunk_size, task, trip_s);
}

/* "3 of 5 files done · 1 failed · 1 skipped · 0.31 s · workers' CPU
 * 0.58 s · used 1.9 of 2 cores on average (95 %)": counts out of every
 * file the batch was given, the wall time, the CPU time of the workers
 * alone (not this window's), and what that is of the cores. No speed-up:
 * that needs a one-after-another run to compare with (the Lab has one). */
static char *
format_summary (CwWindow *self,
                guint64   n_skipped)
{
  const CwBatchStats *stats = &self->stats;
  double wall = stats->wall_us / 1e6;
  double cpu = self->workers_cpu_us / 1e6;
  guint cores = MAX (cw_cpus_usable (), 1);
  double used = wall > 0 ? MIN (cpu / wall, (double) cores) : 0;
  guint64 total = stats->n_tasks + n_skipped;
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->demo_heavy_batch)
    /* Translators: the summary's start when the batch was the heavier demo */
    g_string_append_printf (text, "%s · ", _("Heavier demo (MP3)"));
  g_string_append_printf (text,
                          /* Translators: files done of all the batch's files, e.g. "3 of 5 files done" */
                          g_dngettext (GETTEXT_PACKAGE, "%'" PRIu64 " of %'" PRIu64 " file done",
                                       "%'" PRIu64 " of %'" PRIu64 " files done", total),
                          stats->n_ok, total);
  if (stats->n_failed > 0)
    /* Translators: the number of files that failed, e.g. " · 2 failed" */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %'" PRIu64 " failed",
                                               " · %'" PRIu64 " failed", stats->n_failed),
                            stats->n_failed);
  if (n_skipped > 0)
    /* Translators: files the batch left out, e.g. "1 skipped" (not audio, gone, …) */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %'" PRIu64 " skipped",
                                               " · %'" PRIu64 " skipped", n_skipped), n_skipped);
  if (stats->n_cancelled > 0)
    /* Translators: files not done because the batch was cancelled */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " · %'" PRIu64 " cancelled",
                                               " · %'" PRIu64 " cancelled", stats->n_cancelled),
                            stats->n_cancelled);
  /* Translators: the wall time, then the workers' CPU time, in seconds, e.g.
   * " · 0.31 s · workers' CPU 0.58 s" */
  g_string_append_printf (text, _(" · %.2f s · workers’ CPU %.2f s"), wall, cpu);
  if (wall > 0)
    /* Translators: workers' CPU ÷ wall time ÷ cores, e.g. " · used 1.9 of 2 cores on average (95 %)" */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               " · used %.1f of %u core on average (%.0f %%)",
                                               " · used %.1f of %u cores on average (%.0f %%)", cores),
                            used, cores, used / cores * 100);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
batch_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;
  g_autofree char *status = NULL;
  guint64 n_skipped;

  cw_batch_run_finish (CW_BATCH (object), result, &error);
  self->stats = *cw_batch_get_stats (CW_BATCH (object));
  n_skipped = cw_batch_get_skipped (CW_BATCH (object))->len;
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  update_progress (self);

  g_free (self->summary);
  self->summary = format_summary (self, n_skipped);

  if (error != NULL && !cancelled)
    {
      status = g_strdup_printf (_("The batch stopped: %s"), error->message);
      _cw_window_toast (self, status);
    }
  else if (cancelled)
    status = g_strdup_printf (_("Cancelled. %s"), self->summary);
  else
    {
      g_autofree char *reasoning = describe_auto_chunk (&self->stats);

      status = reasoning != NULL ? g_strconcat (self->summary, "\n", reasoning, NULL) : g_strdup (self->summary);
      notify_done (self, self->stats.n_failed > 0 ? _("Batch finished with failures") : _("Batch finished"),
                   self->summary);
    }
  cw_run_page_set_progress (self->run_page, self->total > 0 ? (double) self->done / self->total : 0,
                            cancelled ? _("Cancelled") : _("Done"), NULL);
  cw_run_page_batch_finished (self->run_page, self->start_us + self->stats.wall_us, status,
                              self->stats.n_failed > 0);

  batch_over (self);
}

/* The batch could not start (planning failed, or the question was
 * answered Cancel): the window is free again. */
static void
batch_not_started (CwWindow   *self,
                   const char *message)
{
  gboolean was_busy = _cw_window_is_busy (self);

  cw_run_page_batch_finished (self->run_page, g_get_monotonic_time (), NULL, FALSE);
  if (message != NULL)
    cw_run_page_set_status (self->run_page, message);
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
  cw_run_page_batch_started (self->run_page, self->start_us, cw_pool_get_n_workers (cw_batch_get_pool (batch)));
  cw_result_view_set_output_dir (cw_run_page_get_result_view (self->run_page),
                                 cw_batch_get_options (batch)->output_dir);
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
  if (self->synthetic.synthetic_kind != 0)
    {
      options->n_workers = cw_settings_get_workers (self->settings);
      options->chunk_size = cw_settings_get_chunk_size (self->settings);
      options->order = cw_settings_get_order (self->settings);
      options->worker_nice = CW_WINDOW_WORKER_NICE;
      options->synthetic_kind = self->synthetic.synthetic_kind;
      options->synthetic_count = self->synthetic.synthetic_count;
      options->synthetic_arg = self->synthetic.synthetic_arg;
      return;
    }
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
  /* the heavier demo: the same files, encoded to MP3 at the best
   * quality (the most work the encoder does: some 70 times the noise's
   * CPU time here, and no sleep anywhere in it) */
  if (self->demo_heavy)
    {
      options->format = CW_FORMAT_MP3;
      options->bits = CW_BITS_SAME;  /* (MP3 has no sample format to set) */
      options->has_quality = TRUE;
      options->quality = 1.0;
    }
}

void
cw_window_start_synthetic (CwWindow   *self,
                           CwTaskKind  kind,
                           guint64     count,
                           gint64      arg)
{
  g_return_if_fail (CW_IS_WINDOW (self));
  g_return_if_fail (kind != CW_TASK_AUDIO && kind != CW_TASK_AUDIO_INLINE);

  if (self->running)
    return;
  self->synthetic.synthetic_kind = kind;
  self->synthetic.synthetic_count = count;
  self->synthetic.synthetic_arg = arg;
  _cw_window_start (self);
  memset (&self->synthetic, 0, sizeof self->synthetic);
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
  cw_run_page_set_status (self->run_page, status);
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
  g_signal_connect (pool, "task-started", G_CALLBACK (task_started_cb), self);
  cw_run_page_batch_planning (self->run_page, _("Planning the output names…"));
  cw_batch_plan_async (self->batch, self->batch_cancellable, plan_done_cb, g_object_ref (self));
}

void
_cw_window_start (CwWindow *self)
{
  CwBatchOptions options = { 0 };
  gboolean was_busy = _cw_window_is_busy (self);
  gboolean ask;

  if (self->running)
    return;
  if (self->synthetic.synthetic_kind == 0 && g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    return;
  if (_cw_window_lab_running (self))
    {
      _cw_window_toast (self, _("The lab is running an experiment: start the batch when it is done"));
      return;
    }

  self->demo_heavy_batch = self->demo_heavy && self->resume == NULL && self->synthetic.synthetic_kind == 0;
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
  self->workers_cpu_us = 0;
  memset (&self->stats, 0, sizeof self->stats);
  g_clear_object (&self->batch_cancellable);
  self->batch_cancellable = g_cancellable_new ();
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

/* ---------------------------------------------------------------------- */
/* the heavier demo */

static void
queue_changed_cb (CwWindow *self)
{
  /* an emptied queue is no longer the heavier demo */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    self->demo_heavy = FALSE;
}

void
_cw_window_add_heavy_demo (CwWindow *self)
{
  if (self->running)
    return;
  _cw_window_add_demo_set (self);
  self->demo_heavy = TRUE;
  _cw_window_toast (self, _("The next batch encodes the demo set to MP3 at the best quality: some 70 times the work of adding noise"));
}

void
_cw_window_batch_init (CwWindow *self)
{
  const char *proc_root = g_getenv ("CW_PROC_ROOT");

  self->workers = g_array_new (FALSE, FALSE, sizeof (CwCpuWorker));
  self->sampler = cw_cpu_sampler_new (SAMPLE_IDLE_MS);
  cw_cpu_sampler_set_delivery (self->sampler, SAMPLE_DELIVER_MS);
  /* another machine's /proc, for tests and screenshots of 16 or 256 cores */
  if (proc_root != NULL && *proc_root != '\0')
    cw_cpu_sampler_set_root (self->sampler, proc_root);
  g_signal_connect (self->sampler, "sample", G_CALLBACK (sample_cb), self);
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (queue_changed_cb), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (visible_page_cb), self);
  g_signal_connect_swapped (self, "map", G_CALLBACK (visible_page_cb), self);
  g_signal_connect_swapped (self, "unmap", G_CALLBACK (visible_page_cb), self);

  /* a batch that was cut short last time is offered for resuming */
  self->record_dir = cw_batch_record_default_dir ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.resume", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.discard-batch", FALSE);
  cw_batch_record_find_async (self->record_dir, self->cancellable, interrupted_found_cb, g_object_ref (self));
}
