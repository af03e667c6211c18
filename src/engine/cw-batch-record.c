/* cw-batch-record.c: the window's record of a batch, found again
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A batch with a record_dir writes its plan there (cw-batch.c, on its log
 * thread) and keeps the job log beside it until it has run to its end. A
 * batch cut short (closed, killed, the machine stopped) leaves both: this
 * file reads them back, says what is left to do, and turns the record into
 * the options of the batch that finishes it.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-batch.h"
#include "cw-batch-private.h"

#include <glib/gstdio.h>

#include "cw-joblog.h"

void
cw_batch_record_free (CwBatchRecord *record)
{
  if (record == NULL)
    return;
  g_clear_pointer (&record->plan, g_ptr_array_unref);
  cw_job_settings_clear (&record->settings);
  g_free (record->output_dir);
  g_free (record);
}

char *
cw_batch_record_default_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "corewave", NULL);
}

static CwBatchRecord *
read_record (const char *path)
{
  g_autoptr(CwBatchRecord) record = g_new0 (CwBatchRecord, 1);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || !g_str_has_prefix (contents, CW_BATCH_RECORD_HEADER "\n"))
    return NULL;

  record->plan = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_planned_file_free);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (f);

      if (n == 2 && g_str_equal (f[0], "output_dir"))
        record->output_dir = cw_joblog_unescape (f[1]);
      else if (n == 2 && g_str_equal (f[0], "spec"))
        record->settings.spec = cw_joblog_unescape (f[1]);
      else if (n == 2 && g_str_equal (f[0], "format"))
        record->settings.format = (CwFormat) CLAMP (g_ascii_strtoll (f[1], NULL, 10), CW_FORMAT_SAME, CW_FORMAT_MP3);
      else if (n == 2 && g_str_equal (f[0], "seed"))
        record->settings.seed = g_ascii_strtoull (f[1], NULL, 10);
      else if (n == 2 && g_str_equal (f[0], "bits"))
        record->settings.bits = (CwBits) CLAMP (g_ascii_strtoll (f[1], NULL, 10), CW_BITS_SAME, CW_BITS_32F);
      else if (n == 2 && g_str_equal (f[0], "no_metadata"))
        record->settings.no_metadata = g_str_equal (f[1], "1");
      else if (n == 2 && g_str_equal (f[0], "quality"))
        {
          double q = g_ascii_strtod (f[1], NULL);

          record->settings.has_quality = q >= 0.0 && q <= 1.0;
          record->settings.quality = record->settings.has_quality ? q : 0.0;
        }
      else if ((n == 4 || n == 5) && g_str_equal (f[0], "file"))
        {
          CwPlannedFile *file = g_new0 (CwPlannedFile, 1);

          file->input_path = cw_joblog_unescape (f[1]);
          file->output_path = cw_joblog_unescape (f[2]);
          file->seed_key = cw_joblog_unescape (f[3]);
          /* older records did not say: nothing of the user's is replaced */
          file->replace = n == 5 && g_str_equal (f[4], "2") ? CW_REPLACE_ALWAYS : CW_REPLACE_NEVER;
          g_ptr_array_add (record->plan, file);
        }
    }
  if (record->output_dir == NULL || record->settings.spec == NULL || record->plan->len == 0)
    return NULL;
  return g_steal_pointer (&record);
}

static void
find_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *dir = task_data;
  g_autofree char *path = _cw_batch_record_path (dir);
  g_autofree char *log_path = _cw_batch_record_joblog_path (dir);
  g_autoptr(CwBatchRecord) record = read_record (path);
  g_autoptr(GHashTable) done = NULL;

  if (record == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  done = cw_joblog_load_done (log_path, NULL);
  for (guint i = 0; done != NULL && i < record->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (record->plan, i);

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (cw_joblog_is_done (done, file, &record->settings))
        record->n_done++;
    }
  g_task_return_pointer (task, g_steal_pointer (&record), (GDestroyNotify) cw_batch_record_free);
}

void
cw_batch_record_find_async (const char          *dir,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cw_batch_record_find_async);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, find_thread);
}

CwBatchRecord *
cw_batch_record_find_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
discard_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autofree char *path = _cw_batch_record_path (task_data);
  g_autofree char *log_path = _cw_batch_record_joblog_path (task_data);

  g_unlink (path);
  g_unlink (log_path);
  g_task_return_boolean (task, TRUE);
}

void
cw_batch_record_discard (const char *dir)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, cw_batch_record_discard);
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, discard_thread);
}

void
cw_batch_record_to_options (CwBatchRecord  *record,
                            const char     *dir,
                            CwBatchOptions *options)
{
  g_return_if_fail (record != NULL && dir != NULL && options != NULL);

  g_clear_pointer (&options->inputs, g_strfreev);
  g_clear_pointer (&options->input_files, g_ptr_array_unref);
  g_clear_pointer (&options->plan, g_ptr_array_unref);
  options->plan = _cw_batch_copy_plan (record->plan);
  g_free (options->output_dir);
  options->output_dir = g_strdup (record->output_dir);
  g_free (options->spec);
  options->spec = g_strdup (record->settings.spec);
  options->format = record->settings.format;
  options->bits = record->settings.bits;
  options->has_quality = record->settings.has_quality;
  options->quality = record->settings.quality;
  options->no_metadata = record->settings.no_metadata;
  options->seed = record->settings.seed;
  options->existing = CW_EXISTING_DEFAULT;
  options->shard_count = 0;
  g_free (options->joblog_path);
  options->joblog_path = _cw_batch_record_joblog_path (dir);
  options->resume = TRUE;
  g_free (options->record_dir);
  options->record_dir = g_strdup (dir);
}
