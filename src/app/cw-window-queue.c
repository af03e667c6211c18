/* cw-window-queue.c: the queue, and files and folders added to it
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Folders are walked and files probed in GTask threads: nothing here does
 * file I/O on the main loop.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-window-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "cw-demo.h"
#include "cw-inputs.h"
#include "cw-queue-item.h"
#include "cw-text.h"

void
_cw_window_update_queue_summary (CwWindow *self)
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
  _cw_window_update_actions (self);
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
  gboolean was_busy = _cw_window_is_busy (self);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  guint duplicates = 0;

  self->n_adding--;
  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (self->cancellable))
    {
      _cw_window_update_busy (self, was_busy);
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
  _cw_window_update_queue_summary (self);

  if (job->skipped->len > 0)
    {
      g_autofree char *text = describe_skipped (job->skipped);

      _cw_window_toast (self, text);
    }
  if (duplicates > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%'u file was already queued",
                                                            "%'u files were already queued",
                                                            duplicates),
                                               duplicates);
      _cw_window_toast (self, text);
    }

  _cw_window_update_busy (self, was_busy);
  if (self->start_when_ready && self->n_adding == 0)
    {
      self->start_when_ready = FALSE;
      _cw_window_start (self);
    }
}

void
cw_window_add_files (CwWindow  *self,
                     GFile    **files,
                     guint      n_files)
{
  g_autoptr(GTask) task = NULL;
  gboolean was_busy = _cw_window_is_busy (self);
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
  _cw_window_update_busy (self, was_busy);
}

void
cw_window_start_when_ready (CwWindow *self)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  /* With nothing queued yet, the next files added start the batch: that is
   * what "corewave --start" with no file means. */
  if (self->n_adding == 0 && g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0)
    _cw_window_start (self);
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
/* the file choosers and the demo set */

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
      g_auto(GStrv) suffixes = cw_inputs_dup_audio_suffixes ();

      gtk_file_filter_set_name (audio, _("Audio files"));
      gtk_file_filter_add_mime_type (audio, "audio/*");
      /* By suffix as well as by type: shared-mime-info gives no audio type
       * to some formats libsndfile reads (W64, RF64, most of the rarer
       * ones), and a sandbox's portal sees only what the filter says. The
       * suffixes are those a folder walk keeps. */
      for (guint i = 0; suffixes[i] != NULL; i++)
        gtk_file_filter_add_suffix (audio, suffixes[i]);
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

void
_cw_window_open_files (CwWindow *self)
{
  open_dialog (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Add Audio Files"));
}

void
_cw_window_open_folders (CwWindow *self)
{
  open_dialog (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Add Folders"));
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
  gboolean was_busy = _cw_window_is_busy (self);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *dir = NULL;

  self->n_adding--;
  dir = g_task_propagate_pointer (G_TASK (result), &error);
  if (dir == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not write the demo set: %s"), error->message);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cw_window_toast (self, text);
      _cw_window_update_busy (self, was_busy);
      return;
    }
  folder = g_file_new_for_path (dir);
  cw_window_add_files (self, &folder, 1);
  _cw_window_update_busy (self, was_busy);
}

void
_cw_window_add_demo_set (CwWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, demo_done_cb, NULL);
  gboolean was_busy = _cw_window_is_busy (self);

  g_task_set_source_tag (task, _cw_window_add_demo_set);
  self->n_adding++;
  _cw_window_toast (self, _("Preparing the demo set: 24 sine waves of 4 minutes…"));
  g_task_run_in_thread (task, demo_thread);
  _cw_window_update_busy (self, was_busy);
}

void
_cw_window_clear_queue (CwWindow *self)
{
  if (self->running)
    return;
  g_list_store_remove_all (self->queue);
  g_hash_table_remove_all (self->queued);
  _cw_window_update_queue_summary (self);
}

void
_cw_window_queue_init (CwWindow *self)
{
  GtkDropTarget *drop;

  self->queue = g_list_store_new (CW_TYPE_QUEUE_ITEM);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  setup_queue_view (self);

  /* the whole window takes dropped files and folders */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
