/* cw-batch-record.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-batch-record.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cw-audio.h"
#include "cw-joblog.h"

#define BATCH_HEADER "# corewave batch 1"

struct _CwBatchRecord
{
  GObject      parent_instance;
  char        *dir;
  char        *batch_path;
  char        *log_path;
  GThreadPool *thread;     /* one thread: every file access, in order */
  CwJoblog    *log;        /* only touched on that thread */
  CwJobSettings settings;  /* the batch's, for the log's lines: that thread's too */
};

G_DEFINE_FINAL_TYPE (CwBatchRecord, cw_batch_record, G_TYPE_OBJECT)

typedef enum { OP_BEGIN, OP_RESUME, OP_RESULT, OP_END, OP_DISCARD } OpKind;

typedef struct
{
  OpKind         kind;
  /* OP_BEGIN */
  GPtrArray     *plan;
  CwJobSettings  settings;      /* and OP_RESUME */
  char          *output_dir;
  /* OP_RESULT */
  CwResult      *result;
  /* OP_END */
  gboolean       completed;
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->plan, g_ptr_array_unref);
  cw_job_settings_clear (&op->settings);
  g_free (op->output_dir);
  g_clear_pointer (&op->result, cw_result_free);
  g_free (op);
}

void
cw_interrupted_batch_free (CwInterruptedBatch *batch)
{
  if (batch == NULL)
    return;
  g_clear_pointer (&batch->plan, g_ptr_array_unref);
  cw_job_settings_clear (&batch->settings);
  g_free (batch->output_dir);
  g_free (batch);
}

static GPtrArray *
copy_plan (GPtrArray *plan)
{
  GPtrArray *copy = g_ptr_array_new_full (plan->len, (GDestroyNotify) cw_planned_file_free);

  for (guint i = 0; i < plan->len; i++)
    g_ptr_array_add (copy, cw_planned_file_copy (g_ptr_array_index (plan, i)));
  return copy;
}

/* ---------------------------------------------------------------------- */
/* the record thread */

static void
close_log (CwBatchRecord *self)
{
  g_clear_pointer (&self->log, cw_joblog_close);
}

static void
write_batch (CwBatchRecord *self,
             Op            *op)
{
  g_autoptr(GString) text = g_string_new (BATCH_HEADER "\n");
  g_autofree char *out = cw_joblog_escape (op->output_dir);
  g_autofree char *spec = cw_joblog_escape (op->settings.spec);
  g_autofree char *tmp = g_strconcat (self->batch_path, ".tmp", NULL);
  g_autoptr(GError) error = NULL;

  g_string_append_printf (text, "output_dir\t%s\nspec\t%s\nformat\t%d\nseed\t%" G_GUINT64_FORMAT "\n",
                          out, spec, (int) op->settings.format, op->settings.seed);
  for (guint i = 0; i < op->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (op->plan, i);
      g_autofree char *in = cw_joblog_escape (file->input_path);
      g_autofree char *output = cw_joblog_escape (file->output_path);
      g_autofree char *key = cw_joblog_escape (file->seed_key);

      /* and whether the plan may replace a file there (overwrite was on) */
      g_string_append_printf (text, "file\t%s\t%s\t%s\t%d\n", in, output, key, (int) file->replace);
    }

  close_log (self);
  cw_job_settings_clear (&self->settings);
  cw_job_settings_copy_into (&op->settings, &self->settings);
  g_unlink (self->log_path);
  if (g_mkdir_with_parents (self->dir, 0700) != 0
      || !g_file_set_contents (tmp, text->str, text->len, &error)
      || g_rename (tmp, self->batch_path) != 0)
    {
      /* resuming is a convenience: the batch itself goes on */
      g_debug ("Cannot record the batch in %s: %s", self->dir,
               error ? error->message : g_strerror (errno));
      g_unlink (tmp);
      return;
    }
  self->log = cw_joblog_open (self->log_path, NULL);
}

static void
log_result (CwBatchRecord *self,
            CwResult      *r)
{
  g_autofree char *checksum = NULL;

  if (self->log == NULL || r->status == CW_STATUS_CANCELLED || r->input_path == NULL)
    return;
  if (r->status == CW_STATUS_OK && r->output_path != NULL)
    checksum = cw_checksum_file (r->output_path, NULL);
  cw_joblog_append (self->log, r->input_path, r->output_path ? r->output_path : "",
                    checksum != NULL ? "ok" : "failed", (r->end_us - r->start_us) / 1e6,
                    checksum, r->error, &self->settings, NULL);
}

/* The recorded batch goes on: its log takes the new lines. */
static void
reopen_log (CwBatchRecord *self,
            Op            *op)
{
  close_log (self);
  cw_job_settings_clear (&self->settings);
  cw_job_settings_copy_into (&op->settings, &self->settings);
  self->log = cw_joblog_open (self->log_path, NULL);
}

static void
forget (CwBatchRecord *self)
{
  close_log (self);
  g_unlink (self->batch_path);
  g_unlink (self->log_path);
}

static void
record_thread (gpointer data,
               gpointer user_data)
{
  Op *op = data;
  CwBatchRecord *self = user_data;

  switch (op->kind)
    {
    case OP_BEGIN:
      write_batch (self, op);
      break;
    case OP_RESUME:
      reopen_log (self, op);
      break;
    case OP_RESULT:
      log_result (self, op->result);
      break;
    case OP_END:
      if (op->completed)
        forget (self);
      else
        close_log (self);
      break;
    case OP_DISCARD:
    default:
      forget (self);
      break;
    }
  op_free (op);
}

static void
push (CwBatchRecord *self,
      Op            *op)
{
  g_thread_pool_push (self->thread, op, NULL);
}

void
cw_batch_record_begin (CwBatchRecord       *self,
                       GPtrArray           *plan,
                       const CwJobSettings *settings,
                       const char          *output_dir)
{
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (CW_IS_BATCH_RECORD (self));

  op->kind = OP_BEGIN;
  op->plan = copy_plan (plan);
  cw_job_settings_copy_into (settings, &op->settings);
  op->output_dir = g_strdup (output_dir);
  push (self, op);
}

void
cw_batch_record_resume (CwBatchRecord       *self,
                        const CwJobSettings *settings)
{
  Op *op = g_new0 (Op, 1);

  g_return_if_fail (CW_IS_BATCH_RECORD (self));

  op->kind = OP_RESUME;
  cw_job_settings_copy_into (settings, &op->settings);
  push (self, op);
}

void
cw_batch_record_add_result (CwBatchRecord  *self,
                            const CwResult *result)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_RESULT;
  op->result = cw_result_copy (result);
  push (self, op);
}

void
cw_batch_record_end (CwBatchRecord *self,
                     gboolean       completed)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_END;
  op->completed = completed;
  push (self, op);
}

void
cw_batch_record_discard (CwBatchRecord *self)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_DISCARD;
  push (self, op);
}

/* ---------------------------------------------------------------------- */
/* finding an interrupted batch */

static CwInterruptedBatch *
read_batch (const char *path)
{
  g_autoptr(CwInterruptedBatch) batch = g_new0 (CwInterruptedBatch, 1);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || !g_str_has_prefix (contents, BATCH_HEADER "\n"))
    return NULL;

  batch->plan = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_planned_file_free);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (f);

      if (n == 2 && g_str_equal (f[0], "output_dir"))
        batch->output_dir = cw_joblog_unescape (f[1]);
      else if (n == 2 && g_str_equal (f[0], "spec"))
        batch->settings.spec = cw_joblog_unescape (f[1]);
      else if (n == 2 && g_str_equal (f[0], "format"))
        batch->settings.format = (CwFormat) CLAMP (g_ascii_strtoll (f[1], NULL, 10), CW_FORMAT_SAME, CW_FORMAT_MP3);
      else if (n == 2 && g_str_equal (f[0], "seed"))
        batch->settings.seed = g_ascii_strtoull (f[1], NULL, 10);
      else if ((n == 4 || n == 5) && g_str_equal (f[0], "file"))
        {
          CwPlannedFile *file = g_new0 (CwPlannedFile, 1);

          file->input_path = cw_joblog_unescape (f[1]);
          file->output_path = cw_joblog_unescape (f[2]);
          file->seed_key = cw_joblog_unescape (f[3]);
          /* older records did not say: nothing of the user's is replaced */
          file->replace = n == 5 && g_str_equal (f[4], "2") ? CW_REPLACE_ALWAYS : CW_REPLACE_NEVER;
          g_ptr_array_add (batch->plan, file);
        }
    }
  if (batch->output_dir == NULL || batch->settings.spec == NULL || batch->plan->len == 0)
    return NULL;
  return g_steal_pointer (&batch);
}

static void
find_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CwBatchRecord *self = source_object;
  g_autoptr(CwInterruptedBatch) batch = read_batch (self->batch_path);
  g_autoptr(GHashTable) done = NULL;

  if (batch == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  done = cw_joblog_load_done (self->log_path, NULL);
  for (guint i = 0; done != NULL && i < batch->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (batch->plan, i);

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (cw_joblog_is_done (done, file->input_path, file->output_path, &batch->settings))
        batch->n_done++;
    }
  g_task_return_pointer (task, g_steal_pointer (&batch), (GDestroyNotify) cw_interrupted_batch_free);
}

void
cw_batch_record_find_async (CwBatchRecord       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cw_batch_record_find_async);
  g_task_run_in_thread (task, find_thread);
}

CwInterruptedBatch *
cw_batch_record_find_finish (CwBatchRecord  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
cw_batch_record_remaining (CwBatchRecord      *self,
                           CwInterruptedBatch *batch)
{
  g_autoptr(GHashTable) done = cw_joblog_load_done (self->log_path, NULL);
  GPtrArray *left = copy_plan (batch->plan);

  if (done == NULL)
    done = g_hash_table_new (g_str_hash, g_str_equal);
  /* the same rule as the CLI's --resume */
  cw_joblog_resume (done, left, &batch->settings, NULL);
  return left;
}

/* ---------------------------------------------------------------------- */

CwBatchRecord *
cw_batch_record_new (const char *dir)
{
  CwBatchRecord *self = g_object_new (CW_TYPE_BATCH_RECORD, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : g_build_filename (g_get_user_state_dir (), "corewave", NULL);
  self->batch_path = g_build_filename (self->dir, "batch", NULL);
  self->log_path = g_build_filename (self->dir, "joblog", NULL);
  return self;
}

static void
cw_batch_record_dispose (GObject *object)
{
  CwBatchRecord *self = CW_BATCH_RECORD (object);

  /* write what is queued before going: it is what a resume relies on */
  if (self->thread != NULL)
    g_thread_pool_free (g_steal_pointer (&self->thread), FALSE, TRUE);
  close_log (self);
  G_OBJECT_CLASS (cw_batch_record_parent_class)->dispose (object);
}

static void
cw_batch_record_finalize (GObject *object)
{
  CwBatchRecord *self = CW_BATCH_RECORD (object);

  g_free (self->dir);
  g_free (self->batch_path);
  g_free (self->log_path);
  cw_job_settings_clear (&self->settings);
  G_OBJECT_CLASS (cw_batch_record_parent_class)->finalize (object);
}

static void
cw_batch_record_class_init (CwBatchRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_batch_record_dispose;
  object_class->finalize = cw_batch_record_finalize;
}

static void
cw_batch_record_init (CwBatchRecord *self)
{
  self->thread = g_thread_pool_new (record_thread, self, 1, FALSE, NULL);
}
