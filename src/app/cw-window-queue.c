/* cw-window-queue.c: the queue, and files and folders added to it
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Folders are walked and files probed in GTask threads: nothing here does
 * file I/O on the main loop. What a thread has probed is handed over a few
 * times a second, so a folder of 20,000 files fills the list as it is read
 * and no single splice holds up a frame.
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
#include "cw-skipped-dialog.h"
#include "cw-skipped-item.h"
#include "cw-text.h"

/* How often probed files move from the threads into the queue. */
#define DRAIN_INTERVAL_MS 100
/* A short list takes a dozen rows a frame (list_pending ()). */
#define SHORT_QUEUE_ROWS 256
#define SHORT_QUEUE_SPLICE 12
#define CATCH_UP_INTERVAL_MS 16
/* A thread hands over what it probed at least this often (files). */
#define HAND_OVER_FILES 256

/* ---------------------------------------------------------------------- */
/* the summary under the list */

void
_cw_window_update_queue_summary (CwWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n_skipped = g_list_model_get_n_items (self->skipped);
  g_autofree char *duration = cw_text_duration (self->queue_seconds);
  g_autoptr(GString) text = g_string_new (NULL);

  /* Translators: the queue's size and total length, e.g. "24 files · 1:36:00 of audio" */
  g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%'u file · %s of audio", "%'u files · %s of audio", n),
                   n, duration);
  if (self->n_adding > 0)
    {
      guint found = 0, probed = 0;

      for (guint i = 0; self->add_jobs != NULL && i < self->add_jobs->len; i++)
        {
          AddJob *job = g_ptr_array_index (self->add_jobs, i);

          g_mutex_lock (&job->lock);
          found += job->n_found;
          probed += job->n_probed;
          g_mutex_unlock (&job->lock);
        }
      g_string_append (text, " · ");
      if (found > 0)
        /* Translators: files are being probed, e.g. "reading 1,200 of 20,000 files…" */
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "reading %'u of %'u file…",
                                                   "reading %'u of %'u files…", found),
                                probed, found);
      else
        g_string_append (text, _("reading folders…"));
    }
  gtk_label_set_label (self->queue_summary, text->str);
  gtk_stack_set_visible_child_name (self->queue_stack, n > 0 || n_skipped > 0 ? "list" : "empty");

  if (n_skipped > 0)
    {
      /* Translators: a button that shows the Skipped list, e.g. "3 Skipped" */
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u Skipped",
                                                             "%'u Skipped", n_skipped),
                                                n_skipped);
      g_autofree char *count = g_strdup_printf ("%'u", n_skipped);

      adw_button_content_set_label (self->skipped_button_content, label);
      adw_button_content_set_label (self->skipped_button_narrow_content, count);
      adw_button_content_set_label (self->run_skipped_button_content, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_button), n_skipped > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_button_narrow), n_skipped > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->run_skipped_button), n_skipped > 0);
  _cw_window_update_actions (self);
}

/* ---------------------------------------------------------------------- */
/* the skipped list */

static void
add_skipped (CwWindow  *self,
             GPtrArray *items)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();

  /* a file skipped again (a folder dropped twice) is listed once */
  for (guint i = 0; i < items->len; i++)
    {
      CwSkippedItem *item = g_ptr_array_index (items, i);

      if (g_hash_table_add (self->skipped_paths, (gpointer) cw_skipped_item_get_path (item)))
        g_ptr_array_add (fresh, item);
    }
  g_list_store_splice (self->skipped_added, g_list_model_get_n_items (G_LIST_MODEL (self->skipped_added)), 0,
                       fresh->pdata, fresh->len);
}

void
_cw_window_show_skipped (CwWindow *self)
{
  if (self->skipped_dialog == NULL)
    {
      self->skipped_dialog = cw_skipped_dialog_new (GTK_WINDOW (self), self->skipped);
      g_object_add_weak_pointer (G_OBJECT (self->skipped_dialog), (gpointer *) &self->skipped_dialog);
    }
  gtk_window_present (GTK_WINDOW (self->skipped_dialog));
}

/* ---------------------------------------------------------------------- */
/* adding: a thread walks and probes, the main loop takes what it found */

static void
add_job_free (AddJob *job)
{
  g_ptr_array_unref (job->paths);
  g_free (job->exclude);
  g_mutex_clear (&job->lock);
  g_ptr_array_unref (job->items);
  g_ptr_array_unref (job->skipped);
  g_free (job);
}

/* Where @file sits below the folder it was added with, that folder's own
 * name first: the window keeps each added folder as a folder of its own
 * in the output folder (see docs/window.md). */
static char *
relative_with_folder (const CwInputFile *file)
{
  gsize len = strlen (file->path), rel = strlen (file->relative);
  g_autofree char *root = NULL;
  g_autofree char *name = NULL;

  if (len <= rel + 1)
    return g_strdup (file->relative);
  root = g_strndup (file->path, len - rel - 1);
  name = g_path_get_basename (root);
  if (g_str_equal (name, "/") || g_str_equal (name, "."))
    return g_strdup (file->relative);
  return g_strconcat (name, "/", file->relative, NULL);
}

static gboolean
note_path_exists (const char *path,
                  gpointer    data)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

/* Gives what the thread holds (@items and @skipped own nothing) to the
 * job, for the main loop to take. */
static void
hand_over (AddJob    *job,
           GPtrArray *items,
           GPtrArray *skipped,
           guint      n_probed)
{
  g_mutex_lock (&job->lock);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (job->items, g_ptr_array_index (items, i));
  for (guint i = 0; i < skipped->len; i++)
    g_ptr_array_add (job->skipped, g_ptr_array_index (skipped, i));
  job->n_probed = n_probed;
  g_mutex_unlock (&job->lock);
  g_ptr_array_set_size (items, 0);
  g_ptr_array_set_size (skipped, 0);
}

static void
add_files_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  AddJob *job = task_data;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  g_autoptr(GPtrArray) skipped = g_ptr_array_new ();

  g_ptr_array_add (job->paths, NULL);
  files = cw_inputs_collect ((const char * const *) job->paths->pdata, job->exclude, notes);
  /* a note is "path: reason", and a path may hold ": " itself */
  for (guint i = 0; i < notes->len; i++)
    g_ptr_array_add (skipped, cw_skipped_item_new_from_note (g_ptr_array_index (notes, i),
                                                             CW_SKIPPED_WHEN_ADDED,
                                                             note_path_exists, NULL));
  g_mutex_lock (&job->lock);
  job->n_found = files->len;
  g_mutex_unlock (&job->lock);

  for (guint i = 0; i < files->len; i++)
    {
      const CwInputFile *file = g_ptr_array_index (files, i);
      g_autofree char *relative = NULL;
      CwAudioInfo info = { 0 };
      g_autoptr(GError) error = NULL;
      CwQueueItem *item;
      struct stat st;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!cw_audio_probe (file->path, &info, &error))
        {
          g_ptr_array_add (skipped, cw_skipped_item_new (file->path, error->message, CW_SKIPPED_WHEN_ADDED));
          continue;
        }
      if (file->relative != NULL)
        relative = relative_with_folder (file);
      item = cw_queue_item_new (file->path, relative, &info);
      if (stat (file->path, &st) == 0)
        cw_queue_item_set_file_id (item, st.st_dev, st.st_ino);
      g_ptr_array_add (items, item);
      if (items->len >= HAND_OVER_FILES)
        hand_over (job, items, skipped, i + 1);
    }
  hand_over (job, items, skipped, files->len);
  g_task_return_boolean (task, TRUE);
}

/* Moves what @job has probed so far to the files waiting to be listed;
 * a file queued already (reached again, by another folder or a link) is
 * counted and dropped. */
static void
take_probed (CwWindow *self,
             AddJob   *job)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) skipped = NULL;

  g_mutex_lock (&job->lock);
  items = g_steal_pointer (&job->items);
  skipped = g_steal_pointer (&job->skipped);
  job->items = g_ptr_array_new_with_free_func (g_object_unref);
  job->skipped = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&job->lock);

  for (guint i = 0; i < items->len; i++)
    {
      CwQueueItem *item = g_ptr_array_index (items, i);

      if (!g_hash_table_add (self->queued, item))
        job->n_duplicates++;
      else
        g_ptr_array_add (self->queue_pending, g_object_ref (item));
    }
  job->n_skipped += skipped->len;
  if (skipped->len > 0)
    add_skipped (self, skipped);
}

/* Lists what waits. GTK 4.8 makes a list's row widgets (about 200 around
 * the visible rows, six cells each) inside the splice that brings them:
 * into an empty or short list, rows go in a dozen at a time, a frame
 * apart (2,048 rows in one splice took 128 ms; see cw-result-view.c). */
static void
list_pending (CwWindow *self)
{
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n = MIN (self->queue_pending->len, n_rows < SHORT_QUEUE_ROWS ? SHORT_QUEUE_SPLICE : G_MAXUINT);

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    self->queue_seconds += cw_queue_item_get_seconds (g_ptr_array_index (self->queue_pending, i));
  g_list_store_splice (self->queue, n_rows, 0, self->queue_pending->pdata, n);
  g_ptr_array_remove_range (self->queue_pending, 0, n);
}

static void schedule_drain (CwWindow *self);

/* Every walk is over and every file listed: what waited on that. */
static void
queue_settled (CwWindow *self,
               gboolean  was_busy)
{
  _cw_window_update_busy (self, was_busy);
  _cw_window_trim_memory (self);
  if (self->start_when_ready && !_cw_window_is_busy (self))
    {
      self->start_when_ready = FALSE;
      _cw_window_start (self);
    }
}

static gboolean
drain_cb (gpointer user_data)
{
  CwWindow *self = user_data;
  gboolean was_busy = _cw_window_is_busy (self);

  self->drain_id = 0;
  for (guint i = 0; i < self->add_jobs->len; i++)
    take_probed (self, g_ptr_array_index (self->add_jobs, i));
  list_pending (self);
  _cw_window_update_queue_summary (self);
  schedule_drain (self);
  if (self->drain_id == 0)
    queue_settled (self, was_busy);
  return G_SOURCE_REMOVE;
}

/* Soon while rows wait, a few times a second while threads probe. */
static void
schedule_drain (CwWindow *self)
{
  if (self->drain_id != 0)
    return;
  if (self->queue_pending->len > 0)
    self->drain_id = g_timeout_add (CATCH_UP_INTERVAL_MS, drain_cb, self);
  else if (self->add_jobs->len > 0)
    self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, drain_cb, self);
}

/* "3 files were skipped" (@format, translated, with one %u), with a Show
 * button for @action when there is more to see */
static void
toast_count (CwWindow   *self,
             const char *format,
             guint       n,
             const char *action)
{
  g_autofree char *text = g_strdup_printf (format, n);
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  if (action != NULL)
    {
      adw_toast_set_button_label (toast, _("_Show"));
      adw_toast_set_action_name (toast, action);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
add_files_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CwWindow *self = CW_WINDOW (object);
  AddJob *job = g_task_get_task_data (G_TASK (result));
  gboolean was_busy = _cw_window_is_busy (self);

  self->n_adding--;
  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (self->cancellable)
      || self->add_jobs == NULL)
    {
      _cw_window_update_busy (self, was_busy);
      return;
    }

  g_ptr_array_remove_fast (self->add_jobs, job);
  take_probed (self, job);
  list_pending (self);
  _cw_window_update_queue_summary (self);

  if (job->n_skipped > 0)
    toast_count (self, g_dngettext (GETTEXT_PACKAGE, "%'u file was skipped", "%'u files were skipped",
                                    job->n_skipped),
                 job->n_skipped, "win.show-skipped");
  if (job->n_duplicates > 0)
    toast_count (self, g_dngettext (GETTEXT_PACKAGE, "%'u file was already queued",
                                    "%'u files were already queued", job->n_duplicates),
                 job->n_duplicates, NULL);

  /* nothing left to wait for: settle now, not at the next tick, so the
   * window is never idle with a start still to come */
  if (self->add_jobs->len == 0 && self->queue_pending->len == 0)
    g_clear_handle_id (&self->drain_id, g_source_remove);
  schedule_drain (self);
  if (self->drain_id == 0)
    queue_settled (self, was_busy);
  else
    _cw_window_update_busy (self, was_busy);
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
  g_mutex_init (&job->lock);
  job->paths = g_ptr_array_new_with_free_func (g_free);
  job->items = g_ptr_array_new_with_free_func (g_object_unref);
  job->skipped = g_ptr_array_new_with_free_func (g_object_unref);
  job->exclude = cw_settings_dup_output_dir (self->settings);
  for (guint i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);

      if (path != NULL)
        g_ptr_array_add (job->paths, path);
    }

  self->n_adding++;
  g_ptr_array_add (self->add_jobs, job);
  schedule_drain (self);
  task = g_task_new (self, self->cancellable, add_files_done_cb, NULL);
  g_task_set_source_tag (task, cw_window_add_files);
  g_task_set_task_data (task, job, (GDestroyNotify) add_job_free);
  g_task_run_in_thread (task, add_files_thread);
  _cw_window_update_busy (self, was_busy);
  _cw_window_update_queue_summary (self);
}

void
cw_window_start_when_ready (CwWindow *self)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  /* With nothing queued yet, the next files added start the batch: that is
   * what "corewave --start" with no file means. */
  if (!_cw_window_is_busy (self) && g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0)
    _cw_window_start (self);
  else
    self->start_when_ready = TRUE;
}

/* ---------------------------------------------------------------------- */
/* removing, clearing, and undoing either */

static void
forget_undo (CwWindow *self)
{
  g_clear_pointer (&self->undo_items, g_ptr_array_unref);
  g_clear_pointer (&self->undo_ranges, g_array_unref);
  g_clear_pointer (&self->undo_skipped, g_ptr_array_unref);
  self->undo_toast = NULL;
  _cw_window_update_actions (self);
}

static void
undo_toast_dismissed_cb (AdwToast *toast,
                         CwWindow *self)
{
  /* the toast's Undo button activates its action before the toast goes */
  if (self->undo_toast == toast)
    forget_undo (self);
}

/* Takes @n_items items from @position out of the queue, keeping them for
 * Undo. */
static void
take_out (CwWindow *self,
          guint     position,
          guint     n_items)
{
  guint range[2] = { position, n_items };

  for (guint i = 0; i < n_items; i++)
    {
      CwQueueItem *item = g_list_model_get_item (G_LIST_MODEL (self->queue), position + i);

      g_hash_table_remove (self->queued, item);
      self->queue_seconds -= cw_queue_item_get_seconds (item);
      g_ptr_array_add (self->undo_items, item);
    }
  g_array_append_vals (self->undo_ranges, range, 1);
  g_list_store_splice (self->queue, position, n_items, NULL, 0);
  /* (no rounding left over for an empty queue) */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->queue)) == 0)
    self->queue_seconds = 0;
}

static void
begin_undo (CwWindow *self)
{
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  forget_undo (self);
  self->undo_items = g_ptr_array_new_with_free_func (g_object_unref);
  self->undo_ranges = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
}

static void
offer_undo (CwWindow   *self,
            const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-remove");
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed_cb), self, 0);
  self->undo_toast = toast;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  _cw_window_update_queue_summary (self);
}

void
_cw_window_remove_selected (CwWindow *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;
  guint n;
  g_autofree char *text = NULL;
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (guint) * 2);

  if (self->running)
    return;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->queue_selection));
  n = (guint) gtk_bitset_get_size (selected);
  if (n == 0)
    return;

  /* the runs of selected rows, taken out from the last, so the positions
   * kept are where the rows were (and go back in first to last) */
  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    {
      guint range[2] = { position, 1 };

      while (gtk_bitset_iter_next (&iter, &position))
        {
          if (position == range[0] + range[1])
            range[1]++;
          else
            {
              g_array_append_vals (ranges, range, 1);
              range[0] = position;
              range[1] = 1;
            }
        }
      g_array_append_vals (ranges, range, 1);
    }
  begin_undo (self);
  for (guint i = ranges->len; i > 0; i--)
    {
      const guint *range = &g_array_index (ranges, guint, 2 * (i - 1));

      take_out (self, range[0], range[1]);
    }
  /* Translators: a toast after files were removed from the queue, with an Undo button */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Removed %'u file from the queue",
                                       "Removed %'u files from the queue", n), n);
  offer_undo (self, text);
}

void
_cw_window_clear_queue (CwWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  guint n_skipped = g_list_model_get_n_items (G_LIST_MODEL (self->skipped_added));

  if (self->running || (n == 0 && n_skipped == 0))
    return;
  begin_undo (self);
  if (n > 0)
    take_out (self, 0, n);
  /* what was left out of this queue goes with it */
  self->undo_skipped = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_skipped; i++)
    g_ptr_array_add (self->undo_skipped, g_list_model_get_item (G_LIST_MODEL (self->skipped_added), i));
  g_list_store_remove_all (self->skipped_added);
  g_hash_table_remove_all (self->skipped_paths);
  self->queue_seconds = 0;
  offer_undo (self, _("The queue was cleared"));
}

void
_cw_window_undo_remove (CwWindow *self)
{
  guint taken = 0;
  AdwToast *toast = self->undo_toast;

  if (self->undo_items == NULL)
    return;
  /* back where they were, first to last; a file queued again since stays
   * where it is now */
  for (guint r = self->undo_ranges->len; r > 0; r--)
    {
      const guint *range = &g_array_index (self->undo_ranges, guint, 2 * (r - 1));
      g_autoptr(GPtrArray) back = g_ptr_array_new ();
      guint n_now = g_list_model_get_n_items (G_LIST_MODEL (self->queue));

      for (guint i = 0; i < range[1]; i++)
        {
          /* the ranges were taken last to first: the first range's items
           * are at the end of undo_items */
          guint at = self->undo_items->len - taken - range[1] + i;
          CwQueueItem *item = g_ptr_array_index (self->undo_items, at);

          if (!g_hash_table_add (self->queued, item))
            continue;
          self->queue_seconds += cw_queue_item_get_seconds (item);
          g_ptr_array_add (back, item);
        }
      taken += range[1];
      g_list_store_splice (self->queue, MIN (range[0], n_now), 0, back->pdata, back->len);
    }
  if (self->undo_skipped != NULL)
    add_skipped (self, self->undo_skipped);
  forget_undo (self);
  if (toast != NULL)
    adw_toast_dismiss (toast);
  _cw_window_update_queue_summary (self);
}

void
_cw_window_empty_queue (CwWindow *self)
{
  if (self->undo_toast != NULL)
    adw_toast_dismiss (self->undo_toast);
  forget_undo (self);
  g_ptr_array_set_size (self->queue_pending, 0);
  g_list_store_remove_all (self->queue);
  g_hash_table_remove_all (self->queued);
  g_list_store_remove_all (self->skipped_added);
  g_hash_table_remove_all (self->skipped_paths);
  self->queue_seconds = 0;
  _cw_window_update_queue_summary (self);
}

gboolean
_cw_window_has_selection (CwWindow *self)
{
  g_autoptr(GtkBitset) selected = NULL;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->queue_selection));
  return !gtk_bitset_is_empty (selected);
}

/* ---------------------------------------------------------------------- */
/* the list: columns and the rows' context menu */

enum {
  QUEUE_COLUMN_FILE,
  QUEUE_COLUMN_FOLDER,
  QUEUE_COLUMN_LENGTH,
  QUEUE_COLUMN_FORMAT,
  QUEUE_COLUMN_CHANNELS,
  QUEUE_COLUMN_RATE,
};

static void
queue_label_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *list_item,
                      gpointer                  user_data)
{
  /* min and natural widths in characters, per column: the file name and
   * its folder take what is left. Below about 400 px the list scrolls
   * sideways rather than cut a name to "0…v" (the scrolled window, not
   * the list, sets the window's narrowest width) */
  static const guint chars[][2] = { { 9, 30 }, { 8, 24 }, { 4, 7 }, { 4, 24 }, { 1, 3 }, { 4, 9 } };
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), chars[column][0]);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), chars[column][1]);
  /* a folder is told apart by its end: "…/Album B" */
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label),
                                     column == QUEUE_COLUMN_FILE ? GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE
                                     : column == QUEUE_COLUMN_FOLDER ? GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_START
                                     : GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (column > QUEUE_COLUMN_FOLDER)
    gtk_widget_add_css_class (label, "numeric");
  if (column == QUEUE_COLUMN_FOLDER)
    gtk_widget_add_css_class (label, "dim-label");
  /* the context menu finds its row from the cell under the pointer */
  g_object_set_data (G_OBJECT (label), "cw-list-item", list_item);
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
    case QUEUE_COLUMN_FILE:
      {
        g_autofree char *full = g_filename_display_name (cw_queue_item_get_path (item));

        gtk_inscription_set_text (label, cw_queue_item_get_display_name (item));
        gtk_widget_set_tooltip_text (GTK_WIDGET (label), full);
      }
      return;
    case QUEUE_COLUMN_FOLDER:
      text = cw_queue_item_dup_folder (item);
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
      break;
    case QUEUE_COLUMN_LENGTH:
      text = cw_text_duration (cw_queue_item_get_seconds (item));
      break;
    case QUEUE_COLUMN_FORMAT:
      text = g_strdup_printf ("%s · %s", cw_queue_item_get_format_name (item),
                              cw_queue_item_get_subtype_name (item));
      break;
    case QUEUE_COLUMN_CHANNELS:
      text = g_strdup_printf ("%d", cw_queue_item_get_channels (item));
      break;
    case QUEUE_COLUMN_RATE:
    default:
      text = g_strdup_printf ("%.1f kHz", cw_queue_item_get_rate (item) / 1000.0);
      break;
    }
  gtk_inscription_set_text (label, text);
}

static void
popup_queue_menu (CwWindow *self,
                  double    x,
                  double    y)
{
  GdkRectangle at = { (int) x, (int) y, 1, 1 };

  gtk_popover_set_pointing_to (GTK_POPOVER (self->queue_menu), &at);
  gtk_popover_popup (GTK_POPOVER (self->queue_menu));
}

/* A right click selects the row under the pointer (unless it is part of
 * the selection already), then opens the menu there. */
static void
queue_click_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                CwWindow        *self)
{
  GtkWidget *view = GTK_WIDGET (self->queue_view);
  GtkWidget *cell = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  GtkListItem *list_item = NULL;

  for (; cell != NULL && cell != view; cell = gtk_widget_get_parent (cell))
    if ((list_item = g_object_get_data (G_OBJECT (cell), "cw-list-item")) != NULL)
      break;
  if (list_item != NULL && gtk_list_item_get_position (list_item) != GTK_INVALID_LIST_POSITION)
    {
      guint position = gtk_list_item_get_position (list_item);

      if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->queue_selection), position))
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->queue_selection), position, TRUE);
    }
  if (!_cw_window_has_selection (self))
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_queue_menu (self, x, y);
}

/* Menu or Shift+F10: the menu opens at the row that has the focus. */
void
_cw_window_show_queue_menu (CwWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *view = GTK_WIDGET (self->queue_view);
  graphene_rect_t bounds;

  if (!_cw_window_has_selection (self))
    return;
  if (focus != NULL && gtk_widget_is_ancestor (focus, view)
      && gtk_widget_compute_bounds (focus, view, &bounds))
    popup_queue_menu (self, bounds.origin.x + 24, bounds.origin.y + bounds.size.height / 2);
  else
    popup_queue_menu (self, 24, 24);
}

static void
queue_selection_changed_cb (CwWindow *self)
{
  _cw_window_update_actions (self);
}

static void
setup_queue_view (CwWindow *self)
{
  const char *titles[] = { N_("File"), N_("Folder"), N_("Length"), N_("Format"), N_("Channels"), N_("Rate") };
  GtkEventController *keys;
  GtkGesture *click;

  self->queue_selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->queue)));
  g_signal_connect_swapped (self->queue_selection, "selection-changed",
                            G_CALLBACK (queue_selection_changed_cb), self);
  g_signal_connect_swapped (self->queue_selection, "items-changed",
                            G_CALLBACK (queue_selection_changed_cb), self);
  gtk_column_view_set_model (self->queue_view, GTK_SELECTION_MODEL (self->queue_selection));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (queue_label_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (queue_label_bind_cb), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (_(titles[i]), factory);
      gtk_column_view_column_set_expand (column, i == QUEUE_COLUMN_FILE || i == QUEUE_COLUMN_FOLDER);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->queue_view, column);
    }

  /* Delete, Menu and Shift+F10 where the list has the focus */
  keys = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0)),
                      gtk_named_action_new ("win.remove-files")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                      gtk_named_action_new ("win.queue-menu")));
  gtk_widget_add_controller (GTK_WIDGET (self->queue_view), keys);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (queue_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->queue_view), GTK_EVENT_CONTROLLER (click));

  self->queue_menu = gtk_popover_menu_new_from_model (self->queue_menu_model);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->queue_menu), FALSE);
  gtk_widget_set_halign (self->queue_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->queue_menu, GTK_WIDGET (self->queue_view));
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
  g_autofree char *spec = cw_settings_build_spec (self->settings);

  g_task_set_source_tag (task, _cw_window_add_demo_set);
  self->n_adding++;
  /* The lesson adds noise to its sine waves; a person's own files are only
   * converted until they pick stages. So the demo set selects the noise,
   * in the open (the Settings page shows it), unless stages were picked. */
  if (g_str_equal (spec, "copy") && cw_settings_apply_spec (self->settings, CW_DEFAULT_SPEC, NULL))
    _cw_window_toast (self, _("Preparing the demo set: 24 sine waves of 4 minutes, with the lesson’s "
                              "noise (Settings)…"));
  else
    _cw_window_toast (self, _("Preparing the demo set: 24 sine waves of 4 minutes…"));
  g_task_run_in_thread (task, demo_thread);
  _cw_window_update_busy (self, was_busy);
}

void
_cw_window_queue_init (CwWindow *self)
{
  GtkDropTarget *drop;
  GListStore *both;

  self->queue = g_list_store_new (CW_TYPE_QUEUE_ITEM);
  self->queued = g_hash_table_new (cw_queue_item_file_hash, cw_queue_item_same_file);
  self->add_jobs = g_ptr_array_new ();
  self->queue_pending = g_ptr_array_new_with_free_func (g_object_unref);
  /* the Skipped list: what adding left out, then what the last batch did */
  self->skipped_added = g_list_store_new (CW_TYPE_SKIPPED_ITEM);
  self->skipped_by_batch = g_list_store_new (CW_TYPE_SKIPPED_ITEM);
  self->skipped_paths = g_hash_table_new (g_str_hash, g_str_equal);
  both = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (both, self->skipped_added);
  g_list_store_append (both, self->skipped_by_batch);
  self->skipped = G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (both)));
  setup_queue_view (self);

  /* the whole window takes dropped files and folders */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

void
_cw_window_queue_dispose (CwWindow *self)
{
  g_clear_handle_id (&self->drain_id, g_source_remove);
  if (self->skipped_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->skipped_dialog));
  if (self->queue_menu != NULL)
    g_clear_pointer (&self->queue_menu, gtk_widget_unparent);
  g_clear_pointer (&self->add_jobs, g_ptr_array_unref);
  g_clear_pointer (&self->queue_pending, g_ptr_array_unref);
  g_clear_pointer (&self->undo_items, g_ptr_array_unref);
  g_clear_pointer (&self->undo_ranges, g_array_unref);
  g_clear_pointer (&self->undo_skipped, g_ptr_array_unref);
  self->undo_toast = NULL;
}

void
_cw_window_queue_finalize (CwWindow *self)
{
  g_clear_object (&self->queue_selection);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_object (&self->skipped);
  g_clear_object (&self->skipped_added);
  g_clear_object (&self->skipped_by_batch);
  g_clear_pointer (&self->skipped_paths, g_hash_table_unref);
}
