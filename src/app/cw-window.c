/* cw-window.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window never does file I/O on the main loop: folders are walked and
 * files probed in GTask threads, the batch's output names are planned in a
 * thread, the CPU sampler reads /proc on its own thread, and the work itself
 * runs in the pool's workers.
 */

#include "config.h"

#include "cw-window.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "cw-batch.h"
#include "cw-cpu-meter.h"
#include "cw-cpu-sampler.h"
#include "cw-demo.h"
#include "cw-inputs.h"
#include "cw-lab-page.h"
#include "cw-pool.h"
#include "cw-queue-item.h"
#include "cw-settings-page.h"
#include "cw-spec.h"
#include "cw-text.h"
#include "cw-timeline.h"

/* workers yield to the desktop (and to this window's main loop) */
#define CW_WINDOW_WORKER_NICE 5

struct _CwWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *run_button_stack;
  AdwViewStack         *view_stack;
  GtkStack             *queue_stack;
  GtkColumnView        *queue_view;
  GtkLabel             *queue_summary;
  CwSettingsPage       *settings_page;
  CwCpuMeter           *cpu_meter;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;
  CwTimeline           *timeline;
  CwResultView         *result_view;
  CwLabPage            *lab_page;

  CwSettings           *settings;
  GListStore           *queue;
  GHashTable           *queued;          /* "dev:ino" of every queued file */
  guint                 n_adding;        /* walks in flight */
  gboolean              start_when_ready;
  GCancellable         *cancellable;     /* the window's life: walks, planning */

  /* the batch: planned, run and logged by CwBatch, shown here */
  CwBatch              *batch;
  GCancellable         *batch_cancellable;
  guint64               total;
  guint64               done;
  guint64               failed;
  gint64                start_us;
  CwBatchStats          stats;
  gboolean              running;
  gboolean              close_when_done;
  GtkApplication       *held_app;        /* held while closing mid-batch */
  guint                 tick_id;
  char                 *summary;

  CwCpuSampler         *sampler;

  /* resuming an interrupted batch */
  GtkRevealer          *resume_revealer;
  GtkLabel             *resume_label;
  char                 *record_dir;      /* where batches are recorded */
  CwBatchRecord        *interrupted;     /* found at start-up, offered */
  CwBatchRecord        *resume;          /* taken by the next start */
};

G_DEFINE_FINAL_TYPE (CwWindow, cw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void cw_window_start (CwWindow *self);

/* ---------------------------------------------------------------------- */
/* small helpers */

static void
toast (CwWindow   *self,
       const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* (the page is gone once the window is disposed) */
static gboolean
lab_running (CwWindow *self)
{
  return self->lab_page != NULL && cw_lab_page_get_running (self->lab_page);
}

static gboolean
is_busy (CwWindow *self)
{
  return self->running || self->n_adding > 0;
}

static void
update_actions (CwWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));

  /* the lab and a batch would measure each other: one at a time */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start",
                                 !self->running && self->n_adding == 0 && n > 0
                                 && !lab_running (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-queue", !self->running && n > 0);
  gtk_stack_set_visible_child_name (self->run_button_stack, self->running ? "cancel" : "start");
}

static void
set_busy_changed (CwWindow *self,
                  gboolean  was_busy)
{
  update_actions (self);
  if (was_busy != is_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ---------------------------------------------------------------------- */
/* the queue */

static void
update_queue_summary (CwWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->queue);
  guint n = g_list_model_get_n_items (model);
  double seconds = 0;
  g_autofree char *duration = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (model, i);

      seconds += cw_queue_item_get_seconds (item);
    }
  duration = cw_text_duration (seconds);
  /* Translators: the queue's size and total length, e.g. "24 files · 1:36:00 of audio" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u file · %s of audio", "%'u files · %s of audio", n),
                          n, duration);
  gtk_label_set_label (self->queue_summary, text);
  gtk_stack_set_visible_child_name (self->queue_stack, n > 0 ? "list" : "empty");
  update_actions (self);
}

typedef struct
{
  GPtrArray *paths;      /* char* */
  char      *exclude;    /* the output folder: never walked */
  GPtrArray *items;      /* CwQueueItem* */
  GPtrArray *keys;       /* char*, "dev:ino" per item */
  GPtrArray *skipped;    /* char*, "name: reason" */
} AddJob;

static void
add_job_free (AddJob *job)
{
  g_ptr_array_unref (job->paths);
  g_free (job->exclude);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_clear_pointer (&job->keys, g_ptr_array_unref);
  g_clear_pointer (&job->skipped, g_ptr_array_unref);
  g_free (job);
}

static void
add_files_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  AddJob *job = task_data;
  g_autoptr(GPtrArray) files = NULL;

  g_ptr_array_add (job->paths, NULL);
  files = cw_inputs_collect ((const char * const *) job->paths->pdata, job->exclude, job->skipped);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = ((CwInputFile *) g_ptr_array_index (files, i))->path;
      CwAudioInfo info = { 0 };
      g_autoptr(GError) error = NULL;
      struct stat st;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!cw_audio_probe (path, &info, &error))
        {
          g_autofree char *name = g_filename_display_basename (path);

          g_ptr_array_add (job->skipped, g_strdup_printf ("%s: %s", name, error->message));
          continue;
        }
      if (stat (path, &st) == 0)
        g_ptr_array_add (job->keys, g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino));
      else
        g_ptr_array_add (job->keys, g_strdup (path));
      g_ptr_array_add (job->items, cw_queue_item_new (path, &info));
    }
  g_task_return_boolean (task, TRUE);
}

/* "3 files skipped: notes.txt: not an audio file, …" */
static char *
describe_skipped (GPtrArray *skipped)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = MIN (skipped->len, 2);

  g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "Skipped %'u file", "Skipped %'u files", skipped->len),
                   skipped->len);
  g_string_append (text, " — ");
  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *note = g_filename_display_name (g_ptr_array_index (skipped, i));

      if (i > 0)
        g_string_append (text, "; ");
      g_string_append (text, note);
    }
  if (skipped->len > shown)
    g_string_append (text, "; …");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_files_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CwWindow *self = CW_WINDOW (object);
  AddJob *job = g_task_get_task_data (G_TASK (result));
  gboolean was_busy = is_busy (self);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  guint duplicates = 0;

  self->n_adding--;
  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (self->cancellable))
    {
      set_busy_changed (self, was_busy);
      return;
    }

  for (guint i = 0; i < job->items->len; i++)
    {
      const char *key = g_ptr_array_index (job->keys, i);

      if (g_hash_table_contains (self->queued, key))
        {
          duplicates++;
          continue;
        }
      g_hash_table_add (self->queued, g_strdup (key));
      g_ptr_array_add (fresh, g_ptr_array_index (job->items, i));
    }
  g_list_store_splice (self->queue, g_list_model_get_n_items (G_LIST_MODEL (self->queue)), 0,
                       fresh->pdata, fresh->len);
  update_queue_summary (self);

  if (job->skipped->len > 0)
    {
      g_autofree char *text = describe_skipped (job->skipped);

      toast (self, text);
    }
  if (duplicates > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%'u file was already queued",
                                                            "%'u files were already queued",
                                                            duplicates),
                                               duplicates);
      toast (self, text);
    }

  set_busy_changed (self, was_busy);
  if (self->start_when_ready && self->n_adding == 0)
    {
      self->start_when_ready = FALSE;
      cw_window_start (self);
    }
}

void
cw_window_add_files (CwWindow  *self,
                     GFile    **files,
                     guint      n_files)
{
  g_autoptr(GTask) task = NULL;
  gboolean was_busy = is_busy (self);
  AddJob *job;

  g_return_if_fail (CW_IS_WINDOW (self));

  job = g_new0 (AddJob, 1);
  job->paths = g_ptr_array_new_with_free_func (g_free);
  job->items = g_ptr_array_new_with_free_func (g_object_unref);
  job->keys = g_ptr_array_new_with_free_func (g_free);
  job->skipped = g_ptr_array_new_with_free_func (g_free);
  job->exclude = cw_settings_dup_output_dir (self->settings);
  for (guint i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);

      if (path != NULL)
        g_ptr_array_add (job->paths, path);
    }

  self->n_adding++;
  task = g_task_new (self, self->cancellable, add_files_done_cb, NULL);
  g_task_set_source_tag (task, cw_window_add_files);
  g_task_set_task_data (task, job, (GDestroyNotify) add_job_free);
  g_task_run_in_thread (task, add_files_thread);
  set_busy_changed (self, was_busy);
}

void
cw_window_start_when_ready (CwWindow *self)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  /* With nothing queued yet, the next files added start the batch: that is
   * what "corewave --start" with no file means. */
  if (self->n_adding == 0 && g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0)
    cw_window_start (self);
  else
    self->start_when_ready = TRUE;
}

static void
queue_label_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *list_item,
                      gpointer                  user_data)
{
  /* min and natural widths in characters, per column: the file name takes
   * what is left; nothing forces the window wider than 360 px */
  static const guint chars[][2] = { { 4, 30 }, { 4, 7 }, { 4, 24 }, { 1, 3 }, { 4, 9 } };
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), chars[column][0]);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), chars[column][1]);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label),
                                     GPOINTER_TO_INT (user_data) == 0
                                     ? GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE
                                     : GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (user_data) != 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
queue_label_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *list_item,
                     gpointer                  user_data)
{
  CwQueueItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *label = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  g_autofree char *text = NULL;

  switch (GPOINTER_TO_INT (user_data))
    {
    case 0:
      gtk_inscription_set_text (label, cw_queue_item_get_display_name (item));
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), cw_queue_item_get_display_name (item));
      return;
    case 1:
      text = cw_text_duration (cw_queue_item_get_seconds (item));
      break;
    case 2:
      text = g_strdup_printf ("%s · %s", cw_queue_item_get_format_name (item),
                              cw_queue_item_get_subtype_name (item));
      break;
    case 3:
      text = g_strdup_printf ("%d", cw_queue_item_get_channels (item));
      break;
    default:
      text = g_strdup_printf ("%.1f kHz", cw_queue_item_get_rate (item) / 1000.0);
      break;
    }
  gtk_inscription_set_text (label, text);
}

static void
setup_queue_view (CwWindow *self)
{
  const char *titles[] = { N_("File"), N_("Length"), N_("Format"), N_("Channels"), N_("Rate") };
  g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->queue)));

  gtk_column_view_set_model (self->queue_view, GTK_SELECTION_MODEL (selection));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (queue_label_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (queue_label_bind_cb), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_expand (column, i == 0);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->queue_view, column);
    }
}

/* ---------------------------------------------------------------------- */
/* drag and drop */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  CwWindow *self = user_data;
  GSList *files;
  g_autoptr(GPtrArray) array = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    g_ptr_array_add (array, l->data);
  g_slist_free (files);
  if (array->len == 0)
    return FALSE;

  cw_window_add_files (self, (GFile **) array->pdata, array->len);
  adw_view_stack_set_visible_child_name (self->view_stack, "queue");
  return TRUE;
}

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

static void
update_sampler (CwWindow *self)
{
  gboolean visible = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "run") == 0;

  /* Only wake up four times a second when someone can see it or a batch
   * needs its utilisation figure. */
  if (self->running || (visible && gtk_widget_get_mapped (GTK_WIDGET (self))))
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

/* The window was closed mid-batch: go now that nothing runs. */
static void
close_if_asked (CwWindow *self)
{
  GtkApplication *app;

  if (!self->close_when_done || self->running || lab_running (self))
    return;
  self->close_when_done = FALSE;
  app = g_steal_pointer (&self->held_app);
  gtk_window_destroy (GTK_WINDOW (self));
  if (app != NULL)
    {
      g_application_release (G_APPLICATION (app));
      g_object_unref (app);
    }
}

/* Every worker is reaped and every line logged: the window is free. */
static void
batch_over (CwWindow *self)
{
  gboolean was_busy = is_busy (self);

  g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  worker_changed (self);
  g_clear_object (&self->batch_cancellable);
  self->running = FALSE;
  update_sampler (self);
  set_busy_changed (self, was_busy);

  close_if_asked (self);
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
  usage = wall > 0 ? MIN (1.0, cpu / (wall * cw_online_cpus ())) : 0;
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
      toast (self, text);
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

static void
plan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CwWindow) self = user_data;
  CwBatch *batch = CW_BATCH (object);
  g_autoptr(GError) error = NULL;
  guint n_resumed;

  if (!cw_batch_plan_finish (batch, result, &error))
    {
      gboolean was_busy = is_busy (self);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          toast (self, error->message);
          gtk_label_set_label (self->status_label, error->message);
        }
      g_clear_object (&self->batch);
      g_clear_object (&self->batch_cancellable);
      self->running = FALSE;
      update_sampler (self);
      set_busy_changed (self, was_busy);
      close_if_asked (self);
      return;
    }

  self->total = cw_batch_get_n_tasks (batch);
  n_resumed = cw_batch_get_n_resumed (batch);
  if (n_resumed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Resuming: %u file was already done",
                                                            "Resuming: %u files were already done",
                                                            n_resumed),
                                               n_resumed);
      toast (self, text);
    }

  self->start_us = g_get_monotonic_time ();
  cw_result_view_clear (self->result_view, self->start_us);
  cw_timeline_clear (self->timeline, self->start_us, cw_pool_get_n_workers (cw_batch_get_pool (batch)));
  self->tick_id = g_timeout_add (200, tick_cb, self);
  update_progress (self);
  cw_batch_run_async (batch, result_cb, self, self->batch_cancellable, batch_done_cb, g_object_ref (self));
}

/* What the settings and the queue say, or what a recorded batch was. */
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
  options->inputs = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (queue, i);

      options->inputs[i] = g_strdup (cw_queue_item_get_path (item));
    }
  options->output_dir = cw_settings_dup_output_dir (self->settings);
  options->spec = cw_settings_build_spec (self->settings);
  options->format = cw_settings_get_format (self->settings);
  options->seed = cw_settings_get_seed (self->settings);
  options->overwrite = cw_settings_get_overwrite (self->settings);
  options->record_dir = g_strdup (self->record_dir);
}

static void
cw_window_start (CwWindow *self)
{
  CwBatchOptions options = { 0 };
  gboolean was_busy = is_busy (self);
  CwPool *pool;

  if (self->running || g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    return;
  if (lab_running (self))
    {
      toast (self, _("The lab is running an experiment: start the batch when it is done"));
      return;
    }

  batch_options (self, &options);
  g_clear_pointer (&self->resume, cw_batch_record_free);
  self->batch = cw_batch_new (&options);
  cw_batch_options_clear (&options);
  pool = cw_batch_get_pool (self->batch);
  g_signal_connect (pool, "worker-started", G_CALLBACK (worker_started_cb), self);
  g_signal_connect (pool, "worker-exited", G_CALLBACK (worker_exited_cb), self);

  self->running = TRUE;
  self->done = self->failed = 0;
  memset (&self->stats, 0, sizeof self->stats);
  g_clear_object (&self->batch_cancellable);
  self->batch_cancellable = g_cancellable_new ();
  cw_cpu_meter_reset (self->cpu_meter);
  adw_view_stack_set_visible_child_name (self->view_stack, "run");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->status_label, _("Planning the output names…"));
  update_sampler (self);
  set_busy_changed (self, was_busy);

  /* the output names are planned off the main loop */
  cw_batch_plan_async (self->batch, self->batch_cancellable, plan_done_cb, g_object_ref (self));
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

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  CwBatchRecord *batch = self->interrupted;

  if (batch == NULL || self->running)
    return;
  hide_resume (self);

  /* the queue shows the batch's files; the run uses its recorded plan */
  g_list_store_remove_all (self->queue);
  g_hash_table_remove_all (self->queued);
  for (guint i = 0; i < batch->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (batch->plan, i);

      g_ptr_array_add (files, g_file_new_for_path (file->input_path));
    }
  self->resume = g_steal_pointer (&self->interrupted);
  cw_window_add_files (self, (GFile **) files->pdata, files->len);
  cw_window_start_when_ready (self);
}

static void
discard_batch_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  hide_resume (self);
  g_clear_pointer (&self->interrupted, cw_batch_record_free);
  cw_batch_record_discard (self->record_dir);
}

/* ---------------------------------------------------------------------- */
/* actions */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  cw_window_start (CW_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
}

static void
clear_queue_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  if (self->running)
    return;
  g_list_store_remove_all (self->queue);
  g_hash_table_remove_all (self->queued);
  update_queue_summary (self);
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, name);
  /* into the experiment list: arrows pick one, Ctrl+Enter runs it */
  if (g_str_equal (name, "lab"))
    gtk_widget_grab_focus (GTK_WIDGET (self->lab_page));
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  CwWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      cw_window_add_files (self, (GFile **) array->pdata, array->len);
      adw_view_stack_set_visible_child_name (self->view_stack, "queue");
    }
  g_object_unref (dialog);
}

static void
open_dialog (CwWindow             *self,
             GtkFileChooserAction  action,
             const char           *title)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                                              _("_Add"), _("_Cancel"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    {
      GtkFileFilter *audio = gtk_file_filter_new ();
      GtkFileFilter *all = gtk_file_filter_new ();

      gtk_file_filter_set_name (audio, _("Audio files"));
      gtk_file_filter_add_mime_type (audio, "audio/*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), audio);
      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
      g_object_unref (audio);
      g_object_unref (all);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_files_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  open_dialog (CW_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN, _("Add Audio Files"));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_dialog (CW_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Add Folders"));
}

static void
demo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  char *dir = cw_demo_set_ensure (CW_DEMO_COUNT, CW_DEMO_SECONDS, cancellable, &error);

  if (dir == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, dir, g_free);
}

static void
demo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CwWindow *self = CW_WINDOW (object);
  g_autoptr(GError) error = NULL;
  gboolean was_busy = is_busy (self);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *dir = NULL;

  self->n_adding--;
  dir = g_task_propagate_pointer (G_TASK (result), &error);
  if (dir == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not write the demo set: %s"), error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, text);
      set_busy_changed (self, was_busy);
      return;
    }
  folder = g_file_new_for_path (dir);
  cw_window_add_files (self, &folder, 1);
  set_busy_changed (self, was_busy);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, demo_done_cb, NULL);
  gboolean was_busy = is_busy (self);

  g_task_set_source_tag (task, demo_action);
  self->n_adding++;
  toast (self, _("Preparing the demo set: 24 sine waves of 4 minutes…"));
  g_task_run_in_thread (task, demo_thread);
  set_busy_changed (self, was_busy);
}

/* ---------------------------------------------------------------------- */
/* settings */

static void
bind_settings (CwWindow *self)
{
  GSettings *s = cw_settings_get_gsettings (self->settings);

  cw_settings_page_set_settings (self->settings_page, self->settings);

  /* the lab uses as many workers as a batch would */
  g_settings_bind (s, "workers", self->lab_page, "max-workers", G_SETTINGS_BIND_GET);

  g_settings_bind (s, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

/* ---------------------------------------------------------------------- */
/* the window */

static void
visible_page_cb (CwWindow *self)
{
  update_sampler (self);
}

static void
lab_running_cb (CwWindow *self)
{
  update_actions (self);
  close_if_asked (self);
}

static gboolean
cw_window_close_request (GtkWindow *window)
{
  CwWindow *self = CW_WINDOW (window);

  g_cancellable_cancel (self->cancellable);
  if (!self->running && !lab_running (self))
    return GTK_WINDOW_CLASS (cw_window_parent_class)->close_request (window);

  /* Mid-batch or mid-experiment: end the workers and remove partial files
   * before going. The window hides now and is destroyed when the pools
   * have reaped them. */
  self->close_when_done = TRUE;
  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
  if (lab_running (self))
    gtk_widget_activate_action (GTK_WIDGET (self->lab_page), "lab.cancel", NULL);
  /* the app must not quit before the window is really gone */
  self->held_app = gtk_window_get_application (window);
  if (self->held_app != NULL)
    g_application_hold (G_APPLICATION (g_object_ref (self->held_app)));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  return TRUE;
}

GListModel *
cw_window_get_queue (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->queue);
}

CwResultView *
cw_window_get_result_view (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->result_view;
}

gboolean
cw_window_get_busy (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);
  return is_busy (self);
}

const char *
cw_window_get_summary (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->summary ? self->summary : "";
}

CwWindow *
cw_window_new (GtkApplication *application,
               CwSettings     *settings)
{
  CwWindow *self = g_object_new (CW_TYPE_WINDOW, "application", application, NULL);

  self->settings = g_object_ref (settings);
  bind_settings (self);
  return self;
}

static void
cw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwWindow *self = CW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, is_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_window_dispose (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->sampler != NULL)
    cw_cpu_sampler_stop (self->sampler);
  g_clear_object (&self->sampler);
  /* A batch still here has its pool killed and reaped, and what is queued
   * for its log written, by its own dispose. */
  if (self->batch != NULL)
    g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  g_clear_pointer (&self->interrupted, cw_batch_record_free);
  g_clear_pointer (&self->resume, cw_batch_record_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_WINDOW);
  G_OBJECT_CLASS (cw_window_parent_class)->dispose (object);
}

static void
cw_window_finalize (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->batch_cancellable);
  g_free (self->summary);
  g_free (self->record_dir);
  G_OBJECT_CLASS (cw_window_parent_class)->finalize (object);
}

static void
cw_window_class_init (CwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = cw_window_get_property;
  object_class->dispose = cw_window_dispose;
  object_class->finalize = cw_window_finalize;
  window_class->close_request = cw_window_close_request;

  /**
   * CwWindow:busy:
   *
   * Files are being added, or a batch runs (until its workers are reaped).
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CW_TYPE_CPU_METER);
  g_type_ensure (CW_TYPE_RESULT_VIEW);
  g_type_ensure (CW_TYPE_TIMELINE);
  g_type_ensure (CW_TYPE_LAB_PAGE);
  g_type_ensure (CW_TYPE_SETTINGS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, run_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_view);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_summary);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, settings_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, cpu_meter);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, result_view);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, lab_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, resume_revealer);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, resume_label);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.clear-queue", NULL, clear_queue_action);
  gtk_widget_class_install_action (widget_class, "win.open-files", NULL, open_files_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "win.discard-batch", NULL, discard_batch_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-files", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.clear-queue", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "queue");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "settings");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.page", "s", "settings");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.page", "s", "run");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s", "lab");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
cw_window_init (CwWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->queue = g_list_store_new (CW_TYPE_QUEUE_ITEM);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  setup_queue_view (self);
  cw_lab_page_set_queue (self->lab_page, G_LIST_MODEL (self->queue));
  /* a batch and an experiment never share the cores */
  g_object_bind_property (self, "busy", self->lab_page, "blocked", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->lab_page, "notify::running", G_CALLBACK (lab_running_cb), self, G_CONNECT_SWAPPED);

  /* the whole window takes dropped files and folders */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

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

  update_queue_summary (self);
}
